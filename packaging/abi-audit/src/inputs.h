// Turns one command-line PATH (file, directory or wheel) into the shared
// objects it holds, read, and those into file reports.
#pragma once

#include <string>
#include <vector>

#include "checks.h"
#include "elf_facts.h"
#include "policy.h"

namespace abi_audit {

// One shared object found under a PATH, read; or why it could not be.
struct ReadFile {
  std::string path;       // file path, or WHEEL!member
  std::string file_name;  // base name: decides the expected PyInit_ symbol
  std::string error;      // non-empty: unreadable, facts empty
  ElfFacts facts;
};

// Every shared object under PATH; an input that cannot be read gives one
// entry with `error` set instead of throwing.
std::vector<ReadFile> read_path(const std::string& path);

// The checks of one read file (an error entry stays an error report).
FileReport audit_read(const ReadFile& file, const Policy& policy, const LoadChecks& load = {});

// One report per shared object found under PATH.
std::vector<FileReport> audit_path(const std::string& path, const Policy& policy, const LoadChecks& load = {});

// A wheel held in memory, reported as LABEL!member (the fuzz target's entry).
std::vector<FileReport> audit_wheel_memory(const void* data, size_t size, const std::string& label,
                                           const Policy& policy);

}  // namespace abi_audit
