#!/usr/bin/env python3
"""A scripted DHCP server for tests: answers each DISCOVER with hostile
offers first (an option 43 that lies about its length, a reply without the
magic cookie, an option running past the end) and then the same good offer
twice; answers REQUEST with an ACK. With --plain it is an ordinary server
that names no boot file: one offer per DISCOVER, an ACK per REQUEST.
Records every client packet (hex, one a line) to --record. Runs inside a
test network namespace, bound to eth0.

    fake_dhcp.py --ip 192.168.77.1 --offer 192.168.77.50 --record FILE [--plain]
"""
import argparse
import socket
import struct

MAGIC = b"\x63\x82\x53\x63"


def opt(code, value):
    return bytes([code, len(value)]) + value


def reply(req, msg_type, yiaddr, server, options=b"", magic=MAGIC, file=b""):
    xid, chaddr = req[4:8], req[28:44]
    head = bytes([2, 1, 6, 0]) + xid + b"\0\0\x80\0" + b"\0" * 4 + socket.inet_aton(yiaddr)
    head += socket.inet_aton(server) + b"\0" * 4 + chaddr + b"\0" * 64
    head += file.ljust(128, b"\0")
    body = opt(53, bytes([msg_type])) + opt(54, socket.inet_aton(server)) + options
    return head + magic + body


def good_options():
    boot = b"" if ARGS.plain else opt(67, b"good.efi")
    return (opt(1, socket.inet_aton("255.255.255.0")) + opt(3, socket.inet_aton(ARGS.ip)) +
            opt(51, struct.pack(">I", 600)) + boot + b"\xff")


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
    s.bind(("0.0.0.0", 67))
    dst = ("255.255.255.255", 68)
    while True:
        req, _ = s.recvfrom(2048)
        with open(ARGS.record, "a") as f:
            f.write(req.hex() + "\n")
        if len(req) < 244 or req[236:240] != MAGIC:
            continue
        types = [req[i + 2] for i in range(240, len(req) - 2) if req[i] == 53 and req[i + 1] == 1]
        kind = types[0] if types else 0
        if kind == 1 and ARGS.plain:
            s.sendto(reply(req, 2, ARGS.offer, ARGS.ip, good_options()), dst)
        elif kind == 1:  # DISCOVER
            lying43 = reply(req, 2, ARGS.offer, ARGS.ip, b"\x2b\xc8\x01\x02\x03")
            no_magic = reply(req, 2, ARGS.offer, ARGS.ip, good_options(), magic=b"\0\0\0\0")
            past_end = reply(req, 2, ARGS.offer, ARGS.ip, opt(1, b"\xff\xff\xff\x00") + b"\x42")
            good = reply(req, 2, ARGS.offer, ARGS.ip, good_options())
            for pkt in (lying43, no_magic, past_end, good, good):
                s.sendto(pkt, dst)
        elif kind == 3:  # REQUEST
            s.sendto(reply(req, 5, ARGS.offer, ARGS.ip, good_options()), dst)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--ip", required=True)
    p.add_argument("--offer", required=True)
    p.add_argument("--record", required=True)
    p.add_argument("--plain", action="store_true", help="one honest offer, no boot file")
    ARGS = p.parse_args()
    main()
