"""The wheel format every step shares: names and file-name conventions
(names.py: distributions, versions, wheel files, dist-info directories,
which files are native), RECORD files (record.py) and wheel tags (tags.py)."""
