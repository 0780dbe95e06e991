#!/usr/bin/env python3
"""Debian's network loaders, unmodified, on wireboot and on OVMF in one run
(issue 10's speed aim): the DHCP boot file is

  grub   grubnetx64.efi (grub-efi-amd64-bin), which reads grub/grub.cfg
         and the demo kernel + initrd over TFTP with its own stack on the
         firmware's SNP
  shim   shimx64.efi (shim-unsigned), which fetches grubx64.efi (the same
         grubnetx64.efi) through PXE Base Code Mtftp; that GRUB goes on
         as above

from the same servers for every firmware: QEMU's user network (its DHCP
names the boot file, its TFTP serves the tree built by
test-env/test_netboot_loaders.py's grub_tree / shim_tree). Firmwares:
wireboot PVH (-kernel), wireboot reset vector (-bios) and OVMF (Debian's
OVMF_CODE_4M.fd, factory variables each boot). The NIC's option ROM is
off (romfile=): Debian's QEMU would attach iPXE (efi-virtio.rom) to
virtio-net-pci and iPXE would do the PXE boot under OVMF; with it off,
OVMF's own VirtioNetDxe + PXE driver boot the file, the NIC being boot
entry 0 (bootindex) and IPv6 off through fw_cfg so PXEv4 is tried first.

Per case and firmware, the median milliseconds from QEMU start to three
lines on the serial console, timed on the host as the bytes arrive:
GRUB's "Welcome to GRUB!" (the loader runs), GRUB's "Booting `...'" (it
has read grub.cfg and starts fetching the kernel) and the initramfs
marker; the ratio against OVMF. A "direct" row boots the same kernel and
initrd with QEMU's -kernel/-initrd (SeaBIOS, no network boot, no GRUB):
Linux's own share, which every row includes; "above direct" is a row's
time beyond it, and its ratio against OVMF's. For OVMF, when its PXE boot
option starts and when the boot file is downloaded. For wireboot, also
where its time goes,
from its own timestamped lines (milliseconds since its entry point;
PVH's SeaBIOS comes before): the loader fetched and started, GRUB taking
the NIC, ExitBootServices. Every boot's console goes to
build/bench-netloader/.

    bench/netloader_boot.py [N]
"""
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "test-env"))
from test_netboot_loaders import APPEND, GRUBNET, SHIM, grub_tree, shim_tree  # noqa: E402
from benchlib import OVMF_CODE, OVMF_VARS, ovmf_pflash, qemu_base  # noqa: E402
from wbqemu import ELF, ROM, accel  # noqa: E402

DEMO = ROOT / "build" / "demo"
TOKEN = "bench"
MARKER = "WIREBOOT-DEMO: initramfs up"
# Host-timed milestones: (column, bytes on the console).
MILESTONES = (("grub", b"Welcome to GRUB!"), ("config", b"Booting `wireboot demo'"),
              ("marker", MARKER.encode()),
              # OVMF's boot manager starts its PXE boot option; the NBP
              # (the DHCP boot file) is in memory.
              ("pxe", b">>Start PXE over IPv4"), ("nbp", b"NBP file downloaded successfully"))
CASES = {"grub": "grubnetx64.efi", "shim": "shimx64.efi"}
FIRMWARES = ("wireboot-pvh", "wireboot-rom", "ovmf", "direct")
# wireboot's own lines: (column, regex); its clock starts at its entry.
WB_LINES = (("loader started", r"\[\s*([\d.]+) ms\] efi: starting (?:grubnetx64|shimx64)\.efi"),
            ("GRUB took NIC", r"\[\s*([\d.]+) ms\] net0: an EFI program took the NIC"),
            ("ExitBootServices", r"\[\s*([\d.]+) ms\] efi: ExitBootServices by"))
TIMEOUT = 300
LOGS = ROOT / "build" / "bench-netloader"  # each boot's console


def qemu_cmd(fw, tree, bootfile, vars_copy):
    nic = "virtio-net-pci,netdev=n0,romfile="  # no iPXE option ROM
    base = qemu_base() + ["-netdev", f"user,id=n0,tftp={tree},bootfile={bootfile}"]
    if fw == "wireboot-pvh":
        return base + ["-device", nic, "-kernel", str(ELF)]
    if fw == "wireboot-rom":
        return base + ["-device", nic, "-bios", str(ROM)]
    if fw == "direct":
        # The floor: QEMU loads the same kernel and initrd itself (SeaBIOS'
        # linuxboot), no firmware network boot, no GRUB.
        return base + ["-device", nic, "-kernel", str(DEMO / "vmlinuz"),
                       "-initrd", str(DEMO / "initrd.img"),
                       "-append", f"{APPEND} wb.token={TOKEN}"]
    return base + ["-device", nic + ",bootindex=0"] + ovmf_pflash(vars_copy) + [
        "-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=no"]


