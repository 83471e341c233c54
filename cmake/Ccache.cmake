# Ccache: ccache as the compiler launcher of every sub-build, for C++ and CUDA.
# TRELLIS2_CCACHE=AUTO uses it when found, ON requires it, OFF never.
# A launcher given directly (CMAKE_CXX_COMPILER_LAUNCHER) is kept as it is.

include_guard(GLOBAL)

set(TRELLIS2_CCACHE "AUTO" CACHE STRING "Use ccache as compiler launcher: AUTO (when found), ON, OFF")
set_property(CACHE TRELLIS2_CCACHE PROPERTY STRINGS AUTO ON OFF)

if(NOT TRELLIS2_CCACHE STREQUAL "OFF" AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(TRELLIS2_CCACHE_EXECUTABLE ccache DOC "ccache used as compiler launcher")
  if(TRELLIS2_CCACHE_EXECUTABLE)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${TRELLIS2_CCACHE_EXECUTABLE}")
    set(CMAKE_CUDA_COMPILER_LAUNCHER "${TRELLIS2_CCACHE_EXECUTABLE}")
  elseif(TRELLIS2_CCACHE STREQUAL "ON")
    message(FATAL_ERROR "TRELLIS2_CCACHE=ON but ccache was not found. Install it (apt-get install ccache / "
      "dnf install ccache) or configure with -DTRELLIS2_CCACHE=AUTO.")
  endif()
endif()
