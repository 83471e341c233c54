"""RECORD files (wheel spec): one 'path,sha256=<urlsafe-b64, no padding>,size'
line per file; RECORD itself and signatures are listed with empty hash and size."""

import base64
import csv
import hashlib
import io
import os

from .errors import DeliveryError


def digest(data):
    """The RECORD hash of bytes: 'sha256=' + urlsafe base64 without '=' padding."""
    raw = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def file_entry(root, relpath):
    """(relpath, hash, size) of a file under root."""
    with open(os.path.join(root, relpath), "rb") as handle:
        data = handle.read()
    return relpath, digest(data), str(len(data))


def parse(text, source):
    """RECORD text -> list of (path, hash, size) rows; refuse malformed lines."""
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row:
            continue
        if len(row) != 3:
            raise DeliveryError(
                source, f"RECORD line {number} has {len(row)} fields",
                found=",".join(row), expected="path,hash,size",
                fix="rebuild the wheel (its RECORD is damaged)")
        rows.append(tuple(row))
    return rows


def render(rows):
    """Rows -> RECORD text, in the csv dialect pip and `wheel` use."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", quotechar='"', lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return parse(handle.read(), path)
