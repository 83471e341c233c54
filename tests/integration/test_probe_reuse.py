"""A re-configure re-uses the torch probe's answer while its inputs are
unchanged (`import torch` is most of the time before the first compile), and
asks torch again when one of them changes: the architecture list, the import
path."""

from support import base_configure_args, run, scratch_dir

REUSED = "torch: the last configure's probe"


def configure(build_dir, *extra, env=None):
    result = run([*base_configure_args(build_dir), *extra], env=env or {})
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


def test_the_probe_is_reused_until_an_input_changes(tmp_path):
    build_dir = scratch_dir("probe-reuse")
    probe = build_dir / "torch-probe.cmake"
    assert REUSED not in configure(build_dir), "a fresh tree asks torch"
    answer, asked_at = probe.read_text(), probe.stat().st_mtime_ns
    assert (build_dir / "torch-probe.cmake.fingerprint").is_file()

    assert REUSED in configure(build_dir)
    assert probe.stat().st_mtime_ns == asked_at, "a re-used answer is not written again"

    # Another architecture list: torch makes other -gencode flags.
    other_list = "-DTRELLIS2_CUDA_ARCHITECTURES=8.6"
    assert REUSED not in configure(build_dir, other_list)
    assert "compute_86" in probe.read_text() and probe.read_text() != answer
    assert REUSED in configure(build_dir, other_list)

    # Another import path: torch, or its CUDA runtime, could come from elsewhere.
    extra_path = tmp_path / "site"
    extra_path.mkdir()
    assert REUSED not in configure(build_dir, other_list, env={"PYTHONPATH": str(extra_path)})
