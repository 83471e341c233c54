"""The last message of a command, and making sure it reaches the user.

`cmake --install` catches SIGINT and SIGTERM, stops reading its child's
output and exits as soon as the child does, dropping what it has not read:
the rollback line of a Ctrl-C used to be lost that way."""

import fcntl
import os
import stat
import struct
import sys
import termios
import time

_PARENT = os.getppid()
_final = []   # the last message, for deliver()


def tell(text, stream=None):
    """The final message (stderr unless told): printed and flushed now, and
    kept for deliver()."""
    _final.append(text)
    try:
        print(text, file=stream or sys.stderr, flush=True)
    except (BrokenPipeError, OSError):
        pass


def _unread(fd):
    """Bytes in the pipe behind fd that its reader has not taken (0 for a non-pipe)."""
    if not stat.S_ISFIFO(os.fstat(fd).st_mode):
        return 0
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def deliver(timeout=1.0):
    """Wait briefly for our output pipes to be read; if they are not (the
    reader stopped on a signal), append the final message to the parent's
    own stderr: the terminal or log the user watches."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        fds = (sys.stdout.fileno(), sys.stderr.fileno())
        deadline = time.monotonic() + timeout
        while any(map(_unread, fds)) and time.monotonic() < deadline:
            time.sleep(0.02)
        if not _final or not any(map(_unread, fds)) or os.getppid() != _PARENT:
            return
        with open(f"/proc/{_PARENT}/fd/2", "a", encoding="utf-8") as parent_stderr:
            parent_stderr.write("\n".join(_final) + "\n")
    except (OSError, ValueError):
        pass
