#!/usr/bin/env python3
"""Milliseconds from the firmware's entry to a bound DHCP lease, by
wireboot's own clock, on QEMU's user network and on a namespaced network
with dnsmasq (no ping check, no reply delay). Also the wall time from QEMU
start to the lease line. Runs each case N times (default 5) under TCG and
prints medians.

    bench/lease.py [N]
"""
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "test-env"))
from netlab import PREFIX, Lan, dnsmasq_argv  # noqa: E402
from wbqemu import Vm  # noqa: E402

LEASE = re.compile(r"\[\s*([\d.]+) ms\] dhcp: net\d lease .* in (\d+) ms")
BANNER = re.compile(r"banner: ready in ([\d.]+) ms")


def one(vm, netns=None):
    run = vm.start(netns=netns)
    t0 = time.monotonic()
    m = run.wait_for(LEASE.pattern, timeout=60)
    wall = (time.monotonic() - t0) * 1000
    r = run.finish(timeout=60)
    if not m:
        raise SystemExit(f"no lease; see {r.log}")
    b = BANNER.search(r.output)
    return float(m.group(1)), int(m.group(2)), float(b.group(1)), wall


def report(name, rows):
    entry = statistics.median(r[0] for r in rows)
    dhcp = statistics.median(r[1] for r in rows)
    banner = statistics.median(r[2] for r in rows)
    wall = statistics.median(r[3] for r in rows)
    print(f"{name:34s} entry->banner {banner:7.1f} ms  entry->lease {entry:7.1f} ms  "
          f"dhcp exchange {dhcp:5d} ms  qemu start->lease line {wall:7.0f} ms")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for entry in ("pvh", "rom"):
        vm = Vm(entry=entry, name=f"bench-lease-slirp-{entry}",
                netdevs=["user,id=n0,bootfile=x.efi"], nics=["virtio-net-pci,netdev=n0"])
        report(f"q35 {entry}, user network", [one(vm) for _ in range(n)])
    with tempfile.TemporaryDirectory() as w, Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(w, boot="x.efi"))
        time.sleep(0.3)
        for entry in ("pvh", "rom"):
            vm = Vm(entry=entry, name=f"bench-lease-ns-{entry}",
                    netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
                    nics=["virtio-net-pci,netdev=n0"])
            report(f"q35 {entry}, dnsmasq in a netns", [one(vm, lan.ns) for _ in range(n)])


if __name__ == "__main__":
    main()
