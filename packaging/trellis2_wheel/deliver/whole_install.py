"""A distribution that is not installed yet is installed by `installer`
(installer.install with a SchemeDictionaryDestination), reading the stage as
its wheel source and writing into the install plan instead of the
filesystem, so the files still reach site-packages through the journaled
transaction. installer writes the RECORD."""

import io
import os

from installer import install as _install
from installer.destinations import SchemeDictionaryDestination
from installer.exceptions import InstallerError
from installer.sources import WheelSource

from ..errors import DeliveryError
from ..spec import names, record

_SITE_SCHEMES = ("purelib", "platlib")


class _StageSource(WheelSource):
    """The staged files of one distribution, as installer reads a wheel."""

    def __init__(self, stage, dist_info, files, replaced):
        super().__init__(*names.split_dist_info(dist_info))
        self.stage, self.files, self.replaced = stage, files, replaced

    def _bytes(self, rel):
        if rel in self.replaced:
            return self.replaced[rel]
        with open(os.path.join(self.stage, rel), "rb") as handle:
            return handle.read()

    @property
    def dist_info_filenames(self):
        prefix = self.dist_info_dir + "/"
        return [rel[len(prefix):] for rel in self.files if rel.startswith(prefix)]

    def read_dist_info(self, filename):
        return self._bytes(f"{self.dist_info_dir}/{filename}").decode("utf-8")

    def get_contents(self):
        for rel in self.files:
            yield (rel, "", ""), io.BytesIO(self._bytes(rel)), names.is_native(rel)


class _PlanDestination(SchemeDictionaryDestination):
    """Site-packages as installer's destination; every write lands in `adds`
    (paths relative to site-packages), none on disk."""

    def __init__(self, adds):
        schemes = {s: "." for s in ("purelib", "platlib", "headers", "scripts", "data")}
        super().__init__(schemes, interpreter="python3", script_kind="posix")
        self.adds = adds

    def write_to_fs(self, scheme, path, stream, is_executable):
        if scheme not in _SITE_SCHEMES:
            raise DeliveryError(path, f"would be installed into {scheme}, outside site-packages",
                                expected="files for purelib or platlib only",
                                fix="install this distribution with pip")
        data = stream.read()
        self.adds[path] = data
        return record.entry(path, data)


def install_plan(stage, dist_info, files, installer_name, replaced=None):
    """rel -> bytes of the whole distribution, RECORD and INSTALLER included;
    replaced: rel -> bytes delivered instead of the staged file (METADATA
    with its requirements pinned)."""
    adds = {}
    try:
        _install(_StageSource(stage, dist_info, files, replaced or {}), _PlanDestination(adds),
                 {"INSTALLER": installer_name.encode()})
    except InstallerError as exc:
        raise DeliveryError(os.path.join(stage, dist_info), "cannot be installed",
                            found=f"{type(exc).__name__}: {exc}",
                            expected="a dist-info with METADATA and WHEEL",
                            fix="build again (`cmake --build <build>`) so the stage is complete") from None
    return adds
