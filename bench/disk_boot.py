#!/usr/bin/env python3
"""Boot the same disk images with wireboot (PVH and reset vector) and with
OVMF (Debian's ovmf), N times each, in one run; no NIC, one virtio-blk-pci
disk, q35. Prints, per image and firmware, the median milliseconds from
QEMU start to the initramfs marker, with the ratio against OVMF. A last
row per image, "direct", is QEMU's own -kernel/-initrd load of the same
kernel and initramfs (no firmware reads the disk): the Linux floor the
firmwares' times include.

Images (test-env/diskimg.py, each checked under OVMF by
test-env/efi/ovmf_disk_images.py):

  systemd-boot+uki    systemd-boot as BOOTX64.EFI and a UKI in /EFI/Linux/
                      (Boot Loader Spec type 2): every firmware runs
                      systemd-boot, which starts the UKI
  systemd-boot+entry  systemd-boot and a type 1 entry (loader/entries/,
                      kernel + initrd on the ESP): OVMF runs systemd-boot,
                      wireboot reads the entry itself

    bench/disk_boot.py [N]
"""
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "test-env"))
import diskimg  # noqa: E402
from benchlib import OVMF_VARS, ovmf_pflash, qemu_base, time_to_marker  # noqa: E402
from wbqemu import ELF, ROM, accel  # noqa: E402

MARKER = "WIREBOOT-DEMO: initramfs up"
FIRMWARES = ("wireboot-pvh", "wireboot-rom", "ovmf", "direct")


def qemu_cmd(fw, img, vars_copy):
    base = qemu_base("512M") + ["-drive", f"if=none,id=d0,format=raw,file={img}"]
    disk = ["-device", "virtio-blk-pci,drive=d0"]
    if fw == "direct":
        # The floor: QEMU loads the kernel and initrd itself (SeaBIOS'
        # linuxboot), no firmware reads the disk.
        return base + disk + ["-kernel", str(diskimg.DEMO / "vmlinuz"),
                              "-initrd", str(diskimg.DEMO / "initrd.img"),
                              "-append", diskimg.APPEND + " wb.token=bench"]
    if fw == "wireboot-pvh":
        return base + disk + ["-kernel", str(ELF)]  # -kernel takes bootindex 0
    if fw == "wireboot-rom":
        return base + disk + ["-bios", str(ROM)]
    return base + ["-device", "virtio-blk-pci,drive=d0,bootindex=0"] + ovmf_pflash(vars_copy)


def one_boot(fw, img, vars_copy):
    """Milliseconds from QEMU's start to the marker line."""
    return time_to_marker(qemu_cmd(fw, img, vars_copy), MARKER, f"{fw} {img.name}")[0]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    opts = diskimg.APPEND + " wb.token=bench"
    results = {}
    with tempfile.TemporaryDirectory() as w:
        w = Path(w)
        images = {
            "systemd-boot+uki": diskimg.systemd_boot_uki(
                w / "uki.img", diskimg.make_uki(w / "uki", opts)),
            "systemd-boot+entry": diskimg.systemd_boot(w / "entry.img", options=opts),
        }
        vars_copy = w / "ovmf-vars.fd"
        for name, img in images.items():
            for fw in FIRMWARES:
                marks = []
                if fw == "direct" and ("direct" in [f for _, f in results]):
                    results[(name, fw)] = next(t for (_, f), t in results.items() if f == fw)
                    continue
                for _ in range(n):
                    shutil.copy(OVMF_VARS, vars_copy)  # factory variables every time
                    marks.append(one_boot(fw, img, vars_copy))
                results[(name, fw)] = statistics.median(marks)
    print(f"{'image':20s} {'firmware':14s} {'QEMU start -> initramfs':>24s} {'vs OVMF':>8s}")
    for (name, fw), t in results.items():
        base = results[(name, "ovmf")]
        print(f"{name:20s} {fw:14s} {t:21.0f} ms {t / base:7.2f}x")
    load = os.getloadavg()
    print(f"(median of {n} runs, q35, 512 MiB, {accel()}, no NIC, virtio-blk-pci; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})")


if __name__ == "__main__":
    main()
