# o-voxel, the o-voxel/ folder of microsoft/TRELLIS.2 at de38fdd (Init
# Release, 2025-12-09); its C++ is unchanged since. Submodule
# o-voxel/third_party/eigen (gitlab libeigen 21e4582) is pulled recursively.
set(PIN_REPOSITORY "https://github.com/microsoft/TRELLIS.2.git")
set(PIN_COMMIT "de38fdd4082638cb4e6d2285f2e215280bd3f485")
set(PIN_SUBDIR "o-voxel")
set(PIN_MARKER "o_voxel/__init__.py")
set(PIN_PATCHES "")
