#!/usr/bin/env python3
"""Writes Scripts/palimpsest.order: the functions a release `palimpsest` runs, hottest first, for
the linker to lay out side by side (`make release`: lld's --symbol-ordering-file).

Why: each page of the binary's code that a process touches counts in its resident memory, and the
kernel maps up to 64 KiB around every page it faults in. In the default layout the ~1.9 MB of code
a poll cycle runs is spread over the 27 MB of machine code (the Swift runtime, Foundation and every
package in between), so a `poll` had ~27 MiB of the binary resident; with the functions laid out
together, 17 MiB (README, Benchmark: "binary layout").

How: runs a release build (built with -function-sections, so that each function can move) under
valgrind's callgrind (installed with apt-get when missing) through the work a deployment does:
`poll` of 200 loopback RSS feeds from one nginx (first cycle, then a cycle in which every tenth
feed lost an item and a probe confirms it), `status`, `tail`, `digest`, `verify`, `check-config`,
`run` from an empty state folder for its start and first cycle, and the recorded-fixture demo
(every platform adapter). Every function callgrind saw run goes into the file: the functions of a
changed poll cycle first, then those the next workloads add, each group by its own instruction
count (hottest first). A poll's code then lies in one run of pages (measured: ~1 MiB fewer of the
binary resident in a poll than one order by instruction count over all workloads). A stale file
does no harm: names the linker does not find are skipped, and what is not listed keeps its place.

Usage: Scripts/link_order.py .build/release/palimpsest [--out FILE] [--keep]
(regenerate after large changes; takes 10 to 15 minutes).
"""

import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_support import apt_install, ensure_nginx, free_port, start_nginx, stop_nginx  # noqa: E402
from peer_benchmark import write_config, write_feeds  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEEDS = 200
# The order of the functions' groups: each workload adds the functions the ones before did not run.
GROUPS = ["poll-changed", "poll-first", "run", "status", "tail", "digest", "verify", "check-config", "demo"]


def ensure_valgrind():
    """Path of valgrind, installing Debian's package when there is none."""
    if not shutil.which("valgrind"):
        apt_install("valgrind")
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
                # A recursive call's frames are named NAME'2, NAME'3…: the same function.
                function = re.sub(r"'\d+$", "", line[3:].strip())
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


def traced(valgrind, binary, profile, command, seconds=None):
    """Runs `binary command` under callgrind into `profile`; with `seconds`, sends SIGTERM after
    that long (the daemon). Exits the script when the command does not exit 0."""
    print(f"link order: {' '.join(command[:1])} ({os.path.basename(profile)})…", file=sys.stderr, flush=True)
    with open(profile + ".log", "w") as log:
        # Mangled names, as the linker and `nm` know them (callgrind demangles C++ by default).
        process = subprocess.Popen(
            [valgrind, "--tool=callgrind", f"--callgrind-out-file={profile}", "--compress-strings=no",
             "--compress-pos=no", "--demangle=no", binary] + command,
            stdout=subprocess.DEVNULL, stderr=log)
        try:
            if seconds is not None:
                try:
                    process.wait(timeout=seconds)
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGTERM)
            status = process.wait(timeout=1800)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            sys.exit(f"link order: `palimpsest {' '.join(command)}` did not end in 30 minutes; see {profile}.log")
    if status != 0:
        sys.exit(f"link order: `palimpsest {' '.join(command)}` exited {status}; see {profile}.log")


def main():
    parser = argparse.ArgumentParser(usage="%(prog)s PATH/TO/palimpsest [--out FILE] [--keep]",
                                     description="Writes the link order of `make release` (docs/operating.md).")
    parser.add_argument("palimpsest", help="a release build made with -function-sections (make release)")
    parser.add_argument("--out", default=os.path.join(REPO, "Scripts", "palimpsest.order"),
                        help="the order file to write (default Scripts/palimpsest.order)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (profiles, state) and print it")
    args = parser.parse_args()
    valgrind = ensure_valgrind()
    nginx = ensure_nginx()
    work = tempfile.mkdtemp(prefix="palimpsest-order-")
    os.chmod(work, 0o755)  # nginx's workers read the feeds as another user
    root = os.path.join(work, "www")
    port = free_port()
    pid_file = None
    profiles = {}
    finished = False
    try:
        # valgrind gives up on the release binary's DWARF; the symbol table is all it needs here.
        binary = os.path.join(work, "palimpsest")
        subprocess.run(["strip", "--strip-debug", "-o", binary, args.palimpsest], check=True)

        def run(name, command, seconds=None):
            profiles[name] = os.path.join(work, f"callgrind.{name}")
            traced(valgrind, binary, profiles[name], command, seconds)

        write_feeds(root, FEEDS, 20, port, removed=set())
        pid_file = start_nginx(nginx, work, root, port)
        config = os.path.join(work, "palimpsest.toml")
        write_config(config, work, port, FEEDS)
        run("check-config", ["check-config", "--config", config])
        run("poll-first", ["poll", "--config", config])
        write_feeds(root, FEEDS, 20, port, removed={2})
        run("poll-changed", ["poll", "--config", config])
        run("status", ["status", "--config", config])
        run("tail", ["tail", "-n", "10", "--config", config])
        run("digest", ["digest", "--config", config, "--last-week", "--out", os.path.join(work, "digest")])
        run("verify", ["verify", "--config", config])
        # The daemon from an empty state folder: its start and first cycle (spread over the
        # 1-minute interval, slower under valgrind), then SIGTERM.
        run_config = os.path.join(work, "run.toml")
        write_config(run_config, work, port, FEEDS, state="run-state", log="run-deletions.jsonl",
                     interval="1m")
        run("run", ["run", "--config", run_config], seconds=180)
        run("demo", ["demo", "--fixtures", os.path.join(REPO, "Tests", "Fixtures", "real"),
                     "--state", os.path.join(work, "demo")])
        stop_nginx(pid_file)
        pid_file = None

        defined = defined_functions(args.palimpsest)
        ordered = []
        listed = set()
        for name in GROUPS:
            costs = self_costs(profiles[name])
            added = sorted((f for f in costs if f in defined and f not in listed), key=lambda f: (-costs[f], f))
            ordered += added
            listed.update(added)
        with open(args.out, "w") as handle:
            handle.write("# Functions a release palimpsest runs, grouped by workload, hottest first: lld's "
                         "--symbol-ordering-file (make release).\n# Generated by Scripts/link_order.py; "
                         "regenerate after large changes.\n")
            handle.write("\n".join(ordered) + "\n")
        print(f"link order: {len(ordered)} functions written to {args.out}", file=sys.stderr)
        finished = True
    finally:
        stop_nginx(pid_file)
        if finished and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"link order: work folder kept: {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
