"""Copies of the real ComfyUI-Trellis2 wheels for the Python running the tests.

The published wheels are cp312; a machine with another CPython (CI's 3.11:
Debian 12 and PyPI have no 3.12) cannot pip-install them. A re-tagged copy is
the published wheel with two members changed: WHEEL's `Tag:` lines name the
other CPython, and RECORD's line for WHEEL carries WHEEL's new hash. Every
other member, the native files and any stale RECORD line of the published
wheel included, is byte for byte the published one, so what the build says
about the copy's natives is what it would say about the published files. The
native files keep their cpython-312 names: wheel mode replaces them anyway.

A copy has other bytes than the published wheel, so it is not on the
repository's pin list (third_party/wheels.cmake); `pin_list` writes a list of
the repository's pins plus each copy's sha256, naming what it was copied
from, for TRELLIS2_WHEEL_PINS.
"""

import base64
import csv
import hashlib
import io
import re
import sys
import zipfile
from pathlib import Path

PYTHON_TAG = f"cp{sys.version_info.major}{sys.version_info.minor}"


def sha256_file(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def retag(wheel, out_dir, python_tag=PYTHON_TAG):
    """A copy of `wheel` in out_dir tagged `<python_tag>-<python_tag>-<platform>`;
    returns its path. A wheel already tagged so is copied as it is."""
    wheel = Path(wheel)
    name, version, py, abi, platform = wheel.name[:-len(".whl")].split("-")
    target = Path(out_dir) / f"{name}-{version}-{python_tag}-{python_tag}-{platform}.whl"
    target.parent.mkdir(parents=True, exist_ok=True)
    if (py, abi) == (python_tag, python_tag):
        target.write_bytes(wheel.read_bytes())
        return target
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(target, "w") as dst:
        infos = src.infolist()
        wheel_member = next(i.filename for i in infos if re.fullmatch(r"[^/]+\.dist-info/WHEEL", i.filename))
        record_member = wheel_member[:-len("WHEEL")] + "RECORD"
        old_tag = f"Tag: {py}-{abi}-"
        tag_text = src.read(wheel_member).decode()
        assert old_tag in tag_text, f"{wheel.name}: WHEEL has no '{old_tag}' line:\n{tag_text}"
        new_wheel = tag_text.replace(old_tag, f"Tag: {python_tag}-{python_tag}-").encode()
        rows = list(csv.reader(io.StringIO(src.read(record_member).decode())))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in rows:
            if row and row[0] == wheel_member:
                row = [wheel_member, _record_hash(new_wheel), str(len(new_wheel))]
            writer.writerow(row)
        for info in infos:
            data = {wheel_member: new_wheel, record_member: out.getvalue().encode()}.get(info.filename)
            # Same name, date, mode and compression as the published member.
            dst.writestr(info, src.read(info) if data is None else data, compress_type=info.compress_type)
    return target


def pin_list(copies, repository_pins, out):
    """The repository's pin list plus one line per (copy, published wheel)."""
    lines = [repository_pins.read_text().rstrip("\n"),
             "# Re-tagged copies of published wheels (tests/real/retag.py), other bytes:"]
    for copy, published in copies:
        lines.append(f"{sha256_file(copy)}  # {copy.name}: {published.name} sha256 {sha256_file(published)} "
                     f"with WHEEL re-tagged {PYTHON_TAG}")
    Path(out).write_text("\n".join(lines) + "\n")
    return Path(out)
