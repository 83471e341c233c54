"""The input wheels (check-wheel, find-wheel): the pin list (pins.py), what a
wheel may contain (safety.py), reading one with its RECORD verified
(reader.py), and refusing one that is not the package's or not for the
configured Python (wheelcheck.py)."""
