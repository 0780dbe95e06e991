#!/usr/bin/env python3
"""The two ways wireboot starts a Linux kernel, side by side in one run:
linux_boot=legacy (the 64-bit boot protocol: wireboot places kernel,
initrd and boot_params) and linux_boot=efi (the kernel's EFI stub as an
EFI program: command line through LoadOptions, initrd through LoadFile2).
Same Debian kernel and busybox initramfs from the same servers (dnsmasq,
atftpd), N boots each, both entry points. Prints the median milliseconds
from QEMU start to the initramfs marker and wireboot's own hand-off time
(its "leaving wireboot N ms after entry" line).

    bench/linux_boot_paths.py [N]
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

MARKER = "WIREBOOT-DEMO: initramfs up"
APPEND = "console=ttyS0 quiet panic=-1 wb.poweroff"


def qemu_cmd(entry, setting, cfg):
    base = qemu_base() + ["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
                          "-device", "virtio-net-pci,netdev=n0,romfile="]
    if entry == "pvh":
        return base + ["-kernel", str(ELF), "-append", setting]
    cfg.write_text(setting + "\n")
    return base + ["-bios", str(ROM), "-fw_cfg", f"name=opt/wireboot/config,file={cfg}"]


def one_boot(lan, entry, setting, cfg):
    cmd = ["ip", "netns", "exec", lan.ns] + qemu_cmd(entry, setting, cfg)
    t_marker, out = time_to_marker(cmd, MARKER, f"{entry} {setting}")
    m = re.search(r"leaving wireboot (\d+) ms after entry", out)
    if not m:
        raise SystemExit(f"{entry} {setting}: no hand-off line\n" + out[-3000:])
    return t_marker, int(m.group(1))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    tree = ROOT / "build" / "bench-linux-paths"
    if not (tree / "vmlinuz").exists():
        subprocess.run([str(ROOT / "test-env/payload/mkdemo.sh"), str(tree)], check=True)
    (tree / "pxelinux.cfg" / "default").write_text(
        f"DEFAULT linux\nLABEL linux\n KERNEL vmlinuz\n INITRD initrd.img\n APPEND {APPEND}\n")
    atftpd = ROOT / "third_party/atftpd/usr/sbin/atftpd"
    rows = []
    with tempfile.TemporaryDirectory() as w, Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(w, "--dhcp-boot=pxelinux.0"))
        lan.spawn(srv, [str(atftpd), "--daemon", "--no-fork", "--bind-address", f"{PREFIX}.1",
                        "--user", "root.root", "--logfile", "/dev/null", str(tree)])
        time.sleep(0.5)
        cfg = Path(w) / "wb.cfg"
        for entry in ("pvh", "rom"):
            for setting in ("linux_boot=legacy", "linux_boot=efi"):
                runs = [one_boot(lan, entry, setting, cfg) for _ in range(n)]
                rows.append((entry, setting, statistics.median(r[0] for r in runs),
                             statistics.median(r[1] for r in runs)))
    print(f"{'entry':5s} {'setting':18s} {'QEMU start -> initramfs':>24s} {'entry -> hand-off':>18s}")
    for entry, setting, t, h in rows:
        print(f"{entry:5s} {setting:18s} {t:21.0f} ms {h:15.0f} ms")
    print(f"(median of {n} runs, q35, 1 GiB, {accel()}, atftpd, dnsmasq DHCP)")


if __name__ == "__main__":
    main()
