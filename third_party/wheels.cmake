# sha256 of the ComfyUI-Trellis2 Linux wheels whose bytes were inspected
# (wheels/Linux/ of visualbruno/ComfyUI-Trellis2, 2026-11-26): the pin list.
# The wheel tool reads it (`--pins`; every line starting with 64 hex digits).
# A pinned wheel's RECORD mismatches (the author edited a .py after
# building) are reported, not refused, and it may carry a .pth file or a
# console script; any other wheel must have a RECORD that matches its files.
set(TRELLIS2_KNOWN_WHEEL_SHA256
  63ebe410b623f24d718358feb64c90413dba2ec2d30ff3d4803413146965c96d  # Torch270 flex_gemm-0.0.1-cp312
  952f053c03c5828508658155b042fe7710951813e006d2d73facbd0412cbba68  # Torch270 o_voxel-0.0.1-cp312 (stale RECORD: convert/flexible_dual_grid.py)
  15a26824208818434e2fb0bbbe53f1860811fefbd2f2090d811c8bd3f74a066a  # Torch291 cumesh-0.0.1-cp312 (stale RECORD: remeshing.py)
  e4275dd544ca0a32138ce7175d748fe05ec738d730e628ca3b8b3e6d12070cd3  # Torch291 flex_gemm-0.0.1-cp312
  a7324115048057d0fe2e16a19cfa7da5eea9619ffb23e3b856f08a8268feded2  # Torch291 nvdiffrast-0.4.0-cp312
  bcea5e9939c64d2eb69f1b7825746598257d1056bf07e5a2aeb244e9fee77ec2  # Torch291 o_voxel-0.0.1-cp312
)
