# Report: after every build, build/report.json and a short table (see
# tools/build_report.py and the README's "Build report"). The facts
# known at configure go into report-config.json, built with string(JSON),
# which checks the document as it is built; the per-module results are read
# from the native build's manifest (NativeBuild.cmake) when the report runs.
# Runs after the native build and the sccache statistics (CMakeLists.txt).

include_guard(GLOBAL)
include(Toolchain)            # Python3_EXECUTABLE, TRELLIS2_FOUND_*, TRELLIS2_NVCC_*, TRELLIS2_CUDA_TOOLKIT_*, TRELLIS2_PYTHON_TAG
include(CompilerEnvironment)  # TRELLIS2_ENVIRONMENT_NOTES
include(AbiPolicy)            # TRELLIS2_ABI_POLICY_FILE, TRELLIS2_MANYLINUX_POLICY_FILE
include(Sccache)              # TRELLIS2_SCCACHE_REMOTE, TRELLIS2_SCCACHE_STATE_DIR
include(SccacheServer)        # the sccache-stats target
include(Upstream)             # trellis2_upstream_fact
include(NativeBuild)          # TRELLIS2_NATIVE_DIR, TRELLIS2_NATIVE_MANIFEST
include(Deliver)              # TRELLIS2_REPORT_COMMAND, the set and the wheels' cell

include("${PROJECT_SOURCE_DIR}/cmake/common/Json.cmake")

# _trellis2_json_provenance(<json var> <pkg> <member>...): where a package's
# source came from (Upstream.cmake's trellis2_upstream_fact), for the
# SBOM each repaired wheel carries (trellis2_wheel sbom): kind (git, cache,
# local), tree, the pin's repository and commit, dist, input_wheel (null in
# source mode) and the patches applied ({file, name}: name relative to the
# repository, so two checkouts write the same SBOM).
function(_trellis2_json_provenance json pkg)
  foreach(_fact KIND TREE REPOSITORY COMMIT DIST WHEEL PATCHES)
    trellis2_upstream_fact(${pkg} ${_fact} _p_${_fact})
  endforeach()
  string(JSON ${json} SET "${${json}}" ${ARGN} "{\"input_wheel\": null, \"patches\": []}")
  foreach(_key IN ITEMS kind tree repository commit dist)
    string(TOUPPER "${_key}" _KEY)
    trellis2_json_set(${json} "${_p_${_KEY}}" ${ARGN} ${_key})
  endforeach()
  if(_p_WHEEL)
    trellis2_json_set(${json} "${_p_WHEEL}" ${ARGN} input_wheel)
  endif()
  set(_index 0)
  foreach(_patch IN LISTS _p_PATCHES)
    file(RELATIVE_PATH _name "${PROJECT_SOURCE_DIR}" "${_patch}")
    if(_name MATCHES "^\\.\\./")
      set(_name "${_patch}")  # outside the repository: its path is its name
    endif()
    string(JSON ${json} SET "${${json}}" ${ARGN} patches ${_index} "{}")
    trellis2_json_set(${json} "${_patch}" ${ARGN} patches ${_index} file)
    trellis2_json_set(${json} "${_name}" ${ARGN} patches ${_index} name)
    math(EXPR _index "${_index} + 1")
  endforeach()
  set(${json} "${${json}}" PARENT_SCOPE)
endfunction()

set(_config "{\"toolchain\": {}, \"architectures\": [], \"packages\": []}")
trellis2_json_set(_config "${Python3_EXECUTABLE} ${TRELLIS2_FOUND_PYTHON_VERSION}" toolchain python)
trellis2_json_set(_config "${TRELLIS2_FOUND_PYTHON_VERSION}" toolchain python_version)
trellis2_json_set(_config "${TRELLIS2_FOUND_TORCH_VERSION_FULL}" toolchain torch)
trellis2_json_set(_config "${TRELLIS2_FOUND_TORCH_CUDA_VERSION}" toolchain torch_cuda)
trellis2_json_set(_config "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}" toolchain cxx)
trellis2_json_set(_config "${TRELLIS2_NVCC_VERSION}" toolchain nvcc)
# The checked compiler, which build_report.py compares with the compilers the
# packages' build files run (compilers_ran), and the environment set aside.
trellis2_json_set(_config "${CMAKE_CXX_COMPILER}" toolchain cxx_compiler)
trellis2_json_set(_config "${CMAKE_CUDA_COMPILER}" toolchain nvcc_path)
# Where nvcc came from: the system, or a PyPI toolkit at an exact version and lock.
trellis2_json_set(_config "${TRELLIS2_NVCC_BUILD}" toolchain nvcc_build)
string(JSON _config SET "${_config}" toolchain cuda_toolkit "{}")
if(TRELLIS2_CUDA_TOOLKIT STREQUAL "system")
  trellis2_json_set(_config "system" toolchain cuda_toolkit from)
else()
  trellis2_json_set(_config "pypi" toolchain cuda_toolkit from)
  trellis2_json_set(_config "${TRELLIS2_CUDA_TOOLKIT}" toolchain cuda_toolkit version)
  trellis2_json_set(_config "${TRELLIS2_CUDA_TOOLKIT_LOCK_SHA256}" toolchain cuda_toolkit lock_sha256)
