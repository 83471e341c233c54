// Zip-slip refusal follows what pip and installer must not do when they
// unpack: write through an absolute path, climb out with "..", treat "\"
// as a separator, follow a symlink member, or let two names that differ
// only by case land on the same file of a case-insensitive file system.
#include "wheel.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "elf_facts.h"

namespace abi_audit {
namespace {

// Deflate cannot expand data more than ~1032:1; a member that claims more
// is corrupt, and allocating what it claims could exhaust memory.
constexpr zip_uint64_t kMaxDeflateRatio = 1100;
constexpr zip_uint64_t kMaxMemberBytes = zip_uint64_t{4} << 30;

[[noreturn]] void refuse(const std::string& where, const std::string& found, const std::string& expected) {
  throw InputError(where + ": unsafe wheel member: " + found + "; expected " + expected +
                   ". Installing this wheel could write outside site-packages: do not install it; rebuild it "
                   "with `pip wheel` or `python -m build`");
}

struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The path column of each RECORD row (CSV: "path,hash,size"; a path with a
// comma or quote is quoted, with "" for a quote).
std::vector<std::string> record_paths(const std::string& text) {
  std::vector<std::string> paths;
  size_t at = 0;
  while (at < text.size()) {
    std::string path;
    if (text[at] == '"') {
      for (++at; at < text.size(); ++at) {
        if (text[at] != '"') {
          path += text[at];
        } else if (at + 1 < text.size() && text[at + 1] == '"') {
          path += '"';
          ++at;
        } else {
          ++at;
          break;
        }
      }
    } else {
      const size_t end = text.find_first_of(",\n", at);
      path = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
      at = end == std::string::npos ? text.size() : end;
    }
    if (!path.empty() && path.back() == '\r') path.pop_back();
    if (!path.empty()) paths.push_back(path);
    const size_t eol = text.find('\n', at);
    at = eol == std::string::npos ? text.size() : eol + 1;
  }
  return paths;
}

bool is_record(const std::string& name) {
  const size_t slash = name.find('/');
  return slash != std::string::npos && name.compare(slash, std::string::npos, "/RECORD") == 0 &&
         slash >= 10 && name.compare(slash - 10, 10, ".dist-info") == 0;
}

}  // namespace

std::string unsafe_member_reason(const std::string& name) {
  if (!name.empty() && name[0] == '/') return "an absolute path";
  if (name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) && name[1] == ':')
    return "an absolute Windows path (drive letter)";
  if (name.find('\\') != std::string::npos) return "a backslash, which Windows unpacks as a directory separator";
  for (size_t start = 0;;) {
    const size_t slash = name.find('/', start);
    if (name.compare(start, slash == std::string::npos ? std::string::npos : slash - start, "..") == 0)
      return "a '..' component, which climbs out of the directory it is unpacked into";
    if (slash == std::string::npos) return "";
    start = slash + 1;
  }
}

Wheel::Wheel(zip_t* zip, std::string label, zip_uint64_t archive_bytes)
    : zip_(zip), label_(std::move(label)), archive_bytes_(archive_bytes) {
  list_members();
}

Wheel Wheel::open_file(const std::string& path) {
  int code = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (!zip) throw InputError(path + ": cannot open as a zip (wheel): " + zip_error_text(code));
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  return Wheel(zip, path, ec ? kMaxMemberBytes : bytes);
}

Wheel Wheel::open_memory(const void* data, size_t size, const std::string& label) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(data, size, 0, &error);
  zip_t* zip = source ? zip_open_from_source(source, ZIP_RDONLY, &error) : nullptr;
  if (!zip) {
    if (source) zip_source_free(source);  // zip_open_from_source took it only on success
    const std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw InputError(label + ": cannot open as a zip (wheel): " + why);
  }
  zip_error_fini(&error);
  return Wheel(zip, label, size);
}

void Wheel::list_members() {
  const zip_int64_t count = zip_get_num_entries(zip_.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    const char* raw = zip_get_name(zip_.get(), index, 0);
    if (!raw) throw InputError(label_ + ": zip entry " + std::to_string(i) + " has no readable name: " +
                               zip_strerror(zip_.get()) + "; the wheel is corrupt, rebuild it");
    const std::string name = raw;
    const std::string where = label_ + "!" + name;
    if (const std::string reason = unsafe_member_reason(name); !reason.empty())
      refuse(where, "its name has " + reason, "a relative path inside the wheel (PEP 427)");
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    if (zip_file_get_external_attributes(zip_.get(), index, 0, &opsys, &attributes) == 0 &&
        opsys == ZIP_OPSYS_UNIX && ((attributes >> 16) & S_IFMT) == S_IFLNK)
      refuse(where, "it is a symbolic link (S_IFLNK in its zip attributes)", "regular files only");
    members_.push_back({index, name});
  }
  refuse_case_clashes_with_record();
}

// A member whose name matches a RECORD entry only when case is ignored
// would overwrite that file on macOS or Windows.
void Wheel::refuse_case_clashes_with_record() const {
  std::map<std::string, std::string> by_lower;
  std::set<std::string> exact;
  for (const Member& member : members_) {
    if (!is_record(member.name)) continue;
    const std::vector<char> bytes = read(member);
    for (const std::string& path : record_paths(std::string(bytes.begin(), bytes.end()))) {
      by_lower.emplace(lower(path), path);
      exact.insert(path);
    }
  }
  for (const Member& member : members_) {
    if (exact.count(member.name)) continue;
    const auto clash = by_lower.find(lower(member.name));
    if (clash == by_lower.end()) continue;
    refuse(label_ + "!" + member.name,
           "its name differs only by case from the RECORD entry '" + clash->second +
               "', so on a case-insensitive file system one overwrites the other",
           "every member named in RECORD exactly");
  }
}

std::vector<char> Wheel::read(const Member& member) const {
  const std::string label = label_ + "!" + member.name;
  zip_t* zip = zip_.get();
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(zip, member.index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    throw InputError(label + ": zip entry unreadable: " + zip_strerror(zip));
  // The headers' sizes are claims: the compressed data must fit in the
  // archive, and deflate cannot expand it more than kMaxDeflateRatio.
  const zip_uint64_t comp_size = (st.valid & ZIP_STAT_COMP_SIZE) ? std::min(st.comp_size, archive_bytes_) : archive_bytes_;
  const bool implausible = st.size > comp_size * kMaxDeflateRatio + 4096;
  if (st.size > kMaxMemberBytes || implausible)
    throw InputError(label + ": zip entry claims " + std::to_string(st.size) +
                     " bytes, which its compressed size cannot hold; the wheel is corrupt, rebuild it");
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(zip, member.index, 0));
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

}  // namespace abi_audit
