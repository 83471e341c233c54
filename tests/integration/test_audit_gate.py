"""The ABI gate: a module over the policy's ceiling fails the build, the log
names the version and the symbol, nothing is staged for it, and the gate
stays shut on the next build until the policy or the module changes."""

from support import ABI_POLICY_FILE, build, configure, one_line
from test_override_build import BUILD, SOURCE


def test_policy_below_the_modules_fails_the_build():
    assert BUILD.is_dir(), "needs the override build (fixture.override_build)"
    strict = BUILD.parent / "strict.policy"
    # Ceilings below what any g++ of the last decade links: GLIBCXX 3.4.9
    # (GCC 4.2). Every module needs more, so every module must be refused.
    strict.write_text("name = strict-test\nmax GLIBCXX = 3.4.9\nmax CXXABI = 1.3.13\n"
                      "max GLIBC = 2.34\nmax GCC = 7.0.0\ninclude = torch-runtime\n")
    staged = BUILD / "stage" / "fixture_pkg"
    result = configure(BUILD, f"-DTRELLIS2_FIXTURE_SOURCE_DIR={SOURCE}", f"-DTRELLIS2_ABI_POLICY={strict}")
    assert result.returncode == 0, result.stdout
    before = {p: p.stat().st_mtime_ns for p in staged.rglob("*.so")}
    result = build(BUILD)
    assert result.returncode != 0
    text = one_line(result.stdout)
    assert "ABI gate:" in text and "violates ABI policy" in text
    assert "GLIBCXX_3.4." in text
    # The offending symbols are named, demangled (std:: from libstdc++).
    assert "std::" in text
    assert {p: p.stat().st_mtime_ns for p in staged.rglob("*.so")} == before, "a refused module was staged"
    # Sticky: the next build audits again and fails again.
    assert build(BUILD).returncode != 0

    # Back to the build's policy: the gate opens without recompiling.
    result = configure(BUILD, f"-DTRELLIS2_FIXTURE_SOURCE_DIR={SOURCE}", f"-DTRELLIS2_ABI_POLICY={ABI_POLICY_FILE}")
    assert result.returncode == 0
    result = build(BUILD)
    assert result.returncode == 0, result.stdout
    assert "Building" not in result.stdout
