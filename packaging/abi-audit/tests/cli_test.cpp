// The CLI on the fixtures: each check's passing and failing case, the JSON
// report, exit codes and usage errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

#include "test_support.h"

using namespace abi_audit_test;
namespace fs = std::filesystem;

namespace {

// Exit code 1 and the report names every expected piece.
void expect_fail(const ToolResult& r, const std::vector<std::string>& pieces) {
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL  "), std::string::npos) << r.out;
  for (const std::string& piece : pieces) EXPECT_NE(r.out.find(piece), std::string::npos) << piece << "\n" << r.out;
}

void expect_pass(const ToolResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS  "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("FAIL  "), std::string::npos) << r.out;
}

std::string custom_policy(const std::string& name, const std::string& text) {
  const std::string path = scratch_dir("cli_policy_" + name) + "/" + name + ".policy";
  write_file(path, text);
  return path;
}

}  // namespace

TEST(SymbolVersions, Glibcxx3432FromGcc13RuntimeFailsRocky9) {
  expect_fail(run_tool({FIXTURE_GLIBCXX32}),
              {"[symbol-version] requires GLIBCXX_3.4.32 (from libstdc++.so.6)", "GLIBCXX_3.4.29",
               "      std::ios_base_library_init()"});
}

TEST(SymbolVersions, APolicyWithAHigherCeilingPassesTheSameFile) {
  const std::string policy = custom_policy("gcc13", "include = rocky9\nmax GLIBCXX = 3.4.32\n");
  expect_pass(run_tool({"--policy", policy, FIXTURE_GLIBCXX32}));
}

TEST(SymbolVersions, Gxx11BuildPassesRocky9) {
  REQUIRE_FIXTURE(FIXTURE_GXX11_TYPICAL, "g++-11 not found at configure time; cannot make the g++-11 module");
  const ToolResult r = run_tool({FIXTURE_GXX11_TYPICAL});
  expect_pass(r);
  EXPECT_NE(r.out.find("GLIBCXX_3.4."), std::string::npos) << "a C++ module needs some GLIBCXX version\n" << r.out;
}

TEST(SymbolVersions, Gxx12ConditionVariableWaitNeeds3430AndFails) {
  REQUIRE_FIXTURE(FIXTURE_GXX12_CONDVAR, "g++-12 not found at configure time; cannot make the g++-12 module");
  expect_fail(run_tool({FIXTURE_GXX12_CONDVAR}),
              {"requires GLIBCXX_3.4.30", "std::condition_variable::wait(std::unique_lock<std::mutex>&)"});
}

TEST(PythonInit, MatchingInitSymbolPasses) { expect_pass(run_tool({FIXTURE_PYINIT_RIGHT})); }

TEST(PythonInit, CumeshXatlasTrapFailsAndNamesWhatIsExported) {
  expect_fail(run_tool({FIXTURE_PYINIT_WRONG}),
              {"[python-init]", "must export PyInit__xatlas", "it exports PyInit__cumesh_xatlas"});
}

TEST(Runpath, BuilderHomeDirectoryFailsAsRunpathAndAsRpath) {
  expect_fail(run_tool({FIXTURE_RUNPATH_HOME}), {"[runpath] DT_RUNPATH entry '/home/builder/.local/lib'"});
  expect_fail(run_tool({FIXTURE_RPATH_HOME}), {"[runpath] DT_RPATH entry '/home/builder/.local/lib'"});
}

TEST(Runpath, OriginRelativeEntryPasses) { expect_pass(run_tool({FIXTURE_RUNPATH_ORIGIN})); }

TEST(Needed, PrivateLibraryOutsideTheAllowListFails) {
  expect_fail(run_tool({FIXTURE_NEEDS_PRIVATE}), {"[needed] DT_NEEDED libprivate_helper.so"});
}

TEST(Needed, AllowListIsPolicyData) {
  const std::string policy = custom_policy("helper", "include = rocky9\nallow-needed = libprivate_*.so\n");
  expect_pass(run_tool({"--policy", policy, FIXTURE_NEEDS_PRIVATE}));
}

TEST(Inputs, DirectoryIsSearchedRecursively) {
  const std::string dir = scratch_dir("cli_directory");
  fs::create_directories(dir + "/pkg/sub");
  fs::copy_file(FIXTURE_PYINIT_RIGHT, dir + "/pkg/_xatlas.cpython-312-x86_64-linux-gnu.so");
  fs::copy_file(FIXTURE_NEEDS_PRIVATE, dir + "/pkg/sub/libneeds_private.so.1");
  write_file(dir + "/pkg/README.txt", "not a shared object, not audited");
  const ToolResult r = run_tool({dir});
  expect_fail(r, {"PASS  " + dir + "/pkg/_xatlas", "FAIL  " + dir + "/pkg/sub/libneeds_private.so.1"});
  EXPECT_EQ(r.out.find("README"), std::string::npos);
}

