#!/usr/bin/env python3
"""`make run`: network-boot a VM on wireboot, serial console on this terminal.

The VM gets a virtio NIC on QEMU's user network, whose built-in DHCP and
TFTP serve TFTP_DIR (default: the demo tree, Debian's kernel and a busybox
initramfs) with boot file BOOTFILE (default pxelinux.0, so wireboot reads
pxelinux.cfg/ there). Other settings: ENTRY=pvh|rom|pflash,
MACHINE=q35|pc|microvm, MEMORY=512M. Quit QEMU with Ctrl-A X.
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wbqemu  # noqa: E402


def main():
    machine = os.environ.get("MACHINE", "q35")
    nic = "virtio-net-device" if machine == "microvm" else "virtio-net-pci"
    tftp = os.path.abspath(os.environ.get("TFTP_DIR", "build/demo"))
    bootfile = os.environ.get("BOOTFILE", "pxelinux.0")
    if not os.path.isdir(tftp):
        sys.exit(f"run: TFTP_DIR {tftp} is not a directory")
    vm = wbqemu.Vm(entry=os.environ.get("ENTRY", "pvh"), machine=machine,
                   memory=os.environ.get("MEMORY", "512M"),
                   netdevs=[f"user,id=n0,tftp={tftp},bootfile={bootfile}"],
                   nics=[f"{nic},netdev=n0"], name="make-run")
    args = vm.args(wbqemu.LOGS / "make-run.log")
    # Interactive: serial and QEMU monitor multiplexed on this terminal.
    args[args.index("stdio")] = "mon:stdio"
    print("run: " + " ".join(args), flush=True)
    os.execvp(args[0], args)


if __name__ == "__main__":
    main()
