# cmake -DCELLS="<cell>|<cell>..." [-DCELLS_FILE=<file>] [-DDIST=<dir>] [-DPRESET=default]
#       [-DBUILD_ROOT=<dir>] [-DVENV_ROOT=<dir>] [-DEXTRA="-DX=1|-DY=2"]
#       -P cmake/scripts/build_matrix.cmake
#
# The wheel matrix in one command: the cells a user names, each configured
# and built (target `wheels`) in a build tree of its own, all into one dist
# directory (one folder per torch x CUDA, holding each Python's wheels, with
# its index), then the table of cells x packages with platform tags and
# sizes (trellis2_wheel cells).
#
# A cell is words key=value, cells separated by | in CELLS or one per line
# in CELLS_FILE (# starts a comment):
#   python=<interpreter>   required
#   torch=<version>        the torch to build against. When the Python has
#                          another or none, a venv of it is made under
#                          VENV_ROOT with that torch from the package index
#                          pip is configured with, once the index's METADATA
#                          says that torch is built for the cell's CUDA
#                          (tools/torch_builds.py); otherwise the cell is
#                          refused, naming the index's torch builds for that
#                          CUDA. Omitted: the Python's own torch.
#   cuda=system|<version>  the CUDA toolkit: the system's (default), or the
#                          cuda-toolkit of that version from PyPI, installed
#                          by the build from its lock (TRELLIS2_CUDA_TOOLKIT),
#                          into BUILD_ROOT/cuda-toolkit, shared by the cells
#   mismatch=allow         accept an nvcc whose CUDA major is not torch's
#                          (TRELLIS2_ALLOW_CUDA_MISMATCH: a build for
#                          compiling, not for shipping). Without it every cell
#                          is built with the switch off, whatever the preset says.
# e.g.  -DCELLS="python=python3.13 torch=2.11.0 cuda=13.0.2|python=python3 torch=2.7.0"
#
#   DIST        default <repo>/dist
#   BUILD_ROOT  default <repo>/build-matrix; trees <torch>-<cuda>-<python tag>-<toolkit>
#   VENV_ROOT   default BUILD_ROOT/venvs
#   EXTRA       more -D arguments for every configure
# -DPYTHONS="<python>|..." is short for one cell python=<python> each.

cmake_minimum_required(VERSION 3.25)
get_filename_component(repo "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
include("${repo}/cmake/common/WheelCell.cmake")
if(NOT PRESET)
  set(PRESET default)
endif()
if(NOT DIST)
  set(DIST "${repo}/dist")
endif()
if(NOT BUILD_ROOT)
  set(BUILD_ROOT "${repo}/build-matrix")
endif()
if(NOT VENV_ROOT)
  set(VENV_ROOT "${BUILD_ROOT}/venvs")
endif()
foreach(var DIST BUILD_ROOT VENV_ROOT)
  get_filename_component(${var} "${${var}}" ABSOLUTE)
endforeach()
string(REPLACE "|" ";" EXTRA "${EXTRA}")

# --- the cell list ------------------------------------------------------------
set(cells "")
if(CELLS)
  string(REPLACE "|" ";" cells "${CELLS}")
endif()
if(CELLS_FILE)
  file(STRINGS "${CELLS_FILE}" lines)
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "#.*" "" line "${line}")
    string(STRIP "${line}" line)
    if(line)
      list(APPEND cells "${line}")
    endif()
  endforeach()
endif()
if(PYTHONS)
  string(REPLACE "|" ";" PYTHONS "${PYTHONS}")
  foreach(python IN LISTS PYTHONS)
    list(APPEND cells "python=${python}")
  endforeach()
endif()
if(NOT cells)
  message(FATAL_ERROR "No cells: pass -DCELLS=\"python=<python> [torch=<version>] [cuda=system|<version>]|...\" "
    "or -DCELLS_FILE=<file with one cell per line>.")
endif()

# Reads one cell's words into cell_python, cell_torch, cell_cuda, cell_mismatch.
function(parse_cell text)
  set(python "")
  set(torch "")
  set(cuda "system")
  set(mismatch OFF)
  string(REGEX REPLACE "[ \t]+" ";" words "${text}")
  foreach(word IN LISTS words)
    if(word MATCHES "^python=(.+)$")
      set(python "${CMAKE_MATCH_1}")
    elseif(word MATCHES "^torch=([0-9][0-9.]*)$")
      set(torch "${CMAKE_MATCH_1}")
    elseif(word MATCHES "^cuda=(system|[0-9]+\\.[0-9]+\\.[0-9]+)$")
      set(cuda "${CMAKE_MATCH_1}")
    elseif(word STREQUAL "mismatch=allow")
      set(mismatch ON)
    elseif(word)
      message(FATAL_ERROR "Cell '${text}': '${word}' is not a cell word. Expected python=<interpreter>, "
        "torch=<version>, cuda=system|<cuda-toolkit version, e.g. 13.0.2>, mismatch=allow.")
    endif()
  endforeach()
  if(NOT python)
    message(FATAL_ERROR "Cell '${text}' names no python=<interpreter>: each cell is built by one Python.")
  endif()
  foreach(var python torch cuda mismatch)
    set(cell_${var} "${${var}}" PARENT_SCOPE)
  endforeach()
endfunction()

