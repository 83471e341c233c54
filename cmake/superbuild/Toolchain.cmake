# Toolchain: find Python, torch, nvcc and the host compiler, compare each with
# its pin, and stop before anything compiles when they disagree.
#
# Sets (normal variables, read by NativeBuild.cmake, Report.cmake and Summary.cmake):
#   TRELLIS2_FOUND_*        what was found (torch, CUDA, Python versions)
#   TRELLIS2_TORCH_*        torch's include dirs, libraries, flags (probe_torch.py)
#   TRELLIS2_PYTHON_*       Python's include dirs, SOABI, EXT_SUFFIX, tag,
#                           CFLAGS and platlib (probe_torch.py)
#   TRELLIS2_NVCC_VERSION   release of nvcc, e.g. 13.0; TRELLIS2_NVCC_BUILD V13.0.88
#   TRELLIS2_CUDA_TOOLKIT_* where nvcc came from (CudaToolkit.cmake)
#   TRELLIS2_CUDART_LIBRARY the libcudart the modules link (cache), and
#   TRELLIS2_CUDART_REASON  why that one
#   TRELLIS2_TORCH_LINK_LIBRARIES  full paths of torch's libraries
#   TRELLIS2_PROBE_ANSWER   where torch's answer came from: asked, this tree's
#                           last, or kept in TRELLIS2_CONFIGURE_CACHE_DIR (ProbeCache.cmake)

include_guard(GLOBAL)

# --- Python: the interpreter; its facts come from the probe, which runs in it --
# (FindPython would start it several more times: 0.6-1.1 s before any compile).
if(NOT Python3_EXECUTABLE)
  find_program(Python3_EXECUTABLE NAMES python3 python DOC "The Python whose torch the modules are built against")
endif()
if(NOT Python3_EXECUTABLE)
  message(FATAL_ERROR "No Python 3 interpreter found (looked for python3 on PATH). "
    "Expected the Python that has torch ${TRELLIS2_TORCH_VERSION}; pass -DPython3_EXECUTABLE=/path/to/python3.")
endif()

# --- nvcc: the system's or PyPI's (CudaToolkit.cmake) -------------------------
# Before torch is asked: torch's include and library directories for CUDA
# are its CUDA_HOME's, which must be the toolkit of this nvcc (a PyPI nvcc
# 13.2 with /usr/local/cuda 13.0's headers would stop, or worse, compile).
include(CudaToolkit)
trellis2_cuda_toolkit()
execute_process(COMMAND "${CMAKE_CUDA_COMPILER}" --version OUTPUT_VARIABLE _nvcc_out RESULT_VARIABLE _nvcc_rc)
if(NOT _nvcc_rc EQUAL 0 OR NOT _nvcc_out MATCHES "release ([0-9]+\\.[0-9]+), (V[0-9.]+)")
  message(FATAL_ERROR "${CMAKE_CUDA_COMPILER} --version did not print a CUDA release (exit ${_nvcc_rc}). "
    "Pass -DCMAKE_CUDA_COMPILER=/path/to/nvcc.")
endif()
set(TRELLIS2_NVCC_VERSION "${CMAKE_MATCH_1}")
set(TRELLIS2_NVCC_BUILD "${CMAKE_MATCH_2}")

