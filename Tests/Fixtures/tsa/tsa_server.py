"""A throwaway RFC 3161 time-stamp authority on loopback for the tests (issue 10, item 4).

Usage: tsa_server.py FOLDER
FOLDER holds tsa.cnf (an `openssl ts` config naming the TSA key and certificate). Each POST body is
a TimeStampReq; the answer is what `openssl ts -reply` makes of it. The port is written to
FOLDER/ready.json once the server listens; every request is appended to FOLDER/requests.log.
"""
import http.server
import json
import os
import subprocess
import sys
import tempfile

folder = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(os.path.join(folder, "requests.log"), "a") as log:
            log.write("%s %s %d\n" % (self.path, self.headers.get("Content-Type"), len(body)))
        with tempfile.TemporaryDirectory(dir=folder) as work:
            query = os.path.join(work, "q.tsq")
            reply = os.path.join(work, "r.tsr")
            with open(query, "wb") as f:
                f.write(body)
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", os.path.join(folder, "tsa.cnf"), "-queryfile", query,
                 "-out", reply], capture_output=True)
            if done.returncode != 0:
                self.send_response(500)
                self.end_headers()
                self.wfile.write(done.stderr)
                return
            data = open(reply, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(folder, "ready.json.tmp"), "w") as f:
    json.dump({"port": server.server_address[1]}, f)
os.rename(os.path.join(folder, "ready.json.tmp"), os.path.join(folder, "ready.json"))
server.serve_forever()
