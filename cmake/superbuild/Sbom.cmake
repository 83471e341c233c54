# Sbom: every delivered distribution carries a CycloneDX SBOM (PEP 770,
# <dist-info>/sboms/trellis2-native.cdx.json), written by `trellis2_wheel
# sbom` with the OWASP library cyclonedx-python-lib. Configure checks here,
# before anything is pulled or compiled, that the configured Python has it
# (with its JSON validator), rather than letting the wheels target or
# `cmake --install` fail at the end of a long build.
#
# Sets TRELLIS2_SBOM_COMMAND: the command the wheels target and
# `cmake --install` run just before they deliver, so the SBOM states the
# modules and audits delivered (it reads report-config.json, Report.cmake).

include_guard(GLOBAL)
include(Toolchain)    # Python3_EXECUTABLE
include(AbiPolicy)    # TRELLIS2_MANYLINUX_POLICY_FILE
include(InputWheels)  # TRELLIS2_WHEEL_TOOL

execute_process(COMMAND ${TRELLIS2_WHEEL_TOOL} sbom --check-library
  OUTPUT_VARIABLE _sbom_library ERROR_VARIABLE _sbom_error RESULT_VARIABLE _sbom_rc
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _sbom_rc EQUAL 0)
  message(FATAL_ERROR "The SBOM library is missing for ${Python3_EXECUTABLE}: every repaired wheel and "
    "every install carries a CycloneDX SBOM written with cyclonedx-python-lib.\n${_sbom_error}\n"
    "Install it (.ci/setup does), then configure again.")
endif()
set(TRELLIS2_SBOM_LIBRARY "${_sbom_library}")
set(TRELLIS2_SBOM_COMMAND ${TRELLIS2_WHEEL_TOOL} sbom --config "${CMAKE_BINARY_DIR}/report-config.json")
# Each module's platform tag, judged as the wheels target judges the wheels
# (by the abi-audit the native build's manifest names).
if(TRELLIS2_MANYLINUX_POLICY_FILE)
  list(APPEND TRELLIS2_SBOM_COMMAND --manylinux-policy "${TRELLIS2_MANYLINUX_POLICY_FILE}")
endif()
