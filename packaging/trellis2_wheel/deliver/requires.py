"""The requirements a delivered distribution declares.

Read from the pinned source's pyproject.toml in source mode (the input
wheel's METADATA brings them in wheel mode), kept as the upstream wrote
them in the stage, and rewritten where the distribution is delivered
(repack, install), because only there are the versions known:
- a requirement on a distribution of the set (o_voxel's `cumesh @
  git+https://...`) becomes `cumesh==<the version delivered beside it>`:
  otherwise pip would clone the upstream's HEAD and build it over ours;
- `torch` becomes `torch==<the torch built against>` (public version, so
  2.7.0+cu126 satisfies it): the native modules only load in that torch;
- anything else is kept as written (extras and markers included)."""

import ast
import os
import re
import sys

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from ..errors import DeliveryError
from ..spec import names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the configured Python is 3.11+ in CI; tomli is its backport
    import tomli as tomllib

TORCH = "torch"


def parse(text, subject):
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        raise DeliveryError(subject, f"invalid requirement {text!r}", found=str(exc),
                            expected="a PEP 508 requirement, e.g. 'numpy>=1.21' or "
                                     "'cumesh @ git+https://...'",
                            fix="correct the upstream's dependency list") from None


def from_pyproject(source_dir):
    """(requires_python or None, [requirement strings], note or None) of the
    source at source_dir. [project].dependencies when it is declared there;
    when it is `dynamic` (or absent) setup.py's install_requires, but only a
    literal list (setup.py is not run), else none, with a note saying so."""
    pyproject = os.path.join(source_dir, "pyproject.toml")
    try:
        with open(pyproject, "rb") as handle:
            project = tomllib.load(handle).get("project", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DeliveryError(pyproject, "cannot read the upstream's pyproject.toml", found=str(exc),
                            expected="the TOML file at the root of the pinned source",
                            fix="check the source tree (its pin and patches)") from None
    requires_python = project.get("requires-python")
    if requires_python is not None:
        try:
            SpecifierSet(requires_python)
        except InvalidSpecifier as exc:
            raise DeliveryError(pyproject, f"invalid requires-python {requires_python!r}",
                                found=str(exc), fix="correct the upstream's pyproject.toml") from None
    if "dependencies" in project:
        deps, note = project["dependencies"], None
    else:
        deps, note = _setup_py_install_requires(os.path.join(source_dir, "setup.py"))
    for dep in deps:
        parse(dep, pyproject)
    return requires_python, list(deps), note


def _setup_py_install_requires(setup_py):
    """install_requires=[...] of a setup() call, read with ast when it is a
    literal list of strings; ([], note) otherwise."""
    try:
        with open(setup_py, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), setup_py)
    except (OSError, SyntaxError):
        return [], "no [project].dependencies and no readable setup.py: none declared"
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "install_requires":
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return [], "setup.py computes install_requires (not a literal list): none delivered"
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                return list(value), "dependencies from setup.py's literal install_requires"
    return [], "no [project].dependencies and no install_requires: none declared"


def rewrite(requirement, siblings, torch_version):
    """(new requirement text, why or None) for one requirement.
    siblings: normalized name -> the version delivered in the same set."""
    req = parse(requirement, "Requires-Dist")
    key = names.normalize(req.name)
    if key in siblings:
        pinned, why = siblings[key], "built in the same set"
    elif key == TORCH and torch_version:
        pinned, why = torch_version, "the native modules' ABI is this torch's"
    else:
        if req.url:
            return requirement, (f"WARNING: kept a direct reference to {req.name}, which this "
                                 "build does not deliver: pip would fetch and build it")
        return requirement, None
    public = Version(pinned).public
    if req.specifier and not req.specifier.contains(public, prereleases=True):
        raise DeliveryError(requirement, f"excludes the {req.name} {pinned} delivered with it",
                            found=f"{req.name} {pinned} ({why})",
                            expected=f"a requirement {public} satisfies",
                            fix=f"build against a {req.name} the upstream accepts, or patch its dependency list")
    new = req.name + (f"[{','.join(sorted(req.extras))}]" if req.extras else "") + f"=={pinned}"
    if req.marker:
        new += f"; {req.marker}"
    return new, why


_REQUIRES = re.compile(r"(?m)^Requires-Dist:[ \t]*(.*?)[ \t]*$")


def rewrite_metadata(text, siblings, torch_version):
    """METADATA with its Requires-Dist headers rewritten in place (the body
    and every other header byte for byte); returns (text, requirements),
    one {"from", "to", "why"} per requirement: why is None for one kept as
    written, a WARNING for a direct reference kept (to == from)."""
    head, sep, body = text.partition("\n\n")
    rewrites = []

    def one(match):
        new, why = rewrite(match[1], siblings, torch_version)
        rewrites.append({"from": match[1], "to": new, "why": why})
        return f"Requires-Dist: {new}"
    return _REQUIRES.sub(one, head) + sep + body, rewrites


def read_metadata(stage, dist_info):
    with open(os.path.join(stage, dist_info, "METADATA"), encoding="utf-8") as handle:
        return handle.read()


def staged_versions(stage, dists=()):
    """normalized name -> version of every staged distribution (or those in dists)."""
    wanted = {names.normalize(d) for d in dists}
    return {names.normalize(name): version for _, name, version in names.list_dist_infos(stage)
            if not wanted or names.normalize(name) in wanted}


def describe(dist, rewrites):
    """One line per requirement rewritten or kept with a warning."""
    for item in rewrites:
        if item["why"] and item["to"] == item["from"]:
            yield f"{item['why']} ({dist}: {item['from']})"
        elif item["why"]:
            yield f"note: {dist} requires {item['to']} (was {item['from']}: {item['why']})"
