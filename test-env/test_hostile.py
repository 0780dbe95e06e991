"""Hostile servers: what a PixieFail-style audit (Quarkslab, 2024, EDK2's
NetworkPkg) would throw at wireboot's IPv4 network path, one case per
boot. Scripted servers on a namespaced network (servers/fake_dhcp.py
--case, servers/fake_tftp.py's hostile modes, and a lying HTTP server in
this file) send oversized, overlapping and lying options, absurd OACKs,
forged and out-of-window blocks, and broken HTTP heads. Each boot must
end with a line that names what was wrong and a fallback (the next
offer, the next step, or "nothing could be booted"), within a bounded
time, and never a CPU exception.

As a script, `python3 test_hostile.py --http-server IP PORT FILE` is the
lying HTTP server the HTTP cases start in the namespace.
"""
import os
import re
import socket
import sys
import time
import zlib

import pytest

from netlab import PREFIX, Lan, dnsmasq_argv
from test_net import dhcp_options, needs_netns
from wbqemu import Vm

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_DHCP = os.path.join(HERE, "servers", "fake_dhcp.py")
FAKE_TFTP = os.path.join(HERE, "servers", "fake_tftp.py")
NOTHING = r"boot: nothing could be booted .*; powering off"
LEASE = r"dhcp: net0 lease (\S+)/\d+ router \S+ dns (\S+) "
BOOT = r"dhcp: net0 next-server \S+ boot-file '([^']*)'"
MALFORMED = r"warning: dhcp: net0 ignored \d+ malformed replies \(last: (.*)\)$"


def wait_port(lan, ns, proto, port, what):
    """Until a socket in ns listens on port (the VM's first packet must
    find the server up)."""
    end = time.monotonic() + 10
    while time.monotonic() < end:
        out = lan.run(ns, ["ss", "-lnH", "-" + proto]).stdout
        if re.search(rf":{port}\s", out):
            return
        time.sleep(0.05)
    pytest.fail(f"{what} did not start in 10 s")


def hostile_vm(name, cmdline):
    return Vm(entry="pvh", memory="128M", name=name, cmdline=cmdline,
              netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
              nics=["virtio-net-pci,netdev=n0"])


def assert_bounded(r, limit):
    """Powered off by itself, in time, without a fault."""
    assert not r.timed_out, f"no power-off; see {r.log}"
    assert r.exit_code == 0, f"QEMU exit code {r.exit_code}; see {r.log}"
    assert "CPU exception" not in r.output and "panic" not in r.output.lower(), r.log
    assert r.seconds < limit, f"{r.seconds:.1f} s; see {r.log}"
    assert r.lines(NOTHING), r.output[-1500:]


# ---- DHCP ----

def dhcp_boot(tmp_path, vm_name, case, dhcp_timeout=4):
    """fake_dhcp.py --case CASE, and fake_tftp.py answering "file not
    found" to every name (a quick end for whatever boot file is taken).
    Returns the Result and the names the TFTP server was asked for."""
    tlog = tmp_path / "tftp.log"
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, ["/usr/bin/python3", FAKE_DHCP, "--ip", f"{PREFIX}.1", "--offer",
                        f"{PREFIX}.50", "--record", str(tmp_path / "client"), "--case", case],
                  log=tmp_path / "dhcp.log")
        lan.spawn(srv, ["/usr/bin/python3", FAKE_TFTP, "--ip", f"{PREFIX}.1", "--file",
                        "/dev/null", "--serve", "nothing"], log=tlog)
        wait_port(lan, srv, "u", 67, "fake_dhcp.py")
        wait_port(lan, srv, "u", 69, "fake_tftp.py")
        r = hostile_vm(vm_name, f"dhcp_timeout={dhcp_timeout} boot_order=net").run(
            netns=lan.ns, timeout=60)
    names = [l.split()[1] for l in tlog.read_text().splitlines() if l.startswith("RRQ ")]
    return r, names


# Cases where the hostile reply comes first and an honest offer of .50
# (no boot file) follows: the client binds on the honest one and says
# what it ignored.
IGNORED = [
    ("overload-overrun", r"an option runs past the end of the packet"),
    ("concat-too-long", r"a boot file name \(option 67\) longer than 255 bytes"),
    ("yiaddr=255.255.255.255", r"an offered address no host can have"),
    ("yiaddr=224.0.0.1", r"an offered address no host can have"),
    ("yiaddr=127.0.0.1", r"an offered address no host can have"),
    ("yiaddr=192.168.77.255", r"an offered address no host can have"),
    ("server-id=255.255.255.255", r"a server identifier no host can have"),
    ("server-id=0.0.0.0", r"a server identifier no host can have"),
    ("server-id=224.0.0.1", r"a server identifier no host can have"),
]


