# AbiPolicy: resolve TRELLIS2_ABI_POLICY (a policy name or a file) to the
# policy file every audit uses, and describe its ceilings for the summary.
# The ceilings themselves live only in packaging/abi-audit/policies/.
#
# Sets TRELLIS2_ABI_POLICY_FILE and TRELLIS2_ABI_POLICY_SUMMARY.

include_guard(GLOBAL)

set(_policy_dir "${PROJECT_SOURCE_DIR}/packaging/abi-audit/policies")
if(EXISTS "${TRELLIS2_ABI_POLICY}" AND NOT IS_DIRECTORY "${TRELLIS2_ABI_POLICY}")
  get_filename_component(TRELLIS2_ABI_POLICY_FILE "${TRELLIS2_ABI_POLICY}" ABSOLUTE)
elseif(EXISTS "${_policy_dir}/${TRELLIS2_ABI_POLICY}.policy")
  set(TRELLIS2_ABI_POLICY_FILE "${_policy_dir}/${TRELLIS2_ABI_POLICY}.policy")
else()
  file(GLOB _known RELATIVE "${_policy_dir}" "${_policy_dir}/*.policy")
  string(REPLACE ".policy" "" _known "${_known}")
  message(FATAL_ERROR "TRELLIS2_ABI_POLICY='${TRELLIS2_ABI_POLICY}' is neither a file nor a known policy. "
    "Known: ${_known}. Pass -DTRELLIS2_ABI_POLICY=rocky9 or a path to a policy file (format: packaging/abi-audit/README.md).")
endif()

# "name: GLIBCXX 3.4.29, CXXABI 1.3.13, GLIBC 2.34, GCC 7.0.0"
file(STRINGS "${TRELLIS2_ABI_POLICY_FILE}" _lines REGEX "^(name|max [A-Z]+) *=")
set(_name "")
set(_ceilings "")
foreach(_line IN LISTS _lines)
  if(_line MATCHES "^name *= *(.*)$")
    set(_name "${CMAKE_MATCH_1}")
  elseif(_line MATCHES "^max ([A-Z]+) *= *(.*)$")
    list(APPEND _ceilings "${CMAKE_MATCH_1} ${CMAKE_MATCH_2}")
  endif()
endforeach()
string(REPLACE ";" ", " _ceilings "${_ceilings}")
set(TRELLIS2_ABI_POLICY_SUMMARY "${_name}: ${_ceilings} (${TRELLIS2_ABI_POLICY_FILE})")
# Sub-builds get the file, so they need no policy search path.
set(TRELLIS2_ABI_POLICY "${TRELLIS2_ABI_POLICY_FILE}")
