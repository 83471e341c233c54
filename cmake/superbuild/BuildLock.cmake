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

# This step runs in every build, the no-op one too: the interpreter itself,
# not a version manager's shim (a shell script, ~0.1 s a run), and -I -S, the
# standard library alone without the site's start-up cost.
execute_process(COMMAND "${Python3_EXECUTABLE}" -c "import sys; print(sys.executable)"
  OUTPUT_VARIABLE _python OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT IS_ABSOLUTE "${_python}" OR NOT EXISTS "${_python}")
  set(_python "${Python3_EXECUTABLE}")
endif()
add_custom_target(build-lock
  COMMAND "${_python}" -I -S "${PROJECT_SOURCE_DIR}/cmake/scripts/build_lock.py"
    "${CMAKE_BINARY_DIR}/build.lock"
  COMMENT "Taking the build-tree lock ${CMAKE_BINARY_DIR}/build.lock"
  VERBATIM)
