#!/usr/bin/python3
"""Receive speed and receive cost of wireboot's network path: one 256 MiB
file over HTTP from nginx and over TFTP from atftpd (RFC 7440 windowsize),
on the same namespaced tap network, N times each, in one run. Per transfer
it records the firmware's own line (`http: ... in T ms, R MB/s`, the same
for tftp), the 1-minute load average when it started, and the CPU time the
QEMU process spent during the transfer (from the boot-file line to the
summary line, /proc/PID/stat; the whole process and its TCG vCPU thread),
which depends much less on the machine's load than the wall-clock rate
does. With --icount QEMU runs with
`-icount shift=0`: the guest's TSC then counts executed guest
instructions, so the firmware's "T ms" is millions of guest instructions
and the table shows guest instructions per byte instead of MB/s.

    bench/rx_speed.py [--elf build/wireboot.elf] [--n 3] [--mib 256] [--icount]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "test-env"))
from netlab import PREFIX, Lan, dnsmasq_argv  # noqa: E402
from test_http import start_nginx  # noqa: E402
from test_linux import fake_pe, tftp_server_argv  # noqa: E402
from wbqemu import accel  # noqa: E402

IP = f"{PREFIX}.1"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """(utime + stime of the process, of its TCG vCPU thread), in seconds."""
    def stat(path):
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    vcpu = 0.0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/comm") as f:
                if "TCG" in f.read():
                    vcpu += stat(f"/proc/{pid}/task/{t}/stat")
        except FileNotFoundError:
            pass
    return stat(f"/proc/{pid}/stat"), vcpu


def one_fetch(lan, elf, proto, icount, log):
    cmd = ["ip", "netns", "exec", lan.ns, "qemu-system-x86_64", "-accel", accel(), "-M", "q35",
           "-m", "1G", "-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot",
           "-kernel", str(elf), "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
           "-device", "virtio-net-pci,netdev=n0", "-name", "rx,debug-threads=on"]
    if icount:
        cmd += ["-icount", "shift=0"]
    load = os.getloadavg()[0]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, text=True, errors="replace")
    cpu0 = cpu1 = None
    summary = None
    out = []
    pat = re.compile(rf"{proto}: {re.escape(IP)}:big\.bin (\d+\.\d) MiB in (\d+) ms, "
                     r"(\d+\.\d) MB/s")
    for line in p.stdout:
        out.append(line)
        if cpu0 is None and "boot-file" in line:
            cpu0 = cpu_seconds(p.pid)
        m = pat.search(line)
        if m and summary is None:
            cpu1 = cpu_seconds(p.pid)
            summary = m
    p.wait(timeout=60)
    log.write_text("".join(out))
    if summary is None or cpu0 is None:
        raise SystemExit(f"{proto}: no summary line; see {log}")
    mib, ms, rate = float(summary.group(1)), int(summary.group(2)), float(summary.group(3))
    return {"load": load, "ms": ms, "rate": rate, "bytes": mib * 1048576,
            "cpu_ms_per_mib": (cpu1[0] - cpu0[0]) * 1000 / mib,
            "vcpu_ms_per_mib": (cpu1[1] - cpu0[1]) * 1000 / mib}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elf", default=str(ROOT / "build" / "wireboot.elf"))
    ap.add_argument("--n", type=int, default=3)
    ap.add_argument("--mib", type=int, default=256)
    ap.add_argument("--icount", action="store_true")
    ap.add_argument("--protos", default="http,tftp")
    a = ap.parse_args()
    elf = Path(a.elf).resolve()
    rows = {}
    with tempfile.TemporaryDirectory() as w:
        w = Path(w)
        root = w / "root"
        root.mkdir()
        data = bytearray(os.urandom(a.mib << 20))
        pe = fake_pe()
        data[:len(pe)] = pe
        (root / "big.bin").write_bytes(data)
        del data
        os.chmod(root, 0o755)
        os.chmod(w, 0o755)
        for proto in a.protos.split(","):
            (w / proto).mkdir()
            with Lan() as lan:
                srv = lan.host("srv", IP)
                if proto == "http":
                    start_nginx(lan, srv, w / proto, root)
                    boot = f"http://{IP}/big.bin"
                else:
                    lan.spawn(srv, tftp_server_argv("atftpd", root))
                    boot = "big.bin"
                lan.spawn(srv, dnsmasq_argv(w / proto, boot=boot))
                time.sleep(0.5)
                runs = []
                for i in range(a.n):
                    r = one_fetch(lan, elf, proto, a.icount, w / f"{proto}-{i}.log")
                    runs.append(r)
                    if a.icount:
                        what = f"{r['ms'] * 1e6 / r['bytes']:.2f} guest insn/byte"
                    else:
                        what = f"{r['rate']:.1f} MB/s"
                    print(f"{proto} run {i + 1}: load {r['load']:.1f}, {what}, QEMU CPU "
                          f"{r['cpu_ms_per_mib']:.1f} ms/MiB (vCPU thread "
                          f"{r['vcpu_ms_per_mib']:.1f})", flush=True)
                rows[proto] = runs
    print(f"\n{Path(elf).name}: {a.mib} MiB, q35, {accel()}"
          f"{', -icount shift=0' if a.icount else ''}, median of {a.n}")
    for proto, runs in rows.items():
        med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
        loads = ", ".join(f"{r['load']:.1f}" for r in runs)
        if a.icount:
            what = f"{statistics.median(r['ms'] * 1e6 / r['bytes'] for r in runs):.2f} insn/byte"
        else:
            what = f"{med('rate'):.1f} MB/s"
        print(f"{proto:5s} {what:>18s}  QEMU CPU {med('cpu_ms_per_mib'):5.1f} ms/MiB, vCPU "
              f"thread {med('vcpu_ms_per_mib'):5.1f} ms/MiB  (load {loads})")


if __name__ == "__main__":
    main()
