#!/usr/bin/env python3
"""Server-side TFTP transfer timing, the same for every client: sniff eth0
(inside a test namespace), note each read request (client port -> file,
time) and the client's last ACK; on SIGTERM print one line per transfer:
    file <name> port <p> seconds <s> acks <n>
Only small client packets are parsed (RRQ, ACK), never the data."""
import signal
import socket
import struct
import sys
import time

flows = {}


def dump(*_):
    for (ip, port), f in flows.items():
        if f["last"]:
            print(f"file {f['file']} port {port} seconds {f['last'] - f['t0']:.6f} acks {f['acks']}",
                  flush=True)
    sys.exit(0)


def main():
    signal.signal(signal.SIGTERM, dump)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0800))
    s.bind((sys.argv[1] if len(sys.argv) > 1 else "eth0", 0))
    while True:
        pkt = s.recv(2048)
        now = time.monotonic()
        if len(pkt) < 14 + 20 + 8 + 4 or pkt[12:14] != b"\x08\x00":
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17 or struct.unpack(">H", ip[6:8])[0] & 0x1fff:
            continue  # not UDP, or a non-first fragment
        src = socket.inet_ntoa(ip[12:16])
        sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
        data = ip[ihl + 8:]
        op = struct.unpack(">H", data[:2])[0]
        if dport == 69 and op == 1:
            name = data[2:].split(b"\0")[0].decode("utf-8", "replace")
            flows[(src, sport)] = {"file": name, "t0": now, "last": 0.0, "acks": 0}
        elif op == 4 and (src, sport) in flows:
            flows[(src, sport)]["last"] = now
            flows[(src, sport)]["acks"] += 1


if __name__ == "__main__":
    main()
