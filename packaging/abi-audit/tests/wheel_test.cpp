// Wheels: .so members are read through libzip into memory and audited
// under the name WHEEL!MEMBER; other members are ignored.
#include <gtest/gtest.h>

#include "test_support.h"

using namespace abi_audit_test;

namespace {

const std::string kGood = "cumesh/_xatlas.cpython-312-x86_64-linux-gnu.so";
const std::string kBad = "cumesh_bad/_xatlas.cpython-312-x86_64-linux-gnu.so";

}  // namespace

TEST(Wheel, GoodAndBadMembersAreReportedSeparately) {
  const std::string wheel = scratch_dir("wheel_mixed") + "/cumesh-0.0.1-cp312-cp312-linux_x86_64.whl";
  write_wheel(wheel, {{"cumesh/__init__.py", "from . import _xatlas\n"},
                      {kGood, read_file(FIXTURE_PYINIT_RIGHT)},
                      {kBad, read_file(FIXTURE_PYINIT_WRONG)}});
  const ToolResult r = run_tool({wheel});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS  " + wheel + "!" + kGood), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  " + wheel + "!" + kBad), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("it exports PyInit__cumesh_xatlas"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("__init__.py"), std::string::npos) << r.out;
}

TEST(Wheel, AllGoodMembersPass) {
  const std::string wheel = scratch_dir("wheel_good") + "/cumesh-0.0.1-cp312-cp312-linux_x86_64.whl";
  write_wheel(wheel, {{kGood, read_file(FIXTURE_PYINIT_RIGHT)}, {"cumesh/libhelper.so.1", read_file(FIXTURE_RUNPATH_ORIGIN)}});
  const ToolResult r = run_tool({"--format", "json", wheel});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"path\": \"" + wheel + "!cumesh/libhelper.so.1\""), std::string::npos) << r.out;
}

TEST(Wheel, WheelWithoutNativeCodeIsAnInputError) {
  const std::string wheel = scratch_dir("wheel_pure") + "/pure-1.0-py3-none-any.whl";
  write_wheel(wheel, {{"pure/__init__.py", ""}});
  const ToolResult r = run_tool({wheel});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("holds no shared object"), std::string::npos) << r.out;
}
