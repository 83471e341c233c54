"""check-wheel and find-wheel: each bad wheel is refused with exit 2 and a
message naming the file, the problem, what was expected and what to do."""

import hashlib
import os
import shutil
import zipfile

from helpers import OTHER_TAG, PY_TAG, cli, rewrite_wheel


def refused(proc, path, *words):
    assert proc.returncode == 2, proc.stdout + proc.stderr
    message = proc.stderr
    assert os.path.basename(str(path)) in message
    assert "expected:" in message and "next:" in message, message
    for word in words:
        assert word in message, message
    return message


def test_good_wheel_passes(built):
    proc = cli("check-wheel", built["wheel"], "--package", "fixturepkg", "--python-tag", PY_TAG, check=0)
    assert proc.stdout.startswith(f"ok: {built['wheel']}: fixturepkg 0.1.0"), proc.stdout


def pin_list(tmp_path, *wheels):
    """A pin list in the format of third_party/wheels.cmake."""
    lines = [f"  {hashlib.sha256(open(w, 'rb').read()).hexdigest().upper()}  # {w}" for w in wheels]
    path = tmp_path / "wheels.cmake"
    path.write_text("set(TRELLIS2_KNOWN_WHEEL_SHA256\n" + "\n".join(lines) + "\n)\n")
    return path


def test_pin_list(built, tmp_path):
    good = hashlib.sha256(open(built["wheel"], "rb").read()).hexdigest()
    proc = cli("check-wheel", built["wheel"], "--package", "fixturepkg", "--python-tag", PY_TAG,
               "--pins", pin_list(tmp_path, built["wheel"]), check=0)
    assert f"sha256 {good} is pinned" in proc.stdout
    proc = cli("check-wheel", built["wheel"], "--package", "fixturepkg", "--python-tag", PY_TAG,
               check=0)
    assert good not in proc.stdout
    refused(cli("check-wheel", built["wheel"], "--package", "fixturepkg", "--python-tag", PY_TAG,
                "--pins", tmp_path / "absent.cmake"), tmp_path / "absent.cmake")


def test_python_tag_from_file_name(built, tmp_path):
    """A wheel for another Python (cp312 with Python 3.11), renamed and retagged."""
    name = os.path.basename(built["wheel"]).replace(PY_TAG, OTHER_TAG)
    other = rewrite_wheel(built["wheel"], str(tmp_path / name), change={
        "fixturepkg-0.1.0.dist-info/WHEEL":
            f"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: {OTHER_TAG}-{OTHER_TAG}-linux_x86_64\n".encode()})
    message = refused(cli("check-wheel", other, "--package", "fixturepkg", "--python-tag", PY_TAG),
                      other, OTHER_TAG, PY_TAG)
    assert "file name" in message


def test_python_tag_from_wheel_file(built, tmp_path):
    """The file name says cp311 but the WHEEL file inside says otherwise."""
    other = rewrite_wheel(built["wheel"], str(tmp_path / os.path.basename(built["wheel"])), change={
        "fixturepkg-0.1.0.dist-info/WHEEL":
            f"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: {OTHER_TAG}-{OTHER_TAG}-linux_x86_64\n".encode()})
    refused(cli("check-wheel", other, "--package", "fixturepkg", "--python-tag", PY_TAG),
            other, OTHER_TAG, "WHEEL file")