# --- torch, through the configured Python ----------------------------------
set(_probe_out "${CMAKE_CURRENT_BINARY_DIR}/torch-probe.cmake")
set(_probe_env "${CMAKE_COMMAND}" -E env --unset=CUDA_PATH "CUDA_HOME=${TRELLIS2_CUDA_TOOLKIT_ROOT}")
# `import torch` is most of the time before the first compile (4.4 s on the
# GPU machine): a re-configure whose interpreter, torch files, toolkit and
# list are those of the last probe (the digest of probe_torch.py
# --fingerprint, which only locates torch) reads the last answer again.
execute_process(COMMAND ${_probe_env} "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_LIST_DIR}/probe_torch.py"
    --fingerprint "${TRELLIS2_CUDA_ARCHITECTURES}"
  OUTPUT_VARIABLE _probe_fingerprint OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(_last_fingerprint "")
if(EXISTS "${_probe_out}" AND EXISTS "${_probe_out}.fingerprint")
  file(READ "${_probe_out}.fingerprint" _last_fingerprint)
endif()
# The native build's compiler detection needs only the compilers: it runs
# beside the probe (one pipeline: execute_process starts its commands at
# once) and is silent, so stderr is the probe's (CompilerDetection.cmake).
include(CompilerDetection)
trellis2_compiler_detection_command(_detect)
# An answer whose inputs are those of this configure: this tree's last, or,
# for a fresh tree (or changed inputs), the one another tree got for the same
# inputs, when TRELLIS2_CONFIGURE_CACHE_DIR has it (ProbeCache.cmake).
include(ProbeCache)
set(TRELLIS2_PROBE_ANSWER "")
if(_probe_fingerprint MATCHES "^[0-9a-f]+$" AND _probe_fingerprint STREQUAL _last_fingerprint)
  message(STATUS "torch: the last configure's probe, for the same interpreter, torch, toolkit and list")
  set(TRELLIS2_PROBE_ANSWER "this tree's last, same inputs")
else()
  trellis2_probe_cache_read("${_probe_fingerprint}" "${_probe_out}" _probe_kept)
  if(_probe_kept)
    message(STATUS "torch: a probe's answer for the same interpreter, torch, toolkit and list, "
      "kept in TRELLIS2_CONFIGURE_CACHE_DIR (${TRELLIS2_CONFIGURE_CACHE_DIR})")
    file(WRITE "${_probe_out}.fingerprint" "${_probe_fingerprint}")
    set(TRELLIS2_PROBE_ANSWER "kept for the same inputs")
  endif()
endif()
if(TRELLIS2_PROBE_ANSWER)
  execute_process(COMMAND ${_detect})
  set(_probe_rc 0)
else()
  set(TRELLIS2_PROBE_ANSWER "asked (import torch)")
  file(REMOVE "${_probe_out}.fingerprint")
  execute_process(
    COMMAND ${_detect}
    COMMAND ${_probe_env} "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_LIST_DIR}/probe_torch.py"
            "${_probe_out}" "${TRELLIS2_CUDA_ARCHITECTURES}"
    RESULTS_VARIABLE _rcs
    ERROR_VARIABLE _probe_err
    OUTPUT_QUIET)
  list(GET _rcs 1 _probe_rc)
  if(_probe_rc EQUAL 0 AND _probe_fingerprint MATCHES "^[0-9a-f]+$")
    file(WRITE "${_probe_out}.fingerprint" "${_probe_fingerprint}")
    trellis2_probe_cache_write("${_probe_fingerprint}" "${_probe_out}")
  endif()
endif()
string(REGEX REPLACE "[^\n]*(UserWarning|No CUDA runtime|_conversion_method)[^\n]*\n?" "" _probe_err "${_probe_err}")
string(STRIP "${_probe_err}" _probe_err)
if(_probe_rc EQUAL 3)  # probe_torch.py's ARCH_ERROR: torch refused the list
  message(FATAL_ERROR "TRELLIS2_CUDA_ARCHITECTURES='${TRELLIS2_CUDA_ARCHITECTURES}' is not an architecture list torch can parse:\n"
    "  found: ${_probe_err}\n"
    "  expected: TORCH_CUDA_ARCH_LIST syntax, versions like 8.0;8.6;9.0+PTX or names like Ampere;Hopper\n"
    "Configure again with -DTRELLIS2_CUDA_ARCHITECTURES='${TRELLIS2_DEFAULT_CUDA_ARCHITECTURES}' (the default), or a list of your GPUs' versions.")
elseif(NOT _probe_rc EQUAL 0)
  message(FATAL_ERROR
    "Asking ${Python3_EXECUTABLE} for torch failed:\n  ${_probe_err}\n"
    "Expected torch ${TRELLIS2_TORCH_VERSION} importable from that Python. "
    "Install it (pip install torch==${TRELLIS2_TORCH_VERSION}) or point -DPython3_EXECUTABLE=... at a Python that has it.")
endif()
include("${_probe_out}")
if(NOT TRELLIS2_PYTHON_HAS_HEADERS)
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" _python_minor "${TRELLIS2_FOUND_PYTHON_VERSION}")
  message(FATAL_ERROR "${Python3_EXECUTABLE} (Python ${TRELLIS2_FOUND_PYTHON_VERSION}) has no development headers: "
    "found no Python.h in ${TRELLIS2_PYTHON_INCLUDE_DIRS}, expected the headers torch extensions compile against. Install them "
    "(Debian: apt-get install python3-dev; Rocky: dnf install python${_python_minor}-devel) "
    "or pass -DPython3_EXECUTABLE= a Python that has them.")
endif()
if(NOT TRELLIS2_PYTHON_SOABI)
  message(FATAL_ERROR "${Python3_EXECUTABLE} reports no SOABI: found '', expected e.g. cpython-311-x86_64-linux-gnu "
    "(the extension module suffix). Use a CPython build for Linux: -DPython3_EXECUTABLE=...")
endif()
# EXT_SUFFIX, built the way pybind11's and CMake's Python3_add_library(WITH_SOABI) build it.
set(TRELLIS2_PYTHON_EXT_SUFFIX ".${TRELLIS2_PYTHON_SOABI}${CMAKE_SHARED_MODULE_SUFFIX}")
# Every later step runs the interpreter the probe ran in, not the launcher
# that chose it: a pyenv shim picks its Python by the directory it runs in
# (the build runs steps in many) and costs a shell per call (0.18 s here).
if(TRELLIS2_PYTHON_INTERPRETER AND NOT TRELLIS2_PYTHON_INTERPRETER STREQUAL Python3_EXECUTABLE)
  set(Python3_EXECUTABLE "${TRELLIS2_PYTHON_INTERPRETER}")
endif()
trellis2_cuda_math_headers()  # cuBLAS & co.'s headers, for a toolkit without them

# --- pins ----------------------------------------------------------------------
# Every mismatch is collected first, so one configure run reports all of them.
set(_mismatches "")
macro(_trellis2_pin_mismatch what found expected accept)
  string(APPEND _mismatches "\n  - ${what}: found ${found}, expected ${expected}.\n    To accept it: ${accept}")
endmacro()

if(NOT TRELLIS2_FOUND_TORCH_VERSION VERSION_EQUAL TRELLIS2_TORCH_VERSION)
  _trellis2_pin_mismatch("torch (${Python3_EXECUTABLE})" "${TRELLIS2_FOUND_TORCH_VERSION_FULL}"
    "${TRELLIS2_TORCH_VERSION} (TRELLIS2_TORCH_VERSION)" "-DTRELLIS2_TORCH_VERSION=${TRELLIS2_FOUND_TORCH_VERSION}")
endif()
if(NOT TRELLIS2_FOUND_TORCH_CUDA_VERSION VERSION_EQUAL TRELLIS2_TORCH_CUDA_VERSION)
  _trellis2_pin_mismatch("torch's CUDA (torch.version.cuda)" "'${TRELLIS2_FOUND_TORCH_CUDA_VERSION}'"
    "${TRELLIS2_TORCH_CUDA_VERSION} (TRELLIS2_TORCH_CUDA_VERSION)"
    "-DTRELLIS2_TORCH_CUDA_VERSION=${TRELLIS2_FOUND_TORCH_CUDA_VERSION}")
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  _trellis2_pin_mismatch("host compiler ${CMAKE_CXX_COMPILER}" "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}"
    "GNU g++ ${TRELLIS2_GCC_VERSION}" "nothing: torch extensions need g++; pass -DCMAKE_CXX_COMPILER=g++-${TRELLIS2_GCC_VERSION}")
else()
  string(REGEX MATCH "^[0-9]+" _gcc_major "${CMAKE_CXX_COMPILER_VERSION}")
  if(NOT _gcc_major STREQUAL TRELLIS2_GCC_VERSION)
    _trellis2_pin_mismatch("host compiler ${CMAKE_CXX_COMPILER}" "GCC ${CMAKE_CXX_COMPILER_VERSION}"
      "GCC ${TRELLIS2_GCC_VERSION} (TRELLIS2_GCC_VERSION)"
      "-DTRELLIS2_GCC_VERSION=${_gcc_major}, or use g++-${TRELLIS2_GCC_VERSION} with -DCMAKE_CXX_COMPILER=g++-${TRELLIS2_GCC_VERSION} (in a fresh build directory)")
  endif()
endif()
# The host compiler must link the shared C++ runtime torch uses. A wrapper
# that adds -static-libstdc++ (the GPU image's /opt/gcc, say) would make
# every module fail the audit's cxx-runtime check after the whole compile;
# its driver says so at once in the link step it plans (`g++ -###`), which
# LDFLAGS and the like do not touch.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  execute_process(COMMAND "${CMAKE_CXX_COMPILER}" "-###" -x c++ /dev/null -o /dev/null
    OUTPUT_VARIABLE _driver ERROR_VARIABLE _driver)
  string(REPLACE "\"" "" _driver "${_driver}")
  if(_driver MATCHES "(-Bstatic -lstdc\\+\\+|[^ ]*libstdc\\+\\+\\.a)")
    _trellis2_pin_mismatch("host compiler ${CMAKE_CXX_COMPILER}" "a driver that links libstdc++ statically ('${CMAKE_MATCH_1}' in its link step, ${CMAKE_CXX_COMPILER} -###)"
      "one that links the shared libstdc++.so.6, which torch and every module must share"
      "nothing: pass the real g++, not a wrapper adding -static-libstdc++ (-DCMAKE_CXX_COMPILER=/usr/bin/g++-${TRELLIS2_GCC_VERSION}, in a fresh build directory)")
  endif()