@needs_netns
@pytest.mark.parametrize("case,reason", IGNORED, ids=[c for c, _ in IGNORED])
def test_dhcp_hostile_offer_is_named_and_the_next_offer_taken(case, reason, tmp_path,
                                                              vm_name):
    r, _ = dhcp_boot(tmp_path, vm_name, case)
    assert_bounded(r, 40)
    line = r.lines(MALFORMED)
    assert line and re.search(reason, line[0]), r.lines("dhcp")
    lease = re.search(LEASE, r.output)
    assert lease and lease.group(1) == f"{PREFIX}.50", r.lines("dhcp")
    assert r.lines(r"dhcp: net0 no boot file offered$"), r.lines("dhcp")
    # Every REQUEST asked for the honest offer (the server's ACK echoes it).
    packets = [bytes.fromhex(h) for h in (tmp_path / "client").read_text().split()]
    asked = {dhcp_options(p).get(50) for p in packets if dhcp_options(p).get(53) == b"\x03"}
    assert asked == {socket.inet_aton(f"{PREFIX}.50")}, asked


@needs_netns
@pytest.mark.parametrize("case,boot_file", [
    # Option 52 = 3: the boot file is in the file field's options; the
    # nested option 52 there is no second overload.
    ("overload-bootfile", "overload.cfg"),
    # 250 private options and 40 name servers before the real ones.
    ("many-options", "many.cfg"),
    # RFC 3396: a split option is one value, the pieces joined in order.
    ("concat-3396", "hostile/split.cfg"),
    # The header's file field filled to its last byte, no NUL: all 128.
    ("file-no-nul", "f" * 100 + "/no-nul-boot-file.cfgxxxxxxx"),
], ids=["overload-bootfile", "many-options", "concat-3396", "file-no-nul"])
def test_dhcp_strange_but_valid_offer_gives_the_right_boot_file(case, boot_file, tmp_path,
                                                               vm_name):
    r, names = dhcp_boot(tmp_path, vm_name, case)
    assert_bounded(r, 40)
    assert re.search(LEASE, r.output).group(1) == f"{PREFIX}.50", r.lines("dhcp")
    assert r.value(BOOT) == boot_file, r.lines("dhcp")
    assert names and names[0] == boot_file, names  # what the client really asked for
    assert r.lines(rf"error: tftp: {PREFIX}\.1:{re.escape(boot_file)}: file not found")
    if case == "many-options":  # the lease's first DNS server, of 40
        assert re.search(LEASE, r.output).group(2) == "10.0.0.1"


@needs_netns
def test_dhcp_option_43_with_lying_sub_options_in_a_proxy_offer(tmp_path, vm_name):
    # The proxy's boot menu (sub-option 9) claims 200 bytes inside a
    # 12-byte option 43: no menu item is read from it; its boot server is
    # asked plainly, does not answer, and the lease stands without a file.
    r, _ = dhcp_boot(tmp_path, vm_name, "vendor-lying")
    assert_bounded(r, 40)
    assert re.search(LEASE, r.output).group(1) == f"{PREFIX}.50", r.lines("dhcp")
    assert r.lines(rf"warning: dhcp: net0 proxyDHCP {PREFIX}\.1 offered PXE service but its "
                   r"boot server \(port 4011\) did not answer; no boot file")
    # It was asked (fake_dhcp.py records port 4011 without answering) with
    # no boot item: option 43 absent, as for a proxy with no menu.
    packets = [bytes.fromhex(h) for h in (tmp_path / "client-4011").read_text().split()]
    assert packets and all(43 not in dhcp_options(p) for p in packets), packets


@needs_netns
@pytest.mark.parametrize("case", ["ack-xid", "ack-chaddr"])
def test_dhcp_ack_for_another_conversation_is_not_taken(case, tmp_path, vm_name):
    # Every ACK names another xid or another client: none binds, and the
    # client gives up at dhcp_timeout (plus the grace for an ACK) saying so.
    r, names = dhcp_boot(tmp_path, vm_name, case, dhcp_timeout=3)
    assert_bounded(r, 40)
    assert not re.search(LEASE, r.output), r.lines("dhcp")
    assert r.lines(r"warning: boot: no DHCPACK for our request on net0 in [3-5]\.\d s$"), \
        r.lines("dhcp|boot")
    assert not names


# ---- TFTP ----

