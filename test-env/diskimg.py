#!/usr/bin/env python3
"""Raw disk images for disk-boot tests and benchmarks (issue 11), built with
Debian's tools only: sgdisk (gdisk) for GPT (an MBR's one entry is
written here), mkfs.fat (dosfstools) for the EFI System Partition, mtools (mmd,
mcopy) to fill it, dd to place it.

    gpt_disk(path, files)     GPT: an ESP (type EF00) and an empty Linux
                              root partition after it
    mbr_disk(path, files)     MBR: one FAT partition of type 0xEF, active

files maps paths on the ESP ("EFI/BOOT/BOOTX64.EFI") to bytes, str or a
Path to copy. The layouts on top:

    systemd_boot(path, demo, options)   systemd-boot as BOOTX64.EFI, one
                                        loader/entries/ entry: the demo
                                        kernel + initrd (wireboot boots
                                        such an entry itself)
    systemd_boot_uki(path, uki)         systemd-boot and a type 2 entry (a
                                        UKI in /EFI/Linux/), no type 1
                                        entries: systemd-boot does the work
    grub(path, demo, options)           Debian's monolithic grubx64.efi as
                                        BOOTX64.EFI, grub.cfg where its
                                        prefix (/EFI/debian) points
    bls_only(path, demo, entries, ...)  loader/entries/*.conf and
                                        loader/loader.conf, no BOOTX64.EFI:
                                        only a firmware that reads the
                                        entries itself boots it

`options` is the kernel command line; the demo initramfs
(test-env/payload/mkdemo.sh) prints "WIREBOOT-DEMO: initramfs up; cmdline:
..." and powers off with wb.poweroff. From the shell:

    test-env/diskimg.py systemd-boot|grub|bls|mbr OUT.img [--options "..."]

test-env/efi/ovmf_disk_images.py boots each layout under OVMF.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "build" / "demo"
SYSTEMD_BOOT = Path("/usr/lib/systemd/boot/efi/systemd-bootx64.efi")
GRUB = Path("/usr/lib/grub/x86_64-efi/monolithic/grubx64.efi")
APPEND = "console=ttyS0 quiet panic=-1 wb.poweroff"
MARKER = r"WIREBOOT-DEMO: initramfs up; cmdline: (.*)"

MIB = 1 << 20
SECTOR = 512
ESP_START = MIB  # 1 MiB alignment, as every partitioning tool does
GPT_TAIL = 34 * SECTOR  # backup entry array + header


def need(path, package):
    if not Path(path).exists():
        raise SystemExit(f"{path} is missing: install {package} (scripts/deps.sh)")


def tool(name, package):
    found = shutil.which(name) or (Path("/usr/sbin") / name if (Path("/usr/sbin") / name).exists()
                                   else None)
    if not found:
        raise SystemExit(f"{name} is missing: install {package} (scripts/deps.sh)")
    return str(found)


def run(*argv, **kw):
    subprocess.run([str(a) for a in argv], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, **kw)


def fat_volume(path, size, files, fat_bits=32, label="ESP"):
    """A FAT volume of size bytes in its own file, holding files."""
    with open(path, "wb") as f:
        f.truncate(size)
    run(tool("mkfs.fat", "dosfstools"), "-F", fat_bits, "-n", label, path)
    made = set()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, data) in enumerate(sorted(files.items())):
            parts = name.strip("/").split("/")
            for d in range(1, len(parts)):
                sub = "/".join(parts[:d])
                if sub not in made:
                    run("mmd", "-i", path, "::/" + sub)
                    made.add(sub)
            if isinstance(data, Path):
                src = data
            else:
                src = Path(tmp) / f"f{i}"
                src.write_bytes(data.encode() if isinstance(data, str) else data)
            run("mcopy", "-i", path, src, "::/" + "/".join(parts))


def esp_size(files, minimum=40 * MIB):
    """Room for the files with slack, at least minimum (FAT32 wants 32+ MiB
    with 512-byte clusters), rounded to MiB."""
    total = sum(v.stat().st_size if isinstance(v, Path) else len(v) for v in files.values())
    size = max(minimum, total + total // 4 + 4 * MIB)
    return (size + MIB - 1) // MIB * MIB


def _place(disk, esp, offset):
    with open(esp, "rb") as src, open(disk, "r+b") as dst:
        dst.seek(offset)
        shutil.copyfileobj(src, dst, 4 * MIB)


def gpt_disk(path, files, fat_bits=32, root_size=8 * MIB):
    """GPT disk: partition 1 the ESP holding files, partition 2 an empty
    Linux x86-64 root (so the ESP is not simply the only partition)."""
    size = esp_size(files)
    total = ESP_START + size + root_size + GPT_TAIL + MIB
    path = Path(path)
    with open(path, "wb") as f:
        f.truncate(total)
    first = ESP_START // SECTOR
    last = first + size // SECTOR - 1
    run(tool("sgdisk", "gdisk"), "--clear",
        f"--new=1:{first}:{last}", "--typecode=1:ef00", "--change-name=1:EFI System",
        f"--new=2:{last + 1}:+{root_size // 1024}K", "--typecode=2:8304",
        "--change-name=2:root", path)
    with tempfile.TemporaryDirectory() as tmp:
        esp = Path(tmp) / "esp.img"
        fat_volume(esp, size, files, fat_bits)
        _place(path, esp, ESP_START)
    return path


def mbr_table(start, count, ptype=0xEF, disk_id=0x5742DD11):
    """A classic MBR (no boot code) with one active partition of ptype
    from LBA start, count sectors long. CHS fields say "use LBA"
    (0xFE/0xFF/0xFF), as tools do for partitions past 8 GiB or when the
    geometry is unknown."""
    import struct
    mbr = bytearray(SECTOR)
    struct.pack_into("<I", mbr, 440, disk_id)
    entry = struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", ptype, b"\xfe\xff\xff", start,
                        count)
    mbr[446:446 + 16] = entry
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr)


def mbr_disk(path, files, fat_bits=16):
    """MBR disk: one active partition of type 0xEF (EFI System) holding
    files. The table is written here (16 bytes of struct): Debian's sfdisk
    is in fdisk, which the dependencies do not need otherwise."""
    size = esp_size(files)
    path = Path(path)
    with open(path, "wb") as f:
        f.truncate(ESP_START + size + MIB)
        f.write(mbr_table(ESP_START // SECTOR, size // SECTOR))
    with tempfile.TemporaryDirectory() as tmp:
        esp = Path(tmp) / "esp.img"
        fat_volume(esp, size, files, fat_bits)
        _place(path, esp, ESP_START)
    return path


def demo_files(demo=DEMO, kernel="vmlinuz", initrd="initrd.img"):
    """The demo kernel and initrd at the ESP's root."""
    demo = Path(demo)
    for f in ("vmlinuz", "initrd.img"):
        if not (demo / f).exists():
            raise SystemExit(f"{demo / f} is missing: make demo (test-env/payload/mkdemo.sh)")
    return {kernel: demo / "vmlinuz", initrd: demo / "initrd.img"}


