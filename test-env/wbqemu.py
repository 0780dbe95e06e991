"""QEMU launcher for wireboot: every integration test and `make run` use it.

A Vm describes one boot: entry point (pvh: -kernel wireboot.elf, rom: -bios
wireboot.rom, pflash: the ROM as a pflash drive), machine, memory, NICs,
disks, network backend, config. run() boots it with the serial console
captured to a log file and returns when a marker line appears, when QEMU
exits, or at the timeout.

Acceleration: TCG by default. KVM only when WIREBOOT_ACCEL=kvm is set or a
probe boot of the reset-vector image under KVM reaches the banner (this
workplace's /dev/kvm cannot run real mode). The probe result is cached in
build/accel-probe.
"""

import os
import re
import select
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
ELF = BUILD / "wireboot.elf"
ROM = BUILD / "wireboot.rom"
LOGS = BUILD / "test-logs"
QEMU = "qemu-system-x86_64"
BANNER_DONE = "banner: ready in"
POWER_OFF = "powering off"


@dataclass
class Result:
    output: str
    exit_code: int | None  # None: killed at the timeout
    timed_out: bool
    marker_found: bool
    seconds: float
    log: Path

    def lines(self, pattern):
        """Lines matching a regex."""
        return [l for l in self.output.splitlines() if re.search(pattern, l)]

    def value(self, pattern):
        """First group of the first line matching pattern, or None."""
        m = re.search(pattern, self.output, re.M)
        return m.group(1) if m else None


