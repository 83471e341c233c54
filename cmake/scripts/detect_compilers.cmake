# Detect the native build's compilers in a tree of their own (cmake/detect),
# silently: the superbuild runs this in one pipeline with the torch probe,
# whose stderr is the configure's error message (CompilerDetection.cmake).
#
#   cmake -DDETECT_DIR=<dir> -DCXX=<g++> -DCUDA=<nvcc> -P detect_compilers.cmake
#
# Leaves DETECT_DIR/CMakeFiles/<cmake version>/CMake{System,CXXCompiler,
# CUDACompiler}.cmake and DETECT_DIR/inputs.txt (the compilers and CMake they
# are for) when the detection succeeded, and neither when it failed: the
# native configure then detects on its own and reports what went wrong.
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
execute_process(
  COMMAND "${CMAKE_COMMAND}" -G Ninja -S "${CMAKE_CURRENT_LIST_DIR}/../detect" -B "${DETECT_DIR}"
    "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_CUDA_COMPILER=${CUDA}" "-DCMAKE_CUDA_HOST_COMPILER=${CXX}"
  OUTPUT_FILE "${DETECT_DIR}.log" ERROR_FILE "${DETECT_DIR}.log" RESULT_VARIABLE rc)
if(rc EQUAL 0)
  # Only the CMake*.cmake answers are used: the identification's objects go
  # (a configure stopped by a pin mismatch leaves no object file behind).
  file(GLOB scratch "${DETECT_DIR}/CMakeFiles/${CMAKE_VERSION}/CompilerId*")
  file(REMOVE_RECURSE ${scratch})
  file(WRITE "${stamp}" "${inputs}")
else()
  file(REMOVE_RECURSE "${DETECT_DIR}")
endif()
