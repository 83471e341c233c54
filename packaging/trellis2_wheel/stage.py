"""stage-wheel: unpack a wheel's Python code and metadata into a stage
(site-packages layout), leaving out its native files, which the build replaces.
A native file nobody rebuilds is reported: shipping the wheel's old binary
would bring back the GLIBCXX problem, so it is left out and named loudly."""

import json
import os
import shutil
import sys

from . import distinfo, names, record
from .errors import EXIT_CHECK_FAILED, DeliveryError
from .wheelcheck import Wheel

# .data categories that land in site-packages itself; others (scripts,
# headers, data) would go outside it, which an overlay cannot own.
_SITE_CATEGORIES = ("purelib", "platlib")


def _target(wheel, arcname):
    """Where an archive member lands in site-packages layout."""
    data_dir = wheel.dist_info[: -len(".dist-info")] + ".data/"
    if not arcname.startswith(data_dir):
        return arcname
    category, _, rest = arcname[len(data_dir):].partition("/")
    if category not in _SITE_CATEGORIES:
        raise DeliveryError(
            wheel.path, f"wheel installs {arcname} outside site-packages",
            found=f".data/{category}", expected="only .data/purelib and .data/platlib",
            fix="install this wheel with pip; the overlay handles site-packages files only")
    return rest


def _remove_previous(stage, name):
    """Drop an earlier staged copy of this distribution (any version), except
    native files the build already copied in (it may not copy them again)."""
    old = names.find_dist_info(stage, name, required=False)
    if not old:
        return
    for path, _, _ in record.read(os.path.join(stage, old, "RECORD")):
        full = os.path.join(stage, path)
        if not names.is_native(path) and os.path.isfile(full) and not path.startswith(".."):
            os.remove(full)
    if os.path.isdir(os.path.join(stage, old)):
        shutil.rmtree(os.path.join(stage, old))


def plan(wheel, native_modules):
    """Classify the wheel's native files against the modules the build makes."""
    natives = []
    for arcname in wheel.natives:
        target = _target(wheel, arcname)
        module = names.module_of(target)
        natives.append({"path": target, "module": module, "replaced": module in native_modules})
    in_wheel = {n["module"] for n in natives}
    return natives, sorted(set(native_modules) - in_wheel)


def stage_wheel(wheel_path, stage, native_modules, strict=False, sha256=None,
                out=sys.stdout, err=sys.stderr):
    """Stage one wheel; returns the report (also what --report writes)."""
    wheel = Wheel(wheel_path, sha256)
    wheel.warn(err)
    name, version = names.split_dist_info(wheel.dist_info)
    natives, new_modules = plan(wheel, native_modules)
    leftover = [n for n in natives if not n["replaced"]]
    if leftover and strict:
        raise DeliveryError(
            wheel.path, "native files that the build does not replace",
            found=", ".join(f"{n['path']} ({n['module']})" for n in leftover),
            expected="the build produces every native module of the wheel: "
                     + ", ".join(sorted(native_modules)),
            fix="add the missing modules to the package's recipe, or drop --strict "
                "to stage without them", code=EXIT_CHECK_FAILED)
    os.makedirs(stage, exist_ok=True)
    _remove_previous(stage, name)
    count = 0
    for arcname, data in sorted(wheel.files.items()):
        if names.is_native(arcname) or arcname == wheel.record_path:
            continue
        target = os.path.join(stage, _target(wheel, arcname))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
        count += 1
    distinfo.write_record(stage, name)

    print(f"staged {name} {version} from {os.path.basename(wheel.path)} into {stage}: "
          f"{count} files; native files left out: {len(natives) - len(leftover)} replaced "
          f"by the build, {len(leftover)} not rebuilt", file=out)
    for n in natives:
        if n["replaced"]:
            print(f"  native {n['path']} -> replaced by the build's {n['module']}", file=out)
    for n in leftover:
        print(f"WARNING: {wheel.path}: native file {n['path']} (module {n['module']}) is not "
              "rebuilt; it is left out of the stage, so importing it will fail.\n"
              f"  expected: the build produces it (built modules: "
              f"{', '.join(sorted(native_modules)) or 'none'})\n"
              "  next:     add it to the package's recipe, or confirm nothing imports it "
              "(api-check); --strict makes this an error", file=err)
    for module in new_modules:
        print(f"  note: the build makes {module}, which the wheel did not have", file=out)
    return {"wheel": wheel.path, "dist": name, "version": version, "stage": str(stage),
            "natives": natives, "leftover": [n["path"] for n in leftover],
            "new_modules": new_modules}


def write_report(report, path):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2, sort_keys=True)
        handle.write("\n")
