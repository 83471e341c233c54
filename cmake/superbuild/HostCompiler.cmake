# HostCompiler: included before project(). When nobody named a C++ compiler
# (no -DCMAKE_CXX_COMPILER, no $CXX, no preset), take g++-<TRELLIS2_GCC_VERSION>
# if it is installed: the machine's default c++ is often another GCC major
# (Debian 12's is GCC 12 while .ci/setup installs g++-11), and the pin check
# in Toolchain.cmake would stop on it. Otherwise CMake chooses, and the pin
# check judges its choice.

include_guard(GLOBAL)

if(NOT DEFINED CMAKE_CXX_COMPILER AND "$ENV{CXX}" STREQUAL "")
  find_program(_trellis2_pinned_cxx "g++-${TRELLIS2_GCC_VERSION}" NO_CACHE)
  if(_trellis2_pinned_cxx)
    message(STATUS "No C++ compiler given: taking ${_trellis2_pinned_cxx} (TRELLIS2_GCC_VERSION=${TRELLIS2_GCC_VERSION})")
    set(CMAKE_CXX_COMPILER "${_trellis2_pinned_cxx}")
  endif()
endif()
