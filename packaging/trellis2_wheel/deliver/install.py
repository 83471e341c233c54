"""install: lay a stage over a site-packages, atomically.

A distribution already installed there (its dist-info exists, any version)
gets only its native files replaced, the build's SBOM added to its
dist-info and their RECORD lines rewritten, so pip keeps owning every file. One not installed is written whole, with
INSTALLER and a RECORD. Every change goes through one txn.Transaction."""

import os
import sys

from installer.records import RecordEntry

from ..errors import EXIT_INSTALL_FAILED, DeliveryError
from ..spec import names, record
from ..stage import distinfo
from . import requires, txn, whole_install

INSTALLER = "trellis2-native\n"


def _read(root, rel):
    with open(os.path.join(root, rel), "rb") as handle:
        return handle.read()


def _mode(rel):
    return 0o755 if names.is_native(rel) else 0o644


class Plan:
    """The changes for one distribution: adds (rel -> bytes), removes, and
    the lines printed by --dry-run and after the install."""

    def __init__(self, name):
        self.name = name
        self.adds = {}
        self.removes = []
        self.lines = []
        self.summary = ""
        self.rewrites = []


def _requirements(plan, root, dist_info, siblings, torch_version):
    """The METADATA bytes with the requirements pinned as a repaired wheel
    pins them (requires.py), or None when nothing changes."""
    text = requires.read_metadata(root, dist_info)
    new, plan.rewrites = requires.rewrite_metadata(text, siblings, torch_version)
    plan.lines += requires.describe(plan.name, plan.rewrites)
    return new.encode("utf-8") if new != text else None


def _sboms(staged_files, dist_info, installed):
    """installed path -> staged path of the build's SBOMs (<dist-info>/sboms/,
    PEP 770): they describe the native files the overlay brings, so they go
    into the installed dist-info with them."""
    prefix = f"{dist_info}/sboms/"
    return {f"{installed}/{rel[len(dist_info) + 1:]}": rel
            for rel in staged_files if rel.startswith(prefix)}


def _overlay(stage, site, name, stage_entries, installed, siblings, torch_version, dist_info):
    """Only native files and the build's SBOMs change, and the installed
    METADATA's requirements are pinned; their RECORD lines are rewritten."""
    plan = Plan(name)
    sboms = _sboms([e.path for e in stage_entries], dist_info, installed)
    metadata_rel = f"{installed}/METADATA"
    metadata = _requirements(plan, site, installed, siblings, torch_version)
    record_rel = f"{installed}/RECORD"
    if not os.path.isfile(os.path.join(site, record_rel)):
        raise DeliveryError(
            os.path.join(site, installed), "installed without a RECORD",
            expected="a dist-info with RECORD (as pip writes it)",
            fix="reinstall the wheel with pip (`pip install --force-reinstall --no-deps <wheel>`)")
    entries = [e for e in record.read(os.path.join(site, record_rel)) if e.path != record_rel]
    installed_hash = {e.path: e.hash_ for e in entries}
    staged = {names.module_of(e.path): e.path for e in stage_entries if names.is_native(e.path)}
    new_entries, placed = [], set()
    for kept in entries:
        path = kept.path
        module = names.module_of(path) if names.is_native(path) else None
        if module in staged:
            rel = staged[module]
            if path != rel:   # e.g. the wheel's cpython-312 file for a cpython-311 build
                plan.removes.append(path)
                plan.lines.append(f"remove  {path} (same module as {rel})")
            if rel not in placed:
                new_entries.append(record.file_entry(stage, rel))
                placed.add(rel)
        elif path == metadata_rel and metadata is not None:
            new_entries.append(record.entry(path, metadata))
        elif path in sboms:
            continue   # listed below, as the stage has it
        else:
            if module:
                plan.lines.append(f"WARNING: keep {path}: the stage has no {module}, "
                                  "so it stays the wheel's binary")
            new_entries.append(_true_entry(site, kept, plan))
    # Modules the installed wheel did not have are added at the end.
    new_entries += [record.file_entry(stage, rel) for rel in sorted(staged.values())
                    if rel not in placed]
    for target, rel in sorted(sboms.items()):
        data = _read(stage, rel)
        new_entries.append(record.entry(target, data))
        plan.adds[target] = data
        plan.lines.append(f"replace {target}" if target in installed_hash else f"add     {target}")
    new_entries.append(RecordEntry(record_rel, None, None))
    for rel in sorted(staged.values()):
        plan.adds[rel] = _read(stage, rel)
        plan.lines.append(f"replace {rel}" if rel in installed_hash else f"add     {rel}")
    if metadata is not None:
        plan.adds[metadata_rel] = metadata
        plan.lines.append(f"rewrite {metadata_rel} (requirements)")
    plan.adds[record_rel] = record.render(new_entries).encode("utf-8")
    plan.lines.append(f"rewrite {record_rel} ({len(staged)} native line(s))")
    differing = [e.path for e in stage_entries
                 if not names.is_native(e.path) and ".dist-info/" not in e.path
                 and e.path in installed_hash and installed_hash[e.path] != e.hash_]
    version = names.split_dist_info(installed)[1]
    if differing:
        plan.lines.append(f"note: {len(differing)} Python file(s) of the installed {name} "
                          f"{version} differ from the stage; they are kept")
    plan.summary = (f"{name}: replaced {len(staged)} native file(s) of the installed "
                    f"{version} and rewrote its RECORD")
    return plan


