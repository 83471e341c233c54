"""Reading a wheel and refusing a bad one: wrong Python tag, corrupt zip,
RECORD that does not match the files, another package, sha256 pin mismatch."""

import email.parser
import glob
import hashlib
import os
import sys
import zipfile
import zlib

from . import names, record
from .errors import DeliveryError


def parse_headers(text):
    """Email-style metadata (METADATA, WHEEL) -> email.message.Message."""
    return email.parser.Parser().parsestr(text)


class Wheel:
    """A wheel read fully into memory and verified against its RECORD.

    path: the .whl file; fields: its file name's fields; dist_info: the
    '<name>-<version>.dist-info' directory inside; files: arcname -> bytes.

    sha256: the pinned hash of the file. A mismatch is refused. A match makes
    RECORD problems warnings (record_warnings) instead of a refusal: the pin
    already proves these are the known bytes, and the ComfyUI-Trellis2 o_voxel
    and cumesh wheels were edited after they were built (flexible_dual_grid.py,
    remeshing.py) without updating RECORD, so only a pin lets them through."""

    def __init__(self, path, sha256=None):
        self.path = str(path)
        self.fields = names.parse_wheel_filename(self.path)
        if sha256:
            _check_pin(self.path, sha256)
        self.files = _read_zip(self.path)
        self.dist_info = _the_dist_info(self.path, self.files)
        self.record_path = self.dist_info + "/RECORD"
        self.rows, self.record_warnings = _verify_record(
            self.path, self.files, self.record_path, pinned=bool(sha256))

    def warn(self, err=sys.stderr):
        for problem in self.record_warnings:
            print(f"WARNING: {self.path}: {problem} (accepted: the file matches its sha256 pin)",
                  file=err)

    def text(self, name):
        return self.files[f"{self.dist_info}/{name}"].decode("utf-8")

    @property
    def metadata(self):
        return parse_headers(self.text("METADATA"))

    @property
    def wheel_tags(self):
        return parse_headers(self.text("WHEEL")).get_all("Tag") or []

    @property
    def natives(self):
        """Arcnames of native files (extension modules, shared libraries)."""
        return sorted(n for n in self.files if names.is_native(n))


def _read_zip(path):
    if not os.path.isfile(path):
        raise DeliveryError(path, "no such file",
                            fix="check the path (find-wheel DIR --package NAME lists it)")
    try:
        with zipfile.ZipFile(path) as archive:
            files = {}
            for info in archive.infolist():
                if info.is_dir():
                    continue
                files[info.filename] = archive.read(info)   # checks each CRC
            return files
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise DeliveryError(
            path, "corrupt zip archive",
            found=f"{type(exc).__name__}: {exc}",
            expected="a complete wheel (zip) archive",
            fix="download or build the wheel again; compare its sha256 with the known one") from None


def _the_dist_info(path, files):
    dirs = sorted({n.split("/", 1)[0] for n in files if n.split("/", 1)[0].endswith(".dist-info")})
    if len(dirs) != 1:
        raise DeliveryError(
            path, "a wheel must have exactly one .dist-info directory",
            found=", ".join(dirs) or "none", expected="<name>-<version>.dist-info",
            fix="rebuild the wheel with a standard builder (pip wheel, python -m build)")
    for needed in ("METADATA", "WHEEL", "RECORD"):
        if f"{dirs[0]}/{needed}" not in files:
            raise DeliveryError(path, f"{dirs[0]}/{needed} is missing",
                                expected="METADATA, WHEEL and RECORD in the dist-info",
                                fix="rebuild the wheel with a standard builder")
    return dirs[0]


def _verify_record(path, files, record_path, pinned=False):
    """(rows, warnings): RECORD rows; problems are refused unless pinned."""
    rows = record.parse(files[record_path].decode("utf-8"), f"{path}!{record_path}")
    problems = record.mismatches(rows, files.get, record_path)
    listed = {row[0] for row in rows}
    problems += [f"{name}: in the archive but not in RECORD"
                 for name in sorted(files) if name not in listed
                 and not record.is_unhashed(name, record_path)]
    if problems and not pinned:
        raise DeliveryError(
            path, "RECORD does not match the files in the wheel",
            found="; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else ""),
            expected="every file listed in RECORD with its sha256 and size",
            fix="the wheel was altered after it was built: get the original wheel again; "
                "if these are known edits of a known wheel, pin its sha256 (--sha256) to accept it")
    return rows, problems


