"""Shared helpers of the integration tests: the build tree under test, and
configure/build runs of the superbuild in scratch build trees.

Every value comes from the environment CTest sets (tests/CMakeLists.txt), so
the tests exercise the same Python, compiler and architectures as the build.
"""

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(os.environ["TRELLIS2_REPO"])
BUILD_DIR = Path(os.environ["TRELLIS2_BUILD_DIR"])
STAGE_DIR = Path(os.environ["TRELLIS2_STAGE_DIR"])
DIST_CELL = Path(os.environ["TRELLIS2_DIST_CELL"])  # this build's torch x CUDA cell of its dist directory
WORK_DIR = Path(os.environ["TRELLIS2_WORK_DIR"])
PYTHON = os.environ["TRELLIS2_PYTHON"]
CXX = os.environ["TRELLIS2_CXX"]
EXT_SUFFIX = os.environ["TRELLIS2_EXT_SUFFIX"]
CUDA_ARCHITECTURES = os.environ["TRELLIS2_CUDA_ARCHITECTURES"]
ABI_POLICY_FILE = os.environ["TRELLIS2_ABI_POLICY_FILE"]
KNOWN_PACKAGES = os.environ["TRELLIS2_KNOWN_PACKAGES"].split(";")  # third_party/packages.cmake
FIXTURE_UPSTREAM = REPO / "tests" / "fixture" / "upstream"

FIXTURE_MODULES = {
    # import name -> file under the stage
    "fixture_pkg._C": f"fixture_pkg/_C{EXT_SUFFIX}",
    "fixture_pkg._xatlas": f"fixture_pkg/_xatlas{EXT_SUFFIX}",
    "fixture_pkg.kernels.cuda": f"fixture_pkg/kernels/cuda{EXT_SUFFIX}",
}


def base_configure_args(build_dir):
    """The toolchain of the build under test, for a scratch build tree."""
    return [
        "cmake", "-G", "Ninja", "-S", str(REPO), "-B", str(build_dir),
        f"-DCMAKE_CXX_COMPILER={CXX}",
        f"-DPython3_EXECUTABLE={PYTHON}",
        f"-DTRELLIS2_CUDA_ARCHITECTURES={CUDA_ARCHITECTURES}",
        f"-DTRELLIS2_ABI_POLICY={ABI_POLICY_FILE}",
        "-DTRELLIS2_ALLOW_CUDA_MISMATCH=ON",
        "-DTRELLIS2_PACKAGES=fixture",
        "-DBUILD_TESTING=OFF",
        # Scratch trees share one sccache cache (a test passing its own -D wins).
        f"-DTRELLIS2_SCCACHE_DIR={WORK_DIR / 'sccache-shared'}",
    ]


def scratch_dir(name):
    """An empty directory under tests-work/ for one test."""
    path = WORK_DIR / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def run(args, **kwargs):
    """Run a command, capturing its output; returns CompletedProcess."""
    env = dict(os.environ)
    env.update(kwargs.pop("env", {}))
    return subprocess.run([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, env=env, **kwargs)


def configure(build_dir, *extra, env=None):
    return run(base_configure_args(build_dir) + list(extra), env=env or {})


def configure_error(build_dir, *extra):
    """Configure that must fail; returns its output on one line."""
    result = configure(build_dir, *extra)
    assert result.returncode != 0, result.stdout[-3000:]
    return one_line(result.stdout)


def build(build_dir, *extra):
    return run(["cmake", "--build", build_dir, *extra])


def make_fixture_repo(work):
    """The fixture upstream as a git repository under work/repo, with its pin
    file work/made.cmake (cmake/scripts/make_fixture_repo.cmake); returns
    (repository, commit, pin file)."""
    repo = work / "repo"
    pin = work / "made.cmake"
    result = run(["cmake", f"-DUPSTREAM={FIXTURE_UPSTREAM}", f"-DREPO={repo}", f"-DPIN_FILE={pin}",
                  "-P", REPO / "cmake/scripts/make_fixture_repo.cmake"])
    assert result.returncode == 0, result.stdout
    commit = run(["git", "-C", repo, "rev-parse", "HEAD"]).stdout.strip()
    return repo, commit, pin


def make_venv(path):
    """A fresh venv at path that sees the configured Python's packages (torch)
    and has its own site-packages; returns that site-packages."""
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run([PYTHON, "-m", "venv", "--system-site-packages", str(path)], check=True)
    return subprocess.run([str(Path(path) / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_paths()['platlib'])"],
                          check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


def exported_symbols(path):
    """Dynamic symbols a shared object defines (nm -D --defined-only)."""
    out = subprocess.run([os.environ.get("NM") or "nm", "-D", "--defined-only", str(path)],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def one_line(text):
    """Collapse CMake's wrapped messages so a test can search whole sentences."""
    return " ".join(text.split())


def free_port():
    """A TCP port on 127.0.0.1 nothing listens on now."""
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=10):
    """True once something accepts connections on 127.0.0.1:port."""
    import socket
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


def stop_group(proc, timeout=10):
    """Stops a process started with start_new_session=True and everything it
    started (its process group): SIGTERM, then SIGKILL after `timeout`."""
    import signal
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)
        except ProcessLookupError:
            pass
