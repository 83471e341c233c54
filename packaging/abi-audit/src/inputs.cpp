#include "inputs.h"

#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "native_file.h"

namespace abi_audit {
namespace fs = std::filesystem;

namespace {

// Deflate cannot expand data more than ~1032:1; a member that claims more
// is corrupt, and allocating what it claims could exhaust memory.
constexpr zip_uint64_t kMaxDeflateRatio = 1100;
constexpr zip_uint64_t kMaxMemberBytes = zip_uint64_t{4} << 30;

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

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// Reads one member completely; reading past its end makes libzip verify
// the CRC, so a corrupted member is an InputError rather than bad bytes.
std::vector<char> read_member(zip_t* zip, zip_uint64_t index, const std::string& label) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(zip, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    throw InputError(label + ": zip entry unreadable: " + zip_strerror(zip));
  const bool implausible = (st.valid & ZIP_STAT_COMP_SIZE) && st.size > st.comp_size * kMaxDeflateRatio + 4096;
  if (st.size > kMaxMemberBytes || implausible)
    throw InputError(label + ": zip entry claims " + std::to_string(st.size) +
                     " bytes, which its compressed size cannot hold; the wheel is corrupt, rebuild it");
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(zip, index, 0));
  if (!file) throw InputError(label + ": cannot open zip entry: " + zip_strerror(zip));
  std::vector<char> bytes(static_cast<size_t>(st.size) + 1);  // +1 to see the end (and the CRC check)
  zip_uint64_t total = 0;
  for (;;) {
    const zip_int64_t n = zip_fread(file.get(), bytes.data() + total, bytes.size() - total);
    if (n < 0) throw InputError(label + ": zip entry is corrupt: " + zip_file_strerror(file.get()) + "; rebuild the wheel");
    if (n == 0) break;
    total += static_cast<zip_uint64_t>(n);
    if (total == bytes.size()) break;
  }
  if (total != st.size)
    throw InputError(label + ": zip entry holds " + std::to_string(total) + " bytes, its header says " +
                     std::to_string(st.size) + "; the wheel is corrupt, rebuild it");
  bytes.resize(total);
  return bytes;
}

std::vector<FileReport> audit_wheel(const std::string& path, const Policy& policy) {
  int code = 0;
  std::unique_ptr<zip_t, ZipCloser> zip(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!zip) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string message = path + ": cannot open as a zip (wheel): " + zip_error_strerror(&error);
    zip_error_fini(&error);
    return {error_report(path, message)};
  }
  std::vector<FileReport> reports;
  const zip_int64_t count = zip_get_num_entries(zip.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* raw = zip_get_name(zip.get(), static_cast<zip_uint64_t>(i), 0);
    if (!raw) continue;
    const std::string member = raw;
    const std::string file_name = fs::path(member).filename().string();
    if (!classify_native_file(file_name)) continue;
    const std::string label = path + "!" + member;
    reports.push_back(audit_one(label, file_name, policy, [&] {
      std::vector<char> image = read_member(zip.get(), static_cast<zip_uint64_t>(i), label);
      return read_elf_memory(image, label);
    }));
  }
  if (reports.empty())
    reports.push_back(error_report(path, path + ": wheel holds no shared object (*.so); expected native modules"));
  return reports;
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
  if (fs::path(path).extension() == ".whl") return audit_wheel(path, policy);
  return {audit_file(path, policy)};
}

}  // namespace abi_audit
