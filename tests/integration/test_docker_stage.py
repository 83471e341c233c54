"""The Dockerfile's build step, run here on the fixture: packaging/docker/
build-stage.sh is the script the Dockerfile RUNs, so CI runs the same lines.
No Docker engine runs on this machine; the image's own steps (dnf, pip from
the cu126 index, git clone) are checked for their inputs instead."""

import json
import re
import shutil

from reference import WHEEL_DIR
from support import CXX, PYTHON, REPO, WORK_DIR, make_venv, run

DOCKERFILE = REPO / "packaging" / "docker" / "Dockerfile"
SCRIPT = REPO / "packaging" / "docker" / "build-stage.sh"


def dockerfile_instructions():
    """(instruction, arguments) with line continuations joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            yield word.upper(), rest.strip()


def test_every_copied_path_exists():
    copies = [args for word, args in dockerfile_instructions() if word == "COPY" and "--from" not in args]
    copied = {source for args in copies for source in args.split()[:-1]}
    # What build-stage.sh needs inside the image: the presets, the CMake, the recipes, the tools.
    for needed in ("CMakePresets.json", "cmake", "extensions", "packaging", "third_party"):
        assert any(source.rstrip("/") in (needed, ".") for source in copied), (needed, sorted(copied))
    for args in copies:
        sources = args.split()[:-1]
        for source in sources:
            assert (REPO / source).exists(), f"the Dockerfile copies {source}, which is not in the repository"


def test_the_sources_stage_copies_what_its_script_includes():
    """The layer that fills the source cache sees only what was copied before
    it (not the whole checkout): each file its `cmake -P` script includes
    must be under one of those copies."""
    stages, copied, scripts = {}, [], []
    for word, args in dockerfile_instructions():
        if word == "FROM":  # a stage built on another one has what that one copied
            base, _, name = args.partition(" AS ")
            copied = list(stages.get(base.strip(), []))
            stages[name.strip()] = copied
        elif word == "COPY" and "--from" not in args:
            copied += [source.rstrip("/") for source in args.split()[:-1]]
        elif word == "RUN":
            scripts += [(script, list(copied)) for script in re.findall(r"-P\s+(\S+\.cmake)", args)]
    assert scripts, "the Dockerfile runs no cmake -P script"
    for script, before in scripts:
        if "." in before:
            continue  # the whole checkout is there
        assert any(script == c or script.startswith(c + "/") for c in before), (script, before)
        for included in re.findall(r'include\("\$\{repo\}/([^"]+)"\)', (REPO / script).read_text()):
            assert any(included == c or included.startswith(c + "/") for c in before), \
                f"{script} includes {included}, which the Dockerfile has not copied before running it ({before})"


def test_every_named_preset_and_script_exists():
    presets = {p["name"] for p in json.loads((REPO / "CMakePresets.json").read_text())["configurePresets"]}
    named = set(re.findall(r"--preset\s+([\w.-]+)", DOCKERFILE.read_text() + SCRIPT.read_text()))
    assert named and named <= presets, named - presets
    runs = " ".join(args for word, args in dockerfile_instructions() if word == "RUN")
    assert "packaging/docker/build-stage.sh" in runs, "the Dockerfile must build through build-stage.sh"
    for script in re.findall(r"(\S+\.(?:sh|cmake))\b", runs):
        assert (REPO / script).exists(), script


def test_runtime_installs_the_set_with_plain_pip():
    """The runtime stage installs from the index the wheels target writes,
    with the wheels' own dependencies: no --no-deps, no hand-listed ones."""
    runtime = DOCKERFILE.read_text().split("AS runtime", 1)[1]
    installs = [args for word, args in dockerfile_instructions() if word == "RUN" and "pip install" in args
                and args in re.sub(r"\\\n", " ", runtime)]
    assert len(installs) == 1, installs
    words = installs[0].split()
    assert "--no-deps" not in words, installs[0]
    assert "file:///opt/trellis2-native/dist/torch2.7.0-cu126/simple" in words, installs[0]
    named = words[words.index("https://pypi.org/simple") + 1:words.index("&&")]
    assert named == ["cumesh", "flex_gemm", "o_voxel", "nvdiffrast"], named
    assert "pip check" in installs[0]


def test_build_stage_script_on_the_fixture():
    work = WORK_DIR / "docker-stage"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    make_venv(work / "venv")
    # The Dockerfile's lines, with the fixture and this machine's toolchain in place of the image's.
    result = run([SCRIPT, work / "build",
                  "-DTRELLIS2_PACKAGES=fixture", f"-DCMAKE_CXX_COMPILER={CXX}", f"-DPython3_EXECUTABLE={PYTHON}",
                  "-DTRELLIS2_ALLOW_CUDA_MISMATCH=ON", "-DTRELLIS2_SCCACHE=OFF",
                  f"-DTRELLIS2_WHEEL_DIR={WHEEL_DIR}"])
    assert result.returncode == 0, result.stdout[-6000:]
    # The image's torch 2.7.0+cu126 cell; this machine's torch is that one too.
    cell = work / "build" / "dist" / "torch2.7.0-cu126"
    assert list(cell.glob("fixture_pkg-0.0.1+*.whl"))
    assert (work / "build" / "report.json").is_file()
    # What the runtime stage does: plain pip from the index the wheels target
    # wrote (the fixture's dependencies, torch, numpy and filelock, are this
    # machine's, which the venv sees), then pip check.
    python = work / "venv/bin/python"
    index = (cell / "simple").as_uri()
    install = run([python, "-m", "pip", "install", "--disable-pip-version-check", "--index-url", index, "fixture_pkg"])
    assert install.returncode == 0, install.stdout[-3000:]
    check = run([python, "-m", "pip", "check"])
    assert check.returncode == 0, check.stdout
    imported = run([python, "-c",
                    "import torch, fixture_pkg; from fixture_pkg import extra; print(extra.tiled_add_one(torch.ones(3)).tolist())"])
    assert imported.returncode == 0, imported.stdout
    assert "[2.0, 2.0, 2.0]" in imported.stdout
