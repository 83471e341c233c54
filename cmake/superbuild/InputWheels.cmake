# InputWheels: when the Python comes from wheels (TRELLIS2_PYTHON_FROM=wheel),
# find each package's wheel in TRELLIS2_WHEEL_DIR and check it at configure
# time: its name, its Python tag against the configured Python, its zip,
# its member names and its RECORD (a RECORD mismatch is accepted only for a
# wheel on the pin list, TRELLIS2_WHEEL_PINS: third_party/wheels.cmake unless
# the user names another).
# A refused wheel stops configure with the tool's message (the file, the
# problem, what was expected, what to do).
#
# trellis2_input_wheel(<pkg> <dist> <out_wheel>)
#   <dist>        distribution name the wheel must carry
#   <out_wheel>   set to the wheel's path ("" in source mode)
#
# In wheel mode the inner project (extensions/CMakeLists.txt) judges the
# input wheels right after it has built abi-audit and before any module
# compiles: which platform tag each would have earned and why not a better
# one (GLIBCXX_3.4.32 keeps Torch270's flex_gemm at manylinux_2_39), the
# reason the modules are rebuilt, stated from the wheels themselves. Its
# manifest names the JSON, which goes into the build report.

include_guard(GLOBAL)
include(Toolchain)  # Python3_EXECUTABLE, TRELLIS2_PYTHON_TAG

# The delivery tool as a command prefix; the native plan passes it on.
# Through its script, not PYTHONPATH: the user's PYTHONPATH stays in force.
set(TRELLIS2_WHEEL_TOOL "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/packaging/trellis2-wheel")

if(TRELLIS2_PYTHON_FROM STREQUAL "wheel" AND NOT IS_DIRECTORY "${TRELLIS2_WHEEL_DIR}")
  message(FATAL_ERROR "TRELLIS2_PYTHON_FROM=wheel needs TRELLIS2_WHEEL_DIR, a directory of wheels; got "
    "'${TRELLIS2_WHEEL_DIR}'. Pass -DTRELLIS2_WHEEL_DIR=<ComfyUI-Trellis2>/wheels/Linux/Torch270 "
    "or -DTRELLIS2_PYTHON_FROM=source.")
elseif(NOT TRELLIS2_PYTHON_FROM MATCHES "^(wheel|source)$")
  message(FATAL_ERROR "TRELLIS2_PYTHON_FROM='${TRELLIS2_PYTHON_FROM}': expected 'wheel' or 'source'")
endif()

function(trellis2_input_wheel pkg dist out_wheel)
  set(${out_wheel} "" PARENT_SCOPE)
  if(NOT TRELLIS2_PYTHON_FROM STREQUAL "wheel")
    return()
  endif()
  execute_process(COMMAND ${TRELLIS2_WHEEL_TOOL} find-wheel "${TRELLIS2_WHEEL_DIR}" --package "${dist}"
    OUTPUT_VARIABLE wheel ERROR_VARIABLE err RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "No usable wheel for ${pkg} in TRELLIS2_WHEEL_DIR:\n${err}")
  endif()
  execute_process(COMMAND ${TRELLIS2_WHEEL_TOOL} check-wheel "${wheel}" --package "${dist}"
      --python-tag "${TRELLIS2_PYTHON_TAG}" --pins "${TRELLIS2_WHEEL_PINS}"
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Input wheel refused for ${pkg}:\n${err}")
  endif()
  if(err)
    message(WARNING "${err}")  # RECORD mismatches a pinned wheel is accepted with
  endif()
  # A changed pin list reconfigures, so the check runs again.
  set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${TRELLIS2_WHEEL_PINS}")
  set(${out_wheel} "${wheel}" PARENT_SCOPE)
endfunction()
