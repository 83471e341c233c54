// Text (for people and build logs) and JSON (for the build report) output.
#pragma once

#include <ostream>
#include <vector>

#include "checks.h"
#include "policy.h"

namespace abi_audit {

void write_text(std::ostream& out, const std::vector<FileReport>& reports, const Policy& policy);

// {"policy": {...}, "passed": bool, "files": [{path, passed, highest,
//  violations: [{check, detail, symbols}]} or {path, passed, error}]}
void write_json(std::ostream& out, const std::vector<FileReport>& reports, const Policy& policy);

}  // namespace abi_audit
