"""api-check: every native attribute the Python uses must exist in the
built module.

What a built module defines is learned by loading it in a subprocess
(after `import torch`) and listing dir(module), not by reading the binary:
pybind11 keeps registered names as plain strings in .rodata, but so does
everything else, and overloads, classes and their members are only
distinguishable at run time. Loading needs torch and the CUDA runtime
*libraries* (libcudart, libtorch_cuda), not a GPU, so a CI machine without
a GPU can run it. A subprocess keeps a crashing or half-initialised module
out of this process; if loading fails, the check stops with exit 4 and says
why instead of guessing."""

import json
import os
import subprocess
import sys
import sysconfig
import tempfile

from ..errors import EXIT_CANNOT_LOAD, EXIT_CHECK_FAILED, DeliveryError
from ..spec import names
from . import apiscan, code_to_scan

# Runs in the subprocess: preload (torch), then load each extension file by
# path under its import name, without importing its parent package (whose
# __init__ may need things the check does not).
_LOADER = r"""
import importlib.machinery, importlib.util, json, sys, traceback
request = json.load(sys.stdin)
result = {"preload": {}, "modules": {}}
for name in request["preload"]:
    try:
        __import__(name)
        result["preload"][name] = None
    except Exception as exc:
        result["preload"][name] = f"{type(exc).__name__}: {exc}"
for module, path in request["modules"]:
    try:
        loader = importlib.machinery.ExtensionFileLoader(module, path)
        spec = importlib.util.spec_from_file_location(module, path, loader=loader)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        result["modules"][module] = {"names": sorted(dir(mod))}
    except BaseException as exc:
        result["modules"][module] = {"error": f"{type(exc).__name__}: {exc}"}
with open(request["out"], "w") as handle:
    json.dump(result, handle)
"""


def native_files(native_dir, packages=()):
    """Import name -> relpath of each native module under native_dir (only
    in the top-level `packages`, if given, and at the top level itself: a
    whole site-packages is big).
    Where one module has files for several Pythons, the running
    interpreter's wins."""
    found = {}
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    for current, dirs, files in os.walk(native_dir):
        rel_dir = os.path.relpath(current, native_dir).replace(os.sep, "/")
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.endswith(".dist-info"))
        for entry in sorted(files):
            rel = entry if rel_dir == "." else f"{rel_dir}/{entry}"
            # Top-level modules (nvdiffrast's _nvdiffrast_c) always count:
            # a package imports them by absolute name.
            if not names.is_native(rel):
                continue
            module = names.module_of(rel)
            if module not in found or rel.endswith(suffix):
                found[module] = rel
        if packages and rel_dir == ".":
            dirs[:] = [d for d in dirs if d in packages]
    return found


def defined_names(native_dir, files, interpreter, preload):
    """module -> set of names, by loading each file in a subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "names.json")
        request = {"preload": list(preload), "out": out,
                   "modules": [[m, os.path.abspath(os.path.join(native_dir, rel))]
                               for m, rel in sorted(files.items())]}
        proc = subprocess.run([interpreter, "-c", _LOADER], input=json.dumps(request),
                              text=True, capture_output=True)
        if proc.returncode != 0 or not os.path.isfile(out):
            raise DeliveryError(
                interpreter, "the module loader crashed",
                found=f"exit {proc.returncode}: {proc.stderr.strip()[-800:]}",
                expected="each built module loads (after import torch)",
                fix="run `python3 -c 'import torch'` and load the module by hand to see why",
                code=EXIT_CANNOT_LOAD)
        with open(out, encoding="utf-8") as handle:
            result = json.load(handle)
    failed = {m: r["error"] for m, r in result["modules"].items() if "error" in r}
    if failed:
        preload_errors = {k: v for k, v in result["preload"].items() if v}
        raise DeliveryError(
            native_dir, "could not load built modules to list their names",
            found="; ".join(f"{files[m]}: {e}" for m, e in sorted(failed.items()))
            + "".join(f"; preload {k} failed: {v}" for k, v in preload_errors.items()),
            expected=f"each module loads in {interpreter} after importing "
                     f"{', '.join(preload) or 'nothing'}",
            fix="configure with the Python that has torch and the CUDA runtime libraries "
                "(-DPython3_EXECUTABLE=...; standalone: --interpreter), or fix the module's "
                "missing library (ldd the file)", code=EXIT_CANNOT_LOAD)
    return {m: set(r["names"]) for m, r in result["modules"].items()}


def api_uses(python, natives=(), native_dir=None, packages=()):
    """The static half only: (sources, native module files, uses, unresolved)."""
    code = code_to_scan.from_path(python, packages)
    files = native_files(native_dir, packages) if native_dir else {}
    modules = set(natives) | set(files) | {names.module_of(r) for r in code.natives}
    uses, unresolved = apiscan.collect_uses(code, modules)
    return code, files, uses, unresolved


def api_check(python, native_dir, packages=(), interpreter=None, preload=("torch",),
              out=sys.stdout):
    """Raise DeliveryError (exit 1) listing every used name a built module lacks."""
    if not os.path.isdir(native_dir):
        raise DeliveryError(native_dir, "no such directory",
                            fix="pass --native the directory the built modules are staged in")
    code, files, uses, unresolved = api_uses(python, native_dir=native_dir, packages=packages)
    # Only modules the Python uses are loaded: an unused one cannot break it.
    used = {u.module for u in uses}
    defined = defined_names(native_dir, {m: f for m, f in files.items() if m in used},
                            interpreter or sys.executable, preload) if used else {}
    problems = []
    for use in uses:
        if use.module not in files:
            problems.append(f"{use.path}:{use.line} uses {use.expr} — module {use.module} "
                            f"is not built (no file for it in {native_dir}; the input "
                            "wheel's own binary does not count)")
        elif use.attr not in defined[use.module]:
            problems.append(f"{use.path}:{use.line} uses {use.expr} — missing from "
                            f"{files[use.module]}")
    for item in unresolved:
        problems.append(f"{item.path}:{item.line} imports {item.module} — no Python file "
                        f"and no native module of that name (built: "
                        f"{', '.join(sorted(files)) or 'none'})")
    if problems:
        raise DeliveryError(
            code.root, f"{len(problems)} name(s) the Python uses are not provided by the build",
            found="\n  " + "\n  ".join(problems),
            expected="every native function, class and module the Python uses is built",
            fix="pin the upstream commit that matches the wheel's Python "
                "(third_party/<pkg>.cmake, or -DTRELLIS2_<PKG>_PIN_FILE=...), or name the "
                "module in the recipe as the Python imports it, then build again",
            code=EXIT_CHECK_FAILED)
    per_module = {}
    for use in uses:
        per_module.setdefault(use.module, set()).add(use.attr)
    print(f"api-check: ok: {sum(map(len, per_module.values()))} names from "
          f"{len(per_module)} native module(s) used by {code.root}, all defined", file=out)
    for module, attrs in sorted(per_module.items()):
        print(f"  {files[module]}: {', '.join(sorted(attrs))}", file=out)
    return uses
