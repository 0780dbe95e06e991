#!/usr/bin/env python3
"""Boot an EFI program or a UKI under Debian's OVMF, to check the program
itself against a reference UEFI before wireboot runs it.

  run_ovmf.py --tftp DIR --bootfile efitest.efi [--marker REGEX] [--timeout S]
  run_ovmf.py --disk build/efi-tests/efitest.efi   (FAT image, EFI/BOOT/BOOTX64.EFI)
  run_ovmf.py --esp build/efi-tree/vmlinuz.efi build/efi-tree/initrd-efi.img \
      --shell 'vmlinuz.efi console=ttyS0 initrd=\initrd-efi.img wb.poweroff' \
      --marker 'WIREBOOT-DEMO: powering off'
                   (files on a FAT disk; OVMF's built-in UEFI Shell runs the
                    command from startup.nsh: an EFI program with LoadOptions)

Network boot uses QEMU's user network (built-in DHCP and TFTP) and a
virtio-net-pci NIC with its option ROM off (romfile=), so OVMF's own
VirtioNetDxe + PXE stack runs. With --disk the program sits on a FAT
virtio disk; the NIC is still there for the SNP check. The serial console
is printed and written to --log (default build/test-logs/ovmf-<name>.log).
QEMU stops when --marker matches (then --linger seconds more), when it
exits, or at --timeout. Exit status 0 when the marker was seen.

Always TCG: this machine's KVM cannot run firmware.
"""
import argparse
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")


def fat_image(path, efi=None, extra=(), shell=None):
    """A 64 MiB FAT disk (mtools): efi as EFI/BOOT/BOOTX64.EFI, the extra
    files in its root, and a startup.nsh running the shell command."""
    with open(path, "wb") as f:
        f.truncate(64 << 20)
    subprocess.run(["mformat", "-i", path, "-F", "::"], check=True)
    if efi:
        subprocess.run(["mmd", "-i", path, "::/EFI", "::/EFI/BOOT"], check=True)
        subprocess.run(["mcopy", "-i", path, str(efi), "::/EFI/BOOT/BOOTX64.EFI"], check=True)
    for f in extra:
        subprocess.run(["mcopy", "-i", path, str(f), "::/"], check=True)
    if shell:
        nsh = Path(path).with_name("startup.nsh")
        nsh.write_text(f"fs0:\r\n{shell}\r\n")
        subprocess.run(["mcopy", "-i", path, str(nsh), "::/"], check=True)


def qemu_args(args, vars_copy, disk):
    a = ["qemu-system-x86_64", "-accel", "tcg", "-M", args.machine, "-m", args.memory,
         "-smp", "1", "-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot",
         "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
         "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
    # No NIC for the shell: OVMF would try PXE before it falls back to it.
    if not args.shell:
        net = "user,id=n0"
        if args.tftp:
            net += f",tftp={Path(args.tftp).resolve()},bootfile={args.bootfile}"
        a += ["-netdev", net, "-device",
              "virtio-net-pci,netdev=n0,romfile=" + (",bootindex=1" if args.tftp else "")]
    if disk:
        a += ["-drive", f"if=none,id=d0,format=raw,file={disk}",
              "-device", "virtio-blk-pci,drive=d0,bootindex=0"]
    if args.rng:
        a += ["-device", "virtio-rng-pci"]
    return a + args.extra


def run(cmd, log_path, marker, timeout, linger):
    """Stream QEMU's console to stdout and the log; returns (output, found)."""
    start = time.monotonic()
    found_at = None
    raw = b""
    with open(log_path, "w") as log:
        log.write("# " + shlex.join(cmd) + "\n")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        fd = proc.stdout.fileno()
        try:
            while True:
                now = time.monotonic()
                if now - start > timeout or (found_at and now - found_at > linger):
                    break
                ready, _, _ = select.select([fd], [], [], 0.5)
                if not ready:
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                raw += chunk
                text = chunk.decode("utf-8", "replace")
                log.write(text)
                log.flush()
                sys.stdout.write(text)
                sys.stdout.flush()
                if not found_at and marker and re.search(
                        marker, raw.decode("utf-8", "replace"), re.M):
                    found_at = time.monotonic()
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()
    return raw.decode("utf-8", "replace"), found_at is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tftp", help="TFTP root served by QEMU's user network")
    ap.add_argument("--bootfile", default="efitest.efi", help="DHCP boot file name")
    ap.add_argument("--disk", help="EFI program to boot from a FAT disk instead")
    ap.add_argument("--esp", nargs="+", default=[], help="files for the FAT disk's root")
    ap.add_argument("--shell", help="UEFI Shell command line to run from startup.nsh")
    ap.add_argument("--marker", default=r"^EFITEST done: ", help="regex that ends the run")
    ap.add_argument("--linger", type=float, default=2, help="seconds to keep going after it")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--machine", default="q35")
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--rng", action="store_true", help="add a virtio-rng-pci device")
    ap.add_argument("--log", help="console log file")
    ap.add_argument("extra", nargs="*", help="more QEMU arguments (after --)")
    args = ap.parse_args()
    if sum(map(bool, (args.tftp, args.disk, args.shell))) != 1:
        ap.error("give exactly one of --tftp DIR, --disk FILE or --shell CMD")
    if args.tftp:
        name = Path(args.bootfile).stem
    else:
        name = Path(args.disk or args.shell.split()[0]).stem
    log = Path(args.log) if args.log else ROOT / "build" / "test-logs" / f"ovmf-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ovmf-") as tmp:
        vars_copy = Path(tmp) / "OVMF_VARS.fd"
        shutil.copy(OVMF_VARS, vars_copy)
        disk = None
        if args.disk or args.shell:
            disk = Path(tmp) / "esp.img"
            fat_image(disk, args.disk, args.esp, args.shell)
        output, found = run(qemu_args(args, vars_copy, disk), log, args.marker, args.timeout,
                            args.linger)
    print(f"\nrun_ovmf: marker {'found' if found else 'NOT found'}; log {log}", file=sys.stderr)
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
