"""What a wheel may contain before anything reads its members: paths that
stay inside the target, no links, no names that collide on a
case-insensitive filesystem, and no code that runs by itself (.pth files,
console scripts) unless the wheel is on the pin list. Every reader of a
wheel (reader.Wheel) calls check_wheel(), so a refusal happens at
configure time (check-wheel) and names the member."""

import configparser
import re
import stat

from ..errors import DeliveryError
from ..spec import names

_DRIVE = re.compile(r"^[A-Za-z]:")
_SCRIPTS = ("console_scripts", "gui_scripts")


def _path_problem(name):
    """Why an archive or RECORD path could land outside the target, or None."""
    if not name:
        return "is empty"
    if "\\" in name:
        return "has a backslash (a separator on Windows)"
    if name.startswith("/") or _DRIVE.match(name):
        return "is an absolute path"
    if "\0" in name or any(ord(c) < 32 for c in name):
        return "has a control character"
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return "has a '..' component"
    if any(p in ("", ".") for p in parts):
        return "has an empty or '.' component"
    return None


def _refuse(path, member, problem, expected, fix=None):
    raise DeliveryError(
        path, f"member {member!r} {problem}", found=member, expected=expected,
        fix=fix or "do not use this wheel: get the original from its publisher; "
                    "a builder never writes such a member")


def check_wheel(path, infos, record_paths, dist_info, entry_points, sha256, pinned):
    """Everything this module checks, for one wheel. infos: the zip's
    ZipInfo list; record_paths: the paths RECORD lists; entry_points: the
    text of entry_points.txt or None; sha256: the file's; pinned: it is on
    the pin list.
    Returns member -> path in site-packages layout (None for .data
    categories outside site-packages)."""
    members = check_paths(path, infos, record_paths)
    targets = {m: names.site_path(m, dist_info) for m in members}
    inside = {m: t for m, t in targets.items() if t is not None}
    check_targets(path, inside)
    check_self_running_code(path, members, inside, entry_points, sha256, pinned)
    return targets


def check_paths(path, infos, record_paths):
    """infos: the zip's ZipInfo list; record_paths: the paths RECORD lists."""
    inside = "a relative path inside the wheel, '/'-separated, without '..'"
    for info in infos:
        problem = _path_problem(info.filename)
        if problem:
            _refuse(path, info.filename, problem, inside)
        if stat.S_ISLNK(info.external_attr >> 16):
            _refuse(path, info.filename, "is a symbolic link", "regular files only")
    for rel in record_paths:
        problem = _path_problem(rel)
        if problem:
            _refuse(path, rel, f"(a RECORD entry) {problem}", inside)
    files = [i.filename for i in infos if not i.is_dir()]
    seen = set()
    for name in files:
        if name in seen:
            _refuse(path, name, "is in the archive twice", "each member once")
        seen.add(name)
    spellings = {}
    for name in sorted(set(files) | set(record_paths)):
        other = spellings.setdefault(name.casefold(), name)
        if other != name:
            _refuse(path, name, f"differs only by case from {other!r}",
                    "names that stay distinct on a case-insensitive filesystem")
    return files


def check_targets(path, targets):
    """targets: member -> path in site-packages layout. Two members may not
    land on one path, nor a file where another member needs a directory."""
    landed, dirs = {}, set()
    for member, target in targets.items():
        if not target or target.endswith("/"):
            _refuse(path, member, "lands on no file name", "a file under purelib/ or platlib/")
        if target.casefold() in landed:
            _refuse(path, member, f"lands on {target}, as {landed[target.casefold()]!r} does",
                    "one member per installed path")
        landed[target.casefold()] = member
        parts = target.casefold().split("/")
        dirs.update("/".join(parts[:i]) for i in range(1, len(parts)))
    for folded, member in landed.items():
        if folded in dirs:
            _refuse(path, member, "is a file where other members need a directory",
                    "a path that is either a file or a directory")


def check_self_running_code(path, members, targets, entry_points, sha256, pinned):
    """A .pth file runs code at every interpreter start, and a console script
    puts a command on PATH: neither is what an overlay of modules needs, so
    only a wheel on the pin list (whose bytes were inspected) may bring one."""
    if pinned:
        return
    fix = (f"use a wheel without it, or inspect this one and add its sha256 {sha256} "
           "to the pin list (TRELLIS2_WHEEL_PINS, by default third_party/wheels.cmake)")
    for member, target in targets.items():
        if target.endswith(".pth"):
            _refuse(path, member, "is a .pth file, which runs code at every interpreter start",
                    "no .pth file in an input wheel that is not pinned", fix)
    for member in members:
        head, sep, rest = member.partition(".data/")
        if sep and "/" not in head and rest.startswith("scripts/"):
            _refuse(path, member, "is a script installed on PATH",
                    "no scripts in an input wheel that is not pinned", fix)
    if entry_points is None:
        return
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str
    try:
        parser.read_string(entry_points)
    except configparser.Error as exc:
        raise DeliveryError(path, "entry_points.txt cannot be read", found=str(exc).splitlines()[0],
                            expected="INI sections of name = module:function",
                            fix="rebuild the wheel with a standard builder") from None
    for section in _SCRIPTS:
        if parser.has_section(section) and parser.options(section):
            _refuse(path, "entry_points.txt",
                    f"declares [{section}] {', '.join(parser.options(section))}: commands put on PATH",
                    f"no [{section}] in an input wheel that is not pinned", fix)