def tftp_payload():
    """A config of several 1428-byte blocks: one entry whose kernel the
    server does not have."""
    text = "DEFAULT none\nLABEL none\n  KERNEL no-such-kernel\n"
    text += "".join(f"# line {i:05d} padding the config past a few blocks\n"
                    for i in range(120))
    return text.encode()


def tftp_boot(tmp_path, vm_name, server_args):
    """dnsmasq names boot.cfg; fake_tftp.py serves it (only it) in the mode
    under test. Returns the Result, the payload and the server's log."""
    payload = tftp_payload()
    (tmp_path / "payload").write_bytes(payload)
    (tmp_path / "w").mkdir()
    tlog = tmp_path / "tftp.log"
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w", boot="boot.cfg"))
        lan.spawn(srv, ["/usr/bin/python3", FAKE_TFTP, "--ip", f"{PREFIX}.1", "--file",
                        str(tmp_path / "payload"), "--serve", "boot.cfg"] + server_args,
                  log=tlog)
        wait_port(lan, srv, "u", 67, "dnsmasq")
        wait_port(lan, srv, "u", 69, "fake_tftp.py")
        r = hostile_vm(vm_name, "dhcp_timeout=10 boot_order=net log=debug").run(
            netns=lan.ns, timeout=60)
    return r, payload, tlog.read_text()


BAD_OACK = r"server's option acknowledgement refused: "
TOO_BIG = "file is larger than the memory available for it"
TFTP_FAILS = [
    ("blksize-0", ["--oack", "blksize=0"], BAD_OACK + r"blksize 0 outside 8\.\.\d+"),
    ("blksize-7", ["--oack", "blksize=7"], BAD_OACK + r"blksize 7 outside 8\.\.\d+"),
    ("blksize-65465", ["--oack", "blksize=65465"], BAD_OACK + r"blksize 65465 outside 8\.\.\d+"),
    ("blksize-100000", ["--oack", "blksize=100000"],
     BAD_OACK + r"blksize 100000 outside 8\.\.\d+"),
    ("windowsize-0", ["--oack", "blksize=1428,windowsize=0"],
     BAD_OACK + r"windowsize 0 outside 1\.\.\d+"),
    ("windowsize-65536", ["--oack", "blksize=1428,windowsize=65536"],
     BAD_OACK + r"windowsize 65536 outside 1\.\.\d+"),
    ("tsize-2^64-1", ["--oack", "blksize=1428,tsize=18446744073709551615"], TOO_BIG),
    ("tsize-2^64", ["--oack", "blksize=1428,tsize=18446744073709551616"],
     BAD_OACK + r"a value that is not a decimal number under 2\^64"),
    ("tsize-1GiB", ["--oack", "blksize=1428,tsize=1073741824"], TOO_BIG),
    ("not-asked", ["--oack", "blksize=1428,evil=1"], BAD_OACK + "an option we did not ask for"),
    ("no-nul", ["--oack", "raw:" + b"blksize\x001428".hex()], BAD_OACK + "a value without its NUL"),
    ("hex-value", ["--oack", "blksize=0x400"], BAD_OACK + r"a value that is not a decimal number under 2\^64"),
    ("oversize-data", ["--oversize", "2"], "server sent a block larger than the negotiated size"),
    ("error-no-nul", ["--error-no-nul"], r"access violation: denied \?\[31m\?A+"),
]


@needs_netns
@pytest.mark.parametrize("args,message", [t[1:] for t in TFTP_FAILS],
                         ids=[t[0] for t in TFTP_FAILS])
def test_tftp_hostile_answer_is_one_clear_line(args, message, tmp_path, vm_name):
    r, _, _ = tftp_boot(tmp_path, vm_name, args)
    assert_bounded(r, 40)
    assert r.lines(rf"error: tftp: {PREFIX}\.1:boot\.cfg: {message}"), r.lines("tftp|error")
    assert not r.lines(r"pxelinux: boot\.cfg: ")  # nothing of it was taken


@needs_netns
@pytest.mark.parametrize("args", [["--oack-after-data"], ["--spoof"], ["--jump"]],
                         ids=["oack-after-data", "forged-tid", "out-of-window-blocks"])
