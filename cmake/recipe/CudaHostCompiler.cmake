# CudaHostCompiler: after project(), prove that CMake's CUDA detection used
# the checked host compiler (CMAKE_CXX_COMPILER), not another one.
#
# CMake records the host compiler and the libraries and directories it links
# implicitly in CMakeFiles/<version>/CMakeCUDACompiler.cmake at a tree's first
# configure and keeps them for good: a tree first configured with CUDAHOSTCXX
# set to a wrapper keeps compiling every .cu with it (-ccbin) and adds its
# libstdc++.a to every CUDA module's link, whatever the cache says later. The
# superbuild now configures without CUDAHOSTCXX (CompilerEnvironment.cmake);
# this catches a tree detected before that, or any other way in.
#
# trellis2_check_cuda_host_compiler()   stops configure on a difference

include_guard(GLOBAL)

function(trellis2_check_cuda_host_compiler)
  set(recorded "${CMAKE_BINARY_DIR}/CMakeFiles/${CMAKE_VERSION}/CMakeCUDACompiler.cmake")
  set(fix "Remove the native build tree (rm -rf ${CMAKE_BINARY_DIR}) and build again: "
    "it is configured anew with the checked compiler.")
  file(REAL_PATH "${CMAKE_CUDA_HOST_COMPILER}" host)
  file(REAL_PATH "${CMAKE_CXX_COMPILER}" cxx)
  if(NOT host STREQUAL cxx)
    message(FATAL_ERROR "nvcc's host compiler is not the checked one:\n"
      "  found: ${CMAKE_CUDA_HOST_COMPILER} (recorded in ${recorded})\n"
      "  expected: CMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}\n" ${fix})
  endif()
  # What nvcc links of the host compiler must be what that compiler links.
  foreach(lib IN LISTS CMAKE_CUDA_IMPLICIT_LINK_LIBRARIES)
    if(NOT lib IN_LIST CMAKE_CXX_IMPLICIT_LINK_LIBRARIES)
      message(FATAL_ERROR "CUDA's implicit link libraries are not the host compiler's:\n"
        "  found: '${lib}' in CMAKE_CUDA_IMPLICIT_LINK_LIBRARIES (${CMAKE_CUDA_IMPLICIT_LINK_LIBRARIES})\n"
        "  expected: only those of ${CMAKE_CXX_COMPILER} (${CMAKE_CXX_IMPLICIT_LINK_LIBRARIES})\n" ${fix})
    endif()
  endforeach()
  # nvcc's own directories (the toolkit's lib and stubs) aside.
  foreach(dir IN LISTS CMAKE_CUDA_IMPLICIT_LINK_DIRECTORIES)
    if(NOT dir IN_LIST CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES AND NOT dir IN_LIST CMAKE_CUDA_HOST_IMPLICIT_LINK_DIRECTORIES)
      message(FATAL_ERROR "CUDA's implicit link directories are not the host compiler's:\n"
        "  found: '${dir}' in CMAKE_CUDA_IMPLICIT_LINK_DIRECTORIES\n"
        "  expected: those of ${CMAKE_CXX_COMPILER} (${CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES}) and nvcc's own\n" ${fix})
    endif()
  endforeach()
endfunction()
