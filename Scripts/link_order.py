#!/usr/bin/env python3
"""Writes Scripts/palimpsest.order: the functions a release `palimpsest` runs, hottest first, for
the linker to lay out side by side (`make release`: lld's --symbol-ordering-file).

Why: each page of the binary's code that a process touches counts in its resident memory, and the
kernel maps up to 64 KiB around every page it faults in. In the default layout the ~1.9 MB of code
a poll cycle runs is spread over the 27 MB of machine code (the Swift runtime, Foundation and every
package in between), so a `poll` had ~22 MiB of the binary resident; laid out together they take a
few MiB (README, Benchmark: "binary layout").

How: runs a release build (built with -function-sections, so that each function can move) under
valgrind's callgrind (installed with apt-get when missing) through the work a deployment does:
`poll` of 200 loopback RSS feeds from one nginx (first cycle, then a cycle in which every tenth feed
lost an item and a probe confirms it), `run` for its start and first cycle, `status`, `tail`,
`digest`, `verify`, `check-config`, and the recorded-fixture demo (every platform adapter). Every
function callgrind saw run goes into the file: the functions of a changed poll cycle first, then
those the next workloads add, in that order, each group by its own instruction count (hottest
first). A poll's code then lies in one run of pages (measured: ~1 MiB fewer of the binary resident
in a poll than one order by instruction count over all workloads). A stale file does no harm:
names the linker does not find are skipped, and what is not listed keeps its place.

Usage: Scripts/link_order.py PATH/TO/palimpsest [--out Scripts/palimpsest.order] [--keep]
(regenerate after large changes; takes 5 to 10 minutes).
"""

import argparse
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_support import ensure_nginx, free_port, start_nginx, stop_nginx  # noqa: E402
from peer_benchmark import write_feeds  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEEDS = 200
# The order of the functions' groups: each workload adds the functions the ones before did not run.
GROUPS = ["poll-changed", "poll-first", "run", "status", "tail", "digest", "verify", "check-config", "demo"]


def ensure_valgrind():
    """Path of valgrind, installing Debian's package when there is none."""
    found = shutil.which("valgrind")
    if found:
        return found
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    print("link order: installing valgrind (apt-get)…", file=sys.stderr)
    subprocess.run(prefix + ["apt-get", "update", "-qq"], check=True)
    subprocess.run(prefix + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "valgrind"],
                   check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return shutil.which("valgrind") or sys.exit("link order: valgrind did not install")


def defined_functions(binary):
    """The names of the functions the binary defines (its symbol table)."""
    out = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    return {parts[2] for parts in (line.split() for line in out.splitlines())
            if len(parts) == 3 and parts[1] in "tTwW"}


def self_costs(profile):
    """Per function name, the instructions it ran itself, from a callgrind profile written with
    --compress-strings=no (each cost line after `fn=NAME` is `LINE COST`; `calls=` lines are
    followed by the callee's inclusive cost, which is not the caller's own)."""
    costs = collections.Counter()
    function = None
    skip_next = False
    with open(profile, errors="replace") as handle:
        for line in handle:
            if line.startswith("fn="):
                function = line[3:].strip()
                costs[function] += 0
            elif line.startswith("calls="):
                skip_next = True
            elif function and (line[:1].isdigit() or line[:1] in "+-*"):
                if skip_next:
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    costs[function] += int(parts[1])
    return costs


def main():
    parser = argparse.ArgumentParser(usage=__doc__.strip().splitlines()[-3])
    parser.add_argument("palimpsest", help="a release build made with -function-sections (make release)")
    parser.add_argument("--out", default=os.path.join(REPO, "Scripts", "palimpsest.order"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    valgrind = ensure_valgrind()
    nginx = ensure_nginx()
    work = tempfile.mkdtemp(prefix="palimpsest-order-")
    os.chmod(work, 0o755)  # nginx's workers read the feeds as another user
    # valgrind gives up on the release binary's DWARF; the symbol table is all it needs here.
    binary = os.path.join(work, "palimpsest")
    subprocess.run(["strip", "--strip-debug", "-o", binary, args.palimpsest], check=True)
    root = os.path.join(work, "www")
    port = free_port()
    pid_file = None
    profiles = {}
    config = os.path.join(work, "palimpsest.toml")

    def traced(name, command, seconds=None):
        profile = os.path.join(work, f"callgrind.{name}")
        profiles[name] = profile
        print(f"link order: {name}…", file=sys.stderr, flush=True)
        process = subprocess.Popen(
            [valgrind, "--tool=callgrind", f"--callgrind-out-file={profile}", "--compress-strings=no",
             "--compress-pos=no", binary] + command,
            stdout=subprocess.DEVNULL, stderr=open(profile + ".log", "w"))
        if seconds is not None:
            time.sleep(seconds)
            process.send_signal(signal.SIGTERM)
        if process.wait(timeout=1800) not in (0, 1) and seconds is None:
            sys.exit(f"link order: `palimpsest {' '.join(command)}` failed; see {profile}.log")

    try:
        write_feeds(root, FEEDS, 20, port, removed=set())
        pid_file = start_nginx(nginx, work, root, port)
        with open(config, "w") as handle:
            handle.write(f'[daemon]\nstate_dir = "{work}/state"\ndeletion_log = "{work}/deletions.jsonl"\n'
                         'interval = "10m"\n\n')
            for index in range(FEEDS):
                handle.write(f'[[account]]\nplatform = "feed"\nname = "Account {index}"\n'
                             f'url = "http://127.0.0.1:{port}/feed/{index}.xml"\n\n')
        traced("check-config", ["check-config", "--config", config])
        traced("poll-first", ["poll", "--config", config])
        write_feeds(root, FEEDS, 20, port, removed={2})
        traced("poll-changed", ["poll", "--config", config])
        traced("status", ["status", "--config", config])
        traced("tail", ["tail", "-n", "10", "--config", config])
        traced("digest", ["digest", "--config", config, "--last-week", "--out", os.path.join(work, "digest")])
        traced("verify", ["verify", "--config", config])
        write_feeds(root, FEEDS, 20, port, removed={2, 3})
        traced("run", ["run", "--config", config], seconds=90)
        traced("demo", ["demo", "--fixtures", os.path.join(REPO, "Tests", "Fixtures", "real"),
                        "--state", os.path.join(work, "demo")])
    finally:
        stop_nginx(pid_file)

    defined = defined_functions(args.palimpsest)
    ordered = []
    listed = set()
    for name in GROUPS:
        if not os.path.exists(profiles.get(name, "")):
            continue
        costs = self_costs(profiles[name])
        added = sorted((f for f in costs if f in defined and f not in listed), key=lambda f: (-costs[f], f))
        ordered += added
        listed.update(added)
    with open(args.out, "w") as handle:
        handle.write("# Functions a release palimpsest runs, grouped by workload, hottest first: lld's "
                     "--symbol-ordering-file (make release).\n# Generated by Scripts/link_order.py; regenerate "
                     "after large changes.\n")
        handle.write("\n".join(ordered) + "\n")
    print(f"link order: {len(ordered)} functions written to {args.out}", file=sys.stderr)
    if args.keep:
        print(f"kept: {work}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
