# TorchExtension: trellis2_add_torch_extension(), the one place that knows
# torch's flags. Included by every package recipe (extensions/<pkg>/), which
# runs as its own CMake project with the toolchain cache written by
# SubBuildCache.cmake.
#
# trellis2_add_torch_extension(<import.name>
#     SOURCES <file>...            .cu/.cpp; relative paths are under the
#                                  package source (TRELLIS2_PACKAGE_SOURCE_DIR)
#     [CXX_FLAGS <flag>...]        like extra_compile_args["cxx"]
#     [CUDA_FLAGS <flag>...]       like extra_compile_args["nvcc"]
#     [INCLUDE_DIRS <dir>...]      like include_dirs=; relative as SOURCES
#     [DEFINES <NAME[=value]>...]  extra defines for both languages
#     [LINK_LIBRARIES <lib>...])   besides torch and the CUDA runtime
#
# What it reproduces from torch.utils.cpp_extension (CUDAExtension +
# BuildExtension, asked from the installed torch by probe_torch.py):
#   - TORCH_EXTENSION_NAME=<last component>, TORCH_API_INCLUDE_EXTENSION_H,
#     the PYBIND11_{COMPILER_TYPE,STDLIB,BUILD_ABI} trio, _GLIBCXX_USE_CXX11_ABI
#   - COMMON_NVCC_FLAGS (__CUDA_NO_HALF*, --expt-relaxed-constexpr), -fPIC for
#     both languages, -std=c++17 unless the recipe names a standard
#   - torch's -gencode list for TRELLIS2_CUDA_ARCHITECTURES
#   - Python's CFLAGS on C++ units, as setuptools passes them, without -g
#   - include dirs in setuptools' order (recipe's, torch's, Python's) as -I
#   - the libraries CUDAExtension links (c10 torch torch_cpu torch_python
#     cudart c10_cuda torch_cuda)
# and adds nvcc --threads=<device architectures> when there are several
# (BuildExtension does only with NVCC_THREADS set): nvcc compiles them in
# parallel, and jobslot grants such a unit as many CPU and memory slots,
# capped by its pools, so the build's caps still hold.
# Deliberate differences are listed, with reasons, in
# tests/integration/flag_parity.py.
#
# The module is written as <a>/<b>/<c><EXT_SUFFIX> under modules/, audited
# (cmake/Audit.cmake) and only then copied to the stage, after the package's
# Python (cmake/PythonStage.cmake).

include_guard(GLOBAL)
include(Audit)
include(Stage)

function(trellis2_add_torch_extension import_name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" ""
    "SOURCES;CXX_FLAGS;CUDA_FLAGS;INCLUDE_DIRS;DEFINES;LINK_LIBRARIES")
  if(arg_UNPARSED_ARGUMENTS OR NOT arg_SOURCES)
    message(FATAL_ERROR "trellis2_add_torch_extension(${import_name}): expected SOURCES and the keywords "
      "CXX_FLAGS CUDA_FLAGS INCLUDE_DIRS DEFINES LINK_LIBRARIES, got '${arg_UNPARSED_ARGUMENTS}'")
  endif()
  if(NOT import_name MATCHES "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$")
    message(FATAL_ERROR "trellis2_add_torch_extension: '${import_name}' is not a Python import name")
  endif()

  # flex_gemm.kernels.cuda -> directory flex_gemm/kernels, module name cuda
  string(REPLACE "." "/" module_path "${import_name}")
  get_filename_component(module_dir "${module_path}" DIRECTORY)
  get_filename_component(module_name "${module_path}" NAME)

  set(target "${import_name}")
  _trellis2_package_paths(sources ${arg_SOURCES})
  _trellis2_check_sources("${import_name}" ${sources})
  _trellis2_package_paths(include_dirs ${arg_INCLUDE_DIRS})
  add_library(${target} MODULE ${sources})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${module_name}"
    SUFFIX "${TRELLIS2_PYTHON_EXT_SUFFIX}"
    LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/modules/${module_dir}"
    POSITION_INDEPENDENT_CODE ON
    # torch's -gencode list is added below, verbatim.
    CUDA_ARCHITECTURES OFF
    # CUDAExtension links the shared cudart; CMake would pick the static one.
    CUDA_RUNTIME_LIBRARY None
    # No absolute RUNPATH: like the wheels, modules find torch's libraries
    # because `import torch` has loaded them.
    SKIP_BUILD_RPATH ON
    INSTALL_RPATH ""
    # CMake would define <target>_EXPORTS; setuptools defines nothing of the kind.
    DEFINE_SYMBOL "")

  # Defines BuildExtension adds to every extension, for both languages.
  target_compile_definitions(${target} PRIVATE
    TORCH_EXTENSION_NAME=${module_name}
    TORCH_API_INCLUDE_EXTENSION_H
    ${TRELLIS2_TORCH_PYBIND11_DEFINES}
    _GLIBCXX_USE_CXX11_ABI=${TRELLIS2_TORCH_CXX11_ABI}
    ${arg_DEFINES})

  _trellis2_with_std(cxx_flags ${arg_CXX_FLAGS})
  _trellis2_with_std(cuda_flags ${arg_CUDA_FLAGS})
  # Order as setuptools: its own flags first, the recipe's last (so the
  # recipe's -O3 or -U__CUDA_NO_HALF_OPERATORS__ wins).
  target_compile_options(${target} PRIVATE
    "$<$<COMPILE_LANGUAGE:CXX>:${TRELLIS2_PYTHON_CFLAGS};${cxx_flags}>"
    "$<$<COMPILE_LANGUAGE:CUDA>:${TRELLIS2_TORCH_COMMON_NVCC_FLAGS};${cuda_flags};${TRELLIS2_TORCH_CUDA_ARCH_FLAGS}>")
  _trellis2_nvcc_threads(threads)
  if(threads GREATER 1)
    target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:CUDA>:--threads=${threads}>")
  endif()

  target_include_directories(${target} PRIVATE
    ${include_dirs} ${TRELLIS2_TORCH_INCLUDE_DIRS} ${TRELLIS2_PYTHON_INCLUDE_DIRS})
  target_link_libraries(${target} PRIVATE ${arg_LINK_LIBRARIES} ${TRELLIS2_TORCH_LINK_LIBRARIES})

  trellis2_audit_module(${target} audit_stamp)
  # Staged after the audit passed and after the package's Python.
  trellis2_stage_file("$<TARGET_FILE:${target}>" "${module_dir}" "${module_name}${TRELLIS2_PYTHON_EXT_SUFFIX}"
    DEPENDS ${target} "${audit_stamp}" ${TRELLIS2_PYTHON_STAMP})
  set_property(GLOBAL APPEND PROPERTY TRELLIS2_MODULES "${import_name}")
