# Detect the native build's compilers in a tree of their own (cmake/detect),
# silently: the superbuild runs this in one pipeline with the torch probe,
# whose stderr is the configure's error message (CompilerDetection.cmake).
#
#   cmake -DDETECT_DIR=<dir> -DCXX=<g++> -DCUDA=<nvcc> [-DKEEP_DIR=<dir>] -P detect_compilers.cmake
#
# Leaves DETECT_DIR/CMakeFiles/<cmake version>/CMake{System,CXXCompiler,
# CUDACompiler}.cmake and DETECT_DIR/inputs.txt (the compilers and CMake they
# are for) when the detection succeeded, and neither when it failed: the
# native configure then detects on its own and reports what went wrong.
# With KEEP_DIR (TRELLIS2_CONFIGURE_CACHE_DIR/compilers), an answer is kept
# there by the identity of CMake and both compilers (real path, size,
# modification time: an upgrade in place changes them), and a fresh tree
# with the same identity copies it instead of detecting (2-3 s);
# DETECT_DIR/kept.txt then names where it came from.
# Always exits 0. Run under the native environment (TRELLIS2_NATIVE_ENV),
# as the native configure is, so CC/CXX/CUDAHOSTCXX/...FLAGS choose nothing.
cmake_minimum_required(VERSION 3.25)
set(inputs "cmake ${CMAKE_VERSION}\ncxx ${CXX}\ncuda ${CUDA}\n")
set(stamp "${DETECT_DIR}/inputs.txt")
if(EXISTS "${stamp}")
  file(READ "${stamp}" last)
  if(last STREQUAL inputs)
    return()  # a re-configure: the answer is there already
  endif()
endif()
file(REMOVE_RECURSE "${DETECT_DIR}")
set(platform "${DETECT_DIR}/CMakeFiles/${CMAKE_VERSION}")
set(answers CMakeSystem.cmake CMakeCXXCompiler.cmake CMakeCUDACompiler.cmake)

# The identity of what the detection depends on: CMake and the two compilers,
# and nvcc.profile beside nvcc (the toolkit's include and library paths).
set(kept "")
if(KEEP_DIR)
  get_filename_component(nvcc_dir "${CUDA}" DIRECTORY)
  set(identity "${inputs}")
  foreach(file IN ITEMS "${CMAKE_COMMAND}" "${CXX}" "${CUDA}" "${nvcc_dir}/nvcc.profile")
    if(EXISTS "${file}")
      file(REAL_PATH "${file}" real)
      file(SIZE "${real}" size)
      file(TIMESTAMP "${real}" mtime "%Y-%m-%dT%H:%M:%S" UTC)
      string(APPEND identity "${real} ${size} ${mtime}\n")
    else()
      string(APPEND identity "${file} missing\n")
    endif()
  endforeach()
  string(SHA256 key "${identity}")
  set(kept "${KEEP_DIR}/${key}")
  set(complete TRUE)
  foreach(file IN LISTS answers)
    if(NOT EXISTS "${kept}/${file}")
      set(complete FALSE)
    endif()
  endforeach()
  if(complete)
    file(MAKE_DIRECTORY "${platform}")
    foreach(file IN LISTS answers)
      file(COPY_FILE "${kept}/${file}" "${platform}/${file}")
    endforeach()
    file(WRITE "${DETECT_DIR}/kept.txt" "${kept}\n")
    file(WRITE "${stamp}" "${inputs}")
    return()
  endif()
  file(REMOVE_RECURSE "${kept}")  # an incomplete answer: replaced below
endif()

execute_process(
  COMMAND "${CMAKE_COMMAND}" -G Ninja -S "${CMAKE_CURRENT_LIST_DIR}/../detect" -B "${DETECT_DIR}"
    "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_CUDA_COMPILER=${CUDA}" "-DCMAKE_CUDA_HOST_COMPILER=${CXX}"
  OUTPUT_FILE "${DETECT_DIR}.log" ERROR_FILE "${DETECT_DIR}.log" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE_RECURSE "${DETECT_DIR}")
  return()
endif()
# Only the CMake*.cmake answers are used: the identification's objects go
# (a configure stopped by a pin mismatch leaves no object file behind).
file(GLOB scratch "${platform}/CompilerId*")
file(REMOVE_RECURSE ${scratch})
file(WRITE "${stamp}" "${inputs}")

if(kept)
  # Copied beside and renamed: a configure running at the same time finds a
  # whole answer or none. A cache that cannot be written is not an error.
  string(RANDOM LENGTH 8 tag)
  set(partial "${kept}.${tag}.tmp")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E make_directory "${partial}" RESULT_VARIABLE made
    OUTPUT_QUIET ERROR_QUIET)
  set(copied "${made}")
  foreach(file IN LISTS answers)
    if(copied STREQUAL "0")
      file(COPY_FILE "${platform}/${file}" "${partial}/${file}" RESULT copied)
    endif()
  endforeach()
  if(copied STREQUAL "0")
    file(RENAME "${partial}" "${kept}" RESULT renamed)  # fails if another configure kept it first
  endif()
  file(REMOVE_RECURSE "${partial}")
endif()
