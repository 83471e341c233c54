"""The delivery path end to end, on the reference wheel (reference.py):
configure with TRELLIS2_WHEEL_DIR, build (the wheel's Python staged, its
native files replaced), `cmake --install` over a venv where pip installed the
wheel, pip uninstall, the repaired wheels, the API check, and the input
wheels refused at configure."""

import base64
import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from reference import wheel_path
from support import EXT_SUFFIX, WORK_DIR, build, configure, make_venv, one_line, run

WORK = WORK_DIR / "wheel-mode"
BUILD = WORK / "build"
STAGE = BUILD / "stage"
NATIVES = [f"fixture_pkg/_C{EXT_SUFFIX}", f"fixture_pkg/_xatlas{EXT_SUFFIX}", f"fixture_pkg/kernels/cuda{EXT_SUFFIX}"]
CHECK = ("import torch, fixture_pkg; from fixture_pkg import extra, xatlas;"
         "assert extra.tiled_add_one(torch.tensor([1., 2., 3.])).tolist() == [2., 3., 4.];"
         "assert xatlas.count_rows([3, 3], 3) == 2; print(fixture_pkg.__file__)")


# The reference wheel's requirements (the fixture upstream's pyproject), as delivered.
REQUIRES = ["torch==2.7.0", "numpy", 'filelock; python_version >= "3.8"']


def requires_dist(metadata):
    """Requires-Dist of a METADATA, normalized (setuptools writes markers
    with double quotes; the fixture's pyproject has single ones)."""
    from packaging.requirements import Requirement
    return [str(Requirement(r)) for r in re.findall(r"(?m)^Requires-Dist: (.*)$", metadata.partition("\n\n")[0])]


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def ok(result):
    """The command succeeded; on failure the assertion shows its output."""
    assert result.returncode == 0, f"exit {result.returncode}:\n{(result.stdout or '')[-4000:]}"
    return result


def failed(result, why="the command succeeded but should have failed"):
    assert result.returncode != 0, f"{why}:\n{(result.stdout or '')[-4000:]}"
    return result


def venv(name):
    path = WORK / name
    return path, make_venv(path)


def pip(env_dir, *args):
    return run([env_dir / "bin/python", "-m", "pip", "--disable-pip-version-check", *args])


def input_wheel_in_sbom(data):
    """The SBOM lists the reference wheel (wheel mode's input) with its sha256."""
    doc = json.loads(data)
    ref = f"input-wheel:{wheel_path().name}"
    (component,) = [c for c in doc["components"] if c["bom-ref"] == ref]
    assert component["hashes"] == [{"alg": "SHA-256", "content": sha256(wheel_path())}], component
    main = next(d for d in doc["dependencies"] if d["ref"] == doc["metadata"]["component"]["bom-ref"])
    return ref in main["dependsOn"]


