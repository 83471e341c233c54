"""sbom: a CycloneDX 1.6 bill of materials per distribution of the set
(PEP 770), written with the OWASP library into the staged dist-info as
sboms/trellis2-native.cdx.json, where repack and install both carry it.

It names the upstream source (repository and commit as a purl, or a local
checkout with its `git describe`), the patches and the input wheel with
their sha256, the toolchain, and per module the ABI audit (passed, highest
symbol versions, policy, and the platform tag once the audit states one).
Same inputs, same bytes: no clock (the timestamp is SOURCE_DATE_EPOCH),
no random serial number (a UUID derived from the document), sorted output,
and no path of the build: a source is its pin's repository and commit (a
local repository or a source-cache tree is not named), so two checkouts
write the same bytes; paths written are a developer's checkout and the
compilers."""

import datetime
import functools
import os
import re
import uuid

from ..deliver.repack import epoch, labelled
from ..errors import DeliveryError
from ..results import Build
from ..spec import names
from . import sbom_facts

SBOM_NAME = "sboms/trellis2-native.cdx.json"
PIP_LINE = "python3 -m pip install 'cyclonedx-python-lib[json-validation]==11.12.0'"
NS = "trellis2-native"   # property name prefix (CycloneDX property taxonomy)
_SERIAL_NAMESPACE = uuid.UUID("6f1c7f5e-4d3a-5b8e-9c61-7a2e0b9d4c10")   # fixed: ours alone
_GITHUB = re.compile(r"^(?:https://|git@)github\.com[/:]([^/]+)/(.+?)(?:\.git)?/?$")


@functools.lru_cache(maxsize=None)
def _library():
    """The cyclonedx modules, or the pip line that installs them."""
    try:
        from cyclonedx import model
        from cyclonedx.model import bom, component, tool
        from cyclonedx.output.json import JsonV1Dot6
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
        import packageurl
        from cyclonedx.exception import MissingOptionalDependencyException
    except ImportError as exc:
        raise DeliveryError("cyclonedx-python-lib", "the SBOM library is not installed",
                            found=str(exc), expected="cyclonedx-python-lib 11 with its JSON validator",
                            fix=PIP_LINE) from None
    try:   # the validator's dependencies (the json-validation extra) load on first use
        JsonStrictValidator(SchemaVersion.V1_6).validate_str('{"bomFormat": "CycloneDX", "specVersion": "1.6"}')
    except MissingOptionalDependencyException as exc:
        raise DeliveryError("cyclonedx-python-lib", "its JSON validator's dependencies are not installed",
                            found=str(exc), expected="cyclonedx-python-lib[json-validation]",
                            fix=PIP_LINE) from None
    _check_major(library_version())
    return model, bom, component, tool, JsonV1Dot6, SchemaVersion, JsonStrictValidator, packageurl


def _check_major(found):
    """Another major writes other bytes for the same facts: one major, pinned."""
    if found.split(".")[0] != "11":
        raise DeliveryError("cyclonedx-python-lib", f"version {found} is installed",
                            found=found, expected="11.x (the SBOM bytes are this major's)", fix=PIP_LINE)


def library_version():
    import importlib.metadata
    return importlib.metadata.version("cyclonedx-python-lib")


def check_library():
    """What configure asks, from the installed distributions' metadata
    alone (importing the library and its validator takes ~2 s, before the
    first compile): cyclonedx-python-lib 11 and what its json-validation
    extra requires. The SBOM step itself loads them (_library) and says
    what is broken if this passed and they still fail. Returns the version."""
    import importlib.metadata
    from packaging.requirements import Requirement
    try:
        found = library_version()
    except importlib.metadata.PackageNotFoundError:
        raise DeliveryError("cyclonedx-python-lib", "the SBOM library is not installed", found="nothing",
                            expected="cyclonedx-python-lib 11 with its JSON validator", fix=PIP_LINE) from None
    _check_major(found)
    for line in importlib.metadata.requires("cyclonedx-python-lib") or []:
        need = Requirement(line)
        if not (need.marker and need.marker.evaluate({"extra": "json-validation"})):
            continue
        try:
            have = importlib.metadata.version(need.name)
        except importlib.metadata.PackageNotFoundError:
            have = None
        if have is None or not need.specifier.contains(have, prereleases=True):
            raise DeliveryError("cyclonedx-python-lib", "its JSON validator's dependencies are not installed",
                                found=f"{need.name} {have or 'missing'}", expected=str(need), fix=PIP_LINE)
    return found



