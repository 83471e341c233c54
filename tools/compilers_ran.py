"""The compilers the native build actually runs, read from the Ninja files
CMake generated for it, so the build report can show them next to the
checked compiler instead of repeating the configured claim.

Per module (a CMake target named by its import name), from
<native build>/CMakeFiles/rules.ninja:
    nvcc_host   the -ccbin of its CUDA compile rule (None: no .cu sources)
    cxx         the compiler of its C++ compile rule (None: no .cpp sources)
    linker      the driver of its link rule
and from <native build>/build.ninja, static_libstdcxx: its link line names a
libstdc++.a or -static-libstdc++ (what a wrapper's CUDA detection leaves).
Standard library only.
"""

import os
import re

_RULE = re.compile(r"^rule (CUDA_COMPILER|CXX_COMPILER|(?:CXX|CUDA)_(?:MODULE|SHARED)_LIBRARY_LINKER)__(\S+)_$")
_BUILD = re.compile(r"^build [^:]+: (?:CXX|CUDA)_(?:MODULE|SHARED)_LIBRARY_LINKER__(\S+)_ ")
_CCBIN = re.compile(r"(?:-ccbin[= ]|--compiler-bindir[= ])(\S+)")
_STATIC = re.compile(r"(?:^|\s)(?:\S*/libstdc\+\+\.a|-static-libstdc\+\+)(?=\s|$)")


def _target(escaped):
    """CMake writes a target's name into rule names with '.XX' hex escapes
    (fixture_pkg.2e_C -> fixture_pkg._C); CMake >= 3.28 adds '_unscanned'
    to the compile rules of sources it does not scan for C++20 modules."""
    escaped = re.sub(r"_(?:un)?scanned$", "", escaped)
    return re.sub(r"\.([0-9a-f]{2})", lambda m: chr(int(m[1], 16)), escaped)


def _program(word):
    """'${LAUNCHER}${CODE_CHECK}/usr/bin/g++' (CMake 4's compile rules) -> '/usr/bin/g++'."""
    return re.sub(r"^(?:\$\{\w+\}|\$\w+)+", "", word)


def _compiler(kind, command):
    if kind == "CUDA_COMPILER":
        match = _CCBIN.search(command)
        return match[1] if match else "(none: nvcc's own default)"
    words = command.split()
    if kind == "CXX_COMPILER":
        return _program(words[words.index("$DEFINES") - 1]) if "$DEFINES" in words else command
    # A link rule: `$PRE_LINK && <driver> -fPIC ...`
    after = words[words.index("&&") + 1:] if "&&" in words else words
    return _program(after[0]) if after else command


def modules(subbuild):
    """{target: {"nvcc_host", "cxx", "linker", "static_libstdcxx"}} of one
    Ninja build tree (the native build), or None before its first configure."""
    rules_file = os.path.join(subbuild, "CMakeFiles", "rules.ninja")
    if not os.path.isfile(rules_file):
        return None
    found = {}
    kind = target = None
    for line in open(rules_file):
        match = _RULE.match(line.rstrip("\n"))
        if match:
            kind, target = match[1], _target(match[2])
            continue
        if kind and line.startswith("  command = "):
            key = {"CUDA_COMPILER": "nvcc_host", "CXX_COMPILER": "cxx"}.get(kind, "linker")
            entry = found.setdefault(target, {"nvcc_host": None, "cxx": None, "linker": None,
                                              "static_libstdcxx": False})
            entry[key] = _compiler(kind, line[len("  command = "):].strip())
            kind = None
    linking = None
    for line in open(os.path.join(subbuild, "build.ninja")):
        match = _BUILD.match(line)
        if match:
            linking = _target(match[1])
        elif linking and line.startswith("  ") and linking in found:
            name, _, value = line.strip().partition(" = ")
            if name in ("LINK_LIBRARIES", "LINK_FLAGS") and _STATIC.search(value):
                found[linking]["static_libstdcxx"] = True
        elif not line.startswith("  "):
            linking = None
    return found


def differences(found, checked):
    """Lines naming each compiler or link of `found` that is not `checked`."""
    want = os.path.realpath(checked)
    lines = []
    for module, entry in sorted(found.items()):
        for key in ("nvcc_host", "cxx", "linker"):
            path = entry[key]
            if path is not None and os.path.realpath(path) != want:
                lines.append(f"{module}: {key} is {path}, not the checked {checked}")
        if entry["static_libstdcxx"]:
            lines.append(f"{module}: its link line adds a static libstdc++ (libstdc++.a or -static-libstdc++)")
    return lines
