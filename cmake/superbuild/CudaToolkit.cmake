# CudaToolkit: which nvcc compiles the kernels, and the toolkit around it.
#
# TRELLIS2_CUDA_TOOLKIT=system: nvcc is CMAKE_CUDA_COMPILER, else the first of
# $CUDA_HOME/bin, /usr/local/cuda/bin and PATH (torch's own search order).
# TRELLIS2_CUDA_TOOLKIT=<version>: the cuda-toolkit of that version from PyPI,
# installed by this build, from its lock (third_party/cuda-toolkit/<version>.txt,
# or TRELLIS2_CUDA_TOOLKIT_LOCK), into a prefix of its own under
# TRELLIS2_CUDA_TOOLKIT_CACHE: no root, no system toolkit, never the user's
# environment. pip installs it with --require-hashes --no-deps, so every
# file is the one the lock names; offline, pip's own PIP_NO_INDEX and
# PIP_FIND_LINKS point it at a folder of the wheels.
#
# trellis2_cuda_toolkit()  (after FindPython: pip is the configured Python's)
#   Sets CMAKE_CUDA_COMPILER (cache) and, in the caller:
#   TRELLIS2_CUDA_TOOLKIT_ROOT    the toolkit nvcc belongs to (torch's CUDA_HOME
#                                 for the probe: its include and library dirs)
#   TRELLIS2_CUDA_TOOLKIT_ORIGIN  one line for the summary and report.json
#   TRELLIS2_CUDA_TOOLKIT_LOCK_SHA256  the lock's sha256 ("" for system)
#
# trellis2_cuda_math_headers()  (after probe_torch.py)
#   A PyPI toolkit has no cuBLAS, cuSPARSE or cuSOLVER headers, which torch's
#   own headers include (ATen/cuda/CUDAContextLight.h: cublas_v2.h,
#   cusparse.h, cublasLt.h, cusolverDn.h; cubvh and nvdiffrast include
#   ATen/cuda/CUDAContext.h). A torch from PyPI carries them, at the versions
#   it was built with, in its own CUDA wheels: site-packages/nvidia/cu<major>/
#   include, beside the libcudart it loads. That folder is appended to
#   TRELLIS2_TORCH_INCLUDE_DIRS, after the toolkit's; TRELLIS2_CUDA_MATH_HEADERS
#   says which folder, or why none.

include_guard(GLOBAL)

function(trellis2_cuda_toolkit)
  if(TRELLIS2_CUDA_TOOLKIT STREQUAL "system")
    _trellis2_system_nvcc()
    set(origin "system: ${CMAKE_CUDA_COMPILER}")
    set(lock_sha "")
  else()
    _trellis2_pypi_nvcc(origin lock_sha)
  endif()
  # nvcc lives in <root>/bin in both layouts (/usr/local/cuda, nvidia/cu13).
  get_filename_component(root "${CMAKE_CUDA_COMPILER}" DIRECTORY)
  get_filename_component(root "${root}" DIRECTORY)
  set(TRELLIS2_CUDA_TOOLKIT_ROOT "${root}" PARENT_SCOPE)
  set(TRELLIS2_CUDA_TOOLKIT_ORIGIN "${origin}" PARENT_SCOPE)
  set(TRELLIS2_CUDA_TOOLKIT_LOCK_SHA256 "${lock_sha}" PARENT_SCOPE)
endfunction()

function(trellis2_cuda_math_headers)
  set(note "the toolkit's (${TRELLIS2_CUDA_TOOLKIT_ROOT}/include)")
  if(NOT EXISTS "${TRELLIS2_CUDA_TOOLKIT_ROOT}/include/cublas_v2.h")
    set(torch_include "")
    if(TRELLIS2_TORCH_CUDART)
      get_filename_component(torch_include "${TRELLIS2_TORCH_CUDART}" DIRECTORY)
      get_filename_component(torch_include "${torch_include}/../include" ABSOLUTE)
    endif()
    if(torch_include AND EXISTS "${torch_include}/cublas_v2.h" AND EXISTS "${torch_include}/cusparse.h")
      list(APPEND TRELLIS2_TORCH_INCLUDE_DIRS "${torch_include}")
      set(TRELLIS2_TORCH_INCLUDE_DIRS "${TRELLIS2_TORCH_INCLUDE_DIRS}" PARENT_SCOPE)
      set(note "torch's own CUDA wheels' (${torch_include}), after the toolkit's")
    else()
      set(note "NONE: ${TRELLIS2_CUDA_TOOLKIT_ROOT}/include has no cublas_v2.h and torch has no "
        "nvidia/*/include beside its libcudart; a unit including ATen/cuda/CUDAContext.h will not compile")
      string(CONCAT note ${note})
    endif()
  endif()
  set(TRELLIS2_CUDA_MATH_HEADERS "${note}" PARENT_SCOPE)