def test_tftp_stray_packets_do_not_spoil_the_file(args, tmp_path, vm_name):
    # An OACK in the middle, DATA from a forged port (RFC 1350 s.4: answered
    # with error 5 and ignored) and blocks far outside the window: the
    # file arrives whole, its CRC-32 the server's.
    r, payload, slog = tftp_boot(tmp_path, vm_name, args)
    assert_bounded(r, 40)
    crc = r.value(rf"tftp: {PREFIX}\.1:boot\.cfg crc32 (0x[0-9a-f]+)")
    assert crc is not None and int(crc, 16) == zlib.crc32(payload), r.lines("tftp")
    assert r.lines(r"pxelinux: boot\.cfg: 1 entries, default 'none'"), r.lines("pxelinux|tftp")
    assert r.lines(rf"error: tftp: {PREFIX}\.1:no-such-kernel: file not found")
    if "--spoof" in args:
        answers = [l for l in slog.splitlines() if l.startswith("STRANGER ")]
        assert answers and all(a == "STRANGER 5 5" for a in answers), answers


# ---- HTTP: what servers/http_server.py does not do ----

HTTP_CASES = {
    # path: (status line and fields as sent, message or None when the file must arrive)
    "no-reason": ("HTTP/1.1 200\r\nContent-Length: {n}\r\n", None),
    "long-line": ("HTTP/1.1 200 OK\r\nX-Pad: " + "a" * (1 << 20) + "\r\nContent-Length: {n}\r\n",
                  r"a response head line longer than 8192 bytes"),
    "length-overflow": ("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n",
                        r"Content-Length past 2\^64-1"),
    "length-2^64-1": ("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n",
                      r"the file is larger than the memory available for it \(\d+ MiB\)"),
    "chunk-huge": ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n",
                   r"chunk size over 2\^63"),
    "http2": ("HTTP/2 200\r\nContent-Length: {n}\r\n", r"the server does not speak HTTP/1\.x"),
}


def http_server(ip, port, path):
    """The lying server: one response per connection, by the request's path
    (HTTP_CASES); any other path gets 404."""
    data = open(path, "rb").read()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((ip, port))
    srv.listen(8)
    while True:
        c, _ = srv.accept()
        try:
            req = b""
            while b"\r\n\r\n" not in req:
                chunk = c.recv(4096)
                if not chunk:
                    break
                req += chunk
            where = req.split(b" ")[1].decode() if req.count(b" ") >= 2 else "/"
            print("REQ", where, flush=True)
            case = HTTP_CASES.get(where.strip("/"))
            if case is None:
                c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                          b"Connection: close\r\n\r\n")
            elif where.strip("/") == "chunk-huge":
                c.sendall(case[0].encode() + b"\r\n" + b"1" + b"f" * 16 + b"\r\n" + data[:64])
            else:
                c.sendall(case[0].format(n=len(data)).encode() + b"Connection: close\r\n\r\n" +
                          data)
            c.shutdown(socket.SHUT_WR)  # all sent; the client closes its side
            c.settimeout(2)
            while c.recv(4096):
                pass
        except OSError as e:
            print("connection:", e, flush=True)
        finally:
            c.close()


def fake_pe():
    """An MZ header pointing at a PE signature, then random bytes: taken for
    an EFI program, which then does not start."""
    pe = bytearray(os.urandom(100000))
    pe[0:2] = b"MZ"
    pe[0x3c:0x40] = (0x80).to_bytes(4, "little")
    pe[0x80:0x84] = b"PE\0\0"
    pe[0x84:0x100] = bytes(0x7c)
    return bytes(pe)


@needs_netns
@pytest.mark.parametrize("case", list(HTTP_CASES))
def test_http_lying_head(case, tmp_path, vm_name):
    payload = fake_pe()
    (tmp_path / "payload").write_bytes(payload)
    (tmp_path / "w").mkdir()
    url = f"http://{PREFIX}.1:8080/{case}"
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, ["/usr/bin/python3", os.path.abspath(__file__), "--http-server",
                        f"{PREFIX}.1", "8080", str(tmp_path / "payload")],
                  log=tmp_path / "http.log")
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w", boot=url))
        wait_port(lan, srv, "t", 8080, "the HTTP server")
        wait_port(lan, srv, "u", 67, "dnsmasq")
        r = hostile_vm(vm_name, "dhcp_timeout=10 boot_order=net log=debug").run(
            netns=lan.ns, timeout=60)
    assert_bounded(r, 40)
    message = HTTP_CASES[case][1]
    if message is None:
        crc = r.value(r"http: \S+ crc32 (0x[0-9a-f]+)")
        assert crc is not None and int(crc, 16) == zlib.crc32(payload), r.lines("http")
        assert r.lines(r"did not boot; trying pxelinux\.cfg/ beside it"), r.lines("boot")
    else:
        where = re.escape(f"{PREFIX}.1:8080:{case}")
        assert r.lines(rf"error: http: {where}: (bad response: |bad chunked body: )?"
                       rf"{message}; no network boot"), r.lines("http|error")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--http-server":
        http_server(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)
