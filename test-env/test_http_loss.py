"""HTTP boot under packet loss (issue 12): Debian's kernel + busybox initrd
network-booted over HTTP from nginx, the DHCP boot file a URL
(`http://192.168.77.1/boot.cfg`, dnsmasq's HTTPClient recipe, net_boot=http)
naming a pxelinux-style config, on a namespaced bridge that drops frames at
random in both directions (an nftables bridge-family rule, `numgen random
mod 1000 < N drop`, on the forward hook, as test_tftp_loss.py does). Every
boot must reach the initramfs with its own token on the command line.

Also a server that dies mid-body: nginx (the initrd rate-limited so that it
is still arriving) is stopped while the initrd's body is coming in and
started again a few seconds later; the client must say so in one line,
resume with a Range request once the server is back, and boot.

`make test` runs a reduced form: one boot per loss level (5% from PVH, 20%
from the reset vector), one server death. The full campaign (10 boots per case, PVH and ROM) runs with
WB_HTTP_LOSS_FULL=1, or as a script that prints the table for
docs/benchmarks.md (median QEMU start -> initramfs marker, against 0%):

    python3 test-env/test_http_loss.py [BOOTS] [--elf PATH --rom PATH]
        [--loss 0,50,200] [--entries pvh,rom]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nginx  # noqa: E402
import wbqemu  # noqa: E402
from netlab import PREFIX, Lan, dnsmasq_argv  # noqa: E402
from test_tftp_loss import drop_frames, dropped, loss_boots  # noqa: E402
from wbqemu import ROOT, Vm  # noqa: E402

DEMO = ROOT / "build" / "demo"
IP = f"{PREFIX}.1"
MARKER = r"WIREBOOT-DEMO: initramfs up; cmdline: (.*)"
APPEND = "console=ttyS0 quiet panic=-1 wb.poweroff"
FULL = os.environ.get("WB_HTTP_LOSS_FULL") == "1"
BOOT_TIMEOUT = 900  # a hang guard, not a benchmark: the times go to docs/benchmarks.md

needs_lab = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
needs_nft = pytest.mark.skipif(
    not any(Path(d, "nft").exists() for d in ("/usr/sbin", "/sbin")),
    reason="nft (Debian's nftables) is needed to drop frames")

def make_tree(root, token):
    """nginx's root: the demo kernel, initrd and boot.cfg naming them."""
    root.mkdir(parents=True, exist_ok=True)
    for f in ("vmlinuz", "initrd.img"):
        shutil.copy(DEMO / f, root / f)
    (root / "boot.cfg").write_text(
        f"DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.img\n"
        f"  APPEND {APPEND} wb.token={token}\n")
    os.chmod(root, 0o755)


class Nginx(nginx.Nginx):
    """nginx serving root, the initrd at rate bytes/s ("0": unlimited), which
    can be stopped and started again while a VM is fetching."""

    def __init__(self, lan, ns, work, root, rate="0"):
        super().__init__(lan, ns, work / "nginx", IP, root, log_format=nginx.LOG_RANGES,
                         server_extra=f"        location = /initrd.img {{ limit_rate {rate}; }}\n")

    def access_log(self):
        """[(request line, status, bytes, Range header or "-")]; nginx logs
        a request when it ends, and not one a fast shutdown cut off."""
        out = []
        for line in self.log_lines():
            m = re.match(r'(\d+) (\d+) "([^"]*)" (\d+) (\d+) "([^"]*)"', line)
            if m:
                out.append((m.group(3), int(m.group(4)), int(m.group(5)), m.group(6)))
        return out


def tcp_counters(ns):
    """The server namespace's TCP counters (RFC 4022 MIB and Linux's
    extensions): what the sender did to get the data through."""
    out = {}
    for f in ("/proc/net/snmp", "/proc/net/netstat"):
        text = subprocess.run(["ip", "netns", "exec", ns, "cat", f], capture_output=True,
                              text=True).stdout.splitlines()
        for names, values in zip(text[::2], text[1::2]):
            k, ns_names = names.split(":", 1)
            for n, v in zip(ns_names.split(), values.split(":", 1)[1].split()):
                out[f"{k}.{n}"] = int(v)
    return out


RETRANS = ("Tcp.RetransSegs", "TcpExt.TCPTimeouts", "TcpExt.TCPLossProbes",
           "TcpExt.TCPSackRecovery", "TcpExt.TCPFastRetrans")


