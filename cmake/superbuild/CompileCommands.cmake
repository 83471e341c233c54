# CompileCommands: build/compile_commands.json merged from every package
# sub-build after each build (clangd on the upstream sources, kernel work).

include_guard(GLOBAL)

set(_inputs "")
foreach(pkg IN LISTS TRELLIS2_PACKAGES)
  trellis2_package_binary_dir(${pkg} _subbuild)
  list(APPEND _inputs "${_subbuild}/compile_commands.json")
endforeach()
string(REPLACE ";" "|" _inputs "${_inputs}")
add_custom_target(compile_commands ALL
  COMMAND "${CMAKE_COMMAND}" "-DOUT=${CMAKE_BINARY_DIR}/compile_commands.json" "-DINPUTS=${_inputs}"
    -P "${PROJECT_SOURCE_DIR}/cmake/scripts/merge_compile_commands.cmake"
  VERBATIM)
add_dependencies(compile_commands ${TRELLIS2_PACKAGES})
