"""Wheel tags: which (interpreter, abi) pairs a configured CPython accepts
(`packaging.tags`), and the tags a repaired wheel gets from the native files
themselves, so it says which Python its modules were built for."""

import re
import sys
import sysconfig

from packaging import tags as _tags

from ..errors import DeliveryError

# The build writes every module with the configured Python's EXT_SUFFIX,
# '.cpython-311-x86_64-linux-gnu.so', which names the version.
_SUFFIX = re.compile(r"\.cpython-(?P<ver>\d)(?P<minor>\d+)[^.]*\.so$")


def interpreter_python_tag():
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def _version_of(python_tag):
    match = re.fullmatch(r"cp(\d)(\d+)", python_tag)
    if not match:
        raise DeliveryError(python_tag, "not a CPython tag", expected="cpXY, e.g. cp311",
                            fix="configure with a CPython (-DPython3_EXECUTABLE=...)")
    return int(match[1]), int(match[2])


def accepts(wheel_tags, python_tag):
    """Does any of the wheel's tags run on CPython `python_tag` (whatever the
    platform)? cp311 accepts cp311-cp311, cp39-abi3, py3-none, py311-none."""
    ver = _version_of(python_tag)
    supported = {(t.interpreter, t.abi) for t in _tags.cpython_tags(ver, platforms=["any"])}
    supported |= {(t.interpreter, t.abi)
                  for t in _tags.compatible_tags(ver, interpreter=python_tag, platforms=["any"])}
    return any((t.interpreter, t.abi) in supported for t in wheel_tags)


def default_platform_tag():
    """'linux-x86_64' -> 'linux_x86_64', the tag setuptools gives a local build."""
    return re.sub(r"[-.]", "_", sysconfig.get_platform())


def tags_for(native_paths, python_tag=None, abi_tag=None, platform_tag=None):
    """(python, abi, platform) tags for a wheel holding these native files.

    No natives: py3-none-any. The modules' suffixes name the CPython version;
    they must agree with each other and with an explicit python_tag."""
    if not native_paths:
        return python_tag or "py3", abi_tag or "none", platform_tag or "any"
    versions = sorted({f"cp{m['ver']}{m['minor']}"
                       for m in map(_SUFFIX.search, native_paths) if m})
    if len(versions) > 1:
        raise DeliveryError(
            ", ".join(native_paths), "native modules were built for different Pythons",
            found=", ".join(versions), expected="one CPython version",
            fix="reconfigure with one Python (-DPython3_EXECUTABLE=...) and build again")
    built = versions[0] if versions else None
    if python_tag and built and python_tag != built:
        raise DeliveryError(
            ", ".join(p for p in native_paths if _SUFFIX.search(p)),
            f"native modules are for {built}, not the requested {python_tag}",
            found=built, expected=python_tag,
            fix=f"pass --python-tag {built}, or reconfigure with Python "
                f"{python_tag[2]}.{python_tag[3:]} (-DPython3_EXECUTABLE=...) and build again")
    python_tag = python_tag or built or interpreter_python_tag()
    return python_tag, abi_tag or python_tag, platform_tag or default_platform_tag()
