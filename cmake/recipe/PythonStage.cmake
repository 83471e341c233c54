# PythonStage: the Python half of a package's stage, and the checks that
# close it. Used by Recipe.cmake inside a package sub-build.
#
# trellis2_stage_package_python(DIST <name> VERSION <v> PACKAGES <dir>...)
#   DIST, VERSION  the distribution, as the input wheel names it (VERSION is
#                  needed only for a dist-info written from the source)
#   PACKAGES       its Python package directories (relative to the source)
#   Sets TRELLIS2_PYTHON_STAMP: every module's staging copy depends on it, so
#   the Python is in the stage before a module is copied in. At the end of
#   the recipe (cmake_language(DEFER)), when the module list is complete:
#   - the Python is staged from the input wheel (TRELLIS2_PYTHON_FROM=wheel:
#     `trellis2_wheel stage-wheel`, which leaves the wheel's native files out
#     and reports those the build does not replace) or from the pinned
#     source (file copies, then `make-dist-info`);
#   - once every module is staged, the dist-info RECORD is regenerated and
#     the API check runs: every name the Python takes from a native module
#     must exist in the built module. A failure fails the build and leaves
#     no stamp, so the next build checks again. With TRELLIS2_API_CHECK=deliver
#     this target (trellis2_stage_finished) runs at install and wheels time
#     instead of in every build.

include_guard(GLOBAL)
include(Stage)

function(trellis2_stage_package_python)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "DIST;VERSION" "PACKAGES")
  if(NOT arg_DIST OR NOT arg_PACKAGES OR (TRELLIS2_PYTHON_FROM STREQUAL "source" AND NOT arg_VERSION))
    message(FATAL_ERROR "trellis2_stage_package_python: DIST and PACKAGES are required, and VERSION with Python from source")
  endif()
  if(TRELLIS2_PYTHON_FROM STREQUAL "source")
    trellis2_stage_python(${arg_PACKAGES})
  elseif(NOT EXISTS "${TRELLIS2_PACKAGE_WHEEL}")
    message(FATAL_ERROR "TRELLIS2_PYTHON_FROM=wheel, but no wheel was given for ${arg_DIST} "
      "(TRELLIS2_PACKAGE_WHEEL='${TRELLIS2_PACKAGE_WHEEL}'). Configure through the superbuild with -DTRELLIS2_WHEEL_DIR=...")
  endif()
  set_property(GLOBAL PROPERTY TRELLIS2_PYTHON_ARGS "${arg_DIST}" "${arg_VERSION}")
  set_property(GLOBAL PROPERTY TRELLIS2_PYTHON_PACKAGES ${arg_PACKAGES})
  set_property(GLOBAL PROPERTY TRELLIS2_PYTHON_TOP_LEVEL ${arg_PACKAGES})
  set(TRELLIS2_PYTHON_STAMP "${CMAKE_BINARY_DIR}/python-staged.json" PARENT_SCOPE)
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _trellis2_finish_package_stage)
endfunction()

function(_trellis2_finish_package_stage)
  get_property(args GLOBAL PROPERTY TRELLIS2_PYTHON_ARGS)
  list(GET args 0 dist)
  list(GET args 1 version)
  get_property(packages GLOBAL PROPERTY TRELLIS2_PYTHON_PACKAGES)
  get_property(top_level GLOBAL PROPERTY TRELLIS2_PYTHON_TOP_LEVEL)
  get_property(modules GLOBAL PROPERTY TRELLIS2_MODULES)
  get_property(staged_modules GLOBAL PROPERTY TRELLIS2_STAGED_MODULES)
  get_property(staged_python GLOBAL PROPERTY TRELLIS2_STAGED_PYTHON_FILES)
  # A module without a package (_nvdiffrast_c) is a top-level name too.
  foreach(module IN LISTS modules)
    if(NOT module MATCHES "\\.")
      list(APPEND top_level "${module}")
    endif()
  endforeach()
  set(python_stamp "${CMAKE_BINARY_DIR}/python-staged.json")

  if(TRELLIS2_PYTHON_FROM STREQUAL "wheel")
    set(pin "")
    if(TRELLIS2_PACKAGE_WHEEL_SHA256)
      set(pin --sha256 "${TRELLIS2_PACKAGE_WHEEL_SHA256}")
    endif()
    add_custom_command(OUTPUT "${python_stamp}"
      COMMAND ${TRELLIS2_WHEEL_TOOL} stage-wheel "${TRELLIS2_PACKAGE_WHEEL}" --stage "${TRELLIS2_STAGE_DIR}"
        --native ${modules} --report "${python_stamp}" ${pin}
      DEPENDS "${TRELLIS2_PACKAGE_WHEEL}"
      COMMENT "Staging the Python of ${TRELLIS2_PACKAGE_WHEEL}"
      VERBATIM)
  else()
    add_custom_command(OUTPUT "${python_stamp}"
      COMMAND ${TRELLIS2_WHEEL_TOOL} make-dist-info --stage "${TRELLIS2_STAGE_DIR}"
        --name "${dist}" --version "${version}" --top-level ${top_level}
      COMMAND "${CMAKE_COMMAND}" -E touch "${python_stamp}"
      DEPENDS ${staged_python}
      COMMENT "Writing the dist-info of ${dist} ${version} (Python from the source)"
      VERBATIM)
  endif()

  set(checked "${CMAKE_BINARY_DIR}/api-check.ok")
  add_custom_command(OUTPUT "${checked}"
    COMMAND "${CMAKE_COMMAND}" -E rm -f "${checked}"
    COMMAND ${TRELLIS2_WHEEL_TOOL} record --stage "${TRELLIS2_STAGE_DIR}" --dist "${dist}"
    COMMAND ${TRELLIS2_WHEEL_TOOL} api-check --python "${TRELLIS2_STAGE_DIR}" --native "${TRELLIS2_STAGE_DIR}"
      --package ${packages} --interpreter "${Python3_EXECUTABLE}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${checked}"
    DEPENDS ${staged_modules} "${python_stamp}"
    COMMENT "RECORD and API check of ${dist}"
    VERBATIM)
  # TRELLIS2_API_CHECK=deliver leaves it to `cmake --install` and the wheels
  # target (the kernel loop then skips a torch import per rebuild).
  if(TRELLIS2_API_CHECK STREQUAL "deliver")
    add_custom_target(trellis2_stage_finished DEPENDS "${checked}")
  else()
    add_custom_target(trellis2_stage_finished ALL DEPENDS "${checked}")
  endif()

  # What the superbuild's build report reads: the modules and their files.
  set(entries "")
  foreach(module IN LISTS modules)
    list(APPEND entries "{\"import\": \"${module}\", \"file\": \"$<TARGET_FILE:${module}>\"}")
  endforeach()
  string(JOIN ",\n  " entries ${entries})
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/modules.json" CONTENT
    "{\"dist\": \"${dist}\", \"api_check_stamp\": \"${checked}\",\n \"modules\": [\n  ${entries}]}\n")
endfunction()