def _check_pin(path, sha256):
    if not os.path.isfile(path):
        raise DeliveryError(path, "no such file", fix="check the path")
    with open(path, "rb") as handle:
        actual = hashlib.sha256(handle.read()).hexdigest()
    if actual != sha256.lower():
        raise DeliveryError(
            path, "sha256 does not match the pinned value",
            found=actual, expected=sha256.lower(),
            fix="this is not the known wheel: get the pinned file again, or update "
                "the pin if the new wheel is intended")


def accepts(wheel_py_tags, python_tag):
    """Does a set of wheel Python tags run on the configured CPython tag?
    'cp311' accepts cp311, py3 and py311 (pure-Python wheels)."""
    digits = python_tag[2:]
    return any(t in (python_tag, "py3", "py" + digits) for t in wheel_py_tags)


def _refuse_tag(path, where, tags, python_tag):
    raise DeliveryError(
        path, f"wheel is for {'.'.join(sorted(set(tags)))} ({where}), "
              f"but the configured Python is {python_tag}",
        found=", ".join(sorted(set(tags))),
        expected=f"a wheel tagged {python_tag} (…-{python_tag}-{python_tag}-<platform>.whl)",
        fix=f"configure with the Python the wheel was built for (-DPython3_EXECUTABLE=...), "
            f"use a {python_tag} wheel, or take the Python code from source "
            f"(TRELLIS2_PYTHON_FROM=source)")


def check_wheel(path, package, python_tag, sha256=None):
    """Refuse a wheel that is not `package`'s, not for `python_tag`, damaged,
    or not the pinned file. Returns the verified Wheel."""
    path = str(path)
    if sha256:
        _check_pin(path, sha256)   # first: a different file needs no further reading
    fields = names.parse_wheel_filename(path)
    if names.normalize(fields["name"]) != names.normalize(package):
        raise DeliveryError(
            path, f"wheel is for package {fields['name']}, not {package} (file name)",
            found=fields["name"], expected=package,
            fix=f"point at {package}'s wheel (find-wheel DIR --package {package})")
    if not accepts(fields["py"], python_tag):
        _refuse_tag(path, "file name", fields["py"], python_tag)
    wheel = Wheel(path, sha256)
    dist_name = names.split_dist_info(wheel.dist_info)
    meta_name = wheel.metadata.get("Name", "")
    for where, value in (("dist-info directory", dist_name[0] if dist_name else wheel.dist_info),
                         ("METADATA Name", meta_name)):
        if names.normalize(value) != names.normalize(package):
            raise DeliveryError(
                path, f"wheel contains package {value}, not {package} ({where})",
                found=value, expected=package,
                fix="the file was renamed from another package's wheel: "
                    f"use {package}'s own wheel")
    wheel_py = [tag.split("-")[0] for tag in wheel.wheel_tags]
    py_tags = [t for tags in wheel_py for t in tags.split(".")]
    if not py_tags or not accepts(py_tags, python_tag):
        _refuse_tag(path, "WHEEL file", py_tags or ["no Tag line"], python_tag)
    return wheel


def find_wheel(directory, package):
    """The one wheel of `package` in a directory like wheels/Linux/Torch270/."""
    if not os.path.isdir(directory):
        raise DeliveryError(directory, "no such directory",
                            fix="set the wheel directory to the folder holding the .whl files")
    wanted = names.normalize(package)
    candidates = sorted(glob.glob(os.path.join(glob.escape(str(directory)), "*.whl")))
    matches = []
    for candidate in candidates:
        try:
            fields = names.parse_wheel_filename(candidate)
        except DeliveryError:
            continue
        if names.normalize(fields["name"]) == wanted:
            matches.append(candidate)
    if not matches:
        raise DeliveryError(
            directory, f"no wheel for {package}",
            found=", ".join(os.path.basename(c) for c in candidates) or "no .whl files",
            expected=f"{names.escape(package)}-<version>-<python>-<abi>-<platform>.whl",
            fix="copy the package's wheel there, or build it from source (TRELLIS2_PYTHON_FROM=source)")
    if len(matches) > 1:
        raise DeliveryError(
            directory, f"several wheels for {package}",
            found=", ".join(os.path.basename(m) for m in matches), expected="exactly one",
            fix="remove the ones you do not want, or name the wheel file directly")
    return matches[0]
