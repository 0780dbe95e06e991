#!/usr/bin/env python3
"""A scripted HTTP/1.1 server for what nginx will not do on demand.

Serves one file (--file) under paths whose first part says how to
misbehave; every request is logged to stdout as "REQ <method> <path>
range=<Range or ->" so tests can check what the client asked for.

    /file/NAME      the file, honestly: keep-alive, Range answered with 206
    /chunked/NAME   the file in chunks of varying size (no Content-Length)
    /redirect/a     302 -> "b" (relative), 301 -> absolute /redirect/c,
                    307 -> "/file/NAME" (absolute path)
    /loop/a         302 -> /loop/b, which 302s back to http://host/loop/a
    /https/a        301 -> https://host/file/NAME
    /short/NAME     Content-Length of the file, then FIN --short bytes early;
                    a Range request is answered honestly (206)
    /long/NAME      Content-Length 1000, then 1100 bytes in one write
    /cut/NAME       half the file, then RST; a Range request gets 206
    /norange/NAME   half the file, then RST; a Range request gets the whole
                    file again with 200 (Range ignored)
    /stall/NAME     64 KiB of the file, then nothing, connection open
    anything else   404 with a short body, keep-alive
"""
import argparse
import os
import re
import socket
import struct
import sys
import threading
import time


def log(*a):
    print(*a, flush=True)


class Conn:
    def __init__(self, sock, args, data):
        self.s = sock
        self.args = args
        self.data = data
        self.buf = b""

    def read_request(self):
        while b"\r\n\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
            if len(self.buf) > 65536:
                return None
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        fields = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            fields[k.strip().lower()] = v.strip()
        return method, path, fields

    def send_head(self, status, fields):
        head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n"
        self.s.sendall(head.encode())

    def reset(self):
        """Close with RST (SO_LINGER 0)."""
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.s.close()

    def honest(self, rng):
        """The file, or its Range from rng (bytes=N-), keep-alive."""
        n = len(self.data)
        m = re.fullmatch(r"bytes=(\d+)-", rng or "")
        if m and int(m.group(1)) < n:
            a = int(m.group(1))
            self.send_head("206 Partial Content", [("Content-Length", n - a),
                                                   ("Content-Range", f"bytes {a}-{n - 1}/{n}")])
            self.s.sendall(self.data[a:])
        else:
            self.send_head("200 OK", [("Content-Length", n), ("Accept-Ranges", "bytes")])
            self.s.sendall(self.data)

    def redirect(self, status, where):
        self.send_head(status, [("Location", where), ("Content-Length", 0)])

    def serve(self):
        base = f"http://{self.args.ip}:{self.args.port}"
        while True:
            req = self.read_request()
            if req is None:
                return
            method, path, f = req
            rng = f.get("range")
            log(f"REQ {method} {path} range={rng or '-'}")
            parts = path.strip("/").split("/")
            mode = parts[0] if len(parts) == 2 else ""
            n = len(self.data)
            if mode == "file":
                self.honest(rng)
            elif mode == "chunked":
                self.send_head("200 OK", [("Transfer-Encoding", "chunked")])
                pos, size = 0, 1
                out = []
                while pos < n:
                    k = min(size, n - pos)
                    out.append(b"%x;ext=1\r\n" % k + self.data[pos:pos + k] + b"\r\n")
                    pos += k
                    size = size * 3 + 7 if size < 200000 else 1
                out.append(b"0\r\nX-Trailer: yes\r\n\r\n")
                self.s.sendall(b"".join(out))
            elif path == "/redirect/a":
                self.redirect("302 Found", "b")
            elif path == "/redirect/b":
                self.redirect("301 Moved Permanently", f"{base}/redirect/c")
            elif path == "/redirect/c":
                self.redirect("307 Temporary Redirect", f"/file/{self.args.name}")
            elif path == "/loop/a":
                self.redirect("302 Found", "/loop/b")
            elif path == "/loop/b":
                self.redirect("302 Found", f"{base}/loop/a")
            elif path == "/https/a":
                self.redirect("301 Moved Permanently", f"https://{self.args.ip}/file/x")
            elif mode == "short" and not rng:
                self.send_head("200 OK", [("Content-Length", n)])
                self.s.sendall(self.data[:n - self.args.short])
                self.s.shutdown(socket.SHUT_WR)
                time.sleep(1)
                return
            elif mode == "long":
                self.send_head("200 OK", [("Content-Length", 1000)])
                self.s.sendall(self.data[:1100])
            elif mode in ("cut", "norange") and not rng:
                self.send_head("200 OK", [("Content-Length", n)])
                self.s.sendall(self.data[:n // 2])
                time.sleep(1)  # let it reach the client: RST drops what is unsent
                self.reset()
                return
            elif mode == "norange":
                self.send_head("200 OK", [("Content-Length", n)])
                self.s.sendall(self.data)
            elif mode in ("short", "cut"):
                self.honest(rng)
            elif mode == "stall":
                self.send_head("200 OK", [("Content-Length", n)])
                self.s.sendall(self.data[:65536])
                time.sleep(120)
                return
            else:
                body = b"no such file here\n"
                self.send_head("404 Not Found", [("Content-Length", len(body))])
                self.s.sendall(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ip", required=True)
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--file", required=True)
    ap.add_argument("--short", type=int, default=5000, help="bytes /short/ leaves out")
    args = ap.parse_args()
    with open(args.file, "rb") as fh:
        data = fh.read()
    args.name = os.path.basename(args.file)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.ip, args.port))
    srv.listen(16)
    log(f"listening on {args.ip}:{args.port}, {len(data)} bytes")

    def run(sock):
        try:
            Conn(sock, args, data).serve()
        except OSError as e:
            log(f"connection: {e}")
        finally:
            try:
                sock.close()
            except OSError:
                pass

    while True:
        sock, _ = srv.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=run, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
