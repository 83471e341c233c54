// The cxx-runtime check on real g++ builds: libstdc++ linked statically
// (exported, hidden with --exclude-libs, hidden and stripped) fails and
// names symbols; the normal dynamic build and pure C modules pass.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "checks.h"
#include "cxx_runtime.h"
#include "elf_facts.h"
#include "test_support.h"

using namespace abi_audit;
using namespace abi_audit_test;

namespace {

const char* const kNeedsGxx = "g++ not found at configure time; cannot build the C++ module fixtures";

// The cxx-runtime violation of the one file audited (JSON), or null.
nlohmann::json cxx_runtime_violation(const std::string& file) {
  const ToolResult r = run_tool({"--format", "json", file});
  EXPECT_NE(r.exit_code, 2) << r.out << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  for (const nlohmann::json& v : report["files"][0]["violations"])
    if (v["check"] == "cxx-runtime") return v;
  return nullptr;
}

bool any_starts_with(const nlohmann::json& symbols, const std::vector<std::string>& prefixes) {
  return std::any_of(symbols.begin(), symbols.end(), [&](const nlohmann::json& s) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const std::string& p) { return s.get<std::string>().rfind(p, 0) == 0; });
  });
}

const std::vector<std::string> kRuntimeNamespaces = {"std::", "__cxxabiv1::", "__gnu_cxx::", "__cxa_"};

}  // namespace

TEST(CxxRuntimeNames, RuntimeDefinitionsAreTheRuntimesOwn) {
  for (const char* name : {"_ZNSt8ios_base4InitC1Ev", "_ZSt4cout", "_ZTISt9bad_alloc", "_Znwm", "_ZdlPv",
                           "__cxa_throw", "__gxx_personality_v0", "_ZN10__cxxabiv117__class_type_infoD0Ev",
                           "_ZN9__gnu_cxx27__verbose_terminate_handlerEv"})
    EXPECT_TRUE(is_cxx_runtime_definition(name)) << name;
  // A module's own instantiation of a std:: template, its own code, glibc's
  // __cxa_ functions and C names are not the runtime.
  for (const char* name : {"_ZSt3maxIiERKT_S2_S2_", "_ZN3foo3barEv", "__cxa_atexit", "__cxa_finalize", "memcpy",
                           "PyInit__x"})
    EXPECT_FALSE(is_cxx_runtime_definition(name)) << name;
}

TEST(CxxRuntimeNames, ImportsOfCxxSymbolsButNotOfGlibc) {
  EXPECT_TRUE(is_cxx_import("_ZN3c106detail14torchCheckFailEPKcS2_jS2_"));
  EXPECT_TRUE(is_cxx_import("__gxx_personality_v0"));
  for (const char* name : {"__cxa_finalize", "__cxa_atexit", "malloc", "_ITM_deregisterTMCloneTable"})
    EXPECT_FALSE(is_cxx_import(name)) << name;
}

TEST(CxxRuntime, StaticLibstdcxxFailsNamingTheSymbolsItDefines) {
  REQUIRE_FIXTURE(FIXTURE_CXX_STATIC, kNeedsGxx);
  const nlohmann::json v = cxx_runtime_violation(FIXTURE_CXX_STATIC);
  ASSERT_FALSE(v.is_null()) << "a -static-libstdc++ module passed the cxx-runtime check";
  EXPECT_NE(v["detail"].get<std::string>().find("libstdc++.so.6 is not in DT_NEEDED"), std::string::npos) << v;
  EXPECT_NE(v["detail"].get<std::string>().find("defines libstdc++ internals"), std::string::npos) << v;
  EXPECT_TRUE(any_starts_with(v["symbols"], kRuntimeNamespaces)) << v;
  const ToolResult text = run_tool({FIXTURE_CXX_STATIC});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("[cxx-runtime]"), std::string::npos) << text.out;
}

TEST(CxxRuntime, ExcludeLibsLeavesTheEvidenceInSymtab) {
  REQUIRE_FIXTURE(FIXTURE_CXX_STATIC_HIDDEN, kNeedsGxx);
  const ElfFacts facts = read_elf_file(FIXTURE_CXX_STATIC_HIDDEN);
  EXPECT_EQ(facts.python_inits, std::vector<std::string>{"PyInit__cxx_print"});
  ASSERT_FALSE(facts.cxx_runtime_defined.empty()) << "the runtime's names in .symtab were not read";
  for (const std::string& name : facts.cxx_runtime_defined) EXPECT_TRUE(is_cxx_runtime_definition(name)) << name;
  const nlohmann::json v = cxx_runtime_violation(FIXTURE_CXX_STATIC_HIDDEN);
  ASSERT_FALSE(v.is_null());
  EXPECT_TRUE(any_starts_with(v["symbols"], kRuntimeNamespaces)) << v;
}

TEST(CxxRuntime, StrippedModuleStillShowsTheRuntimesTypeNames) {
  REQUIRE_FIXTURE(FIXTURE_CXX_STATIC_STRIPPED, kNeedsGxx);
  const ElfFacts facts = read_elf_file(FIXTURE_CXX_STATIC_STRIPPED);
  EXPECT_TRUE(facts.cxx_runtime_defined.empty()) << "stripped: no .symtab, and --exclude-libs emptied .dynsym";
  EXPECT_NE(std::find(facts.cxx_runtime_type_names.begin(), facts.cxx_runtime_type_names.end(), "St9bad_alloc"),
            facts.cxx_runtime_type_names.end());
  const nlohmann::json v = cxx_runtime_violation(FIXTURE_CXX_STATIC_STRIPPED);
  ASSERT_FALSE(v.is_null()) << "a stripped -static-libstdc++ module passed the cxx-runtime check";
  EXPECT_NE(v["detail"].get<std::string>().find("type names in .rodata"), std::string::npos) << v;
  EXPECT_NE(std::find(v["symbols"].begin(), v["symbols"].end(), "std::bad_alloc"), v["symbols"].end()) << v;
}

TEST(CxxRuntime, DynamicLibstdcxxPasses) {
  REQUIRE_FIXTURE(FIXTURE_CXX_DYNAMIC, kNeedsGxx);
  const ToolResult r = run_tool({FIXTURE_CXX_DYNAMIC});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("[cxx-runtime]"), std::string::npos) << r.out;
}

TEST(CxxRuntime, ImportingFromACxxLibraryWithoutLibstdcxxFails) {
  const nlohmann::json v = cxx_runtime_violation(FIXTURE_CALLS_C10);
  ASSERT_FALSE(v.is_null()) << "a module importing c10's C++ symbols without libstdc++.so.6 passed";
  EXPECT_NE(v["detail"].get<std::string>().find("imports C++ symbols"), std::string::npos) << v;
  EXPECT_EQ(v["symbols"], nlohmann::json::array(
                              {"c10::detail::torchCheckFail(char const*, char const*, unsigned int, char const*)"}));
}

TEST(CxxRuntime, PureCModulesPass) {
  for (const char* file : {FIXTURE_PYINIT_RIGHT, FIXTURE_RUNPATH_ORIGIN}) {
    EXPECT_TRUE(cxx_runtime_violation(file).is_null()) << file;
    const ElfFacts facts = read_elf_file(file);
    EXPECT_TRUE(facts.cxx_imported.empty() && facts.cxx_runtime_defined.empty() && facts.cxx_runtime_type_names.empty())
        << file;
  }
}
