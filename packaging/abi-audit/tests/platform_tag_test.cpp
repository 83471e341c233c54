// --platform-tag on the fixtures: the manylinux tag a module and a wheel
// earn by auditwheel's own manylinux-policy.json, and what keeps each off
// the next more compatible tag; the shipped policies checked against it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "manylinux.h"
#include "policy.h"
#include "test_support.h"

using namespace abi_audit_test;
using json = nlohmann::json;

namespace {

#define REQUIRE_MANYLINUX_JSON() \
  REQUIRE_FIXTURE(ABI_AUDIT_MANYLINUX_POLICY, "auditwheel's manylinux-policy.json not found at configure time; pip install auditwheel")

// The JSON report of one --platform-tag run; exit 0 expected.
json tags(std::vector<std::string> args) {
  args.insert(args.begin(), {"--platform-tag", "--manylinux-policy", ABI_AUDIT_MANYLINUX_POLICY, "--format", "json"});
  const ToolResult r = run_tool(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  return json::parse(r.out, nullptr, false);
}

// The most compatible tag that no blocker is named for, and where one is.
void expect_tag(const json& entry, const std::string& tag, const std::string& held_off, const std::string& by) {
  ASSERT_TRUE(entry.is_object()) << entry;
  EXPECT_EQ(entry["platform_tag"], tag) << entry.dump(2);
  ASSERT_FALSE(entry["held_by"].empty()) << entry.dump(2);
  EXPECT_EQ(entry["held_by"][0]["policy"], held_off) << entry.dump(2);
  EXPECT_EQ(entry["held_by"][0]["what"], by) << entry.dump(2);
}

// The shipped policy's ceiling per family is the highest numeric version
// auditwheel's entry lists for that family.
std::map<std::string, std::string> ceilings_of(const abi_audit::ManylinuxPolicy& policy) {
  std::map<std::string, std::string> out;
  for (const auto& [family, names] : policy.symbol_versions) {
    for (const std::string& name : names) {
      const auto split = abi_audit::split_version_name(name);
      if (!split) continue;  // CXXABI_TM_1, GLIBC_ABI_DT_RELR: no ceiling of ours
      auto& best = out[family];
      if (best.empty() || abi_audit::compare_versions(*abi_audit::parse_version(split->second),
                                                      *abi_audit::parse_version(best)) > 0)
        best = split->second;
    }
  }
  return out;
}

const abi_audit::ManylinuxPolicy& entry_named(const abi_audit::ManylinuxPolicies& all, const std::string& tag) {
  const auto found = std::find_if(all.policies.begin(), all.policies.end(),
                                  [&](const abi_audit::ManylinuxPolicy& p) { return p.tag == tag; });
  if (found == all.policies.end()) throw std::runtime_error(tag + " is not in " + all.file);
  return *found;
}

}  // namespace

TEST(PlatformTag, ModuleAtRocky9CeilingEarnsManylinux234) {
  REQUIRE_MANYLINUX_JSON();
  const json report = tags({FIXTURE_GLIBCXX29});
  expect_tag(report["inputs"][0], "manylinux_2_34_x86_64", "manylinux_2_31_x86_64", "GLIBCXX_3.4.29");
  EXPECT_EQ(report["inputs"][0]["held_by"][0]["symbols"], json({"std::__throw_bad_array_new_length()"}));
}

TEST(PlatformTag, Glibcxx3432FromGcc13RuntimeEarnsManylinux239) {
  REQUIRE_MANYLINUX_JSON();
  expect_tag(tags({FIXTURE_GLIBCXX32})["inputs"][0], "manylinux_2_39_x86_64", "manylinux_2_38_x86_64",
             "GLIBCXX_3.4.32");
}

TEST(PlatformTag, Gxx12ConditionVariableWaitEarnsManylinux235) {
  REQUIRE_MANYLINUX_JSON();
  REQUIRE_FIXTURE(FIXTURE_GXX12_CONDVAR, "g++-12 not found at configure time; cannot make the g++-12 module");
  const json report = tags({FIXTURE_GXX12_CONDVAR});
  expect_tag(report["inputs"][0], "manylinux_2_35_x86_64", "manylinux_2_34_x86_64", "GLIBCXX_3.4.30");
}

TEST(PlatformTag, PrivateLibraryKeepsLinuxAndIsNamed) {
  REQUIRE_MANYLINUX_JSON();
  const json entry = tags({FIXTURE_NEEDS_PRIVATE})["inputs"][0];
  EXPECT_EQ(entry["platform_tag"], "linux_x86_64") << entry.dump(2);
  ASSERT_EQ(entry["held_by"].size(), 1u) << entry.dump(2);
  EXPECT_EQ(entry["held_by"][0]["check"], "needed");
  EXPECT_EQ(entry["held_by"][0]["what"], "libprivate_helper.so");
  // Kept off even the least compatible manylinux policy.
  const auto all = abi_audit::load_manylinux_policies(ABI_AUDIT_MANYLINUX_POLICY);
  EXPECT_EQ(entry["held_by"][0]["policy"], all.policies.back().tag);
}

TEST(PlatformTag, TextSaysWhichLibraryKeptLinux) {
  REQUIRE_MANYLINUX_JSON();
  const ToolResult r =
      run_tool({"--platform-tag", "--manylinux-policy", ABI_AUDIT_MANYLINUX_POLICY, FIXTURE_NEEDS_PRIVATE});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(std::string("linux_x86_64  ") + FIXTURE_NEEDS_PRIVATE, 0), 0u) << r.out;
  EXPECT_NE(r.out.find("the least compatible manylinux policy: " + std::string(FIXTURE_NEEDS_PRIVATE) +
                       " needs libprivate_helper.so"),
            std::string::npos)
      << r.out;
}