def tree_digest(root):
    digest = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            digest[os.path.relpath(path, root)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return digest


def verify_record(site, dist_info):
    """Every RECORD line with a hash matches the installed file; returns the files."""
    files = []
    for row in csv.reader(open(os.path.join(site, dist_info, "RECORD"))):
        path, digest, size = row
        files.append(os.path.join(site, path))
        if digest:
            algo, value = digest.split("=", 1)
            data = open(os.path.join(site, path), "rb").read()
            expected = base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode()
            assert (value, int(size)) == (expected, len(data)), path
    return files


@pytest.fixture(scope="module")
def wheel_build():
    shutil.rmtree(WORK, ignore_errors=True)
    wheels = WORK / "wheels"
    wheels.mkdir(parents=True)
    shutil.copy(wheel_path(), wheels)
    result = ok(configure(BUILD, f"-DTRELLIS2_WHEEL_DIR={wheels}"))
    assert re.search(r"TRELLIS2_PYTHON_FROM\s+wheel\n", result.stdout), result.stdout[-3000:]
    return ok(build(BUILD)).stdout


def test_stage_has_the_wheels_python_and_the_built_modules(wheel_build):
    assert (STAGE / "fixture_pkg" / "extra.py").is_file(), "the wheel's own Python was not staged"
    for rel in NATIVES:
        built = BUILD / "native/fixture/modules" / rel
        assert sha256(STAGE / rel) == sha256(built), rel
    # The wheel's module under the upstream's name is not rebuilt: reported, not shipped.
    assert not list(STAGE.rglob("_fixture_xatlas*"))
    assert "_fixture_xatlas" in wheel_build and "WARNING" in wheel_build
    assert "api-check: ok" in wheel_build


def test_input_wheel_is_judged_before_the_modules_are_built(wheel_build):
    """Which platform tag the input wheel would have earned, named in the
    build log (right after abi-audit, before the first compile of a module)
    and in the report."""
    manifest = json.loads((BUILD / "native" / "manifest.json").read_text())
    judged = json.loads(Path(manifest["input_wheel_tags"]).read_text())
    (entry,) = judged["inputs"]
    assert entry["path"] == str(WORK / "wheels" / wheel_path().name)
    assert re.fullmatch(r"manylinux_2_\d+_x86_64", entry["platform_tag"]), entry
    log = wheel_build
    judged_at = log.index("Platform tags the input wheels would have earned")
    first_compile = re.search(r"Building (CXX|CUDA) object fixture/", log)
    assert first_compile and judged_at < first_compile.start(), log
    report = json.loads((BUILD / "report.json").read_text())
    assert report["platform_tags"]["input_wheels"] == [
        {"wheel": wheel_path().name, "platform_tag": entry["platform_tag"], "reason": entry["reason"]}]
    assert f"input wheel, would have earned: {wheel_path().name}: {entry['platform_tag']}" in log


def test_install_over_the_pip_installed_wheel(wheel_build):
    env_dir, site = venv("venv-overlay")
    ok(pip(env_dir, "install", "--no-deps", str(wheel_path())))
    result = run(["cmake", "--install", BUILD, "--prefix", env_dir])
    assert result.returncode == 0, result.stdout
    dist_info = "fixture_pkg-0.0.1.dist-info"
    for rel in NATIVES:
        assert sha256(os.path.join(site, rel)) == sha256(STAGE / rel), f"{rel} not replaced"
    files = verify_record(site, dist_info)
    assert open(os.path.join(site, dist_info, "INSTALLER")).read().strip() == "pip"
    # The overlay brings the build's SBOM into pip's dist-info, listed in RECORD
    # (verify_record checked its hash), so pip uninstall removes it too.
    sbom = os.path.join(site, dist_info, "sboms", "trellis2-native.cdx.json")
    assert sbom in files
    assert input_wheel_in_sbom(open(sbom, "rb").read())
    check = run([env_dir / "bin/python", "-c", CHECK])
    assert check.returncode == 0, check.stdout
    assert site in check.stdout
    # The wheel's requirements stay, torch pinned to the torch built against.
    assert requires_dist(open(os.path.join(site, dist_info, "METADATA")).read()) == REQUIRES
    ok(pip(env_dir, "check"))
    result = pip(env_dir, "uninstall", "-y", "fixture_pkg")
    assert result.returncode == 0, result.stdout
    left = [f for f in files if os.path.exists(f) and "__pycache__" not in f]
    assert not left, f"pip uninstall left {left}"


def test_interrupted_install_leaves_site_packages_as_it_was(wheel_build):
    env_dir, site = venv("venv-interrupted")
    ok(pip(env_dir, "install", "--no-deps", str(wheel_path())))
    before = tree_digest(site)
    for fault in ("2:raise", "3:sigterm"):
        result = run(["cmake", "--install", BUILD, "--prefix", env_dir], env={"TRELLIS2_INSTALL_FAULT": fault})
        assert result.returncode != 0, fault
        assert "site-packages is as it was" in one_line(result.stdout), result.stdout[-3000:]
        assert tree_digest(site) == before, f"site-packages changed after fault {fault}"


def _work_dirs(site):
    return [e for e in os.listdir(site) if e.startswith(".trellis2-install.")]


def test_sigkilled_install_says_so_and_is_rolled_back_next_time(wheel_build):
    """SIGKILL of the installing Python mid-commit: cmake must not claim
    site-packages is as it was; the journal stays, and the next install
    rolls it back before doing anything else (here it then fails at its
    first step, so what is left is exactly the state before either)."""
    env_dir, site = venv("venv-sigkill")
    ok(pip(env_dir, "install", "--no-deps", str(wheel_path())))
    before = tree_digest(site)
    install = ["cmake", "--install", BUILD, "--prefix", env_dir]
    result = run(install, env={"TRELLIS2_INSTALL_FAULT": "9:sigkill"})
    text = one_line(result.stdout)
    assert result.returncode != 0, text[-2000:]
    assert "as it was" not in text and "may be partly changed" in text, text[-2000:]
    assert f"cmake --install {BUILD} --prefix {env_dir}" in text, text[-2000:]
    assert _work_dirs(site) and tree_digest(site) != before
    result = run(install, env={"TRELLIS2_INSTALL_FAULT": "1:raise"})
    assert "recovered: rolled back" in result.stdout, result.stdout[-3000:]
    assert tree_digest(site) == before and not _work_dirs(site)


def test_recover_target_after_sigkill(wheel_build):
    """`cmake --build <build> --target recover` rolls back in the configured
    site-packages (TRELLIS2_SITE_PACKAGES here), byte for byte."""
    env_dir, site = venv("venv-recover")
    ok(pip(env_dir, "install", "--no-deps", str(wheel_path())))
    before = tree_digest(site)
    try:
        result = configure(BUILD, f"-DTRELLIS2_SITE_PACKAGES={site}")
        assert result.returncode == 0, result.stdout[-3000:]
        result = run(["cmake", "--install", BUILD], env={"TRELLIS2_INSTALL_FAULT": "10:sigkill"})
        text = one_line(result.stdout)
        assert result.returncode != 0 and f"cmake --build {BUILD} --target recover" in text, text[-2000:]
        assert tree_digest(site) != before
        result = build(BUILD, "--target", "recover")
        assert result.returncode == 0, result.stdout[-3000:]
        assert "1 interrupted install(s) rolled back" in result.stdout, result.stdout[-3000:]
        assert tree_digest(site) == before and not _work_dirs(site)
    finally:
        ok(configure(BUILD, "-DTRELLIS2_SITE_PACKAGES="))


def _start_install(env_dir, site, fault, log):
    """`cmake --install` in a process group of its own, stopped mid-commit at
    `fault`; returns (the cmake process, the install's pid)."""
    env = dict(os.environ, TRELLIS2_INSTALL_FAULT=fault)
    proc = subprocess.Popen(["cmake", "--install", str(BUILD), "--prefix", str(env_dir)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    child, deadline = None, time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        child = child or _install_child(proc.pid)
        if child and _journal_lines(site) >= 2:
            return proc, child
        time.sleep(0.1)
    log.seek(0)
    pytest.fail(f"no install mid-commit (exit {proc.poll()}):\n{log.read()[-3000:]}")


# Fault points of the overlay: 1 opens the transaction, 2-7 prepare its six
# files (3 native modules, the build's SBOM, METADATA with the requirements
# pinned, RECORD); from 8 on the commit moves them, 3 points per replaced
# file (backup logged, backed up, place logged), so at 10 the journal has
# the first file's two lines.
# (what is signalled, the signal, the fault that holds the install mid-commit)
KILLS = {
    # Ctrl-C, CI cancellation, `timeout`: the whole group. cmake defers the
    # signal until its child exits; the install rolls back and says so.
    "group-sigterm": ("group", signal.SIGTERM, "10:hang"),
    "group-sigint": ("group", signal.SIGINT, "10:hang"),
    # cmake killed outright: the install gets SIGTERM from the kernel
    # (PR_SET_PDEATHSIG) and rolls back.
    "cmake-sigkill": ("cmake", signal.SIGKILL, "10:hang"),
}


@pytest.mark.parametrize("case", sorted(KILLS))
def test_killing_cmake_install_rolls_the_install_back(wheel_build, case):
    target, signum, fault = KILLS[case]
    env_dir, site = venv(f"venv-kill-{case}")
    ok(pip(env_dir, "install", "--no-deps", str(wheel_path())))
    before = tree_digest(site)
    with open(WORK / f"install-{case}.log", "w+") as log:
        proc, child = _start_install(env_dir, site, fault, log)
        try:
            if target == "group":
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)
            proc.wait(timeout=60)
            deadline = time.monotonic() + 30
            while _alive(child) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not _alive(child), f"the install (pid {child}) outlived cmake --install"
        finally:
            if _alive(child):
                os.kill(child, signal.SIGKILL)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        log.seek(0)
        output = log.read()
    assert proc.returncode != 0, output[-3000:]
    assert tree_digest(site) == before and not _work_dirs(site), output[-3000:]
    if target == "group":   # the rollback line reaches the user through cmake
        assert f"interrupted by {signum.name}; rolled back" in output, output[-3000:]
    ok(run(["cmake", "--install", BUILD, "--prefix", env_dir]))


def test_sigterm_to_cmake_alone_lets_the_install_finish(wheel_build):
    """CMake catches SIGTERM and exits only after its child: the install is
    not interrupted, so it completes, says so, and cmake then exits 143."""
    env_dir, site = venv("venv-kill-cmake-sigterm")
    ok(pip(env_dir, "install", "--no-deps", str(wheel_path())))
    with open(WORK / "install-cmake-sigterm.log", "w+") as log:
        proc, child = _start_install(env_dir, site, "10:pause", log)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        log.seek(0)
        output = log.read()
    assert proc.returncode == -signal.SIGTERM, output[-3000:]
    assert not _alive(child) and not _work_dirs(site)
    assert "fixture_pkg: replaced 3 native file(s)" in output, output[-3000:]
    for rel in NATIVES:
        assert sha256(os.path.join(site, rel)) == sha256(STAGE / rel), f"{rel} not replaced"
    verify_record(site, "fixture_pkg-0.0.1.dist-info")


def _journal_lines(site):
    for work in _work_dirs(site):
        try:
            return len(open(os.path.join(site, work, "journal")).readlines())
        except FileNotFoundError:
            pass
    return 0


def _install_child(parent):
    """The pid of the `packaging/trellis2-wheel install` that `parent` started, or None."""
    for entry in os.listdir("/proc"):
        try:
            if not entry.isdigit() or int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1]) != parent:
                continue
            if b"trellis2-wheel\0install" in open(f"/proc/{entry}/cmdline", "rb").read():
                return int(entry)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return None


