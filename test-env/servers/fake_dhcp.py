#!/usr/bin/env python3
"""A scripted DHCP server for tests: answers each DISCOVER with hostile
offers first (an option 43 that lies about its length, a reply without the
magic cookie, an option running past the end) and then the same good offer
twice; answers REQUEST with an ACK. With --plain it is an ordinary server
that names no boot file: one offer per DISCOVER, an ACK per REQUEST.
With --case NAME it is a hostile server of the kind a PixieFail-style audit
would script (test_hostile.py): each DISCOVER gets the case's reply, then,
for the cases marked "+ good" below, an honest offer of --offer with no
boot file (so the client binds on that one and says what it ignored).
  overload-overrun  option 52 = 3 and an option 67 in the file field whose
                    length runs past the field's 128 bytes       + good
  overload-bootfile option 52 = 3: the file field holds option 67 (and a
                    nested option 52, which must be ignored), sname holds
                    option 66; the header names no file           (alone)
  vendor-lying      option 43 whose PXE sub-options lie about their length,
                    in a proxyDHCP offer (no yiaddr, PXEClient)   + good
  many-options      300 options: 250 private ones, 40 DNS servers, then the
                    real ones and option 67                       (alone)
  concat-3396       option 67 in two pieces (RFC 3396): "hostile/" and
                    "split.cfg"                                   (alone)
  concat-too-long   option 67 in two 255-byte pieces: a 510-byte name + good
  file-no-nul       the header's file (128) and sname (64) fields filled
                    with no NUL, no option 67                     (alone)
  yiaddr=A.B.C.D    an offer of address A.B.C.D (broadcast, multicast, ...)
                                                                  + good
  server-id=A.B.C.D an offer whose option 54 is A.B.C.D           + good
  ack-xid           an honest offer naming a boot file; every ACK carries
                    another xid
  ack-chaddr        the same, every ACK for another client's MAC
Records every client packet (hex, one a line) to --record, and what comes
to port 4011 (a PXE boot server's, never answered) to RECORD-4011. Runs inside a
test network namespace, bound to eth0.

    fake_dhcp.py --ip 192.168.77.1 --offer 192.168.77.50 --record FILE [--plain|--case NAME]
"""
import argparse
import select
import socket
import struct

MAGIC = b"\x63\x82\x53\x63"


def opt(code, value):
    return bytes([code, len(value)]) + value


def reply(req, msg_type, yiaddr, server, options=b"", magic=MAGIC, file=b"", sname=b"",
          server_id=None, xid=None, chaddr=None):
    xid = req[4:8] if xid is None else xid
    chaddr = req[28:44] if chaddr is None else chaddr
    head = bytes([2, 1, 6, 0]) + xid + b"\0\0\x80\0" + b"\0" * 4 + socket.inet_aton(yiaddr)
    head += socket.inet_aton(server) + b"\0" * 4 + chaddr + sname.ljust(64, b"\0")
    head += file.ljust(128, b"\0")
    sid = socket.inet_aton(server if server_id is None else server_id)
    body = opt(53, bytes([msg_type])) + opt(54, sid) + options
    return head + magic + body


def good_options():
    boot = b"" if ARGS.plain else opt(67, b"good.efi")
    return (opt(1, socket.inet_aton("255.255.255.0")) + opt(3, socket.inet_aton(ARGS.ip)) +
            opt(51, struct.pack(">I", 600)) + boot + b"\xff")


def plain_options():
    return (opt(1, socket.inet_aton("255.255.255.0")) + opt(3, socket.inet_aton(ARGS.ip)) +
            opt(51, struct.pack(">I", 600)))


