#!/usr/bin/env python3
"""Network-boot the same Unified Kernel Image (systemd-stub + Debian's
kernel + a busybox initramfs, test-env/payload/mkuki.sh) from the same
servers (dnsmasq for DHCP, atftpd for TFTP) with wireboot (PVH and reset
vector) and with OVMF (Debian's ovmf, the NIC's option ROM off so OVMF's
own network stack runs), N times each, in one run. Prints, per firmware,
the median milliseconds from QEMU start to the initramfs marker, with the
ratio against OVMF.

    bench/uki_boot.py [N]
"""
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "test-env"))
from benchlib import OVMF_VARS, ovmf_pflash, qemu_base, time_to_marker  # noqa: E402
from netlab import PREFIX, Lan, dnsmasq_argv  # noqa: E402
from wbqemu import ELF, ROM, accel  # noqa: E402

MARKER = "WIREBOOT-DEMO: initramfs up"


def qemu_cmd(fw, vars_copy):
    base = qemu_base() + ["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
                          "-device", "virtio-net-pci,netdev=n0,romfile="]
    if fw == "wireboot-pvh":
        return base + ["-kernel", str(ELF)]
    if fw == "wireboot-rom":
        return base + ["-bios", str(ROM)]
    return base + ovmf_pflash(vars_copy)


def one_boot(lan, fw, vars_copy):
    cmd = ["ip", "netns", "exec", lan.ns] + qemu_cmd(fw, vars_copy)
    return time_to_marker(cmd, MARKER, fw)[0]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    tree = ROOT / "build" / "bench-uki"
    if not (tree / "uki.efi").exists():
        subprocess.run([str(ROOT / "test-env/payload/mkuki.sh"), str(tree)], check=True)
    atftpd = ROOT / "third_party/atftpd/usr/sbin/atftpd"
    results = {}
    with tempfile.TemporaryDirectory() as w, Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(w, "--dhcp-boot=uki.efi"))
        lan.spawn(srv, [str(atftpd), "--daemon", "--no-fork", "--bind-address", f"{PREFIX}.1",
                        "--user", "root.root", "--logfile", "/dev/null", str(tree)])
        time.sleep(0.5)
        vars_copy = Path(w) / "ovmf-vars.fd"
        for fw in ("wireboot-pvh", "wireboot-rom", "ovmf"):
            marks = []
            for _ in range(n):
                shutil.copy(OVMF_VARS, vars_copy)  # every OVMF boot starts from factory vars
                marks.append(one_boot(lan, fw, vars_copy))
            results[fw] = statistics.median(marks)
    base = results["ovmf"]
    print(f"{'firmware':14s} {'QEMU start -> initramfs':>24s} {'vs OVMF':>8s}")
    for fw, t in results.items():
        print(f"{fw:14s} {t:21.0f} ms {t / base:7.2f}x")
    print(f"(median of {n} runs, q35, 1 GiB, {accel()}, UKI over atftpd, dnsmasq DHCP)")


if __name__ == "__main__":
    main()
