"""The SBOM in every repaired wheel (PEP 770), on the build under test (the ci
preset: the fixture, pulled from the local git repository configure makes):
<dist-info>/sboms/trellis2-native.cdx.json validates against CycloneDX 1.6
with the library's strict validator, names the upstream commit, the
toolchain and each module's ABI audit, and two runs of the wheels target
give the same bytes. `cmake --install` into a venv carries it, listed in
RECORD. Without the library, configure stops and says what to install."""

import base64
import csv
import hashlib
import json
import os
import subprocess
import tempfile
import zipfile

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from support import BUILD_DIR, DIST_CELL, PYTHON, REPO, configure, make_venv, one_line, run, scratch_dir

DIST = DIST_CELL  # the build's torch x CUDA cell
SBOM = "fixture_pkg-0.0.1+torch270.cu126.dist-info/sboms/trellis2-native.cdx.json"
EPOCH = "1766534400"   # 2025-12-24T00:00:00Z
NS = "trellis2-native:"


def _wheels():
    result = run(["cmake", "--build", BUILD_DIR, "--target", "wheels"], env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stdout[-4000:]
    (wheel,) = DIST.glob("fixture_pkg-0.0.1+torch270.cu126-*.whl")
    return wheel, wheel.read_bytes()


@pytest.fixture(scope="module")
def built():
    """(wheel path, its bytes, the SBOM's bytes) of the first of two runs,
    and the bytes of the second."""
    wheel, first = _wheels()
    with zipfile.ZipFile(wheel) as zf:
        sbom = zf.read(SBOM)
    _, second = _wheels()
    return wheel, first, sbom, second


@pytest.fixture(scope="module")
def doc(built):
    return json.loads(built[2])


def props(component):
    return {p["name"][len(NS):]: p["value"] for p in component.get("properties", [])
            if p["name"].startswith(NS)}


def by_ref(doc, ref):
    (found,) = [c for c in doc["components"] if c["bom-ref"] == ref]
    return found


def test_two_runs_give_the_same_wheel_and_sbom(built):
    wheel, first, sbom, second = built
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest(), \
        "the repaired wheel is not byte-reproducible"
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read(SBOM) == sbom
    # Nothing from the clock or the build's scratch space: no temporary
    # directory, once the paths it names on purpose (inputs in the build tree
    # and the repository, which may themselves lie under /tmp) are set aside.
    text = sbom.decode()
    for named in sorted({str(BUILD_DIR), str(REPO)}, key=len, reverse=True):
        text = text.replace(named, "<named>")
    assert tempfile.gettempdir() + "/" not in text and ".repack." not in text and "trellis2-tags." not in text
    assert json.loads(text)["metadata"]["timestamp"] == "2025-12-24T00:00:00+00:00"


def test_it_validates_against_cyclonedx_1_6(built, doc):
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    assert validator.validate_str(built[2].decode()) is None
    assert doc["specVersion"] == "1.6" and doc["bomFormat"] == "CycloneDX"
    # The validator does refuse a broken document (so the check above means something).
    broken = dict(doc, components=[dict(doc["components"][0], type="not-a-type")])
    assert validator.validate_str(json.dumps(broken)) is not None


def test_serial_number_is_derived_from_the_content(doc):
    # uuid5 (version 5), never a random uuid4.
    assert doc["serialNumber"].startswith("urn:uuid:")
    assert doc["serialNumber"][len("urn:uuid:") + 14] == "5", doc["serialNumber"]


def test_it_names_the_upstream_commit(doc):
    config = json.loads((BUILD_DIR / "report-config.json").read_text())
    (package,) = config["packages"]
    commit = subprocess.run(["git", "-C", BUILD_DIR / "fixture-upstream/repo", "rev-parse", "HEAD"],
                            check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    assert package["provenance"]["commit"] == commit
    source = by_ref(doc, "source:fixture")
    assert source["version"] == commit
    # The fixture's repository is a local one, inside the build tree: named by
    # its commit alone, so the SBOM holds no path of this build.
    assert package["provenance"]["repository"].startswith("file:")
    assert source["purl"] == f"pkg:generic/fixture@{commit}", source["purl"]
    assert props(source)["source-commit"] == commit
    assert props(source)["source-kind"] == "git"
    assert "source-repository" not in props(source) and "externalReferences" not in source
    assert str(BUILD_DIR) not in json.dumps(doc)
    main = doc["metadata"]["component"]
    assert (main["name"], main["version"]) == ("fixture_pkg", "0.0.1+torch270.cu126")
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert "source:fixture" in deps[main["bom-ref"]]


def test_it_names_the_toolchain(doc):
    tc = json.loads((BUILD_DIR / "report-config.json").read_text())["toolchain"]
    tools = {t["name"]: t for t in doc["metadata"]["tools"]["components"]}
    assert tools["gcc"]["version"] == tc["cxx"].split(" ", 1)[1]
    assert props(tools["gcc"])["path"] == tc["cxx_compiler"]
    assert (tools["nvcc"]["version"], props(tools["nvcc"])["path"]) == (tc["nvcc"], tc["nvcc_path"])
    assert tools["cpython"]["version"] == tc["python_version"]
    torch = by_ref(doc, f"pkg:pypi/torch@{tc['torch']}")
    assert torch["version"] == tc["torch"] == "2.7.0+cu126"
    assert props(torch)["torch-cuda"] == tc["torch_cuda"] == "12.6"


def test_it_states_each_modules_audit(built, doc):
    # The native build's manifest lists each module with its audit stamp.
    manifest = json.loads((BUILD_DIR / "report-config.json").read_text())["native_manifest"]
    assert manifest == str(BUILD_DIR / "native" / "manifest.json"), manifest
    modules = json.loads(open(manifest).read())["packages"]["fixture"]["modules"]
    assert len(modules) == 3
    with zipfile.ZipFile(built[0]) as zf:
        for module in modules:
            assert module["audit"] == str(BUILD_DIR / "native/fixture/audit" / f"{module['import']}.audit.json")
            audit = json.loads(open(module["audit"]).read())
            component = by_ref(doc, f"module:{module['import']}")
            p = props(component)
            assert p["audit-passed"] == "true" and audit["passed"]
            assert p["audit-policy"] == audit["policy"]["name"] == "rocky9"
            assert p["audit-highest-GLIBCXX"] == audit["files"][0]["highest"]["GLIBCXX"]
            assert p["audit-ceiling-GLIBCXX"] == "3.4.29"
            # The tag the wheels target judged it to earn (rocky9's module: manylinux_2_34).
            assert p["platform-tag"] == "manylinux_2_34_x86_64", p
            # The file the wheel ships, by name and hash.
            data = zf.read(component["name"])
            assert component["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(data).hexdigest()}]


def test_cmake_install_keeps_it_listed_in_record(built):
    work = scratch_dir("sbom-install")
    site = make_venv(work / "venv")
    result = run(["cmake", "--install", BUILD_DIR, "--prefix", work / "venv"], env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stdout[-4000:]
    (dist_info,) = [e for e in os.listdir(site) if e.startswith("fixture_pkg-") and e.endswith(".dist-info")]
    installed = os.path.join(site, dist_info, "sboms", "trellis2-native.cdx.json")
    data = open(installed, "rb").read()
    assert data == built[2], "the installed SBOM differs from the wheel's"
    rows = {row[0]: row[1:] for row in csv.reader(open(os.path.join(site, dist_info, "RECORD")))}
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert rows[f"{dist_info}/sboms/trellis2-native.cdx.json"] == [f"sha256={digest}", str(len(data))]


def test_configure_without_the_library_says_what_to_install():
    # Configure reads the installed distributions' metadata, not the library:
    # a cyclonedx-python-lib 10 first on the path stands for a Python without 11.
    work = scratch_dir("sbom-no-library")
    blocker = work / "blocker" / "cyclonedx_python_lib-10.0.0.dist-info"
    blocker.mkdir(parents=True)
    (blocker / "METADATA").write_text("Metadata-Version: 2.1\nName: cyclonedx-python-lib\nVersion: 10.0.0\n")
    result = configure(work / "build", env={"PYTHONPATH": str(work / "blocker")})
    assert result.returncode != 0, result.stdout[-3000:]
    text = one_line(result.stdout)
    assert "The SBOM library is missing" in text, text[-2000:]
    assert "version 10.0.0 is installed" in text, text[-2000:]
    assert "pip install 'cyclonedx-python-lib[json-validation]==11.12.0'" in text, text[-2000:]
    assert "Install it (.ci/setup does), then configure again." in text


def test_a_package_not_built_is_refused_and_nothing_is_written():
    # The build's configuration, but the native build is empty (never built: no manifest).
    work = scratch_dir("sbom-not-built")
    stage = work / "stage"
    dist_info = "fixture_pkg-0.0.1.dist-info"
    (stage / dist_info).mkdir(parents=True)
    (stage / dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: fixture_pkg\nVersion: 0.0.1\n\n")
    config = json.loads((BUILD_DIR / "report-config.json").read_text())
    config["native_dir"] = str(work / "empty-native")
    config["native_manifest"] = str(work / "empty-native" / "manifest.json")
    config_file = work / "report-config.json"
    config_file.write_text(json.dumps(config))
    result = run([PYTHON, REPO / "packaging/trellis2-wheel", "sbom", "--config", config_file, "--stage", stage])
    assert result.returncode == 2, result.stdout
    text = one_line(result.stdout)
    assert f"{work / 'empty-native' / 'manifest.json'}: no module list of fixture" in text, text
    assert "next: build first (`cmake --build <build>`)" in text, text
    assert not (stage / dist_info / "sboms").exists()