def hostile_offers(req):
    """The case's replies to one DISCOVER (see the docstring)."""
    case, ip, good = ARGS.case, ARGS.ip, ARGS.offer
    honest = reply(req, 2, good, ip, plain_options() + b"\xff")
    if case == "overload-overrun":
        file = opt(12, b"x") + b"\x43\xc8" + b"boot.cfg"
        return [reply(req, 2, good, ip, plain_options() + opt(52, b"\x03") + b"\xff",
                      file=file), honest]
    if case == "overload-bootfile":
        file = opt(52, b"\x03") + opt(67, b"overload.cfg") + b"\xff"
        sname = opt(66, b"tftp.invalid") + b"\xff"
        return [reply(req, 2, good, ip, plain_options() + opt(52, b"\x03") + b"\xff",
                      file=file, sname=sname)]
    if case == "vendor-lying":
        # Boot menu (9) claims 200 bytes, then the real end of option 43.
        vendor = opt(6, b"\x08") + b"\x09\xc8\x80\x00\x03abc" + b"\x0a\x40\x00"
        proxy = reply(req, 2, "0.0.0.0", ip, opt(60, b"PXEClient") + opt(43, vendor) + b"\xff")
        return [proxy, honest]
    if case == "many-options":
        junk = b"".join(opt(224 + i % 30, b"\x01") for i in range(250))
        dns = b"".join(opt(6, socket.inet_aton(f"10.0.0.{i}")) for i in range(1, 41))
        return [reply(req, 2, good, ip, junk + dns + plain_options() +
                      opt(67, b"many.cfg") + b"\xff")]
    if case == "concat-3396":
        return [reply(req, 2, good, ip, opt(67, b"hostile/") + plain_options() +
                      opt(67, b"split.cfg") + b"\xff")]
    if case == "concat-too-long":
        return [reply(req, 2, good, ip, opt(67, b"a" * 255) + opt(67, b"b" * 255) +
                      plain_options() + b"\xff"), honest]
    if case == "file-no-nul":
        return [reply(req, 2, good, ip, plain_options() + b"\xff", file=LONG_FILE,
                      sname=b"s" * 64)]
    if case.startswith("yiaddr="):
        return [reply(req, 2, case.split("=")[1], ip, plain_options() + b"\xff"), honest]
    if case.startswith("server-id="):
        return [reply(req, 2, "192.168.77.99", ip, plain_options() + b"\xff",
                      server_id=case.split("=")[1]), honest]
    if case in ("ack-xid", "ack-chaddr"):
        return [reply(req, 2, good, ip, plain_options() + opt(67, b"boot.cfg") + b"\xff")]
    raise SystemExit(f"fake_dhcp: unknown case {case}")


# 128 bytes, no NUL: the whole file field (test_hostile.py knows the name).
LONG_FILE = (b"f" * 100 + b"/no-nul-boot-file.cfg").ljust(128, b"x")


def hostile_ack(req):
    """The case's answer to a REQUEST."""
    ack = plain_options() + opt(67, b"boot.cfg") + b"\xff"
    if ARGS.case == "ack-xid":
        xid = bytes(b ^ 0x5a for b in req[4:8])
        return reply(req, 5, ARGS.offer, ARGS.ip, ack, xid=xid)
    if ARGS.case == "ack-chaddr":
        return reply(req, 5, ARGS.offer, ARGS.ip, ack, chaddr=b"\x02\0\0\0\0\x01" + b"\0" * 10)
    return reply(req, 5, requested(req) or ARGS.offer, ARGS.ip, plain_options() + b"\xff")


def requested(req):
    """Option 50 of a REQUEST, dotted, or None: the ACK echoes it, so a
    client that requested a hostile offer's address is seen binding it."""
    i = 240
    while i + 1 < len(req) and req[i] != 255:
        if req[i] == 0:
            i += 1
            continue
        if req[i] == 50 and req[i + 1] == 4:
            return socket.inet_ntoa(req[i + 2:i + 6])
        i += 2 + req[i + 1]
    return None


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
    s.bind(("0.0.0.0", 67))
    # The PXE boot server's port: recorded to RECORD-4011, never answered.
    s4011 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s4011.bind((ARGS.ip, 4011))
    dst = ("255.255.255.255", 68)
    while True:
        ready, _, _ = select.select([s, s4011], [], [])
        if s4011 in ready:
            with open(ARGS.record + "-4011", "a") as f:
                f.write(s4011.recv(2048).hex() + "\n")
        if s not in ready:
            continue
        req, _ = s.recvfrom(2048)
        with open(ARGS.record, "a") as f:
            f.write(req.hex() + "\n")
        if len(req) < 244 or req[236:240] != MAGIC:
            continue
        types = [req[i + 2] for i in range(240, len(req) - 2) if req[i] == 53 and req[i + 1] == 1]
        kind = types[0] if types else 0
        if kind == 1 and ARGS.case:
            for pkt in hostile_offers(req):
                s.sendto(pkt, dst)
        elif kind == 3 and ARGS.case:
            s.sendto(hostile_ack(req), dst)
        elif kind == 1 and ARGS.plain:
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
    p.add_argument("--case", help="a hostile case (see above)")
    ARGS = p.parse_args()
    main()
