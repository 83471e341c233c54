# Source this on the GPU machine (the device tool's), from the repo root:
#     . tests/gpu/gpu_host_env.sh
# That machine cannot download anything, so what the build and the tests
# need beyond its image travels with the working tree, in ignored folders:
#   .deps/*.deb   Debian 12 packages: pkgconf, libelf-dev, libzip-dev, nlohmann-json3-dev (abi-audit
#                 is built with them), libeigen3-dev (the Eigen fallback of
#                 cmake/recipe/Eigen.cmake: the source cache has no gitlab submodules)
#   .whl/*.whl    cp312/py3 wheels: o_voxel's Python dependencies (trimesh,
#                 plyfile, zstandard, easydict) and the wheel tool's installer
# They are unpacked under /tmp, never over /, and found through variables.

deps=/tmp/trellis2-deps
rm -rf "$deps" && mkdir -p "$deps"
for deb in .deps/*.deb; do dpkg -x "$deb" "$deps" || return 1; done
# The .pc files name /usr; point them at the unpacked tree.
sed -i "s|/usr|$deps/usr|g" "$deps"/usr/lib/x86_64-linux-gnu/pkgconfig/*.pc "$deps"/usr/share/pkgconfig/*.pc
export PKG_CONFIG="$deps/usr/bin/pkgconf"
export PKG_CONFIG_LIBDIR="$deps/usr/lib/x86_64-linux-gnu/pkgconfig:$deps/usr/share/pkgconfig"
export LD_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# find_package(Eigen3) in the package sub-builds (they inherit the environment).
export CMAKE_PREFIX_PATH="$deps/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
export TRELLIS2_EIGEN_INCLUDE="$deps/usr/include/eigen3"

python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/trellis2-site .whl/*.whl || return 1
export PYTHONPATH="/tmp/trellis2-site${PYTHONPATH:+:$PYTHONPATH}"
