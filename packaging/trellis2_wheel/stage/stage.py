"""stage-wheel: unpack a wheel's Python code and metadata into a stage
(site-packages layout), leaving out its native files, which the build replaces.
A native file nobody rebuilds is reported: shipping the wheel's old binary
would bring back the GLIBCXX problem, so it is left out and named loudly."""

import json
import os
import shutil
import sys

from ..errors import EXIT_CHECK_FAILED, DeliveryError
from ..inputs.reader import Wheel
from ..spec import names
from . import distinfo


def _remove_previous(stage, name):
    """Drop an earlier staged copy of this distribution (any version), except
    native files the build already copied in (it may not copy them again)."""
    old = names.find_dist_info(stage, name, required=False)
    if not old:
        return
    for path in distinfo.owned_files(stage, old):
        if not names.is_native(path):
            os.remove(os.path.join(stage, path))
    if os.path.isdir(os.path.join(stage, old)):
        shutil.rmtree(os.path.join(stage, old))


def plan(wheel, native_modules):
    """Classify the wheel's native files against the modules the build makes."""
    natives = []
    for arcname in wheel.natives:
        target = wheel.targets[arcname]
        module = names.module_of(target)
        natives.append({"path": target, "module": module, "replaced": module in native_modules})
    in_wheel = {n["module"] for n in natives}
    return natives, sorted(set(native_modules) - in_wheel)


def _refuse_outside(wheel):
    """.data categories other than purelib/platlib (scripts, headers, data)
    go outside site-packages, which an overlay cannot own."""
    outside = sorted(m for m, t in wheel.targets.items() if t is None)
    if outside:
        raise DeliveryError(
            wheel.path, f"wheel installs {outside[0]} outside site-packages",
            found=", ".join(outside), expected="only .data/purelib and .data/platlib",
            fix="install this wheel with pip; the overlay handles site-packages files only")


def _write(stage, rel, data):
    target = os.path.join(stage, rel)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise DeliveryError(target, "cannot write into the stage", found=str(exc),
                            expected="a writable stage in site-packages layout",
                            fix="remove the stage (build/stage) and build again") from None


def stage_wheel(wheel_path, stage, native_modules, strict=False, pin_list=frozenset(),
                out=sys.stdout, err=sys.stderr):
    """Stage one wheel; returns the report (also what --report writes)."""
    wheel = Wheel(wheel_path, pin_list)
    wheel.warn(err)
    _refuse_outside(wheel)
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
    # The wheel's RECORD comes along unchanged: it says which files the
    # distribution owns; install and repack compute the delivered RECORD.
    for arcname, data in sorted(wheel.files.items()):
        if not names.is_native(arcname):
            _write(stage, wheel.targets[arcname], data)
            count += 1

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