def is_local_repository(repository):
    """A repository on this machine's disk (file:// or a path): where it lies
    is not what the source is, and a build elsewhere would name another path."""
    return repository.startswith(("file:", "/"))


def source_purl(packageurl, source):
    """pkg:github/<owner>/<repo>@<commit>, else pkg:generic with vcs_url; a
    local repository is named by its commit alone."""
    match = _GITHUB.match(source["repository"])
    if match:
        return packageurl.PackageURL(type="github", namespace=match.group(1), name=match.group(2),
                                     version=source["commit"])
    qualifiers = {} if is_local_repository(source["repository"]) else {
        "vcs_url": f"git+{source['repository']}@{source['commit']}"}
    return packageurl.PackageURL(type="generic", name=source["package"], version=source["commit"],
                                 qualifiers=qualifiers)


class _Writer:
    """One document: components with deterministic bom-refs, their edges."""

    def __init__(self, lib):
        (self.model, self.bom_mod, self.component, self.tool, self.output, self.schema,
         self.validator, self.packageurl) = lib
        self.components, self.edges = [], {}

    def props(self, **values):
        Property = self.model.Property
        return [Property(name=f"{NS}:{key.replace('_', '-')}", value=str(value))
                for key, value in values.items() if value is not None]

    def hashes(self, sha256):
        return [self.model.HashType(alg=self.model.HashAlgorithm.SHA_256, content=sha256)]

    def add(self, ref, type_, name, depends=(), **kwargs):
        comp = self.component.Component(type=getattr(self.component.ComponentType, type_),
                                         name=name, bom_ref=ref, **kwargs)
        self.components.append(comp)
        self.edges[ref] = list(depends)
        return comp


def _source(w, source):
    """The upstream source and its patches; returns the source's bom-ref."""
    patch_refs = []
    for patch in source["patches"]:
        ref = f"patch:{patch['name']}"
        w.add(ref, "FILE", patch["name"], hashes=w.hashes(patch["sha256"]),
              properties=w.props(patch_of=source["package"]))
        patch_refs.append(ref)
    ref = f"source:{source['package']}"
    kwargs = {}
    if source["kind"] == "local":
        # A developer's checkout: its own state, not the pin.
        version = source["describe"]
        props = w.props(source_kind="local", source_tree=source["tree"], git_describe=version)
    else:
        # Named by what it is (the pin's repository and commit), never by
        # where this build found it (a source cache, a local repository), so
        # builds of one commit at two paths write the same bytes.
        version = source["commit"]
        kwargs["purl"] = source_purl(w.packageurl, source)
        remote = not is_local_repository(source["repository"])
        if remote:
            kwargs["external_references"] = [w.model.ExternalReference(
                type=w.model.ExternalReferenceType.VCS, url=w.model.XsUri(source["repository"]))]
        props = w.props(source_kind=source["kind"], source_commit=source["commit"],
                        source_repository=source["repository"] if remote else None)
    w.add(ref, "LIBRARY", source["package"], depends=patch_refs, version=version,
          properties=props, **kwargs)
    return ref


def _load_props(module):
    """The proof of where it loads beyond the OS, as the audit stated it."""
    device, symbols = module["device_code"], module["torch_symbols"]
    return {"device_sass": " ".join(device.get("sass") or []) or "none",
            "device_ptx": " ".join(device.get("ptx") or []) or "none",
            "device_requested": device.get("requested"),
            "gpu_verdict": device.get("verdict"),
            "torch_symbols": "not checked" if symbols is None else
            "all defined by " + (", ".join(symbols["searched"]) or "the system's libraries")}


def _module(w, module, depends):
    ceilings = {f"audit_ceiling_{k}": v for k, v in sorted(module["ceilings"].items())}
    highest = {f"audit_highest_{k}": v for k, v in sorted(module["highest"].items())}
    ref = f"module:{module['import']}"
    w.add(ref, "FILE", module["path"], depends=depends, hashes=w.hashes(module["sha256"]),
          properties=w.props(module=module["import"], audit_passed=str(module["passed"]).lower(),
                             audit_policy=module["policy"], platform_tag=module["platform_tag"],
                             **highest, **ceilings, **_load_props(module)))
    return ref


def _tools(w, tc):
    Component, ComponentType = w.component.Component, w.component.ComponentType
    return [
        Component(type=ComponentType.APPLICATION, name="gcc" if tc["cxx_id"] == "GNU" else tc["cxx_id"],
                  version=tc["cxx_version"], properties=w.props(path=tc["cxx_path"])),
        Component(type=ComponentType.APPLICATION, name="nvcc", version=tc["nvcc_version"],
                  properties=w.props(path=tc["nvcc_path"])),
        Component(type=ComponentType.APPLICATION, name="cpython", version=tc["python_version"]),
        Component(type=ComponentType.LIBRARY, name="cyclonedx-python-lib",
                  version=library_version()),
    ]