def test_corrupt_zip(built, tmp_path):
    broken = tmp_path / os.path.basename(built["wheel"])
    data = open(built["wheel"], "rb").read()
    broken.write_bytes(data[: len(data) // 2])
    refused(cli("check-wheel", broken, "--package", "fixturepkg", "--python-tag", PY_TAG),
            broken, "corrupt zip archive")


def test_corrupt_member(built, tmp_path):
    """The zip directory is intact but a member's bytes are damaged (CRC)."""
    broken = tmp_path / os.path.basename(built["wheel"])
    data = bytearray(open(built["wheel"], "rb").read())
    data[60:80] = b"\xff" * 20          # inside the first member's data
    broken.write_bytes(bytes(data))
    refused(cli("check-wheel", broken, "--package", "fixturepkg", "--python-tag", PY_TAG),
            broken, "corrupt zip archive")


def test_record_hash_mismatch(built, tmp_path):
    tampered = rewrite_wheel(built["wheel"], str(tmp_path / os.path.basename(built["wheel"])),
                             change={"fixturepkg/ops.py": b"print('changed')\n"}, keep_record=True)
    refused(cli("check-wheel", tampered, "--package", "fixturepkg", "--python-tag", PY_TAG),
            tampered, "RECORD does not match", "fixturepkg/ops.py")


def test_file_missing_from_record(built, tmp_path):
    tampered = rewrite_wheel(built["wheel"], str(tmp_path / os.path.basename(built["wheel"])),
                             add={"fixturepkg/extra.py": b"x = 1\n"}, keep_record=True)
    refused(cli("check-wheel", tampered, "--package", "fixturepkg", "--python-tag", PY_TAG),
            tampered, "RECORD does not match", "fixturepkg/extra.py")


def test_damaged_record_line(built, tmp_path):
    """A line installer's RECORD parser refuses is named by its number, in a
    pinned wheel too: a pin accepts stale lines, not damaged ones."""
    record = "fixturepkg-0.1.0.dist-info/RECORD"
    with zipfile.ZipFile(built["wheel"]) as archive:
        text = archive.read(record).decode()
    bad = "fixturepkg/extra.py,sha256=abc,many"
    damaged = rewrite_wheel(built["wheel"], str(tmp_path / os.path.basename(built["wheel"])),
                            change={record: f"{text}{bad}\n".encode()}, keep_record=True)
    for pins in ((), ("--pins", pin_list(tmp_path, damaged))):
        refused(cli("check-wheel", damaged, "--package", "fixturepkg", "--python-tag", PY_TAG, *pins),
                damaged, f"RECORD line {len(text.splitlines()) + 1} is damaged", "non-integer", bad)


def test_other_package_by_name(built):
    refused(cli("check-wheel", built["wheel"], "--package", "flex-gemm", "--python-tag", PY_TAG),
            built["wheel"], "fixturepkg", "flex-gemm")


def test_other_package_renamed_file(built, tmp_path):
    """A file renamed to flex_gemm-…whl that still holds fixturepkg."""
    renamed = tmp_path / os.path.basename(built["wheel"]).replace("fixturepkg", "flex_gemm")
    shutil.copy(built["wheel"], renamed)
    refused(cli("check-wheel", renamed, "--package", "flex_gemm", "--python-tag", PY_TAG),
            renamed, "fixturepkg", "flex-gemm", "dist-info directory")


def test_name_normalization(built, tmp_path):
    """PEP 503: Fixture.Pkg and fixture_pkg name the same distribution."""
    cli("check-wheel", built["wheel"], "--package", "FixturePkg", "--python-tag", PY_TAG, check=0)


def test_not_a_wheel_name(tmp_path):
    bogus = tmp_path / "fixturepkg.whl"
    bogus.write_bytes(b"")
    refused(cli("check-wheel", bogus, "--package", "fixturepkg"), bogus, "not a wheel file name")


def test_find_wheel(built, tmp_path):
    folder = tmp_path / "Torch270"
    folder.mkdir()
    shutil.copy(built["wheel"], folder)
    (folder / "flex_gemm-0.0.1-cp312-cp312-linux_x86_64.whl").write_bytes(b"")
    proc = cli("find-wheel", folder, "--package", "fixturepkg", check=0)
    assert proc.stdout.strip() == str(folder / os.path.basename(built["wheel"]))
    assert cli("find-wheel", folder, "--package", "flex-gemm", check=0).stdout.strip().endswith(
        "flex_gemm-0.0.1-cp312-cp312-linux_x86_64.whl")
    message = cli("find-wheel", folder, "--package", "cumesh", check=2).stderr
    assert "cumesh" in message and "flex_gemm-0.0.1" in message, message   # what is there
    (folder / "fixturepkg-0.2.0-cp311-cp311-linux_x86_64.whl").write_bytes(b"")
    message = cli("find-wheel", folder, "--package", "fixturepkg", check=2).stderr
    assert os.path.basename(built["wheel"]) in message and "fixturepkg-0.2.0" in message, message


def test_pin_accepts_known_record_edits(built, tmp_path):
    """ComfyUI-Trellis2's o_voxel and cumesh wheels had a .py edited after the
    build, RECORD left stale: refused unless the exact file is pinned, and
    then the mismatch is still shown."""
    edited = rewrite_wheel(built["wheel"], str(tmp_path / os.path.basename(built["wheel"])),
                           change={"fixturepkg/ops.py": b"print('edited by the author')\n"},
                           keep_record=True)
    message = refused(cli("check-wheel", edited, "--package", "fixturepkg", "--python-tag", PY_TAG),
                      edited, "RECORD does not match")
    pin = hashlib.sha256(open(edited, "rb").read()).hexdigest()
    assert pin in message and "third_party/wheels.cmake" in message, message
    pins = pin_list(tmp_path, edited)
    proc = cli("check-wheel", edited, "--package", "fixturepkg", "--python-tag", PY_TAG,
               "--pins", pins, check=0)
    assert "1 RECORD mismatch(es) accepted by the pin" in proc.stdout
    assert "WARNING" in proc.stderr and "fixturepkg/ops.py" in proc.stderr
    stage = tmp_path / "stage"
    cli("stage-wheel", edited, "--stage", stage, "--native", "fixturepkg._C", check=2)
    assert not stage.exists()
    cli("stage-wheel", edited, "--stage", stage, "--native", "fixturepkg._C", "--pins", pins, check=0)
    assert (stage / "fixturepkg" / "ops.py").read_bytes() == b"print('edited by the author')\n"


def test_abi3_wheel_is_accepted(built, tmp_path):
    """A stable-ABI wheel (cp39-abi3) runs on every later CPython: accepted
    by its file name and its WHEEL tags (packaging.tags), not refused as 'cp39'."""
    name = os.path.basename(built["wheel"]).replace(f"{PY_TAG}-{PY_TAG}", "cp39-abi3")
    abi3 = rewrite_wheel(built["wheel"], str(tmp_path / name), change={
        "fixturepkg-0.1.0.dist-info/WHEEL":
            b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp39-abi3-linux_x86_64\n"})
    proc = cli("check-wheel", abi3, "--package", "fixturepkg", "--python-tag", PY_TAG, check=0)
    assert "cp39-abi3-linux_x86_64" in proc.stdout
    refused(cli("check-wheel", abi3, "--package", "fixturepkg", "--python-tag", "cp38"), abi3, "cp38")