endif()
# nvcc's host compiler is the checked compiler, always (NativeBuild.cmake's plan):
# another one given here would be silently replaced, so say so instead.
if(CMAKE_CUDA_HOST_COMPILER)
  file(REAL_PATH "${CMAKE_CUDA_HOST_COMPILER}" _host_real)
  file(REAL_PATH "${CMAKE_CXX_COMPILER}" _cxx_real)
  if(NOT _host_real STREQUAL _cxx_real)
    _trellis2_pin_mismatch("CMAKE_CUDA_HOST_COMPILER" "${CMAKE_CUDA_HOST_COMPILER}"
      "CMAKE_CXX_COMPILER (${CMAKE_CXX_COMPILER}): nvcc's -ccbin is always the checked host compiler"
      "-UCMAKE_CUDA_HOST_COMPILER, or choose the host compiler with -DCMAKE_CXX_COMPILER= (in a fresh build directory)")
  endif()
endif()
string(REGEX MATCH "^[0-9]+" _nvcc_major "${TRELLIS2_NVCC_VERSION}")
string(REGEX MATCH "^[0-9]+" _torch_cuda_major "${TRELLIS2_FOUND_TORCH_CUDA_VERSION}")
set(TRELLIS2_CUDA_MISMATCH OFF)
if(NOT _nvcc_major STREQUAL _torch_cuda_major)
  set(TRELLIS2_CUDA_MISMATCH ON)
  if(NOT TRELLIS2_ALLOW_CUDA_MISMATCH)
    _trellis2_pin_mismatch("nvcc ${CMAKE_CUDA_COMPILER}" "CUDA ${TRELLIS2_NVCC_VERSION}"
      "CUDA ${_torch_cuda_major}.x, the major torch was built with (${TRELLIS2_FOUND_TORCH_CUDA_VERSION})"
      "-DTRELLIS2_ALLOW_CUDA_MISMATCH=ON (compiles, but is not a build to ship)")
  endif()
