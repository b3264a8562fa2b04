#!/usr/bin/env python3
"""`palimpsest run` watching many feeds on one loopback nginx (issue 9, target 3).

usage: Scripts/run_benchmark.py PATH/TO/palimpsest [--feeds N] [--items N] [--interval DURATION]
                                 [--change FRACTION] [--cycles N] [--keep]

What it measures, on one daemon process started the way systemd starts it (`Type=notify`: the
script listens on `$NOTIFY_SOCKET` for `READY=1`):

1. start-up on an empty state_dir: seconds from exec to `READY=1`;
2. the first cycle: every feed polled once (counted on the daemon's Prometheus endpoint,
   `palimpsest_polls_total`); wall seconds from `READY=1`, CPU seconds, bytes written, peak RSS;
3. steady cycles: before each, `--change` of the feeds (default 1%) get a new item and lose an old
   one; then the script watches the daemon for one `--interval`: polls made, CPU seconds and the
   share of one core they are, RSS (now and peak), bytes written, growth of the state (the
   database's pages in use, as a reader sees them, and every other file of state_dir but the WAL,
   whose size goes up and down with checkpoints, and the evidence spool, which is collected
   within the hour), that growth over a day at this pace, and the spool's size;
4. a restart: SIGTERM (seconds to exit), then exec to `READY=1` again with the state the cycles
   left (how many archived versions it holds is printed beside it).

Targets of issue 9 at 100,000 feeds and a 10-minute interval: < 25% of one core sustained,
RSS < 500 MiB, state growth < 100 MB per day, first cycle < 60 s, restart to `READY=1` < 10 s
(the target names 10 million archived versions; this script's state holds what its cycles made).

nginx (Debian's `nginx-light`, apt-get) is installed when missing. The feeds, the state and the
log live in a temporary folder removed afterwards (`--keep` keeps it). The full run at 100,000
feeds takes 15 to 30 minutes; `--feeds 2000 --interval 1m` is a smoke run of about 3 minutes.
The machine is shared: read the figures with its load (printed) in mind.
"""
import argparse
import datetime
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

from bench_support import ensure_nginx, free_port, start_nginx, stop_nginx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
START = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.timezone.utc)


def feed_document(index, items, generation):
    """RSS 2.0, newest item first. Generation g lists posts g … g+items-1 (a higher number is a
    newer post), so each generation adds one new post and lets the oldest slide out of the window;
    from generation 1 on, each generation also removes one post that the previous one listed
    inside the window (a deletion candidate), and it stays removed."""
    removed = {g + items - 3 for g in range(1, generation + 1)}
    numbers = [n for n in range(generation + items - 1, generation - 1, -1) if n not in removed]
    entries = []
    for number in numbers:
        posted = START + datetime.timedelta(minutes=7 * number)
        entries.append(
            f"<item><title>Post {number} of feed {index}</title>"
            f"<link>http://feed.example/{index}/{number}</link>"
            f'<guid isPermaLink="false">feed-{index}-post-{number}</guid>'
            f"<pubDate>{posted.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"<description>Text of post {number} of feed {index}, a sentence or two as most "
            f"feed items are.</description></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>Feed {index}</title><link>http://feed.example/{index}/</link>"
            "<description>run benchmark</description>\n" + "\n".join(entries) + "\n</channel></rss>\n")


def write_feed(root, index, items, generation):
    path = os.path.join(root, "feed", f"{index}.xml")
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(feed_document(index, items, generation))
    os.replace(temporary, path)  # nginx never serves half a file


