"""From the stage to the user: the requirements a delivered distribution
declares (requires.py); install over a site-packages (install.py, with
whole_install.py for a distribution not installed yet and txn.py, the
journaled transaction behind install and recover); repaired wheels
(repack.py), their PEP 503 index (index.py) and the torch x CUDA cells of a
dist directory (cells.py)."""
