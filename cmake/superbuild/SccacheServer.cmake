# SccacheServer: the build's own sccache server, started at the start of
# every build and stopped after its last compile (cmake/scripts/sccache_server.cmake).
#
#   sccache-server  after the build-tree lock, before the native build: starts the
#                   server on this tree's socket; with TRELLIS2_SCCACHE_DIST_SCHEDULER
#                   decides whether this build compiles on the farm and writes
#                   the farm's cores (TRELLIS2_SCCACHE_FARM_CORES), Ninja's -j then
#   sccache-stats   after the native build: the server's statistics into
#                   <build>/sccache/stats.json (the build report reads them),
#                   then stops the server
#
# One build of a tree at a time (BuildLock.cmake), so restarting the tree's
# server at the build's start never pulls it from under another build.

include_guard(GLOBAL)
include(CompilerEnvironment)  # TRELLIS2_NATIVE_ENV
include(Sccache)              # TRELLIS2_SCCACHE_*
include(BuildLock)            # the build-lock target

if(NOT TRELLIS2_SCCACHE_LAUNCHER)
  return()
endif()

set(_script "${PROJECT_SOURCE_DIR}/cmake/scripts/sccache_server.cmake")
set(_common -DSCCACHE=${TRELLIS2_SCCACHE_EXECUTABLE} -DSOCKET=${TRELLIS2_SCCACHE_SOCKET}
  -DCONF=${TRELLIS2_SCCACHE_CONF} -DSTATE_DIR=${TRELLIS2_SCCACHE_STATE_DIR})
# The server compiles for the packages: it starts without the variables they
# run without (CompilerEnvironment.cmake).
add_custom_target(sccache-server
  COMMAND ${TRELLIS2_NATIVE_ENV} "${CMAKE_COMMAND}" -DMODE=start ${_common} "-DFARM_CORES_FILE=${TRELLIS2_SCCACHE_FARM_CORES}"
    "-DSCHEDULER=${TRELLIS2_SCCACHE_DIST_SCHEDULER}" "-DTOKEN_FILE=${TRELLIS2_SCCACHE_DIST_TOKEN_FILE}"
    "-DCXX=${CMAKE_CXX_COMPILER}" -P "${_script}"
  COMMENT "Starting the build's sccache server" VERBATIM)
add_custom_target(sccache-stats ALL
  COMMAND "${CMAKE_COMMAND}" -DMODE=stop ${_common} -P "${_script}"
  COMMENT "" VERBATIM)
# The native build waits for the server, and the statistics for the native
# build (CMakeLists.txt adds both, where the native build is added).
add_dependencies(sccache-server build-lock)
