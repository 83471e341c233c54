"""A module built to exceed the Rocky 9 policy, let through the ABI gate by
a permissive policy file, earns no manylinux tag: its wheel keeps
linux_x86_64, and the wheels target, <cell>/platform-tags-<python tag>.json and the build
report name the symbol that kept it there.

The fixture's C++-only module (_xatlas) is edited, in a copy of the
fixture upstream, to need std::condition_variable::wait at GLIBCXX_3.4.30
(over rocky9's 3.4.29; manylinux_2_35 and later allow it) and glibc's
__ctype_init at GLIBC_PRIVATE, a version no manylinux policy allows (its
ABI changes with every glibc)."""

import json
import shutil
import sys

from support import FIXTURE_UPSTREAM, WORK_DIR, build, configure, one_line, run

# The wheels target's record of this Python's wheels in the cell.
PLATFORM_TAGS = f"platform-tags-cp{sys.version_info.major}{sys.version_info.minor}.json"

WORK = WORK_DIR / "platform-tag-linux"
SOURCE = WORK / "CuFixture"
BUILD = WORK / "build"

OVER_THE_CEILING = '''
#include <condition_variable>
#include <mutex>
extern "C" void __ctype_init(void);
namespace {
// Never called: the references alone decide what the module needs to load.
void waits(std::condition_variable& cv, std::unique_lock<std::mutex>& lock) { cv.wait(lock); }
void private_glibc() { __ctype_init(); }
}  // namespace
'''


def test_module_over_every_manylinux_policy_keeps_linux_and_says_why():
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.copytree(FIXTURE_UPSTREAM, SOURCE)
    binding = SOURCE / "third_party" / "atlas" / "binding.cpp"
    text = binding.read_text().replace("namespace {", OVER_THE_CEILING + "\nnamespace {", 1)
    binding.write_text(text.replace('m.def("count_rows", &count_rows);',
                                    'm.def("count_rows", &count_rows);\n'
                                    '    m.attr("probes") = reinterpret_cast<std::uintptr_t>(&waits) '
                                    '+ reinterpret_cast<std::uintptr_t>(&private_glibc);'))
    permissive = WORK / "permissive.policy"
    permissive.write_text("name = rocky9-permissive\ninclude = rocky9\nmax GLIBCXX = 3.4.30\n")
    result = configure(BUILD, f"-DTRELLIS2_FIXTURE_SOURCE_DIR={SOURCE}", f"-DTRELLIS2_ABI_POLICY={permissive}")
    assert result.returncode == 0, result.stdout[-3000:]
    result = build(BUILD)
    assert result.returncode == 0, result.stdout[-3000:]

    result = run(["cmake", "--build", BUILD, "--target", "wheels"])
    assert result.returncode == 0, result.stdout[-4000:]
    (wheel,) = (BUILD / "dist").glob("torch*-cu*/fixture_pkg-*.whl")  # the build's one cell
    assert wheel.name.endswith("-linux_x86_64.whl"), wheel.name
    (entry,) = json.loads((wheel.parent / PLATFORM_TAGS).read_text())["wheels"]
    assert entry["platform_tag"] == "linux_x86_64"
    reason = entry["reason"]
    assert reason.startswith("kept off manylinux_"), reason
    assert "the least compatible manylinux policy" in reason
    assert "fixture_pkg/_xatlas" in reason and "GLIBC_PRIVATE" in reason and "__ctype_init" in reason, reason
    # The wheels target's log and the build report say the same.
    log = one_line(result.stdout)
    assert f"Wrote {wheel}: linux_x86_64 (kept off manylinux_" in log, log[-4000:]
    assert f"wheel {wheel.name}: linux_x86_64 (kept off" in log
    report = json.loads((BUILD / "report.json").read_text())
    assert report["platform_tags"]["wheels"] == [entry]
