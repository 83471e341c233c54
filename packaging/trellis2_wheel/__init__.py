"""trellis2_wheel: deliver natively rebuilt TRELLIS.2 modules over the
Python code of the ComfyUI-Trellis2 wheels (check, stage, API check,
install, repack). Standard library plus `packaging`, `installer` and `wheel`.

One subpackage per step of a build: inputs/ (the input wheels), stage/,
apicheck/, deliver/ (install, repaired wheels, their index), sbom/; spec/ is
the wheel format they share. cli.py holds the commands, errors.py the one
error type and the exit codes, final_message.py the last line each command
makes sure reaches the user.

Run `packaging/trellis2-wheel --help` (or `python3 -m trellis2_wheel` with PYTHONPATH=packaging)."""

__version__ = "0.1.0"