endfunction()

function(_trellis2_system_nvcc)
  # An nvcc this build installed, left in the cache by an earlier
  # TRELLIS2_CUDA_TOOLKIT=<version>, is not the system's: search again.
  if(CMAKE_CUDA_COMPILER AND CMAKE_CUDA_COMPILER STREQUAL TRELLIS2_CUDA_TOOLKIT_INSTALLED_NVCC)
    unset(CMAKE_CUDA_COMPILER CACHE)
  endif()
  if(NOT CMAKE_CUDA_COMPILER)
    find_program(CMAKE_CUDA_COMPILER nvcc HINTS "$ENV{CUDA_HOME}/bin" /usr/local/cuda/bin
      DOC "nvcc used for every .cu unit")
  endif()
  if(NOT CMAKE_CUDA_COMPILER)
    message(FATAL_ERROR "nvcc not found (looked in $CUDA_HOME/bin, /usr/local/cuda/bin and PATH). "
      "Install the CUDA toolkit ${TRELLIS2_TORCH_CUDA_VERSION}, pass -DCMAKE_CUDA_COMPILER=/path/to/nvcc, "
      "or let the build install one from PyPI: -DTRELLIS2_CUDA_TOOLKIT=<version> (a lock in third_party/cuda-toolkit/).")
  endif()
endfunction()

function(_trellis2_pypi_nvcc out_origin out_sha)
  set(version "${TRELLIS2_CUDA_TOOLKIT}")
  if(NOT version MATCHES "^([0-9]+)\\.[0-9]+\\.[0-9]+$")
    message(FATAL_ERROR "TRELLIS2_CUDA_TOOLKIT='${version}': expected 'system' or an exact cuda-toolkit "
      "version from PyPI such as 13.0.2.")
  endif()
  set(major "${CMAKE_MATCH_1}")
  if(CMAKE_CUDA_COMPILER AND NOT CMAKE_CUDA_COMPILER STREQUAL TRELLIS2_CUDA_TOOLKIT_INSTALLED_NVCC)
    message(FATAL_ERROR "Two choices of nvcc: CMAKE_CUDA_COMPILER=${CMAKE_CUDA_COMPILER} and "
      "TRELLIS2_CUDA_TOOLKIT=${version} (PyPI's). Keep one: -UCMAKE_CUDA_COMPILER, or -DTRELLIS2_CUDA_TOOLKIT=system.")
  endif()
  set(lock "${TRELLIS2_CUDA_TOOLKIT_LOCK}")
  if(NOT lock)
    set(lock "${PROJECT_SOURCE_DIR}/third_party/cuda-toolkit/${version}.txt")
  endif()
  if(NOT EXISTS "${lock}")
    file(GLOB locked RELATIVE "${PROJECT_SOURCE_DIR}/third_party/cuda-toolkit" "${PROJECT_SOURCE_DIR}/third_party/cuda-toolkit/*.txt")
    string(REPLACE ".txt" "" locked "${locked}")
    string(REPLACE ";" ", " locked "${locked}")
    message(FATAL_ERROR "No lock for cuda-toolkit ${version}: ${lock} does not exist (locked: ${locked}).\n"
      "Write one with: python3 tools/lock_cuda_toolkit.py ${version}   (pip resolves it; review and commit the file), "
      "or pass -DTRELLIS2_CUDA_TOOLKIT_LOCK=<file>.")
  endif()
  _trellis2_check_lock("${lock}" "${version}")
  file(SHA256 "${lock}" lock_sha)
  string(SUBSTRING "${lock_sha}" 0 12 short)
  set(prefix "${TRELLIS2_CUDA_TOOLKIT_CACHE}/${version}-${short}")
  set(nvcc "${prefix}/nvidia/cu${major}/bin/nvcc")
  # The prefix is complete when its stamp names the lock: written last, after
  # pip succeeded in a scratch folder that is then renamed into place.
  set(stamp "${prefix}/trellis2-toolkit.lock.sha256")
  if(EXISTS "${stamp}")
    file(READ "${stamp}" stamped)
  endif()
  if(NOT stamped STREQUAL lock_sha OR NOT EXISTS "${nvcc}")
    _trellis2_install_toolkit("${lock}" "${lock_sha}" "${prefix}" "${major}")
  endif()
  _trellis2_toolkit_lib64("${prefix}/nvidia/cu${major}")
  set(CMAKE_CUDA_COMPILER "${nvcc}" CACHE FILEPATH "nvcc used for every .cu unit" FORCE)
  set(TRELLIS2_CUDA_TOOLKIT_INSTALLED_NVCC "${nvcc}" CACHE INTERNAL "nvcc this build installed from PyPI")
  file(RELATIVE_PATH shown "${PROJECT_SOURCE_DIR}" "${lock}")
  if(shown MATCHES "^\\.\\.")
    set(shown "${lock}")
  endif()
  set(${out_origin} "PyPI cuda-toolkit ${version} (lock ${shown}, sha256 ${short}...), in ${prefix}" PARENT_SCOPE)
  set(${out_sha} "${lock_sha}" PARENT_SCOPE)