def one_boot(fw, tree, bootfile, vars_copy):
    """{milestone: ms from QEMU start} and the console text of one boot."""
    p = subprocess.Popen(qemu_cmd(fw, tree, bootfile, vars_copy), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    t0 = time.monotonic()
    fd = p.stdout.fileno()
    buf, seen = bytearray(), {}
    deadline = t0 + TIMEOUT
    try:
        while "marker" not in seen and time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 1)
            if not r:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break  # QEMU exited
            now = (time.monotonic() - t0) * 1000
            start = max(0, len(buf) - 64)
            buf += chunk
            for name, text in MILESTONES:
                if name not in seen and buf.find(text, start) >= 0:
                    seen[name] = now
        if "marker" in seen:
            # The rest of the marker line (the command line with the token).
            end = time.monotonic() + 5
            while b"\n" not in buf[buf.find(MARKER.encode()):] and time.monotonic() < end:
                if select.select([fd], [], [], 0.5)[0]:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        break
                    buf += chunk
    finally:
        p.kill()
        p.wait()
        p.stdout.close()
    out = buf.decode(errors="replace")
    if "marker" not in seen:
        raise SystemExit(f"{fw} {bootfile}: no initramfs marker in {TIMEOUT} s\n"
                         + "\n".join(out.splitlines()[-30:]))
    m = re.search(re.escape(MARKER) + r"; cmdline: (.*)", out)
    if not m or f"wb.token={TOKEN}" not in m.group(1).split():
        raise SystemExit(f"{fw} {bootfile}: marker without wb.token={TOKEN}\n" + out[-2000:])
    return seen, out


def wb_times(out):
    """wireboot's own timestamps (ms since its entry) of the WB_LINES."""
    got = {}
    for name, rx in WB_LINES:
        m = re.search(rx, out)
        if m:
            got[name] = float(m.group(1))
    return got


def fmt(v):
    return f"{v:.0f} ms" if v is not None else "-"


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for f, pkg in ((GRUBNET, "grub-efi-amd64-bin"), (SHIM, "shim-unsigned"),
                   (OVMF_CODE, "ovmf")):
        if not f.exists():
            sys.exit(f"{f} is missing: install {pkg} (scripts/deps.sh)")
    if not (DEMO / "vmlinuz").exists():
        sys.exit("build/demo is missing: make demo")
    load0 = os.getloadavg()
    versions = set()  # wireboot's banner, in case the build changes under the run
    marks = {(c, fw): [] for c in CASES for fw in FIRMWARES}
    marks.pop(("shim", "direct"))
    wb = {(c, fw): [] for c in CASES for fw in FIRMWARES if fw.startswith("wireboot")}
    with tempfile.TemporaryDirectory() as w:
        w = Path(w)
        trees = {"grub": grub_tree(w / "grub", DEMO, TOKEN),
                 "shim": shim_tree(w / "shim", DEMO, TOKEN)}
        vars_copy = w / "ovmf-vars.fd"
        # Rounds interleave the firmwares, so a change in the machine's
        # load falls on all of them alike.
        for i in range(n):
            for case, bootfile in CASES.items():
                for fw in FIRMWARES:
                    shutil.copy(OVMF_VARS, vars_copy)  # factory variables every boot
                    if fw == "direct" and case != "grub":
                        continue  # no loader: one row serves both cases
                    seen, out = one_boot(fw, trees[case], bootfile, vars_copy)
                    LOGS.mkdir(parents=True, exist_ok=True)
                    (LOGS / f"{case}-{fw}-{i}.log").write_text(out)
                    marks[(case, fw)].append(seen)
                    if fw.startswith("wireboot"):
                        wb[(case, fw)].append(wb_times(out))
                        versions.update(re.findall(r"\] wireboot (\S+)", out))
                    print(f"{case} {fw} run {i}: " + ", ".join(
                        f"{k} {v:.0f} ms" for k, v in seen.items()), file=sys.stderr, flush=True)
    load1 = os.getloadavg()

    def med(rows, key):
        v = [r[key] for r in rows if key in r]
        return statistics.median(v) if v else None

    floor = med(marks[("grub", "direct")], "marker")
    print(f"{'case':6s} {'firmware':14s} {'-> GRUB runs':>13s} {'-> GRUB booting':>16s} "
          f"{'-> initramfs':>13s} {'vs OVMF':>8s} {'above direct':>13s} {'ratio':>8s}")
    for (case, fw), rows in marks.items():
        t = med(rows, "marker")
        base = med(marks[(case, "ovmf")], "marker")
        print(f"{case:6s} {fw:14s} {fmt(med(rows, 'grub')):>13s} "
              f"{fmt(med(rows, 'config')):>16s} {fmt(t):>13s} {t / base:7.2f}x "
              f"{fmt(t - floor):>13s} {(t - floor) / (base - floor):7.2f}x")
    print()
    print("OVMF's PXE boot option (host clock, ms from QEMU start), medians:")
    for case in CASES:
        rows = marks[(case, "ovmf")]
        print(f"{case:6s} PXE starts {fmt(med(rows, 'pxe'))}, "
              f"{CASES[case]} downloaded {fmt(med(rows, 'nbp'))}")
    print()
    print("wireboot's own clock (ms since its entry), medians:")
    print(f"{'case':6s} {'firmware':14s} " + " ".join(f"{k:>17s}" for k, _ in WB_LINES))
    for (case, fw), rows in wb.items():
        print(f"{case:6s} {fw:14s} " + " ".join(f"{fmt(med(rows, k)):>17s}" for k, _ in WB_LINES))
    print(f"(median of {n} runs, q35, 1 GiB, {accel()}, QEMU user network DHCP + TFTP, "
          f"NIC option ROM off; load average at start {load0[0]:.2f} {load0[1]:.2f} "
          f"{load0[2]:.2f}, at end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; "
          f"wireboot {', '.join(sorted(versions))})")


if __name__ == "__main__":
    main()
