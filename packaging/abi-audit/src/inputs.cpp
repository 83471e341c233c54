#include "inputs.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "native_file.h"
#include "wheel.h"

namespace abi_audit {
namespace fs = std::filesystem;

namespace {

ReadFile error_entry(const std::string& path, const std::string& message) {
  ReadFile entry;
  entry.path = path;
  entry.error = message;
  return entry;
}

template <typename Read>
ReadFile read_one(const std::string& path, const std::string& file_name, Read read) {
  ReadFile entry{path, file_name, "", {}};
  try {
    entry.facts = read();
  } catch (const InputError& e) {
    entry.error = e.what();
  } catch (const std::bad_alloc&) {
    entry.error = path + ": out of memory while reading it";
  }
  return entry;
}

std::vector<ReadFile> read_wheel(const Wheel& wheel, const std::string& path) {
  std::vector<ReadFile> files;
  for (const Wheel::Member& member : wheel.members()) {
    const std::string file_name = fs::path(member.name).filename().string();
    if (!classify_native_file(file_name)) continue;
    const std::string label = path + "!" + member.name;
    files.push_back(read_one(label, file_name, [&] {
      std::vector<char> image = wheel.read(member);
      return read_elf_memory(image, label);
    }));
  }
  if (files.empty())
    files.push_back(error_entry(path, path + ": wheel holds no shared object (*.so); expected native modules"));
  return files;
}

// Opening refuses an unreadable zip and unsafe member names: the whole
// wheel is then one error.
template <typename Open>
std::vector<ReadFile> read_wheel_opened_by(const std::string& path, Open open) {
  try {
    return read_wheel(open(), path);
  } catch (const InputError& e) {
    return {error_entry(path, e.what())};
  }
}

ReadFile read_file(const std::string& path) {
  return read_one(path, fs::path(path).filename().string(), [&] { return read_elf_file(path); });
}

std::vector<ReadFile> read_directory(const std::string& path) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    // Symlinks (libfoo.so -> libfoo.so.1) are skipped: the target is audited itself.
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    if (classify_native_file(it->path().filename().string())) files.push_back(it->path().string());
  }
  if (ec) return {error_entry(path, path + ": cannot list directory: " + ec.message())};
  if (files.empty())
    return {error_entry(path, path + ": directory holds no shared object (*.so, *.so.N); check the path")};
  std::sort(files.begin(), files.end());
  std::vector<ReadFile> read;
  for (const std::string& file : files) read.push_back(read_file(file));
  return read;
}

std::vector<FileReport> audit_all(const std::vector<ReadFile>& files, const Policy& policy, const LoadChecks& load) {
  std::vector<FileReport> reports;
  for (const ReadFile& file : files) reports.push_back(audit_read(file, policy, load));
  return reports;
}

}  // namespace

std::vector<ReadFile> read_path(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return {error_entry(path, path + ": no such file or directory")};
  if (fs::is_directory(status)) return read_directory(path);
  if (fs::path(path).extension() == ".whl")
    return read_wheel_opened_by(path, [&] { return Wheel::open_file(path); });
  return {read_file(path)};
}

FileReport audit_read(const ReadFile& file, const Policy& policy, const LoadChecks& load) {
  if (!file.error.empty()) {
    FileReport report;
    report.path = file.path;
    report.error = file.error;
    return report;
  }
  return audit_facts(file.path, file.file_name, file.facts, policy, load);
}

std::vector<FileReport> audit_path(const std::string& path, const Policy& policy, const LoadChecks& load) {
  return audit_all(read_path(path), policy, load);
}

std::vector<FileReport> audit_wheel_memory(const void* data, size_t size, const std::string& label,
                                           const Policy& policy) {
  return audit_all(read_wheel_opened_by(label, [&] { return Wheel::open_memory(data, size, label); }), policy, {});
}

}  // namespace abi_audit
