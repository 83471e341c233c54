"""The pin list: sha256 of the input wheels whose bytes were inspected
(third_party/wheels.cmake). The tool reads it itself, so a wheel is hashed
once, by the reader that already holds its bytes."""

import os
import re

from ..errors import DeliveryError

DEFAULT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "..", "..", "..", "third_party", "wheels.cmake"))
_HEX = re.compile(r"^\s*([0-9a-fA-F]{64})\b")


def read(path=None):
    """The set of pinned sha256 (lowercase hex): every line of the file that
    starts with 64 hex digits; '#' comments and CMake around them are ignored."""
    path = path or DEFAULT
    try:
        with open(path, encoding="utf-8") as handle:
            return {m[1].lower() for m in map(_HEX.match, handle) if m}
    except OSError as exc:
        raise DeliveryError(path, "cannot read the pin list", found=exc.strerror,
                            expected="a file with one sha256 (64 hex digits) per line",
                            fix="pass --pins the repository's third_party/wheels.cmake") from None


def hint(sha256):
    return (f"if these are known edits of a known wheel, add its sha256 {sha256} "
            "to the pin list (TRELLIS2_WHEEL_PINS, by default third_party/wheels.cmake) and configure again")
