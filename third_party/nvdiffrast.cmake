# nvdiffrast v0.4.0: compiled ahead of time into _nvdiffrast_c since 0.4.0.
set(PIN_REPOSITORY "https://github.com/NVlabs/nvdiffrast.git")
set(PIN_COMMIT "253ac4fcea7de5f396371124af597e6cc957bfae")  # tag v0.4.0
set(PIN_SUBDIR "")
set(PIN_MARKER "nvdiffrast/__init__.py")
set(PIN_PATCHES "")