def bls_entry(title, linux, initrds=(), options="", version=None, sort_key=None, efi=None):
    """A Boot Loader Spec type 1 entry's text."""
    lines = [f"title {title}"]
    if version:
        lines.append(f"version {version}")
    if sort_key:
        lines.append(f"sort-key {sort_key}")
    if efi:
        lines.append(f"efi {efi}")
    if linux:
        lines.append(f"linux {linux}")
    lines += [f"initrd {i}" for i in initrds]
    if options:
        lines.append(f"options {options}")
    return "\n".join(lines) + "\n"


def systemd_boot_files(demo=DEMO, options=APPEND):
    need(SYSTEMD_BOOT, "systemd-boot-efi")
    files = demo_files(demo)
    files["EFI/BOOT/BOOTX64.EFI"] = SYSTEMD_BOOT
    files["loader/loader.conf"] = "default demo.conf\ntimeout 0\nconsole-mode keep\n"
    files["loader/entries/demo.conf"] = bls_entry("wireboot demo", "/vmlinuz", ["/initrd.img"],
                                                  options)
    return files


def systemd_boot(path, demo=DEMO, options=APPEND, table="gpt"):
    """systemd-boot as the removable-media loader, one entry: the demo."""
    files = systemd_boot_files(demo, options)
    return gpt_disk(path, files) if table == "gpt" else mbr_disk(path, files)


def make_uki(outdir, cmdline):
    """A Unified Kernel Image (test-env/payload/mkuki.sh: systemd-stub,
    Debian's kernel, a busybox initramfs) with cmdline built in."""
    outdir = Path(outdir)
    subprocess.run([str(ROOT / "test-env" / "payload" / "mkuki.sh"), str(outdir), cmdline],
                   check=True, stdout=subprocess.DEVNULL)
    return outdir / "uki.efi"