endfunction()

# nvcc runs cicc (nvidia-nvvm) on the crt and runtime headers: all four of
# one release, or nvcc stops ("CUDA compiler and CUDA toolkit headers are
# incompatible") or, worse, compiles with another release's front end.
# Checked on the lock's text, before pip downloads anything.
function(_trellis2_check_lock lock version)
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" series "${version}")
  file(STRINGS "${lock}" lines REGEX "^[A-Za-z]")
  set(found "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^(nvidia-cuda-nvcc|nvidia-nvvm|nvidia-cuda-crt|nvidia-cuda-runtime)==([0-9.]+)")
      set(part "${CMAKE_MATCH_1}")  # the next MATCHES resets CMAKE_MATCH_*
      set(part_version "${CMAKE_MATCH_2}")
      list(APPEND found "${part}")
      if(NOT part_version MATCHES "^${series}\\.")
        message(FATAL_ERROR "${lock}: ${part}==${part_version} is not of CUDA ${series}, the release of "
          "cuda-toolkit ${version}: expected nvcc, nvvm, crt and the runtime of one release. "
          "Write the lock again: python3 tools/lock_cuda_toolkit.py ${version}")
      endif()
    endif()
  endforeach()
  foreach(part nvidia-cuda-nvcc nvidia-nvvm nvidia-cuda-crt nvidia-cuda-runtime)
    if(NOT part IN_LIST found)
      message(FATAL_ERROR "${lock} has no ${part}==<version> line: expected the whole compiler "
        "(nvcc, nvvm, crt, runtime). Write the lock again: python3 tools/lock_cuda_toolkit.py ${version}")
    endif()
  endforeach()
endfunction()

# nvidia-cuda-nvcc 13.0.88's nvcc.profile links from lib$(_TARGET_SIZE_)
# (lib64, a system toolkit's layout) while the wheels install lib/: nvcc then
# cannot find libcudadevrt.a and libcudart_static.a, and CMake's CUDA
# detection fails, unless some other toolkit's copies sit on the linker's
# default path (/usr/local/lib on the CI image: a system toolkit leaking into
# a PyPI cell). 13.2's profile says lib. The prefix is the build's: lib64
# becomes a link to lib, checked at every configure.
function(_trellis2_toolkit_lib64 root)
  file(READ "${root}/bin/nvcc.profile" profile)
  if(profile MATCHES "lib\\$\\(_TARGET_SIZE_\\)" AND NOT EXISTS "${root}/lib64")
    file(CREATE_LINK lib "${root}/lib64" SYMBOLIC)
  endif()
endfunction()

function(_trellis2_install_toolkit lock lock_sha prefix major)
  set(scratch "${prefix}.partial")
  file(REMOVE_RECURSE "${scratch}")
  message(STATUS "Installing the CUDA toolkit of ${lock} into ${prefix} (pip, --require-hashes)")
  execute_process(
    COMMAND "${Python3_EXECUTABLE}" -m pip install --quiet --disable-pip-version-check --no-deps
            --require-hashes --only-binary=:all: --no-compile --target "${scratch}" -r "${lock}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE "${scratch}")
    message(FATAL_ERROR "pip could not install the CUDA toolkit of ${lock} (exit ${rc}):\n${out}\n"
      "Nothing was kept. pip needs PyPI, or, offline, the wheels the lock names in a folder: "
      "PIP_NO_INDEX=1 PIP_FIND_LINKS=<folder> cmake ... (fill it with: pip download --no-deps "
      "--only-binary=:all: -r ${lock} -d <folder>).")
  endif()
  if(NOT EXISTS "${scratch}/nvidia/cu${major}/bin/nvcc")
    file(REMOVE_RECURSE "${scratch}")
    message(FATAL_ERROR "The lock ${lock} installed no nvidia/cu${major}/bin/nvcc: expected the "
      "nvidia-cuda-nvcc wheel among its lines. Write the lock again: python3 tools/lock_cuda_toolkit.py <version>.")
  endif()
  file(WRITE "${scratch}/trellis2-toolkit.lock.sha256" "${lock_sha}")
  file(REMOVE_RECURSE "${prefix}")
  file(RENAME "${scratch}" "${prefix}")
endfunction()
