"""Ask the configured Python's torch for everything a torch extension build needs.

Run by cmake/superbuild/Toolchain.cmake at configure time:

    python probe_torch.py OUTPUT.cmake "8.0;8.6;8.9;9.0+PTX"

It writes `set(...)` lines for CMake to include. Every value comes from the
installed torch or from Python's sysconfig, never from a copy kept here, so a
torch upgrade changes the flags the same way it changes torch's own
BuildExtension (the model is vLLM's,
https://github.com/vllm-project/vllm/blob/main/cmake/utils.cmake, which asks
torch.utils.cpp_extension for COMMON_NVCC_FLAGS at configure time).
Python's own facts (version, headers, SOABI, the CFLAGS setuptools
compiles with, the platlib pip installs into) are asked here too, in the
same run: FindPython would start the interpreter several more times
(0.6-1.1 s) for what this process already knows.

On failure it prints one line to stderr and exits: 1 when torch cannot be
imported, ARCH_ERROR when torch refuses the architecture list. CMake turns
each into its own configure error.

    python probe_torch.py --fingerprint "8.0;8.6;8.9;9.0+PTX"

prints, without importing torch (0.1 s against the probe's 2.4-4.4 s), a
digest of everything the probe's answer depends on: this script, the
interpreter, its import path (and when a package was last added there), the
files torch would be imported from, the
environment torch reads here and the list. Toolchain.cmake re-uses the last
answer while the digest is unchanged.
"""

import glob
import hashlib
import importlib.util
import os
import platform
import sys
import sysconfig
import warnings

ARCH_ERROR = 3


def cmake_quote(value):
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{text}"'


def cmake_list(values):
    # ';' separates CMake list items, so no item may contain one.
    return cmake_quote(";".join(str(v) for v in values))


def probe(arch_list):
    try:
        import torch
        import torch.utils.cpp_extension as cpp_extension
    except Exception as exc:  # ImportError, or a broken CUDA library under torch
        sys.exit(f"cannot import torch with {sys.executable}: {exc}")

    # The same CUDAExtension constructor the upstream setup.py files call: its
    # include dirs, library dirs and libraries are torch's decision, not ours.
    # The source names only choose CUDA; nothing is read from disk.
    extension = cpp_extension.CUDAExtension("probe._C", ["probe.cu", "probe.cpp"])

    # Torch turns TORCH_CUDA_ARCH_LIST into -gencode flags; reuse its parser so
    # '8.6+PTX', 'Ampere' and spaces mean what they mean to torch.
    os.environ["TORCH_CUDA_ARCH_LIST"] = arch_list
    try:
        gencode = cpp_extension._get_cuda_arch_flags()
    except ValueError as exc:
        print(f"torch {torch.__version__}: {exc}", file=sys.stderr)
        sys.exit(ARCH_ERROR)

    # BuildExtension.build_extensions adds these defines to every extension:
    # the pybind11 ABI trio must equal torch's own so pybind11 types cross
    # between torch and the module (note [Pybind11 ABI constants] in torch).
    pybind11_defines = []
    for name in ("COMPILER_TYPE", "STDLIB", "BUILD_ABI"):
        value = getattr(torch._C, f"_PYBIND11_{name}", None)
        if value is not None:
            pybind11_defines.append(f'PYBIND11_{name}="{value}"')

    torch_dir = os.path.dirname(torch.__file__)
    # torch's own site-packages first: its RUNPATH points into it.
    cudart, cudart_reason = torch_cudart(torch.version.cuda, [os.path.dirname(torch_dir)] + sys.path)
    cflags = (sysconfig.get_config_var("CFLAGS") or "").split()
    facts = {
        **python_facts(),
        "TRELLIS2_FOUND_TORCH_VERSION_FULL": torch.__version__,
        "TRELLIS2_FOUND_TORCH_VERSION": torch.__version__.split("+")[0],
        "TRELLIS2_FOUND_TORCH_CUDA_VERSION": torch.version.cuda or "",
        "TRELLIS2_TORCH_CXX11_ABI": int(torch._C._GLIBCXX_USE_CXX11_ABI),
        "TRELLIS2_TORCH_DIR": torch_dir,
        "TRELLIS2_TORCH_CUDA_HOME": cpp_extension.CUDA_HOME or "",
        "TRELLIS2_TORCH_CUDART": cudart,
        "TRELLIS2_TORCH_CUDART_REASON": cudart_reason,
        # Not FindPython's SITEARCH: that is distutils' answer, which on
        # Debian's patched Pythons is not where pip installs.
        "TRELLIS2_PYTHON_PLATLIB": sysconfig.get_paths()["platlib"],
        # The interpreter itself, not a launcher that chose it (Toolchain.cmake).
        "TRELLIS2_PYTHON_INTERPRETER": sys.executable,
        # The device compiles of one unit: its distinct virtual architectures
        # (9.0+PTX adds PTX of compute_90, not another compile); nvcc runs
        # them on that many threads (--threads, TorchExtension.cmake).
        "TRELLIS2_TORCH_NVCC_THREADS": max(1, len({flag.split("arch=")[1].split(",")[0]
                                                   for flag in gencode if "arch=" in flag})),
    }
    lists = {
        "TRELLIS2_TORCH_INCLUDE_DIRS": extension.include_dirs,
        "TRELLIS2_TORCH_LIBRARY_DIRS": extension.library_dirs,
        "TRELLIS2_TORCH_LIBRARIES": extension.libraries,
        "TRELLIS2_TORCH_COMMON_NVCC_FLAGS": cpp_extension.COMMON_NVCC_FLAGS,
        "TRELLIS2_TORCH_PYBIND11_DEFINES": pybind11_defines,
        "TRELLIS2_TORCH_CUDA_ARCH_FLAGS": gencode,
        # setuptools compiles every C/C++ unit with Python's own CFLAGS; '-g'
        # is dropped on purpose (12-62 MB modules, see TorchExtension.cmake).
        "TRELLIS2_PYTHON_CFLAGS": [f for f in cflags if not f.startswith("-g")],
    }
    lines = [f"set({key} {cmake_quote(value)})" for key, value in facts.items()]
    lines += [f"set({key} {cmake_list(value)})" for key, value in lists.items()]
    return "\n".join(lines) + "\n"


