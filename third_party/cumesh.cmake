# CuMesh (mesh cleaning, simplification, UV atlas). 33ff560 (2025-12-24)
# matches 4 of the 5 .py files of the Torch291 wheel and names its xatlas
# module _xatlas. Submodule third_party/cubvh (JeffreyXiang/cubvh ff89002,
# which has its own Eigen submodule) is pulled recursively.
set(PIN_REPOSITORY "https://github.com/JeffreyXiang/CuMesh.git")
set(PIN_COMMIT "33ff5600b57c4872d0167763b1340d97a6a441c4")
set(PIN_SUBDIR "")
set(PIN_MARKER "cumesh/__init__.py")
# CUDA 13.2+ (CCCL 3.2): in-place DeviceScan calls in the form every CCCL accepts.
set(PIN_PATCHES "0001-cub-scan-in-place-calls-out-of-place.patch")
