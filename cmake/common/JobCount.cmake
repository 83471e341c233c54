# JobCount: the native build's job counts. A count from the environment,
# torch's convention (MAX_JOBS) before CMake's (CMAKE_BUILD_PARALLEL_LEVEL),
# and the nvcc pool's depth from the memory available. Read at configure, for the
# default of TRELLIS2_JOBS (JobPool.cmake), and at each build's start, where it
# replaces TRELLIS2_JOBS (cmake/scripts/native_build.cmake).
#
# trellis2_jobs_from_environment(<jobs> <from> <fix>)
#   <jobs>, <from>  the first of the two that is set and not empty, and its
#                   name; left undefined when neither is
#   <fix>           ends the error for a value that is not a positive number:
#                   "unset it <fix>."
#
# trellis2_nvcc_pool_depth(<depth> <available_mb> <job_memory_mb> <threads>)
#   the nvcc jobs the memory available now holds, at least 1, and that
#   memory: at configure (the native tree's first generate) and at each
#   build's start. A job is <threads> device compiles at once (nvcc
#   --threads, one per architecture), each up to <job_memory_mb> (measured
#   at one architecture): an H100 host's build with 16 jobs at --threads 4
#   was killed for memory (126 GB) when the depth ignored them.

include_guard(GLOBAL)

function(trellis2_jobs_from_environment jobs from fix)
  foreach(var MAX_JOBS CMAKE_BUILD_PARALLEL_LEVEL)
    if("$ENV{${var}}" STREQUAL "")
      continue()
    elseif(NOT "$ENV{${var}}" MATCHES "^[1-9][0-9]*$")
      message(FATAL_ERROR "${var}='$ENV{${var}}' in the environment is not a positive number of compile jobs. "
        "Expected e.g. ${var}=4; unset it ${fix}.")
    elseif(NOT DEFINED found)
      set(found "$ENV{${var}}")
      set(${jobs} "$ENV{${var}}" PARENT_SCOPE)
      set(${from} "${var}" PARENT_SCOPE)
    endif()
  endforeach()
endfunction()

function(trellis2_nvcc_pool_depth depth available job_memory_mb threads)
  cmake_host_system_information(RESULT available_mb QUERY AVAILABLE_PHYSICAL_MEMORY)
  math(EXPR jobs "${available_mb} / (${job_memory_mb} * ${threads})")
  if(jobs LESS 1)
    set(jobs 1)
  endif()
  set(${depth} "${jobs}" PARENT_SCOPE)
  set(${available} "${available_mb}" PARENT_SCOPE)
endfunction()
