"""The four real upstreams, built in source mode from a source cache at their
pins: configure, compile, audit, stage, API check, the report. The other
real.* tests (tests/real/CMakeLists.txt) use this tree's stage, so a recipe
that drops a source or misnames a module fails there by the module's name.

Needs $TRELLIS2_REAL_SOURCE_CACHE: a source cache holding the pinned trees
(cmake -DTRELLIS2_SOURCE_CACHE=<dir> -P cmake/scripts/fill_source_cache.cmake
where GitHub is reachable; CI has shared/sources beside the clone)."""

import shutil

import native
import realbuild
from realbuild import BUILD, PIN_COMMITS, ok


def test_four_packages_build_audit_and_stage_from_the_source_cache():
    cache = native.real_input("TRELLIS2_REAL_SOURCE_CACHE", "a source cache of the pinned upstreams")
    shutil.rmtree(BUILD, ignore_errors=True)
    configured = ok(realbuild.configure(f"-DTRELLIS2_SOURCE_CACHE={cache}", "-DTRELLIS2_PYTHON_FROM=source"))
    for pkg, commit in PIN_COMMITS.items():
        assert f"cache {cache}/{pkg}-{commit}" in configured.stdout, configured.stdout[-4000:]
    result = ok(realbuild.build())
    assert result.stdout.count("api-check: ok") == len(PIN_COMMITS), result.stdout[-4000:]

    report = realbuild.report()
    rows = {row["module"]: row for row in report["modules"]}
    expected = [name for names in native.MODULES.values() for name in names]
    assert sorted(rows) == sorted(expected), sorted(rows)
    for name, row in rows.items():
        assert row["built"] and row["audit"] == "passed" and row["api_check"] == "passed", row
        assert PIN_COMMITS[row["package"]] in row["source"], row
        staged = native.module_file(name)
        assert staged.is_file() and staged.read_bytes() == open(row["file"], "rb").read(), name
        # Where it loads beyond the OS (abi-audit's device-code and torch-symbols checks).
        device = row["device_code"]
        assert device["requested"] == realbuild.ARCHITECTURES.replace(";", " "), device
        if name == "cumesh._xatlas":  # C++ only
            assert (device["sass"], device["ptx"]) == ([], []), device
        else:
            sass, ptx = native.expected_targets(realbuild.ARCHITECTURES)
            assert (sorted(set(device["sass"])), sorted(set(device["ptx"]))) == (sass, ptx), (name, device)
        assert row["torch_symbols"]["unresolved"] == [] and "libc10.so" in row["torch_symbols"]["searched"], row
    assert report["compilers_ran"]["differences"] == [], report["compilers_ran"]
    assert report["architectures"] == realbuild.ARCHITECTURES.split(";"), report["architectures"]