def systemd_boot_uki(path, uki, table="gpt", loader_conf="timeout 0\nconsole-mode keep\n"):
    """systemd-boot with one Boot Loader Spec type 2 entry: the UKI in
    /EFI/Linux/. There is no loader/entries/, so a firmware that reads
    type 1 entries itself (wireboot) still has to run systemd-boot, and
    systemd-boot finds the UKI on its own."""
    need(SYSTEMD_BOOT, "systemd-boot-efi")
    files = {"EFI/BOOT/BOOTX64.EFI": SYSTEMD_BOOT, "EFI/Linux/demo.efi": Path(uki),
             "loader/loader.conf": loader_conf}
    return gpt_disk(path, files) if table == "gpt" else mbr_disk(path, files)


def grub_files(demo=DEMO, options=APPEND):
    need(GRUB, "grub-efi-amd64-bin")
    files = demo_files(demo)
    files["EFI/BOOT/BOOTX64.EFI"] = GRUB
    # Debian's monolithic grubx64.efi carries prefix /EFI/debian and a
    # memdisk grub.cfg that sources $prefix/grub.cfg (then $cmdpath/).
    files["EFI/debian/grub.cfg"] = ("set timeout=0\n"
                                   "menuentry 'wireboot demo' {\n"
                                   f"\tlinux /vmlinuz {options}\n"
                                   "\tinitrd /initrd.img\n"
                                   "}\n")
    return files


def grub(path, demo=DEMO, options=APPEND, table="gpt"):
    """GRUB as the removable-media loader with a grub.cfg booting the demo."""
    files = grub_files(demo, options)
    return gpt_disk(path, files, fat_bits=16) if table == "gpt" else mbr_disk(path, files)


def bls_only(path, demo=DEMO, entries=None, loader_conf=None, table="gpt"):
    """BLS entries and no BOOTX64.EFI. entries maps a file name under
    loader/entries/ to its text; the kernel and initrd sit at the root
    and again under /linux/<version>/ (entries may name either)."""
    files = demo_files(demo)
    for v in ("6.1.0-1", "6.1.0-9", "6.1.0-10"):
        files[f"linux/{v}/vmlinuz"] = Path(demo) / "vmlinuz"
        files[f"linux/{v}/initrd.img"] = Path(demo) / "initrd.img"
    for name, text in (entries or {}).items():
        files[f"loader/entries/{name}"] = text
    if loader_conf is not None:
        files["loader/loader.conf"] = loader_conf
    return gpt_disk(path, files) if table == "gpt" else mbr_disk(path, files)


def versioned_entries(options=APPEND, tokens=("a", "b", "c")):
    """Three entries of one machine whose versions sort 6.1.0-1 < 6.1.0-9 <
    6.1.0-10 (a version sort, not a string sort); token[i] goes on entry
    i's command line, so the marker line tells which one booted. Without
    a default, the highest version is the one to boot."""
    out = {}
    for v, t, name in zip(("6.1.0-1", "6.1.0-9", "6.1.0-10"), tokens,
                          ("debian-6.1.0-1.conf", "debian-6.1.0-9.conf",
                           "debian-6.1.0-10.conf")):
        out[name] = bls_entry(f"Debian {v}", f"/linux/{v}/vmlinuz", [f"/linux/{v}/initrd.img"],
                              f"{options} wb.token={t}", version=v, sort_key="debian")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("layout", choices=["systemd-boot", "systemd-boot-uki", "grub", "bls", "mbr"])
    ap.add_argument("out")
    ap.add_argument("--options", default=APPEND + " wb.token=cli")
    ap.add_argument("--demo", default=str(DEMO))
    a = ap.parse_args()
    if a.layout == "systemd-boot":
        systemd_boot(a.out, Path(a.demo), a.options)
    elif a.layout == "systemd-boot-uki":
        with tempfile.TemporaryDirectory() as tmp:
            systemd_boot_uki(a.out, make_uki(tmp, a.options))
    elif a.layout == "grub":
        grub(a.out, Path(a.demo), a.options)
    elif a.layout == "mbr":
        systemd_boot(a.out, Path(a.demo), a.options, table="mbr")
    else:
        bls_only(a.out, Path(a.demo), versioned_entries(a.options))
    print(a.out)


if __name__ == "__main__":
    sys.exit(main())
