# InputWheels: when the Python comes from wheels (TRELLIS2_PYTHON_FROM=wheel),
# find each package's wheel in TRELLIS2_WHEEL_DIR and check it at configure
# time: its name, its Python tag against the configured Python, its zip and
# RECORD. A refused wheel stops configure with the tool's message (the file,
# the problem, what was expected, what to do).
#
# trellis2_input_wheel(<pkg> <dist> <out_wheel> <out_sha256>)
#   <dist>        distribution name the wheel must carry
#   <out_wheel>   set to the wheel's path ("" in source mode)
#   <out_sha256>  set to its sha256 when it is a known wheel
#                 (third_party/wheels.cmake), else ""

include_guard(GLOBAL)
include("${PROJECT_SOURCE_DIR}/third_party/wheels.cmake")

# The delivery tool as a command prefix; sub-builds get it in their cache.
set(TRELLIS2_WHEEL_TOOL "${CMAKE_COMMAND}" -E env "PYTHONPATH=${PROJECT_SOURCE_DIR}/packaging"
  "${Python3_EXECUTABLE}" -m trellis2_wheel)

if(TRELLIS2_PYTHON_FROM STREQUAL "wheel" AND NOT IS_DIRECTORY "${TRELLIS2_WHEEL_DIR}")
  message(FATAL_ERROR "TRELLIS2_PYTHON_FROM=wheel needs TRELLIS2_WHEEL_DIR, a directory of wheels; got "
    "'${TRELLIS2_WHEEL_DIR}'. Pass -DTRELLIS2_WHEEL_DIR=<ComfyUI-Trellis2>/wheels/Linux/Torch270 "
    "or -DTRELLIS2_PYTHON_FROM=source.")
elseif(NOT TRELLIS2_PYTHON_FROM MATCHES "^(wheel|source)$")
  message(FATAL_ERROR "TRELLIS2_PYTHON_FROM='${TRELLIS2_PYTHON_FROM}': expected 'wheel' or 'source'")
endif()

function(trellis2_input_wheel pkg dist out_wheel out_sha256)
  set(${out_wheel} "" PARENT_SCOPE)
  set(${out_sha256} "" PARENT_SCOPE)
  if(NOT TRELLIS2_PYTHON_FROM STREQUAL "wheel")
    return()
  endif()
  execute_process(COMMAND ${TRELLIS2_WHEEL_TOOL} find-wheel "${TRELLIS2_WHEEL_DIR}" --package "${dist}"
    OUTPUT_VARIABLE wheel ERROR_VARIABLE err RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "No usable wheel for ${pkg} in TRELLIS2_WHEEL_DIR:\n${err}")
  endif()
  file(SHA256 "${wheel}" sha256)
  set(pin "")
  if(sha256 IN_LIST TRELLIS2_KNOWN_WHEEL_SHA256)
    set(pin --sha256 "${sha256}")
  endif()
  execute_process(COMMAND ${TRELLIS2_WHEEL_TOOL} check-wheel "${wheel}" --package "${dist}"
      --python-tag "${TRELLIS2_PYTHON_TAG}" ${pin}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Input wheel refused for ${pkg}:\n${err}")
  endif()
  if(err)
    message(WARNING "${err}")  # RECORD mismatches a known wheel's pin accepts
  endif()
  set(${out_wheel} "${wheel}" PARENT_SCOPE)
  if(pin)
    set(${out_sha256} "${sha256}" PARENT_SCOPE)
  endif()
endfunction()
