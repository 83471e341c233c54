// A wheel (zip) read through libzip, from a file or from bytes in memory:
// its member list, with unsafe member names refused, and member contents.
#pragma once

#include <zip.h>

#include <memory>
#include <string>
#include <vector>

namespace abi_audit {

class Wheel {
 public:
  struct Member {
    zip_uint64_t index;
    std::string name;
  };

  // Both throw InputError naming `label` (the wheel's path) when the bytes
  // are not a readable zip, or when a member's name or type could write
  // outside the directory it is unpacked into (see unsafe_member_reason).
  static Wheel open_file(const std::string& path);
  static Wheel open_memory(const void* data, size_t size, const std::string& label);

  const std::vector<Member>& members() const { return members_; }

  // The member's bytes, read completely so libzip checks its CRC. Throws
  // InputError naming label!member.
  std::vector<char> read(const Member& member) const;

 private:
  struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
  };
  Wheel(zip_t* zip, std::string label, zip_uint64_t archive_bytes);
  void list_members();
  void refuse_case_clashes_with_record() const;

  std::unique_ptr<zip_t, ZipCloser> zip_;
  std::string label_;
  zip_uint64_t archive_bytes_;  // no member's compressed data can be larger
  std::vector<Member> members_;
};

// Why a member name is unsafe to unpack, or "" when it is safe: absolute
// (/x, C:x), a ".." component, or a backslash (a separator on Windows).
std::string unsafe_member_reason(const std::string& name);

}  // namespace abi_audit
