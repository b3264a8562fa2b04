#!/usr/bin/env python3
"""Palimpsest against urlwatch 2.29, side by side on one loopback nginx (issue 9, target 1).

usage: Scripts/peer_benchmark.py PATH/TO/palimpsest [--feeds N] [--items N] [--rounds N]
                                  [--venv DIR] [--keep]

What it measures: one *steady* poll cycle over N RSS feeds (20 items of about 800 bytes each, so
about 16 KB per feed, Chinese and Latin text mixed), after a first cycle has seen every feed, in
which every tenth feed lost one item. Both tools fetch the same files from the same nginx on
127.0.0.1; each cycle is one process (`palimpsest poll`, `urlwatch`), and its CPU seconds
(user + sys) and peak RSS come from the kernel (wait4). Each round removes one more item from
every tenth feed and measures both tools again; the ratios printed are medians over the rounds.

What it installs when missing: nginx (Debian's `nginx-light`, through apt-get, with sudo when not
root) and urlwatch 2.29 in a virtualenv (`--venv`, default `.build/peer-venv` beside this
script's repository). Nothing leaves the machine once they are installed.

The machine is shared and noisy: read ratios, not absolute times, and run it more than once.
"""
import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench_support import ensure_nginx, free_port, run_quietly, start_nginx, stop_nginx

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URLWATCH_VERSION = "2.29"
TEXT = ("市政府发布关于城市交通管理的最新通知，请市民留意出行安排。"
        "The city council published a notice on road works and the weather for the week. ") * 3


def ensure_urlwatch(venv):
    """Path of urlwatch 2.29 in the virtualenv `venv`, creating it when missing."""
    binary = os.path.join(venv, "bin", "urlwatch")
    if os.path.exists(binary):
        version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
        if URLWATCH_VERSION in version:
            return binary
    print(f"peer benchmark: installing urlwatch {URLWATCH_VERSION} in {venv}…", file=sys.stderr)
    for step in ([sys.executable, "-m", "venv", venv],
                 [os.path.join(venv, "bin", "pip"), "install", "-q", f"urlwatch=={URLWATCH_VERSION}"]):
        result = run_quietly(step)
        if result.returncode != 0:
            sys.exit(f"peer benchmark: `{' '.join(step)}` failed: {result.stderr.strip()}\n"
                     "Python's venv module is in Debian's python3-venv package.")
    return binary


def write_feeds(root, feeds, items, port, removed):
    """Writes feed/<i>.xml for every feed; in every tenth feed the items numbered in `removed`
    are left out (item 0 is the newest)."""
    folder = os.path.join(root, "feed")
    os.makedirs(folder, exist_ok=True)
    start = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.timezone.utc)
    for index in range(feeds):
        entries = []
        for item in range(items):
            if index % 10 == 0 and item in removed:
                continue
            posted = start - datetime.timedelta(minutes=41 * item + index % 50)
            entries.append(
                f"<item><title>Account {index}, post {item}</title>"
                f"<link>http://127.0.0.1:{port}/post/{index}/{item}</link>"
                f'<guid isPermaLink="false">account-{index}-post-{item}</guid>'
                f"<pubDate>{posted.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
                f"<description><![CDATA[<p>{TEXT} ({index}/{item})</p>]]></description></item>")
        document = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                    f"<title>Account {index}</title><link>http://127.0.0.1:{port}/account/{index}</link>"
                    f"<description>Synthetic account {index}</description>\n"
                    + "\n".join(entries) + "\n</channel></rss>\n")
        with open(os.path.join(folder, f"{index}.xml"), "w", encoding="utf-8") as handle:
            handle.write(document)


def write_config(path, work, port, feeds, state="state", log="deletions.jsonl", interval="10m"):
    """Writes a palimpsest config watching the `feeds` loopback feeds of ``write_feeds``, its state
    folder and deletion log named `state` and `log` inside `work`."""
    with open(path, "w") as handle:
        handle.write(f'[daemon]\nstate_dir = "{work}/{state}"\ndeletion_log = "{work}/{log}"\n'
                     f'interval = "{interval}"\n\n')
        for index in range(feeds):
            handle.write(f'[[account]]\nplatform = "feed"\nname = "Account {index}"\n'
                         f'url = "http://127.0.0.1:{port}/feed/{index}.xml"\n\n')


