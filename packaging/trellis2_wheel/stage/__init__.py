"""The stage, a site-packages layout the build copies its modules into: the
Python and metadata of an input wheel without its native files (stage.py,
stage-wheel), and the staged distributions' dist-infos (distinfo.py: which
files each owns; make-dist-info in source mode)."""
