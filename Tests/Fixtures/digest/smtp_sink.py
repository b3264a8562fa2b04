#!/usr/bin/env python3
"""A loopback SMTP server for Palimpsest's digest tests (needs aiosmtpd: pip install aiosmtpd).

Listens on 127.0.0.1 on a free port, requires AUTH (PLAIN or LOGIN, allowed without TLS because it
only listens on loopback) with the given user and password, and stores every message it accepts as
DIR/message-N.eml (the bytes received) and DIR/message-N.json (envelope sender, recipients, login).
Writes DIR/ready.json with {"port": N} once it accepts connections. Exits after --lifetime seconds or
when DIR/stop appears, whichever comes first, so it never outlives a test that forgot it.
"""
import argparse
import json
import os
import socket
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def write_atomically(path, data):
    with open(path + ".tmp", "wb") as handle:
        handle.write(data)
    os.rename(path + ".tmp", path)


class Handler:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, "message-%d" % self.count)
        write_atomically(base + ".eml", envelope.original_content or envelope.content)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "login": session.auth_data}
        write_atomically(base + ".json", json.dumps(meta).encode())
        return "250 2.0.0 stored as message-%d" % self.count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--lifetime", type=float, default=60)
    args = parser.parse_args()
    # Plain-text AUTH is what this loopback test server is for.
    warnings.filterwarnings("ignore")

    def authenticate(server, session, envelope, mechanism, auth_data):
        if (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == args.user
            and auth_data.password.decode() == args.password
        ):
            return AuthResult(success=True, auth_data=args.user)
        return AuthResult(success=False, handled=False)

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(
        Handler(args.dir),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    write_atomically(os.path.join(args.dir, "ready.json"), json.dumps({"port": port}).encode())
    deadline = time.monotonic() + args.lifetime
    try:
        while time.monotonic() < deadline and not os.path.exists(os.path.join(args.dir, "stop")):
            time.sleep(0.05)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
