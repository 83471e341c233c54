# Deliver: what leaves the build tree.
#   cmake --install <build> [--prefix P]
#       lays the stage over a site-packages with `trellis2_wheel install`
#       (atomic; RECORD computed so pip can uninstall): TRELLIS2_SITE_PACKAGES
#       if set, else P's site-packages when --prefix is given, else the
#       configured Python's own.
#   cmake --build <build> --target recover
#       rolls back an install that was killed before it finished (its
#       journal stays in site-packages); the next `cmake --install` does it
#       first as well.
#   cmake --build <build> --target wheels
#       (`trellis2_wheel wheels`, packaging/trellis2_wheel/deliver/wheels.py)
#       writes a repaired wheel per distribution to this build's cell of
#       TRELLIS2_DIST_DIR, <dist>/torch<ver>-cu<cuda>/ (version
#       <original>+<label>, byte-reproducible under SOURCE_DATE_EPOCH;
#       torch and the set's own distributions pinned), audits each with
#       abi-audit, tags each with the platform tag it earns (abi-audit
#       --platform-tag by auditwheel's manylinux-policy.json; recorded in
#       <cell>/platform-tags-<python tag>.json), indexes them in <cell>/simple (PEP 503)
#       and <cell>/index.html (find-links), lists the cells in
#       <dist>/index.html, and refreshes the build report, which names the
#       tags. Other cells (other build trees, another torch) and this
#       cell's wheels for other Pythons are left as they are.
# Both run after the packages' API checks (the native build's api_check
# target), which gate the stage, and
# both first write each distribution's SBOM into its staged dist-info
# (TRELLIS2_SBOM_COMMAND, Sbom.cmake; the wheels subcommand writes the same
# SBOMs itself), which they then deliver with RECORD.

include_guard(GLOBAL)
include(Toolchain)            # Python3_EXECUTABLE, TRELLIS2_FOUND_TORCH_*, TRELLIS2_PYTHON_*
include(CompilerEnvironment)  # TRELLIS2_NATIVE_ENV
include(InputWheels)          # TRELLIS2_WHEEL_TOOL
include(Sbom)                 # TRELLIS2_SBOM_COMMAND
include(BuildLock)            # the build-lock target
include(Upstream)             # trellis2_upstream_fact
include(NativeBuild)          # TRELLIS2_NATIVE_DIR (its target: CMakeLists.txt)

set(TRELLIS2_DISTS "")
foreach(pkg IN LISTS TRELLIS2_PACKAGES)
  trellis2_upstream_fact(${pkg} DIST _dist)
  list(APPEND TRELLIS2_DISTS "${_dist}")
endforeach()
if(NOT TRELLIS2_WHEEL_LABEL)
  string(REPLACE "." "" _torch_digits "${TRELLIS2_FOUND_TORCH_VERSION}")
  string(REPLACE "." "" _cuda_digits "${TRELLIS2_FOUND_TORCH_CUDA_VERSION}")
  set(TRELLIS2_WHEEL_LABEL_EFFECTIVE "torch${_torch_digits}.cu${_cuda_digits}")
else()
  set(TRELLIS2_WHEEL_LABEL_EFFECTIVE "${TRELLIS2_WHEEL_LABEL}")
endif()

# The packages' API checks, for delivery: a no-op when every build already
# ran them (TRELLIS2_API_CHECK=build), the checks themselves when deferred.
# Under TRELLIS2_NATIVE_ENV: an out-of-date module recompiles here.
set(TRELLIS2_DELIVERY_CHECK ${TRELLIS2_NATIVE_ENV} "${CMAKE_COMMAND}" --build "${TRELLIS2_NATIVE_DIR}" --target api_check)

