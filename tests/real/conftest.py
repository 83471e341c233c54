# Real-source tests: the hook that turns "all skipped" into CTest's skip code.
from native import pytest_sessionfinish  # noqa: F401  (a pytest hook, found by name)
