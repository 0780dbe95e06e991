#!/usr/bin/env python3
"""Network-boot the same Debian kernel + busybox initramfs + a 64 MiB
initrd from the same servers (dnsmasq for DHCP, atftpd for TFTP with RFC
7440 windowsize) with wireboot and with SeaBIOS+iPXE (Debian's seabios and
ipxe-qemu), N times each, in one run. Prints, per firmware, the median
milliseconds from QEMU start to the initramfs marker and the TFTP MB/s of
the 64 MiB initrd (timed at the server: read request to last ACK), with
ratios against SeaBIOS+iPXE.

    bench/tftp_boot.py [N] [PAD_MIB] [--fw wireboot-pvh,wireboot-rom,seabios-ipxe]
                       [--elf PATH] [--rom PATH]

--elf/--rom boot another build of wireboot (an older commit's, to compare);
--fw picks the firmwares (the ratio column needs seabios-ipxe).
"""
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "test-env"))
from benchlib import qemu_base, time_to_marker  # noqa: E402
from netlab import PREFIX, Lan, dnsmasq_argv  # noqa: E402
from wbqemu import ELF, ROM, accel  # noqa: E402

MARKER = "WIREBOOT-DEMO: extra initrd file data"
APPEND = "console=ttyS0 quiet panic=-1 wb.poweroff"


def build_tree(tree, pad_mib):
    if not (tree / "initrd-pad.img").exists():
        subprocess.run([str(ROOT / "test-env/payload/mkdemo.sh"), str(tree), str(pad_mib)],
                       check=True)
    (tree / "pxelinux.cfg" / "default").write_text(
        f"DEFAULT linux\nLABEL linux\n KERNEL vmlinuz\n INITRD initrd.img,initrd-pad.img\n"
        f" APPEND {APPEND}\n")
    (tree / "boot.ipxe").write_text(
        f"#!ipxe\nkernel vmlinuz {APPEND}\ninitrd initrd.img\ninitrd initrd-pad.img\nboot\n")


def qemu_cmd(fw, elf=ELF, rom=ROM):
    base = qemu_base() + ["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
                          "-device", "virtio-net-pci,netdev=n0"]
    if fw == "wireboot-pvh":
        return base + ["-kernel", str(elf)]
    if fw == "wireboot-rom":
        return base + ["-bios", str(rom)]
    return base + ["-boot", "n"]  # SeaBIOS + iPXE (efi-virtio.rom)


def one_boot(lan, fw, elf=ELF, rom=ROM):
    cmd = ["ip", "netns", "exec", lan.ns] + qemu_cmd(fw, elf, rom)
    return time_to_marker(cmd, MARKER, fw, timeout=300)


def option(args, name, default):
    if name in args:
        i = args.index(name)
        value = args[i + 1]
        del args[i:i + 2]
        return value
    return default


def main():
    args = sys.argv[1:]
    fws = option(args, "--fw", "wireboot-pvh,wireboot-rom,seabios-ipxe").split(",")
    elf = Path(option(args, "--elf", ELF))
    rom = Path(option(args, "--rom", ROM))
    n = int(args[0]) if len(args) > 0 else 3
    pad = int(args[1]) if len(args) > 1 else 64
    tree = ROOT / "build" / f"bench-tree-{pad}"
    build_tree(tree, pad)
    atftpd = ROOT / "third_party/atftpd/usr/sbin/atftpd"
    results = {}
    with tempfile.TemporaryDirectory() as w, Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(w, "--dhcp-match=set:ipxe,175",
                                    "--dhcp-boot=tag:ipxe,boot.ipxe",
                                    "--dhcp-boot=tag:!ipxe,pxelinux.0"))
        lan.spawn(srv, [str(atftpd), "--daemon", "--no-fork", "--bind-address", f"{PREFIX}.1",
                        "--user", "root.root", "--logfile", "/dev/null", str(tree)])
        time.sleep(0.5)
        for fw in fws:
            marks, rates = [], []
            for i in range(n):
                sniff_log = Path(w) / f"sniff-{fw}-{i}"
                sniffer = lan.spawn(srv, ["/usr/bin/python3", str(ROOT / "bench/tftp_sniff.py")],
                                    log=sniff_log)
                time.sleep(0.3)
                t, out = one_boot(lan, fw, elf, rom)
                sniffer.terminate()
                sniffer.wait(timeout=10)
                m = re.search(r"file (\S*initrd-pad\.img) port \d+ seconds ([\d.]+)",
                              sniff_log.read_text())
                if not m:
                    raise SystemExit(f"{fw}: the sniffer saw no initrd-pad.img transfer")
                marks.append(t)
                rates.append(pad * 1048576 / float(m.group(2)) / 1e6)
            results[fw] = (statistics.median(marks), statistics.median(rates))
    base = results.get("seabios-ipxe", (1.0, 1.0))
    print(f"{'firmware':14s} {'QEMU start -> initramfs':>24s} {'TFTP ' + str(pad) + ' MiB':>14s}"
          f" {'time ratio':>11s} {'MB/s ratio':>11s}")
    for fw, (t, r) in results.items():
        print(f"{fw:14s} {t:21.0f} ms {r:9.1f} MB/s {t / base[0]:10.2f}x {r / base[1]:10.1f}x")
    print(f"(median of {n} runs, q35, {accel()}, atftpd windowsize server, dnsmasq DHCP)")


if __name__ == "__main__":
    main()
