#!/usr/bin/env python3
"""Write the lock of a CUDA toolkit from PyPI: third_party/cuda-toolkit/<version>.txt.

    python3 tools/lock_cuda_toolkit.py 13.0.2 [--out FILE]

The lock is a pip requirements file: every distribution of
`cuda-toolkit[nvcc,nvvm,crt,cccl,cudart]==<version>`, each at its exact
version with the sha256 of its linux x86_64 wheel, resolved by pip itself
(`pip install --dry-run --report`). The build installs a lock with
`--require-hashes --no-deps` (cmake/superbuild/CudaToolkit.cmake),
so a toolkit is as pinned as any other input.

Why these extras: `nvcc` alone brings nvidia-cuda-nvcc at the version, but
nvcc's own dependencies (nvidia-nvvm: cicc; nvidia-cuda-crt: the crt
headers) are unversioned, so pip picks the newest, and a 13.0 nvcc then
runs a 13.5 cicc with 13.5 headers. The `nvvm` and `crt` extras pin them to
the toolkit's release. `cccl` brings CUB/Thrust/libcu++, `cudart` the
runtime headers and libcudart.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

EXTRAS = "nvcc,nvvm,crt,cccl,cudart"
# nvcc and what it runs and includes: one release, or nvcc refuses the headers.
COMPILER_PARTS = {"nvidia-cuda-nvcc", "nvidia-nvvm", "nvidia-cuda-crt", "nvidia-cuda-runtime"}
REPO = Path(__file__).resolve().parent.parent


def resolve(version: str) -> list[dict]:
    """pip's own resolution of the toolkit for this platform, nothing installed."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed",
               "--only-binary=:all:", "--target", str(Path(tmp) / "t"), "--report", str(report),
               f"cuda-toolkit[{EXTRAS}]=={version}"]
        subprocess.run(cmd, check=True)
        return json.loads(report.read_text())["install"]


def lock_lines(version: str, items: list[dict]) -> list[str]:
    lines = [f"# cuda-toolkit[{EXTRAS}]=={version}, resolved by pip for linux x86_64 by",
             f"# tools/lock_cuda_toolkit.py {version}. Installed with --require-hashes --no-deps.",
             "# nvcc, nvvm, crt and the runtime are of the toolkit's release; the build checks that."]
    for item in sorted(items, key=lambda i: i["metadata"]["name"]):
        name, ver = item["metadata"]["name"], item["metadata"]["version"]
        sha = item["download_info"]["archive_info"]["hashes"]["sha256"]
        lines.append(f"{name}=={ver} --hash=sha256:{sha}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="cuda-toolkit version on PyPI, e.g. 13.0.2")
    parser.add_argument("--out", type=Path, help="default third_party/cuda-toolkit/<version>.txt")
    args = parser.parse_args()
    items = resolve(args.version)
    series = ".".join(args.version.split(".")[:2])
    # The compiler's parts must be of one release; CCCL has numbers of its own
    # (13.5.0 pins nvidia-cuda-cccl 13.3.5.0.6), which the meta-package pins.
    strays = [f"{i['metadata']['name']} {i['metadata']['version']}" for i in items
              if i["metadata"]["name"] in COMPILER_PARTS
              and not i["metadata"]["version"].startswith(series + ".")]
    if strays:
        print(f"cuda-toolkit {args.version} resolves components of another release: {', '.join(strays)}; "
              f"expected every nvidia-* at {series}.x. Nothing written.", file=sys.stderr)
        return 1
    out = args.out or REPO / "third_party" / "cuda-toolkit" / f"{args.version}.txt"
    out.write_text("\n".join(lock_lines(args.version, items)) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
