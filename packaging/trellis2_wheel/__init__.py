"""trellis2_wheel: deliver natively rebuilt TRELLIS.2 modules over the
Python code of the ComfyUI-Trellis2 wheels (check, stage, API check,
install, repack). Standard library plus `packaging`, `installer` and `wheel`.

Run `packaging/trellis2-wheel --help` (or `python3 -m trellis2_wheel` with PYTHONPATH=packaging)."""

__version__ = "0.1.0"
