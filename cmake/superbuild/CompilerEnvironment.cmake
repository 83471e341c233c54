# CompilerEnvironment: the environment variables that would otherwise choose
# another compiler or change a package's compile or link behind the checked
# toolchain's back, and what the superbuild does about each.
#
# Every package step (the native build's configure and build, the API check it runs, and
# the sccache server that compiles for it) runs under
# `cmake -E env --unset=<each>`, whatever the environment says when the step
# runs: configure time and build time may differ. Why each one matters:
#   CC, CXX        CMake's first choice of compiler; the packages get
#                  CMAKE_CXX_COMPILER (checked) instead, and compile no C
#   CUDAHOSTCXX    CMake's CUDA detection takes it over CMAKE_CUDA_HOST_COMPILER
#                  and records it for good: nvcc's -ccbin and the CUDA implicit
#                  link libraries (a wrapper's libstdc++.a) would come from it
#   CUDACXX        CMake's choice of nvcc; the packages get CMAKE_CUDA_COMPILER
#   NVCC_CCBIN     nvcc's host compiler when no -ccbin is given
#   NVCC_PREPEND_FLAGS, NVCC_APPEND_FLAGS
#                  read by nvcc itself at every run: a -ccbin or a link flag
#                  there beats the command line
#   CFLAGS, CXXFLAGS, CUDAFLAGS, LDFLAGS
#                  CMake's initial compile and link flags; the modules get
#                  torch's extension flags only
# Nothing here stops configure: each variable is made harmless, and one set to
# a value that is not the checked toolchain gets a line in the summary
# (TRELLIS2_ENVIRONMENT_NOTES) and in report.json, so it is never used silently.
#
# Sets TRELLIS2_NATIVE_ENV (the command prefix), TRELLIS2_NEUTRALISED_ENV
# (the names) and TRELLIS2_ENVIRONMENT_NOTES (a list of "VAR=value: why").

include_guard(GLOBAL)

set(TRELLIS2_NEUTRALISED_ENV
  CC CXX CUDAHOSTCXX CUDACXX NVCC_CCBIN NVCC_PREPEND_FLAGS NVCC_APPEND_FLAGS
  CFLAGS CXXFLAGS CUDAFLAGS LDFLAGS)

set(TRELLIS2_NATIVE_ENV "${CMAKE_COMMAND}" -E env)
foreach(_var IN LISTS TRELLIS2_NEUTRALISED_ENV)
  list(APPEND TRELLIS2_NATIVE_ENV "--unset=${_var}")
endforeach()

# Is `command` (a compiler variable's value: a name or path, no arguments)
# the file `checked` is? Wrappers are different files, so they never match.
function(_trellis2_names_same_file command checked out)
  set(${out} OFF PARENT_SCOPE)
  if(command MATCHES "[ \t]")  # arguments: the packages would drop them
    return()
  endif()
  find_program(_path "${command}" NO_CACHE)
  if(_path)
    file(REAL_PATH "${_path}" _real)
    file(REAL_PATH "${checked}" _checked)
    if(_real STREQUAL _checked)
      set(${out} ON PARENT_SCOPE)
    endif()
  endif()
endfunction()

set(TRELLIS2_ENVIRONMENT_NOTES "")
foreach(_var IN LISTS TRELLIS2_NEUTRALISED_ENV)
  set(_value "$ENV{${_var}}")
  if(_value STREQUAL "")
    continue()
  endif()
  # A compiler variable that names the checked compiler itself is no news.
  set(_same OFF)
  if(_var MATCHES "^(CXX|CUDAHOSTCXX|NVCC_CCBIN)$")
    _trellis2_names_same_file("${_value}" "${CMAKE_CXX_COMPILER}" _same)
    set(_why "not used: every package compiles with CMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}, also as nvcc's -ccbin")
  elseif(_var STREQUAL "CUDACXX")
    _trellis2_names_same_file("${_value}" "${CMAKE_CUDA_COMPILER}" _same)
    set(_why "not used: nvcc is CMAKE_CUDA_COMPILER=${CMAKE_CUDA_COMPILER} (pass -DCMAKE_CUDA_COMPILER= to choose another)")
  elseif(_var STREQUAL "CC")
    set(_why "not used: no package compiles C")
  elseif(_var MATCHES "^NVCC_")
    set(_why "unset for the packages: nvcc gets torch's extension flags and -ccbin=${CMAKE_CXX_COMPILER} only")
  else()
    set(_why "unset for the packages: their modules get torch's extension flags only")
  endif()
  if(NOT _same)
    list(APPEND TRELLIS2_ENVIRONMENT_NOTES "${_var}=${_value}: ${_why}")
  endif()
endforeach()
