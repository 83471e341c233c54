# CompilerDetection: the native build's CXX and CUDA detection, moved off the
# path to the first compile. The native configure (extensions/, at build time)
# would spend 2-3 s of its ~3 s identifying g++ and nvcc and testing their ABI
# (CMake's project()), after the superbuild's configure spent 2.4-4.4 s in
# the torch probe. Both depend only on the compilers, which are known before
# the probe, so the superbuild's configure runs the detection in one
# pipeline with the probe (execute_process runs its commands at once), and
# the native tree starts from its answer.
#
# trellis2_compiler_detection_command(<out var>)
#   The command (a list) that detects CMAKE_CXX_COMPILER and
#   CMAKE_CUDA_COMPILER, with CMAKE_CXX_COMPILER as nvcc's host compiler, as
#   the native project does, in <build>/compiler-detection, under the native
#   environment; silent, always exits 0 (cmake/scripts/detect_compilers.cmake).
#   A re-configure with the same compilers finds its answer and returns at
#   once; a fresh tree copies the answer kept in TRELLIS2_CONFIGURE_CACHE_DIR/
#   compilers/ for the same CMake and compilers, if there is one.
#
# trellis2_seed_compiler_detection(<native dir>)
#   A native tree not configured yet (no CMakeCache.txt) gets the detection's
#   CMakeFiles/<version>/CMake{System,CXXCompiler,CUDACompiler}.cmake and a
#   cache that says this CMake wrote them (CMAKE_PLATFORM_INFO_INITIALIZED and
#   the cache version: without them CMake deletes the files of a fresh tree).
#   CMake then loads them instead of detecting; extensions/CMakeLists.txt
#   drops them if they name other compilers than its plan.
#   Sets TRELLIS2_NATIVE_SEEDED (ON/OFF) and TRELLIS2_NATIVE_SEED_KEPT (where
#   a kept answer came from, or empty) for the summary.

include_guard(GLOBAL)
include(CompilerEnvironment)  # TRELLIS2_NATIVE_ENV

set(TRELLIS2_COMPILER_DETECTION_DIR "${CMAKE_BINARY_DIR}/compiler-detection")
set(_trellis2_detected_files CMakeSystem.cmake CMakeCXXCompiler.cmake CMakeCUDACompiler.cmake)
# Answers kept across build trees by the compilers' identity (Options.cmake).
set(_trellis2_detection_keep_dir "")
if(TRELLIS2_CONFIGURE_CACHE_DIR)
  set(_trellis2_detection_keep_dir "${TRELLIS2_CONFIGURE_CACHE_DIR}/compilers")
endif()

function(trellis2_compiler_detection_command out)
  set(${out} ${TRELLIS2_NATIVE_ENV} "${CMAKE_COMMAND}" "-DDETECT_DIR=${TRELLIS2_COMPILER_DETECTION_DIR}"
    "-DCXX=${CMAKE_CXX_COMPILER}" "-DCUDA=${CMAKE_CUDA_COMPILER}" "-DKEEP_DIR=${_trellis2_detection_keep_dir}"
    -P "${PROJECT_SOURCE_DIR}/cmake/scripts/detect_compilers.cmake" PARENT_SCOPE)
endfunction()

function(trellis2_seed_compiler_detection native_dir)
  set(TRELLIS2_NATIVE_SEEDED OFF PARENT_SCOPE)
  set(TRELLIS2_NATIVE_SEED_KEPT "" PARENT_SCOPE)
  set(from "${TRELLIS2_COMPILER_DETECTION_DIR}/CMakeFiles/${CMAKE_VERSION}")
  set(to "${native_dir}/CMakeFiles/${CMAKE_VERSION}")
  if(EXISTS "${native_dir}/CMakeCache.txt" OR NOT EXISTS "${TRELLIS2_COMPILER_DETECTION_DIR}/inputs.txt")
    return()  # configured already, or the detection failed (the native configure then says why)
  endif()
  file(MAKE_DIRECTORY "${to}")
  foreach(file IN LISTS _trellis2_detected_files)
    file(COPY_FILE "${from}/${file}" "${to}/${file}")
  endforeach()
  file(WRITE "${native_dir}/CMakeCache.txt"
    "# Seeded by the trellis2-native superbuild (CompilerDetection.cmake): the\n"
    "# compilers were detected in ${TRELLIS2_COMPILER_DETECTION_DIR}.\n"
    "CMAKE_CACHE_MAJOR_VERSION:INTERNAL=${CMAKE_MAJOR_VERSION}\n"
    "CMAKE_CACHE_MINOR_VERSION:INTERNAL=${CMAKE_MINOR_VERSION}\n"
    "CMAKE_CACHE_PATCH_VERSION:INTERNAL=${CMAKE_PATCH_VERSION}\n"
    "CMAKE_PLATFORM_INFO_INITIALIZED:INTERNAL=1\n")
  set(TRELLIS2_NATIVE_SEEDED ON PARENT_SCOPE)
  if(EXISTS "${TRELLIS2_COMPILER_DETECTION_DIR}/kept.txt")
    file(STRINGS "${TRELLIS2_COMPILER_DETECTION_DIR}/kept.txt" kept LIMIT_COUNT 1)
    set(TRELLIS2_NATIVE_SEED_KEPT "${kept}" PARENT_SCOPE)
  endif()
endfunction()
