"""TRELLIS2_FIXTURE_SOURCE_DIR builds a local checkout in place: the summary
says so, and the modules staged are built from that tree. Leaves the build
tree for the touch and audit-gate tests (CTest fixture override_build)."""

import shutil

from support import FIXTURE_MODULES, FIXTURE_UPSTREAM, WORK_DIR, build, configure, exported_symbols

OVERRIDE = WORK_DIR / "override"
SOURCE = OVERRIDE / "CuFixture"  # a developer's checkout
BUILD = OVERRIDE / "build"


def test_local_checkout_is_built_in_place():
    shutil.rmtree(OVERRIDE, ignore_errors=True)
    shutil.copytree(FIXTURE_UPSTREAM, SOURCE)
    # A local edit the pinned commit does not have: proves which tree was built.
    ext = SOURCE / "src" / "ext.cpp"
    ext.write_text(ext.read_text().replace('m.def("add_one_cuda", &fixture::add_one_cuda);',
                                           'm.def("add_one_cuda", &fixture::add_one_cuda);\n'
                                           '    m.def("local_edit", &fixture::abi_probe);'))
    result = configure(BUILD, f"-DTRELLIS2_FIXTURE_SOURCE_DIR={SOURCE}")
    assert result.returncode == 0, result.stdout
    assert f"local {SOURCE}" in result.stdout
    result = build(BUILD)
    assert result.returncode == 0, result.stdout
    stage = BUILD / "stage"
    for rel in FIXTURE_MODULES.values():
        assert (stage / rel).is_file(), rel
    assert not (BUILD / "_src" / "fixture").exists(), "a local checkout must not be cloned"
    strings = (stage / FIXTURE_MODULES["fixture_pkg._C"]).read_bytes()
    assert b"local_edit" in strings
    assert "PyInit__C" in exported_symbols(stage / FIXTURE_MODULES["fixture_pkg._C"])
