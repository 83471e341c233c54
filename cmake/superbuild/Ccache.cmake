# Ccache: ccache as the compiler launcher of every sub-build, for C++ and
# CUDA units. TRELLIS2_CCACHE=AUTO uses it when found, ON requires it, OFF
# never. TRELLIS2_CCACHE_REMOTE shares the cache between machines and CI
# runners through ccache's remote storage (redis://host:port, http://...).
#
# Sets TRELLIS2_CCACHE_LAUNCHER (a command prefix, possibly empty), which
# JobPool.cmake puts behind the job-slot launcher.

include_guard(GLOBAL)

set(TRELLIS2_CCACHE "AUTO" CACHE STRING "Use ccache as compiler launcher: AUTO (when found), ON, OFF")
set_property(CACHE TRELLIS2_CCACHE PROPERTY STRINGS AUTO ON OFF)
set(TRELLIS2_CCACHE_REMOTE "" CACHE STRING
  "ccache remote storage shared by machines (e.g. redis://127.0.0.1:6379); empty: local cache only")

set(TRELLIS2_CCACHE_LAUNCHER "")
if(NOT TRELLIS2_CCACHE STREQUAL "OFF")
  find_program(TRELLIS2_CCACHE_EXECUTABLE ccache DOC "ccache used as compiler launcher")
  if(TRELLIS2_CCACHE_EXECUTABLE)
    # Paths under the build tree (the pulled sources, the sub-builds) are
    # hashed relative to it, so a second build directory hits the same entries.
    set(TRELLIS2_CCACHE_LAUNCHER "${CMAKE_COMMAND}" -E env "CCACHE_BASEDIR=${CMAKE_BINARY_DIR}")
    if(TRELLIS2_CCACHE_REMOTE)
      list(APPEND TRELLIS2_CCACHE_LAUNCHER "CCACHE_REMOTE_STORAGE=${TRELLIS2_CCACHE_REMOTE}")
    endif()
    list(APPEND TRELLIS2_CCACHE_LAUNCHER "${TRELLIS2_CCACHE_EXECUTABLE}")
  elseif(TRELLIS2_CCACHE STREQUAL "ON")
    message(FATAL_ERROR "TRELLIS2_CCACHE=ON but ccache was not found. Install it (apt-get install ccache / "
      "dnf install ccache) or configure with -DTRELLIS2_CCACHE=AUTO.")
  endif()
endif()
if(TRELLIS2_CCACHE_REMOTE AND NOT TRELLIS2_CCACHE_LAUNCHER)
  message(FATAL_ERROR "TRELLIS2_CCACHE_REMOTE=${TRELLIS2_CCACHE_REMOTE} needs ccache, which is "
    "${TRELLIS2_CCACHE} / not found. Install ccache or clear TRELLIS2_CCACHE_REMOTE.")
endif()
