#include "test_support.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <zip.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace abi_audit_test {
namespace fs = std::filesystem;

namespace {

// A sanitizer report must not look like "violations found" (exit 1): give
// it an exit code of its own, for the tool and the tests alike.
struct SanitizerExitCode {
  SanitizerExitCode() {
    setenv("ASAN_OPTIONS", "exitcode=99:detect_leaks=1", 0);
    setenv("UBSAN_OPTIONS", "exitcode=99:print_stacktrace=1:halt_on_error=1", 0);
  }
} sanitizer_exit_code;

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string scratch_dir(const std::string& name) {
  const fs::path dir = fs::path(ABI_AUDIT_SCRATCH_DIR) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

ToolResult run_tool(const std::vector<std::string>& args) {
  // One directory per test and call: ctest -j runs tests in parallel.
  static int calls = 0;
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string dir = scratch_dir(std::string("run_") + (test ? test->test_suite_name() + std::string(".") +
                                                                        test->name() : "none") +
                                      "." + std::to_string(++calls));
  std::string command = shell_quote(ABI_AUDIT_EXE);
  for (const std::string& arg : args) command += " " + shell_quote(arg);
  command += " >" + shell_quote(dir + "/out") + " 2>" + shell_quote(dir + "/err");
  const int status = std::system(command.c_str());
  ToolResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(dir + "/out");
  result.err = read_file(dir + "/err");
  // Whatever the test expects, a sanitizer report is a failure.
  EXPECT_EQ(result.err.find("Sanitizer"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("runtime error:"), std::string::npos) << result.err;
  return result;
}

void write_wheel(const std::string& path, const std::vector<WheelMember>& members) {
  int code = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (!zip) throw std::runtime_error("zip_open failed for " + path);
  for (const WheelMember& member : members) {
    // zip_source_buffer does not copy; the members outlive zip_close.
    zip_source_t* source = zip_source_buffer(zip, member.bytes.data(), member.bytes.size(), 0);
    const zip_int64_t index = source ? zip_file_add(zip, member.name.c_str(), source, ZIP_FL_OVERWRITE) : -1;
    const bool ok = index >= 0 && zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) == 0 &&
                    (member.unix_mode == 0 ||
                     zip_file_set_external_attributes(zip, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                                      zip_uint32_t{member.unix_mode} << 16) == 0);
    if (!ok) {
      if (source && index < 0) zip_source_free(source);
      zip_discard(zip);
      throw std::runtime_error("cannot add " + member.name + " to " + path);
    }
  }
  if (zip_close(zip) != 0) {
    const std::string why = zip_strerror(zip);
    zip_discard(zip);
    throw std::runtime_error("cannot write " + path + ": " + why);
  }
}

}  // namespace abi_audit_test
