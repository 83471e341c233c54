// Policies: version arithmetic, the shipped policy files, custom files.
#include <gtest/gtest.h>

#include <algorithm>

#include "policy.h"
#include "test_support.h"

using namespace abi_audit;
using namespace abi_audit_test;

namespace {

Policy load(const std::string& name_or_file) { return load_policy(name_or_file, {ABI_AUDIT_BUILD_POLICY_DIR}); }

std::string policy_file(const std::string& name, const std::string& text) {
  const std::string path = scratch_dir("policy_" + name) + "/" + name + ".policy";
  write_file(path, text);
  return path;
}

std::string policy_error(const std::string& name_or_file) {
  try {
    load(name_or_file);
  } catch (const PolicyError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Version, ParsesNumericComponents) {
  EXPECT_EQ(parse_version("3.4.29"), (std::vector<unsigned long>{3, 4, 29}));
  EXPECT_EQ(parse_version("7.0.0"), (std::vector<unsigned long>{7, 0, 0}));
  EXPECT_FALSE(parse_version(""));
  EXPECT_FALSE(parse_version("3..4"));
  EXPECT_FALSE(parse_version("3.4."));
  EXPECT_FALSE(parse_version("TM_1"));
}

TEST(Version, ComparesPerComponentNotAsText) {
  const auto v = [](const char* s) { return *parse_version(s); };
  EXPECT_LT(compare_versions(v("3.4.9"), v("3.4.29")), 0);  // "3.4.9" > "3.4.29" as text
  EXPECT_LT(compare_versions(v("3.4.29"), v("3.4.30")), 0);
  EXPECT_GT(compare_versions(v("2.34"), v("2.4")), 0);
  EXPECT_EQ(compare_versions(v("3.4"), v("3.4.0")), 0);
}

TEST(Version, SplitsFamilyNames) {
  EXPECT_EQ(split_version_name("GLIBCXX_3.4.29"), std::make_pair(std::string("GLIBCXX"), std::string("3.4.29")));
  EXPECT_EQ(split_version_name("GLIBC_2.34"), std::make_pair(std::string("GLIBC"), std::string("2.34")));
  EXPECT_EQ(split_version_name("GCC_7.0.0"), std::make_pair(std::string("GCC"), std::string("7.0.0")));
  EXPECT_FALSE(split_version_name("CXXABI_TM_1"));
  EXPECT_FALSE(split_version_name("GLIBC_PRIVATE"));
  EXPECT_FALSE(split_version_name("ZLIB_1.2.0"));
}

TEST(ShippedPolicy, Rocky9HasRockyCeilingsAndTorchAllowList) {
  const Policy p = load("rocky9");
  EXPECT_EQ(p.name, "rocky9");
  EXPECT_EQ(p.max.at("GLIBCXX"), "3.4.29");
  EXPECT_EQ(p.max.at("CXXABI"), "1.3.13");
  EXPECT_EQ(p.max.at("GLIBC"), "2.34");
  EXPECT_EQ(p.max.at("GCC"), "7.0.0");
  for (const char* glob : {"libc10*.so", "libtorch*.so", "libcudart.so.*", "libgomp*.so.1", "libstdc++.so.6"})
    EXPECT_NE(std::find(p.allow_needed.begin(), p.allow_needed.end(), glob), p.allow_needed.end()) << glob;
}

TEST(ShippedPolicy, Manylinux228HasPep600Ceilings) {
  const Policy p = load("manylinux_2_28");
  EXPECT_EQ(p.max.at("GLIBCXX"), "3.4.24");
  EXPECT_EQ(p.max.at("CXXABI"), "1.3.11");
  EXPECT_EQ(p.max.at("GLIBC"), "2.28");
  EXPECT_FALSE(p.allow_needed.empty());
}

TEST(CustomPolicy, IncludesAShippedPolicyAndOverridesCeilings) {
  const std::string file = policy_file("dev", "# a dev box\nname = rocky9-glibc236\ninclude = rocky9\n"
                                              "max   GLIBC = 2.36\nmax GCC = none\nallow-needed = libextra.so\n");
  const Policy p = load(file);
  EXPECT_EQ(p.name, "rocky9-glibc236");
  EXPECT_EQ(p.max.at("GLIBC"), "2.36");
  EXPECT_EQ(p.max.at("GLIBCXX"), "3.4.29");
  EXPECT_EQ(p.max.count("GCC"), 0u);
  EXPECT_EQ(p.allow_needed.back(), "libextra.so");
}

TEST(CustomPolicy, NameDefaultsToTheFileStem) {
  EXPECT_EQ(load(policy_file("unnamed", "max GLIBC = 2.17\n")).name, "unnamed");
}

TEST(CustomPolicy, ErrorsNameTheLineAndTheExpectation) {
  EXPECT_NE(policy_error(policy_file("badkey", "\nmaximum GLIBC = 2.34\n")).find("badkey.policy:2: unknown key"),
            std::string::npos);
  EXPECT_NE(policy_error(policy_file("badver", "max GLIBCXX = 3.4.x\n")).find("numeric version"), std::string::npos);
  EXPECT_NE(policy_error(policy_file("badfam", "max ZLIB = 1.2\n")).find("unknown version family"), std::string::npos);
  EXPECT_NE(policy_error(policy_file("noeq", "max GLIBC 2.34\n")).find("expected 'key = value'"), std::string::npos);
}

TEST(CustomPolicy, IncludeCycleIsAnErrorNotARecursion) {
  const std::string file = policy_file("loop", "include = loop\n");
  EXPECT_NE(policy_error(file).find("include cycle"), std::string::npos);
}

TEST(PolicyLookup, UnknownNameListsWhereItLooked) {
  const std::string message = policy_error("rocky10");
  EXPECT_NE(message.find("rocky10.policy"), std::string::npos) << message;
  EXPECT_NE(message.find(ABI_AUDIT_BUILD_POLICY_DIR), std::string::npos) << message;
}

TEST(PolicyLookup, MissingFilePathIsAnError) {
  EXPECT_NE(policy_error("/nonexistent/dir/x.policy").find("not found"), std::string::npos);
}
