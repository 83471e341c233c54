# Stage: copy what a package recipe produces into TRELLIS2_STAGE_DIR, the
# site-packages layout that `PYTHONPATH=build/stage python -c 'import x'` uses.
# Copies are build rules with exact dependencies, so a rebuild restages only
# what changed.
#
# trellis2_stage_file(<source> <stage subdir> <file name> MODULE <target> [DEPENDS <dep>...])
#   one module file; <source> may be a generator expression. The staged path
#   becomes the module target's TRELLIS2_STAGED_FILE property, and the
#   package's target (TRELLIS2_PACKAGE) depends on the copy.
# trellis2_stage_python(<out> <package dir>...)
#   every file of the named package directories (relative to the package
#   source) except build leftovers and native files, keeping their layout;
#   <out> is set to the staged paths

include_guard(GLOBAL)

function(trellis2_stage_file source subdir name)
  cmake_parse_arguments(PARSE_ARGV 3 arg "" "MODULE" "DEPENDS")
  set(dest "${TRELLIS2_STAGE_DIR}/${subdir}/${name}")
  if(subdir STREQUAL "")
    set(dest "${TRELLIS2_STAGE_DIR}/${name}")  # a top-level module (_nvdiffrast_c)
  endif()
  add_custom_command(OUTPUT "${dest}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${TRELLIS2_STAGE_DIR}/${subdir}"
    COMMAND "${CMAKE_COMMAND}" -E copy "${source}" "${dest}"
    DEPENDS ${arg_DEPENDS}
    COMMENT "Staging ${subdir}/${name}"
    VERBATIM)
  add_custom_target(${arg_MODULE}_stage DEPENDS "${dest}")
  add_dependencies(${TRELLIS2_PACKAGE} ${arg_MODULE}_stage)
  set_target_properties(${arg_MODULE} PROPERTIES TRELLIS2_STAGED_FILE "${dest}")
endfunction()

function(trellis2_stage_python out)
  set(outputs "")
  foreach(package_dir IN LISTS ARGN)
    set(root "${TRELLIS2_PACKAGE_SOURCE_DIR}/${package_dir}")
    if(NOT IS_DIRECTORY "${root}")
      message(FATAL_ERROR "Python package directory '${package_dir}' not found in ${TRELLIS2_PACKAGE_SOURCE_DIR}. "
        "Is TRELLIS2_PACKAGE_SOURCE_DIR the right checkout?")
    endif()
    file(GLOB_RECURSE files CONFIGURE_DEPENDS RELATIVE "${TRELLIS2_PACKAGE_SOURCE_DIR}" "${root}/*")
    # Native files a local checkout may hold from an in-place setuptools
    # build are not the package's code; the build replaces them.
    list(FILTER files EXCLUDE REGEX "(__pycache__/|\\.pyc$|\\.o$)")
    list(FILTER files EXCLUDE REGEX "${TRELLIS2_NATIVE_PATTERN}")
    foreach(file IN LISTS files)
      set(dest "${TRELLIS2_STAGE_DIR}/${file}")
      add_custom_command(OUTPUT "${dest}"
        COMMAND "${CMAKE_COMMAND}" -E copy "${TRELLIS2_PACKAGE_SOURCE_DIR}/${file}" "${dest}"
        DEPENDS "${TRELLIS2_PACKAGE_SOURCE_DIR}/${file}"
        VERBATIM)
      list(APPEND outputs "${dest}")
    endforeach()
  endforeach()
  set(${out} "${outputs}" PARENT_SCOPE)
endfunction()

# The wheel tool's definition of a native file name (.so, .so.N, .pyd), in
# the regex syntax CMake and Python share, so both sides agree on it. Asked
# once per configure (this file is included once, at the inner project's top,
# so every recipe's directory sees it), not once per use.
execute_process(COMMAND ${TRELLIS2_WHEEL_TOOL} native-pattern
  OUTPUT_VARIABLE TRELLIS2_NATIVE_PATTERN OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _trellis2_rc
  ERROR_VARIABLE _trellis2_err)
if(NOT _trellis2_rc EQUAL 0 OR TRELLIS2_NATIVE_PATTERN STREQUAL "")
  message(FATAL_ERROR "`trellis2_wheel native-pattern` failed (exit ${_trellis2_rc}): ${_trellis2_err}\n"
    "Expected the configured Python (${TRELLIS2_PYTHON}) to run the wheel tool; "
    "run .ci/setup to install its packages (packaging, installer, wheel).")
endif()
