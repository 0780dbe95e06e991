"""EFI_PXE_BASE_CODE_PROTOCOL (UEFI 2.10 s.24.3) as a program sees it
(issue 10): pxetest.efi (test-env/efi/pxetest.c, gnu-efi) is the DHCP boot
file; it calls every PXE Base Code function on the NIC it was loaded from
and prints `PXETEST ok|FAIL <check>: ...` per check, against

- dnsmasq (DHCP + TFTP) in a namespaced network, with a UDP echo server on
  port 7 and a PXE boot server on port 4011 (both scripted below, in the
  server's namespace), and 192.168.77.99, which nobody holds;
- QEMU's user network: TFTP from QEMU, the echo server on the host's
  loopback (the user network forwards 10.0.2.2:port there), 10.0.2.99 as
  the unknown server and no boot server.

The bad input of the issue is in both runs: Mtftp with a buffer too small,
a missing file and a server that never answers, UdpRead with nothing to
read, each with the spec's status, timed by the program against the RTC.
The host then checks what the program printed against what it set up: the
lease dnsmasq gave, the file's CRC-32, the server's MAC, what the boot
server was asked."""
import re
import subprocess
import sys
import time
import zlib

import pytest

from netlab import PREFIX, Lan, dnsmasq_argv, sh
from test_efi import ANSI, CRASH
from test_net import LEASE, needs_netns
from wbqemu import ROOT, Vm

PXETEST = ROOT / "build" / "efi-tests" / "pxetest.efi"
SRV = f"{PREFIX}.1"
DATA_SIZE = 300007  # not a multiple of any block size: a short last block
BOOT_ITEM = "pxetest-bootitem.efi"
# Every check pxetest.efi runs, in its order (efi_main in pxetest.c).
CHECKS = ["locate", "mode", "clock", "config", "start", "dhcp", "discover", "mtftp-size",
          "mtftp-read", "mtftp-small", "mtftp-missing", "mtftp-unknown", "mtftp-args",
          "udp-echo", "udp-small", "udp-timeout", "ip-filter", "arp", "set-parameters",
          "set-station-ip", "set-packets", "stop-start"]
RESULT = re.compile(r"^PXETEST (ok|FAIL) ([\w-]+): (.*)$", re.M)
DONE = re.compile(r"^PXETEST done: (\d+) ok, (\d+) failed$", re.M)

# The scripted servers, run with `python3 -c SERVERS <role> ...` inside a
# namespace (or on the host). Each prints "ready <port>" once bound.
#   echo IP PORT BCAST: echoes datagrams; "ttl?" is answered with the TTL
#     and ToS it came with; "bcast:..." is echoed to BCAST.
#   bootsrv IP FILE: a PXE boot server (PXE 2.1 s.2.2.5) on port 4011:
#     answers a DHCPREQUEST carrying a PXE_BOOT_ITEM (option 43/71) with a
#     DHCPACK naming FILE and echoing the item's type and layer.
SERVERS = r'''
import socket, struct, sys
role, ip = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if role == "echo":
    port, bcast = int(sys.argv[3]), sys.argv[4]
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)  # Linux's 12
    s.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
    s.bind((ip, port))
    print("ready", s.getsockname()[1], flush=True)
    while True:
        data, anc, _, src = s.recvmsg(65535, 256)
        ttl = tos = -1
        for level, kind, val in anc:
            if kind == socket.IP_TTL:
                ttl = int.from_bytes(val[:4], sys.byteorder)
            elif kind == socket.IP_TOS:
                tos = val[0]
        print("from", src, len(data), "bytes ttl", ttl, "tos", tos, data[:24], flush=True)
        if data == b"ttl?":
            s.sendto(b"ttl=%d tos=%d" % (ttl, tos), src)
        elif data.startswith(b"bcast:") and bcast != "none":
            s.sendto(data, (bcast, src[1]))
        else:
            s.sendto(data, src)
else:
    bootfile = sys.argv[3].encode()
    s.bind((ip, 4011))
    print("ready", 4011, flush=True)
    while True:
        req, src = s.recvfrom(2048)
        if len(req) < 240 or req[0] != 1 or req[236:240] != b"\x63\x82\x53\x63":
            print("ignored", src, len(req), flush=True)
            continue
        opts, i, item = {}, 240, None
        while i + 1 < len(req) and req[i] != 255:
            if req[i] == 0:
                i += 1
                continue
            opts[req[i]] = req[i + 2:i + 2 + req[i + 1]]
            i += 2 + req[i + 1]
        sub, j = opts.get(43, b""), 0
        while j + 1 < len(sub) and sub[j] != 255:
            if sub[j] == 71 and sub[j + 1] == 4:
                item = struct.unpack(">HH", sub[j + 2:j + 6])
            j += 2 + sub[j + 1]
        mt = opts.get(53, b"?")[0]
        print("request from", src, "msgtype", mt, "ciaddr", socket.inet_ntoa(req[12:16]),
              "class", opts.get(60, b"")[:9], "item", item, flush=True)
        if item is None:
            continue
        rep = bytearray(240)
        rep[0:4] = b"\x02\x01\x06\x00"
        rep[4:8] = req[4:8]
        rep[12:16] = req[12:16]
        rep[20:24] = socket.inet_aton(ip)
        rep[28:44] = req[28:44]
        rep[108:108 + len(bootfile)] = bootfile
        rep[236:240] = b"\x63\x82\x53\x63"
        rep += bytes([53, 1, 5, 54, 4]) + socket.inet_aton(ip)
        rep += bytes([60, 9]) + b"PXEClient"
        rep += bytes([43, 8, 71, 4]) + struct.pack(">HH", *item) + bytes([255, 255])
        s.sendto(bytes(rep), src)
'''