endif()

# Architectures the toolkit cannot target fail here, not ten minutes into nvcc.
execute_process(COMMAND "${CMAKE_CUDA_COMPILER}" --list-gpu-code OUTPUT_VARIABLE _nvcc_codes RESULT_VARIABLE _codes_rc)
if(_codes_rc EQUAL 0)
  foreach(_flag IN LISTS TRELLIS2_TORCH_CUDA_ARCH_FLAGS)
    if(NOT _flag MATCHES "code=(sm_[0-9]+[a-z]?)")
      continue()
    endif()
    set(_code "${CMAKE_MATCH_1}")
    if(NOT _nvcc_codes MATCHES "${_code}")
      string(REGEX REPLACE "[\n ]+" " " _codes_line "${_nvcc_codes}")
      _trellis2_pin_mismatch("CUDA architecture ${_code} (TRELLIS2_CUDA_ARCHITECTURES=${TRELLIS2_CUDA_ARCHITECTURES})"
        "nvcc ${TRELLIS2_NVCC_VERSION} cannot generate it" "one of:${_codes_line}"
        "-DTRELLIS2_CUDA_ARCHITECTURES=<list without it>, or a newer nvcc")
    endif()
  endforeach()
endif()

if(_mismatches)
  message(FATAL_ERROR "The toolchain does not match its pins:${_mismatches}\n"
    "Nothing was compiled. Fix the toolchain or accept the difference, then configure again.")
