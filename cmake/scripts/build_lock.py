"""The build-tree lock: one build of a build tree at a time.

    python3 build_lock.py <build>/build.lock

Two `cmake --build` of one tree would compile, link, audit and stage the same
files at once. The superbuild's first step (cmake/superbuild/BuildLock.cmake)
runs this: it takes an flock on the file, writes who holds it, and leaves a
small process behind that keeps the lock until the build tool that ran the
step (ninja or make, found among its ancestors) has exited. The kernel drops
the lock with that process, so a crashed or killed build leaves no stale
lock. A second build finds the lock taken and fails at once, naming the
holder. Standard library only: it runs before anything else of the build.
"""

import fcntl
import os
import select
import sys
import time

BUILD_TOOLS = {"ninja", "ninja-build", "samu", "make", "gmake"}


def process(pid):
    """(comm, parent pid, start time in clock ticks) of a live process, else None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    # "<pid> (<comm>) <state> <ppid> ... <starttime>": comm may hold spaces and ')'.
    fields = stat[stat.rindex(")") + 2:].split()
    return stat[stat.index("(") + 1:stat.rindex(")")], int(fields[1]), int(fields[19])


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def holder():
    """{pid, start_ticks, since, command} of the nearest ancestor that is a
    build tool; the parent if none is (a lock taken by hand then lasts as
    long as the shell that ran it)."""
    pid = os.getppid()
    ancestor = pid
    while ancestor > 1 and (info := process(ancestor)):
        if info[0] in BUILD_TOOLS:
            pid = ancestor
            break
        ancestor = info[1]
    info = process(pid)
    command = command_line(pid)
    # Ninja under `cmake --build`: the cmake command is what the user typed.
    if info and (parent := process(info[1])) and parent[0] == "cmake":
        command = command_line(info[1])
    return {"pid": str(pid), "start_ticks": str(info[2] if info else 0),
            "since": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "command": command}


def alive(held):
    """Whether the process a lock file names still runs."""
    pid = held.get("pid", "")
    info = process(int(pid)) if pid.isdigit() else None
    return bool(info) and str(info[2]) == held.get("start_ticks")


def wait_for_exit(held):
    """Returns once the holder is gone (a pid reused by a new process, with
    another start time, counts as gone): pidfd where the kernel has it, else
    a check every 100 ms."""
    try:
        pidfd = os.pidfd_open(int(held["pid"]))
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is not None and alive(held):
        select.select([pidfd], [], [])
        return
    while alive(held):
        time.sleep(0.1)


def keep_lock_in_background(lock_fd, held):
    """A detached child keeps lock_fd, and so the lock, until the holder
    exits. It lets go of the step's stdout/stderr: the build tool waits for
    those pipes to close before it counts the step as done."""
    if os.fork() != 0:
        return  # the step itself ends now
    os.setsid()
    null = os.open(os.devnull, os.O_RDWR)
    for fd in range(3):
        os.dup2(null, fd)
    os.closerange(3, lock_fd)
    os.closerange(lock_fd + 1, 1024)
    wait_for_exit(held)
    os._exit(0)


def main(lock_path):
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        sys.exit(f"build lock: cannot open {lock_path}: {error.strerror}")
    # A build that has just ended may still hold the lock for a moment (its
    # holder is gone, the background process has yet to notice): wait briefly.
    deadline = time.monotonic() + 5
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            with open(lock_path) as f:
                held = dict(line.split("=", 1) for line in f.read().splitlines() if "=" in line)
            if alive(held) or time.monotonic() > deadline:
                pid = held.get("pid", "?")
                print(f"build lock: another build of this build tree is running: pid {pid} "
                      f"({held.get('command', '')}), since {held.get('since', '?')}.\n"
                      f"  Found: {lock_path} held by that build; expected: no other build of this tree, since two "
                      "would compile, link, audit and stage the same files.\n"
                      f"  Wait for it to end, or stop it (kill {pid}), then run your command again. To build at "
                      "the same time, use another build directory (cmake -B <dir>).", file=sys.stderr)
                return 1
            time.sleep(0.05)
    me = holder()
    os.ftruncate(fd, 0)
    os.pwrite(fd, "".join(f"{key}={value}\n" for key, value in me.items()).encode(), 0)
    keep_lock_in_background(fd, me)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_lock.py <build>/build.lock")
    sys.exit(main(sys.argv[1]))