class Daemon:
    """One `palimpsest run` process with a notify socket and a metrics endpoint."""

    def __init__(self, binary, config, work, metrics_port):
        self.binary, self.config, self.work = binary, config, work
        self.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        self.process = None

    def start(self):
        """Starts the daemon and returns seconds from exec to READY=1."""
        notify_path = os.path.join(self.work, "notify.sock")
        if os.path.exists(notify_path):
            os.unlink(notify_path)
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(1.0)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        log = open(os.path.join(self.work, "daemon.log"), "ab")
        started = time.monotonic()
        self.process = subprocess.Popen([self.binary, "run", "--config", self.config],
                                        stdout=log, stderr=log, env=env)
        try:
            while True:
                if self.process.poll() is not None:
                    sys.exit(f"run benchmark: the daemon exited {self.process.returncode} before READY=1; "
                             f"see {self.work}/daemon.log (use --keep)")
                try:
                    message = notify.recv(4096).decode("utf-8", "replace")
                except socket.timeout:
                    continue
                if "READY=1" in message.split("\n"):
                    return time.monotonic() - started
        finally:
            notify.close()

    def stop(self):
        """SIGTERM; returns seconds until the process exited."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait()
        return time.monotonic() - started

    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def memory_mib(self):
        """(current RSS, peak RSS) in MiB."""
        values = {}
        with open(f"/proc/{self.process.pid}/status") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) / 1024
        return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)

    def written_bytes(self):
        with open(f"/proc/{self.process.pid}/io") as handle:
            for line in handle:
                if line.startswith("write_bytes:"):
                    return int(line.split()[1])
        return 0

    def polls(self):
        """(all polls, polls whose outcome was `complete`) from the metrics endpoint."""
        try:
            text = urllib.request.urlopen(self.metrics_url, timeout=5).read().decode()
        except OSError:
            return 0, 0
        total = complete = 0
        for line in text.splitlines():
            if line.startswith("palimpsest_polls_total{"):
                value = int(float(line.rsplit(" ", 1)[1]))
                total += value
                if 'outcome="complete"' in line:
                    complete += value
        return total, complete


def folder_bytes(folder):
    """Disk blocks of every file under `folder`."""
    size = 0
    for directory, _, files in os.walk(folder):
        for name in files:
            try:
                size += os.lstat(os.path.join(directory, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return size


def state_bytes(state_dir):
    """What the state keeps, without the WAL's ups and downs: the database's pages in use as a
    reader sees them (WAL included; free pages left out) plus every other file but `-wal`/`-shm`
    and the evidence spool (captures nothing cites yet, collected at most an hour later)."""
    size = 0
    spool = os.path.join(state_dir, "warc", "spool")
    for directory, _, files in os.walk(state_dir):
        if directory == spool or directory.startswith(spool + os.sep):
            continue  # captures nothing cites yet: collected within the hour (docs/state-format.md)
        for name in files:
            if name.startswith("state.sqlite"):
                continue
            try:
                size += os.lstat(os.path.join(directory, name)).st_size
            except FileNotFoundError:
                pass
    try:
        with sqlite3.connect(f"file:{state_dir}/state.sqlite?mode=ro", uri=True) as database:
            pages, free, page_size = (database.execute(f"PRAGMA {name}").fetchone()[0]
                                      for name in ("page_count", "freelist_count", "page_size"))
            size += (pages - free) * page_size
    except sqlite3.Error:
        pass
    return size


def archived_versions(state_dir):
    try:
        with sqlite3.connect(f"file:{state_dir}/state.sqlite?mode=ro", uri=True) as database:
            return database.execute("SELECT count(*) FROM archive").fetchone()[0]
    except sqlite3.Error:
        return None


def seconds(duration):
    match = re.fullmatch(r"(\d+)(s|m|h)", duration)
    if not match:
        sys.exit(f"run benchmark: --interval {duration!r}: write it as 30s, 10m or 1h")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("palimpsest", help="the palimpsest binary (make benchmark-run builds it in release mode)")
    parser.add_argument("--feeds", type=int, default=100_000, help="RSS feeds, one account each (default 100000)")
    parser.add_argument("--items", type=int, default=10, help="items per feed (default 10)")
    parser.add_argument("--interval", default="10m", help="the accounts' poll interval (default 10m; at least 30s)")
    parser.add_argument("--change", type=float, default=0.01, help="share of feeds changed before each steady cycle")
    parser.add_argument("--cycles", type=int, default=1, help="steady cycles measured (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print where it is")
    args = parser.parse_args()
    interval = seconds(args.interval)
    if args.feeds < 1 or args.items < 3 or interval < 30 or not 0 <= args.change <= 1 or args.cycles < 0:
        sys.exit("run benchmark: --feeds >= 1, --items >= 3, --interval >= 30s, --change in 0...1")

    nginx = ensure_nginx()
    work = tempfile.mkdtemp(prefix="palimpsest-run-")
    os.chmod(work, 0o755)  # nginx's workers run as another user and must read the feeds
    root = os.path.join(work, "www")
    os.makedirs(os.path.join(root, "feed"))
    port, metrics_port = free_port(), free_port()
    state_dir = os.path.join(work, "state")
    pid_file = None
    daemon = None
    try:
        print(f"run benchmark: writing {args.feeds} feeds…", file=sys.stderr)
        for index in range(args.feeds):
            write_feed(root, index, args.items, 0)
        pid_file = start_nginx(nginx, work, root, port)
        config = os.path.join(work, "palimpsest.toml")
        with open(config, "w") as handle:
            handle.write(f'[daemon]\nstate_dir = "{state_dir}"\ndeletion_log = "{work}/deletions.jsonl"\n'
                         f'interval = "{args.interval}"\nmetrics_listen = "127.0.0.1:{metrics_port}"\n\n')
            for index in range(args.feeds):
                handle.write(f'[[account]]\nplatform = "feed"\nname = "Feed {index}"\n'
                             f'url = "http://127.0.0.1:{port}/feed/{index}.xml"\n\n')
        print(f"run benchmark: {args.feeds} feeds of {args.items} items on nginx 127.0.0.1:{port}, "
              f"interval {args.interval}; load average {os.getloadavg()[0]:.1f}", file=sys.stderr)

        daemon = Daemon(args.palimpsest, config, work, metrics_port)
        ready_cold = daemon.start()
        first_started = time.monotonic()
        cpu0, written0 = daemon.cpu_seconds(), daemon.written_bytes()
        while True:
            total, complete = daemon.polls()
            if total >= args.feeds:
                break
            if daemon.process.poll() is not None:
                sys.exit(f"run benchmark: the daemon exited {daemon.process.returncode}; see {work}/daemon.log")
            time.sleep(0.5)
        first = (time.monotonic() - first_started, daemon.cpu_seconds() - cpu0,
                 daemon.written_bytes() - written0, daemon.memory_mib()[1], complete)
        print(f"  first cycle: {first[0]:.1f} s, {first[1]:.1f} s CPU, {complete} of {args.feeds} complete",
              file=sys.stderr)

        cycles = []
        for cycle in range(1, args.cycles + 1):
            changed = range(0, args.feeds, max(1, round(1 / args.change))) if args.change > 0 else range(0)
            for index in changed:
                write_feed(root, index, args.items, cycle)
            polls0, cpu0, written0 = daemon.polls()[0], daemon.cpu_seconds(), daemon.written_bytes()
            size0, peak_rss, started = state_bytes(state_dir), 0.0, time.monotonic()
            while time.monotonic() - started < interval:
                time.sleep(1)
                peak_rss = max(peak_rss, daemon.memory_mib()[0])
            wall = time.monotonic() - started
            row = (cycle, len(changed), daemon.polls()[0] - polls0, daemon.cpu_seconds() - cpu0, wall,
                   daemon.memory_mib()[0], peak_rss, daemon.written_bytes() - written0,
                   state_bytes(state_dir) - size0, folder_bytes(os.path.join(state_dir, "warc", "spool")))
            cycles.append(row)
            print(f"  cycle {cycle}: {row[2]} polls, {row[3]:.1f} s CPU in {wall:.0f} s", file=sys.stderr)

        shutdown = daemon.stop()
        versions = archived_versions(state_dir)
        ready_warm = daemon.start()
        daemon.stop()

        mib = 1024 * 1024
        print(f"`palimpsest run` over {args.feeds} loopback RSS feeds ({args.items} items), interval {args.interval}")
        print(f"  start-up, empty state_dir: READY=1 after {ready_cold:.2f} s")
        print(f"  first cycle: {first[0]:.1f} s wall from READY=1, {first[1]:.1f} s CPU, "
              f"{first[2] / mib:.0f} MiB written, peak RSS {first[3]:.0f} MiB, "
              f"{first[4]} of {args.feeds} polls complete")
        if cycles:
            print(f"  {'cycle':<6} {'changed':>8} {'polls':>7} {'CPU s':>7} {'% core':>7} {'RSS MiB':>8} "
                  f"{'written MiB':>12} {'state +MiB':>11} {'+MB/day':>9} {'spool MiB':>10}")
            for cycle, changed, polls, cpu, wall, rss, peak, written, growth, spool in cycles:
                per_day = growth * 86400 / wall / 1e6
                print(f"  {cycle:<6} {changed:>8} {polls:>7} {cpu:>7.1f} {100 * cpu / wall:>6.1f}% "
                      f"{peak:>8.0f} {written / mib:>12.1f} {growth / mib:>11.1f} {per_day:>9.0f} {spool / mib:>10.1f}")
        print(f"  restart: SIGTERM to exit {shutdown:.2f} s; exec to READY=1 {ready_warm:.2f} s "
              f"with {args.feeds} accounts and {versions if versions is not None else '?'} archived versions")
        print(f"  state_dir {folder_bytes(state_dir) / mib:.0f} MiB on disk ({state_bytes(state_dir) / mib:.0f} MiB in use); "
              f"load average during the run {os.getloadavg()[0]:.1f}")
        print("  targets (issue 9, 100,000 feeds at 10m): < 25% of one core, RSS < 500 MiB, "
              "< 100 MB/day, first cycle < 60 s, READY=1 < 10 s")
    finally:
        if daemon and daemon.process and daemon.process.poll() is None:
            daemon.process.kill()
        stop_nginx(pid_file)
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