def _true_entry(site, kept, plan):
    """A kept RECORD line, corrected if it lies about the file on disk: pip
    copies the wheel's RECORD hashes, and the ComfyUI-Trellis2 o_voxel and
    cumesh wheels carry stale ones for .py files edited after the build."""
    if not kept.hash_ or not os.path.isfile(os.path.join(site, kept.path)):
        return kept   # unhashed byte code, or already gone
    actual = record.file_entry(site, kept.path)
    if actual != kept:
        plan.lines.append(f"note: corrected the stale RECORD line of {kept.path} "
                          "(the installed file does not match it)")
    return actual


def _fresh(stage, site, name, dist_info, staged_files, siblings, torch_version):
    """The whole distribution, installed by installer with INSTALLER and RECORD."""
    plan = Plan(name)
    metadata = _requirements(plan, stage, dist_info, siblings, torch_version)
    for rel in staged_files:
        if os.path.lexists(os.path.join(site, rel)):
            raise DeliveryError(
                os.path.join(site, rel), f"exists, but {name} is not installed",
                found="a file no installed distribution's dist-info claims (copied by hand?)",
                expected=f"no {name} files in site-packages, or {name} installed by pip",
                fix=f"remove it, or `pip install --no-deps` {name}'s wheel first to overlay it")
    replaced = {f"{dist_info}/METADATA": metadata} if metadata is not None else {}
    plan.adds = whole_install.install_plan(stage, dist_info, staged_files, INSTALLER, replaced)
    plan.lines += [f"add     {rel}" for rel in sorted(plan.adds)]
    plan.summary = f"{name}: installed {len(plan.adds)} file(s) (new, INSTALLER trellis2-native)"
    return plan


def _set_versions(stage, site, staged):
    """normalized name -> the version each distribution of the set has in
    site-packages after the install: an overlay keeps the installed
    version, a new install brings the staged one."""
    versions = {}
    for _, name, version in staged:
        installed = names.find_dist_info(site, name, required=False)
        versions[names.normalize(name)] = names.split_dist_info(installed)[1] if installed else version
    return versions


def plan_install(stage, site, dists=(), torch_version=None):
    staged = names.list_dist_infos(stage)
    if dists:
        wanted = {names.normalize(d) for d in dists}
        missing = wanted - {names.normalize(n) for _, n, _ in staged}
        if missing:
            raise DeliveryError(stage, f"no staged dist-info for {', '.join(sorted(missing))}",
                                found=", ".join(d for d, _, _ in staged) or "none",
                                fix="add the package to TRELLIS2_PACKAGES and build (`cmake --build <build>`)")
        staged = [s for s in staged if names.normalize(s[1]) in wanted]
    if not staged:
        raise DeliveryError(stage, "nothing staged", expected="one or more *.dist-info directories",
                            fix="build first (`cmake --build <build>`): it stages every package")
    siblings = _set_versions(stage, site, staged)
    plans = []
    for dist_info, name, _ in staged:
        _, files = distinfo.staged_files(stage, name)
        installed = names.find_dist_info(site, name, required=False)
        if installed:
            entries = [record.file_entry(stage, rel) for rel in files]
            plans.append(_overlay(stage, site, name, entries, installed, siblings,
                                  torch_version, dist_info))
        else:
            plans.append(_fresh(stage, site, name, dist_info, files, siblings, torch_version))
    return plans


def install(stage, site, dists=(), dry_run=False, out=sys.stdout, torch_version=None):
    if not os.path.isdir(site):
        raise DeliveryError(site, "no such site-packages directory",
                            expected="an existing site-packages directory",
                            fix="configure with -DTRELLIS2_SITE_PACKAGES=<dir>, or run "
                                "`cmake --install <build> --prefix <venv>` for a venv's")
    if dry_run:
        if any(e.startswith(txn.WORK_PREFIX) for e in os.listdir(site)):
            print("note: an interrupted install is pending; the next install (or recover) "
                  "rolls it back first", file=out)
        for plan in plan_install(stage, site, dists, torch_version):
            print(f"{plan.name}:", file=out)
            for line in plan.lines:
                print(f"  {line}", file=out)
        return
    fd = txn.lock(site)
    try:
        txn.recover(site)
        plans = plan_install(stage, site, dists, torch_version)
        try:
            with txn.Transaction(site) as transaction:
                for plan in plans:
                    for rel, data in plan.adds.items():
                        transaction.add(rel, data, _mode(rel))
                    for rel in plan.removes:
                        transaction.remove(rel)
                transaction.commit()
        except (txn.Interrupted, DeliveryError):
            raise
        except Exception as exc:
            raise DeliveryError(
                site, "install failed and was rolled back; site-packages is unchanged",
                found=f"{type(exc).__name__}: {exc}",
                fix="fix the cause (permissions? disk space?) and run `cmake --install <build>` again",
                code=EXIT_INSTALL_FAILED) from exc
    finally:
        os.close(fd)
    for plan in plans:
        for line in plan.lines:
            if line.startswith(("WARNING", "note")):
                print(line, file=sys.stderr)
        print(plan.summary, file=out)
