"""A test file whose every test skipped exits 77, which CTest reports as
skipped (SKIP_RETURN_CODE in tests/CMakeLists.txt), not as passed; pytest's
-rs line prints the reason."""


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if exitstatus == 0 and reporter is not None:
        skipped = len(reporter.stats.get("skipped", []))
        ran = len(reporter.stats.get("passed", [])) + len(reporter.stats.get("failed", []))
        if skipped and not ran:
            session.exitstatus = 77
