"""An all-or-nothing set of file moves into one directory tree.

New files are written into a work directory inside the target tree (so
every move is an os.replace on one filesystem, never a copy), then moved into
place one by one. Before each move a line is appended to an on-disk journal
(fsynced): so a failure, SIGINT or SIGTERM rolls back at once, and even a
SIGKILL or power loss, which runs no code, is rolled back by the next
`install` or `recover` from the journal. Replaced files are kept in the work
directory until the commit is complete.

Fault injection for tests: TRELLIS2_INSTALL_FAULT=<n>:<action> makes the
n-th checkpoint (1-based, counting every step) raise, send SIGINT, SIGTERM
or SIGKILL to this process, hang (until a signal arrives) or pause (3 s,
then go on), so a test can signal the parent mid-commit. Checkpoints are numbered in prepare and commit
alike; a fault whose number is never reached reports itself on stderr."""

import fcntl
import os
import shutil
import signal
import sys
import tempfile
import time

from ..errors import DeliveryError

WORK_PREFIX = ".trellis2-install."
JOURNAL = "journal"
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """Raised from a signal handler so that rollback runs."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


class InjectedFault(RuntimeError):
    pass


class _Fault:
    def __init__(self):
        spec = os.environ.get("TRELLIS2_INSTALL_FAULT", "")
        self.at, self.action, self.count = 0, "", 0
        if spec:
            at, _, action = spec.partition(":")
            if not at.isdigit() or action not in ("raise", "sigint", "sigterm", "sigkill", "hang", "pause"):
                raise DeliveryError("TRELLIS2_INSTALL_FAULT", f"cannot read {spec!r}",
                                    expected="<n>:raise|sigint|sigterm|sigkill|hang|pause (a test hook)",
                                    fix="unset TRELLIS2_INSTALL_FAULT")
            self.at, self.action = int(at), action

    def checkpoint(self):
        self.count += 1
        if self.count != self.at:
            return
        if self.action == "raise":
            raise InjectedFault(f"injected fault at checkpoint {self.count}")
        if self.action in ("hang", "pause"):
            print(f"fault point {self.count}: pid {os.getpid()} {self.action}s",
                  file=sys.stderr, flush=True)
            if self.action == "pause":
                time.sleep(3)
                return
            while True:
                signal.pause()
        os.kill(os.getpid(), {"sigint": signal.SIGINT, "sigterm": signal.SIGTERM,
                              "sigkill": signal.SIGKILL}[self.action])

    def report(self):
        if self.at and self.count < self.at:
            print(f"fault point {self.at} not reached ({self.count} checkpoints)", file=sys.stderr)


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lock(root):
    """Exclusive lock on the tree (flock on the directory itself, so no lock
    file is left behind); held until the returned fd is closed."""
    fd = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DeliveryError(root, "another install is running on this directory",
                            fix="wait for it to finish, then run again") from None
    return fd


def die_with_parent():
    """Linux: have the kernel send SIGTERM when the parent (`cmake --install`)
    dies, so a killed cmake does not leave the install running on its own;
    the handler then rolls back. A parent already gone counts as SIGTERM."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1
    if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
        return   # best effort: without it, SIGINT/SIGTERM to the group still roll back
    if os.getppid() != parent:
        raise Interrupted(signal.SIGTERM)