class Boot:
    """One network boot's result: the run, seconds from QEMU start to the
    marker (None: not reached), frames dropped, the server's TCP counters."""

    def __init__(self, r, took, lost, tcp, nginx):
        self.r, self.took, self.lost, self.tcp, self.nginx = r, took, lost, tcp, nginx
        ms = r.value(r"leaving wireboot (\d+) ms after entry")
        self.fw = int(ms) / 1000 if ms and took else None  # the firmware's own part


def boot_once(permille, entry, work, name, die_mid_body=False, config=""):
    """Boot the demo over HTTP at permille frame loss each way. With
    die_mid_body, the initrd is served at 512 KiB/s and nginx is stopped
    once the firmware reports the initrd's progress, then started again
    3 s later."""
    tree = work / "root"
    make_tree(tree, name)
    (work / "d").mkdir(exist_ok=True)
    with Lan() as lan:
        srv = lan.host("srv", IP)
        ng = Nginx(lan, srv, work, tree, rate="512k" if die_mid_body else "0")
        ng.start()
        lan.spawn(srv, dnsmasq_argv(
            work / "d", "--dhcp-vendorclass=set:http,HTTPClient",
            "--dhcp-option-force=tag:http,60,HTTPClient",
            f"--dhcp-boot=tag:http,http://{IP}/boot.cfg"), log=work / "dnsmasq.log")
        time.sleep(0.3)
        if permille:
            drop_frames(lan, permille)
        vm = Vm(entry=entry, memory="512M", name=name,
                config=f"net_boot=http\ndhcp_timeout=60\n{config}",
                netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
                nics=["virtio-net-pci,netdev=n0"])
        run = vm.start(netns=lan.ns)
        if die_mid_body:
            mid = run.wait_for(rf"http: {re.escape(IP)}:initrd\.img \S+ MiB of ", timeout=300)
            if mid:
                ng.stop()
                time.sleep(3)
                ng.start()
        m = run.wait_for(MARKER, timeout=BOOT_TIMEOUT)
        took = time.monotonic() - run.start_time if m else None
        r = run.finish(timeout=120)
        lost = dropped(lan)
        tcp = tcp_counters(srv)
    m = re.search(MARKER, r.output)
    if not (m and f"wb.token={name}" in m.group(1).split() and r.exit_code == 0):
        took = None
    return Boot(r, took, lost, tcp, ng)


def check_boot(b):
    r = b.r
    assert not r.timed_out, f"timed out; see {r.log}"
    assert b.took is not None, (f"no initramfs marker; see {r.log}\n"
                                + "\n".join(r.lines(r"http|dhcp|error|warn")[-15:]))
    for f in ("vmlinuz", "initrd.img"):
        assert r.lines(rf"http: {re.escape(IP)}:{f} \S+ MiB in \d+ ms"), r.lines("http")


# (loss in permille, the entry make test's one boot uses): both entries
# are covered at no extra cost; the full campaign boots both at each level.
LOSS = [(50, "pvh"), (200, "rom")]


@needs_lab
@needs_nft
@pytest.mark.parametrize("permille,reduced_entry", LOSS, ids=["5pct", "20pct"])
def test_http_boot_under_loss(permille, reduced_entry, tmp_path, vm_name):
    for entry, work, name in loss_boots(FULL, reduced_entry, tmp_path, vm_name):
        b = boot_once(permille, entry, work, name)
        check_boot(b)
        # The loss was real, and the server's TCP had to repair it.
        assert b.lost > 0
        assert b.tcp["Tcp.RetransSegs"] > 0, b.tcp
        # Each file served (206: the rest of one resumed after a stall).
        got = [(q, s) for q, s, n, rng in b.nginx.access_log()]
        for f in ("boot.cfg", "vmlinuz", "initrd.img"):
            assert {(f"GET /{f} HTTP/1.1", 200), (f"GET /{f} HTTP/1.1", 206)} & set(got), got


