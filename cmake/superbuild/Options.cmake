# Options: the superbuild's user-facing cache variables, each with its
# docstring, but for those defined beside the code that computes their
# default or reads them: Toolchain.cmake (TRELLIS2_CUDART_LIBRARY),
# JobPool.cmake (TRELLIS2_JOBS, TRELLIS2_NVCC_JOB_MEMORY_MB),
# Sccache.cmake (TRELLIS2_SCCACHE*) and Deliver.cmake (TRELLIS2_DIST_DIR).
# CMakeLists.txt includes this module first, before project(); the other
# modules read its variables without including it. The README's table and
# the configure summary list every one of them;
# tests/integration/test_docs_in_step.py checks that they agree.

include("${CMAKE_CURRENT_LIST_DIR}/../../third_party/packages.cmake")
string(JOIN " " _trellis2_known "${TRELLIS2_KNOWN_PACKAGES}")
set(TRELLIS2_PACKAGES "${TRELLIS2_DEFAULT_PACKAGES}" CACHE STRING
  "Packages to pull and build (subset of: ${_trellis2_known})")
if(NOT TRELLIS2_PACKAGES)
  string(JOIN ";" _trellis2_default "${TRELLIS2_DEFAULT_PACKAGES}")
  message(FATAL_ERROR "TRELLIS2_PACKAGES is empty: found '', expected one or more of ${_trellis2_known}.\n"
    "Configure again with -DTRELLIS2_PACKAGES='${_trellis2_default}' (the default), or a subset of it.")
endif()
foreach(_pkg IN LISTS TRELLIS2_PACKAGES)
  if(NOT _pkg IN_LIST TRELLIS2_KNOWN_PACKAGES)
    message(FATAL_ERROR "TRELLIS2_PACKAGES names '${_pkg}'; known packages: ${_trellis2_known}. "
      "Configure again with -DTRELLIS2_PACKAGES=<a subset of those>.")
  endif()
endforeach()

# Pins of the toolchain the modules are built for (the wheels' and Rocky 9's).
set(TRELLIS2_TORCH_VERSION "2.7.0" CACHE STRING
  "torch version the modules are built against (without the +cuXXX label)")
set(TRELLIS2_TORCH_CUDA_VERSION "12.6" CACHE STRING
  "CUDA version torch must have been built with (torch.version.cuda)")
set(TRELLIS2_GCC_VERSION "11" CACHE STRING
  "Major version of the GNU host compiler (Rocky 9 ships GCC 11: GLIBCXX_3.4.29)")
option(TRELLIS2_ALLOW_CUDA_MISMATCH
  "Accept an nvcc whose CUDA major differs from torch's (a build for compiling, not for shipping)" OFF)
# The CUDA toolkit: the system's, or one from PyPI at an exact version that
# the build installs into a prefix of its own (CudaToolkit.cmake).
set(TRELLIS2_CUDA_TOOLKIT "system" CACHE STRING
  "CUDA toolkit: 'system' (CMAKE_CUDA_COMPILER, $CUDA_HOME, /usr/local/cuda, PATH) or a cuda-toolkit version on PyPI, e.g. 13.0.2, installed from its lock")
set(TRELLIS2_CUDA_TOOLKIT_LOCK "" CACHE FILEPATH
  "Lock of the PyPI toolkit: a pip requirements file with hashes (default: third_party/cuda-toolkit/<version>.txt)")
set(TRELLIS2_CUDA_TOOLKIT_CACHE "${CMAKE_CURRENT_BINARY_DIR}/cuda-toolkit" CACHE PATH
  "Where PyPI toolkits are installed, one prefix per version and lock (share it between build trees)")

# CUDA architectures in TORCH_CUDA_ARCH_LIST syntax; the environment's
# TORCH_CUDA_ARCH_LIST is honoured the way torch's BuildExtension honours it.
set(TRELLIS2_DEFAULT_CUDA_ARCHITECTURES "8.0;8.6;8.9;9.0+PTX")
if(DEFINED ENV{TORCH_CUDA_ARCH_LIST} AND NOT "$ENV{TORCH_CUDA_ARCH_LIST}" STREQUAL "")
  set(_trellis2_default_archs "$ENV{TORCH_CUDA_ARCH_LIST}")
else()
  set(_trellis2_default_archs "${TRELLIS2_DEFAULT_CUDA_ARCHITECTURES}")
endif()
set(TRELLIS2_CUDA_ARCHITECTURES "${_trellis2_default_archs}" CACHE STRING
  "CUDA architectures, TORCH_CUDA_ARCH_LIST syntax (e.g. 8.0;8.6;9.0+PTX); default from $TORCH_CUDA_ARCH_LIST")

# Where each package's source comes from.
set(TRELLIS2_SOURCE_CACHE "" CACHE PATH
  "Directory of pre-fetched source trees named <pkg>-<commit> (offline and Docker-cache builds)")
# Issue 29's measurement: nvcc --split-compile=<n> (CUDA >= 12.1: the
# optimizer of one unit on up to n threads; 0 lets nvcc take every core).
set(TRELLIS2_NVCC_SPLIT_COMPILE "" CACHE STRING
  "nvcc --split-compile value for every CUDA unit (empty: not passed, as torch's own build)")
if(NOT TRELLIS2_NVCC_SPLIT_COMPILE MATCHES "^([0-9]+)?$")
  message(FATAL_ERROR "TRELLIS2_NVCC_SPLIT_COMPILE='${TRELLIS2_NVCC_SPLIT_COMPILE}' is not a thread count. "
    "Pass -DTRELLIS2_NVCC_SPLIT_COMPILE=4, 0 (nvcc's maximum), or leave it empty (not passed).")
