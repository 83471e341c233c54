"""Property test of the wheel readers (reader.Wheel, stage-wheel, the API
scan of a wheel): for random member names (traversal attempts, absolute
paths, backslashes, unicode, case twins, .pth files), random RECORD rows and
truncated archives, a reader either accepts the wheel or refuses it with
DeliveryError (exit 2) — never another exception — and nothing is ever
written outside the stage."""

import base64
import csv
import hashlib
import io
import os
import sys
import tempfile
import zipfile

import pytest

hypothesis = pytest.importorskip(
    "hypothesis", reason="hypothesis is not installed for this Python (.ci/setup installs it)")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import helpers  # noqa: E402

sys.path.insert(0, helpers.PACKAGING)   # in-process: thousands of reads, no interpreter each
from trellis2_wheel.apicheck import code_to_scan  # noqa: E402
from trellis2_wheel.inputs import reader  # noqa: E402
from trellis2_wheel.stage import stage  # noqa: E402
from trellis2_wheel.errors import EXIT_REFUSED, DeliveryError  # noqa: E402

DIST_INFO = "pkg-1.0.dist-info"
WHEEL = "pkg-1.0-py3-none-any.whl"
COMPONENT = st.text(alphabet=st.sampled_from("abAB_.-éß文 "), min_size=1, max_size=6)
KINDS = ["plain"] * 6 + ["dotdot", "absolute", "data-dotdot", "twin", "pth", "backslash"]


@st.composite
def members(draw):
    """(kind, path components, bytes) entries; the names are made per example."""
    return draw(st.lists(st.tuples(st.sampled_from(KINDS),
                                   st.lists(COMPONENT, min_size=1, max_size=3),
                                   st.binary(max_size=40)), max_size=6))


def _name(kind, parts, root, previous):
    plain = "pkg/" + "/".join(parts)
    return {
        "plain": plain,
        "dotdot": "../" * len(parts) + "escaped-" + parts[-1],
        "absolute": f"{root}/escaped-{parts[-1]}",
        "data-dotdot": "pkg-1.0.data/purelib/../../escaped-" + parts[-1],
        "twin": (previous or plain).swapcase(),
        "pth": parts[-1] + ".pth",
        "backslash": "pkg\\..\\..\\escaped-" + parts[-1],
    }[kind]


def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _write_wheel(path, files, record_edit, cut):
    files = dict(files)
    files[f"{DIST_INFO}/METADATA"] = b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n\n"
    files[f"{DIST_INFO}/WHEEL"] = b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n"
    rows = [[name, _digest(data), str(len(data))] for name, data in files.items()]
    kind, extra = record_edit
    if kind == "drop" and rows:
        rows.pop(extra % len(rows))
    elif kind == "garbage":
        rows.append([f"pkg/{extra}", "sha256=AAAA", "1"])
    elif kind == "wrong-hash" and rows:
        rows[extra % len(rows)][1] = "sha256=" + "A" * 43
    elif kind == "short-row":
        rows.append(["pkg/x.py", "1"])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows + [[f"{DIST_INFO}/RECORD", "", ""]])
    files[f"{DIST_INFO}/RECORD"] = out.getvalue().encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    data = buffer.getvalue()
    with open(path, "wb") as handle:
        handle.write(data[: cut % (len(data) + 1)] if cut is not None else data)


def _files_under(root):
    return {os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs}


# No example database: the test writes nothing into the source tree or the build.
@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(entries=members(),
       record_edit=st.tuples(st.sampled_from(["none", "none", "drop", "garbage", "wrong-hash",
                                              "short-row"]), st.integers(0, 50)),
       cut=st.one_of(st.none(), st.none(), st.integers(0, 4000)))
def test_readers_accept_or_refuse_and_never_write_outside(entries, record_edit, cut):
    with tempfile.TemporaryDirectory() as root:
        files, previous = {}, None
        for kind, parts, data in entries:
            name = _name(kind, parts, root, previous)
            files.setdefault(name, data)
            previous = name if kind == "plain" else previous
        wheel = os.path.join(root, WHEEL)
        _write_wheel(wheel, files, record_edit, cut)
        target = os.path.join(root, "a", "b", "stage")
        readers = {"read": lambda: reader.Wheel(wheel),
                   "stage": lambda: stage.stage_wheel(wheel, target, [], out=io.StringIO(),
                                                      err=io.StringIO()),
                   "scan": lambda: code_to_scan.from_path(wheel)}
        for label, read in readers.items():
            try:
                read()
                hypothesis.event(f"{label}: accepted")
            except DeliveryError as exc:
                assert exc.code == EXIT_REFUSED, exc.render()
                hypothesis.event(f"{label}: refused ({exc.problem.split(' ')[0]})")
        outside = {f for f in _files_under(root) if f != WHEEL and not f.startswith("a/b/stage/")}
        assert not outside, f"written outside the stage: {sorted(outside)}"