endif()

# --- what the modules link -------------------------------------------------------
# torch's CUDAExtension names libraries (c10, torch, ..., cudart); resolve each
# to a full path once. cudart is the one torch itself loads when torch has
# its own (pip's CUDA runtime wheel, found by probe_torch.py for the CUDA 12
# and 13 layouts): DT_NEEDED then names the soname torch has already loaded,
# whichever toolkit compiled the kernels.
if(TRELLIS2_TORCH_CUDART)
  set(_cudart_default "${TRELLIS2_TORCH_CUDART}")
  set(_cudart_reason "torch's own: ${TRELLIS2_TORCH_CUDART_REASON}")
else()
  find_library(_cudart_default cudart HINTS ${TRELLIS2_TORCH_LIBRARY_DIRS} NO_CACHE)
  set(_cudart_reason "the toolkit's, as ${TRELLIS2_TORCH_CUDART_REASON}")
endif()
set(TRELLIS2_CUDART_LIBRARY "${_cudart_default}" CACHE FILEPATH
  "libcudart the modules link (default: the one torch loads, else the toolkit's)")
if(TRELLIS2_CUDART_LIBRARY STREQUAL _cudart_default)
  set(TRELLIS2_CUDART_REASON "${_cudart_reason}")
else()
  set(TRELLIS2_CUDART_REASON "set in the cache; the default would be ${_cudart_default} (${_cudart_reason})")
endif()
set(TRELLIS2_TORCH_LINK_LIBRARIES "")
foreach(_lib IN LISTS TRELLIS2_TORCH_LIBRARIES)
  if(_lib STREQUAL "cudart")
    list(APPEND TRELLIS2_TORCH_LINK_LIBRARIES "${TRELLIS2_CUDART_LIBRARY}")
    continue()
  endif()
  find_library(_path "${_lib}" HINTS ${TRELLIS2_TORCH_LIBRARY_DIRS} NO_DEFAULT_PATH NO_CACHE)
  if(NOT _path)
    message(FATAL_ERROR "torch names library '${_lib}' but it is not in ${TRELLIS2_TORCH_LIBRARY_DIRS}. "
      "Reinstall torch ${TRELLIS2_TORCH_VERSION} for ${Python3_EXECUTABLE}.")
  endif()
  list(APPEND TRELLIS2_TORCH_LINK_LIBRARIES "${_path}")
  unset(_path)
endforeach()
