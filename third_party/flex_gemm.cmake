# FlexGEMM (sparse convolution kernels). 5cae0b2 (2025-12-20) is a commit
# whose 27 .py files equal the ComfyUI-Trellis2 Torch270 wheel's; HEAD
# (6dd94a8) renamed hashmap functions the wheel's Python still calls.
set(PIN_REPOSITORY "https://github.com/JeffreyXiang/FlexGEMM.git")
set(PIN_COMMIT "5cae0b25c5e292789c26c63ed719f30e55c72992")
set(PIN_SUBDIR "")                       # package root inside the repository
set(PIN_MARKER "flex_gemm/__init__.py")  # a file that proves a tree is this package
set(PIN_PATCHES "")                      # patch files: absolute, or under third_party/patches/<pkg>/
