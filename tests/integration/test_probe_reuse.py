"""torch's answer is asked once per set of inputs (`import torch` is most of
the time before the first compile). A re-configure re-uses its tree's last
answer while the inputs are unchanged, and asks torch again when one of them
changes: the architecture list, the import path. A fresh tree takes the
answer another tree got for the same inputs from TRELLIS2_CONFIGURE_CACHE_DIR."""

from support import base_configure_args, run, scratch_dir

REUSED = "torch: the last configure's probe"
KEPT = "torch: a probe's answer for the same interpreter, torch, toolkit and list, kept in"
ASKED = "torch's answer: asked (import torch)"


def configure(build_dir, *extra, env=None):
    result = run([*base_configure_args(build_dir), *extra], env=env or {})
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


def test_the_probe_is_reused_until_an_input_changes(tmp_path):
    build_dir = scratch_dir("probe-reuse")
    probe = build_dir / "torch-probe.cmake"
    no_shared_cache = "-DTRELLIS2_CONFIGURE_CACHE_DIR="
    out = configure(build_dir, no_shared_cache)
    assert REUSED not in out and ASKED in out, "a fresh tree asks torch"
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


def test_a_fresh_tree_takes_the_answer_kept_for_the_same_inputs():
    work = scratch_dir("probe-cache")
    cache = work / "cache"
    shared = f"-DTRELLIS2_CONFIGURE_CACHE_DIR={cache}"

    first = configure(work / "first", shared)
    assert ASKED in first and KEPT not in first, "an empty cache: torch is asked"
    kept = list((cache / "torch-probe").glob("*.cmake"))
    assert len(kept) == 1, f"one answer kept, found {kept}"
    fingerprint = (work / "first" / "torch-probe.cmake.fingerprint").read_text()
    assert kept[0].name == f"{fingerprint}.cmake", "kept under the digest of its inputs"

    second = configure(work / "second", shared)
    assert KEPT in second and ASKED not in second, second[-2000:]
    assert (work / "second" / "torch-probe.cmake").read_text() == \
        (work / "first" / "torch-probe.cmake").read_text()

    # Other inputs (the list): torch is asked, and the answer kept beside.
    third = configure(work / "third", shared, "-DTRELLIS2_CUDA_ARCHITECTURES=8.6")
    assert ASKED in third and KEPT not in third
    assert len(list((cache / "torch-probe").glob("*.cmake"))) == 2

    # A kept file that is not a whole answer is asked again, and replaced.
    kept[0].write_text("set(TRELLIS2_FOUND_TORCH_VERSION \"2.7.0\")\n")
    fourth = configure(work / "fourth", shared)
    assert ASKED in fourth and KEPT not in fourth
    assert "TRELLIS2_PYTHON_CFLAGS" in kept[0].read_text(), "the truncated answer was replaced"


def test_a_cache_that_cannot_be_written_is_only_reported():
    work = scratch_dir("probe-cache-unwritable")
    # A file where the directory would be: no user, root included, can create it.
    blocker = work / "not-a-directory"
    blocker.write_text("a file where the cache directory would be\n")
    out = configure(work / "tree", f"-DTRELLIS2_CONFIGURE_CACHE_DIR={blocker / 'cache'}")
    assert ASKED in out
    assert "could not keep the probe's answer in TRELLIS2_CONFIGURE_CACHE_DIR" in out, out[-2000:]
