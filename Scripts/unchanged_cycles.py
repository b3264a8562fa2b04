#!/usr/bin/env python3
"""Cost of `palimpsest poll` cycles in which nothing changed (issue 9, target 2).

usage: Scripts/unchanged_cycles.py PATH/TO/palimpsest [--feeds N] [--items N] [--cycles N]
                                    [--answers 304|200] [--server nginx|http.server] [--keep]

Serves N RSS feeds of `--items` items on 127.0.0.1, writes a config with one feed account each,
and runs `palimpsest poll --now T` once to look at every feed, then `--cycles` more times, ten
recorded minutes apart, while every feed stays the same.

`--server nginx` (default; Debian's nginx-light is installed with apt-get when missing, as
`make benchmark-peer` does) keeps connections open as real servers do and sends ETag and
Last-Modified; `--server http.server` is Python's http.server, which closes every connection after
one answer (a new TCP connection per poll) and sends Last-Modified only. With `--answers 304`
(default) unchanged feeds answer `304 Not Modified` to If-None-Match / If-Modified-Since; with
`--answers 200` the server ignores them (nginx: no ETag, If-Modified-Since ignored; http.server: no
Last-Modified) and every answer is the same body again.

Prints per cycle: the poll process's CPU seconds (user + sys, from wait4), its peak RSS, the
bytes it made the kernel write to storage (`write_bytes` of /proc/self/io, which includes reaped
children), and the growth of state_dir (bytes of its files, and of the disk blocks they use).
With `--keep` the work folder stays (feeds in www/, state/, palimpsest.toml naming the port), to
run `poll` on it again with the same server on the same port (`--port`). Nothing leaves the
machine. The machine is shared: run it twice and read the second run.
"""
import argparse
import email.utils
import http.server
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_support import ensure_nginx, free_port, start_nginx, stop_nginx  # noqa: E402


def feed_xml(index, items):
    entries = []
    for item in range(items, 0, -1):
        posted = email.utils.format_datetime(
            email.utils.parsedate_to_datetime("Sat, 01 Aug 2026 12:00:00 +0000").replace(minute=item % 60))
        entries.append(
            f"<item><title>Item {item} of feed {index}</title>"
            f"<link>http://feed.example/{index}/items/{item}</link>"
            f"<guid>http://feed.example/{index}/items/{item}</guid><pubDate>{posted}</pubDate>"
            f"<description>&lt;p&gt;Text of item {item} of feed {index}, a sentence or two long as "
            f"most feed items are, with a &lt;a href=\"http://feed.example/{index}/x\"&gt;link&lt;/a&gt;."
            f"&lt;/p&gt;</description></item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Feed {index}</title><link>http://feed.example/{index}/</link><description>bench</description>"
        + "\n".join(entries) + "</channel></rss>\n").encode()


def serve(root, answers, port=0):
    """Python's http.server on 127.0.0.1:`port` (0: any free one), serving `root`; it closes the
    connection after each answer."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=root, **kwargs)

        def log_message(self, *args):
            pass

        def send_header(self, name, value):
            if answers == "200" and name == "Last-Modified":
                return
            super().send_header(name, value)

    http.server.ThreadingHTTPServer.daemon_threads = True
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.request_queue_size = 1024
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def io_written():
    with open("/proc/self/io") as f:
        fields = dict(line.split(": ") for line in f.read().splitlines())
    return int(fields["write_bytes"])


def folder_size(path):
    size = blocks = files = 0
    for folder, _, names in os.walk(path):
        for name in names:
            st = os.lstat(os.path.join(folder, name))
            size += st.st_size
            blocks += st.st_blocks * 512
            files += 1
    return size, blocks, files


def poll_once(palimpsest, config, now):
    """Runs `palimpsest poll --now NOW` once: (exit code, stderr, CPU s, user s, sys s, wall s,
    peak RSS in KiB, bytes written to storage)."""
    written = io_written()
    began = time.monotonic()
    child = subprocess.Popen([palimpsest, "poll", "--config", config, "--now", now, "--log-level", "error"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - began
    written = io_written() - written
    return (os.waitstatus_to_exitcode(status), stderr, usage.ru_utime + usage.ru_stime, usage.ru_utime,
            usage.ru_stime, wall, usage.ru_maxrss, written)


def run_cycles(palimpsest, config, state, cycles):
    """The first cycle and `cycles` unchanged ones, ten recorded minutes apart, one line each;
    `False` when a poll failed."""
    print(f"{'cycle':>5} {'CPU s':>7} {'user':>6} {'sys':>6} {'wall s':>7} {'peak MiB':>8} "
          f"{'written MB':>10} {'state MB':>9} {'growth KB':>10} {'disk growth KB':>14} {'files':>7}")
    previous = (0, 0, 0)
    start = time.mktime((2026, 8, 1, 14, 0, 0, 0, 0, 0)) - time.timezone
    for cycle in range(cycles + 1):
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 600 * cycle))
        code, stderr, cpu, user, system, wall, peak, written = poll_once(palimpsest, config, now)
        size = folder_size(state)
        label = "first" if cycle == 0 else str(cycle)
        print(f"{label:>5} {cpu:7.2f} {user:6.2f} {system:6.2f} "
              f"{wall:7.2f} {peak / 1024:8.0f} {written / 1e6:10.2f} {size[0] / 1e6:9.2f} "
              f"{(size[0] - previous[0]) / 1e3:10.1f} {(size[1] - previous[1]) / 1e3:14.1f} {size[2]:7}")
        previous = size
        if code != 0:
            print(f"poll exited {code}: {stderr.decode(errors='replace')[-2000:]}")
            return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("palimpsest")
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--answers", choices=["304", "200"], default="304")
    parser.add_argument("--server", choices=["nginx", "http.server"], default="nginx")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    nginx = ensure_nginx() if args.server == "nginx" else None
    work = tempfile.mkdtemp(prefix="palimpsest-unchanged-")
    os.chmod(work, 0o755)  # nginx's workers run as another user and must read the feeds
    root = os.path.join(work, "www")
    os.makedirs(os.path.join(root, "feed"))
    body_bytes = 0
    for index in range(args.feeds):
        data = feed_xml(index, args.items)
        body_bytes += len(data)
        with open(os.path.join(root, "feed", f"{index}.xml"), "wb") as f:
            f.write(data)
    server = pid_file = None
    if nginx:
        port = args.port or free_port()
        pid_file = start_nginx(nginx, work, root, port, conditional=args.answers == "304")
    else:
        server = serve(root, args.answers, args.port)
        port = server.server_address[1]
    state = os.path.join(work, "state")
    config = os.path.join(work, "palimpsest.toml")
    with open(config, "w") as f:
        f.write(f'[daemon]\nstate_dir = "{state}"\ndeletion_log = "{work}/deletions.jsonl"\ninterval = "10m"\n\n')
        for index in range(args.feeds):
            f.write(f'[[account]]\nplatform = "feed"\nname = "feed {index}"\n'
                    f'url = "http://127.0.0.1:{port}/feed/{index}.xml"\n\n')
    print(f"{args.feeds} feeds of {args.items} items ({body_bytes / args.feeds / 1024:.1f} KiB each), "
          f"unchanged answers: {args.answers}, server: {args.server} on port {port}; work folder {work}")
    try:
        failed = not run_cycles(args.palimpsest, config, state, args.cycles)
    finally:
        if server:
            server.shutdown()
        stop_nginx(pid_file)
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
