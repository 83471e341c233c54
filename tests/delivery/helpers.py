"""Shared by the delivery tests: run the CLI, build fixture wheels and native
modules for the Python running the tests, make venvs, hash trees."""

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGING = os.path.normpath(os.path.join(HERE, "..", "..", "packaging"))
FIXTURE_SRC = os.path.join(HERE, "fixturepkg_src")
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")
PY_TAG = f"cp{sys.version_info.major}{sys.version_info.minor}"
OTHER_TAG = "cp312" if PY_TAG != "cp312" else "cp311"


def env(**extra):
    e = dict(os.environ)
    e["PYTHONPATH"] = PACKAGING + os.pathsep + e.get("PYTHONPATH", "")
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    e.update(extra)
    return e


def cli(*args, check=None, **extra_env):
    """Run `python -m trellis2_wheel ARGS`; check=N asserts the exit code."""
    proc = subprocess.run([sys.executable, "-m", "trellis2_wheel", *map(str, args)],
                          capture_output=True, text=True, env=env(**extra_env))
    if check is not None:
        assert proc.returncode == check, (
            f"exit {proc.returncode}, expected {check}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def build_fixture_wheel(workdir):
    """The fixture wheel as a real builder makes it: pip wheel over setuptools."""
    src = os.path.join(workdir, "src")
    shutil.copytree(FIXTURE_SRC, src)
    out = os.path.join(workdir, "wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
                    "--no-index", "--no-cache-dir", "--disable-pip-version-check", "-q",
                    "-w", out, src], check=True, env=env())
    (wheel,) = [os.path.join(out, f) for f in os.listdir(out) if f.endswith(".whl")]
    return wheel


def compile_module(out_dir, module, source, *defines):
    """Build one extension module as the superbuild would: compiler, the
    interpreter's headers and suffix; returns the file's path."""
    cc = sysconfig.get_config_var("CC").split()[0] if sysconfig.get_config_var("CC") else "cc"
    cc = shutil.which(cc) or shutil.which("gcc") or shutil.which("cc")
    parts = module.split(".")
    target = os.path.join(out_dir, *parts[:-1], parts[-1] + EXT_SUFFIX)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    subprocess.run([cc, "-shared", "-fPIC", "-O1", f"-I{sysconfig.get_paths()['include']}",
                    *[f"-D{d}" for d in defines], "-o", target, source], check=True)
    return target


def rewrite_wheel(src, dst, change=None, add=None, keep_record=False, rename_dist=None,
                  symlinks=()):
    """Copy a wheel, editing members. change: {arcname: bytes}; add: the same
    for new members. keep_record leaves RECORD stale (a tampered wheel);
    otherwise RECORD is recomputed, so the copy is a well-formed wheel.
    symlinks: members written as symbolic links (their bytes the target)."""
    import stat
    import base64
    import csv
    import io
    with zipfile.ZipFile(src) as zin:
        members = {i.filename: zin.read(i) for i in zin.infolist()}
    members.update(change or {})
    members.update(add or {})
    if rename_dist:
        old, new = rename_dist
        members = {k.replace(old, new, 1) if k.startswith(old) else k: v for k, v in members.items()}
    record = next(k for k in members if k.endswith(".dist-info/RECORD"))
    if not keep_record:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for name, data in sorted(members.items()):
            if name == record:
                continue
            h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            writer.writerow([name, f"sha256={h}", len(data)])
        writer.writerow([record, "", ""])
        members[record] = out.getvalue().encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = ((stat.S_IFLNK | 0o777) if name in symlinks
                                  else (stat.S_IFREG | 0o644)) << 16
            zout.writestr(info, data)
    return dst


def make_venv(path):
    """A real venv without pip of its own; pip runs from outside with --python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", path], check=True)
    py = os.path.join(path, "bin", "python")
    site = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['platlib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    return py, site


def pip(venv_python, *args, check=True):
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", venv_python,
                           "--disable-pip-version-check", "--no-input", *args],
                          capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, f"pip {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def run_py(venv_python, code):
    proc = subprocess.run([venv_python, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def tree(root):
    """relpath -> sha256 of every file (and 'dir' / 'link:<target>'), the
    state an install must leave untouched or change exactly."""
    state = {}
    for current, dirs, files in os.walk(root):
        for d in dirs:
            full = os.path.join(current, d)
            state[os.path.relpath(full, root)] = "link:" + os.readlink(full) if os.path.islink(full) else "dir"
        for f in files:
            full = os.path.join(current, f)
            if os.path.islink(full):
                state[os.path.relpath(full, root)] = "link:" + os.readlink(full)
            else:
                with open(full, "rb") as handle:
                    state[os.path.relpath(full, root)] = hashlib.sha256(handle.read()).hexdigest()
    return state


def changed(before, after):
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def verify_record(site, dist_info):
    """Hash every file RECORD lists (as `pip` would trust it); returns the paths."""
    import base64
    import csv
    with open(os.path.join(site, dist_info, "RECORD"), newline="") as handle:
        rows = list(csv.reader(handle))
    for path, hash_, size in rows:
        full = os.path.normpath(os.path.join(site, path))
        assert os.path.isfile(full), f"RECORD lists {path}, which is absent"
        if path.endswith("/RECORD") or (path.endswith(".pyc") and not hash_):
            # RECORD lists itself unhashed; pip lists the byte code it compiled unhashed.
            assert hash_ == "" and size == ""
            continue
        with open(full, "rb") as handle:
            data = handle.read()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert hash_ == f"sha256={digest}", f"{path}: RECORD hash is stale"
        assert size == str(len(data)), f"{path}: RECORD size is stale"
    return [r[0] for r in rows]
