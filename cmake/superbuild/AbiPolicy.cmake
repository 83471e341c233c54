# AbiPolicy: resolve TRELLIS2_ABI_POLICY (a policy name or a file) to the
# policy file every audit uses, and describe its ceilings for the summary.
# The ceilings themselves live only in packaging/abi-audit/policies/.
#
# Also finds auditwheel's manylinux-policy.json, the authority on platform
# tags (PEP 600): abi-audit --platform-tag reads it, this project keeps no
# copy of its numbers.
#
# Sets TRELLIS2_ABI_POLICY_FILE, TRELLIS2_ABI_POLICY_SUMMARY,
# TRELLIS2_MANYLINUX_POLICY_FILE ("" when there is none: the wheels target
# then refuses, saying how to get it) and TRELLIS2_MANYLINUX_POLICY_SUMMARY.

include_guard(GLOBAL)
include(Toolchain)  # Python3_EXECUTABLE

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

# The platform tags' authority: the file given, else the configured Python's auditwheel's.
if(TRELLIS2_MANYLINUX_POLICY)
  if(NOT EXISTS "${TRELLIS2_MANYLINUX_POLICY}")
    message(FATAL_ERROR "TRELLIS2_MANYLINUX_POLICY='${TRELLIS2_MANYLINUX_POLICY}' does not exist; expected auditwheel's "
      "manylinux-policy.json. Pass that file, or leave the variable empty to use the configured Python's auditwheel.")
  endif()
  get_filename_component(TRELLIS2_MANYLINUX_POLICY_FILE "${TRELLIS2_MANYLINUX_POLICY}" ABSOLUTE)
  set(TRELLIS2_MANYLINUX_POLICY_SUMMARY "${TRELLIS2_MANYLINUX_POLICY_FILE}")
else()
  execute_process(COMMAND "${Python3_EXECUTABLE}" -c
      "import auditwheel.policy as p, importlib.metadata as m, os; print(os.path.join(os.path.dirname(p.__file__), 'manylinux-policy.json')); print(m.version('auditwheel'))"
    OUTPUT_VARIABLE _found ERROR_QUIET RESULT_VARIABLE _rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REPLACE "\n" ";" _found "${_found}")
  list(GET _found 0 TRELLIS2_MANYLINUX_POLICY_FILE)
  if(_rc EQUAL 0 AND EXISTS "${TRELLIS2_MANYLINUX_POLICY_FILE}")
    list(GET _found 1 _version)
    set(TRELLIS2_MANYLINUX_POLICY_SUMMARY "${TRELLIS2_MANYLINUX_POLICY_FILE} (auditwheel ${_version})")
  else()
    set(TRELLIS2_MANYLINUX_POLICY_FILE "")
    set(TRELLIS2_MANYLINUX_POLICY_SUMMARY "NOT FOUND: ${Python3_EXECUTABLE} cannot import auditwheel; the wheels "
      "target needs it (${Python3_EXECUTABLE} -m pip install auditwheel, then configure again)")
  endif()
endif()
