"""What the side-by-side benchmarks share: the QEMU command every firmware
starts from, OVMF's flash images, and timing one boot from QEMU's start
to a marker line on the serial console."""
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "test-env"))
from wbqemu import accel  # noqa: E402

# Debian's ovmf: the code is read-only, each boot gets a fresh copy of the
# factory variables.
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")


def qemu_base(memory="1024M"):
    """q35 with nothing attached, the serial console on stdout."""
    return ["qemu-system-x86_64", "-accel", accel(), "-M", "q35", "-m", memory, "-nodefaults",
            "-display", "none", "-serial", "stdio", "-no-reboot"]


def ovmf_pflash(vars_copy):
    """OVMF as the machine's flash: its code, and a copy of its variables."""
    return ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,file={vars_copy}"]


def time_to_marker(cmd, marker, label, timeout=600):
    """Run cmd to its exit; returns (milliseconds from its start to the first
    line holding marker, the whole console). No marker: exit with the
    console's last lines under label."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         errors="replace", stdin=subprocess.DEVNULL)
    t_marker, out = None, []
    for line in p.stdout:
        out.append(line)
        if t_marker is None and marker in line:
            t_marker = (time.monotonic() - t0) * 1000
    p.wait(timeout=timeout)
    if t_marker is None:
        raise SystemExit(f"{label}: no marker {marker!r}\n" + "".join(out[-30:]))
    return t_marker, "".join(out)
