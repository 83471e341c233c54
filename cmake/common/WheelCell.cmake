# WheelCell: the name of a torch x CUDA cell of a dist directory, the folder
# the wheels target writes into (Deliver.cmake) and the matrix script builds
# one tree per (cmake/scripts/build_matrix.cmake): torch2.7.0-cu126, or
# torch2.7.0-cpu for a torch without CUDA. trellis2_wheel/deliver/cells.py lists
# the folders of this shape.
#
# trellis2_wheel_cell(<out> <torch version> <torch.version.cuda, or "">)

include_guard(GLOBAL)

function(trellis2_wheel_cell out torch_version cuda_version)
  if(cuda_version)
    string(REPLACE "." "" cuda "cu${cuda_version}")
  else()
    set(cuda "cpu")
  endif()
  set(${out} "torch${torch_version}-${cuda}" PARENT_SCOPE)
endfunction()
