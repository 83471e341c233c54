# Toolchain: find Python, torch, nvcc and the host compiler, compare each with
# its pin, and stop before anything compiles when they disagree.
#
# Sets (normal variables, read by SubBuildCache.cmake and Summary.cmake):
#   TRELLIS2_FOUND_*        what was found (torch, CUDA, Python versions)
#   TRELLIS2_TORCH_*        torch's include dirs, libraries, flags (probe_torch.py)
#   TRELLIS2_PYTHON_*       Python's include dirs, EXT_SUFFIX, tags, CFLAGS
#   TRELLIS2_NVCC_VERSION   release of nvcc, e.g. 13.0
#   TRELLIS2_CUDART_LIBRARY the libcudart the modules link (cache)
#   TRELLIS2_TORCH_LINK_LIBRARIES  full paths of torch's libraries

find_package(Python3 COMPONENTS Interpreter REQUIRED)

# --- torch, through the configured Python ----------------------------------
set(_probe_out "${CMAKE_CURRENT_BINARY_DIR}/torch-probe.cmake")
execute_process(
  COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_LIST_DIR}/probe_torch.py"
          "${_probe_out}" "${TRELLIS2_CUDA_ARCHITECTURES}"
  RESULT_VARIABLE _probe_rc
  ERROR_VARIABLE _probe_err
  OUTPUT_QUIET)
if(NOT _probe_rc EQUAL 0)
  string(REGEX REPLACE "[^\n]*(UserWarning|No CUDA runtime|_conversion_method)[^\n]*\n?" "" _probe_err "${_probe_err}")
  message(FATAL_ERROR
    "Asking ${Python3_EXECUTABLE} for torch failed:\n  ${_probe_err}\n"
    "Expected torch ${TRELLIS2_TORCH_VERSION} importable from that Python. "
    "Install it (pip install torch==${TRELLIS2_TORCH_VERSION}) or point -DPython3_EXECUTABLE=... at a Python that has it.")
endif()
include("${_probe_out}")

# --- nvcc --------------------------------------------------------------------
if(NOT CMAKE_CUDA_COMPILER)
  find_program(CMAKE_CUDA_COMPILER nvcc
    HINTS "$ENV{CUDA_HOME}/bin" "${TRELLIS2_TORCH_CUDA_HOME}/bin" /usr/local/cuda/bin
    DOC "nvcc used for every .cu unit")
endif()
if(NOT CMAKE_CUDA_COMPILER)
  message(FATAL_ERROR "nvcc not found (looked in $CUDA_HOME/bin, /usr/local/cuda/bin and PATH). "
    "Install the CUDA toolkit ${TRELLIS2_TORCH_CUDA_VERSION} or pass -DCMAKE_CUDA_COMPILER=/path/to/nvcc.")
endif()
execute_process(COMMAND "${CMAKE_CUDA_COMPILER}" --version OUTPUT_VARIABLE _nvcc_out RESULT_VARIABLE _nvcc_rc)
if(NOT _nvcc_rc EQUAL 0 OR NOT _nvcc_out MATCHES "release ([0-9]+\\.[0-9]+)")
  message(FATAL_ERROR "${CMAKE_CUDA_COMPILER} --version did not print a CUDA release (exit ${_nvcc_rc}). "
    "Pass -DCMAKE_CUDA_COMPILER=/path/to/nvcc.")
endif()
set(TRELLIS2_NVCC_VERSION "${CMAKE_MATCH_1}")

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
# to a full path once. cudart is the one torch itself loads when torch bundles
# it (pip's nvidia-cuda-runtime): DT_NEEDED then names the soname torch has
# already loaded, whichever toolkit compiled the kernels.
if(TRELLIS2_TORCH_BUNDLED_CUDART)
  set(_cudart_default "${TRELLIS2_TORCH_BUNDLED_CUDART}")
else()
  find_library(_cudart_default cudart HINTS ${TRELLIS2_TORCH_LIBRARY_DIRS} NO_CACHE)
endif()
set(TRELLIS2_CUDART_LIBRARY "${_cudart_default}" CACHE FILEPATH
  "libcudart the modules link (default: the one torch loads, else the toolkit's)")
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