def measured(command, log):
    """Runs `command`; returns (CPU seconds, peak RSS MiB, wall seconds, exit status)."""
    started = time.monotonic()
    with open(log, "ab") as output:
        process = subprocess.Popen(command, stdout=output, stderr=output)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, wall, os.waitstatus_to_exitcode(status)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("palimpsest", help="the palimpsest binary (make benchmark-peer builds it in release mode)")
    parser.add_argument("--feeds", type=int, default=2000, help="RSS feeds, one account each (default 2000)")
    parser.add_argument("--items", type=int, default=20, help="items per feed (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="steady cycles measured per tool (default 3)")
    parser.add_argument("--venv", default=os.path.join(REPOSITORY, ".build", "peer-venv"),
                        help="virtualenv for urlwatch (default .build/peer-venv)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print where it is")
    args = parser.parse_args()
    if args.rounds < 1 or args.rounds > args.items - 3 or args.feeds < 1:
        sys.exit("peer benchmark: --feeds must be positive and --rounds between 1 and items - 3")

    nginx = ensure_nginx()
    urlwatch = ensure_urlwatch(os.path.abspath(args.venv))
    work = tempfile.mkdtemp(prefix="palimpsest-peer-")
    os.chmod(work, 0o755)  # nginx's workers run as another user and must read the feeds
    root = os.path.join(work, "www")
    port = free_port()
    pid_file = None
    try:
        write_feeds(root, args.feeds, args.items, port, removed=set())
        pid_file = start_nginx(nginx, work, root, port)
        write_config(os.path.join(work, "palimpsest.toml"), work, port, args.feeds)
        with open(os.path.join(work, "urls.yaml"), "w") as handle:
            for index in range(args.feeds):
                handle.write(f"---\nname: Account {index}\nurl: http://127.0.0.1:{port}/feed/{index}.xml\n")
        with open(os.path.join(work, "urlwatch.yaml"), "w") as handle:
            handle.write("display: {new: true, error: true, unchanged: false}\n"
                         "report:\n  text: {line_length: 75, details: true, footer: false, minimal: false}\n"
                         "  stdout: {enabled: true, color: false}\n  html: {enabled: false}\n"
                         "  email: {enabled: false}\n  markdown: {enabled: false}\n"
                         "job_defaults: {all: {}, shell: {}, url: {}, browser: {}}\n")
        open(os.path.join(work, "hooks.py"), "w").close()
        log = os.path.join(work, "output.log")
        palimpsest_command = [args.palimpsest, "poll", "--config", os.path.join(work, "palimpsest.toml")]
        urlwatch_command = [urlwatch, "--urls", os.path.join(work, "urls.yaml"),
                            "--config", os.path.join(work, "urlwatch.yaml"),
                            "--cache", os.path.join(work, "cache.db"), "--hooks", os.path.join(work, "hooks.py")]

        print(f"peer benchmark: {args.feeds} feeds of {args.items} items on nginx 127.0.0.1:{port}; "
              f"first cycle of each tool (not measured)…", file=sys.stderr)
        for name, command in (("palimpsest", palimpsest_command), ("urlwatch", urlwatch_command)):
            if measured(command, log)[3] != 0:
                args.keep = True
                sys.exit(f"peer benchmark: the first {name} cycle failed; see {log} (kept)")
            if name == "palimpsest":
                # Figures of blind polls would measure nothing the comparison is about.
                with open(log, encoding="utf-8", errors="replace") as handle:
                    complete = sum(1 for line in handle if ": complete: " in line)
                if complete != args.feeds:
                    args.keep = True
                    sys.exit(f"peer benchmark: only {complete} of {args.feeds} feeds were read completely "
                             f"in the first cycle; see {log} (kept)")

        rows = []
        for round_number in range(1, args.rounds + 1):
            # Every tenth feed loses one more item; both tools see the same change.
            write_feeds(root, args.feeds, args.items, port, removed=set(range(2, 2 + round_number)))
            palimpsest = measured(palimpsest_command, log)
            peer = measured(urlwatch_command, log)
            if palimpsest[3] != 0:
                sys.exit(f"peer benchmark: palimpsest poll exited {palimpsest[3]}; see {log}")
            rows.append((round_number, palimpsest, peer))
            print(f"  round {round_number}: palimpsest {palimpsest[0]:.2f} s CPU, {palimpsest[1]:.0f} MiB; "
                  f"urlwatch {peer[0]:.2f} s CPU, {peer[1]:.0f} MiB", file=sys.stderr)

        events = 0
        with open(os.path.join(work, "deletions.jsonl"), encoding="utf-8") as handle:
            events = sum(1 for line in handle if '"event":"deleted"' in line.replace(" ", ""))
        print(f"Steady poll cycle over {args.feeds} loopback RSS feeds ({args.items} items each), "
              f"every tenth feed lost an item; one process per cycle")
        print(f"  {'round':<6} {'tool':<11} {'CPU s':>8} {'peak RSS MiB':>13} {'wall s':>8}")
        for round_number, palimpsest, peer in rows:
            for name, figures in (("palimpsest", palimpsest), ("urlwatch", peer)):
                print(f"  {round_number:<6} {name:<11} {figures[0]:>8.2f} {figures[1]:>13.1f} {figures[2]:>8.2f}")
        cpu = statistics.median(peer[0] / max(p[0], 1e-3) for _, p, peer in rows)
        memory = statistics.median(peer[1] / max(p[1], 1e-3) for _, p, peer in rows)
        wall = statistics.median(peer[2] / max(p[2], 1e-3) for _, p, peer in rows)
        print(f"  median ratios urlwatch / palimpsest: CPU {cpu:.1f}x, peak memory {memory:.1f}x, wall {wall:.1f}x")
        print(f"  targets (issue 9): CPU >= 30x, peak memory >= 3x; palimpsest logged {events} deletions "
              f"(expected {args.rounds * ((args.feeds + 9) // 10)} once confirmed by its rules)")
    finally:
        stop_nginx(pid_file)
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