def _alive(pid):
    """Running (a zombie counts as gone: it has exited, its parent is dead)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_repaired_wheels_install_import_and_reproduce(wheel_build):
    env = {"SOURCE_DATE_EPOCH": "1766534400"}
    result = run(["cmake", "--build", BUILD, "--target", "wheels"], env=env)
    assert result.returncode == 0, result.stdout
    wheels = sorted((BUILD / "dist").glob("torch*-cu*/*.whl"))  # the build's one torch x CUDA cell
    # The label of the torch the build is pinned to (configure refuses another).
    assert [w.name.split("-")[1] for w in wheels] == ["0.0.1+torch270.cu126"], wheels
    first = sha256(wheels[0])
    assert "0 of 3 file(s) failed" in result.stdout  # abi-audit of the wheel's modules
    ok(run(["cmake", "--build", BUILD, "--target", "wheels"], env=env))
    assert sha256(wheels[0]) == first, "the repaired wheel is not byte-reproducible"
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "fixture_pkg/extra.py" in names and not [n for n in names if "_fixture_xatlas" in n]
    meta = zipfile.ZipFile(wheels[0]).read("fixture_pkg-0.0.1+torch270.cu126.dist-info/METADATA").decode()
    assert requires_dist(meta) == REQUIRES
    # Its SBOM names the input wheel the Python came from, by sha256.
    assert input_wheel_in_sbom(zipfile.ZipFile(wheels[0]).read(
        "fixture_pkg-0.0.1+torch270.cu126.dist-info/sboms/trellis2-native.cdx.json"))
    # With its dependencies (this machine's, seen through --system-site-packages), from the index.
    env_dir, _ = venv("venv-fresh")
    ok(pip(env_dir, "install", "--no-index", "--find-links", wheels[0].parent, "fixture_pkg"))
    ok(pip(env_dir, "check"))
    check = run([env_dir / "bin/python", "-c", CHECK])
    assert check.returncode == 0, check.stdout


def rewrite_wheel(source, target, edit, extra=None):
    """A copy of a wheel with files edited (and extra members added) and
    RECORD regenerated."""
    from wheel.wheelfile import WheelFile
    with zipfile.ZipFile(source) as zin, WheelFile(target, "w") as zout:
        for item in zin.infolist():
            if item.filename.endswith("RECORD"):
                continue
            data = zin.read(item)
            zout.writestr(item, edit(item.filename, data))
        for name, data in (extra or {}).items():
            zout.writestr(zipfile.ZipInfo(name), data)


def test_api_check_refuses_a_python_calling_a_missing_function(wheel_build):
    bad = WORK / "bad-wheels"
    shutil.rmtree(bad, ignore_errors=True)
    bad.mkdir()

    def add_call(name, data):
        if name == "fixture_pkg/ops.py":
            return data + b"\n\ndef broken(x):\n    return _C.not_built_here(x)\n"
        return data
    rewrite_wheel(wheel_path(), bad / wheel_path().name, add_call)
    try:
        ok(configure(BUILD, f"-DTRELLIS2_WHEEL_DIR={bad}"))
        result = build(BUILD)
        failed(result)
        assert "uses _C.not_built_here" in result.stdout and "missing from" in result.stdout
        failed(build(BUILD), "the API gate opened without a change")

        # Deferred to delivery (the dev preset): the build passes, the install refuses.
        ok(configure(BUILD, f"-DTRELLIS2_WHEEL_DIR={bad}", "-DTRELLIS2_API_CHECK=deliver"))
        ok(build(BUILD))
        env_dir, site = venv("venv-deferred")
        before = tree_digest(site)
        result = run(["cmake", "--install", BUILD, "--prefix", env_dir])
        failed(result)
        assert "uses _C.not_built_here" in result.stdout and "nothing was installed" in one_line(result.stdout)
        assert tree_digest(site) == before
        result = run(["cmake", "--build", BUILD, "--target", "wheels"])
        assert result.returncode != 0 and "uses _C.not_built_here" in result.stdout
    finally:
        ok(configure(BUILD, f"-DTRELLIS2_WHEEL_DIR={WORK / 'wheels'}", "-DTRELLIS2_API_CHECK=build"))
        ok(build(BUILD))


@pytest.mark.parametrize("case", ["python-tag", "corrupt-zip", "record-mismatch", "other-package",
                                  "zip-slip"])
def test_bad_input_wheel_refused_at_configure(case):
    bad = WORK_DIR / "bad-input" / case
    shutil.rmtree(bad, ignore_errors=True)
    bad.mkdir(parents=True)
    original = wheel_path()
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    if case == "python-tag":
        other = "cp312" if tag != "cp312" else "cp311"
        target = bad / original.name.replace(tag, other)
        shutil.copy(original, target)
        expected = f"wheel is for {other}"
    elif case == "corrupt-zip":
        target = bad / original.name
        target.write_bytes(original.read_bytes()[: len(original.read_bytes()) // 2])
        expected = "zip"
    elif case == "record-mismatch":
        target = bad / original.name
        with zipfile.ZipFile(original) as zin, zipfile.ZipFile(target, "w") as zout:
            for item in zin.infolist():
                data = zin.read(item)
                zout.writestr(item, data + b"# edited\n" if item.filename == "fixture_pkg/ops.py" else data)
        expected = "RECORD"
    elif case == "zip-slip":
        target = bad / original.name
        # RECORD regenerated, so it lists the member with the right hash.
        rewrite_wheel(original, target, lambda name, data: data,
                      extra={"fixture_pkg-0.0.1.data/purelib/../../../../zip-slip-pwned.txt": b"x\n"})
        expected = "fixture_pkg-0.0.1.data/purelib/../../../../zip-slip-pwned.txt"
    else:
        target = bad / original.name
        # A consistent wheel (RECORD regenerated) whose METADATA names another project.
        rewrite_wheel(original, target, lambda name, data: re.sub(rb"(?m)^Name: .*$", b"Name: other_pkg", data)
                      if name.endswith("METADATA") else data)
        expected = "other_pkg"
    result = configure(WORK_DIR / "bad-input" / f"build-{case}", f"-DTRELLIS2_WHEEL_DIR={bad}")
    failed(result)
    text = one_line(result.stdout)
    assert "Input wheel refused for fixture" in text or "No usable wheel for fixture" in text, text[-2000:]
    assert target.name in text and expected in text, text[-2000:]
    assert not list(WORK_DIR.parent.rglob("zip-slip-pwned.txt"))
