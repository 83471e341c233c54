# TorchExtension: trellis2_add_torch_extension(), the one place that turns
# torch's extension flags (the trellis2::torch target, built from the native
# plan's values by TorchInterface.cmake) into a module. Used by every
# package recipe (extensions/<pkg>/) inside the inner project.
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
#   - from trellis2::torch: include dirs in setuptools' order (recipe's,
#     torch's, Python's), the libraries CUDAExtension links, the defines
#     BuildExtension adds (TORCH_API_INCLUDE_EXTENSION_H, the pybind11 trio,
#     _GLIBCXX_USE_CXX11_ABI)
#   - TORCH_EXTENSION_NAME=<last component>, -fPIC for both languages,
#     -std=c++17 unless the recipe names a standard
#   - in setuptools' order, its own flags first and the recipe's last:
#     Python's CFLAGS (without -g) on C++ units; COMMON_NVCC_FLAGS, the
#     recipe's, then torch's -gencode list on CUDA units
# and adds nvcc --threads=<the torch target's TRELLIS2_NVCC_THREADS> when
# there are several device architectures (BuildExtension does only with
# NVCC_THREADS set): nvcc compiles them in parallel. The CUDA units compile
# in the nvcc pool of Ninja (extensions/CMakeLists.txt; with CMake < 4.2 the
# module's C++ units too), whose depth the memory free at the build's start sets.
# Deliberate differences are listed, with reasons, in
# tests/integration/test_flag_parity.py.
#
# The module is written as <a>/<b>/<c><EXT_SUFFIX> under the package's
# modules/, audited (Audit.cmake) and only then copied to the stage, after
# the package's Python (PythonStage.cmake).

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
  get_target_property(suffix trellis2::torch TRELLIS2_EXT_SUFFIX)
  _trellis2_package_paths(sources ${arg_SOURCES})
  _trellis2_check_sources("${import_name}" ${sources})
  _trellis2_package_paths(include_dirs ${arg_INCLUDE_DIRS})
  add_library(${target} MODULE ${sources})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${module_name}"
    SUFFIX "${suffix}"
    LIBRARY_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/modules/${module_dir}"
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

  # BuildExtension's other defines come with trellis2::torch.
  target_compile_definitions(${target} PRIVATE TORCH_EXTENSION_NAME=${module_name} ${arg_DEFINES})

  _trellis2_with_std(cxx_flags ${arg_CXX_FLAGS})
  _trellis2_with_std(cuda_flags ${arg_CUDA_FLAGS})
  # Order as setuptools: its own flags first, the recipe's last (so the
  # recipe's -O3 or -U__CUDA_NO_HALF_OPERATORS__ wins).
  foreach(property CXX_FLAGS CUDA_FLAGS CUDA_ARCH_FLAGS NVCC_THREADS NVCC_SPLIT_COMPILE)
    get_target_property(torch_${property} trellis2::torch TRELLIS2_${property})
  endforeach()
  target_compile_options(${target} PRIVATE
    "$<$<COMPILE_LANGUAGE:CXX>:${torch_CXX_FLAGS};${cxx_flags}>"
    "$<$<COMPILE_LANGUAGE:CUDA>:${torch_CUDA_FLAGS};${cuda_flags};${torch_CUDA_ARCH_FLAGS}>")
  if(torch_NVCC_THREADS GREATER 1)
    target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:CUDA>:--threads=${torch_NVCC_THREADS}>")
  endif()
  if(NOT torch_NVCC_SPLIT_COMPILE STREQUAL "")
    target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:CUDA>:--split-compile=${torch_NVCC_SPLIT_COMPILE}>")
  endif()
  # Memory, not cores, bounds how many nvcc run at once: the CUDA units
  # compile in the nvcc pool (extensions/CMakeLists.txt), each holding
  # --threads device compiles. Its C++ units hold one compile's memory and
  # stay out of it where CMake can say so per source (4.2+); before, the
  # pool is the target's, so they wait for a place among the nvcc jobs too.
  set(cuda_sources ${sources})
  list(FILTER cuda_sources INCLUDE REGEX "\\.cu$")
  if(cuda_sources AND CMAKE_VERSION VERSION_GREATER_EQUAL 4.2)
    set_property(SOURCE ${cuda_sources} PROPERTY JOB_POOL_COMPILE nvcc)
  elseif(cuda_sources)
    set_property(TARGET ${target} PROPERTY JOB_POOL_COMPILE nvcc)
  endif()

  target_include_directories(${target} PRIVATE ${include_dirs})
  target_link_libraries(${target} PRIVATE ${arg_LINK_LIBRARIES} trellis2::torch)
  if(TARGET input-wheel-tags)
    add_dependencies(${target} input-wheel-tags)  # wheel mode: the input wheels are judged first
  endif()

  trellis2_audit_module(${target} audit_stamp)
  # Staged after the audit passed and after the package's Python.
  trellis2_stage_file("$<TARGET_FILE:${target}>" "${module_dir}" "${module_name}${suffix}" MODULE ${target}
    DEPENDS ${target} "${audit_stamp}" ${TRELLIS2_PYTHON_STAMP})
  set_property(TARGET ${TRELLIS2_PACKAGE} APPEND PROPERTY TRELLIS2_MODULES "${import_name}")
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
    set(pkg "${TRELLIS2_PACKAGE}")
    cmake_path(SET repo NORMALIZE "${CMAKE_CURRENT_SOURCE_DIR}/../..")
    cmake_path(RELATIVE_PATH CMAKE_CURRENT_LIST_FILE BASE_DIRECTORY "${repo}" OUTPUT_VARIABLE recipe)
    set(PIN_COMMIT "${TRELLIS2_${pkg}_COMMIT}")
    # The pin file relative to the repository, or absolute when outside it.
    set(pin_file "${TRELLIS2_${pkg}_PIN_FILE}")
    cmake_path(IS_PREFIX repo "${pin_file}" NORMALIZE pin_in_repo)
    if(pin_in_repo)
      cmake_path(RELATIVE_PATH pin_file BASE_DIRECTORY "${repo}")
    endif()
    message(FATAL_ERROR "${import_name}: the recipe ${recipe} lists sources that the ${pkg} tree "
      "${TRELLIS2_PACKAGE_SOURCE_DIR} does not have:${missing}\n"
      "Expected: the layout of the commit the recipe follows, pinned in ${pin_file} "
      "(${PIN_COMMIT}; TRELLIS2_<PKG>_PIN_FILE chooses another pin). A local checkout at another commit "
      "(TRELLIS2_<PKG>_SOURCE_DIR) may have moved or renamed these files. Either check the pin out there "
      "(git -C ${TRELLIS2_PACKAGE_SOURCE_DIR} checkout ${PIN_COMMIT}), or make ${recipe} list the sources that "
      "${TRELLIS2_PACKAGE_SOURCE_DIR}/setup.py builds.")
  endif()
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
