"""Reading a wheel: every member in memory, checked by safety.py before
anything is written anywhere, its RECORD read (spec/record.py) and verified
(installer's WheelFile.validate_record), hashed once against the pin list.

A RECORD mismatch is refused unless the wheel is pinned: the pin proves
these are known bytes, and the ComfyUI-Trellis2 o_voxel and cumesh wheels
had a .py edited after they were built without updating RECORD, so only a
pin lets them through (the mismatches become warnings)."""

import email.parser
import hashlib
import struct
import sys
import zipfile
import zlib

from installer.sources import WheelFile as _InstallerWheel

from ..errors import DeliveryError
from ..spec import names, record
from . import pins, safety

_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
               RuntimeError, ValueError, struct.error)


def parse_headers(text):
    """Email-style metadata (METADATA, WHEEL) -> email.message.Message."""
    return email.parser.Parser().parsestr(text)


class Wheel:
    """A checked wheel. path: the .whl; name, version, tags: its file name's;
    dist_info: the '<name>-<version>.dist-info' directory inside; files:
    arcname -> bytes; targets: arcname -> path in site-packages layout (None
    for .data categories outside site-packages); pinned: its sha256 is on
    the pin list; record_warnings: RECORD problems a pin accepted."""

    def __init__(self, path, pin_list=frozenset()):
        self.path = str(path)
        self.name, self.version, self.tags = names.parse_wheel_filename(self.path)
        self.sha256 = _sha256(self.path)
        self.pinned = self.sha256 in pin_list
        self.files, infos = _read_zip(self.path)
        self.dist_info = _the_dist_info(self.path, self.files, self.name)
        self.record_path = self.dist_info + "/RECORD"
        entries = record.parse(self.text("RECORD"), self.path)
        has_entry_points = f"{self.dist_info}/entry_points.txt" in self.files
        self.targets = safety.check_wheel(
            self.path, infos, [e.path for e in entries], self.dist_info,
            self.text("entry_points.txt") if has_entry_points else None,
            self.sha256, self.pinned)
        self._check_identity()
        self.record_warnings = _verify_record(self.path, entries, self.files, self.pinned,
                                              self.sha256)

    def _check_identity(self):
        """The file name, the dist-info directory and METADATA's Name agree."""
        claimed = (("dist-info directory", names.split_dist_info(self.dist_info)[0]),
                   ("METADATA Name", self.metadata.get("Name", "")))
        for where, value in claimed:
            if names.normalize(value) != self.name:
                raise DeliveryError(
                    self.path, f"wheel contains distribution {value}, not {self.name} ({where})",
                    found=value, expected=f"{self.name}, as the file name says",
                    fix=f"the file was renamed from another distribution's wheel: use "
                        f"{self.name}'s own wheel")

    def warn(self, err=sys.stderr):
        for problem in self.record_warnings:
            print(f"WARNING: {self.path}: {problem} (accepted: the file's sha256 is pinned)",
                  file=err)

    def text(self, name):
        member = f"{self.dist_info}/{name}"
        try:
            return self.files[member].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DeliveryError(self.path, f"{member} is not UTF-8", found=str(exc),
                                expected="UTF-8 text, as the wheel format requires",
                                fix="rebuild the wheel with a standard builder") from None

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


def _sha256(path):
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise DeliveryError(path, "cannot read the wheel", found=exc.strerror,
                            expected="a readable .whl file",
                            fix="check the path; TRELLIS2_WHEEL_DIR is the folder holding the "
                                "wheels") from None


def _read_zip(path):
    """(arcname -> bytes, infos); reading checks each member's CRC."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            files = {i.filename: archive.read(i) for i in infos if not i.is_dir()}
            return files, infos
    except _ZIP_ERRORS as exc:
        raise DeliveryError(
            path, "corrupt zip archive",
            found=f"{type(exc).__name__}: {exc}",
            expected="a complete wheel (zip) archive",
            fix="download the wheel again into TRELLIS2_WHEEL_DIR and compare its sha256 with "
                "third_party/wheels.cmake") from None


def _the_dist_info(path, files, name):
    dirs = sorted({n.split("/", 1)[0] for n in files if n.split("/", 1)[0].endswith(".dist-info")})
    if len(dirs) != 1 or not names.split_dist_info(dirs[0]):
        raise DeliveryError(
            path, "a wheel must have exactly one <name>-<version>.dist-info directory",
            found=", ".join(dirs) or "none", expected=f"{names.escape(name)}-<version>.dist-info",
            fix="rebuild the wheel with a standard builder (pip wheel, python -m build)")
    for needed in ("METADATA", "WHEEL", "RECORD"):
        if f"{dirs[0]}/{needed}" not in files:
            raise DeliveryError(path, f"{dirs[0]}/{needed} is missing",
                                expected="METADATA, WHEEL and RECORD in the dist-info",
                                fix="rebuild the wheel with a standard builder")
    return dirs[0]


def _verify_record(path, entries, files, pinned, sha256):
    """RECORD problems (installer's validation plus files RECORD lists that
    the archive lacks); refused unless pinned, else returned as warnings."""
    problems = []
    try:
        with zipfile.ZipFile(path) as archive:
            _InstallerWheel(archive).validate_record(validate_contents=True)
    except Exception as exc:   # installer raises its own error types, zipfile its own
        issues = getattr(exc, "issues", None) or [str(exc)]
        problems = [issue.replace(f"In {path}, ", "", 1) for issue in issues]
    problems += [f"{e.path} is listed in RECORD but absent" for e in entries
                 if e.path not in files and not e.path.endswith("/RECORD")]
    if problems and not pinned:
        raise DeliveryError(
            path, "RECORD does not match the files in the wheel",
            found="; ".join(problems[:10]) + (f"; and {len(problems) - 10} more"
                                              if len(problems) > 10 else ""),
            expected="every file listed in RECORD with its sha256 and size",
            fix="the wheel was altered after it was built: download it again into "
                f"TRELLIS2_WHEEL_DIR; {pins.hint(sha256)}")
    return problems
