# A tiny package shaped like the TRELLIS.2 wheels: Python code over native
# modules. _C is what the build rebuilds; _legacy stands for a native file
# the build does not rebuild (like cumesh's _cumesh_xatlas).
from setuptools import Extension, setup

setup(
    name="fixturepkg",
    version="0.1.0",
    packages=["fixturepkg"],
    ext_modules=[
        Extension("fixturepkg._C", ["native/_C.c"]),
        Extension("fixturepkg._legacy", ["native/_legacy.c"]),
    ],
)