endif()

# What a configure asks before the first compile and a fresh tree would ask
# again (torch's answer, 3-4.5 s; the compilers' detection, 2-3 s) is kept by
# the digest of its inputs, so a fresh build tree on a machine that asked the
# same once reads it (ProbeCache.cmake, cmake/scripts/detect_compilers.cmake).
if(DEFINED ENV{TRELLIS2_CONFIGURE_CACHE_DIR})
  set(_trellis2_configure_cache "$ENV{TRELLIS2_CONFIGURE_CACHE_DIR}")
elseif(NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
  set(_trellis2_configure_cache "$ENV{XDG_CACHE_HOME}/trellis2-native")
elseif(NOT "$ENV{HOME}" STREQUAL "")
  set(_trellis2_configure_cache "$ENV{HOME}/.cache/trellis2-native")
else()
  set(_trellis2_configure_cache "")
endif()
set(TRELLIS2_CONFIGURE_CACHE_DIR "${_trellis2_configure_cache}" CACHE PATH
  "Where torch's answers and the compilers' detections are kept by the digest of their inputs, shared by build trees; empty: each tree asks once")

# nvcc keys its steps on the real path of each source (sccache 0.16 hashes
# it): two checkouts share compiler-cache hits only if their trees share a path.
set(TRELLIS2_TREES_DIR "" CACHE PATH
  "Where pulled and patched trees live, as <pkg>-<commit>[-patched-<sha>], shared by build trees; empty: <build>/_src/<pkg>")
foreach(_pkg IN LISTS TRELLIS2_KNOWN_PACKAGES)
  string(TOUPPER "${_pkg}" _PKG)
  set(TRELLIS2_${_PKG}_SOURCE_DIR "" CACHE PATH
    "Local checkout of ${_pkg} to build instead of the pinned commit (kernel work)")
  if(_pkg STREQUAL "fixture")
    # The fixture's repository is made by the build itself (Fixture.cmake).
    set(_pin "${CMAKE_CURRENT_BINARY_DIR}/fixture-upstream/fixture.cmake")
  else()
    set(_pin "${CMAKE_CURRENT_SOURCE_DIR}/third_party/${_pkg}.cmake")
  endif()
  # STRING, not FILEPATH: CMake would resolve a relative -D value against the
  # working directory; Upstream.cmake resolves it against the repository.
  set(TRELLIS2_${_PKG}_PIN_FILE "${_pin}" CACHE STRING
    "Pin file of ${_pkg}: repository, commit, submodules, patches (relative: under the repository)")
endforeach()

# The ABI gate.
set(TRELLIS2_ABI_POLICY "rocky9" CACHE STRING
  "abi-audit policy every module must pass: a name under packaging/abi-audit/policies or a policy file")
set(TRELLIS2_MANYLINUX_POLICY "" CACHE FILEPATH
  "auditwheel's manylinux-policy.json, by which each repaired wheel's platform tag is judged (default: the configured Python's auditwheel's)")

# Where the build leaves its result.
set(TRELLIS2_STAGE_DIR "${CMAKE_CURRENT_BINARY_DIR}/stage" CACHE PATH
  "Site-packages layout of the built modules and their Python code")

# Where the Python code beside the modules comes from, and where it goes.
set(TRELLIS2_WHEEL_DIR "" CACHE PATH
  "Directory of input wheels (like ComfyUI-Trellis2's wheels/Linux/Torch270/) whose Python code is kept")
if(TRELLIS2_WHEEL_DIR)
  set(_trellis2_default_python_from "wheel")
else()
  set(_trellis2_default_python_from "source")
endif()
# The wheels whose RECORD may be stale (their author edited a .py after
# building): listed by sha256. A copy of one made for another purpose (a
# test's re-tagged copy) has other bytes and needs a list of its own.
set(TRELLIS2_WHEEL_PINS "${CMAKE_CURRENT_SOURCE_DIR}/third_party/wheels.cmake" CACHE FILEPATH
  "Pin list of input wheels: lines starting with a wheel's sha256 (default: third_party/wheels.cmake)")
set(TRELLIS2_PYTHON_FROM "${_trellis2_default_python_from}" CACHE STRING
  "Python code staged beside the modules: 'wheel' (TRELLIS2_WHEEL_DIR's) or 'source' (the pinned upstream's)")
set_property(CACHE TRELLIS2_PYTHON_FROM PROPERTY STRINGS wheel source)
set(TRELLIS2_SITE_PACKAGES "" CACHE PATH
  "site-packages that cmake --install lays the stage over (default: the configured Python's, or under --prefix)")
set(TRELLIS2_WHEEL_LABEL "" CACHE STRING
  "Local version label of repaired wheels (default: torch and CUDA of the build, e.g. torch270.cu126)")

# When the API check (and the stage's RECORD) runs.
set(TRELLIS2_API_CHECK "build" CACHE STRING
  "When the API check runs: 'build' (every build) or 'deliver' (cmake --install and the wheels target only: faster kernel loop)")
set_property(CACHE TRELLIS2_API_CHECK PROPERTY STRINGS build deliver)
if(NOT TRELLIS2_API_CHECK MATCHES "^(build|deliver)$")
  message(FATAL_ERROR "TRELLIS2_API_CHECK='${TRELLIS2_API_CHECK}': expected 'build' or 'deliver'")
endif()
