# TorchTarget: torch's extension flags and paths, as probed by Toolchain.cmake
# (probe_torch.py), written as the definition of one INTERFACE target,
# trellis2::torch, for the inner project (NativeBuild.cmake puts it in the
# native plan). A module links it and gets what torch.utils.cpp_extension's
# CUDAExtension + BuildExtension give every extension:
#   usage requirements   torch's and Python's include dirs (-I after the recipe's,
#                        setuptools' order), the libraries CUDAExtension links
#                        (c10 torch torch_cpu torch_python cudart c10_cuda
#                        torch_cuda, full paths), TORCH_API_INCLUDE_EXTENSION_H,
#                        the PYBIND11_{COMPILER_TYPE,STDLIB,BUILD_ABI} trio and
#                        _GLIBCXX_USE_CXX11_ABI
#   properties read by trellis2_add_torch_extension, because their place on
#   the command line matters and usage requirements always come after a
#   target's own flags (setuptools puts them before the recipe's, so the
#   recipe's -O3 or -U__CUDA_NO_HALF_OPERATORS__ wins):
#     TRELLIS2_CXX_FLAGS        Python's CFLAGS without -g
#     TRELLIS2_CUDA_FLAGS       COMMON_NVCC_FLAGS
#     TRELLIS2_CUDA_ARCH_FLAGS  torch's -gencode list for TRELLIS2_CUDA_ARCHITECTURES
#     TRELLIS2_EXT_SUFFIX       the module file suffix (.cpython-311-x86_64-linux-gnu.so)
#     TRELLIS2_NVCC_THREADS     the --threads an nvcc unit gets (below)
#
# trellis2_torch_target_code(<out>): the CMake code that defines the target.
# Sets TRELLIS2_NVCC_THREADS at include: the device architectures nvcc
# compiles each unit for, the distinct virtual architectures of the -gencode
# list (9.0+PTX adds PTX of compute_90, not another compile); jobslot's
# cold-start plan (BuildLock.cmake) reserves that many slots for such a unit.

include_guard(GLOBAL)

string(REGEX MATCHALL "arch=compute_[0-9]+[a-z]?" _archs "${TRELLIS2_TORCH_CUDA_ARCH_FLAGS}")
list(REMOVE_DUPLICATES _archs)
list(LENGTH _archs TRELLIS2_NVCC_THREADS)
if(TRELLIS2_NVCC_THREADS LESS 1)
  set(TRELLIS2_NVCC_THREADS 1)
endif()

# Issue 29's measurement: nvcc --split-compile=<n> (CUDA >= 12.1: the
# optimizer of one unit on up to n threads; 0 lets nvcc take every core).
set(TRELLIS2_NVCC_SPLIT_COMPILE "" CACHE STRING
  "nvcc --split-compile value for every CUDA unit (empty: not passed, as torch's own build)")
if(NOT TRELLIS2_NVCC_SPLIT_COMPILE MATCHES "^([0-9]+)?$")
  message(FATAL_ERROR "TRELLIS2_NVCC_SPLIT_COMPILE='${TRELLIS2_NVCC_SPLIT_COMPILE}' is not a thread count. "
    "Pass -DTRELLIS2_NVCC_SPLIT_COMPILE=4, 0 (nvcc's maximum), or leave it empty (not passed).")
endif()

function(trellis2_torch_target_code out)
  set(defines TORCH_API_INCLUDE_EXTENSION_H ${TRELLIS2_TORCH_PYBIND11_DEFINES}
    _GLIBCXX_USE_CXX11_ABI=${TRELLIS2_TORCH_CXX11_ABI})
  set(code "  add_library(trellis2::torch INTERFACE IMPORTED)\n  set_target_properties(trellis2::torch PROPERTIES\n")
  foreach(property_value IN ITEMS
      "INTERFACE_INCLUDE_DIRECTORIES|TRELLIS2_TORCH_INCLUDE_DIRS;TRELLIS2_PYTHON_INCLUDE_DIRS"
      "INTERFACE_LINK_LIBRARIES|TRELLIS2_TORCH_LINK_LIBRARIES"
      "INTERFACE_COMPILE_DEFINITIONS|defines"
      "TRELLIS2_CXX_FLAGS|TRELLIS2_PYTHON_CFLAGS"
      "TRELLIS2_CUDA_FLAGS|TRELLIS2_TORCH_COMMON_NVCC_FLAGS"
      "TRELLIS2_CUDA_ARCH_FLAGS|TRELLIS2_TORCH_CUDA_ARCH_FLAGS"
      "TRELLIS2_EXT_SUFFIX|TRELLIS2_PYTHON_EXT_SUFFIX"
      "TRELLIS2_NVCC_THREADS|TRELLIS2_NVCC_THREADS"
      "TRELLIS2_NVCC_SPLIT_COMPILE|TRELLIS2_NVCC_SPLIT_COMPILE")
    string(REPLACE "|" ";" property_value "${property_value}")
    list(POP_FRONT property_value property)
    set(value "")
    foreach(variable IN LISTS property_value)
      list(APPEND value ${${variable}})
    endforeach()
    string(APPEND code "    ${property} [==[${value}]==]\n")
  endforeach()
  # Not a system target (an imported one is, by default): its include dirs
  # are -I, in setuptools' order after the recipe's, not -isystem.
  string(APPEND code "    SYSTEM OFF\n  )\n")
  set(${out} "${code}" PARENT_SCOPE)
endfunction()
