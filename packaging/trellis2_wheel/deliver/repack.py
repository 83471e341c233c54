"""repack: a repaired wheel from a stage: the staged Python plus the new
native files, version '<public>+<label>' so it cannot pass for the original,
RECORD written by `wheel.wheelfile.WheelFile`, and the same bytes for the
same inputs (sorted members, fixed modes, fixed timestamps)."""

import os
import re
import stat
import tempfile
import time
import zipfile

from wheel.wheelfile import WheelFile

from ..errors import DeliveryError
from ..spec import names, tags
from ..stage import distinfo
from . import requires

# Used when SOURCE_DATE_EPOCH is unset, so two builds still match byte for byte.
DEFAULT_EPOCH = 315532800   # 1980-01-01, the earliest time a zip can hold


def epoch():
    """SOURCE_DATE_EPOCH, the one reading of it (wheels and SBOMs), else
    DEFAULT_EPOCH."""
    value = os.environ.get("SOURCE_DATE_EPOCH") or str(DEFAULT_EPOCH)
    if not value.isdigit():
        raise DeliveryError("SOURCE_DATE_EPOCH", f"{value!r} is not a time",
                            expected="seconds since 1970-01-01 UTC, e.g. 1766534400",
                            fix="export SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it")
    return int(value)
_LABEL = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*$")


def labelled(version, label):
    """'0.0.1' or '0.0.1+cu130torch29' + 'torch270.cu126' -> '0.0.1+torch270.cu126'."""
    label = label.lower()
    if not _LABEL.match(label):
        raise DeliveryError(label, "not a PEP 440 local version label",
                            expected="letters and digits in dot-separated parts, e.g. torch270.cu126",
                            fix="pass --local-label torch<major><minor><patch>.cu<major><minor>")
    return version.split("+", 1)[0] + "+" + re.sub(r"[-_]", ".", label)


def _set_version(metadata, version):
    """Replace the Version header; everything else stays byte for byte."""
    head, sep, body = metadata.partition("\n\n")
    head, count = re.subn(r"(?m)^Version:.*$", f"Version: {version}", head, count=1)
    if not count:
        raise DeliveryError("METADATA", "has no Version header",
                            fix="stage the distribution again (its METADATA is damaged)")
    return head + sep + body


def _zipinfo(arcname, date_time, executable):
    info = zipfile.ZipInfo(arcname, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3   # unix, whatever machine builds it
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    return info


def set_versions(stage, label, dists=()):
    """normalized name -> the version each wheel of the set gets."""
    return {key: labelled(version, label) for key, version in requires.staged_versions(stage, dists).items()}


def repack(stage, dist, label, out_dir, python_tag=None, abi_tag=None, platform_tag=None,
           wheel_set=(), torch_version=None):
    """Write the repaired wheel into out_dir; returns (its path, the
    requirement rewrites). wheel_set: the distributions written together
    (default: every staged one), pinned to each other's versions."""
    dist_info, files = distinfo.staged_files(stage, dist)
    name, version = names.split_dist_info(dist_info)
    new_version = labelled(version, label)
    siblings = set_versions(stage, label, wheel_set)
    rewrites = []
    natives = [rel for rel in files if names.is_native(rel)]
    py, abi, plat = tags.tags_for(natives, python_tag, abi_tag, platform_tag)
    new_dist_info = names.dist_info_dirname(name, new_version)

    members = {}
    for rel in files:
        with open(os.path.join(stage, rel), "rb") as handle:
            data = handle.read()
        if rel.startswith(dist_info + "/"):
            inner = rel.split("/", 1)[1]
            if inner == "METADATA":
                text, rewrites = requires.rewrite_metadata(
                    _set_version(data.decode("utf-8"), new_version), siblings, torch_version)
                data = text.encode("utf-8")
            elif inner == "WHEEL":
                data = distinfo.wheel_file_text(
                    "repack", f"{py}-{abi}-{plat}", purelib=not natives).encode("utf-8")
            rel = f"{new_dist_info}/{inner}"
        members[rel] = data

    os.makedirs(out_dir, exist_ok=True)
    filename = f"{names.escape(name)}-{new_version}-{py}-{abi}-{plat}.whl"
    final = os.path.join(out_dir, filename)
    stamp = epoch()
    date_time = time.gmtime(max(stamp, DEFAULT_EPOCH))[:6]
    # Code first, dist-info last, as builders do; WheelFile.close appends RECORD.
    order = sorted(members, key=lambda rel: (rel.startswith(new_dist_info + "/"), rel))
    # Written beside the target and renamed, so a failed run leaves no half wheel.
    with tempfile.TemporaryDirectory(prefix=".repack.", dir=out_dir) as tmp:
        partial = os.path.join(tmp, filename)
        saved = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(stamp)   # WheelFile stamps RECORD with it
        try:
            with WheelFile(partial, "w") as wheel:
                for rel in order:
                    wheel.writestr(_zipinfo(rel, date_time, names.is_native(rel)), members[rel])
        finally:
            if saved is None:
                del os.environ["SOURCE_DATE_EPOCH"]
        os.replace(partial, final)
    return final, rewrites
