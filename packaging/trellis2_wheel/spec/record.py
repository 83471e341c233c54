"""RECORD files (wheel spec): one 'path,sha256=<urlsafe-b64, no padding>,size'
line per file; RECORD itself and signatures are listed with empty hash and
size. Read and written with installer's model (installer.records), the
one its WheelFile.validate_record and install() use, so the tool reads
every RECORD (a wheel's, the stage's, an installed one) as installer does."""

import base64
import csv
import hashlib
import io
import os

from installer.records import Hash, InvalidRecordEntry, RecordEntry, parse_record_file

from ..errors import DeliveryError


def entry(path, data):
    """The RECORD entry of a file with these bytes."""
    raw = hashlib.sha256(data).digest()
    return RecordEntry(path, Hash("sha256", base64.urlsafe_b64encode(raw).rstrip(b"=").decode()),
                       len(data))


def file_entry(root, relpath):
    """The RECORD entry of the file root/relpath, named relpath."""
    with open(os.path.join(root, relpath), "rb") as handle:
        return entry(relpath, handle.read())


def parse(text, source):
    """RECORD text -> [RecordEntry]; blank lines are skipped, a damaged line
    is refused and named by its number. Split as validate_record splits RECORD, so both
    see the same lines. Paths come back '/'-separated, as installer reads
    them (a Windows builder's 'pkg\\x.py' is pkg/x.py): inputs/safety.py checks
    them as read."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line:
            entries.append(_parse_line(line, number, source))
    return entries


def _parse_line(line, number, source):
    try:
        (elements,) = parse_record_file([line])
        return RecordEntry.from_elements(*elements)
    except InvalidRecordEntry as exc:
        elements = list(exc.elements)
        problem = ("; ".join(exc.issues) if len(elements) == 3
                   else f"{len(elements)} fields, not 3")
    except csv.Error as exc:
        problem = str(exc)
    raise DeliveryError(
        source, f"RECORD line {number} is damaged: {problem}", found=line,
        expected="path,sha256=<urlsafe base64>,size (hash and size empty for RECORD itself)",
        fix="rebuild the wheel; for an installed distribution, reinstall it "
            "(`pip install --force-reinstall --no-deps <wheel>`)")


def render(entries):
    """Entries -> RECORD text, in the csv dialect pip and `wheel` use."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", quotechar='"', lineterminator="\n")
    writer.writerows(e.to_row() for e in entries)
    return out.getvalue()


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return parse(handle.read(), path)
