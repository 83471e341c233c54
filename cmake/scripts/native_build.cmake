# The native build step (cmake/superbuild/NativeBuild.cmake runs this): sizes
# Ninja's two caps for this build (JobPool.cmake), then builds the native tree.
#
#   cmake -DNATIVE_DIR=<build>/native -DJOBS=<n> -DJOB_MEMORY_MB=<MB> -DNVCC_THREADS=<t>
#         [-DFARM_CORES_FILE=<file>] [-DTARGET=<target>] -P native_build.cmake
#
# nvcc pool: the memory available now / (JOB_MEMORY_MB x NVCC_THREADS, the
#   device compiles one nvcc runs at once), at least 1. When the
#   native tree was generated with another depth, its configure runs again
#   with the new one (a cache variable of extensions/CMakeLists.txt): a
#   pool's depth is in no compile command, so nothing recompiles.
# -j: MAX_JOBS, else CMAKE_BUILD_PARALLEL_LEVEL of the build's environment,
#   else JOBS (TRELLIS2_JOBS); the farm's cores in FARM_CORES_FILE (written by
#   sccache_server.cmake at this build's start) when more: the farm, not the
#   local cores or memory, then bounds the compiles, the nvcc pool's too.
# Fails, after Ninja's own messages, when the build fails.
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/../common/JobCount.cmake")

trellis2_jobs_from_environment(jobs from "(the build then runs TRELLIS2_JOBS=${JOBS} jobs)")
if(NOT DEFINED jobs)
  set(jobs "${JOBS}")
  set(from "TRELLIS2_JOBS")
endif()
if(FARM_CORES_FILE AND EXISTS "${FARM_CORES_FILE}")
  file(STRINGS "${FARM_CORES_FILE}" farm_cores LIMIT_COUNT 1)
  if(farm_cores MATCHES "^[0-9]+$" AND farm_cores GREATER jobs)
    set(jobs "${farm_cores}")
    set(from "the farm's cores")
  endif()
endif()

trellis2_nvcc_pool_depth(depth available_mb "${JOB_MEMORY_MB}" "${NVCC_THREADS}")
if(from STREQUAL "the farm's cores" AND depth LESS jobs)
  # nvcc's device compiles then run on the farm's machines, not in this
  # one's memory: the farm's cores bound the CUDA units too.
  set(depth "${jobs}")
endif()
# The depth the tree was generated with (extensions/CMakeLists.txt keeps it in its cache).
file(STRINGS "${NATIVE_DIR}/CMakeCache.txt" generated REGEX "^TRELLIS2_NVCC_POOL_DEPTH:")
string(REGEX REPLACE "^[^=]*=" "" generated "${generated}")
message(STATUS "Native build: ${jobs} jobs (${from}), nvcc pool ${depth} "
  "(${available_mb} MB available / (${JOB_MEMORY_MB} MB x ${NVCC_THREADS} nvcc threads a job))")
if(NOT generated STREQUAL depth)
  message(STATUS "Native build: generating it again for the nvcc pool ${depth} (was ${generated})")
  execute_process(COMMAND "${CMAKE_COMMAND}" "-DTRELLIS2_NVCC_POOL_DEPTH=${depth}" "${NATIVE_DIR}"
    OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${out}\nConfiguring the native build ${NATIVE_DIR} with the nvcc pool depth ${depth} "
      "failed (above). Fix the error it names, then run the build again.")
  endif()
endif()

set(target_args "")
if(TARGET)
  set(target_args --target "${TARGET}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${NATIVE_DIR}" --parallel "${jobs}" ${target_args}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "The native build failed (exit ${rc}); its errors are above.")
endif()
