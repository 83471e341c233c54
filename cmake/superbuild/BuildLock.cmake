# BuildLock: one build of a build tree at a time.
#
# Two `cmake --build` of one tree at once would both compile, link, audit and
# stage the same files. The target `build-lock` runs first in every build
# (every other target of the superbuild depends on it) and runs
# `jobslot --build-lock <build>/build.lock` (tools/jobslot/build_lock.h): an
# flock held by a process that lives exactly as long as the build tool that
# ran the step, so a killed or crashed build leaves no stale lock, and a
# second build fails at once with the holder's pid, command and start time.
# The same step sizes the nvcc pool from the memory available at the build's
# start (JobPool.cmake).

include_guard(GLOBAL)

add_custom_target(build-lock ALL
  COMMAND "${TRELLIS2_JOBSLOT}" --build-lock "${CMAKE_BINARY_DIR}/build.lock"
    --size-memory-pool "${TRELLIS2_JOBSLOT_POOLS}/nvcc"
  COMMENT "Taking the build-tree lock ${CMAKE_BINARY_DIR}/build.lock"
  VERBATIM)

# After the whole tree is read (tests/ and packaging/ add targets later).
function(_trellis2_after_build_lock directory)
  get_property(targets DIRECTORY "${directory}" PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_property(type TARGET ${target} PROPERTY TYPE)
    if(NOT target STREQUAL "build-lock" AND NOT type STREQUAL "INTERFACE_LIBRARY")
      add_dependencies(${target} build-lock)
    endif()
  endforeach()
  get_property(subdirectories DIRECTORY "${directory}" PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    _trellis2_after_build_lock("${subdirectory}")
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _trellis2_after_build_lock "${CMAKE_SOURCE_DIR}")
