"""Wheel tags derived from the native files themselves, so a repaired wheel
says which Python its modules were built for (not the input wheel's tag)."""

import re
import sys
import sysconfig

from .errors import DeliveryError

_SUFFIX = re.compile(r"\.cpython-(?P<ver>\d)(?P<minor>\d+)[^.]*\.so$")


def interpreter_python_tag():
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def default_platform_tag():
    """'linux-x86_64' -> 'linux_x86_64', the tag setuptools gives a local build."""
    return re.sub(r"[-.]", "_", sysconfig.get_platform())


def tags_for(native_paths, python_tag=None, abi_tag=None, platform_tag=None):
    """(python, abi, platform) tags for a wheel holding these native files.

    No natives: py3-none-any. CPython extension suffixes name the version
    ('.cpython-311-…so' -> cp311); they must agree with each other and with
    an explicit python_tag."""
    if not native_paths:
        return python_tag or "py3", abi_tag or "none", platform_tag or "any"
    found = set()
    for path in native_paths:
        match = _SUFFIX.search(path)
        if match:
            found.add(f"cp{match['ver']}{match['minor']}")
        elif path.endswith(".abi3.so"):
            found.add("abi3")
    versions = sorted(t for t in found if t != "abi3")
    if len(versions) > 1:
        raise DeliveryError(
            ", ".join(native_paths), "native modules were built for different Pythons",
            found=", ".join(versions), expected="one CPython version",
            fix="rebuild every module with the same Python (Python3_EXECUTABLE)")
    built = versions[0] if versions else None
    if python_tag and built and python_tag != built:
        raise DeliveryError(
            ", ".join(p for p in native_paths if _SUFFIX.search(p)),
            f"native modules are for {built}, not the requested {python_tag}",
            found=built, expected=python_tag,
            fix=f"pass --python-tag {built}, or rebuild with Python {python_tag[2]}.{python_tag[3:]}")
    python_tag = python_tag or built or interpreter_python_tag()
    if abi_tag is None:
        abi_tag = "abi3" if ("abi3" in found and not built) else python_tag
    return python_tag, abi_tag, platform_tag or default_platform_tag()
