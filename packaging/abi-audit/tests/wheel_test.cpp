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

// Zip-slip: a member that could write outside the unpack directory makes
// the whole wheel unauditable (exit 2), naming the member and the reason.
namespace {

void expect_refused(const std::string& test, const std::vector<WheelMember>& members, const std::string& member,
                    const std::string& reason) {
  const std::string wheel = scratch_dir("wheel_unsafe_" + test) + "/evil-1.0-cp312-cp312-linux_x86_64.whl";
  write_wheel(wheel, members);
  const ToolResult r = run_tool({wheel});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("ERROR " + wheel), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(wheel + "!" + member + ": unsafe wheel member"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(reason), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("do not install it"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("PASS  "), std::string::npos) << "no member of a refused wheel is audited\n" << r.out;
}

}  // namespace

TEST(WheelSafety, AbsoluteMemberPathIsRefused) {
  const std::string so = read_file(FIXTURE_PYINIT_RIGHT);
  expect_refused("absolute", {{kGood, so}, {"/usr/lib/_xatlas.so", so}}, "/usr/lib/_xatlas.so", "an absolute path");
  expect_refused("drive", {{"C:/evil/_xatlas.so", so}}, "C:/evil/_xatlas.so", "drive letter");
}

TEST(WheelSafety, DotDotComponentIsRefusedButDotsInNamesAreNot) {
  const std::string so = read_file(FIXTURE_PYINIT_RIGHT);
  expect_refused("dotdot", {{"cumesh/../../../etc/_xatlas.so", so}}, "cumesh/../../../etc/_xatlas.so",
                 "a '..' component");
  expect_refused("dotdot_end", {{"cumesh/..", "x"}, {kGood, so}}, "cumesh/..", "a '..' component");
  const std::string wheel = scratch_dir("wheel_dots_ok") + "/dots-1.0-cp312-cp312-linux_x86_64.whl";
  write_wheel(wheel, {{"cumesh/..hidden/x..y/_xatlas.cpython-312-x86_64-linux-gnu.so", so}});
  EXPECT_EQ(run_tool({wheel}).exit_code, 0);
}

TEST(WheelSafety, BackslashIsRefused) {
  expect_refused("backslash", {{"cumesh\\..\\_xatlas.so", read_file(FIXTURE_PYINIT_RIGHT)}}, "cumesh\\..\\_xatlas.so",
                 "a backslash");
}

TEST(WheelSafety, SymlinkMemberIsRefused) {
  expect_refused("symlink",
                 {{kGood, read_file(FIXTURE_PYINIT_RIGHT)}, {"cumesh/libc10.so", "/etc/passwd", 0120777}},
                 "cumesh/libc10.so", "symbolic link");
}

TEST(WheelSafety, NameDifferingOnlyByCaseFromRecordIsRefused) {
  const std::string so = read_file(FIXTURE_PYINIT_RIGHT);
  const std::string record = "cumesh/_xatlas.cpython-312-x86_64-linux-gnu.so,sha256=x,1\n"
                             "\"cumesh/quoted,name.py\",,\n"
                             "cumesh-0.0.1.dist-info/RECORD,,\r\n";
  expect_refused("case", {{kGood, so}, {"CUMESH/_xatlas.cpython-312-x86_64-linux-gnu.so", so},
                          {"cumesh-0.0.1.dist-info/RECORD", record}},
                 "CUMESH/_xatlas.cpython-312-x86_64-linux-gnu.so", "differs only by case from the RECORD entry '" + kGood);
  // Exact RECORD names (quoted, CRLF) and a regular file mode pass.
  const std::string wheel = scratch_dir("wheel_record_ok") + "/cumesh-0.0.1-cp312-cp312-linux_x86_64.whl";
  write_wheel(wheel, {{kGood, so, 0100755}, {"cumesh/quoted,name.py", ""}, {"cumesh-0.0.1.dist-info/RECORD", record}});
  const ToolResult ok = run_tool({wheel});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
}
