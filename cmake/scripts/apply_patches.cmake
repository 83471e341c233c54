# cmake -DSOURCE_DIR=<dir> -DPATCHES=<file;...> -DPIN_FILE=<file> -DCOMMIT=<sha>
#       -P apply_patches.cmake
#
# The patch step of a pinned upstream. Every patch is checked before any is
# applied, so a patch that no longer applies leaves the tree untouched and the
# message names the patch, the pin file and the commit. A patch already in the
# tree (the step re-run) is skipped.

find_package(Git REQUIRED)
# git apply inside another repository's work tree (a copy of the source
# cache under build/, itself inside the trellis2-native checkout) takes the
# patch's paths relative to that repository and skips them, exiting 0 with
# nothing applied. The ceiling stops git's search at the tree itself: a clone
# is still its own repository, a copied tree none.
get_filename_component(ceiling "${SOURCE_DIR}" DIRECTORY)
set(git "${CMAKE_COMMAND}" -E env "GIT_CEILING_DIRECTORIES=${ceiling}" "${GIT_EXECUTABLE}")
foreach(patch IN LISTS PATCHES)
  execute_process(COMMAND ${git} apply --reverse --check "${patch}"
    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE already OUTPUT_QUIET ERROR_QUIET)
  if(already EQUAL 0)
    list(APPEND applied "${patch}")
    continue()
  endif()
  execute_process(COMMAND ${git} apply --check "${patch}"
    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Patch ${patch} does not apply to ${SOURCE_DIR} at ${COMMIT} (pinned in ${PIN_FILE}):\n${err}\n"
      "Refresh the patch for that commit, or remove it from PIN_PATCHES in ${PIN_FILE}.")
  endif()
  list(APPEND pending "${patch}")
endforeach()
foreach(patch IN LISTS pending)
  execute_process(COMMAND ${git} apply "${patch}" WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "git apply ${patch} failed in ${SOURCE_DIR} after its check passed")
  endif()
  # Applied means: it now reverses cleanly.
  execute_process(COMMAND ${git} apply --reverse --check "${patch}"
    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "git apply ${patch} exited 0 in ${SOURCE_DIR}, but the tree does not hold the patch after it")
  endif()
  message(STATUS "Applied ${patch}")
endforeach()
