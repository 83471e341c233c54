// Turns one command-line PATH (file, directory or wheel) into file reports.
#pragma once

#include <string>
#include <vector>

#include "checks.h"
#include "policy.h"

namespace abi_audit {

// One report per shared object found; an input that cannot be read gives
// a report with `error` set instead of throwing.
std::vector<FileReport> audit_path(const std::string& path, const Policy& policy);

// A wheel held in memory, reported as LABEL!member (the fuzz target's entry).
std::vector<FileReport> audit_wheel_memory(const void* data, size_t size, const std::string& label,
                                           const Policy& policy);

}  // namespace abi_audit
