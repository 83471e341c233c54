"""Names and file-name conventions: distribution names, versions and wheel
file names (through `packaging`), dist-info directories, and which files are
native modules."""

import os
import re

from packaging.utils import InvalidWheelFilename, canonicalize_name
from packaging.utils import parse_wheel_filename as _parse_wheel_filename
from packaging.version import InvalidVersion, Version

from ..errors import DeliveryError

# A native extension or shared library: foo.so, foo.cpython-311-x86_64-linux-gnu.so,
# foo.abi3.so, foo.pyd, and vendored libraries such as libbar.so.1.2. Written
# in the syntax Python's `re` and CMake's regex share: cmake/recipe/Stage.cmake
# asks for it (`trellis2_wheel native-pattern`) instead of keeping a copy.
NATIVE_PATTERN = r"(\.pyd|\.so(\.[0-9]+)*)$"
_NATIVE = re.compile(NATIVE_PATTERN)

# Files that describe one installation of a distribution, never carried from
# a stage into another site-packages or a wheel; RECORD is computed anew
# wherever the distribution is delivered.
INSTALL_ONLY = ("INSTALLER", "REQUESTED", "direct_url.json", "RECORD")


def normalize(name):
    """PEP 503 normalized form, used to compare distribution names."""
    return canonicalize_name(name)


def escape(name):
    """The form a name takes in wheel file and dist-info directory names."""
    return canonicalize_name(name).replace("-", "_")


def version(text, subject=None):
    """A PEP 440 version, or a refusal naming the text."""
    try:
        return Version(text)
    except InvalidVersion:
        raise DeliveryError(subject or text, f"{text!r} is not a version",
                            expected="a PEP 440 version, e.g. 0.0.1 or 0.4.0+cu126",
                            fix="use the version the upstream's pyproject.toml declares") from None


def parse_wheel_filename(path):
    """(name, version, tags) of a wheel file name; refuse names that are not wheels."""
    base = os.path.basename(str(path))
    try:
        name, ver, _, tags = _parse_wheel_filename(base)
    except InvalidWheelFilename as exc:
        raise DeliveryError(
            path, "not a wheel file name",
            found=f"{base} ({exc})",
            expected="<name>-<version>[-<build>]-<python>-<abi>-<platform>.whl "
                     "(e.g. flex_gemm-0.0.1-cp312-cp312-linux_x86_64.whl)",
            fix="point at the .whl file the package's builder produced") from None
    return name, ver, tags


def is_native(path):
    """True for files the build must replace: extension modules and shared libraries."""
    return bool(_NATIVE.search(path))


def is_install_only(dist_info, rel):
    """Is rel one of dist_info's files that describe an installation?"""
    return rel.startswith(dist_info + "/") and rel[len(dist_info) + 1:] in INSTALL_ONLY


def site_path(member, dist_info):
    """Where a wheel member (or RECORD path) lands in site-packages layout:
    '<dist>.data/purelib|platlib/x' -> 'x'; None for the other .data
    categories (scripts, headers, data), which go outside site-packages."""
    data_dir = dist_info[: -len(".dist-info")] + ".data/"
    if not member.startswith(data_dir):
        return member
    category, _, rest = member[len(data_dir):].partition("/")
    return rest if category in ("purelib", "platlib") else None


def module_of(path):
    """Import name of a native module file: 'cumesh/_C.cpython-312-x86_64-linux-gnu.so'
    -> 'cumesh._C' (the part of the file name before its first dot)."""
    parts = path.split("/")
    parts[-1] = parts[-1].split(".", 1)[0]
    return ".".join(p for p in parts if p)


def split_dist_info(dirname):
    """'flex_gemm-0.0.1.dist-info' -> ('flex_gemm', '0.0.1'), or None."""
    if not dirname.endswith(".dist-info"):
        return None
    stem = dirname[: -len(".dist-info")]
    if "-" not in stem:
        return None
    name, ver = stem.split("-", 1)
    return name, ver


def dist_info_dirname(name, ver):
    return f"{escape(name)}-{ver}.dist-info"


def find_dist_info(root, name, *, required=True):
    """The one '<name>-<version>.dist-info' directory under root for a
    distribution (any version), compared by normalized name."""
    wanted = normalize(name)
    matches = [entry for entry, found, _ in list_dist_infos(root) if normalize(found) == wanted]
    if len(matches) > 1:
        raise DeliveryError(
            root, f"several dist-info directories for {name}",
            found=", ".join(matches), expected="exactly one",
            fix="remove the stale ones (they belong to an older install or stage)")
    if not matches:
        if required:
            raise DeliveryError(
                root, f"no dist-info directory for {name}",
                found=", ".join(e for e, _, _ in list_dist_infos(root))
                if os.path.isdir(root) else "no such directory",
                expected=f"{escape(name)}-<version>.dist-info",
                fix="build first (`cmake --build <build>`), so the stage holds the distribution")
        return None
    return matches[0]


def list_dist_infos(root):
    """Every dist-info directory under root, as (dirname, name, version)."""
    found = []
    if not os.path.isdir(root):
        return found
    for entry in sorted(os.listdir(root)):
        split = split_dist_info(entry)
        if split and os.path.isdir(os.path.join(root, entry)):
            found.append((entry, split[0], split[1]))
    return found
