# o-voxel from the fork visualbruno/TRELLIS.2 at 5573eea, "Compatibility with
# Windows + added tiled_flexible_dual_grid_to_mesh function": the function
# the ComfyUI-Trellis2 node imports, in source, for builds that take the
# Python from the source (TRELLIS2_PYTHON_FROM=source). Its C++ differs from
# de38fdd only by portability fixes (1e-6d literals, explicit int64 sizes).
# Select it with -DTRELLIS2_O_VOXEL_PIN_FILE=third_party/o_voxel-visualbruno.cmake
set(PIN_REPOSITORY "https://github.com/visualbruno/TRELLIS.2.git")
set(PIN_COMMIT "5573eeab8479dbbe19d538392163f4f9e4747643")
set(PIN_SUBDIR "o-voxel")
set(PIN_MARKER "o_voxel/__init__.py")
set(PIN_PATCHES "")
