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

// What one job asks of a pool.
struct Request {
  long demand = 1;        // slots it needs (demand <= slots)
  long most = 1;          // slots it can use (nvcc --threads): more than demand only while no one else waits
  long long cost = 0;     // its known cost (costs.h)
  std::string object;     // its -o, to find it in the pool's plan (plan.h)
  bool cold = true;       // honour the plan's reservations (main.cpp says when not)
  long smallest_pool = 1; // of the job's pools: the plan's critical path is the cost above total / this
};

// Blocks until `demand` slots of the pool are locked and returns their
// descriptors, which stay open across exec.
//
// Order among waiters: the one with the highest cost goes first (ties: who
// came first). Each waiter registers in <dir>/queue/ (a file it holds an
// flock on, so a killed waiter's entry is recognisably stale) and takes slots
// only when the free ones cover its own demand plus the demand of every
// waiter ranked above it and of every costlier unit the build's plan still
// expects (plan.h); lower-ranked jobs fill what is left. All slots of one
// job are taken at once, never one by one, so two jobs that each hold part
// of what they need cannot block each other.
//
// Once it has its demand, a job takes free slots up to `most` if no one else
// waits and the plan expects no costlier unit: nvcc runs that many device
// passes at once, and a slot no one asks for would idle (the kernel loop: one
// touched .cu). It never takes them while another job waits.
std::vector<int> acquire(const Pool& pool, const Request& request);

}  // namespace jobslot
