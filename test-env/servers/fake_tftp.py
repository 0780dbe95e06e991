#!/usr/bin/env python3
"""A misbehaving TFTP server for tests (lock-step, honours blksize and
tsize in an OACK). Modes:
  --stop-after N   send blocks 1..N, then go silent (the client must give up)
  --short BYTES    announce the file's real tsize but end the transfer after
                   BYTES (a truncated file)
  --serve NAME     serve only these names (repeatable); others get error 1,
                   file not found
  --error NAME:N   answer error N for NAME (repeatable), e.g. 2, access violation
Serves every requested name (or each --serve name) with the content of
--file. Prints one line per read request, "RRQ <name> <option> <value> ...",
so a test can check what the client asked for and in which order. Runs
inside a test network namespace, bound to --ip:69."""
import argparse
import socket
import struct
import threading


ERRORS = {1: b"File not found", 2: b"Access violation"}


def serve(req, client, data, args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((args.ip, 0))
    s.settimeout(0.5)
    parts = req[2:].split(b"\0")
    opts = {parts[i].lower(): parts[i + 1] for i in range(2, len(parts) - 1, 2)}
    name = parts[0].decode("utf-8", "replace")
    print("RRQ " + " ".join([name] + [f"{k.decode()} {v.decode()}" for k, v in opts.items()]),
          flush=True)
    code = dict(e.rsplit(":", 1) for e in args.error).get(name)
    if code is None and args.serve and name not in args.serve:
        code = 1
    if code is not None:
        code = int(code)
        s.sendto(struct.pack(">HH", 5, code) + ERRORS.get(code, b"error") + b"\0", client)
        return
    blksize = 512
    if opts:
        oack = b""
        if b"blksize" in opts:
            blksize = min(int(opts[b"blksize"]), 1428)
            oack += b"blksize\0%d\0" % blksize
        if b"tsize" in opts:
            oack += b"tsize\0%d\0" % len(data)
        s.sendto(b"\0\x06" + oack, client)
        try:
            s.recvfrom(64)  # ACK 0
        except socket.timeout:
            return
    payload = data[:args.short] if args.short is not None else data
    block = 1
    while True:
        if args.stop_after is not None and block > args.stop_after:
            return  # silence
        chunk = payload[(block - 1) * blksize:block * blksize]
        s.sendto(struct.pack(">HH", 3, block & 0xffff) + chunk, client)
        for _ in range(5):
            try:
                ack, _ = s.recvfrom(64)
                if ack[:2] == b"\0\x04" and struct.unpack(">H", ack[2:4])[0] == block & 0xffff:
                    break
            except socket.timeout:
                s.sendto(struct.pack(">HH", 3, block & 0xffff) + chunk, client)
        if len(chunk) < blksize:
            return
        block += 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ip", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--stop-after", type=int)
    p.add_argument("--short", type=int)
    p.add_argument("--serve", action="append", default=[])
    p.add_argument("--error", action="append", default=[])
    args = p.parse_args()
    data = open(args.file, "rb").read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((args.ip, 69))
    while True:
        req, client = s.recvfrom(1024)
        if req[:2] == b"\0\x01":
            threading.Thread(target=serve, args=(req, client, data, args), daemon=True).start()


if __name__ == "__main__":
    main()
