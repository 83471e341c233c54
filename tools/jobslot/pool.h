// A pool of slots shared by every jobslot process of a build: slot i is an
// flock(2) on <dir>/slot.<i>, so a slot is free again as soon as the process
// holding it (or the command it exec'd, which inherits the descriptor) exits,
// crashed or not.
#pragma once

#include <string>
#include <vector>

namespace jobslot {

struct Pool {
  std::string dir;
  long slots = 0;
};

// The pool's size: <dir>/slots (one number, written at configure or at the
// build's start; reading it at run time keeps sizes out of compile command
// lines, so a new size recompiles nothing). Exits with a message if missing.
long pool_size_from_file(const std::string& dir);

// The size of a --remote-pool: <dir>/slots as a number, 0 when the file is
// missing or holds 0 (no farm for this build). Exits with a message on
// anything else.
long remote_pool_size(const std::string& dir);

// Blocks until `demand` slots of the pool are locked (demand <= slots) and
// returns their descriptors, which stay open across exec.
//
// Order among waiters: the one with the highest cost goes first (ties: who
// came first). Each waiter registers in <dir>/queue/ (a file it holds an
// flock on, so a killed waiter's entry is recognisably stale) and takes slots
// only when the free ones cover its own demand plus the demand of every
// waiter ranked above it; lower-ranked jobs fill what is left. All slots of
// one job are taken at once, never one by one, so two jobs that each hold
// part of what they need cannot block each other.
std::vector<int> acquire(const Pool& pool, long demand, long long cost);

}  // namespace jobslot