TEST(PlatformTag, TheSetsOwnLibraryIsProvided) {
  REQUIRE_MANYLINUX_JSON();
  const json report = tags({FIXTURE_NEEDS_PRIVATE, FIXTURE_PRIVATE_HELPER});
  EXPECT_NE(report["inputs"][0]["platform_tag"], "linux_x86_64") << report.dump(2);
  EXPECT_NE(std::find(report["provided"]["set"].begin(), report["provided"]["set"].end(), "libprivate_helper.so"),
            report["provided"]["set"].end());
}

TEST(PlatformTag, TorchsLibrariesAreProvidedAndTheListIsPolicyData) {
  REQUIRE_MANYLINUX_JSON();
  // libc10.so is no system library of any manylinux policy; torch brings it.
  const json entry = tags({FIXTURE_CALLS_C10})["inputs"][0];
  EXPECT_TRUE(entry["platform_tag"].get<std::string>().rfind("manylinux_", 0) == 0) << entry.dump(2);
  const std::string bare = scratch_dir("platform_tag_bare") + "/bare.policy";
  write_file(bare, "name = bare\n");
  const json without = tags({"--provided", bare, FIXTURE_CALLS_C10})["inputs"][0];
  EXPECT_EQ(without["platform_tag"], "linux_x86_64") << without.dump(2);
  EXPECT_EQ(without["held_by"][0]["what"], "libc10.so");
}

TEST(PlatformTag, WheelTakesItsLeastCompatibleMember) {
  REQUIRE_MANYLINUX_JSON();
  const std::string wheel = scratch_dir("platform_tag_wheel") + "/mixed-0.1-cp312-cp312-linux_x86_64.whl";
  write_wheel(wheel, {{"mixed/_a.cpython-312-x86_64-linux-gnu.so", read_file(FIXTURE_GLIBCXX29)},
                      {"mixed/_b.cpython-312-x86_64-linux-gnu.so", read_file(FIXTURE_GLIBCXX32)}});
  const json input = tags({wheel})["inputs"][0];
  expect_tag(input, "manylinux_2_39_x86_64", "manylinux_2_38_x86_64", "GLIBCXX_3.4.32");
  EXPECT_EQ(input["held_by"][0]["file"], wheel + "!mixed/_b.cpython-312-x86_64-linux-gnu.so");
  ASSERT_EQ(input["files"].size(), 2u);
  EXPECT_EQ(input["files"][0]["platform_tag"], "manylinux_2_34_x86_64");
}

TEST(PlatformTag, UnreadableInputIsExit2WithNoTag) {
  REQUIRE_MANYLINUX_JSON();
  const std::string bogus = scratch_dir("platform_tag_bogus") + "/_x.cpython-312-x86_64-linux-gnu.so";
  write_file(bogus, "not an ELF");
  const ToolResult r = run_tool(
      {"--platform-tag", "--manylinux-policy", ABI_AUDIT_MANYLINUX_POLICY, "--format", "json", bogus});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(json::parse(r.out)["inputs"][0]["platform_tag"].is_null()) << r.out;
  EXPECT_NE(r.err.find("not an ELF"), std::string::npos) << r.err;
}

TEST(PlatformTagUsage, NeedsTheManylinuxPolicyAndSaysWhereItIs) {
  const ToolResult r = run_tool({"--platform-tag", FIXTURE_GLIBCXX32});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--platform-tag needs --manylinux-policy FILE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pip install auditwheel"), std::string::npos) << r.err;
  EXPECT_EQ(run_tool({"--platform-tag", "--manylinux-policy", "x.json", "--policy", "rocky9", FIXTURE_GLIBCXX32})
                .exit_code,
            2);
}

TEST(PlatformTagUsage, AFileThatIsNotAuditwheelsIsRefusedByName) {
  const std::string dir = scratch_dir("platform_tag_badjson");
  const std::pair<const char*, const char*> cases[] = {
      {"notjson.json", "{"}, {"object.json", "{\"name\": \"x\"}"}, {"noarch.json", "[{\"name\": \"linux\"}]"},
      {"badlist.json", "[{\"name\": \"m\", \"priority\": 1, \"symbol_versions\": {\"x86_64\": {\"GLIBC\": [2]}}}]"}};
  for (const auto& [name, text] : cases) {
    write_file(dir + "/" + name, text);
    const ToolResult r = run_tool({"--platform-tag", "--manylinux-policy", dir + "/" + name, FIXTURE_GLIBCXX32});
    EXPECT_EQ(r.exit_code, 2) << name;
    EXPECT_NE(r.err.find(dir + "/" + name + ": "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("expected auditwheel's manylinux-policy.json"), std::string::npos) << r.err;
  }
}

// The hand-written policies must say what auditwheel says (no second copy
// of the numbers that could drift): manylinux_2_28 is that entry's
// ceilings, and rocky9 (AlmaLinux/Rocky 9) is manylinux_2_34's.
TEST(ShippedPolicyAgainstAuditwheel, CeilingsMatchTheManylinuxEntries) {
  REQUIRE_MANYLINUX_JSON();
  const auto all = abi_audit::load_manylinux_policies(ABI_AUDIT_MANYLINUX_POLICY);
  for (const auto& [shipped, tag] : {std::pair<std::string, std::string>{"manylinux_2_28", "manylinux_2_28_x86_64"},
                                     {"rocky9", "manylinux_2_34_x86_64"}}) {
    const abi_audit::Policy policy = abi_audit::load_policy(shipped, {ABI_AUDIT_BUILD_POLICY_DIR});
    const auto ceilings = ceilings_of(entry_named(all, tag));
    for (const std::string& family : abi_audit::version_families())
      EXPECT_EQ(policy.max.at(family), ceilings.at(family)) << shipped << " " << family << " vs " << tag;
  }
}