# The Python's torch version and CUDA, or "" when it has none.
function(torch_of python out_version out_cuda)
  execute_process(COMMAND "${python}" -c "import torch; print(torch.__version__.split('+')[0], torch.version.cuda or '')"
    OUTPUT_VARIABLE found OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_QUIET)
  set(version "")
  set(cuda "")
  if(rc EQUAL 0)
    string(REPLACE " " ";" found "${found}")
    list(GET found 0 version)
    list(LENGTH found fields)
    if(fields GREATER 1)
      list(GET found 1 cuda)
    endif()
  endif()
  set(${out_version} "${version}" PARENT_SCOPE)
  set(${out_cuda} "${cuda}" PARENT_SCOPE)
endfunction()

# A venv of <python> with torch==<torch> and what the build's tools import;
# refused before any download when the index's torch is not built for <cuda>.
function(cell_venv python torch cuda tag out)
  set(venv "${VENV_ROOT}/torch${torch}-${tag}")
  torch_of("${venv}/bin/python" have have_cuda)
  if(have STREQUAL torch)
    set(${out} "${venv}/bin/python" PARENT_SCOPE)
    return()
  endif()
  if(NOT cuda STREQUAL "system")
    execute_process(COMMAND "${python}" "${repo}/tools/torch_builds.py" check --torch "${torch}" --python-tag "${tag}"
        --cuda "${cuda}" RESULT_VARIABLE rc ERROR_VARIABLE why OUTPUT_QUIET)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "Cell python=${python} torch=${torch} cuda=${cuda} refused: ${why}")
    endif()
  endif()
  message(STATUS "Making ${venv}: ${python} with torch==${torch} from the package index")
  file(REMOVE_RECURSE "${venv}")
  execute_process(COMMAND "${python}" -m venv "${venv}" RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    execute_process(COMMAND "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check "torch==${torch}"
        numpy wheel setuptools packaging installer auditwheel "cyclonedx-python-lib[json-validation]==11.12.0"
      RESULT_VARIABLE rc)
  endif()
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE "${venv}")
    message(FATAL_ERROR "Could not make the venv of cell python=${python} torch=${torch} (pip's message above); "
      "nothing kept. Or give the cell a Python that has torch ${torch}.")
  endif()
  set(${out} "${venv}/bin/python" PARENT_SCOPE)
endfunction()

# --- each cell ----------------------------------------------------------------
set(first_python "")
set(timings "")
foreach(text IN LISTS cells)
  string(TIMESTAMP started "%s" UTC)
  parse_cell("${text}")
  execute_process(COMMAND "${cell_python}" -c "import sys; print('cp%d%d' % sys.version_info[:2])"
    OUTPUT_VARIABLE tag OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Cell '${text}': ${cell_python} does not run. Expected a CPython interpreter (python=<path>).")
  endif()
  set(python "${cell_python}")
  torch_of("${python}" torch_version cuda_version)
  if(cell_torch AND NOT torch_version STREQUAL cell_torch)
    cell_venv("${cell_python}" "${cell_torch}" "${cell_cuda}" "${tag}" python)
    torch_of("${python}" torch_version cuda_version)
  endif()
  if(NOT torch_version)
    message(FATAL_ERROR "Cell '${text}': ${python} cannot import torch. Name the torch (torch=<version>: the matrix "
      "makes a venv with it), or install it into that Python.")
  endif()
  trellis2_wheel_cell(cell "${torch_version}" "${cuda_version}")
  if(cell_cuda STREQUAL "system")
    set(toolkit "system")
  else()
    set(toolkit "cuda${cell_cuda}")
  endif()
  set(tree "${BUILD_ROOT}/${cell}-${tag}-${toolkit}")
  message(STATUS "cell ${cell} ${tag}, CUDA toolkit ${cell_cuda}: ${python}, build tree ${tree}")
  execute_process(COMMAND "${CMAKE_COMMAND}" --preset "${PRESET}" -B "${tree}"
      "-DPython3_EXECUTABLE=${python}" "-DTRELLIS2_TORCH_VERSION=${torch_version}"
      "-DTRELLIS2_TORCH_CUDA_VERSION=${cuda_version}" "-DTRELLIS2_DIST_DIR=${DIST}"
      "-DTRELLIS2_CUDA_TOOLKIT=${cell_cuda}" "-DTRELLIS2_CUDA_TOOLKIT_CACHE=${BUILD_ROOT}/cuda-toolkit"
      "-DTRELLIS2_ALLOW_CUDA_MISMATCH=${cell_mismatch}" ${EXTRA}
    WORKING_DIRECTORY "${repo}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Configuring cell '${text}' (torch ${torch_version}) in ${tree} failed (above). "
      "The cells already written in ${DIST} are kept.")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${tree}" --target wheels RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Building the wheels of cell '${text}' (torch ${torch_version}) in ${tree} failed (above). "
      "The cells already written in ${DIST} are kept.")
  endif()
  if(NOT first_python)
    set(first_python "${python}")
  endif()
  string(TIMESTAMP finished "%s" UTC)
  math(EXPR seconds "${finished} - ${started}")
  list(APPEND timings "${cell} ${tag} CUDA toolkit ${cell_cuda}: ${seconds} s (venv, configure, build, wheels)")
endforeach()
foreach(line IN LISTS timings)
  message(STATUS "cell ${line}")
endforeach()
# Any Python runs the wheel tool's listing; take the first cell's.
execute_process(COMMAND "${first_python}" "${repo}/packaging/trellis2-wheel" cells --root "${DIST}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "Listing the cells of ${DIST} failed (above).")
endif()
