"""The facts an SBOM states about one distribution of the set, gathered from
what the build left behind (results.Build: report-config.json, the native
build's manifest it names, and per module the JSON its passing audit left,
abi-audit's). Files are hashed here, when the SBOM is written, so the SBOM
states the bytes delivered, not the ones configure saw."""

import hashlib
import os
import subprocess

from ..errors import DeliveryError
from ..results import FIX_BUILD, judge_platform_tags
from ..spec import names


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_describe(tree):
    """`git describe --always --dirty` of a local checkout, or why there is none."""
    try:
        result = subprocess.run(["git", "-C", tree, "describe", "--always", "--dirty"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        return f"unknown (git: {exc.strerror})"
    return result.stdout.strip() if result.returncode == 0 else "unknown (not a git checkout)"


def platform_tags(build, manylinux_policy, stage, paths):
    """{module path in the stage: the platform tag it earns}, judged over the
    staged modules all at once, as the wheels subcommand judges the wheels,
    so the wheels and `cmake --install` state the same tag."""
    judged, _ = judge_platform_tags(build.abi_audit(), manylinux_policy,
                                    [os.path.join(stage, p) for p in paths], "the staged modules")
    return {os.path.relpath(entry["path"], stage).replace(os.sep, "/"): entry["platform_tag"]
            for entry in judged["inputs"]}


def _module_facts(build, module, stage, policy_fallback):
    """One module: its file in the stage (what the wheel ships) and its audit."""
    rel = module["path"]
    staged = os.path.join(stage, rel)
    if not os.path.isfile(staged):
        raise DeliveryError(staged, f"module {module['import']} is not staged",
                            expected=f"the built {rel} in the stage", fix=FIX_BUILD)
    audit = build.audit(module)
    checked = (audit.get("files") or [{}])[0]
    policy = audit.get("policy") or {}
    return {
        "import": module["import"], "path": rel, "sha256": sha256_file(staged),
        "passed": bool(audit.get("passed")),
        "highest": checked.get("highest", {}),
        "policy": policy.get("name") or policy_fallback,
        "ceilings": policy.get("max", {}),
        # The platform tag it earns: write_sboms judges them all at once.
        "platform_tag": None,
        # Where it loads beyond the OS: its device code and GPU verdict, and
        # the libraries its undefined symbols were found in (None: not checked).
        "device_code": checked.get("device_code") or {},
        "torch_symbols": checked.get("torch_symbols"),
    }


def _source_facts(package):
    """Where the package's source came from, and the patches applied to it."""
    prov = package.get("provenance")
    if not prov:
        raise DeliveryError("report-config.json",
                            f"report-config.json has no provenance for {package.get('name')}",
                            expected="a build tree configured by this version of the superbuild",
                            fix="configure again (`cmake --preset <preset>` or `cmake -S . -B <build>`)")
    source = {"package": package["name"], "kind": prov["kind"], "repository": prov["repository"],
              "commit": prov["commit"], "tree": prov["tree"], "describe": None}
    if prov["kind"] == "local":
        source["describe"] = git_describe(prov["tree"])
    source["patches"] = [{"name": p["name"], "sha256": sha256_file(p["file"])}
                         for p in prov.get("patches", [])]
    wheel = prov.get("input_wheel")
    source["input_wheel"] = None
    if wheel:
        if not os.path.isfile(wheel):
            raise DeliveryError(wheel, "the input wheel is gone",
                                expected="the wheel configure checked (TRELLIS2_WHEEL_DIR)",
                                fix="put it back, or configure with the TRELLIS2_WHEEL_DIR that holds it")
        name, version, _ = names.parse_wheel_filename(wheel)
        source["input_wheel"] = {"file": os.path.basename(wheel), "name": name,
                                 "version": str(version), "sha256": sha256_file(wheel)}
    return source


def distributions(build, stage):
    """Per distribution of the set: {dist, modules, source}."""
    policy_fallback = os.path.splitext(os.path.basename(build.config.get("abi_policy", "")))[0]
    found = []
    for package in build.config["packages"]:
        listing = build.listing(package["name"])
        found.append({
            "dist": listing["dist"],
            "modules": [_module_facts(build, m, stage, policy_fallback)
                        for m in sorted(listing["modules"], key=lambda m: m["import"])],
            "source": _source_facts(package),
        })
    return found


def toolchain(config):
    """The toolchain configure checked: compiler, nvcc, torch and its CUDA, Python."""
    tc = config["toolchain"]
    compiler_id, _, compiler_version = tc["cxx"].partition(" ")
    return {"cxx_id": compiler_id, "cxx_version": compiler_version, "cxx_path": tc["cxx_compiler"],
            "nvcc_version": tc["nvcc"], "nvcc_path": tc["nvcc_path"],
            "torch": tc["torch"], "torch_cuda": tc["torch_cuda"],
            "python_version": tc.get("python_version") or tc["python"].rsplit(" ", 1)[-1]}
