"""Command line: one subcommand per delivery step. Each prints what it did on
stdout, problems on stderr, and exits with the codes in errors.py."""

import argparse
import io
import os
import signal
import sys
import sysconfig

from . import final_message
from .apicheck import apicheck
from .deliver import cells, index, install, repack, requires, txn, wheels
from .errors import EXIT_OK, DeliveryError
from .inputs import pins, reader, wheelcheck
from .sbom import sbom
from .spec import names, tags
from .stage import distinfo, stage


def _check_wheel(args):
    wheel = wheelcheck.check_wheel(args.wheel, args.package, args.python_tag,
                                   pins.read(args.pins))
    wheel.warn()
    meta = wheel.metadata
    print(f"ok: {args.wheel}: {meta['Name']} {meta['Version']} "
          f"({', '.join(wheel.wheel_tags)}), {len(wheel.files)} files"
          + (f", {len(wheel.record_warnings)} RECORD mismatch(es) accepted by the pin"
             if wheel.record_warnings else " match RECORD")
          + (f", sha256 {wheel.sha256} is pinned" if wheel.pinned else ""))


def _find_wheel(args):
    print(wheelcheck.find_wheel(args.dir, args.package))


def _stage_wheel(args):
    report = stage.stage_wheel(args.wheel, args.stage, args.native, strict=args.strict,
                               pin_list=pins.read(args.pins))
    if args.report:
        stage.write_report(report, args.report)


def _api_uses(args):
    code, _, uses, unresolved = apicheck.api_uses(args.python, natives=args.module,
                                                  native_dir=args.native, packages=args.package)
    for use in uses:
        print(f"{use.path}:{use.line} {use.expr} -> {use.module}.{use.attr}")
    for item in unresolved:
        print(f"{item.path}:{item.line} imports {item.module} -> unresolved")


def _api_check(args):
    apicheck.api_check(args.python, args.native, packages=args.package,
                       interpreter=args.interpreter,
                       preload=[] if args.no_preload else args.preload or ["torch"])


def _install(args):
    report = io.StringIO()
    install.install(args.stage, args.site_packages, dists=args.dist, dry_run=args.dry_run,
                    out=report, torch_version=args.torch_version)
    final_message.tell(report.getvalue().rstrip("\n"), sys.stdout)


def _recover(args):
    fd = txn.lock(args.site_packages)
    try:
        count = txn.recover(args.site_packages)
    finally:
        os.close(fd)
    print(f"{count} interrupted install(s) rolled back in {args.site_packages}")


def _repack(args):
    path, rewrites = repack.repack(args.stage, args.dist, args.local_label, args.out,
                                   python_tag=args.python_tag, abi_tag=args.abi_tag,
                                   platform_tag=args.platform_tag, wheel_set=args.set,
                                   torch_version=args.torch_version)
    for line in requires.describe(args.dist, rewrites):
        print(line, file=sys.stderr)   # stdout is the wheel's path
    print(path)


def _sbom(args):
    if args.check_library:
        print(f"cyclonedx-python-lib {sbom.check_library()} with its JSON validator")
        return
    if not args.config:
        raise DeliveryError("sbom", "--config is required", expected="--config <build>/report-config.json",
                            fix="pass the build's report-config.json (configure writes it)")
    for path in sbom.write_sboms(args.config, stage=args.stage, dists=args.dist,
                                 manylinux_policy=args.manylinux_policy):
        print(path)


def _index(args):
    projects = index.write_index(args.dist)
    print(f"{os.path.join(args.dist, 'simple')}: {len(projects)} project(s), "
          f"{sum(map(len, projects.values()))} wheel(s)")
    if args.cells_root:
        cells.write_root_page(args.cells_root)


def _wheels(args):
    wheels.make_wheels(args.config)


def _cells(args):
    cells.write_root_page(args.root)
    print(cells.table(args.root))


def _requirements(args):
    """What repack will pin, per staged distribution, as JSON (the build report's),
    with the lines repack prints about it (notes)."""
    import json
    siblings = repack.set_versions(args.stage, args.local_label, args.set)
    result = {}
    for dist_info, name, _ in names.list_dist_infos(args.stage):
        if names.normalize(name) in siblings:
            text = requires.read_metadata(args.stage, dist_info)
            rewrites = requires.rewrite_metadata(text, siblings, args.torch_version)[1]
            result[name] = {"requires_python": reader.parse_headers(text).get("Requires-Python"),
                            "requirements": rewrites, "notes": list(requires.describe(name, rewrites))}
    print(json.dumps(result, indent=1, sort_keys=True))


