# cmake -DREPOSITORY=<url> -DCOMMIT=<sha> -DDEST=<dir> -DPIN_FILE=<file>
#       -DMARKER=<relative file> -P fetch_pinned.cmake
#
# The download step of a pinned upstream: clone, check out the exact commit,
# pull submodules recursively, and prove the tree is the package (MARKER).
# Idempotent: a DEST already at COMMIT is left alone. Each failure names the
# pin file and the commit, so a bad pin is found from the message alone.

foreach(var REPOSITORY COMMIT DEST PIN_FILE MARKER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "fetch_pinned.cmake: -D${var}=... is required")
  endif()
endforeach()
find_package(Git REQUIRED)

function(git)
  execute_process(COMMAND "${GIT_EXECUTABLE}" ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(git_rc "${rc}" PARENT_SCOPE)
  set(git_out "${out}" PARENT_SCOPE)
  set(git_err "${err}" PARENT_SCOPE)
endfunction()

if(EXISTS "${DEST}/.git")
  git(-C "${DEST}" rev-parse HEAD)
  if(git_out STREQUAL COMMIT)
    message(STATUS "${DEST} is already at ${COMMIT}")
    return()
  endif()
endif()

file(REMOVE_RECURSE "${DEST}")
git(clone --no-checkout --quiet "${REPOSITORY}" "${DEST}")
if(NOT git_rc EQUAL 0)
  message(FATAL_ERROR "Cannot clone ${REPOSITORY} (pinned in ${PIN_FILE}):\n${git_err}\n"
    "Check the network, or fill a source cache (TRELLIS2_SOURCE_CACHE) for offline builds.")
endif()
git(-C "${DEST}" -c advice.detachedHead=false checkout --quiet --detach "${COMMIT}")
if(NOT git_rc EQUAL 0)
  message(FATAL_ERROR "Commit ${COMMIT}, pinned in ${PIN_FILE}, is not in ${REPOSITORY}:\n${git_err}\n"
    "Fix PIN_COMMIT in ${PIN_FILE} (a full 40-character SHA of that repository).")
endif()
git(-C "${DEST}" submodule update --init --recursive --quiet)
if(NOT git_rc EQUAL 0)
  message(FATAL_ERROR "Submodules of ${REPOSITORY} at ${COMMIT} (pinned in ${PIN_FILE}) could not be pulled:\n${git_err}")
endif()
if(NOT EXISTS "${DEST}/${MARKER}")
  message(FATAL_ERROR "${REPOSITORY} at ${COMMIT} (pinned in ${PIN_FILE}) has no ${MARKER}: "
    "the pin does not point at this package.")
endif()