TEST(Json, ReportsHighestVersionsAndViolations) {
  const ToolResult r = run_tool({"--format", "json", FIXTURE_GLIBCXX32, FIXTURE_PYINIT_RIGHT});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["policy"]["name"], "rocky9");
  EXPECT_EQ(report["policy"]["max"]["GLIBCXX"], "3.4.29");
  EXPECT_EQ(report["passed"], false);
  ASSERT_EQ(report["files"].size(), 2u) << r.out;
  const nlohmann::json& failing = report["files"][0];
  EXPECT_EQ(failing["path"], FIXTURE_GLIBCXX32);
  EXPECT_EQ(failing["passed"], false);
  EXPECT_EQ(failing["highest"]["GLIBCXX"], "3.4.32");
  EXPECT_TRUE(failing["highest"]["GCC"].is_null());  // every family is present, null when not needed
  ASSERT_EQ(failing["violations"].size(), 1u) << r.out;
  EXPECT_EQ(failing["violations"][0]["check"], "symbol-version");
  EXPECT_EQ(failing["violations"][0]["symbols"], nlohmann::json::array({"std::ios_base_library_init()"}));
  EXPECT_EQ(report["files"][1]["passed"], true);
  EXPECT_TRUE(report["files"][1]["violations"].empty());
}

TEST(Json, JsonOutWritesTheSameReportBesideTheTextOne) {
  // The gate runs the tool once: text for the build log, JSON for its stamp.
  const std::string json_path = scratch_dir("cli_json_out") + "/report.json";
  const ToolResult r = run_tool({"--json-out", json_path, FIXTURE_GLIBCXX32});
  expect_fail(r, {"GLIBCXX_3.4.32"});
  const nlohmann::json from_file = nlohmann::json::parse(read_file(json_path));
  const nlohmann::json from_stdout = nlohmann::json::parse(run_tool({"--format", "json", FIXTURE_GLIBCXX32}).out);
  EXPECT_EQ(from_file, from_stdout);
}

TEST(Json, JsonOutToAnUnwritablePlaceExitsTwo) {
  const ToolResult r = run_tool({"--json-out", "/nonexistent/dir/report.json", FIXTURE_PYINIT_RIGHT});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("/nonexistent/dir/report.json"), std::string::npos) << r.err;
}

TEST(Json, KeysKeepTheDocumentedOrder) {
  // build_report.py and people read it; the order is the README's.
  const std::string out = run_tool({"--format", "json", FIXTURE_PYINIT_RIGHT}).out;
  size_t at = 0;
  for (const char* key : {"\"policy\"", "\"name\"", "\"file\"", "\"max\"", "\"allow_needed\"", "\"passed\"",
                          "\"files\"", "\"path\"", "\"passed\"", "\"highest\"", "\"violations\""}) {
    const size_t next = out.find(key, at);
    ASSERT_NE(next, std::string::npos) << key << " after offset " << at << "\n" << out;
    at = next;
  }
}

TEST(Json, UnreadableFileHasAnErrorInsteadOfHighest) {
  const ToolResult r = run_tool({"--format", "json", "/nonexistent/module.so"});
  EXPECT_EQ(r.exit_code, 2);
  const nlohmann::json file = nlohmann::json::parse(r.out)["files"][0];
  EXPECT_EQ(file["path"], "/nonexistent/module.so");
  EXPECT_NE(file["error"].get<std::string>().find("no such file"), std::string::npos) << r.out;
  EXPECT_FALSE(file.contains("highest"));
  EXPECT_FALSE(file.contains("violations"));
}

TEST(Json, PathThatIsNotUtf8StillGivesValidJson) {
  const std::string dir = scratch_dir("cli_json_latin1");
  fs::copy_file(FIXTURE_RUNPATH_ORIGIN, dir + "/libcaf\xe9.so");  // Latin-1 e-acute
  const ToolResult r = run_tool({"--format", "json", dir + "/libcaf\xe9.so"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // U+FFFD REPLACEMENT CHARACTER, in UTF-8, where the stray byte was.
  EXPECT_EQ(nlohmann::json::parse(r.out)["files"][0]["path"], dir + "/libcaf\xef\xbf\xbd.so");
}

TEST(Json, IsValidJsonForPython) {
  if (std::system("python3 -c '' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not available to parse the JSON";
  const std::string dir = scratch_dir("cli_json");
  write_file(dir + "/report.json", run_tool({"--format=json", FIXTURE_GLIBCXX32, FIXTURE_PYINIT_WRONG}).out);
  const std::string check = "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
                            "assert [f[\"passed\"] for f in d[\"files\"]] == [False, False]' '" +
                            dir + "/report.json'";
  EXPECT_EQ(std::system(check.c_str()), 0) << read_file(dir + "/report.json");
}

TEST(Usage, BadUsageExitsTwoWithAMessage) {
  EXPECT_EQ(run_tool({}).exit_code, 2);
  const ToolResult format = run_tool({"--format", "xml", FIXTURE_PYINIT_RIGHT});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_NE(format.err.find("--format must be text or json"), std::string::npos) << format.err;
  EXPECT_EQ(run_tool({"--bogus", FIXTURE_PYINIT_RIGHT}).exit_code, 2);
  const ToolResult policy = run_tool({"--policy", "rocky10", FIXTURE_PYINIT_RIGHT});
  EXPECT_EQ(policy.exit_code, 2);
  EXPECT_NE(policy.err.find("policy 'rocky10' not found"), std::string::npos) << policy.err;
}

TEST(Usage, MissingFileIsNamedAndWinsOverViolations) {
  const ToolResult r = run_tool({FIXTURE_GLIBCXX32, "/nonexistent/module.so"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("/nonexistent/module.so: no such file"), std::string::npos) << r.out;
}
