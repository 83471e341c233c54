#include "inputs.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "native_file.h"
#include "wheel.h"

namespace abi_audit {
namespace fs = std::filesystem;

namespace {

FileReport error_report(const std::string& path, const std::string& message) {
  FileReport report;
  report.path = path;
  report.error = message;
  return report;
}

template <typename Read>
FileReport audit_one(const std::string& path, const std::string& file_name, const Policy& policy, Read read) {
  try {
    return audit_facts(path, file_name, read(), policy);
  } catch (const InputError& e) {
    return error_report(path, e.what());
  } catch (const std::bad_alloc&) {
    return error_report(path, path + ": out of memory while reading it");
  }
}

std::vector<FileReport> audit_wheel(const Wheel& wheel, const std::string& path, const Policy& policy) {
  std::vector<FileReport> reports;
  for (const Wheel::Member& member : wheel.members()) {
    const std::string file_name = fs::path(member.name).filename().string();
    if (!classify_native_file(file_name)) continue;
    const std::string label = path + "!" + member.name;
    reports.push_back(audit_one(label, file_name, policy, [&] {
      std::vector<char> image = wheel.read(member);
      return read_elf_memory(image, label);
    }));
  }
  if (reports.empty())
    reports.push_back(error_report(path, path + ": wheel holds no shared object (*.so); expected native modules"));
  return reports;
}

// Opening refuses an unreadable zip and unsafe member names: the whole
// wheel is then one error.
template <typename Open>
std::vector<FileReport> audit_wheel_opened_by(const std::string& path, const Policy& policy, Open open) {
  try {
    return audit_wheel(open(), path, policy);
  } catch (const InputError& e) {
    return {error_report(path, e.what())};
  }
}

FileReport audit_file(const std::string& path, const Policy& policy) {
  return audit_one(path, fs::path(path).filename().string(), policy, [&] { return read_elf_file(path); });
}

std::vector<FileReport> audit_directory(const std::string& path, const Policy& policy) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    // Symlinks (libfoo.so -> libfoo.so.1) are skipped: the target is audited itself.
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    if (classify_native_file(it->path().filename().string())) files.push_back(it->path().string());
  }
  if (ec) return {error_report(path, path + ": cannot list directory: " + ec.message())};
  if (files.empty())
    return {error_report(path, path + ": directory holds no shared object (*.so, *.so.N); check the path")};
  std::sort(files.begin(), files.end());
  std::vector<FileReport> reports;
  for (const std::string& file : files) reports.push_back(audit_file(file, policy));
  return reports;
}

}  // namespace

std::vector<FileReport> audit_path(const std::string& path, const Policy& policy) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return {error_report(path, path + ": no such file or directory")};
  if (fs::is_directory(status)) return audit_directory(path, policy);
  if (fs::path(path).extension() == ".whl")
    return audit_wheel_opened_by(path, policy, [&] { return Wheel::open_file(path); });
  return {audit_file(path, policy)};
}

std::vector<FileReport> audit_wheel_memory(const void* data, size_t size, const std::string& label,
                                           const Policy& policy) {
  return audit_wheel_opened_by(label, policy, [&] { return Wheel::open_memory(data, size, label); });
}

}  // namespace abi_audit
