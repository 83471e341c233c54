#!/usr/bin/env python3
"""Which CUDA the torch on the package index is built for, without downloading torch.

    python3 tools/torch_builds.py check --torch 2.9.1 --python-tag cp313 --cuda 13.0.2

Used by the matrix command (cmake/scripts/build_matrix.cmake) before it makes
a cell's venv: a cell whose torch has no build for the requested CUDA is
refused with what the index has, not after a 900 MB download and a failed
configure. It reads the index pip is configured with ($PIP_INDEX_URL, else
`pip config get global.index-url`, else PyPI) through the JSON simple API
(PEP 691), and each wheel's METADATA alone: the index's copy (PEP 658), or,
where it has none (PyPI's torch cp313 wheels), the METADATA member read out
of the wheel by HTTP range requests (its zip directory and that member,
a few hundred kB of the 500-900 MB). torch's Requires-Dist
names its CUDA runtime (`nvidia-cuda-runtime-cu12==12.8.90` up to torch
2.10, `cuda-toolkit[...]==13.0.2` from 2.11).

Exit 0: the build matches (prints "<torch> <cuda>"); 2: it does not (stderr
names the torch versions whose build has that CUDA major); 3: the index could
not be read (stderr says why).
"""
import argparse
import io
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile

PYPI = "https://pypi.org/simple"
# torch-<version>[-<build>]-<python tag>-<abi tag>-manylinux..._x86_64.whl
WHEEL = re.compile(r"torch-(?P<version>[0-9][^-]*)(?:-(?P<build>\d+))?-(?P<py>cp\d+)-(?P=py)t?-manylinux[^-]*_x86_64\.whl")
CUDA_REQUIREMENT = [
    re.compile(r"^Requires-Dist: cuda-toolkit(?:\[[^\]]*\])?==(\d+\.\d+)", re.M),
    re.compile(r"^Requires-Dist: nvidia-cuda-runtime(?:-cu\d+)?==(\d+\.\d+)", re.M),
]


class IndexError_(Exception):
    """The index could not be read."""


def index_url():
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"].rstrip("/")
    found = subprocess.run([sys.executable, "-m", "pip", "config", "get", "global.index-url"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return (found.stdout.strip() or PYPI).rstrip("/")


def fetch(url, accept=None):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read().decode()
    except (urllib.error.URLError, OSError) as exc:
        raise IndexError_(f"{url}: {exc}") from exc


def torch_wheels(index, python_tag):
    """{version: file entry} of torch's Linux x86_64 wheels for python_tag (highest build number)."""
    page = json.loads(fetch(f"{index}/torch/", "application/vnd.pypi.simple.v1+json"))
    best = {}
    for entry in page.get("files", []):
        match = WHEEL.fullmatch(entry["filename"])
        if not match or match["py"] != python_tag or "t-manylinux" in entry["filename"]:
            continue
        build = int(match["build"] or 0)
        if match["version"] not in best or build > best[match["version"]][0]:
            best[match["version"]] = (build, entry)
    return {version: entry for version, (_, entry) in best.items()}


class RangeFile(io.RawIOBase):
    """A remote file read by HTTP range requests, for zipfile: the directory
    at the end, then one member."""

    def __init__(self, url):
        super().__init__()
        self.url, self.pos = url, 0
        request = urllib.request.Request(url, method="HEAD")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                self.size = int(response.headers["Content-Length"])
        except (urllib.error.URLError, OSError, TypeError) as exc:
            raise IndexError_(f"{url}: {exc}") from exc

    def seekable(self):
        return True

    def readable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=io.SEEK_SET):
        self.pos = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence] + offset
        return self.pos

    def read(self, size=-1):
        end = self.size if size is None or size < 0 else min(self.size, self.pos + size)
        if end <= self.pos:
            return b""
        request = urllib.request.Request(self.url, headers={"Range": f"bytes={self.pos}-{end - 1}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                data = response.read()
        except (urllib.error.URLError, OSError) as exc:
            raise IndexError_(f"{self.url}: {exc}") from exc
        self.pos += len(data)
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def wheel_metadata(entry):
    """A wheel's METADATA: the index's copy (PEP 658), else the member itself."""
    url = entry["url"].split("#")[0]
    if entry.get("core-metadata") or entry.get("data-dist-info-metadata"):
        return fetch(url + ".metadata")
    with zipfile.ZipFile(io.BufferedReader(RangeFile(url), buffer_size=1 << 16)) as wheel:
        (name,) = [n for n in wheel.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        return wheel.read(name).decode()


def cuda_of(entry):
    """The CUDA release (12.8, 13.0) a torch wheel requires, from its METADATA; None for none."""
    metadata = wheel_metadata(entry)
    for pattern in CUDA_REQUIREMENT:
        match = pattern.search(metadata)
        if match:
            return match.group(1)
    return None


def version_key(version):
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def check(torch, python_tag, cuda):
    index = index_url()
    wheels = torch_wheels(index, python_tag)
    if torch not in wheels:
        known = ", ".join(sorted(wheels, key=version_key)[-8:]) or "none"
        print(f"{index} has no torch {torch} wheel for {python_tag} on Linux x86_64 (its latest for {python_tag}: "
              f"{known}).", file=sys.stderr)
        return 2
    found = cuda_of(wheels[torch])
    major = cuda.split(".")[0]
    if found and found.split(".")[0] == major:
        print(torch, found)
        return 0
    # What the index has for that CUDA major, newest first, from torch 2.4 on.
    matching = []
    for version in sorted(wheels, key=version_key, reverse=True):
        if version_key(version) < (2, 4) or not re.fullmatch(r"[\d.]+", version):
            continue
        other = cuda_of(wheels[version])
        if other and other.split(".")[0] == major:
            matching.append(f"{version} (CUDA {other})")
    offer = ", ".join(matching) if matching else "none"
    print(f"torch {torch} for {python_tag} on {index} is built for CUDA {found or 'none (a CPU build)'}, "
          f"not CUDA {major} (asked: {cuda}). Its torch builds for CUDA {major}: {offer}. Choose one of those, "
          f"or a CUDA {found.split('.')[0] if found else '<torch’s>'} toolkit for torch {torch}; another CUDA "
          "build of the same torch lives on PyTorch's own index (download.pytorch.org/whl/cu<XY>), "
          "which PIP_INDEX_URL can name.", file=sys.stderr)
    return 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("check", help="does the index's torch build match a CUDA release?")
    one.add_argument("--torch", required=True, help="torch version, e.g. 2.9.1")
    one.add_argument("--python-tag", required=True, help="e.g. cp313")
    one.add_argument("--cuda", required=True, help="the cell's CUDA: 13.0.2, 13.0 or 13")
    args = parser.parse_args()
    try:
        return check(args.torch, args.python_tag, args.cuda)
    except IndexError_ as exc:
        print(f"cannot read the package index: {exc}. The matrix asks the index which CUDA each torch is built "
              "for before it makes a venv; offline, give each cell a Python that already has its torch.",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
