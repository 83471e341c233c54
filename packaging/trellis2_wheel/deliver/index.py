"""A PEP 503 simple index over a directory of wheels, so the set installs
with plain pip and its dependencies:

    pip install --index-url file://<dist>/simple --extra-index-url https://pypi.org/simple o_voxel

<dist>/simple/index.html lists the projects; <dist>/simple/<normalized
name>/index.html links each wheel relatively (../../<file>), with a
#sha256= fragment pip checks and data-requires-python from METADATA (PEP 503).
<dist>/index.html is the same links on one page, for `pip --find-links`
(the form PyG's torch-<ver>+<cuda>.html pages have).

A <dist> is one torch x CUDA cell of a dist directory (cells.py)."""

import hashlib
import html
import os
import shutil
import zipfile

from ..inputs import reader
from ..spec import names


def _metadata_text(path):
    with zipfile.ZipFile(path) as wheel:
        member = next(n for n in wheel.namelist()
                      if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        return wheel.read(member).decode("utf-8")


def _page(title, links):
    body = "".join(f"    {link}<br/>\n" for link in links)
    return ("<!DOCTYPE html>\n<html>\n  <head><meta name=\"pypi:repository-version\" content=\"1.0\">"
            f"<title>{html.escape(title)}</title></head>\n  <body>\n{body}  </body>\n</html>\n")


def write_index(dist_dir):
    """(Re)writes dist_dir/simple for every wheel in dist_dir; returns
    {normalized project: [wheel file names]}."""
    projects = {}
    for entry in sorted(os.listdir(dist_dir)):
        if entry.endswith(".whl"):
            projects.setdefault(names.normalize(names.parse_wheel_filename(entry)[0]), []).append(entry)
    simple = os.path.join(dist_dir, "simple")
    shutil.rmtree(simple, ignore_errors=True)
    every_link = []
    for project, wheels in projects.items():
        links = []
        for wheel in wheels:
            path = os.path.join(dist_dir, wheel)
            with open(path, "rb") as handle:
                sha256 = hashlib.sha256(handle.read()).hexdigest()
            requires_python = reader.parse_headers(_metadata_text(path)).get("Requires-Python")
            attr = (f' data-requires-python="{html.escape(requires_python, quote=True)}"'
                    if requires_python else "")
            for prefix, into in (("../../", links), ("", every_link)):
                href = html.escape(f"{prefix}{wheel}#sha256={sha256}", quote=True)
                into.append(f'<a href="{href}"{attr}>{html.escape(wheel)}</a>')
        _write(os.path.join(simple, project, "index.html"), _page(f"Links for {project}", links))
    _write(os.path.join(simple, "index.html"),
           _page("Simple index", [f'<a href="{p}/">{p}</a>' for p in sorted(projects)]))
    _write(os.path.join(dist_dir, "index.html"), _page(f"Wheels of {os.path.basename(dist_dir)}", every_link))
    return projects


def _write(path, text):
    """Whole or not at all: another build tree may be reading a page of its
    dist directory (the cells page) while this one writes."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
