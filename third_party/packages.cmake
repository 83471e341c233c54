# The packages the superbuild knows, each with a pin file third_party/<pkg>.cmake
# and a recipe extensions/<pkg>/ ('fixture' is the test upstream, whose pin
# the build writes). Read by cmake/superbuild/Options.cmake,
# cmake/scripts/fill_source_cache.cmake and, through the CTest environment or
# by parsing this file, by the Python tests: edit the list here only.
set(TRELLIS2_KNOWN_PACKAGES cumesh flex_gemm o_voxel nvdiffrast fixture)
# What a build pulls and builds when TRELLIS2_PACKAGES is not given.
set(TRELLIS2_DEFAULT_PACKAGES cumesh flex_gemm o_voxel nvdiffrast)
