# Eigen: where a recipe finds Eigen's headers.
#
# trellis2_eigen_include_dir(<out_var> <submodule dir>)
#   <out_var>        set in the caller's scope to an absolute include directory
#                    (the one that holds Eigen/Core), for INCLUDE_DIRS of
#                    trellis2_add_torch_extension
#   <submodule dir>  the upstream's Eigen submodule, relative to the package
#                    source (TRELLIS2_PACKAGE_SOURCE_DIR) or absolute
#
# The submodule is used when it is populated (a git pull with submodules).
# Eigen lives on gitlab, which a source cache or an offline pull may not reach:
# then the submodule directory is empty and the system's Eigen 3 is used
# instead (find_package(Eigen3 NO_MODULE): Debian's libeigen3-dev, Rocky's
# eigen3-devel). It is a header-only library used here for small fixed-size
# linear algebra, and the setup.py passes it with -I, so an include directory
# is returned rather than a target: the -I order stays setuptools'.
# Which one was taken is printed at configure time.

include_guard(GLOBAL)

function(trellis2_eigen_include_dir out submodule)
  cmake_path(ABSOLUTE_PATH submodule BASE_DIRECTORY "${TRELLIS2_PACKAGE_SOURCE_DIR}" NORMALIZE)
  if(EXISTS "${submodule}/Eigen/Core")
    message(STATUS "Eigen: the upstream's submodule ${submodule}")
    set(${out} "${submodule}" PARENT_SCOPE)
    return()
  endif()
  find_package(Eigen3 3.3 NO_MODULE QUIET)
  if(NOT TARGET Eigen3::Eigen)
    message(FATAL_ERROR "Eigen not found: the submodule ${submodule} is empty (sources without submodules) "
      "and find_package(Eigen3) found no system Eigen 3. Install it (apt-get install libeigen3-dev, "
      "dnf install eigen3-devel), or put the prefix of another one on the CMAKE_PREFIX_PATH environment "
      "variable, which the native build inherits (export CMAKE_PREFIX_PATH=<prefix of share/eigen3/cmake>).")
  endif()
  get_target_property(dirs Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
  list(GET dirs 0 dir)
  message(STATUS "Eigen: submodule ${submodule} is empty; using the system's Eigen ${Eigen3_VERSION} at ${dir}")
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()