def pattern(n):
    """The data file's bytes: byte i as pxetest_pattern(i) in pxetest.c."""
    return bytes((((i * 2654435761) & 0xffffffff) >> 24 ^ (i >> 16)) & 0xff for i in range(n))


def udp_timeout_ms():
    """UdpRead's wait with nothing to read, as the firmware documents it
    (the spec names none): PXE_BC_UDP_TIMEOUT_MS in include/pxe_bc.h."""
    m = re.search(r"#define PXE_BC_UDP_TIMEOUT_MS\s+(\d+)",
                  (ROOT / "include" / "pxe_bc.h").read_text())
    assert m, "PXE_BC_UDP_TIMEOUT_MS not found in include/pxe_bc.h"
    return int(m.group(1))


def tftp_root(root, echo, unknown, discover, altip, wire):
    if not PXETEST.exists():
        pytest.fail(f"{PXETEST} is missing: make efi-tests (test-env/efi/efi.mk)")
    root.mkdir(parents=True, exist_ok=True)
    (root / "pxetest.efi").write_bytes(PXETEST.read_bytes())
    data = pattern(DATA_SIZE)
    (root / "pxetest.dat").write_bytes(data)
    (root / "pxetest.cfg").write_text(
        f"data pxetest.dat {DATA_SIZE}\n"
        "missing no-such-file.bin\n"
        f"unknown {unknown}\n"
        f"echo {echo}\n"
        f"udp_timeout {udp_timeout_ms()}\n"
        f"discover {discover}\n"
        f"altip {altip}\n"
        f"wire {'yes' if wire else 'no'}\n")
    return zlib.crc32(data)


def wait_ready(log, proc, timeout=20):
    """The port a scripted server printed once bound ("ready <port>")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(r"^ready (\d+)$", log.read_text() if log.exists() else "", re.M)
        if m:
            return int(m.group(1))
        assert proc.poll() is None, f"{log.name}: server exited\n{log.read_text()}"
        time.sleep(0.05)
    pytest.fail(f"{log.name}: the server did not start")


def joined(output):
    """The console output with pxetest's continuation lines (four spaces,
    cut at exactly 76 characters) joined back onto their PXETEST line."""
    lines = []
    for line in ANSI.sub("", output).replace("\r", "").split("\n"):
        if lines and line.startswith("    ") and lines[-1].startswith("PXETEST "):
            lines[-1] += line[4:]
        else:
            lines.append(line)
    return "\n".join(lines)


def run_pxetest(vm, netns=None):
    """Boot pxetest.efi; returns (Result, {check: (verdict, text)}) once every
    check printed ok and the firmware saw EFI_SUCCESS."""
    run = vm.start(netns=netns)
    run.wait_for(r"^PXETEST done: \d+ ok, \d+ failed$", timeout=400)
    status = run.wait_for(r"efi: pxetest\.efi returned (\S+)\r?\n", timeout=30)
    r = run.finish(timeout=20)
    out = joined(r.output)
    assert CRASH not in out, f"firmware exception; see {r.log}"
    done = DONE.search(out)
    assert done, f"no 'PXETEST done' line; see {r.log}\n" + "\n".join(out.splitlines()[-25:])
    results = {name: (v, text) for v, name, text in RESULT.findall(out)}
    failed = [f"{n}: {t}" for n, (v, t) in results.items() if v != "ok"]
    assert not failed, "PXETEST FAIL lines:\n" + "\n".join(failed)
    missing = [c for c in CHECKS if c not in results]
    assert not missing, f"checks that printed nothing: {missing}; see {r.log}"
    assert tuple(map(int, done.groups())) == (len(CHECKS), 0)
    assert status and status.group(1) == "EFI_SUCCESS", f"see {r.log}"
    return r, results


def assert_common(r, results, crc, server):
    """What the host knows: the lease, the file, the timings' bounds."""
    lease = re.search(LEASE, r.output)
    assert lease, f"no lease line; see {r.log}"
    station = lease.group(2)
    mode = results["mode"][1]
    assert mode.startswith(f"station {station} mask 255.255.255.0 siaddr {server} "
                           "file pxetest.efi "), mode
    # libefi prints hex in capitals.
    assert f"crc32 {crc:08X} (blksize 512: {crc:08X})" in results["mtftp-read"][1]
    assert results["mtftp-size"][1] == f"pxetest.dat is {DATA_SIZE} bytes"
    assert f"BufferSize {DATA_SIZE}," in results["mtftp-small"][1]
    ms = int(re.search(r"EFI_TIMEOUT after (\d+) ms", results["udp-timeout"][1]).group(1))
    assert udp_timeout_ms() * 0.9 <= ms <= udp_timeout_ms() + 1500
    return station


