"""wheels: the `wheels` target (trellis2_wheel wheels --config <build>/report-config.json).

Each distribution's SBOM written into its staged dist-info (each module's
platform tag included), then one repaired wheel per distribution from the
stage (repack: requirements on the set's own distributions and on torch
pinned to the versions built here), every wheel audited as a wheel, the way
a user's pip would receive it, then tagged with the platform tag the audit
proved (abi-audit --platform-tag: the most compatible manylinux_<x>_<y>_x86_64
whose policy all its modules satisfy, else linux_x86_64 with the reason),
recorded in <cell>/platform-tags-<python tag>.json; <cell>/simple indexes them
(PEP 503) so plain pip installs the set.

The cell is this build's torch x CUDA folder of the dist directory. A cell
holds one wheel set per Python (cp311 and cp313 builds of one torch x CUDA
share its index, as on PyTorch's own): only this Python's wheels of these
distributions are replaced; <dist>/index.html is relisted. Everything comes
from the build's report-config.json and the native build's manifest
(results.Build)."""

import glob
import json
import os
import re
import shutil
import subprocess
import sys

from ..errors import DeliveryError
from ..results import Build, judge_platform_tags
from ..sbom import sbom
from . import cells, index, repack, requires


def cmake_json(value, indent=""):
    """value as CMake's string(JSON) writes it (JsonCpp's styled writer:
    sorted keys, " : ", an object or array member on its own line), so the
    record keeps the bytes it had when a CMake script wrote it."""
    step = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        members = [f"\n{step}{json.dumps(k)} : {_member(v, step)}" for k, v in sorted(value.items())]
        return "{" + ",".join(members) + f"\n{indent}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        simple = [cmake_json(v) for v in value if not (isinstance(v, (dict, list)) and v)]
        if len(simple) == len(value) and len(value) * 3 < 74 and \
                4 + (len(value) - 1) * 2 + sum(map(len, simple)) < 74:
            return "[ " + ", ".join(simple) + " ]"
        return "[" + ",".join(f"\n{step}{cmake_json(v, step)}" for v in value) + f"\n{indent}]"
    return json.dumps(value)


def _member(value, indent):
    text = cmake_json(value, indent)
    return f"\n{indent}{text}" if text.startswith(("{\n", "[\n")) else text


def _repack(build, dist, out, platform_tag=None):
    path, rewrites = repack.repack(build.setting("delivery", "stage"), dist, build.setting("delivery", "label"),
                                   out, platform_tag=platform_tag, wheel_set=build.setting("delivery", "set"),
                                   torch_version=build.setting("delivery", "torch_version"))
    for line in requires.describe(dist, rewrites):
        print(line, file=sys.stderr)
    return path


def make_wheels(config_path):
    build = Build(config_path)
    dists = build.setting("delivery", "set")
    out = build.setting("delivery", "cell")
    python_tag = build.setting("delivery", "python_tag")
    manylinux_policy = build.setting("delivery", "manylinux_policy")
    abi_audit = build.abi_audit()
    if not manylinux_policy:
        raise DeliveryError(config_path, "names no manylinux policy", found='"manylinux_policy": ""',
                            expected="auditwheel's manylinux-policy.json, by which each wheel's platform "
                                     "tag is judged (configure found none: the configured Python cannot "
                                     "import auditwheel)",
                            fix="`<that python> -m pip install auditwheel` and configure again, or pass "
                                "-DTRELLIS2_MANYLINUX_POLICY=<manylinux-policy.json>")
    # Before the first wheel: a missing or refused SBOM writes no wheel at all.
    try:
        sbom.write_sboms(build, manylinux_policy=manylinux_policy)
    except DeliveryError as exc:
        exc.problem += "; no wheel was written"
        raise
    # This Python's wheels of these distributions, whatever their version and
    # platform tag: what this run replaces, or removes when it fails.
    own = [os.path.join(glob.escape(out), f"{re.sub(r'[-_.]+', '_', d.lower())}-*-{python_tag}-*.whl")
           for d in dists]
    record_path = build.setting("platform_tags", "wheels")   # <cell>/platform-tags-<python tag>.json

    def remove_own_wheels():
        for path in sorted({p for pattern in own for p in glob.glob(pattern)}):
            os.remove(path)
        if os.path.lexists(record_path):
            os.remove(record_path)

    # Written first with this machine's tag, judged, then written again with the earned one.
    untagged = os.path.join(out, f".untagged-{python_tag}")
    shutil.rmtree(untagged, ignore_errors=True)
    os.makedirs(untagged)
    wheels = [_repack(build, dist, untagged) for dist in dists]
    policy = build.setting("abi_policy")
    sys.stdout.flush()
    if subprocess.run([abi_audit, "--policy", policy, *wheels]).returncode != 0:
        shutil.rmtree(untagged, ignore_errors=True)
        remove_own_wheels()
        raise DeliveryError(policy, "a repaired wheel fails this ABI policy (report above)",
                            found=f"this build's {python_tag} wheels were removed from {out}",
                            fix="fix what the report names, build again and rerun the wheels target")
    # All wheels in one run: the set's own modules are provided to each other.
    try:
        judgement, text = judge_platform_tags(abi_audit, manylinux_policy, wheels, "the repaired wheels")
    except DeliveryError as exc:
        shutil.rmtree(untagged, ignore_errors=True)
        remove_own_wheels()
        exc.problem += f"; this build's {python_tag} wheels were removed from {out}"
        raise
    print(text, end="")
    remove_own_wheels()
    # Per wheel abi-audit's verdict on it (platform_tag, reason: what kept it
    # off the next more compatible tag, null for none), with its distribution
    # and final file name; the build report reads it.
    record = {"manylinux_policy": manylinux_policy, "wheels": []}
    for dist, verdict in zip(dists, judgement["inputs"]):
        tag = verdict["platform_tag"]
        wheel = _repack(build, dist, out, platform_tag=tag)
        # Its files and blockers name the untagged wheel; the reason says it all.
        verdict = {k: v for k, v in verdict.items() if k not in ("files", "held_by", "path")}
        verdict.update(dist=dist, wheel=os.path.basename(wheel))
        record["wheels"].append(verdict)
        reason = verdict.get("reason")
        print(f"Wrote {wheel}: {tag} ({reason})" if isinstance(reason, str) else f"Wrote {wheel}: {tag}")
    shutil.rmtree(untagged, ignore_errors=True)
    with open(record_path, "w", encoding="utf-8", newline="") as handle:
        handle.write(cmake_json(record) + "\n")
    projects = index.write_index(out)
    print(f"{os.path.join(out, 'simple')}: {len(projects)} project(s), "
          f"{sum(map(len, projects.values()))} wheel(s)")
    cells.write_root_page(build.setting("delivery", "cells_root"))