def _probe_kvm():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK) or not ROM.exists():
        return False
    cmd = [QEMU, "-accel", "kvm", "-M", "q35", "-m", "128", "-nodefaults",
           "-display", "none", "-serial", "stdio", "-no-reboot", "-bios", str(ROM)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout
    except subprocess.TimeoutExpired:
        return False
    return BANNER_DONE in out


def accel():
    """'kvm' or 'tcg' for this machine."""
    forced = os.environ.get("WIREBOOT_ACCEL")
    if forced in ("kvm", "tcg"):
        return forced
    cache = BUILD / "accel-probe"
    if cache.exists():
        return cache.read_text().strip()
    result = "kvm" if _probe_kvm() else "tcg"
    BUILD.mkdir(exist_ok=True)
    cache.write_text(result + "\n")
    return result


@dataclass
class Vm:
    entry: str = "pvh"          # pvh | rom | pflash
    machine: str = "q35"        # q35 | pc | microvm
    memory: str = "128M"
    cpus: int = 1
    nics: list = field(default_factory=list)    # e.g. ["virtio-net-pci,netdev=n0"]
    netdevs: list = field(default_factory=list)  # e.g. ["user,id=n0"]
    disks: list = field(default_factory=list)   # image paths, attached as virtio-blk
    cmdline: str | None = None  # PVH command line (-append)
    config: str | None = None   # contents of fw_cfg opt/wireboot/config
    extra: list = field(default_factory=list)
    name: str = "vm"

    def is_mmio(self):
        return self.machine.split(",")[0] == "microvm"

    def args(self, log_path: Path):
        a = [QEMU, "-accel", accel(), "-M", self.machine, "-m", self.memory,
             "-smp", str(self.cpus), "-nodefaults", "-display", "none",
             "-serial", "stdio", "-no-reboot"]
        if self.entry == "pvh":
            a += ["-kernel", str(ELF)]
            if self.cmdline is not None:
                a += ["-append", self.cmdline]
        elif self.entry == "rom":
            a += ["-bios", str(ROM)]
        elif self.entry == "pflash":
            a += ["-drive", f"if=pflash,format=raw,readonly=on,file={ROM}"]
        else:
            raise ValueError(f"unknown entry {self.entry}")
        for nd in self.netdevs:
            a += ["-netdev", nd]
        for nic in self.nics:
            a += ["-device", nic]
        for i, disk in enumerate(self.disks):
            dev = "virtio-blk-device" if self.is_mmio() else "virtio-blk-pci"
            a += ["-drive", f"if=none,id=disk{i},format=raw,file={disk}",
                  "-device", f"{dev},drive=disk{i}"]
        if self.config is not None:
            cfg = log_path.with_suffix(".config")
            cfg.write_text(self.config)
            a += ["-fw_cfg", f"name=opt/wireboot/config,file={cfg}"]
        return a + self.extra

    def start(self, netns=None, keyboard=False):
        """Boot in the background (inside netns if given); returns a Running.
        With keyboard, Running.type() sends bytes to the serial console."""
        LOGS.mkdir(parents=True, exist_ok=True)
        log_path = LOGS / f"{self.name}.log"
        cmd = self.args(log_path)
        if netns:
            cmd = ["ip", "netns", "exec", netns] + cmd
        return Running(cmd, log_path, keyboard)

    def run(self, marker=POWER_OFF, timeout=60, stop_on_marker=False, netns=None):
        """Boot; wait for QEMU to exit (or, with stop_on_marker, for the
        marker line). Returns a Result; the serial log is kept in build/test-logs."""
        LOGS.mkdir(parents=True, exist_ok=True)
        log_path = LOGS / f"{self.name}.log"
        cmd = self.args(log_path)
        if netns:
            cmd = ["ip", "netns", "exec", netns] + cmd
        start = time.monotonic()
        found = False
        timed_out = False
        with open(log_path, "w") as log:
            log.write("# " + shlex.join(cmd) + "\n")
            log.flush()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
            fd = proc.stdout.fileno()
            raw = b""
            while True:
                left = timeout - (time.monotonic() - start)
                if left <= 0:
                    timed_out = True
                    break
                ready, _, _ = select.select([fd], [], [], min(left, 0.5))
                if not ready:
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break  # QEMU closed stdout: it exited
                raw += chunk
                log.write(chunk.decode("utf-8", "replace"))
                log.flush()
                if marker and marker.encode() in raw:
                    found = True
                    if stop_on_marker:
                        break
            if timed_out or stop_on_marker:
                proc.kill()
            try:
                code = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                code = None
            if timed_out:
                code = None
            proc.stdout.close()
            buf = raw.decode("utf-8", "replace")
        output = buf.replace("\r\n", "\n")
        if marker and marker in output:
            found = True
        return Result(output, code, timed_out, found, time.monotonic() - start, log_path)


class Running:
    """A VM booting in the background: wait for lines, then for its exit."""

    def __init__(self, cmd, log_path, keyboard=False):
        self.log_path = log_path
        self.start_time = time.monotonic()
        self.log = open(log_path, "w")
        self.log.write("# " + shlex.join(cmd) + "\n")
        self.log.flush()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.PIPE if keyboard else subprocess.DEVNULL)
        self.raw = b""

    def type(self, data: bytes):
        """Send bytes to the guest's serial line (-serial stdio), as a
        terminal would: one write, so an escape sequence arrives whole."""
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def _pump(self, timeout):
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return True
        chunk = os.read(fd, 65536)
        if not chunk:
            return False
        self.raw += chunk
        self.log.write(chunk.decode("utf-8", "replace"))
        self.log.flush()
        return True

    @property
    def output(self):
        return self.raw.decode("utf-8", "replace").replace("\r\n", "\n")

    def wait_for(self, pattern, timeout=60):
        """The first match of regex pattern in the output, or None at exit/timeout."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.output, re.M)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not self._pump(min(left, 0.5)):
                return re.search(pattern, self.output, re.M)

    def finish(self, timeout=60):
        """Wait for QEMU to exit (killing it at the timeout); returns a Result."""
        deadline = time.monotonic() + timeout
        timed_out = False
        while self._pump(max(0.0, min(0.5, deadline - time.monotonic()))):
            if time.monotonic() > deadline:
                timed_out = True
                break
        if timed_out:
            self.proc.kill()
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc.stdout.close()
        if self.proc.stdin:
            self.proc.stdin.close()
        self.log.close()
        return Result(self.output, None if timed_out else code, timed_out,
                      POWER_OFF in self.output, time.monotonic() - self.start_time,
                      self.log_path)