@needs_lab
def test_server_dies_mid_body_and_the_boot_resumes_with_range(tmp_path, vm_name):
    if not (DEMO / "vmlinuz").exists():
        pytest.fail("build/demo is missing: make test builds it (make demo)")
    b = boot_once(0, "pvh", tmp_path, vm_name, die_mid_body=True)
    r = b.r
    where = re.escape(f"{IP}:initrd.img")
    # The cut is named, with how much had arrived and what happens next.
    cut = r.lines(rf"http: {where}: the connection (closed|was reset) after (\d+) of (\d+) "
                  r"bytes; resuming from byte \d+")
    assert cut, r.lines("http|error")
    check_boot(b)
    size = (DEMO / "initrd.img").stat().st_size
    m = re.search(r"after (\d+) of (\d+) bytes; resuming from byte (\d+)", cut[0])
    have, total, frm = map(int, m.groups())
    assert total == size and 0 < have == frm < size, cut[0]
    # nginx's log: a Range request from exactly the byte the firmware
    # named, answered 206 with the rest, and the file never asked for
    # whole again (the cut request itself is not logged: nginx's fast
    # shutdown ended it).
    log = [(q, s, n, rng) for q, s, n, rng in b.nginx.access_log() if "initrd" in q]
    assert ("GET /initrd.img HTTP/1.1", 206, size - frm, f"bytes={frm}-") in log, log
    assert not [e for e in log if e[1] == 200], log
    # Down for 3 s: the first attempts are refused (or taken by the dying
    # listener and reset), and the line says the firmware waits.
    assert r.lines(rf"http: {where}: (\S+ port 80 refused the connection|the connection was "
                   r"reset before any answer); waiting up to 30 s for the server to come back"), \
        r.lines("http")
    # The line says when the server answered again, and the summary that
    # the file came in two pieces.
    assert r.lines(rf"http: {where}: the server answered again \d+ ms after the cut "
                   rf"\(from byte {frm}\)"), r.lines("http")
    assert r.lines(rf"http: {where} \S+ MiB in \d+ ms, .*\(resumed 1 time\)"), r.lines("http")


def campaign(boots, elf=None, rom=None, loss=(0, 50, 200), entries=("pvh", "rom")):
    """The table for docs/benchmarks.md: boots per case, median seconds
    from QEMU start to the initramfs marker (and its ratio to 0%), frames
    dropped and the server's retransmissions per boot."""
    if elf:
        wbqemu.ELF = Path(elf)
    if rom:
        wbqemu.ROM = Path(rom)
    rows, base = [], {}
    for permille in loss:
        for entry in entries:
            times, fw, fails, lost, rtx, rto, resumes = [], [], 0, [], [], [], 0
            for i in range(boots):
                with tempfile.TemporaryDirectory() as w:
                    b = boot_once(permille, entry, Path(w), f"hloss{permille}{entry}{i}")
                if b.took is None:
                    fails += 1
                    why = b.r.lines(r"http:.*(resum|no data|gave up)|error")
                    print(f"  {permille / 10:g}% {entry} #{i}: failed "
                          f"{why[-1] if why else ''} ({b.r.log})", flush=True)
                else:
                    times.append(b.took)
                    fw.append(b.fw)
                lost.append(b.lost)
                rtx.append(b.tcp.get("Tcp.RetransSegs", 0))
                rto.append(b.tcp.get("TcpExt.TCPTimeouts", 0))
                resumed = len(b.r.lines(r"resuming from byte"))
                resumes += resumed
                print(f"  {permille / 10:g}% {entry} #{i}: "
                      f"{'%.1f s' % b.took if b.took else 'FAIL'}, {b.lost} frames dropped, "
                      f"{rtx[-1]} segments retransmitted ({rto[-1]} timeouts), "
                      f"{resumed} resumes", flush=True)
            med = statistics.median(times) if times else None
            if permille == 0 and med:
                base[entry] = med
            ratio = f"{med / base[entry]:.2f}x" if med and base.get(entry) else "-"
            rows.append((f"{permille / 10:g}%", entry, f"{boots - fails}/{boots}",
                         f"{med:.1f} s" if med else "-", ratio,
                         f"{statistics.median(fw):.2f} s" if fw else "-",
                         f"{statistics.median(lost):.0f}", f"{statistics.median(rtx):.0f}",
                         f"{statistics.median(rto):.0f}", resumes))
    print("| loss | entry | booted | median QEMU start to marker | vs 0% | median firmware "
          "(entry to hand-off) | frames dropped | server retransmissions | server RTO timeouts "
          "| resumes |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


if __name__ == "__main__":
    args = sys.argv[1:]
    opts = {}
    for flag in ("--elf", "--rom", "--loss", "--entries"):
        if flag in args:
            i = args.index(flag)
            opts[flag] = args[i + 1]
            del args[i:i + 2]
    loss = tuple(int(x) for x in opts.get("--loss", "0,50,200").split(","))
    entries = tuple(opts.get("--entries", "pvh,rom").split(","))
    campaign(int(args[0]) if args else 10, opts.get("--elf"), opts.get("--rom"), loss, entries)
