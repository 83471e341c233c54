# cmake -DWHEEL_TOOL=<cmd;...> -DSTAGE=<dir> -DDISTS=<a;b> -DLABEL=<label>
#       -DTORCH_VERSION=<2.7.0> -DPYTHON_TAG=<cp311> -DOUT=<cell dir> -DCELLS_ROOT=<dist dir>
#       -DMANIFEST=<the native build's manifest.json: abi-audit's path> -DPOLICY=<file>
#       -DMANYLINUX_POLICY=<auditwheel's manylinux-policy.json, or "">
#       -DSBOM_COMMAND=<cmd;...> -P make_wheels.cmake
#
# The `wheels` target: each distribution's SBOM written into its staged
# dist-info (SBOM_COMMAND: trellis2_wheel sbom, each module's platform tag
# included), then one repaired wheel per
# distribution from the stage
# (trellis2_wheel repack: requirements on the set's own distributions and
# on torch pinned to the versions built here), every wheel audited as a
# wheel, the way a user's pip would receive it, then tagged with the
# platform tag the audit proved (abi-audit --platform-tag: the most
# compatible manylinux_<x>_<y>_x86_64 whose policy all its modules satisfy,
# else linux_x86_64 with the reason), recorded in
# OUT/platform-tags-<PYTHON_TAG>.json; OUT/simple indexes them (PEP 503) so
# plain pip installs the set.
# OUT is this build's torch x CUDA cell of CELLS_ROOT. A cell holds one wheel
# set per Python (cp311 and cp313 builds of one torch x CUDA share its
# index, as on PyTorch's own): only this Python's wheels of these
# distributions are replaced; CELLS_ROOT/index.html is relisted.

include("${CMAKE_CURRENT_LIST_DIR}/../common/Json.cmake")

# Lists arrive with | for ; (a ; would split the -D argument).
string(REPLACE "|" ";" WHEEL_TOOL "${WHEEL_TOOL}")
string(REPLACE "|" ";" DISTS "${DISTS}")
# abi-audit is the one the native build built, as its manifest names it.
file(READ "${MANIFEST}" _manifest)
string(JSON ABI_AUDIT ERROR_VARIABLE _error GET "${_manifest}" abi_audit)
if(_error OR NOT EXISTS "${ABI_AUDIT}")
  message(FATAL_ERROR "${MANIFEST} names no abi-audit that exists ('${ABI_AUDIT}' ${_error}). "
    "Build the native build first: cmake --build <build>.")
endif()
if(NOT MANYLINUX_POLICY)
  message(FATAL_ERROR "The wheels target judges each wheel's platform tag by auditwheel's manylinux-policy.json, "
    "and configure found none: the configured Python cannot import auditwheel. Run `<that python> -m pip install "
    "auditwheel` and configure again, or pass -DTRELLIS2_MANYLINUX_POLICY=<manylinux-policy.json>.")
endif()
string(REPLACE "|" ";" SBOM_COMMAND "${SBOM_COMMAND}")
# Before the first wheel: a missing or refused SBOM writes no wheel at all.
execute_process(COMMAND ${SBOM_COMMAND} RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "Could not write the SBOMs into the stage (exit ${rc}, message above); no wheel was written.")
endif()
# This Python's wheels of these distributions, whatever their version and
# platform tag: what this run replaces, or removes when it fails.
set(own_wheels "")
foreach(dist IN LISTS DISTS)
  string(TOLOWER "${dist}" normalized)
  string(REGEX REPLACE "[-_.]+" "_" normalized "${normalized}")
  list(APPEND own_wheels "${OUT}/${normalized}-*-${PYTHON_TAG}-*.whl")
endforeach()
macro(remove_own_wheels)
  file(GLOB old ${own_wheels})
  if(old)
    file(REMOVE ${old})
  endif()
  file(REMOVE "${OUT}/platform-tags-${PYTHON_TAG}.json")
endmacro()
# Written first with this machine's tag, judged, then written again with the earned one.
set(untagged "${OUT}/.untagged-${PYTHON_TAG}")
file(REMOVE_RECURSE "${untagged}")
file(MAKE_DIRECTORY "${untagged}")

function(repack dist out_dir out_var)
  execute_process(COMMAND ${WHEEL_TOOL} repack --stage "${STAGE}" --dist "${dist}" --local-label "${LABEL}"
      --out "${out_dir}" --set ${DISTS} --torch-version "${TORCH_VERSION}" ${ARGN}
    OUTPUT_VARIABLE wheel OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Could not write the wheel of ${dist} (exit ${rc}, message above). "
      "Build first (cmake --build <build>) so every distribution is staged.")
  endif()
  set(${out_var} "${wheel}" PARENT_SCOPE)
endfunction()

set(wheels "")
foreach(dist IN LISTS DISTS)
  repack("${dist}" "${untagged}" wheel)
  list(APPEND wheels "${wheel}")
endforeach()
execute_process(COMMAND "${ABI_AUDIT}" --policy "${POLICY}" ${wheels} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE_RECURSE "${untagged}")
  remove_own_wheels()
  message(FATAL_ERROR "A repaired wheel fails ABI policy ${POLICY} (report above); this build's ${PYTHON_TAG} wheels "
    "were removed from ${OUT}.")
endif()
# All wheels in one run: the set's own modules are provided to each other.
set(judged "${untagged}/platform-tags.abi.json")
execute_process(COMMAND "${ABI_AUDIT}" --platform-tag --manylinux-policy "${MANYLINUX_POLICY}" --json-out "${judged}"
    ${wheels}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE_RECURSE "${untagged}")
  remove_own_wheels()
  message(FATAL_ERROR "abi-audit could not judge the wheels' platform tags (exit ${rc}, report above); this build's "
    "${PYTHON_TAG} wheels were removed from ${OUT}.")
endif()
file(READ "${judged}" judgement)
remove_own_wheels()

# OUT/platform-tags-<PYTHON_TAG>.json: per wheel abi-audit's verdict on it (platform_tag,
# reason: what kept it off the next more compatible tag, null for none),
# with its distribution and final file name; the build report reads it.
set(record "{\"wheels\": []}")
trellis2_json_set(record "${MANYLINUX_POLICY}" manylinux_policy)
set(index 0)
foreach(dist IN LISTS DISTS)
  string(JSON verdict GET "${judgement}" inputs ${index})
  string(JSON tag GET "${verdict}" platform_tag)
  repack("${dist}" "${OUT}" wheel --platform-tag "${tag}")
  get_filename_component(name "${wheel}" NAME)
  # Its files and blockers name the untagged wheel; the reason says it all.
  foreach(key IN ITEMS files held_by path)
    string(JSON verdict REMOVE "${verdict}" ${key})
  endforeach()
  trellis2_json_set(verdict "${dist}" dist)
  trellis2_json_set(verdict "${name}" wheel)
  string(JSON record SET "${record}" wheels ${index} "${verdict}")
  string(JSON reason_type TYPE "${verdict}" reason)
  if(reason_type STREQUAL "STRING")
    string(JSON reason GET "${verdict}" reason)
    message(STATUS "Wrote ${wheel}: ${tag} (${reason})")
  else()
    message(STATUS "Wrote ${wheel}: ${tag}")
  endif()
  math(EXPR index "${index} + 1")
endforeach()
file(REMOVE_RECURSE "${untagged}")
file(WRITE "${OUT}/platform-tags-${PYTHON_TAG}.json" "${record}\n")
execute_process(COMMAND ${WHEEL_TOOL} index --dist "${OUT}" --cells-root "${CELLS_ROOT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "Could not write the index ${OUT}/simple (exit ${rc}, message above).")
endif()
