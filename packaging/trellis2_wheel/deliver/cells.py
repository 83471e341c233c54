"""A dist directory of torch x CUDA cells: each build tree writes its wheels
to <root>/<cell>/ (the cell names the torch and CUDA the modules were built
against, e.g. torch2.7.0-cu126: PyTorch's /whl/cu126 and PyG's
torch-2.7.0+cu126.html in one name), with its own simple/ index and
find-links page (index.py). Cells never touch each other; <root>/index.html
lists them, and table() prints cells x packages with tags and sizes. A cell
holds one wheel set per Python (the wheels subcommand, wheels.py, replaces only its own)."""

import html
import os
import re

from ..spec import names
from . import index

_CELL = re.compile(r"torch\d+(?:\.\d+)+-(?:cu\d+|cpu|rocm[\d.]+)")


def cells(root):
    """The cells under root that have an index, sorted."""
    if not os.path.isdir(root):
        return []
    return sorted(entry for entry in os.listdir(root)
                  if _CELL.fullmatch(entry) and os.path.isfile(os.path.join(root, entry, "simple", "index.html")))


def wheels(root, cell):
    """[(distribution, version, python tag, platform tag, size in bytes)] of one cell."""
    rows = []
    for entry in sorted(os.listdir(os.path.join(root, cell))):
        if entry.endswith(".whl"):
            dist, version, tags = names.parse_wheel_filename(entry)[:3]
            pythons = ".".join(sorted({tag.interpreter for tag in tags}))
            platforms = ".".join(sorted({tag.platform for tag in tags}))
            rows.append((dist, str(version), pythons, platforms, os.path.getsize(os.path.join(root, cell, entry))))
    return rows


def write_root_page(root):
    """<root>/index.html: one line per cell, its index and its find-links page."""
    links = [f'<a href="{html.escape(c)}/simple/">{html.escape(c)}</a> '
             f'(pip --index-url &lt;this&gt;/{html.escape(c)}/simple, or '
             f'<a href="{html.escape(c)}/index.html">--find-links</a>)' for c in cells(root)]
    index._write(os.path.join(root, "index.html"), index._page("Wheel cells (torch x CUDA)", links))


def table(root):
    """Text table of every cell's wheels: cell, package, version, tag, size."""
    lines = [("cell", "package", "version", "python", "platform tag", "size")]
    for cell in cells(root):
        for dist, version, python, platform, size in wheels(root, cell):
            lines.append((cell, dist, version, python, platform, f"{size / 1e6:.2f} MB"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in lines)
