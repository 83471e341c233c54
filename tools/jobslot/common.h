// Small helpers shared by jobslot's parts: number parsing, /proc reads, time.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace jobslot {

// The value of text if it is a whole positive decimal number, else nothing.
std::optional<long> parse_positive(const char* text);

// Milliseconds since the epoch.
long long now_ms();

// Fields of /proc/<pid>/stat a lock holder is identified by; nothing if the
// process is gone. start_ticks tells a reused pid from the original process.
struct ProcessInfo {
  std::string comm;
  pid_t parent = 0;
  unsigned long long start_ticks = 0;
};
std::optional<ProcessInfo> process_info(pid_t pid);

// /proc/<pid>/cmdline with spaces between arguments ("" if unreadable).
std::string command_line(pid_t pid);

// Whole file, "" if unreadable.
std::string read_file(const std::string& path);

// Writes content to path through a temporary file and rename(2), so a
// concurrent reader sees the old or the new content, never a part.
bool write_file_atomically(const std::string& path, const std::string& content);

}  // namespace jobslot
