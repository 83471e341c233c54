# Fixture: when the fixture package is selected and its pin file is the
# generated default, make the fixture's git repository and pin file now, at
# configure time, so the pull step sees a repository like any other.

include_guard(GLOBAL)

if("fixture" IN_LIST TRELLIS2_PACKAGES
   AND TRELLIS2_FIXTURE_PIN_FILE STREQUAL "${CMAKE_CURRENT_BINARY_DIR}/fixture-upstream/fixture.cmake")
  execute_process(
    COMMAND "${CMAKE_COMMAND}"
      "-DUPSTREAM=${PROJECT_SOURCE_DIR}/tests/fixture/upstream"
      "-DREPO=${CMAKE_CURRENT_BINARY_DIR}/fixture-upstream/repo"
      "-DPIN_FILE=${TRELLIS2_FIXTURE_PIN_FILE}"
      -P "${PROJECT_SOURCE_DIR}/cmake/scripts/make_fixture_repo.cmake"
    RESULT_VARIABLE _fixture_rc)
  if(NOT _fixture_rc EQUAL 0)
    message(FATAL_ERROR "Could not make the fixture repository under ${CMAKE_CURRENT_BINARY_DIR}/fixture-upstream")
  endif()
  # Edits to the fixture upstream re-run configure, which commits them.
  file(GLOB_RECURSE _fixture_files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tests/fixture/upstream/*")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_fixture_files})
endif()
