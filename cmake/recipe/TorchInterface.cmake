# TorchInterface: trellis2::torch, the INTERFACE target through which a
# module gets what torch.utils.cpp_extension's CUDAExtension + BuildExtension
# give every extension, built from the plain values of the native plan
# (the superbuild's torch probe finds them, cmake/superbuild/NativeBuild.cmake
# writes them):
#   usage requirements   torch's and Python's include dirs (-I after the
#                        recipe's, setuptools' order), the libraries
#                        CUDAExtension links (full paths),
#                        TORCH_API_INCLUDE_EXTENSION_H, the
#                        PYBIND11_{COMPILER_TYPE,STDLIB,BUILD_ABI} trio and
#                        _GLIBCXX_USE_CXX11_ABI
#   properties read by trellis2_add_torch_extension (TorchExtension.cmake),
#   because their place on the command line matters and usage requirements
#   always come after a target's own flags (setuptools puts them before the
#   recipe's, so the recipe's -O3 or -U__CUDA_NO_HALF_OPERATORS__ wins):
#     TRELLIS2_CXX_FLAGS, TRELLIS2_CUDA_FLAGS, TRELLIS2_CUDA_ARCH_FLAGS,
#     TRELLIS2_EXT_SUFFIX, TRELLIS2_NVCC_THREADS, TRELLIS2_NVCC_SPLIT_COMPILE
#
# trellis2_add_torch_interface(INCLUDE_DIRS <dir>... LINK_LIBRARIES <lib>...
#     DEFINES <def>... CXX11_ABI <0|1> CXX_FLAGS <flag>... CUDA_FLAGS <flag>...
#     CUDA_ARCH_FLAGS <flag>... EXT_SUFFIX <suffix> NVCC_THREADS <n>
#     [NVCC_SPLIT_COMPILE <n>])

include_guard(GLOBAL)

function(trellis2_add_torch_interface)
  set(one CXX11_ABI EXT_SUFFIX NVCC_THREADS NVCC_SPLIT_COMPILE)
  set(lists INCLUDE_DIRS LINK_LIBRARIES DEFINES CXX_FLAGS CUDA_FLAGS CUDA_ARCH_FLAGS)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "${one}" "${lists}")
  if(arg_UNPARSED_ARGUMENTS OR NOT arg_EXT_SUFFIX OR NOT arg_CUDA_ARCH_FLAGS OR NOT arg_CXX11_ABI MATCHES "^[01]$")
    message(FATAL_ERROR "trellis2_add_torch_interface: the native plan lacks torch's values "
      "(EXT_SUFFIX='${arg_EXT_SUFFIX}', CXX11_ABI='${arg_CXX11_ABI}', CUDA_ARCH_FLAGS='${arg_CUDA_ARCH_FLAGS}'"
      "${arg_UNPARSED_ARGUMENTS}). Re-configure the superbuild (cmake -S <repo> -B <build>), which writes the plan.")
  endif()
  add_library(trellis2::torch INTERFACE IMPORTED GLOBAL)
  set_target_properties(trellis2::torch PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${arg_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${arg_LINK_LIBRARIES}"
    INTERFACE_COMPILE_DEFINITIONS
      "TORCH_API_INCLUDE_EXTENSION_H;${arg_DEFINES};_GLIBCXX_USE_CXX11_ABI=${arg_CXX11_ABI}"
    TRELLIS2_CXX_FLAGS "${arg_CXX_FLAGS}"
    TRELLIS2_CUDA_FLAGS "${arg_CUDA_FLAGS}"
    TRELLIS2_CUDA_ARCH_FLAGS "${arg_CUDA_ARCH_FLAGS}"
    TRELLIS2_EXT_SUFFIX "${arg_EXT_SUFFIX}"
    TRELLIS2_NVCC_THREADS "${arg_NVCC_THREADS}"
    TRELLIS2_NVCC_SPLIT_COMPILE "${arg_NVCC_SPLIT_COMPILE}"
    # Not a system target (an imported one is, by default): its include dirs
    # are -I, in setuptools' order after the recipe's, not -isystem.
    SYSTEM OFF)
endfunction()