endfunction()

# Relative paths are the upstream's: resolve them under the package source.
function(_trellis2_package_paths out)
  set(result "")
  foreach(path IN LISTS ARGN)
    cmake_path(ABSOLUTE_PATH path BASE_DIRECTORY "${TRELLIS2_PACKAGE_SOURCE_DIR}" NORMALIZE)
    list(APPEND result "${path}")
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# Every source the recipe lists must exist in the package tree; otherwise
# CMake's own errors ("Cannot find source file", "No SOURCES given") would
# not say that the recipe and the checkout disagree, nor what to do.
function(_trellis2_check_sources import_name)
  set(missing "")
  foreach(source IN LISTS ARGN)
    if(NOT EXISTS "${source}")
      cmake_path(RELATIVE_PATH source BASE_DIRECTORY "${TRELLIS2_PACKAGE_SOURCE_DIR}" OUTPUT_VARIABLE relative)
      string(APPEND missing "\n    ${relative}")
    endif()
  endforeach()
  if(missing)
    cmake_path(GET CMAKE_CURRENT_SOURCE_DIR FILENAME pkg)
    cmake_path(SET repo NORMALIZE "${CMAKE_CURRENT_SOURCE_DIR}/../..")
    cmake_path(RELATIVE_PATH CMAKE_CURRENT_LIST_FILE BASE_DIRECTORY "${repo}" OUTPUT_VARIABLE recipe)
    # The sub-build is not told which pin file the superbuild used; the
    # default one names the commit the recipe was written for.
    set(PIN_COMMIT "<the pinned commit>")
    if(EXISTS "${repo}/third_party/${pkg}.cmake")
      include("${repo}/third_party/${pkg}.cmake")
    endif()
    message(FATAL_ERROR "${import_name}: the recipe ${recipe} lists sources that the ${pkg} tree "
      "${TRELLIS2_PACKAGE_SOURCE_DIR} does not have:${missing}\n"
      "Expected: the layout of the commit the recipe follows, pinned in third_party/${pkg}.cmake "
      "(${PIN_COMMIT}) or in TRELLIS2_<PKG>_PIN_FILE. A local checkout at another commit "
      "(TRELLIS2_<PKG>_SOURCE_DIR) may have moved or renamed these files. Either check the pin out there "
      "(git -C ${TRELLIS2_PACKAGE_SOURCE_DIR} checkout ${PIN_COMMIT}), or make ${recipe} list the sources that "
      "${TRELLIS2_PACKAGE_SOURCE_DIR}/setup.py builds.")
  endif()
endfunction()

# Device architectures nvcc compiles a unit for: the distinct virtual
# architectures of torch's -gencode list (9.0+PTX adds PTX of compute_90,
# not another compile).
function(_trellis2_nvcc_threads out)
  string(REGEX MATCHALL "arch=compute_[0-9]+[a-z]?" archs "${TRELLIS2_TORCH_CUDA_ARCH_FLAGS}")
  list(REMOVE_DUPLICATES archs)
  list(LENGTH archs count)
  set(${out} "${count}" PARENT_SCOPE)
endfunction()

# BuildExtension appends -std=c++17 unless the flags already name a standard.
function(_trellis2_with_std out)
  set(flags ${ARGN})
  list(FILTER flags INCLUDE REGEX "^-std=")
  if(flags)
    set(${out} "${ARGN}" PARENT_SCOPE)
  else()
    set(${out} "${ARGN};-std=c++17" PARENT_SCOPE)
  endif()
endfunction()