@needs_netns
def test_pxe_base_code_against_dnsmasq(tmp_path, vm_name):
    root = tmp_path / "tftp"
    crc = tftp_root(root, f"{SRV} 7", f"{PREFIX}.99", f"reply {BOOT_ITEM}", f"{PREFIX}.200",
                    wire=True)
    work = tmp_path / "w"
    work.mkdir()
    echo_log, boot_log = tmp_path / "echo.log", tmp_path / "bootsrv.log"
    with Lan() as lan:
        srv = lan.host("srv", SRV)
        lan.spawn(srv, dnsmasq_argv(work, boot="pxetest.efi", tftp_root=root),
                  log=tmp_path / "dnsmasq.log")
        echo = lan.spawn(srv, [sys.executable, "-c", SERVERS, "echo", SRV, "7", f"{PREFIX}.255"],
                         log=echo_log)
        boot = lan.spawn(srv, [sys.executable, "-c", SERVERS, "bootsrv", SRV, BOOT_ITEM],
                         log=boot_log)
        wait_ready(echo_log, echo)
        wait_ready(boot_log, boot)
        mac = re.search(r"link/ether (\S+)", sh("ip", "-n", srv, "link", "show", "eth0").stdout)
        vm = Vm(entry="pvh", machine="q35", memory="256M", name=vm_name,
                netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
                nics=["virtio-net-pci,netdev=n0"])
        r, results = run_pxetest(vm, netns=lan.ns)
    station = assert_common(r, results, crc, SRV)
    # dnsmasq gave that lease, and served the file pxetest read.
    dlog = (tmp_path / "dnsmasq.log").read_text()
    assert re.search(rf"DHCPACK\(eth0\) {re.escape(station)} ", dlog), dlog[-2000:]
    assert "no-such-file.bin" in dlog, "the missing file was never asked for"
    # Arp found the server's real MAC.
    assert f"{SRV} is at {mac.group(1).upper()}, in Mode's cache" in results["arp"][1], mac[1]
    # The boot server was asked for type 0, layer 0 by our address, from port 68.
    blog = boot_log.read_text()
    assert re.search(rf"request from \('{re.escape(station)}', 68\) msgtype 3 ciaddr "
                     rf"{re.escape(station)} class b'PXEClient' item \(0, 0\)", blog), blog
    assert f"file {BOOT_ITEM} layer 0" in results["discover"][1]
    # The echo server saw the TTL and ToS SetParameters asked for, and the
    # datagram from the address SetStationIp moved us to.
    elog = echo_log.read_text()
    assert re.search(r"ttl 33 tos 32 b'ttl\?'", elog), elog
    assert re.search(rf"from \('{PREFIX}\.200', \d+\) 18 bytes", elog), elog
    mt = int(re.search(r"EFI_TIMEOUT after (\d+) ms", results["mtftp-unknown"][1]).group(1))
    print(f"\nMtftp from nobody: {mt} ms; UdpRead with nothing: "
          f"{results['udp-timeout'][1]}; Discover: {results['discover'][1]}")


def test_pxe_base_code_on_user_network(tmp_path, vm_name):
    log = tmp_path / "echo.log"
    with open(log, "w") as out:
        echo = subprocess.Popen([sys.executable, "-c", SERVERS, "echo", "127.0.0.1", "0", "none"],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        port = wait_ready(log, echo)
        crc = tftp_root(tmp_path / "tftp", f"10.0.2.2 {port}", "10.0.2.99", "timeout",
                        "10.0.2.200", wire=False)
        vm = Vm(entry="pvh", machine="q35", memory="256M", name=vm_name,
                netdevs=[f"user,id=n0,tftp={tmp_path / 'tftp'},bootfile=pxetest.efi"],
                nics=["virtio-net-pci,netdev=n0"])
        r, results = run_pxetest(vm)
    finally:
        echo.kill()
        echo.wait()
    assert_common(r, results, crc, "10.0.2.2")
    # QEMU's gateway answers ARP with its fixed MAC; nobody serves port 4011.
    assert "10.0.2.2 is at 52:55:0A:00:02:02, in Mode's cache" in results["arp"][1]
    assert results["discover"][1].startswith("no boot server: EFI_TIMEOUT")
    # The datagrams went through QEMU's user network to the host.
    assert re.search(r"from \('127\.0\.0\.1', \d+\) \d+ bytes", log.read_text())
