# cmake -DMANIFEST=<native dir>/manifest.json -DNATIVE_DIR=<dir> -DCONFIGURE=<cmd;...> -P check_native_manifest.cmake
#
# Run before every native build (NativeBuild.cmake): the manifest is the one
# way facts come back from the native build (the report, the SBOM and the
# delivery read it), and the native build writes it only when it configures.
# A manifest cut short (a full disk, a killed editor) or removed would break
# every later build with no command rewriting it. So: when it is missing or
# not a JSON object with "packages", the native build is configured again,
# which writes it anew (file(GENERATE) rewrites a file whose bytes differ),
# and the build says so. A valid manifest costs one read.

string(REPLACE "|" ";" CONFIGURE "${CONFIGURE}")
if(NOT EXISTS "${NATIVE_DIR}/CMakeCache.txt")
  return()  # not configured yet: its configure step writes the manifest
endif()
set(problem "")
if(NOT EXISTS "${MANIFEST}")
  set(problem "it is missing")
else()
  file(READ "${MANIFEST}" text)
  string(JSON type ERROR_VARIABLE error TYPE "${text}" packages)
  if(error)
    set(problem "it is not the JSON the native build wrote (${error})")
  elseif(NOT type STREQUAL "OBJECT")
    set(problem "its \"packages\" is ${type}, not an object")
  endif()
endif()
if(problem)
  message(STATUS "${MANIFEST}: ${problem}; configuring the native build again to rewrite it")
  file(REMOVE "${MANIFEST}")
  execute_process(COMMAND ${CONFIGURE} RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${MANIFEST}")
    message(FATAL_ERROR "Configuring ${NATIVE_DIR} again did not rewrite ${MANIFEST} (exit ${rc}). "
      "Remove the native build and build again: rm -rf ${NATIVE_DIR} && cmake --build <build dir>")
  endif()
endif()
