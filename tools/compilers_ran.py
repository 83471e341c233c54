"""The compilers the native build actually runs, read from what CMake
publishes about it, so the build report can show them next to the checked
compiler instead of repeating the configured claim.

From the native build tree, CMake's public interfaces only:
  the File API replies (.cmake/api/v1/reply/, to the queries the inner
  project writes, extensions/CMakeLists.txt):
    codemodel-v2   each target: its type, its sources and their language,
                   its link language and its link's flags and libraries
    toolchains-v1  each language's compiler
  compile_commands.json  each source's compile command (CMake leaves out
                   the compiler launcher: sccache runs the compiler that
                   follows it, and that compiler is the one reported)
Per module (a CMake target named by its import name):
    nvcc_host   the -ccbin (--compiler-bindir) of its CUDA compile commands,
                CMAKE_CUDA_HOST_COMPILER (None: no .cu sources)
    cxx         the compiler of its C++ compile commands (None: no .cpp sources)
    linker      the driver of its link: its link language's compiler
                (toolchains-v1); a CUDA link runs CMAKE_CUDA_HOST_LINK_LAUNCHER,
                the host compiler CMake's CUDA detection saw nvcc run, which
                no reply names: its CUDA compiles' -ccbin stands for it
    static_libstdcxx  its link's flags or libraries name a libstdc++.a or
                -static-libstdc++ (what a wrapper's CUDA detection leaves)
A value names every distinct compiler its commands run, comma-separated.
Standard library only.
"""

import glob
import json
import os
import re
import shlex
import sys

_STATIC = re.compile(r"(?:^|\s)(?:\S*/libstdc\+\+\.a|-static-libstdc\+\+)(?=\s|$)")


def _load(path):
    with open(path) as handle:
        return json.load(handle)


def _reply(subbuild):
    """(reply directory, codemodel-v2, toolchains-v1) of the newest File API
    reply index (the lexicographically last index-*.json), None without one."""
    indexes = sorted(glob.glob(os.path.join(subbuild, ".cmake", "api", "v1", "reply", "index-*.json")))
    answered = _load(indexes[-1])["reply"] if indexes else {}
    names = [(answered.get(kind) or {}).get("jsonFile") for kind in ("codemodel-v2", "toolchains-v1")]
    if not all(names):
        return None
    replies = os.path.dirname(indexes[-1])
    return (replies, *(_load(os.path.join(replies, name)) for name in names))


def _commands(database):
    """{source path: [argv, ...]} of a compile database."""
    by_source = {}
    for entry in _load(database):
        argv = entry.get("arguments") or shlex.split(entry["command"])
        by_source.setdefault(os.path.normpath(os.path.join(entry["directory"], entry["file"])), []).append(argv)
    return by_source


def _commands_of(candidates, group):
    """The commands that compile one source for one target: where several
    targets compile it, those carrying this target's flags and defines."""
    if len(candidates) < 2:
        return candidates
    wanted = [arg for fragment in group.get("compileCommandFragments", [])
              for arg in shlex.split(fragment["fragment"])]
    wanted += ["-D" + define["define"] for define in group.get("defines", [])]
    return [argv for argv in candidates if all(arg in argv for arg in wanted)] or candidates


def _host_compilers(argv):
    """The host compilers an nvcc command names: -ccbin X, -ccbin=X, --compiler-bindir[=]X."""
    found = []
    for i, arg in enumerate(argv):
        name, equals, value = arg.partition("=")
        if name in ("-ccbin", "--compiler-bindir"):
            found.append(value if equals else argv[i + 1] if i + 1 < len(argv) else "")
    return found or ["(none: nvcc's own default)"]


def _one(paths):
    """The compiler of `paths`, or each distinct one (by real path), comma-separated; None for none."""
    distinct = {}
    for path in paths:
        distinct.setdefault(os.path.realpath(path), path)
    return ", ".join(distinct.values()) or None


def modules(subbuild):
    """{target: {"nvcc_host", "cxx", "linker", "static_libstdcxx"}} of one
    build tree (the native build), or None before its first configure."""
    if not os.path.isfile(os.path.join(subbuild, "build.ninja")):
        return None
    reply = _reply(subbuild)
    database = os.path.join(subbuild, "compile_commands.json")
    if reply is None or not os.path.isfile(database):
        sys.exit(f"build report: {subbuild} has no CMake File API reply (codemodel-v2, toolchains-v1) or no "
                 f"compile_commands.json to read the compilers from. Build again (cmake --build <build dir>), "
                 f"or configure the native build again: cmake {subbuild}")
    replies, codemodel, toolchains = reply
    compilers = {chain["language"]: chain["compiler"].get("path") for chain in toolchains["toolchains"]}
    commands = _commands(database)
    found = {}
    for listed in codemodel["configurations"][0]["targets"]:  # Ninja: one configuration
        target = _load(os.path.join(replies, listed["jsonFile"]))
        ran = {"CUDA": [], "CXX": []}
        for source in target.get("sources", []):
            group = target["compileGroups"][source["compileGroupIndex"]] if "compileGroupIndex" in source else {}
            if group.get("language") not in ran:
                continue
            path = os.path.normpath(os.path.join(codemodel["paths"]["source"], source["path"]))
            argvs = _commands_of(commands.get(path, []), group)
            if not argvs:
                ran[group["language"]].append(f"(no command in compile_commands.json for {path})")
            for argv in argvs:
                ran[group["language"]] += _host_compilers(argv) if group["language"] == "CUDA" else argv[:1]
        link = target.get("link") if target["type"] in ("MODULE_LIBRARY", "SHARED_LIBRARY") else None
        if not (ran["CUDA"] or ran["CXX"] or link):
            continue
        entry = {"nvcc_host": _one(ran["CUDA"]), "cxx": _one(ran["CXX"]), "linker": None, "static_libstdcxx": False}
        if link:
            language = link["language"]
            entry["linker"] = entry["nvcc_host"] if language == "CUDA" else \
                compilers.get(language) or f"(no {language} compiler in toolchains-v1)"
            entry["static_libstdcxx"] = any(_STATIC.search(fragment["fragment"])
                                            for fragment in link.get("commandFragments", [])
                                            if fragment["role"] in ("flags", "libraries"))
        found[target["name"]] = entry
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
