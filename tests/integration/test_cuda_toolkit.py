"""The CUDA toolkit as a pinned input (issue 27): what configure says when a
PyPI toolkit cannot be had, and the locks in third_party/cuda-toolkit/.

The toolkit that installs and builds is proven by tests/integration/
test_cells.py (the CUDA 13 cell, 13.0.2) and tests/real/test_cumesh_patch.py
(13.2.2 and 13.5.0); here every case stops before pip downloads anything,
or with pip offline."""

import re

from support import REPO, configure, configure_error, scratch_dir

LOCKS = REPO / "third_party" / "cuda-toolkit"
COMPILER_PARTS = ("nvidia-cuda-nvcc", "nvidia-nvvm", "nvidia-cuda-crt", "nvidia-cuda-runtime")


def test_every_lock_pins_one_release_of_the_compiler_with_hashes():
    locks = sorted(LOCKS.glob("*.txt"))
    assert [p.stem for p in locks] == ["13.0.2", "13.2.2", "13.5.0"], locks
    for lock in locks:
        series = ".".join(lock.stem.split(".")[:2])
        lines = [line for line in lock.read_text().splitlines() if line and not line.startswith("#")]
        assert all(re.fullmatch(r"[a-z0-9-]+==[0-9.]+ --hash=sha256:[0-9a-f]{64}", line) for line in lines), lock
        versions = dict(line.split(" ")[0].split("==") for line in lines)
        assert versions["cuda-toolkit"] == lock.stem, lock
        for part in COMPILER_PARTS:
            assert versions[part].startswith(series + "."), (lock.name, part, versions[part])


def test_a_version_without_a_lock_names_the_locked_ones_and_the_command():
    text = configure_error(scratch_dir("toolkit-no-lock"), "-DTRELLIS2_CUDA_TOOLKIT=13.9.9")
    assert "No lock for cuda-toolkit 13.9.9" in text, text
    assert "(locked: 13.0.2, 13.2.2, 13.5.0)" in text, text
    assert "python3 tools/lock_cuda_toolkit.py 13.9.9" in text, text


def test_a_toolkit_that_is_not_a_version_is_refused():
    text = configure_error(scratch_dir("toolkit-bad-version"), "-DTRELLIS2_CUDA_TOOLKIT=13.0")
    assert "TRELLIS2_CUDA_TOOLKIT='13.0': expected 'system' or an exact cuda-toolkit version" in text, text


def test_a_lock_mixing_releases_is_refused_before_any_download():
    """cuda-toolkit[nvcc]==13.0.2 without the nvvm extra: pip takes the newest
    nvidia-nvvm, and nvcc 13.0 would run cicc 13.5."""
    work = scratch_dir("toolkit-mixed-lock")
    text = (LOCKS / "13.0.2.txt").read_text()
    mixed = re.sub(r"^nvidia-nvvm==13\.0\.88 --hash=sha256:[0-9a-f]{64}$",
                   "nvidia-nvvm==13.5.37 --hash=sha256:" + "0" * 64, text, flags=re.M)
    assert mixed != text
    lock = work / "mixed.txt"
    lock.write_text(mixed)
    toolkits = work / "toolkits"
    out = configure_error(work / "build", "-DTRELLIS2_CUDA_TOOLKIT=13.0.2", f"-DTRELLIS2_CUDA_TOOLKIT_LOCK={lock}",
                          f"-DTRELLIS2_CUDA_TOOLKIT_CACHE={toolkits}")
    assert "nvidia-nvvm==13.5.37 is not of CUDA 13.0" in out, out
    assert not toolkits.exists()


def test_pip_failing_keeps_nothing_and_says_how_to_install_offline():
    work = scratch_dir("toolkit-offline")
    empty = work / "no-wheels"
    empty.mkdir()
    toolkits = work / "toolkits"
    result = configure(work / "build", "-DTRELLIS2_CUDA_TOOLKIT=13.0.2", f"-DTRELLIS2_CUDA_TOOLKIT_CACHE={toolkits}",
                       env={"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(empty)})
    assert result.returncode != 0, result.stdout[-3000:]
    text = " ".join(result.stdout.split())
    assert "pip could not install the CUDA toolkit of" in text and "Nothing was kept" in text, text[-3000:]
    assert "PIP_NO_INDEX=1 PIP_FIND_LINKS=<folder>" in text, text[-3000:]
    left = sorted(toolkits.glob("*")) if toolkits.exists() else []
    assert left == [], left  # no prefix, no scratch folder


def test_two_choices_of_nvcc_are_refused():
    text = configure_error(scratch_dir("toolkit-two-nvcc"), "-DTRELLIS2_CUDA_TOOLKIT=13.0.2",
                           "-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc")
    assert "Two choices of nvcc: CMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc and TRELLIS2_CUDA_TOOLKIT=13.0.2" in text
