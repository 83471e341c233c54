// The checks, in process: on ELF files the fixtures made, and on facts
// built by hand where only the decision logic is under test.
#include <gtest/gtest.h>

#include <algorithm>

#include "checks.h"
#include "elf_facts.h"
#include "inputs.h"
#include "native_file.h"
#include "test_support.h"

using namespace abi_audit;

namespace {

Policy rocky9() { return load_policy("rocky9", {ABI_AUDIT_BUILD_POLICY_DIR}); }

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// The module name decides the expected PyInit_ symbol; inputs.cpp and
// checks.cpp both ask classify_native_file.
std::string module_of(const std::string& file_name) {
  const auto native = classify_native_file(file_name);
  return native ? native->module : "(not native)";
}

}  // namespace

TEST(NativeFile, ModuleNamesFollowPythonsExtensionSuffixes) {
  EXPECT_EQ(module_of("_xatlas.cpython-312-x86_64-linux-gnu.so"), "_xatlas");
  EXPECT_EQ(module_of("cuda.cpython-312-x86_64-linux-gnu.so"), "cuda");
  EXPECT_EQ(module_of("_C.abi3.so"), "_C");
  EXPECT_EQ(module_of("_nvdiffrast_c.so"), "_nvdiffrast_c");
  EXPECT_EQ(module_of("libc10.so"), "");
  EXPECT_EQ(module_of("libcudart.so.12"), "");
  EXPECT_EQ(module_of("foo.bar.so"), "");
}

TEST(NativeFile, SharedObjectsIncludeVersionedSonames) {
  for (const char* name : {"libc10.so", "_C.cpython-312-x86_64-linux-gnu.so", "libcudart.so.12", "libfoo.so.1.2.3"})
    EXPECT_TRUE(classify_native_file(name)) << name;
  for (const char* name : {"so", ".so", "libfoo.so.", "libfoo.so.1a", "libfoo.sock", "foo.py", "libfoo.a"})
    EXPECT_FALSE(classify_native_file(name)) << name;
}

TEST(Demangle, GivesTheCxxNameOrTheNameItself) {
  EXPECT_EQ(demangle("_ZSt21ios_base_library_initv"), "std::ios_base_library_init()");
  EXPECT_EQ(demangle("memcpy"), "memcpy");
}

TEST(ElfFacts, ReadsTheVersionNeedAndTheSymbolBoundToIt) {
  const ElfFacts facts = read_elf_file(FIXTURE_GLIBCXX32);
  const auto need = std::find_if(facts.version_needs.begin(), facts.version_needs.end(),
                                 [](const VersionNeed& n) { return n.version == "GLIBCXX_3.4.32"; });
  ASSERT_NE(need, facts.version_needs.end());
  EXPECT_EQ(need->file, "libstdc++.so.6");
  EXPECT_TRUE(contains(facts.symbols_by_version.at("GLIBCXX_3.4.32"), "_ZSt21ios_base_library_initv"));
  EXPECT_TRUE(contains(facts.needed, "libstdc++.so.6"));
}

TEST(ElfFacts, ReadsExportedInitSymbolsAndSearchPaths) {
  EXPECT_EQ(read_elf_file(FIXTURE_PYINIT_WRONG).python_inits, std::vector<std::string>{"PyInit__cumesh_xatlas"});
  EXPECT_EQ(read_elf_file(FIXTURE_RUNPATH_HOME).runpath, std::vector<std::string>{"/home/builder/.local/lib"});
  EXPECT_EQ(read_elf_file(FIXTURE_RPATH_HOME).rpath, std::vector<std::string>{"/home/builder/.local/lib"});
  EXPECT_EQ(read_elf_file(FIXTURE_RUNPATH_ORIGIN).runpath, std::vector<std::string>{"$ORIGIN/../torch/lib"});
}

TEST(SymbolVersionCheck, HighestIsNumericAndOnlyVersionsAboveTheCeilingFail) {
  ElfFacts facts;
  for (const char* v : {"GLIBCXX_3.4.9", "GLIBCXX_3.4.29", "GLIBCXX_3.4.30", "GLIBC_2.34", "CXXABI_TM_1"})
    facts.version_needs.push_back({"lib.so", v});
  facts.symbols_by_version["GLIBCXX_3.4.30"] = {"_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE"};
  const FileReport r = audit_facts("x.so", "libx.so", facts, rocky9());
  EXPECT_EQ(r.highest.at("GLIBCXX"), "3.4.30");
  EXPECT_EQ(r.highest.at("GLIBC"), "2.34");
  EXPECT_EQ(r.highest.count("CXXABI"), 0u);  // TM_1 is not a numeric version
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].check, "symbol-version");
  EXPECT_NE(r.violations[0].detail.find("GLIBCXX_3.4.30"), std::string::npos);
  EXPECT_EQ(r.violations[0].symbols,
            std::vector<std::string>{"std::condition_variable::wait(std::unique_lock<std::mutex>&)"});
}

TEST(RunpathCheck, AcceptsOnlyEntriesUnderOrigin) {
  ElfFacts facts;
  facts.runpath = {"$ORIGIN", "${ORIGIN}/../lib", "$ORIGIN/torch/lib", "$ORIGINAL/lib", "", "lib", "/opt/x"};
  const FileReport r = audit_facts("x.so", "libx.so", facts, rocky9());
  std::vector<std::string> flagged;
  for (const Violation& v : r.violations) flagged.push_back(v.detail.substr(0, v.detail.find(" is not")));
  EXPECT_EQ(flagged, (std::vector<std::string>{"DT_RUNPATH entry '$ORIGINAL/lib'", "DT_RUNPATH entry ''",
                                               "DT_RUNPATH entry 'lib'", "DT_RUNPATH entry '/opt/x'"}));
}

TEST(NeededCheck, MatchesTheAllowListGlobs) {
  ElfFacts facts;
  facts.needed = {"libc10.so", "libtorch_cuda.so", "libcudart.so.12", "libgomp-a34b3233.so.1", "libc.so.6",
                  "libpython3.12.so.1.0", "libcublas.so.12"};
  const FileReport r = audit_facts("x.so", "libx.so", facts, rocky9());
  ASSERT_EQ(r.violations.size(), 2u);
  EXPECT_NE(r.violations[0].detail.find("libpython3.12.so.1.0"), std::string::npos);
  EXPECT_NE(r.violations[1].detail.find("libcublas.so.12"), std::string::npos);
}
