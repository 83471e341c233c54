"""api-uses (static, no native module needed) and api-check (loads the built
modules): every name the Python takes from a native module must exist."""

import os
import shutil
import subprocess
import sys
import textwrap

from helpers import EXT_SUFFIX, PACKAGING, cli

# Every import form the TRELLIS.2 packages use, in one synthetic package.
FORMS = {
    "pkg/__init__.py": "from . import ops\n",
    "pkg/ops.py": """\
        from . import _C
        from . import _xatlas
        from ._C import direct_a, direct_b
        import pkg.kernels.cuda as C
        import pkg.kernels.cuda
        from .kernels import cuda as k
        from cumesh import _C as other

        def f(x):
            from .kernels import cuda
            cuda.lazy(x)
            k.aliased(x)
            C.absolute(x)
            pkg.kernels.cuda.dotted(x)
            getattr(_C, "by_getattr")
            return _C.foo_cuda(x) + _xatlas.Atlas() + other.CuMesh
        """,
    "pkg/kernels/__init__.py": "",
    "pkg/sub/deep.py": """\
        from ..kernels import cuda
        from pkg import _C

        cuda.relative_up()
        _C.absolute_from
        """,
}


def write_forms(root):
    for rel, text in FORMS.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_api_uses_every_import_form(tmp_path):
    write_forms(tmp_path)
    proc = cli("api-uses", "--python", tmp_path, "--module", "pkg._C", "pkg._xatlas",
               "pkg.kernels.cuda", "cumesh._C", check=0)
    got = set(proc.stdout.splitlines())
    expected = {
        "pkg/ops.py:3 from ._C import direct_a -> pkg._C.direct_a",
        "pkg/ops.py:3 from ._C import direct_b -> pkg._C.direct_b",
        "pkg/ops.py:11 cuda.lazy -> pkg.kernels.cuda.lazy",
        "pkg/ops.py:12 k.aliased -> pkg.kernels.cuda.aliased",
        "pkg/ops.py:13 C.absolute -> pkg.kernels.cuda.absolute",
        "pkg/ops.py:14 pkg.kernels.cuda.dotted -> pkg.kernels.cuda.dotted",
        "pkg/ops.py:15 getattr(_C, 'by_getattr') -> pkg._C.by_getattr",
        "pkg/ops.py:16 _C.foo_cuda -> pkg._C.foo_cuda",
        "pkg/ops.py:16 _xatlas.Atlas -> pkg._xatlas.Atlas",
        "pkg/ops.py:16 other.CuMesh -> cumesh._C.CuMesh",
        "pkg/sub/deep.py:4 cuda.relative_up -> pkg.kernels.cuda.relative_up",
        "pkg/sub/deep.py:5 _C.absolute_from -> pkg._C.absolute_from",
    }
    assert got == expected, "\n".join(sorted(got ^ expected))


def test_api_uses_flags_a_module_nothing_provides(tmp_path):
    """`from . import _xatlas` when the build made only _cumesh_xatlas."""
    write_forms(tmp_path)
    proc = cli("api-uses", "--python", tmp_path / "pkg", "--module", "pkg._C", "pkg.kernels.cuda",
               check=0)
    assert "pkg/ops.py:2 imports pkg._xatlas -> unresolved" in proc.stdout


def test_api_uses_reads_a_wheel(built):
    proc = cli("api-uses", "--python", built["wheel"], check=0)
    assert proc.stdout.splitlines() == [
        "fixturepkg/ops.py:5 _C.add -> fixturepkg._C.add",
        "fixturepkg/ops.py:9 _C.scale -> fixturepkg._C.scale",
        "fixturepkg/ops.py:13 _C.build -> fixturepkg._C.build",
    ]


def test_api_check_passes_when_present(built, staged):
    proc = cli("api-check", "--python", staged, "--native", built["full"], "--no-preload", check=0)
    assert "all defined" in proc.stdout and "add, build, scale" in proc.stdout


def test_api_check_catches_missing_function(built):
    proc = cli("api-check", "--python", built["wheel"], "--native", built["missing"],
               "--package", "fixturepkg", "--no-preload", check=1)
    assert (f"fixturepkg/ops.py:9 uses _C.scale — missing from fixturepkg/_C{EXT_SUFFIX}"
            in proc.stderr), proc.stderr
    assert "_C.add" not in proc.stderr


def test_standalone_script(built, staged, tmp_path):
    """packaging/api-check works from anywhere, without PYTHONPATH."""
    script = os.path.join(PACKAGING, "api-check")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ok = subprocess.run([sys.executable, script, "--python", staged, "--native", built["full"],
                         "--no-preload"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([script, "--python", staged, "--native", built["missing"], "--no-preload"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert bad.returncode == 1 and "uses _C.scale — missing from" in bad.stderr


def test_api_check_with_default_torch_preload(built, staged):
    """The default preloads torch; where torch is absent that is only noted,
    and a module that needs nothing from it still loads."""
    cli("api-check", "--python", staged, "--native", built["full"], check=0)


def test_unresolved_module_fails_the_check(built, tmp_path):
    """The Python imports a module that was built under another name (the
    _xatlas / _cumesh_xatlas case)."""
    native = tmp_path / "native"
    shutil.copytree(built["full"], native)
    os.rename(native / "fixturepkg" / f"_C{EXT_SUFFIX}", native / "fixturepkg" / f"_fixture_C{EXT_SUFFIX}")
    # Python from a stage without natives: nothing at all provides fixturepkg._C.
    python = tmp_path / "python"
    cli("stage-wheel", built["wheel"], "--stage", python, "--native", "fixturepkg._fixture_C", check=0)
    proc = cli("api-check", "--python", python, "--native", native, "--no-preload", check=1)
    assert ("fixturepkg/ops.py:1 imports fixturepkg._C — no Python file and no native module "
            "of that name (built: fixturepkg._fixture_C)") in proc.stderr, proc.stderr
    # Python from the wheel: only the wheel's own (old) binary provides it.
    proc = cli("api-check", "--python", built["wheel"], "--native", native, "--no-preload", check=1)
    assert "fixturepkg/ops.py:5 uses _C.add — module fixturepkg._C is not built" in proc.stderr, proc.stderr


def test_unloadable_module_is_exit_4(staged, tmp_path):
    native = tmp_path / "native" / "fixturepkg"
    native.mkdir(parents=True)
    (native / f"_C{EXT_SUFFIX}").write_bytes(b"not an ELF file")
    proc = cli("api-check", "--python", staged, "--native", tmp_path / "native", "--no-preload", check=4)
    assert f"fixturepkg/_C{EXT_SUFFIX}" in proc.stderr, proc.stderr   # the file that did not load


def test_top_level_native_counts_with_package_filter(tmp_path):
    """nvdiffrast's Python does `import _nvdiffrast_c`, a top-level module:
    --package nvdiffrast must still see it."""
    code = tmp_path / "code" / "toppkg"
    code.mkdir(parents=True)
    (code / "__init__.py").write_text("")
    (code / "ops.py").write_text("import _topnative\n\n_topnative.rasterize_fwd_cuda\n")
    native = tmp_path / "native"
    (native / "other").mkdir(parents=True)
    (native / f"_topnative{EXT_SUFFIX}").write_bytes(b"")
    (native / "other" / f"_C{EXT_SUFFIX}").write_bytes(b"")
    proc = cli("api-uses", "--python", tmp_path / "code", "--native", native, "--package", "toppkg",
               check=0)
    assert proc.stdout.splitlines() == [
        "toppkg/ops.py:3 _topnative.rasterize_fwd_cuda -> _topnative.rasterize_fwd_cuda"]
