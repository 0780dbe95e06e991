#!/usr/bin/env python3
"""What one dnsmasq + atftpd pays per network-booted VM, and how that
changes with the number of VMs booting at once: for each N, N q35 VMs
(half PVH, half ROM, 256 MiB) start together on one namespaced bridge and
boot Debian's kernel + busybox initrd from pxelinux.cfg/default
(test-env/test_scale.py does the booting and checks every VM). Prints one
row per N: VMs booted, wall time and load average, the frames and bytes the
server sent and received, dnsmasq's and atftpd's CPU time, the QEMUs' CPU
time (each divided by N), and the DHCP exchange and transfer times the VMs
measured. Needs root (network namespaces).

    bench/scale.py [N ...]        (default: 1 4 8 16)
        [--blksize B]             wireboot asks for B-byte TFTP blocks
                                  (tftp_blksize; default 65464)
        [--window W]              and a window of W blocks (tftp_windowsize)
        [--maxthread M]           atftpd serves at most M transfers at once
                                  (its --maxthread; default 100)
"""
import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "test-env"))
from test_scale import cost_line, print_table, run_rounds  # noqa: E402


def main(argv):
    ap = argparse.ArgumentParser(description="per-VM server cost of network boots at once")
    ap.add_argument("counts", nargs="*", type=int, default=[1, 4, 8, 16])
    ap.add_argument("--blksize", type=int)
    ap.add_argument("--window", type=int)
    ap.add_argument("--maxthread", type=int)
    args = ap.parse_args(argv)
    how = {}
    config = ""
    if args.blksize:
        config += f"tftp_blksize={args.blksize}\n"
    if args.window:
        config += f"tftp_windowsize={args.window}\n"
    if config:
        how["config"] = config
    if args.maxthread:
        how["tftpd_extra"] = ("--maxthread", str(args.maxthread))
    rows = []
    with tempfile.TemporaryDirectory(prefix="wbscale") as w:
        for n in args.counts:
            for _, run, failures, c in run_rounds(n, 1, Path(w) / f"n{n}", f"scale{n}", **how):
                print(f"{n - len(failures)} of {n} booted; " + cost_line(c), flush=True)
                for name, why in failures.items():
                    print(f"  {name}: " + "; ".join(why), flush=True)
                rows.append((c, n - len(failures)))
    print_table(rows)


if __name__ == "__main__":
    main(sys.argv[1:])
