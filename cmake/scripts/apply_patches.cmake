# cmake -DSOURCE_DIR=<dir> -DPATCHES=<file;...> -DPIN_FILE=<file> -DCOMMIT=<sha>
#       -P apply_patches.cmake
#
# The patch step of a pinned upstream. Every patch is checked before any is
# applied, so a patch that no longer applies leaves the tree untouched and the
# message names the patch, the pin file and the commit. A patch already in the
# tree (the step re-run) is skipped.

find_package(Git REQUIRED)
foreach(patch IN LISTS PATCHES)
  execute_process(COMMAND "${GIT_EXECUTABLE}" apply --reverse --check "${patch}"
    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE already OUTPUT_QUIET ERROR_QUIET)
  if(already EQUAL 0)
    list(APPEND applied "${patch}")
    continue()
  endif()
  execute_process(COMMAND "${GIT_EXECUTABLE}" apply --check "${patch}"
    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Patch ${patch} does not apply to ${SOURCE_DIR} at ${COMMIT} (pinned in ${PIN_FILE}):\n${err}\n"
      "Refresh the patch for that commit, or remove it from PIN_PATCHES in ${PIN_FILE}.")
  endif()
  list(APPEND pending "${patch}")
endforeach()
foreach(patch IN LISTS pending)
  execute_process(COMMAND "${GIT_EXECUTABLE}" apply "${patch}" WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "git apply ${patch} failed in ${SOURCE_DIR} after its check passed")
  endif()
  message(STATUS "Applied ${patch}")
endforeach()