def python_facts():
    """What a module build needs of this Python (FindPython's Development.Module)."""
    # sysconfig's include path first, then INCLUDEPY (FindPython's order).
    candidates = [sysconfig.get_paths()["include"], sysconfig.get_config_var("INCLUDEPY") or ""]
    include = next((c for c in candidates if os.path.isfile(os.path.join(c, "Python.h"))), candidates[0])
    return {
        "TRELLIS2_FOUND_PYTHON_VERSION": platform.python_version(),
        "TRELLIS2_PYTHON_TAG": f"cp{sys.version_info.major}{sys.version_info.minor}",
        "TRELLIS2_PYTHON_INCLUDE_DIRS": include,
        "TRELLIS2_PYTHON_HAS_HEADERS": int(os.path.isfile(os.path.join(include, "Python.h"))),
        "TRELLIS2_PYTHON_SOABI": sysconfig.get_config_var("SOABI") or "",
    }


def torch_cudart(torch_cuda_version, search_dirs, maps="/proc/self/maps"):
    """The libcudart torch itself uses, and how it was found: (path, reason).

    Linking that file gives DT_NEEDED libcudart.so.<torch's major>, which torch
    has already loaded when the module is imported, whatever toolkit compiled
    it. ("", reason) when torch has none of its own (the toolkit's is linked).
    """
    if not torch_cuda_version:
        return "", "torch has no CUDA (torch.version.cuda is None)"
    major = torch_cuda_version.split(".")[0]
    soname = f"libcudart.so.{major}"
    # What `import torch` loaded: the answer itself, whatever the layout.
    try:
        with open(maps, encoding="utf-8") as lines:
            loaded = sorted({line.split()[-1] for line in lines if line.rstrip().endswith("/" + soname)})
    except OSError:
        loaded = []
    if loaded:
        return loaded[0], "loaded by import torch"
    # Not loaded yet (a torch that loads CUDA lazily): pip's CUDA runtime
    # wheels, nvidia/cuda_runtime/lib for CUDA 12, nvidia/cu13/lib for 13.
    for base in search_dirs:
        found = sorted(glob.glob(os.path.join(base, "nvidia", "*", "lib", soname)))
        if found:
            return found[0], f"pip's CUDA runtime for torch's CUDA {major} (site-packages nvidia/*/lib/{soname})"
    return "", f"torch loaded no {soname} and none is under site-packages' nvidia/*/lib"


def fingerprint(arch_list):
    """Digest of the probe's inputs; torch is located, not imported."""
    # An import path directory's mtime moves when pip adds or removes a
    # package there (torch's CUDA runtime wheels among them).
    facts = [arch_list, sys.executable, sys.version,
             *(f"{path} {os.stat(path).st_mtime_ns if os.path.isdir(path) else '-'}" for path in sys.path),
             *(f"{name}={os.environ.get(name, '')}" for name in ("CUDA_HOME", "CUDA_PATH", "TORCH_CUDA_ARCH_LIST")),
             # python3-dev installed or removed since
             f"headers {python_facts()['TRELLIS2_PYTHON_HAS_HEADERS']}"]
    with open(__file__, "rb") as script:
        facts.append(hashlib.sha256(script.read()).hexdigest())
    spec = importlib.util.find_spec("torch")
    if spec and spec.origin:
        torch_dir = os.path.dirname(spec.origin)
        # pip rewrites these on every install or upgrade of torch.
        for path in sorted([spec.origin, os.path.join(torch_dir, "version.py"),
                            *glob.glob(os.path.join(torch_dir, "_C*.so")),
                            *glob.glob(os.path.join(torch_dir, "lib", "libtorch*.so"))]):
            try:
                stat = os.stat(path)
                facts.append(f"{path} {stat.st_size} {stat.st_mtime_ns}")
            except OSError:
                facts.append(f"{path} missing")
    else:
        facts.append("torch not found")
    return hashlib.sha256("\n".join(facts).encode()).hexdigest()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--fingerprint":
        print(fingerprint(sys.argv[2]))
        return
    if len(sys.argv) != 3:
        sys.exit("usage: probe_torch.py OUTPUT.cmake ARCH_LIST | --fingerprint ARCH_LIST")
    warnings.simplefilter("ignore")  # torch's NumPy/CUDA warnings are not ours to show
    text = probe(sys.argv[2])
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        out.write(text)


if __name__ == "__main__":
    main()
