"""Staged distributions: which files a dist-info owns, its RECORD regenerated
from the files, and a minimal dist-info written for source mode."""

import os
import re
import shutil
import sys

from . import names, record, tags
from .errors import DeliveryError

SKIPPED_DIRS = {"__pycache__"}   # byte code from a test import of the stage


def _top_levels(stage, dist_info):
    """Top-level names of a distribution: first components of its RECORD rows
    plus top_level.txt (which also names top-level native modules such as
    _nvdiffrast_c, whose file is absent from RECORD while it is being rebuilt)."""
    tops = set()
    record_file = os.path.join(stage, dist_info, "RECORD")
    if os.path.isfile(record_file):
        for path, _, _ in record.read(record_file):
            first = path.split("/", 1)[0]
            if not first.startswith("..") and first != dist_info and not first.endswith(".data"):
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


def write_record(stage, name):
    """Regenerate a staged distribution's RECORD from its files; returns rows."""
    dist_info = names.find_dist_info(stage, name)
    record_rel = f"{dist_info}/RECORD"
    rows = record.build_rows(stage, owned_files(stage, dist_info), record_rel)
    _write_text(os.path.join(stage, record_rel), record.render(rows))
    return rows


def verified_rows(stage, name):
    """(dist_info, rows) of a staged distribution whose RECORD matches its
    files exactly; refuse a RECORD left stale by copying native files in."""
    dist_info = names.find_dist_info(stage, name)
    record_rel = f"{dist_info}/RECORD"
    rows = record.read(os.path.join(stage, record_rel))

    def read_bytes(rel):
        path = os.path.join(stage, rel)
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as handle:
            return handle.read()

    problems = record.mismatches(rows, read_bytes, record_rel)
    listed = {row[0] for row in rows}
    problems += [f"{rel}: staged but not in RECORD" for rel in owned_files(stage, dist_info)
                 if rel not in listed and rel != record_rel]
    if problems:
        raise DeliveryError(
            os.path.join(stage, record_rel), "RECORD does not match the staged files",
            found="; ".join(problems[:10]) + ("; …" if len(problems) > 10 else ""),
            expected="one RECORD line per staged file, with its current hash",
            fix=f"run `python3 -m trellis2_wheel record --stage {stage} --dist {name}` "
                "after copying native files into the stage")
    return dist_info, rows


_VERSION = re.compile(r"^[0-9][0-9A-Za-z.!+_]*$")


def make_dist_info(stage, name, version, top_levels, requires=(), summary=None):
    """Write '<name>-<version>.dist-info' (METADATA 2.1, WHEEL, top_level.txt,
    RECORD) for packages already copied into the stage (source mode)."""
    if not _VERSION.match(version):
        raise DeliveryError(version, "not a version", expected="PEP 440, e.g. 0.0.1",
                            fix="pass --version with the upstream's version")
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
        # the build; `record` lists it once it is there.
        print(f"note: {top} is not in the stage yet; `record` will list it once it is",
              file=sys.stderr)
    old = names.find_dist_info(stage, name, required=False)
    if old:
        shutil.rmtree(os.path.join(stage, old))
    dist_info = names.dist_info_dirname(name, version)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if summary:
        lines.append(f"Summary: {summary}")
    lines += [f"Requires-Dist: {req}" for req in requires]
    _write_text(os.path.join(stage, dist_info, "METADATA"), "\n".join(lines) + "\n\n")
    # The interpreter's tag; repack rewrites WHEEL from the real modules' suffixes.
    py = tags.interpreter_python_tag()
    _write_text(os.path.join(stage, dist_info, "WHEEL"), wheel_file_text(
        "make-dist-info", f"{py}-{py}-{tags.default_platform_tag()}", purelib=False))
    _write_text(os.path.join(stage, dist_info, "top_level.txt"),
                "".join(f"{top}\n" for top in sorted(top_levels)))
    write_record(stage, name)
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