def document(dist, version, facts, tc, timestamp):
    """The SBOM of one distribution as JSON text (validated against the schema)."""
    w = _Writer(_library())
    source_ref = _source(w, facts["source"])
    torch_ref = "pkg:pypi/torch@" + tc["torch"]
    w.add(torch_ref, "FRAMEWORK", "torch", version=tc["torch"],
          purl=w.packageurl.PackageURL(type="pypi", name="torch", version=tc["torch"]),
          properties=w.props(torch_cuda=tc["torch_cuda"]))
    dist_depends = [_module(w, m, [source_ref, torch_ref]) for m in facts["modules"]]
    dist_depends += [source_ref, torch_ref]
    wheel = facts["source"]["input_wheel"]
    if wheel:
        ref = f"input-wheel:{wheel['file']}"
        w.add(ref, "LIBRARY", wheel["name"], version=wheel["version"], hashes=w.hashes(wheel["sha256"]),
              properties=w.props(input_wheel=wheel["file"], role="the Python code comes from this wheel"))
        dist_depends.append(ref)
    purl = w.packageurl.PackageURL(type="pypi", name=names.normalize(dist), version=version)
    main = w.component.Component(type=w.component.ComponentType.LIBRARY, name=dist, version=version,
                                 bom_ref=str(purl), purl=purl)
    w.edges[str(purl)] = dist_depends
    metadata = w.bom_mod.BomMetaData(
        timestamp=datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc),
        component=main, tools=w.tool.ToolRepository(components=_tools(w, tc)))
    bom = w.bom_mod.Bom(metadata=metadata, components=w.components, serial_number=uuid.UUID(int=0))
    by_ref = {str(c.bom_ref): c for c in w.components + [main]}
    for ref, depends in w.edges.items():
        bom.register_dependency(by_ref[ref], [by_ref[d] for d in depends])
    # The serial number is derived from the document itself (with a nil one).
    draft = w.output(bom).output_as_string(indent=2)
    bom.serial_number = uuid.uuid5(_SERIAL_NAMESPACE, draft)
    text = w.output(bom).output_as_string(indent=2) + "\n"
    error = w.validator(w.schema.V1_6).validate_str(text)
    if error:
        raise DeliveryError(dist, "the SBOM written does not validate against CycloneDX 1.6",
                            found=str(error), fix="report it: a fact above has a shape the schema refuses")
    return text


def write_sboms(build, stage=None, dists=(), manylinux_policy=None):
    """Write the SBOM into each staged distribution's dist-info (only when it
    changed); returns the paths written. build: a results.Build, or the path
    of its report-config.json. With manylinux_policy (auditwheel's JSON), each
    module's platform tag is judged, by the abi-audit the native build's
    manifest names, and stated."""
    build = build if isinstance(build, Build) else Build(build)
    config = build.config
    stage = stage or build.setting("delivery", "stage")
    label = build.setting("delivery", "label")
    wanted = {names.normalize(d) for d in dists}
    tc = sbom_facts.toolchain(config)
    timestamp = epoch()
    written = []
    every = sbom_facts.distributions(build, stage)
    if manylinux_policy:
        modules = [m for facts in every for m in facts["modules"]]
        tags = sbom_facts.platform_tags(build, manylinux_policy, stage, [m["path"] for m in modules])
        for module in modules:
            module["platform_tag"] = tags[module["path"]]
    unknown = wanted - {names.normalize(f["dist"]) for f in every}
    if unknown:
        raise DeliveryError(build.config_path, f"no package of this build delivers {', '.join(sorted(unknown))}",
                            found=", ".join(f["dist"] for f in every), expected="a distribution of the set",
                            fix="pass --dist with one of the names found, or none for all")
    for facts in every:
        if wanted and names.normalize(facts["dist"]) not in wanted:
            continue
        dist_info = names.find_dist_info(stage, facts["dist"])
        version = labelled(names.split_dist_info(dist_info)[1], label)
        text = document(facts["dist"], version, facts, tc, timestamp)
        path = os.path.join(stage, dist_info, SBOM_NAME)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not os.path.isfile(path) or open(path, encoding="utf-8").read() != text:
            with open(path + ".tmp", "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            os.replace(path + ".tmp", path)
        written.append(path)
    return written
