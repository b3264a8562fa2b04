"""What the loopback benchmarks share: nginx on 127.0.0.1 (installed from Debian when missing) and
free ports. Used by Scripts/peer_benchmark.py, Scripts/run_benchmark.py,
Scripts/unchanged_cycles.py and Scripts/link_order.py; nothing here leaves the
machine once nginx is installed."""
import os
import shutil
import socket
import subprocess
import sys
import time


def run_quietly(command, **kwargs):
    """Runs `command` with its output discarded but its stderr kept for error messages."""
    return subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kwargs)


def apt_install(package):
    """Installs Debian's `package` with apt-get (through sudo when not root); exits with what to do
    when that fails."""
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    print(f"benchmark: installing {package} (apt-get)…", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
        result = run_quietly(prefix + step, env=env)
        if result.returncode != 0:
            sys.exit(f"benchmark: `{' '.join(step)}` failed: {result.stderr.strip()}\n"
                     f"Install {package} yourself (apt-get install {package}) and run again.")


def ensure_nginx():
    """Path of the nginx binary, installing Debian's nginx-light when there is none."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if found:
        return found
    apt_install("nginx-light")
    return shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_nginx(nginx, work, root, port, conditional=True):
    """Starts nginx serving `root` on 127.0.0.1:`port` (ETag and Last-Modified on, so conditional
    GETs answer 304), its files in `work`; returns its pid file once it listens. With
    `conditional=False` it sends no ETag and ignores If-Modified-Since: every answer is a 200 with
    the whole file."""
    validators = "etag on;" if conditional else "etag off; if_modified_since off;"
    config = os.path.join(work, "nginx.conf")
    with open(config, "w") as handle:
        handle.write(f"""worker_processes 1;
daemon on;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx-body;
  proxy_temp_path {work}/nginx-proxy;
  fastcgi_temp_path {work}/nginx-fastcgi;
  uwsgi_temp_path {work}/nginx-uwsgi;
  scgi_temp_path {work}/nginx-scgi;
  types {{ application/rss+xml xml; }}
  keepalive_requests 100000;
  server {{ listen 127.0.0.1:{port}; root {root}; {validators} }}
}}
""")
    result = run_quietly([nginx, "-c", config, "-e", os.path.join(work, "nginx-error.log")])
    if result.returncode != 0:
        result = run_quietly([nginx, "-c", config])
    if result.returncode != 0:
        sys.exit(f"benchmark: nginx did not start: {result.stderr.strip()}")
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return os.path.join(work, "nginx.pid")
        except OSError:
            time.sleep(0.05)
    sys.exit("benchmark: nginx did not listen")


def stop_nginx(pid_file):
    """Stops the nginx started by ``start_nginx`` (its pid file), if it runs."""
    if pid_file and os.path.exists(pid_file):
        try:
            os.kill(int(open(pid_file).read().strip()), 15)
        except (OSError, ValueError):
            pass
