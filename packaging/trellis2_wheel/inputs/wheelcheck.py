"""check-wheel and find-wheel: the input wheel of a package, refused when it
is another package's, for another Python, or not a safe, intact wheel
(reader.Wheel)."""

import glob
import os

from packaging.tags import parse_tag

from ..errors import DeliveryError
from ..spec import names, tags
from .reader import Wheel


def _refuse_tag(path, where, found, python_tag):
    raise DeliveryError(
        path, f"wheel is for {found} ({where}), but the configured Python is {python_tag}",
        found=found,
        expected=f"a wheel tagged {python_tag} (…-{python_tag}-{python_tag}-<platform>.whl)",
        fix=f"configure with the Python the wheel was built for (-DPython3_EXECUTABLE=...), "
            f"put a {python_tag} wheel in TRELLIS2_WHEEL_DIR, or take the Python code from "
            f"source (-DTRELLIS2_PYTHON_FROM=source)")


def _wheel_file_tags(wheel):
    try:
        return {tag for line in wheel.wheel_tags for tag in parse_tag(line.strip())}
    except ValueError:
        return set()


def check_wheel(path, package, python_tag, pin_list=frozenset()):
    """Refuse a wheel that is not `package`'s, not for `python_tag`, damaged
    or unsafe. Returns the checked Wheel."""
    path = str(path)
    name, _, file_tags = names.parse_wheel_filename(path)
    if name != names.normalize(package):
        raise DeliveryError(
            path, f"wheel is for package {name}, not {names.normalize(package)} (file name)",
            found=name, expected=names.normalize(package),
            fix=f"put {package}'s wheel in TRELLIS2_WHEEL_DIR")
    if not tags.accepts(file_tags, python_tag):
        _refuse_tag(path, "file name", ".".join(sorted(map(str, file_tags))), python_tag)
    wheel = Wheel(path, pin_list)
    inner = _wheel_file_tags(wheel)
    if not tags.accepts(inner, python_tag):
        _refuse_tag(path, "WHEEL file", ", ".join(sorted(map(str, inner))) or "no Tag line",
                    python_tag)
    return wheel


def find_wheel(directory, package):
    """The one wheel of `package` in a directory like wheels/Linux/Torch270/."""
    if not os.path.isdir(directory):
        raise DeliveryError(directory, "no such directory",
                            expected="the folder holding the .whl files",
                            fix="configure with -DTRELLIS2_WHEEL_DIR=<ComfyUI-Trellis2>/wheels/Linux/Torch270")
    wanted = names.normalize(package)
    candidates = sorted(glob.glob(os.path.join(glob.escape(str(directory)), "*.whl")))
    matches = []
    for candidate in candidates:
        try:
            if names.parse_wheel_filename(candidate)[0] == wanted:
                matches.append(candidate)
        except DeliveryError:
            continue
    if not matches:
        raise DeliveryError(
            directory, f"no wheel for {package}",
            found=", ".join(os.path.basename(c) for c in candidates) or "no .whl files",
            expected=f"{names.escape(package)}-<version>-<python>-<abi>-<platform>.whl",
            fix="copy the package's wheel into TRELLIS2_WHEEL_DIR, or take the Python from "
                "source (-DTRELLIS2_PYTHON_FROM=source)")
    if len(matches) > 1:
        raise DeliveryError(
            directory, f"several wheels for {package}",
            found=", ".join(os.path.basename(m) for m in matches), expected="exactly one",
            fix="remove the ones you do not want from TRELLIS2_WHEEL_DIR")
    return matches[0]