endif()
trellis2_json_set(_config "${TRELLIS2_CUDA_TOOLKIT_ROOT}" toolchain cuda_toolkit root)
string(JSON _config SET "${_config}" environment_not_used "[]")
set(_index 0)
foreach(_note IN LISTS TRELLIS2_ENVIRONMENT_NOTES)
  trellis2_json_set(_config "${_note}" environment_not_used ${_index})
  math(EXPR _index "${_index} + 1")
endforeach()
if(TRELLIS2_CUDA_MISMATCH)
  string(JSON _config SET "${_config}" toolchain cuda_mismatch_accepted true)
else()
  string(JSON _config SET "${_config}" toolchain cuda_mismatch_accepted false)
endif()
set(_index 0)
foreach(_arch IN LISTS TRELLIS2_CUDA_ARCHITECTURES)
  trellis2_json_set(_config "${_arch}" architectures ${_index})
  math(EXPR _index "${_index} + 1")
endforeach()
trellis2_json_set(_config "${TRELLIS2_ABI_POLICY_FILE}" abi_policy)
trellis2_json_set(_config "${TRELLIS2_PYTHON_FROM}" python_from)
# sccache's state and statistics of this build (SccacheServer.cmake), if it is the launcher.
if(TARGET sccache-stats)
  string(JSON _config SET "${_config}" compiler_cache "{}")
  string(REGEX REPLACE "//[^@/]*@" "//" _remote "${TRELLIS2_SCCACHE_REMOTE}")  # no password in the report
  trellis2_json_set(_config "${TRELLIS2_SCCACHE_STATE_DIR}/state.json" compiler_cache state)
  trellis2_json_set(_config "${TRELLIS2_SCCACHE_STATE_DIR}/stats.json" compiler_cache stats)
  trellis2_json_set(_config "${_remote}" compiler_cache remote)
else()
  string(JSON _config SET "${_config}" compiler_cache null)
endif()
set(_index 0)
trellis2_json_set(_config "${TRELLIS2_NATIVE_DIR}" native_dir)
trellis2_json_set(_config "${TRELLIS2_NATIVE_MANIFEST}" native_manifest)
foreach(pkg IN LISTS TRELLIS2_PACKAGES)
  trellis2_upstream_fact(${pkg} ORIGIN _origin)
  string(JSON _config SET "${_config}" packages ${_index} "{}")
  trellis2_json_set(_config "${pkg}" packages ${_index} name)
  trellis2_json_set(_config "${_origin}" packages ${_index} origin)
  _trellis2_json_provenance(_config ${pkg} packages ${_index} provenance)
  math(EXPR _index "${_index} + 1")
endforeach()
# What the wheels target pins (trellis2_wheel requirements reads the stage).
string(JSON _config SET "${_config}" delivery "{\"set\": []}")
trellis2_json_set(_config "${TRELLIS2_STAGE_DIR}" delivery stage)
trellis2_json_set(_config "${TRELLIS2_WHEEL_LABEL_EFFECTIVE}" delivery label)
trellis2_json_set(_config "${TRELLIS2_FOUND_TORCH_VERSION}" delivery torch_version)
trellis2_json_set(_config "${PROJECT_SOURCE_DIR}/packaging" delivery packaging)
# Where the wheels target writes (this build's cell of the dist directory,
# this Python's wheels) and the policy their platform tags are judged by.
trellis2_json_set(_config "${TRELLIS2_DIST_DIR}" delivery cells_root)
trellis2_json_set(_config "${TRELLIS2_DIST_DIR}/${TRELLIS2_WHEEL_CELL}" delivery cell)
trellis2_json_set(_config "${TRELLIS2_PYTHON_TAG}" delivery python_tag)
trellis2_json_set(_config "${TRELLIS2_MANYLINUX_POLICY_FILE}" delivery manylinux_policy)
set(_index 0)
foreach(_dist IN LISTS TRELLIS2_DISTS)
  trellis2_json_set(_config "${_dist}" delivery set ${_index})
  math(EXPR _index "${_index} + 1")
endforeach()
# Platform tags of the repaired wheels (the wheels target); the input
# wheels' come with the native build's manifest.
string(JSON _config SET "${_config}" platform_tags "{}")
trellis2_json_set(_config "${TRELLIS2_DIST_DIR}/${TRELLIS2_WHEEL_CELL}/platform-tags-${TRELLIS2_PYTHON_TAG}.json" platform_tags wheels)
# Rewritten only when it changed.
file(WRITE "${CMAKE_BINARY_DIR}/report-config.json.tmp" "${_config}\n")
file(COPY_FILE "${CMAKE_BINARY_DIR}/report-config.json.tmp" "${CMAKE_BINARY_DIR}/report-config.json" ONLY_IF_DIFFERENT)
file(REMOVE "${CMAKE_BINARY_DIR}/report-config.json.tmp")
add_custom_target(report ALL ${TRELLIS2_REPORT_COMMAND} COMMENT "" VERBATIM)
