"""The Python code to scan, from a directory (site-packages layout or one
package directory) or straight from a wheel, without unpacking it."""

import os

from ..errors import DeliveryError
from ..inputs import pins
from ..inputs.reader import Wheel
from ..spec import names


class Sources:
    """root: what the paths are relative to; files: relpath -> source text;
    natives: relpaths of native files found alongside the code."""

    def __init__(self, root, files, natives):
        self.root = root
        self.files = files
        self.natives = natives


def _wanted(relpath, packages):
    return not packages or relpath.split("/", 1)[0].split(".", 1)[0] in packages


def from_path(path, packages=()):
    path = str(path)
    if os.path.isfile(path) and path.endswith(".whl"):
        return _from_wheel(path, packages)
    if os.path.isdir(path):
        return _from_dir(path, packages)
    raise DeliveryError(path, "neither a directory nor a .whl file",
                        expected="a stage or site-packages directory, a package directory, or a wheel",
                        fix="pass --python build/stage (or the wheel the code comes from)")


def _from_dir(path, packages):
    root = path
    if os.path.isfile(os.path.join(path, "__init__.py")):
        # A package directory itself: scan it with its parent as the root, so
        # module names (and relative imports) come out right.
        root = os.path.dirname(os.path.abspath(path))
        packages = (os.path.basename(os.path.abspath(path)),)
    files, natives = {}, []
    for current, dirs, entries in os.walk(root):
        rel_dir = os.path.relpath(current, root)
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.endswith(".dist-info")
                         and (rel_dir != "." or _wanted(d, packages)))
        for entry in sorted(entries):
            rel = os.path.normpath(os.path.join(rel_dir, entry)).replace(os.sep, "/")
            if not _wanted(rel, packages):
                continue
            if entry.endswith(".py"):
                with open(os.path.join(current, entry), encoding="utf-8") as handle:
                    files[rel] = handle.read()
            elif names.is_native(entry):
                natives.append(rel)
    return Sources(root, files, natives)


def _from_wheel(path, packages):
    wheel = Wheel(path, pins.read())
    files, natives = {}, []
    for member, rel in sorted(wheel.targets.items()):
        if rel is None or member.startswith(wheel.dist_info + "/") or not _wanted(rel, packages):
            continue
        if rel.endswith(".py"):
            try:
                files[rel] = wheel.files[member].decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DeliveryError(path, f"{member} is not UTF-8 Python", found=str(exc),
                                    fix="get the original wheel again") from None
        elif names.is_native(rel):
            natives.append(rel)
    return Sources(path, files, natives)
