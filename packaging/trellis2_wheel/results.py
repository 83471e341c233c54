"""results: what the build left behind, read once, for every step that
delivers it (the SBOM, the wheels subcommand).

- report-config.json (written at configure by cmake/superbuild/Report.cmake):
  toolchain, per package its provenance, the delivery settings, and the
  path of the native build's manifest;
- the native build's manifest (<build>/native/manifest.json): the abi-audit
  it built, per package its distribution and modules, each with where it is
  staged and the JSON its passing audit left (abi-audit's);
- the platform tags `abi-audit --platform-tag` judges (judge_platform_tags,
  the one place they are judged: the SBOM's modules and the wheels).

Every refusal names the file, what is wrong in it and the command to run."""

import json
import os
import subprocess
import tempfile

from .errors import DeliveryError

FIX_BUILD = "build first (`cmake --build <build>`): it builds, audits and stages every package"
FIX_CONFIGURE = "configure again (`cmake --preset <preset>` or `cmake -S . -B <build>`)"


def load_json(path, what, fix=FIX_BUILD):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise DeliveryError(path, f"no {what}", expected=f"the {what} the build writes", fix=fix) from None
    except ValueError as exc:
        raise DeliveryError(path, f"{what} is not JSON", found=str(exc),
                            fix="configure and build again (`cmake --preset <preset>`, "
                                "`cmake --build <build>`)") from None


class Build:
    """One build tree's results: report-config.json, and the native build's
    manifest it names (read on first use, once)."""

    def __init__(self, config_path):
        self.config_path = str(config_path)
        self.config = load_json(self.config_path, "build configuration (report-config.json)", fix=FIX_CONFIGURE)
        self._manifest = None

    def setting(self, *keys):
        """config[keys[0]][keys[1]]...: a value configure writes, or why it is missing."""
        value = self.config
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                raise DeliveryError(self.config_path, f"has no {'.'.join(keys)}",
                                    expected="a build tree configured by this version of the superbuild",
                                    fix=FIX_CONFIGURE)
            value = value[key]
        return value

    @property
    def manifest_path(self):
        return self.setting("native_manifest")

    @property
    def manifest(self):
        """The native build's manifest: a missing one (never built) or a damaged
        one (the build's check, cmake/scripts/check_native_manifest.cmake,
        rewrites it before each build) is refused with what to run."""
        if self._manifest is None:
            path = self.manifest_path
            packages = ", ".join(p["name"] for p in self.config.get("packages", []))
            try:
                with open(path, encoding="utf-8") as handle:
                    found = json.load(handle)
                if not isinstance(found, dict):
                    raise ValueError(f"a JSON {type(found).__name__}, not an object")
            except FileNotFoundError:
                raise DeliveryError(path, f"no module list of {packages}",
                                    expected=f"the module list of {packages} the build writes",
                                    fix=FIX_BUILD) from None
            except ValueError as exc:
                raise DeliveryError(path, "is not the manifest the native build wrote", found=str(exc),
                                    fix="build again (`cmake --build <build>`) to have it rewritten, or remove "
                                        "it and configure the native build again: "
                                        f"rm {path} && cmake {self.config.get('native_dir')}") from None
            self._manifest = found
        return self._manifest

    def manifest_if_built(self):
        """The manifest, or {} before the native build's first configure."""
        return self.manifest if os.path.isfile(self.manifest_path) else {}

    def abi_audit(self):
        """The abi-audit the native build built, as its manifest names it."""
        path = self.manifest.get("abi_audit")
        if not path or not os.path.isfile(path):
            raise DeliveryError(self.manifest_path, f"names no abi-audit that exists ({path!r})",
                                expected='"abi_audit": <the abi-audit the native build built>', fix=FIX_BUILD)
        return path

    def listing(self, package):
        """The manifest's entry for one configured package: {dist, modules}."""
        listing = self.manifest.get("packages", {}).get(package)
        if listing is None:
            raise DeliveryError(self.manifest_path, f"the native build lists no {package}",
                                expected=f"{package} among its packages, as configured", fix=FIX_BUILD)
        return listing

    @staticmethod
    def audit(module):
        """The JSON a module's passing audit left (its audit stamp)."""
        return load_json(module["audit"], f"ABI audit of {module['import']}")

    def judged_file(self, key):
        """An abi-audit report the manifest names (input_wheel_tags,
        input_wheel_load: the input wheels' judgement), None when there is none."""
        path = self.manifest_if_built().get(key) or ""
        return load_json(path, f"abi-audit report ({key})") if os.path.isfile(path) else None


def judge_platform_tags(abi_audit, manylinux_policy, paths, what):
    """`abi-audit --platform-tag` over paths all at once (the set's own
    modules provided to each other): (its JSON, its text report).
    what: the paths judged, for the message when it cannot judge them."""
    with tempfile.TemporaryDirectory(prefix="trellis2-tags.") as tmp:
        out = os.path.join(tmp, "tags.json")
        result = subprocess.run([abi_audit, "--platform-tag", "--manylinux-policy", manylinux_policy,
                                 "--json-out", out, *paths],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise DeliveryError(abi_audit, f"could not judge the platform tags of {what} "
                                f"(exit {result.returncode})", found=result.stdout.strip()[-2000:],
                                expected=f"{what}, readable",
                                fix="build again (cmake --build <build>), then retry")
        return load_json(out, "platform tags (abi-audit --platform-tag)"), result.stdout
