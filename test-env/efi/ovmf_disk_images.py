#!/usr/bin/env python3
"""Boot each disk layout of test-env/diskimg.py under Debian's OVMF, to
prove the images themselves are right before wireboot boots them:

  systemd-boot   GPT, systemd-boot + one BLS entry      -> token sd
  systemd-boot-uki  GPT, systemd-boot + a UKI in /EFI/Linux (type 2) -> uki
  grub           GPT (FAT16), GRUB + /EFI/debian/grub.cfg -> token grub
  mbr            MBR type 0xEF (FAT16), systemd-boot    -> token mbr
  bls            GPT, the three versioned entries of the BLS-only layout,
                 with systemd-boot added as BOOTX64.EFI (OVMF has no BLS
                 reader): systemd-boot's own version sort picks
                 6.1.0-10                               -> token c
  bls-default    the same with loader.conf default debian-6.1.0-9.conf -> b
  bls-glob       the same with default debian-6.1.0-1.* (a glob)      -> a

    test-env/efi/ovmf_disk_images.py [LAYOUT...]

Each run prints the seconds from QEMU's start to the initramfs marker.
Exit status 0 when every layout booted the expected entry. Always TCG.
"""
import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import diskimg  # noqa: E402
from run_ovmf import OVMF_CODE, OVMF_VARS, ROOT, run  # noqa: E402


# The loader.conf cases of test_disk.py's test_own_bls_picks_the_default, as
# systemd-boot decides them.
BLS_CONFS = {
    "bls": ("timeout 0\n", "c"),
    "bls-default": ("default debian-6.1.0-9.conf\ntimeout 0\n", "b"),
    "bls-glob": ("default debian-6.1.0-1.*\ntimeout 0\n", "a"),
}


def build(layout, path):
    """The image for layout and the token its marker line must carry."""
    opts = diskimg.APPEND
    if layout == "systemd-boot":
        diskimg.systemd_boot(path, options=f"{opts} wb.token=sd")
        return "sd"
    if layout == "systemd-boot-uki":
        uki = diskimg.make_uki(Path(path).parent / "uki", f"{opts} wb.token=uki")
        diskimg.systemd_boot_uki(path, uki)
        return "uki"
    if layout == "grub":
        diskimg.grub(path, options=f"{opts} wb.token=grub")
        return "grub"
    if layout == "mbr":
        diskimg.systemd_boot(path, options=f"{opts} wb.token=mbr", table="mbr")
        return "mbr"
    if layout.startswith("bls"):
        conf, token = BLS_CONFS[layout]
        files = diskimg.demo_files()
        for v in ("6.1.0-1", "6.1.0-9", "6.1.0-10"):
            files[f"linux/{v}/vmlinuz"] = diskimg.DEMO / "vmlinuz"
            files[f"linux/{v}/initrd.img"] = diskimg.DEMO / "initrd.img"
        for name, text in diskimg.versioned_entries(opts).items():
            files[f"loader/entries/{name}"] = text
        files["EFI/BOOT/BOOTX64.EFI"] = diskimg.SYSTEMD_BOOT
        files["loader/loader.conf"] = conf
        diskimg.gpt_disk(path, files)
        return token
    raise ValueError(layout)


def boot(layout, tmp, timeout):
    img = Path(tmp) / f"{layout}.img"
    token = build(layout, img)
    vars_copy = Path(tmp) / "vars.fd"
    shutil.copy(OVMF_VARS, vars_copy)
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-M", "q35", "-m", "512M", "-smp", "1",
           "-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot",
           "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
           "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}",
           "-drive", f"if=none,id=d0,format=raw,file={img}",
           "-device", "virtio-blk-pci,drive=d0,bootindex=0"]
    log = ROOT / "build" / "test-logs" / f"ovmf-disk-{layout}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    out, found = run(cmd, log, diskimg.MARKER + r"\r?\n", timeout, 1)
    took = time.monotonic() - t0
    m = re.search(diskimg.MARKER, out)
    got = m and f"wb.token={token}" in m.group(1).split()
    print(f"\n== {layout}: {'ok' if got else 'FAILED'} "
          f"({'marker after %.1f s' % took if m else 'no marker'}; log {log})", flush=True)
    return bool(got)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("layouts", nargs="*",
                    default=["systemd-boot", "systemd-boot-uki", "grub", "mbr", "bls", "bls-default", "bls-glob"])
    ap.add_argument("--timeout", type=float, default=300)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ovmf-disk-") as tmp:
        results = {l: boot(l, tmp, a.timeout) for l in a.layouts}
    for l, ok in results.items():
        print(f"{l}: {'booted the expected entry' if ok else 'FAILED'}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
