"""An install interrupted at any step leaves site-packages byte-identical.

TRELLIS2_INSTALL_FAULT=<n>:<action> stops the install at its n-th
checkpoint (every prepared file, every journal line, every move). Each
test walks n = 1, 2, … until the fault is no longer reached, i.e. the
install completed, and checks the whole venv tree after every stop.
raise / SIGINT / SIGTERM roll back at once; SIGKILL runs no code, so the
journal left behind is rolled back by `recover` (or by the next install)."""

import os

import pytest

from helpers import changed, cli, pip, tree, verify_record

EXPECTED_EXIT = {"raise": 3, "sigint": 130, "sigterm": 143, "sigkill": -9}
LIMIT = 200   # far above the checkpoints of one fixture install


def _prepare(scenario, built, venv):
    python, site = venv
    if scenario == "overlay":
        pip(python, "install", "--no-deps", "--no-index", built["wheel"])
    return site


@pytest.mark.parametrize("action", sorted(EXPECTED_EXIT))
@pytest.mark.parametrize("scenario", ["overlay", "fresh"])
def test_interrupt_at_every_step(scenario, action, built, staged, venv):
    site = _prepare(scenario, built, venv)
    before = tree(site)
    for step in range(1, LIMIT):
        proc = cli("install", "--stage", staged, "--site-packages", site,
                   TRELLIS2_INSTALL_FAULT=f"{step}:{action}")
        if proc.returncode == 0:
            assert f"fault point {step} not reached" in proc.stderr
            break
        assert proc.returncode == EXPECTED_EXIT[action], (step, proc.stderr)
        if action == "sigkill":
            cli("recover", "--site-packages", site, check=0)
        elif action != "raise":
            assert "rolled back, nothing changed" in proc.stderr
        assert tree(site) == before, f"step {step}: {changed(before, tree(site))}"
    else:
        pytest.fail(f"the install never completed in {LIMIT} steps")
    assert step > 5, "too few checkpoints: the fault hook is not wired in"
    verify_record(site, "fixturepkg-0.1.0.dist-info")


def test_next_install_recovers_after_sigkill(built, staged, venv):
    """No `recover` by hand: the next install rolls the journal back first,
    then installs, and the result equals an uninterrupted install."""
    site = _prepare("overlay", built, venv)
    before = tree(site)
    cli("install", "--stage", staged, "--site-packages", site, check=-9,
        TRELLIS2_INSTALL_FAULT="8:sigkill")
    assert tree(site) != before   # the kill did leave a half-done state behind
    (work,) = [e for e in os.listdir(site) if e.startswith(".trellis2-install.")]
    proc = cli("install", "--stage", staged, "--site-packages", site, check=0)
    assert "recovered:" in proc.stderr and work in proc.stderr, proc.stderr
    done = tree(site)
    cli("recover", "--site-packages", site, check=0)
    assert tree(site) == done
    verify_record(site, "fixturepkg-0.1.0.dist-info")
