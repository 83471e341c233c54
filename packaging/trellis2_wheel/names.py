"""Names and file-name conventions: distribution names (PEP 503/427), wheel
file names, dist-info directories, and which files are native modules."""

import os
import re

from .errors import DeliveryError

# PEP 427 / binary distribution format: name-version(-build)?-py-abi-plat.whl,
# where name and version never contain '-'.
_WHEEL_NAME = re.compile(
    r"^(?P<name>[^\s-]+?)-(?P<version>[^\s-]+?)(-(?P<build>\d[^\s-]*))?"
    r"-(?P<py>[^\s-]+?)-(?P<abi>[^\s-]+?)-(?P<plat>[^\s-]+?)\.whl$")

# A native extension or shared library: foo.so, foo.cpython-311-x86_64-linux-gnu.so,
# foo.abi3.so, foo.pyd, and vendored libraries such as libbar.so.1.2.
_NATIVE = re.compile(r"(\.pyd|\.so(\.\d+)*)$")


def normalize(name):
    """PEP 503 normalized form, used to compare distribution names."""
    return re.sub(r"[-_.]+", "-", name).lower()


def escape(name):
    """The form a name takes in wheel file and dist-info directory names (PEP 427)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def parse_wheel_filename(path):
    """Split a wheel file name into its fields; refuse names that are not wheels."""
    base = os.path.basename(str(path))
    match = _WHEEL_NAME.match(base)
    if not match:
        raise DeliveryError(
            path, "not a wheel file name",
            found=base,
            expected="<name>-<version>[-<build>]-<python>-<abi>-<platform>.whl "
                     "(e.g. flex_gemm-0.0.1-cp312-cp312-linux_x86_64.whl)",
            fix="point at the .whl file the package's builder produced")
    fields = match.groupdict()
    fields["py"] = fields["py"].split(".")   # compressed tag sets: cp311.cp312
    fields["abi"] = fields["abi"].split(".")
    fields["plat"] = fields["plat"].split(".")
    return fields


def is_native(path):
    """True for files the build must replace: extension modules and shared libraries."""
    return bool(_NATIVE.search(path))


def module_of(path):
    """Import name of a native module file: 'cumesh/_C.cpython-312-x86_64-linux-gnu.so'
    -> 'cumesh._C' (the part of the file name before its first dot)."""
    parts = path.replace("\\", "/").split("/")
    parts[-1] = parts[-1].split(".", 1)[0]
    return ".".join(p for p in parts if p)


def split_dist_info(dirname):
    """'flex_gemm-0.0.1.dist-info' -> ('flex_gemm', '0.0.1'), or None."""
    if not dirname.endswith(".dist-info"):
        return None
    stem = dirname[: -len(".dist-info")]
    if "-" not in stem:
        return None
    name, version = stem.split("-", 1)
    return name, version


def dist_info_dirname(name, version):
    return f"{escape(name)}-{version}.dist-info"


def find_dist_info(root, name, *, required=True):
    """The one '<name>-<version>.dist-info' directory under root for a
    distribution (any version), compared by normalized name."""
    wanted = normalize(name)
    matches = []
    if os.path.isdir(root):
        for entry in sorted(os.listdir(root)):
            split = split_dist_info(entry)
            if split and normalize(split[0]) == wanted and os.path.isdir(os.path.join(root, entry)):
                matches.append(entry)
    if len(matches) > 1:
        raise DeliveryError(
            root, f"several dist-info directories for {name}",
            found=", ".join(matches), expected="exactly one",
            fix="remove the stale ones (they belong to an older install or stage)")
    if not matches:
        if required:
            raise DeliveryError(
                root, f"no dist-info directory for {name}",
                found=", ".join(e for e in sorted(os.listdir(root)) if e.endswith(".dist-info"))
                if os.path.isdir(root) else "no such directory",
                expected=f"{escape(name)}-<version>.dist-info",
                fix="run `stage-wheel` (wheel mode) or `make-dist-info` (source mode) first")
        return None
    return matches[0]


def list_dist_infos(root):
    """Every dist-info directory under root, as (dirname, name, version)."""
    found = []
    for entry in sorted(os.listdir(root)):
        split = split_dist_info(entry)
        if split and os.path.isdir(os.path.join(root, entry)):
            found.append((entry, split[0], split[1]))
    return found
