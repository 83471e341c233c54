# Initial cache (cmake -C) for a build on the GPU machine of the device tool:
# torch 2.11.0+cu130, nvcc 13.0, GCC 13 (the image's CC/CXX wrappers), H100/H200.
# It relaxes the pins by their cache variables, so the configure summary
# shows the values built against; the ABI gate stays on, with GLIBC relaxed
# to that host's glibc (gpu-host.policy).
set(TRELLIS2_TORCH_VERSION "2.11.0" CACHE STRING "torch of the GPU machine")
set(TRELLIS2_TORCH_CUDA_VERSION "13.0" CACHE STRING "CUDA of torch 2.11.0+cu130")
set(TRELLIS2_GCC_VERSION "13" CACHE STRING "GCC 13.3 behind the image's CC/CXX wrappers")
set(TRELLIS2_CUDA_ARCHITECTURES "9.0" CACHE STRING "Hopper (H100/H200) only")
set(TRELLIS2_ABI_POLICY "${CMAKE_CURRENT_LIST_DIR}/gpu-host.policy" CACHE STRING
  "rocky9 with GLIBC up to the GPU machine's 2.39")
