"""Staged distributions: which files a dist-info owns, and a minimal
dist-info written for source mode."""

import os
import shutil
import sys

from ..errors import DeliveryError
from ..spec import names, record, tags

SKIPPED_DIRS = {"__pycache__"}   # byte code from a test import of the stage


def _top_levels(stage, dist_info):
    """Top-level names of a distribution: first components of its RECORD rows
    plus top_level.txt (which also names top-level native modules such as
    _nvdiffrast_c, whose file is absent from RECORD while it is being rebuilt)."""
    tops = set()
    record_file = os.path.join(stage, dist_info, "RECORD")
    if os.path.isfile(record_file):
        for entry in record.read(record_file):
            path = names.site_path(entry.path, dist_info)
            first = path.split("/", 1)[0] if path else dist_info
            if first != dist_info:
                tops.add(names.module_of(first) if "/" not in path else first)
    top_level_txt = os.path.join(stage, dist_info, "top_level.txt")
    if os.path.isfile(top_level_txt):
        with open(top_level_txt, encoding="utf-8") as handle:
            tops.update(line.strip() for line in handle if line.strip())
    return tops


def _walk_files(stage, top):
    """Relative paths of the files under stage/top, without byte code."""
    found = []
    for root, dirs, files in os.walk(os.path.join(stage, top)):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            if not name.endswith(".pyc"):
                found.append(os.path.relpath(os.path.join(root, name), stage).replace(os.sep, "/"))
    return found


def owned_files(stage, dist_info):
    """Every file under the stage that belongs to this distribution."""
    tops = _top_levels(stage, dist_info)
    found = set(_walk_files(stage, dist_info))
    for entry in sorted(os.listdir(stage)):
        full = os.path.join(stage, entry)
        stem = entry.split(".", 1)[0]
        if os.path.isdir(full) and entry in tops:
            found.update(_walk_files(stage, entry))
        elif os.path.isfile(full) and stem in tops and not entry.endswith(".pyc"):
            found.add(entry)
    return sorted(found)


def staged_files(stage, name):
    """(dist_info, files) of a staged distribution: every file it owns that
    a delivery carries (not the install-only ones: RECORD is computed where
    the distribution is delivered, from these files as they are now)."""
    dist_info = names.find_dist_info(stage, name)
    files = [rel for rel in owned_files(stage, dist_info)
             if not names.is_install_only(dist_info, rel)]
    return dist_info, files


def make_dist_info(stage, name, version, top_levels, requires=(), summary=None,
                   requires_python=None):
    """Write '<name>-<version>.dist-info' (METADATA 2.1, WHEEL, top_level.txt)
    for packages already copied into the stage (source mode). The
    requirements are written as the upstream declares them; repack and
    install pin torch and the set's own distributions (deliver/requires.py)."""
    version = str(names.version(version, subject=f"{name} --version"))
    present = [top for top in top_levels
               if any(e == top or e.startswith(top + ".") for e in os.listdir(stage))]
    if not present:
        raise DeliveryError(
            stage, f"no top-level package or module of {name} in the stage",
            found=", ".join(sorted(os.listdir(stage))) or "an empty directory",
            expected=" or ".join(f"{top}/" for top in top_levels),
            fix="copy the package's Python code into the stage before make-dist-info")
    for top in sorted(set(top_levels) - set(present)):
        # A top-level native module (nvdiffrast's _nvdiffrast_c) arrives with
        # the build; a delivery lists it once it is there.
        print(f"note: {top} is not in the stage yet; install and repack carry it once it is",
              file=sys.stderr)
    old = names.find_dist_info(stage, name, required=False)
    if old:
        shutil.rmtree(os.path.join(stage, old))
    dist_info = names.dist_info_dirname(name, version)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if summary:
        lines.append(f"Summary: {summary}")
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Requires-Dist: {req}" for req in requires]
    _write_text(os.path.join(stage, dist_info, "METADATA"), "\n".join(lines) + "\n\n")
    # The interpreter's tag; repack rewrites WHEEL from the real modules' suffixes.
    py = tags.interpreter_python_tag()
    _write_text(os.path.join(stage, dist_info, "WHEEL"), wheel_file_text(
        "make-dist-info", f"{py}-{py}-{tags.default_platform_tag()}", purelib=False))
    _write_text(os.path.join(stage, dist_info, "top_level.txt"),
                "".join(f"{top}\n" for top in sorted(top_levels)))
    return dist_info


def wheel_file_text(generator, tag, purelib):
    return ("Wheel-Version: 1.0\n"
            f"Generator: trellis2-native ({generator})\n"
            f"Root-Is-Purelib: {'true' if purelib else 'false'}\n"
            f"Tag: {tag}\n\n")


def _write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
