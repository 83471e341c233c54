"""Touching one .cu of a package rebuilds that unit, relinks, re-audits and
restages that module — nothing else (read from the native build's .ninja_log)."""

import os
import shutil
import time

from support import build, one_line, run
from test_override_build import BUILD, SOURCE


def ninja_log_entries(path):
    """(start_ms, end_ms, mtime, output) per line of a .ninja_log v5."""
    entries = []
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            continue
        start, end, mtime, output, _hash = line.split("\t")
        entries.append((int(start), int(end), int(mtime), output))
    return entries


def outputs_of_last_run(log):
    """Ninja restarts its clock at each run: the last run's entries follow the
    last place where the start time goes backwards."""
    entries = ninja_log_entries(log)
    last = 0
    for i in range(1, len(entries)):
        if entries[i][0] < entries[i - 1][0]:
            last = i
    return [e[3] for e in entries[last:]]


def test_touch_one_cu_rebuilds_one_unit():
    assert BUILD.is_dir(), "needs the override build (fixture.override_build)"
    assert build(BUILD).returncode == 0
    log = BUILD / "native" / ".ninja_log"
    before = log.read_text()
    time.sleep(1.1)  # mtime resolution of some filesystems
    os.utime(SOURCE / "src" / "kernels" / "morton.cu")
    result = build(BUILD)
    assert result.returncode == 0, result.stdout
    assert log.read_text() != before, "nothing was rebuilt"
    outputs = outputs_of_last_run(log)
    objects = [o for o in outputs if o.endswith(".o")]
    assert len(objects) == 1 and objects[0].endswith("morton.cu.o"), outputs
    modules = [o for o in outputs if o.endswith(".so") and "modules/" in o]
    assert modules == [o for o in modules if "kernels/cuda" in o] and len(modules) == 1, outputs
    # Relink, audit and restage of that module only.
    assert any(o.endswith("fixture_pkg.kernels.cuda.audit.json") for o in outputs), outputs
    staged = [o for o in outputs if "/stage/" in o]
    assert len(staged) == 1 and "kernels/cuda" in staged[0], outputs


def test_no_op_build_touches_nothing():
    assert build(BUILD).returncode == 0
    log = BUILD / "native" / ".ninja_log"
    before = log.read_text()
    result = build(BUILD)
    assert result.returncode == 0
    # The one command a no-op runs is CMake's glob check (CONFIGURE_DEPENDS:
    # a Python file added to a local checkout gets staged); it writes nothing.
    new = log.read_text()[len(before):].splitlines()
    assert [l for l in new if "cmake.verify_globs" not in l] == [], "a no-op build ran commands"


def test_a_module_no_recipe_builds_leaves_the_stage():
    """A native file in a package's staged directories that no module of the
    recipe stages (a module renamed or dropped since the last build) is
    removed when the native build configures, and the API check, which saw
    it, runs again: it could otherwise pass on the old file."""
    assert build(BUILD).returncode == 0
    stage = BUILD / "stage" / "fixture_pkg"
    built = next(stage.glob("_C.*.so"))
    leftover = stage / built.name.replace("_C.", "_renamed_since.", 1)
    shutil.copy(built, leftover)
    configured = run(["cmake", BUILD / "native"])
    assert configured.returncode == 0, configured.stdout[-3000:]
    assert f"removed from the stage, no module of the recipe builds them: {leftover}" in one_line(configured.stdout)
    assert not leftover.exists()
    result = build(BUILD)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "API check of fixture_pkg" in result.stdout and "api-check: ok" in result.stdout, result.stdout[-3000:]
