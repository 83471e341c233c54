"""Run by a venv's Python: the set as installed in its site-packages (argv[1])
loads after `import torch`.

- every native module, loaded from its installed file (so what pip or
  `cmake --install` put there is what loads), its package's __init__ aside;
- the packages whose import needs no GPU, whole: cumesh, nvdiffrast.torch;
- flex_gemm, whose import builds triton autotuners that ask for the active
  GPU driver: imported where there is one; where there is none, the one
  error allowed is triton's "0 active drivers", and this says so. o_voxel
  imports flex_gemm at package import (postprocess.py), so it is imported
  only where flex_gemm is.
Exits 1 on anything else, naming the module."""

import importlib
import importlib.machinery
import importlib.util
import sys
from pathlib import Path

import torch  # noqa: F401  (the modules find libtorch, libc10 and libcudart through it)

MODULES = ["cumesh._C", "cumesh._cubvh", "cumesh._xatlas", "flex_gemm.kernels.cuda", "o_voxel._C", "_nvdiffrast_c"]


def main(site):
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    for name in MODULES:
        path = site / (name.replace(".", "/") + suffix)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        # Registered: a package's own `from . import _C` then reuses it (pybind11
        # refuses to register the same types twice).
        sys.modules[name] = module
        print(f"loaded {name} from {path}")
    for package in ("cumesh", "nvdiffrast.torch"):
        module = importlib.import_module(package)
        assert Path(module.__file__).is_relative_to(site), (package, module.__file__)
        print(f"imported {package}")
    try:
        importlib.import_module("flex_gemm")
    except RuntimeError as error:
        if "active drivers" not in str(error):
            raise
        print(f"flex_gemm, o_voxel: not imported whole, they need a GPU driver here (triton: {error})")
        return
    for package in ("flex_gemm", "o_voxel"):
        module = importlib.import_module(package)
        assert Path(module.__file__).is_relative_to(site), (package, module.__file__)
        print(f"imported {package}")
    from o_voxel.convert import tiled_flexible_dual_grid_to_mesh  # noqa: F401
    print("imported o_voxel.convert.tiled_flexible_dual_grid_to_mesh")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
