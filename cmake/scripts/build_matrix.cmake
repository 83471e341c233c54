# cmake -DPYTHONS="<python>|<python>..." [-DDIST=<dir>] [-DPRESET=default]
#       [-DBUILD_ROOT=<dir>] [-DEXTRA="-DX=1|-DY=2"] -P cmake/scripts/build_matrix.cmake
#
# The wheel matrix in one command: for each Python (each with its torch),
# the ordinary configure and build of the given preset in a build tree of
# its own (<BUILD_ROOT>/torch<ver>-cu<cuda>), target `wheels`, all into one
# dist directory, then the table of cells x packages with their platform
# tags and sizes (trellis2_wheel cells). The torch pins of each tree are that
# Python's torch; everything else is the preset's. Lists take | for ;.
#   DIST        default <repo>/dist
#   BUILD_ROOT  default <repo>/build-matrix
#   EXTRA       more -D arguments for every configure

cmake_minimum_required(VERSION 3.25)
get_filename_component(repo "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
include("${repo}/cmake/common/WheelCell.cmake")
if(NOT PYTHONS)
  message(FATAL_ERROR "Pass -DPYTHONS=<python>|<python>...: one Python per torch x CUDA cell, each with its torch.")
endif()
if(NOT PRESET)
  set(PRESET default)
endif()
if(NOT DIST)
  set(DIST "${repo}/dist")
endif()
if(NOT BUILD_ROOT)
  set(BUILD_ROOT "${repo}/build-matrix")
endif()
get_filename_component(DIST "${DIST}" ABSOLUTE)
string(REPLACE "|" ";" PYTHONS "${PYTHONS}")
string(REPLACE "|" ";" EXTRA "${EXTRA}")

foreach(python IN LISTS PYTHONS)
  execute_process(COMMAND "${python}" -c
      "import torch; print(torch.__version__.split('+')[0], torch.version.cuda or '')"
    OUTPUT_VARIABLE found OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${python} cannot import torch:\n${err}\nExpected one Python per cell, each with its "
      "torch installed (pip install torch==<version> in that Python's environment).")
  endif()
  string(REPLACE " " ";" found "${found}")
  list(GET found 0 torch_version)
  list(LENGTH found fields)
  set(cuda_version "")
  if(fields GREATER 1)
    list(GET found 1 cuda_version)
  endif()
  trellis2_wheel_cell(cell "${torch_version}" "${cuda_version}")
  set(tree "${BUILD_ROOT}/${cell}")
  message(STATUS "cell ${cell}: ${python}, build tree ${tree}")
  execute_process(COMMAND "${CMAKE_COMMAND}" --preset "${PRESET}" -B "${tree}"
      "-DPython3_EXECUTABLE=${python}" "-DTRELLIS2_TORCH_VERSION=${torch_version}"
      "-DTRELLIS2_TORCH_CUDA_VERSION=${cuda_version}" "-DTRELLIS2_DIST_DIR=${DIST}" ${EXTRA}
    WORKING_DIRECTORY "${repo}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Configuring the cell of ${python} (torch ${torch_version}) in ${tree} failed (above).")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${tree}" --target wheels RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Building the wheels of ${python} (torch ${torch_version}) in ${tree} failed (above). "
      "The cells already written in ${DIST} are kept.")
  endif()
endforeach()
# Any Python runs the wheel tool's listing; take the first cell's.
list(GET PYTHONS 0 python)
execute_process(COMMAND "${python}" "${repo}/packaging/trellis2-wheel" cells --root "${DIST}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "Listing the cells of ${DIST} failed (above).")
endif()
