#!/usr/bin/env python3
"""A misbehaving TFTP server for tests (lock-step, honours blksize and
tsize in an OACK). Modes:
  --stop-after N   send blocks 1..N, then go silent (the client must give up)
  --short BYTES    announce the file's real tsize but end the transfer after
                   BYTES (a truncated file)
  --serve NAME     serve only these names (repeatable); others get error 1,
                   file not found
  --error NAME:N   answer error N for NAME (repeatable), e.g. 2, access violation
Hostile modes (test_hostile.py), each what a PixieFail-style audit tries:
  --oack K=V,...   answer the request with exactly this OACK (K=V pairs, or
                   "raw:HEX" for bytes as given), whatever was asked; then
                   serve with the blksize it names (512 if none or absurd)
  --oack-after-data  send an OACK again after block 1 and after block 2
  --spoof          before every DATA, send a DATA with the same block number
                   and other bytes from another port (a forged TID); print
                   "STRANGER <opcode> <code>" for what that port gets back
  --jump           before every DATA, send blocks 1000 ahead and 1000 behind
                   (other bytes), out of any window
  --oversize N     send block N with 100 bytes more than the block size
  --error-no-nul   answer every request with error 2 and a 300-byte message
                   holding control bytes and no terminating NUL
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
    if args.error_no_nul:
        msg = (b"denied \x1b[31m\x07" + b"A" * 300)[:300]
        s.sendto(struct.pack(">HH", 5, 2) + msg, client)
        return
    blksize = 512
    if args.oack is not None:
        oack = forced_oack(args.oack)
        s.sendto(b"\0\x06" + oack, client)
        parts = oack.split(b"\0")
        given = dict(zip(parts[0::2], parts[1::2]))
        try:
            blksize = int(given.get(b"blksize", b"512"))
        except ValueError:
            blksize = 512
        blksize = blksize if 8 <= blksize <= 65464 else 512
        try:
            s.recvfrom(64)  # ACK 0, or the client's error
        except socket.timeout:
            return
    elif opts:
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
    stranger = None
    if args.spoof:
        stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        stranger.bind((args.ip, 0))
        stranger.settimeout(0.2)
    block = 1
    while True:
        if args.stop_after is not None and block > args.stop_after:
            return  # silence
        chunk = payload[(block - 1) * blksize:block * blksize]
        if args.oversize == block:
            chunk = chunk.ljust(blksize + 100, b"#")
        garbage = b"\xee" * len(chunk)
        if stranger:
            stranger.sendto(struct.pack(">HH", 3, block & 0xffff) + garbage, client)
            try:
                back, _ = stranger.recvfrom(512)
                print("STRANGER %d %d" % struct.unpack(">HH", back[:4]), flush=True)
            except socket.timeout:
                print("STRANGER no answer", flush=True)
        if args.jump:
            for b in (block + 1000, block - 1000):
                s.sendto(struct.pack(">HH", 3, b & 0xffff) + garbage, client)
        s.sendto(struct.pack(">HH", 3, block & 0xffff) + chunk, client)
        if args.oack_after_data and block <= 2:
            s.sendto(b"\0\x06blksize\x0099\0", client)
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


def forced_oack(spec):
    """The OACK body --oack names: "k=v,k=v" or "raw:HEX"."""
    if spec.startswith("raw:"):
        return bytes.fromhex(spec[4:])
    out = b""
    for kv in filter(None, spec.split(",")):
        k, v = kv.split("=", 1)
        out += k.encode() + b"\0" + v.encode() + b"\0"
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ip", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--stop-after", type=int)
    p.add_argument("--short", type=int)
    p.add_argument("--serve", action="append", default=[])
    p.add_argument("--error", action="append", default=[])
    p.add_argument("--oack")
    p.add_argument("--oack-after-data", action="store_true")
    p.add_argument("--spoof", action="store_true")
    p.add_argument("--jump", action="store_true")
    p.add_argument("--oversize", type=int)
    p.add_argument("--error-no-nul", action="store_true")
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
