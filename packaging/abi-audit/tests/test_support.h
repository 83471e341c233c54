// Helpers shared by the abi-audit tests: running the built tool, scratch
// files, and wheels written with libzip.
#pragma once

#include <string>
#include <vector>

#include "test_paths.h"

namespace abi_audit_test {

struct ToolResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the built abi-audit with these arguments (each passed as one word).
ToolResult run_tool(const std::vector<std::string>& args);

// A fresh, empty directory for one test.
std::string scratch_dir(const std::string& name);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

struct WheelMember {
  std::string name;
  std::string bytes;
  unsigned unix_mode = 0;  // st_mode in the zip's external attributes; 0 leaves libzip's default
};

// Writes a zip; members are stored uncompressed so a test can find and
// corrupt their bytes in the archive.
void write_wheel(const std::string& path, const std::vector<WheelMember>& members);

// Skips the calling test when a fixture could not be made on this machine.
#define REQUIRE_FIXTURE(path, why)                              \
  do {                                                          \
    if (std::string(path).empty()) GTEST_SKIP() << (why);       \
  } while (0)

}  // namespace abi_audit_test