# --- cmake --install ------------------------------------------------------------
# The prefix CMake would use without --prefix: the configured Python's.
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  execute_process(COMMAND "${Python3_EXECUTABLE}" -c "import sys; print(sys.prefix)"
    OUTPUT_VARIABLE _python_prefix OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(CMAKE_INSTALL_PREFIX "${_python_prefix}" CACHE PATH "Install prefix (default: the configured Python's sys.prefix)" FORCE)
endif()
# The site-packages a plain `cmake --install` uses, and `recover` rolls back in.
set(_default_site "${TRELLIS2_SITE_PACKAGES}")
if(NOT _default_site)
  set(_default_site "${TRELLIS2_PYTHON_PLATLIB}")
endif()
# The install runs the tool's Python directly (not through `cmake -E env`),
# as a child of `cmake --install`, so it can die with it and roll back.
install(CODE "
  set(TRELLIS2_INSTALL_DEFAULT_SITE [==[${_default_site}]==])
  set(TRELLIS2_INSTALL_SITE_FIXED [==[${TRELLIS2_SITE_PACKAGES}]==])
  set(TRELLIS2_INSTALL_PACKAGING [==[${PROJECT_SOURCE_DIR}/packaging]==])
  set(TRELLIS2_INSTALL_BUILD [==[${CMAKE_BINARY_DIR}]==])
  set(TRELLIS2_INSTALL_PREFIX [==[${CMAKE_INSTALL_PREFIX}]==])
  set(TRELLIS2_INSTALL_PYTHON [==[${Python3_EXECUTABLE}]==])
  set(TRELLIS2_INSTALL_STAGE [==[${TRELLIS2_STAGE_DIR}]==])
  set(TRELLIS2_INSTALL_DISTS [==[${TRELLIS2_DISTS}]==])
  set(TRELLIS2_INSTALL_TORCH_VERSION [==[${TRELLIS2_FOUND_TORCH_VERSION}]==])
  set(TRELLIS2_INSTALL_CHECK [==[${TRELLIS2_DELIVERY_CHECK}]==])
  set(TRELLIS2_INSTALL_SBOM_COMMAND [==[${TRELLIS2_SBOM_COMMAND}]==])
")
install(SCRIPT "${PROJECT_SOURCE_DIR}/cmake/scripts/install_stage.cmake")

# --- recover ---------------------------------------------------------------------------
add_custom_target(recover
  COMMAND ${TRELLIS2_WHEEL_TOOL} recover --site-packages "${_default_site}"
  COMMENT "Rolling back installs killed before they finished in ${_default_site}"
  VERBATIM)
add_dependencies(recover build-lock)

# --- wheels ----------------------------------------------------------------------------
set(TRELLIS2_DIST_DIR "${CMAKE_BINARY_DIR}/dist" CACHE PATH
  "Where the wheels target writes: one folder per torch x CUDA cell, beside the cells of other build trees")
# The cell: the torch and CUDA the modules are built against.
include("${PROJECT_SOURCE_DIR}/cmake/common/WheelCell.cmake")
trellis2_wheel_cell(TRELLIS2_WHEEL_CELL "${TRELLIS2_FOUND_TORCH_VERSION}" "${TRELLIS2_FOUND_TORCH_CUDA_VERSION}")
# The build report (tools/build_report.py): Report.cmake runs it after every
# build, the wheels target again after writing them, so it names their tags.
set(TRELLIS2_REPORT_COMMAND COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/tools/build_report.py"
  "${CMAKE_BINARY_DIR}/report-config.json" "${CMAKE_BINARY_DIR}/report.json")
# Everything it needs is in report-config.json (Report.cmake: the delivery
# settings, the cell, the policies) and the native build's manifest.
add_custom_target(wheels
  COMMAND ${TRELLIS2_DELIVERY_CHECK}
  COMMAND ${TRELLIS2_WHEEL_TOOL} wheels --config "${CMAKE_BINARY_DIR}/report-config.json"
  ${TRELLIS2_REPORT_COMMAND}
  COMMENT "Writing repaired wheels (+${TRELLIS2_WHEEL_LABEL_EFFECTIVE}) to ${TRELLIS2_DIST_DIR}/${TRELLIS2_WHEEL_CELL}"
  VERBATIM)
add_dependencies(wheels native)
