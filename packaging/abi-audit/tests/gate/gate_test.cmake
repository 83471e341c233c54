# Drives tests/gate through configure and build, as CTest test
# abi_audit.gate: a passing module gets its stamp; a failing one fails the
# build with the text report, leaves no stamp, and fails again next build.
# -DSOURCE_DIR= -DBINARY_DIR= -DGENERATOR= -DC_COMPILER= -DABI_AUDIT= -DCMAKE_DIR= -DFIXTURE_SOURCE=
file(REMOVE_RECURSE "${BINARY_DIR}")
get_filename_component(policy_file "${SOURCE_DIR}/../../policies/rocky9.policy" ABSOLUTE)

function(gate_build with_bad expect_success)
  execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${BINARY_DIR}" -G "${GENERATOR}"
      "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DTRELLIS2_CMAKE_DIR=${CMAKE_DIR}" "-DFIXTURE_SOURCE=${FIXTURE_SOURCE}"
      "-DTRELLIS2_ABI_AUDIT_EXECUTABLE=${ABI_AUDIT}" "-DTRELLIS2_ABI_POLICY_FILE=${policy_file}"
      "-DWITH_BAD_MODULE=${with_bad}"
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "gate project failed to configure:\n${out}")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY_DIR}"
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(expect_success AND NOT result EQUAL 0)
    message(FATAL_ERROR "expected the gate to pass, the build failed:\n${out}")
  elseif(NOT expect_success AND result EQUAL 0)
    message(FATAL_ERROR "expected the gate to fail the build, it passed:\n${out}")
  endif()
  set(build_output "${out}" PARENT_SCOPE)
endfunction()

function(expect_stamp name exists)
  set(stamp "${BINARY_DIR}/audit/${name}.audit.json")
  if(exists AND NOT EXISTS "${stamp}")
    message(FATAL_ERROR "expected stamp ${stamp} after a passing audit")
  elseif(NOT exists AND EXISTS "${stamp}")
    message(FATAL_ERROR "a failing audit left the stamp ${stamp}: the gate would open on the next build")
  endif()
endfunction()

gate_build(OFF TRUE)
expect_stamp(_good TRUE)
file(READ "${BINARY_DIR}/audit/_good.audit.json" report)
if(NOT report MATCHES "\"passed\": true")
  message(FATAL_ERROR "the stamp is not abi-audit's passing JSON report:\n${report}")
endif()

foreach(attempt first second)  # the second build must audit (and fail) again
  gate_build(ON FALSE)
  foreach(piece "[python-init]" "must export PyInit__xatlas" "ABI gate:")
    string(FIND "${build_output}" "${piece}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${attempt} failing build does not show '${piece}':\n${build_output}")
    endif()
  endforeach()
  expect_stamp(_xatlas FALSE)
endforeach()
expect_stamp(_good TRUE)
