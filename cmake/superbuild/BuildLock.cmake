# BuildLock: one build of a build tree at a time.
#
# Two `cmake --build` of one tree at once would both compile, link, audit and
# stage the same files. The target `build-lock` runs
# cmake/scripts/build_lock.py on <build>/build.lock: an flock held by a
# process that lives exactly as long as the build tool that ran the step, so
# a killed or crashed build leaves no stale lock, and a second build fails at
# once with the holder's pid, command and start time.
# Every step that writes in the tree waits for it: the pulls, the sccache
# server and `recover` name it in their dependencies (CMakeLists.txt); the
# native build, the report and the wheels follow the pulls.

include_guard(GLOBAL)
include(Toolchain)  # Python3_EXECUTABLE

# This step runs in every build, the no-op one too: -I -S, the standard
# library alone, without the site's start-up cost (Python3_EXECUTABLE is the
# interpreter itself by now, not a version manager's shim: Toolchain.cmake).
add_custom_target(build-lock
  COMMAND "${Python3_EXECUTABLE}" -I -S "${PROJECT_SOURCE_DIR}/cmake/scripts/build_lock.py"
    "${CMAKE_BINARY_DIR}/build.lock"
  COMMENT "Taking the build-tree lock ${CMAKE_BINARY_DIR}/build.lock"
  VERBATIM)