class Transaction:
    """Usage:
        with Transaction(root) as t:
            t.add(rel, data); t.remove(rel); t.commit()
    Leaving the block by an exception (a signal included) before commit()
    has finished rolls everything back. rel paths are '/'-separated,
    relative to root."""

    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.fault = _Fault()
        self.steps = []       # (kind, rel, prepared file or None), in order
        self.work = None
        self.journal = None
        self.committed = False
        self._previous = {}

    def __enter__(self):
        # Handlers first: a signal at any later point must reach rollback.
        self._previous = {s: signal.getsignal(s) for s in _SIGNALS}
        for s in _SIGNALS:
            signal.signal(s, _on_signal)
        try:
            die_with_parent()
            self.work = tempfile.mkdtemp(prefix=WORK_PREFIX, dir=self.root)
            self.journal = open(os.path.join(self.work, JOURNAL), "a", encoding="utf-8")
            self.fault.checkpoint()
        except BaseException as exc:
            self.__exit__(type(exc), exc, None)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is not None and not self.committed and self.work:
                # A second signal must not cut the rollback short.
                signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
                if self.journal:
                    self.journal.close()
                rollback(self.work)
        finally:
            # Handlers back first, then unblock: a signal held back during
            # rollback or cleanup now takes its ordinary effect.
            for s, handler in self._previous.items():
                signal.signal(s, handler)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
            self.fault.report()
        return False

    def add(self, rel, data, mode=0o644):
        """Put `data` at rel, replacing what is there."""
        path = os.path.join(self.work, f"new.{len(self.steps)}")
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(path, mode)
        self.steps.append(("add", rel, path))
        self.fault.checkpoint()

    def remove(self, rel):
        self.steps.append(("remove", rel, None))

    def _rel(self, path):
        # Journal paths are relative to the tree, so a venv moved between a
        # crash and the recovery still rolls back.
        return os.path.relpath(path, self.root)

    def _log(self, line):
        self.journal.write(line + "\n")
        self.journal.flush()
        os.fsync(self.journal.fileno())
        self.fault.checkpoint()

    def commit(self):
        """Move every prepared file into place; journal each move first."""
        _fsync_dir(self.work)
        for index, (kind, rel, new) in enumerate(self.steps):
            target = os.path.join(self.root, rel)
            missing = []
            parent = os.path.dirname(target)
            while not os.path.isdir(parent):
                missing.append(parent)
                parent = os.path.dirname(parent)
            for directory in reversed(missing):
                self._log(f"mkdir\t{self._rel(directory)}")
                os.mkdir(directory)
                self.fault.checkpoint()
            if os.path.lexists(target):
                backup = os.path.join(self.work, f"old.{index}")
                self._log(f"backup\t{self._rel(target)}\t{self._rel(backup)}")
                os.replace(target, backup)
                self.fault.checkpoint()
            if kind == "add":
                self._log(f"place\t{self._rel(new)}\t{self._rel(target)}")
                os.replace(new, target)
                self.fault.checkpoint()
        # From here on the new state stands: no signal may start a rollback,
        # and the backups are only clutter.
        signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        self.journal.write("committed\n")
        self.journal.flush()
        os.fsync(self.journal.fileno())
        self.committed = True
        self.journal.close()
        shutil.rmtree(self.work, ignore_errors=True)


def _on_signal(signum, _frame):
    raise Interrupted(signum)


def rollback(work):
    """Undo a journaled commit that did not complete, newest step first,
    then delete the work directory. Each undo checks the files' state, so a
    step logged but not yet done (or undone twice) is harmless."""
    root = os.path.dirname(os.path.abspath(work))
    path = os.path.join(work, JOURNAL)
    lines = []
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as handle:
            lines = [line.rstrip("\n").split("\t") for line in handle if line.endswith("\n")]
    if lines and lines[-1] == ["committed"]:
        shutil.rmtree(work, ignore_errors=True)   # done: only backups remain
        return
    for entry in reversed(lines):
        kind, paths = entry[0], [os.path.join(root, p) for p in entry[1:]]
        if kind == "place":
            new, target = paths
            if not os.path.lexists(new) and os.path.lexists(target):
                os.replace(target, new)
        elif kind == "backup":
            target, backup = paths
            if os.path.lexists(backup):
                os.replace(backup, target)
        elif kind == "mkdir":
            directory = paths[0]
            if os.path.isdir(directory) and not os.listdir(directory):
                os.rmdir(directory)
    shutil.rmtree(work, ignore_errors=True)


def recover(root, out=sys.stderr):
    """Roll back every interrupted transaction left under root; returns how many."""
    count = 0
    for entry in sorted(os.listdir(root)):
        work = os.path.join(root, entry)
        if entry.startswith(WORK_PREFIX) and os.path.isdir(work):
            rollback(work)
            print(f"recovered: rolled back an install that was killed before it finished "
                  f"({entry}); {root} is as it was before that install", file=out)
            count += 1
    return count
