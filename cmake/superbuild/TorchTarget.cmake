# TorchTarget: torch's extension flags and paths, as probed by Toolchain.cmake
# (probe_torch.py), as the plain values the inner project builds its
# trellis2::torch target from (cmake/recipe/TorchInterface.cmake says what the
# target gives a module). NativeBuild.cmake writes them into the native plan:
#   trellis2_torch_plan_values(<out>)  sets TRELLIS2_TORCH_TARGET_<NAME> and
#       <out>, the list of those variables' names. NAME: INCLUDE_DIRS
#       (torch's, then Python's), LINK_LIBRARIES, DEFINES (the pybind11
#       trio), CXX11_ABI, CXX_FLAGS (Python's CFLAGS without -g), CUDA_FLAGS
#       (COMMON_NVCC_FLAGS), CUDA_ARCH_FLAGS (torch's -gencode list for
#       TRELLIS2_CUDA_ARCHITECTURES), EXT_SUFFIX, NVCC_THREADS,
#       NVCC_SPLIT_COMPILE
# Sets TRELLIS2_NVCC_THREADS at include: the device compiles of each unit,
# as the torch probe counted them from torch's own -gencode list; jobslot's
# cold-start plan (BuildLock.cmake) reserves that many slots for such a unit.

include_guard(GLOBAL)

set(TRELLIS2_NVCC_THREADS "${TRELLIS2_TORCH_NVCC_THREADS}")  # probe_torch.py counts them

# Issue 29's measurement: nvcc --split-compile=<n> (CUDA >= 12.1: the
# optimizer of one unit on up to n threads; 0 lets nvcc take every core).
set(TRELLIS2_NVCC_SPLIT_COMPILE "" CACHE STRING
  "nvcc --split-compile value for every CUDA unit (empty: not passed, as torch's own build)")
if(NOT TRELLIS2_NVCC_SPLIT_COMPILE MATCHES "^([0-9]+)?$")
  message(FATAL_ERROR "TRELLIS2_NVCC_SPLIT_COMPILE='${TRELLIS2_NVCC_SPLIT_COMPILE}' is not a thread count. "
    "Pass -DTRELLIS2_NVCC_SPLIT_COMPILE=4, 0 (nvcc's maximum), or leave it empty (not passed).")
endif()

function(trellis2_torch_plan_values out)
  set(values "")
  foreach(name_source IN ITEMS
      "INCLUDE_DIRS|TRELLIS2_TORCH_INCLUDE_DIRS;TRELLIS2_PYTHON_INCLUDE_DIRS"
      "LINK_LIBRARIES|TRELLIS2_TORCH_LINK_LIBRARIES"
      "DEFINES|TRELLIS2_TORCH_PYBIND11_DEFINES"
      "CXX11_ABI|TRELLIS2_TORCH_CXX11_ABI"
      "CXX_FLAGS|TRELLIS2_PYTHON_CFLAGS"
      "CUDA_FLAGS|TRELLIS2_TORCH_COMMON_NVCC_FLAGS"
      "CUDA_ARCH_FLAGS|TRELLIS2_TORCH_CUDA_ARCH_FLAGS"
      "EXT_SUFFIX|TRELLIS2_PYTHON_EXT_SUFFIX"
      "NVCC_THREADS|TRELLIS2_NVCC_THREADS"
      "NVCC_SPLIT_COMPILE|TRELLIS2_NVCC_SPLIT_COMPILE")
    string(REPLACE "|" ";" name_source "${name_source}")
    list(POP_FRONT name_source name)
    set(value "")
    foreach(variable IN LISTS name_source)
      list(APPEND value ${${variable}})
    endforeach()
    set(TRELLIS2_TORCH_TARGET_${name} "${value}" PARENT_SCOPE)
    list(APPEND values TRELLIS2_TORCH_TARGET_${name})
  endforeach()
  set(${out} "${values}" PARENT_SCOPE)
endfunction()
