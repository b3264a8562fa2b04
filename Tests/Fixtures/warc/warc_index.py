#!/usr/bin/env python3
"""Indexes the WARC files of a Palimpsest state_dir with warcio, as a reader outside Palimpsest would.

Usage: warc_index.py STATE_DIR

Prints one JSON object: {"records": [...]} with, per record of every state_dir/warc/*.warc.gz file
(in file order): the file path relative to STATE_DIR, the offset and length of its gzip member as
warcio reports them, the WARC-Type, WARC-Record-ID, WARC-Concurrent-To, WARC-Refers-To,
WARC-Target-URI, WARC-Date, WARC-Payload-Digest, the HTTP status (response and revisit records),
the SHA-256 of the HTTP payload warcio reads (response records), and warcio's own digest check
(passed: true / false / null, with its problems). Used by the WARC evidence test
(Tests/PalimpsestCoreTests/Store/WARCInteroperabilityTests.swift).
"""
import glob
import hashlib
import json
import os
import sys

from warcio.archiveiterator import ArchiveIterator


def index(state_dir):
    records = []
    for path in sorted(glob.glob(os.path.join(state_dir, "warc", "*.warc.gz"))):
        relative = os.path.relpath(path, state_dir)
        with open(path, "rb") as stream:
            iterator = ArchiveIterator(stream, check_digests=True)
            for record in iterator:
                headers = record.rec_headers
                payload = record.content_stream().read()
                iterator.read_to_end(record)
                entry = {
                    "path": relative,
                    "offset": iterator.get_record_offset(),
                    "length": iterator.get_record_length(),
                    "type": headers.get_header("WARC-Type"),
                    "id": headers.get_header("WARC-Record-ID"),
                    "concurrent_to": headers.get_header("WARC-Concurrent-To"),
                    "refers_to": headers.get_header("WARC-Refers-To"),
                    "target_uri": headers.get_header("WARC-Target-URI"),
                    "date": headers.get_header("WARC-Date"),
                    "payload_digest": headers.get_header("WARC-Payload-Digest"),
                    "digest_passed": record.digest_checker.passed,
                    "digest_problems": list(record.digest_checker.problems),
                }
                if record.http_headers is not None and record.rec_type in ("response", "revisit"):
                    entry["http_status"] = int(record.http_headers.get_statuscode())
                if record.rec_type == "response":
                    entry["payload_sha256"] = hashlib.sha256(payload).hexdigest()
                records.append(entry)
    return records


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: warc_index.py STATE_DIR")
    json.dump({"records": index(sys.argv[1])}, sys.stdout)
