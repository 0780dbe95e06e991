#!/usr/bin/env python3
"""`make run`: boot wireboot in QEMU with the serial console on this terminal.

Settings (make variables or environment): ENTRY=pvh|rom|pflash,
MACHINE=q35|pc|microvm, MEMORY=512M. The VM gets a virtio NIC on QEMU's
user network. Quit QEMU with Ctrl-A X.
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wbqemu  # noqa: E402


def main():
    machine = os.environ.get("MACHINE", "q35")
    nic = "virtio-net-device" if machine == "microvm" else "virtio-net-pci"
    vm = wbqemu.Vm(entry=os.environ.get("ENTRY", "pvh"), machine=machine,
                   memory=os.environ.get("MEMORY", "512M"),
                   netdevs=["user,id=n0"], nics=[f"{nic},netdev=n0"], name="make-run")
    args = vm.args(wbqemu.LOGS / "make-run.log")
    # Interactive: serial and QEMU monitor multiplexed on this terminal.
    args[args.index("stdio")] = "mon:stdio"
    print("run: " + " ".join(args), flush=True)
    os.execvp(args[0], args)


if __name__ == "__main__":
    main()