def _make_dist_info(args):
    reqs, requires_python = list(args.requires), None
    if args.source:
        requires_python, declared, note = requires.from_pyproject(args.source)
        reqs = declared + reqs
        if note:
            print(f"note: {args.name}: {note}", file=sys.stderr)
    made = distinfo.make_dist_info(args.stage, args.name, args.version, args.top_level,
                                   requires=reqs, summary=args.summary,
                                   requires_python=requires_python)
    print(os.path.join(args.stage, made))


def _native_pattern(_args):
    print(names.NATIVE_PATTERN)


def _set_arguments(c, many):
    c.add_argument("--set", metavar="NAME", help="the distributions delivered together, "
                   "pinned to each other's versions (default: every staged one)", **many)
    c.add_argument("--torch-version", help="the torch the modules were built against, e.g. "
                   "2.7.0: `torch` requirements become torch==VERSION (default: kept as written)")


def parser():
    p = argparse.ArgumentParser(prog="trellis2_wheel", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    many = {"action": "extend", "nargs": "+", "default": []}

    c = sub.add_parser("check-wheel", help="refuse a wrong, damaged or unexpected wheel")
    c.add_argument("wheel")
    c.add_argument("--package", required=True, help="distribution the wheel must be")
    c.add_argument("--python-tag", default=tags.interpreter_python_tag(),
                   help="configured Python, e.g. cp311 (default: this interpreter's)")
    c.add_argument("--pins", help="the pin list, sha256 of the wheels whose RECORD "
                   "mismatches are known (default: the repository's third_party/wheels.cmake)")
    c.set_defaults(run=_check_wheel)

    c = sub.add_parser("find-wheel", help="print the path of a package's one wheel in DIR")
    c.add_argument("dir")
    c.add_argument("--package", required=True)
    c.set_defaults(run=_find_wheel)

    c = sub.add_parser("stage-wheel", help="unpack a wheel without its native files")
    c.add_argument("wheel")
    c.add_argument("--stage", required=True, help="stage directory (site-packages layout)")
    c.add_argument("--native", metavar="MODULE", help="import names the build produces", **many)
    c.add_argument("--strict", action="store_true", help="a native file not rebuilt is an error")
    c.add_argument("--report", help="also write the native-file report as JSON here")
    c.add_argument("--pins", help="the pin list (as for check-wheel)")
    c.set_defaults(run=_stage_wheel)

    for name, func, help_ in (("api-uses", _api_uses, "print every native attribute the Python uses"),
                              ("api-check", _api_check, "fail if a used native name is not built")):
        c = sub.add_parser(name, help=help_)
        c.add_argument("--python", required=True, metavar="DIR_OR_WHEEL",
                       help="stage/site-packages dir, package dir, or wheel with the Python code")
        c.add_argument("--native", required=name == "api-check", metavar="DIR",
                       help="directory of built modules, site-packages layout")
        c.add_argument("--package", metavar="NAME", help="top-level packages to scan", **many)
        if name == "api-uses":
            c.add_argument("--module", metavar="MODULE", help="also count these as native", **many)
        else:
            c.add_argument("--interpreter", help="Python that loads the modules (default: this one)")
            c.add_argument("--preload", metavar="MODULE", action="extend", nargs="+",
                           help="import these first (default: torch)")
            c.add_argument("--no-preload", action="store_true", help="import nothing first")
        c.set_defaults(run=func)

    c = sub.add_parser("install", help="lay the stage over a site-packages, atomically")
    c.add_argument("--stage", required=True)
    c.add_argument("--site-packages", default=sysconfig.get_paths()["platlib"],
                   help="target (default: this interpreter's platlib)")
    c.add_argument("--dist", metavar="NAME", help="only these staged distributions", **many)
    c.add_argument("--dry-run", action="store_true", help="print the changes, make none")
    c.add_argument("--torch-version", help="as for repack: `torch` requirements of the installed "
                   "METADATA become torch==VERSION (default: kept as written)")
    c.set_defaults(run=_install)

    c = sub.add_parser("recover", help="roll back an install interrupted by SIGKILL or a crash")
    c.add_argument("--site-packages", default=sysconfig.get_paths()["platlib"])
    c.set_defaults(run=_recover)

    c = sub.add_parser("repack", help="write a repaired wheel from the stage")
    c.add_argument("--stage", required=True)
    c.add_argument("--dist", required=True)
    c.add_argument("--local-label", required=True, help="e.g. torch270.cu126")
    c.add_argument("--out", required=True, help="directory for the .whl")
    c.add_argument("--python-tag", help="default: from the native files' suffix")
    c.add_argument("--abi-tag", help="default: the python tag (abi3 for .abi3.so)")
    c.add_argument("--platform-tag", help="default: this machine's, e.g. linux_x86_64")
    _set_arguments(c, many)
    c.set_defaults(run=_repack)

    c = sub.add_parser("sbom", help="write each staged distribution's CycloneDX SBOM "
                       f"(<dist-info>/{sbom.SBOM_NAME}), which repack and install carry")
    c.add_argument("--check-library", action="store_true",
                   help="only check that cyclonedx-python-lib and its validator are installed")
    c.add_argument("--config", metavar="FILE",
                   help="the build's report-config.json (toolchain, provenance, stage, label)")
    c.add_argument("--stage", help="default: the stage the configuration names")
    c.add_argument("--dist", metavar="NAME", help="only these distributions", **many)
    c.add_argument("--manylinux-policy", metavar="FILE", help="auditwheel's manylinux-policy.json: state each "
                   "module's platform tag, judged by `abi-audit --platform-tag` (the one the native build's "
                   "manifest names) over the staged modules")
    c.set_defaults(run=_sbom)

    c = sub.add_parser("index", help="write DIR/simple, a PEP 503 index of the wheels in DIR, "
                       "and DIR/index.html, their find-links page")
    c.add_argument("--dist", required=True, metavar="DIR")
    c.add_argument("--cells-root", metavar="ROOT", help="DIR is a cell of ROOT: rewrite ROOT/index.html, "
                   "the list of ROOT's cells")
    c.set_defaults(run=_index)

    c = sub.add_parser("wheels", help="the wheels target: SBOMs, then each distribution's repaired wheel, "
                       "audited and tagged with the platform tag it earns, into this build's cell of the "
                       "dist directory, indexed")
    c.add_argument("--config", required=True, metavar="FILE",
                   help="the build's report-config.json (stage, set, label, cell, policies, manifest)")
    c.set_defaults(run=_wheels)

    c = sub.add_parser("cells", help="list the torch x CUDA cells of a dist directory: ROOT/index.html, "
                       "and a table of cells x packages with tags and sizes on stdout")
    c.add_argument("--root", required=True, metavar="ROOT")
    c.set_defaults(run=_cells)

    c = sub.add_parser("requirements", help="print, as JSON, the requirements repack writes "
                       "for each staged distribution and why each was rewritten")
    c.add_argument("--stage", required=True)
    c.add_argument("--local-label", required=True)
    _set_arguments(c, many)
    c.set_defaults(run=_requirements)

    c = sub.add_parser("make-dist-info", help="source mode: write a dist-info for staged code")
    c.add_argument("--stage", required=True)
    c.add_argument("--name", required=True)
    c.add_argument("--version", required=True)
    c.add_argument("--top-level", required=True, metavar="PKG", action="extend", nargs="+")
    c.add_argument("--requires", metavar="REQ", help="Requires-Dist lines", **many)
    c.add_argument("--source", metavar="DIR", help="the upstream source: Requires-Python and "
                   "Requires-Dist from its pyproject.toml (setup.py's literal install_requires "
                   "when dependencies are dynamic)")
    c.add_argument("--summary")
    c.set_defaults(run=_make_dist_info)

    c = sub.add_parser("native-pattern", help="print the regular expression (Python and "
                       "CMake syntax) of a native file name")
    c.set_defaults(run=_native_pattern)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return _run(args)
    finally:
        final_message.deliver()


def _run(args):
    try:
        args.run(args)
    except DeliveryError as exc:
        final_message.tell(f"{args.command}: {exc.render()}")
        return exc.code
    except txn.Interrupted as exc:
        name = signal.Signals(exc.signum).name
        final_message.tell(f"{args.command}: interrupted by {name}; rolled back, nothing changed")
        return 128 + exc.signum
    except KeyboardInterrupt:
        final_message.tell(f"{args.command}: interrupted")
        return 128 + signal.SIGINT
    return EXIT_OK
