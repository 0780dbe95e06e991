"""HTTP boot: Debian's kernel and a busybox initramfs over HTTP from nginx
on a namespaced network (a URL as the DHCP boot file, a host name through
dnsmasq's DNS, a pxelinux-style config with relative names, a 512 MiB
file), from a scripted server that misbehaves on purpose
(servers/http_server.py: chunked bodies, redirects, short and long
bodies, connections cut mid-body, Range ignored, a stall), and from QEMU's
user network reaching a server on the host. Files that arrive are checked
with the CRC-32 the firmware prints at log=debug."""
import functools
import http.server
import os
import re
import shutil
import threading
import time
import zlib

import pytest

from netlab import PREFIX, Lan, dnsmasq_argv
from nginx import Nginx
from test_linux import APPEND, MARKER, assert_booted, fake_pe, make_tree, simple_cfg
from test_net import needs_netns
from wbqemu import ROOT, Vm

IP = f"{PREFIX}.1"
SERVER = ROOT / "test-env" / "servers" / "http_server.py"
NOTHING = r"boot: nothing could be booted .*; powering off"


@pytest.fixture(scope="session")
def demo():
    d = ROOT / "build" / "demo"
    if not (d / "vmlinuz").exists():
        pytest.fail("build/demo is missing: make test builds it (make demo)")
    return d


def tap_vm(name, memory="512M", config=None):
    return Vm(entry="pvh", memory=memory, name=name, config=config,
              netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
              nics=["virtio-net-pci,netdev=n0"])


def wait_until(pred, what, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    pytest.fail(f"{what} did not start in {timeout} s")


# ---- nginx ----

def start_nginx(lan, ns, work, root):
    """nginx in namespace ns serving root on port 80; returns its work dir
    (access.log: "connection requests "request" status bytes")."""
    return Nginx(lan, ns, work / "nginx", IP, root).start().d


def access_log(d):
    """[(connection, request line, status, bytes)] from nginx's access log."""
    out = []
    for line in (d / "access.log").read_text().splitlines():
        m = re.match(r'(\d+) (\d+) "([^"]*)" (\d+) (\d+)', line)
        if m:
            out.append((int(m.group(1)), m.group(3), int(m.group(4)), int(m.group(5))))
    return out


def dns_dnsmasq_argv(work, boot, name):
    """dnsmasq for DHCP and DNS: name answers IP, option 6 points at it."""
    argv = dnsmasq_argv(work, "--no-resolv", "--no-hosts", f"--address=/{name}/{IP}",
                        f"--dhcp-option=6,{IP}", boot=boot)
    return [a if a != "--port=0" else "--port=53" for a in argv]


def http_line(r, where):
    """(MiB, ms, MB/s) from the firmware's summary line for where."""
    m = re.search(rf"http: {re.escape(where)} (\d+\.\d) MiB in (\d+) ms, (\d+\.\d) MB/s",
                  r.output)
    assert m, r.lines("http|error")
    return float(m.group(1)), int(m.group(2)), float(m.group(3))


@needs_netns
def test_kernel_url_from_dhcp_boots_with_cmdline_setting(demo, tmp_path, vm_name):
    tree = make_tree(tmp_path / "root", demo, None)
    token = "hk" + vm_name[-8:]
    (tmp_path / "w").mkdir()
    with Lan() as lan:
        srv = lan.host("srv", IP)
        ng = start_nginx(lan, srv, tmp_path, tree)
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w", boot=f"http://{IP}/vmlinuz"),
                  log=tmp_path / "dnsmasq.log")
        r = tap_vm(vm_name, config=f'cmdline="console=ttyS0 panic=-1 wb.token={token}"\n'
                   ).run(netns=lan.ns, timeout=180)
    assert not r.timed_out, f"timed out; see {r.log}"
    assert r.lines(rf"dhcp: net0 next-server \S+ boot-file 'http://{re.escape(IP)}/vmlinuz'")
    http_line(r, f"{IP}:vmlinuz")
    assert r.lines(r"linux: booting http://\S+/vmlinuz \(boot protocol 2\.\d+")
    # The kernel says what it was given (no initrd: it stops at the root fs).
    assert r.lines(rf"Command line: console=ttyS0 panic=-1 wb.token={token}$")
    log = access_log(ng)
    size = (tree / "vmlinuz").stat().st_size
    assert [(q, s, b) for c, q, s, b in log] == [("GET /vmlinuz HTTP/1.1", 200, size)], log


@needs_netns
def test_config_kernel_and_initrd_by_host_name_share_one_connection(demo, tmp_path, vm_name):
    # The boot file names a host; dnsmasq's DNS answers it (DHCP option 6).
    # The config's kernel and initrd come over one kept-alive connection.
    tree = make_tree(tmp_path / "root", demo, None, {"boot.cfg": simple_cfg(vm_name)})
    (tmp_path / "w").mkdir()
    with Lan() as lan:
        srv = lan.host("srv", IP)
        ng = start_nginx(lan, srv, tmp_path, tree)
        lan.spawn(srv, dns_dnsmasq_argv(tmp_path / "w", "http://boot.lab/boot.cfg", "boot.lab"),
                  log=tmp_path / "dnsmasq.log")
        r = tap_vm(vm_name).run(netns=lan.ns, timeout=180)
    cmdline = assert_booted(r, vm_name)
    assert cmdline.startswith(APPEND)
    assert r.lines(rf"dhcp: net0 lease .* dns {re.escape(IP)} ")
    assert r.lines(r"pxelinux: http://boot\.lab/boot\.cfg: 1 entries, default 'linux'")
    http_line(r, "boot.lab:vmlinuz")
    assert r.lines(r"http: boot\.lab:initrd\.img .* \(kept-alive connection\)")
    log = access_log(ng)
    reqs = {q: c for c, q, s, b in log if s == 200}
    assert set(reqs) == {"GET /boot.cfg HTTP/1.1", "GET /vmlinuz HTTP/1.1",
                         "GET /initrd.img HTTP/1.1"}, log
    assert len(set(reqs.values())) == 1, f"not one connection: {log}"


@needs_netns
def test_config_over_http_resolves_relative_names_against_its_url(demo, tmp_path, vm_name):
    # KERNEL relative to the config's directory, INITRD an absolute path
    # on the same server: both resolve against the config's URL (RFC 3986
    # s.5.2), not against the TFTP boot server.
    cfg = ("DEFAULT linux\nLABEL linux\n  KERNEL images/vmlinuz\n"
           "  INITRD /pxe/images/initrd.img\n"
           f"  APPEND {APPEND} wb.token={vm_name}\n")
    root = tmp_path / "root"
    (root / "pxe" / "images").mkdir(parents=True)
    for f in ("vmlinuz", "initrd.img"):
        shutil.copy(demo / f, root / "pxe" / "images" / f)
    (root / "pxe" / "boot.cfg").write_text(cfg)
    os.chmod(root, 0o755)
    (tmp_path / "w").mkdir()
    with Lan() as lan:
        srv = lan.host("srv", IP)
        ng = start_nginx(lan, srv, tmp_path, root)
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w", boot=f"http://{IP}/pxe/boot.cfg"),
                  log=tmp_path / "dnsmasq.log")
        r = tap_vm(vm_name).run(netns=lan.ns, timeout=180)
    assert_booted(r, vm_name)
    got = [(q, s) for c, q, s, b in access_log(ng)]
    assert ("GET /pxe/images/vmlinuz HTTP/1.1", 200) in got, got
    assert ("GET /pxe/images/initrd.img HTTP/1.1", 200) in got, got
    assert not r.lines(r"tftp: ")


@needs_netns
def test_512_mib_file_arrives_intact(tmp_path, vm_name):
    # Random bytes behind a PE header: detected as an EFI program that
    # cannot run, so the boot ends right after the fetch, with the CRC-32.
    root = tmp_path / "root"
    root.mkdir()
    data = bytearray(os.urandom(512 << 20))
    pe = fake_pe()
    data[:len(pe)] = pe
    (root / "big.bin").write_bytes(data)
    crc = zlib.crc32(data)
    del data
    os.chmod(root, 0o755)
    (tmp_path / "w").mkdir()
    with Lan() as lan:
        srv = lan.host("srv", IP)
        start_nginx(lan, srv, tmp_path, root)
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w", boot=f"http://{IP}/big.bin"))
        r = tap_vm(vm_name, memory="1G", config="log=debug\n").run(netns=lan.ns, timeout=400)
    assert not r.timed_out, f"timed out; see {r.log}"
    mib, ms, rate = http_line(r, f"{IP}:big.bin")
    assert mib == 512.0
    got = r.value(rf"http: {re.escape(IP)}:big\.bin crc32 (0x[0-9a-f]+)")
    assert got is not None and int(got, 16) == crc
    assert r.lines(rf"http: {re.escape(IP)}:big\.bin \d+\.\d MiB of 512\.0 MiB, ")  # progress
    print(f"\nnginx on the tap network: 512 MiB in {ms} ms, {rate} MB/s")


@needs_netns
@pytest.mark.parametrize("case,boot,message", [
    ("refused", f"http://{IP}:81/x", rf"{re.escape(IP)} port 81 refused the connection"),
    ("no-dns-server", "http://boot.lab/x",
     r"cannot look up boot\.lab: the DHCP lease named no DNS server"),
    ("nxdomain", "http://nosuch.lab/x", r"DNS has no IPv4 address for nosuch\.lab"),
    ("too-large", f"http://{IP}/huge.img",
     r"the file is larger than the memory available for it \(\d+ MiB\)"),
], ids=["refused", "no-dns-server", "nxdomain", "too-large"])
def test_network_errors_are_one_clear_line(case, boot, message, tmp_path, vm_name):
    root = tmp_path / "root"
    root.mkdir()
    with open(root / "huge.img", "wb") as f:
        f.truncate(300 << 20)  # sparse: 300 MiB for a 128 MiB VM
    os.chmod(root, 0o755)
    (tmp_path / "w").mkdir()
    with Lan() as lan:
        srv = lan.host("srv", IP)
        start_nginx(lan, srv, tmp_path, root)
        if case == "nxdomain":
            argv = dns_dnsmasq_argv(tmp_path / "w", boot, "boot.lab") + ["--address=/nosuch.lab/"]
        else:
            argv = dnsmasq_argv(tmp_path / "w", boot=boot)
        lan.spawn(srv, argv, log=tmp_path / "dnsmasq.log")
        r = tap_vm(vm_name, memory="128M").run(netns=lan.ns, timeout=90)
    assert not r.timed_out and r.exit_code == 0, f"see {r.log}"
    where = re.escape(boot.split("://", 1)[1].replace("/", ":", 1))
    assert r.lines(rf"error: http: {where}: {message}; no network boot"), r.lines("http|error")
    assert r.lines(NOTHING)


# ---- a server that misbehaves on purpose ----

PAYLOAD_LEN = 3 << 20


def scripted_boot(tmp_path, vm_name, path, payload_len=PAYLOAD_LEN):
    """dnsmasq hands out http://IP:8080/<path>; http_server.py serves a
    payload (a PE header and random bytes). Returns (Result, payload,
    the server's log)."""
    data = bytearray(os.urandom(payload_len))
    pe = fake_pe()
    data[:len(pe)] = pe
    payload = tmp_path / "payload.bin"
    payload.write_bytes(data)
    (tmp_path / "w").mkdir()
    slog = tmp_path / "http_server.log"
    with Lan() as lan:
        srv = lan.host("srv", IP)
        lan.spawn(srv, ["/usr/bin/python3", str(SERVER), "--ip", IP, "--file", str(payload)],
                  log=slog)
        wait_until(lambda: slog.exists() and "listening" in slog.read_text(), "http_server.py")
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w", boot=f"http://{IP}:8080/{path}"))
        r = tap_vm(vm_name, config="log=debug\n").run(netns=lan.ns, timeout=150)
    assert not r.timed_out, f"timed out; see {r.log}"
    assert r.exit_code == 0
    assert r.lines(NOTHING)
    return r, bytes(data), slog.read_text()


def assert_crc(r, data):
    got = r.value(r"http: \S+ crc32 (0x[0-9a-f]+)")
    assert got is not None, r.lines("http")
    assert int(got, 16) == zlib.crc32(data)
    # Fetched, then it is an EFI program that cannot run: the next step.
    assert r.lines(r"did not boot; trying pxelinux\.cfg/ beside it")


@needs_netns
@pytest.mark.parametrize("path,lines,asked", [
    ("chunked/payload.bin", [], ["GET /chunked/payload.bin range=-"]),
    ("redirect/a", [rf"302 Found: redirected to http://{IP}:8080/redirect/b",
                    rf"301 Moved Permanently: redirected to http://{IP}:8080/redirect/c",
                    rf"307 Temporary Redirect: redirected to http://{IP}:8080/file/payload\.bin"],
     ["GET /redirect/a", "GET /redirect/b", "GET /redirect/c", "GET /file/payload.bin"]),
    ("short/payload.bin", [r"the connection closed after \d+ of \d+ bytes; resuming from byte"],
     ["GET /short/payload.bin range=-", "GET /short/payload.bin range=bytes="]),
    ("cut/payload.bin", [r"the connection (was reset|closed) after \d+ of \d+ bytes; "
                         r"resuming from byte"],
     ["GET /cut/payload.bin range=-", "GET /cut/payload.bin range=bytes="]),
    ("norange/payload.bin", [r"resuming from byte",
                             r"MB/s .*\(the server ignored Range: sent again\)"],
     ["GET /norange/payload.bin range=-", "GET /norange/payload.bin range=bytes="]),
], ids=["chunked", "redirects", "short-body-resumed", "cut-resumed", "range-ignored"])
def test_scripted_server_file_arrives(path, lines, asked, tmp_path, vm_name):
    r, data, slog = scripted_boot(tmp_path, vm_name, path)
    assert_crc(r, data)
    for pattern in lines:
        assert r.lines(pattern), (pattern, r.lines("http"))
    reqs = [l for l in slog.splitlines() if l.startswith("REQ ")]
    for i, want in enumerate(asked):
        assert reqs[i].startswith(f"REQ {want}"), reqs
    for req in reqs:
        m = re.search(r"range=bytes=(\d+)-$", req)
        if m:  # a resume asks from exactly what had arrived: never 0, never past the end
            assert 0 < int(m.group(1)) < len(data), req


@needs_netns
@pytest.mark.parametrize("path,message", [
    ("long/payload.bin", r"the server sent more than the 1000 bytes it announced"),
    ("loop/a", rf"redirect loop: 302 back to http://{IP}:8080/loop/a"),
    ("https/a", rf"301 redirect to https://{IP}/file/x: only http:// is supported"),
    ("stall/payload.bin", r"no data for 10 s \(after \d+ bytes\)"),
    ("no/such/file", r"404 Not Found"),
], ids=["longer-than-announced", "redirect-loop", "redirect-to-https", "stall", "not-found"])
def test_scripted_server_error_is_one_clear_line(path, message, tmp_path, vm_name):
    t0 = time.monotonic()
    r, _, _ = scripted_boot(tmp_path, vm_name, path)
    where = re.escape(f"{IP}:8080:{path}")
    assert r.lines(rf"error: http: {where}: {message}; no network boot"), r.lines("http|error")
    assert time.monotonic() - t0 < 120


# ---- QEMU's user network ----

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests = []

    def log_message(self, fmt, *args):
        QuietHandler.requests.append(fmt % args)


def test_user_network_reaches_a_server_on_the_host(demo, tmp_path, vm_name):
    # Python's http.server answers HTTP/1.0 and closes after each file:
    # the client must follow that (no keep-alive) and still boot. QEMU's
    # user network does not scale TCP windows.
    tree = make_tree(tmp_path, demo, None, {"boot.cfg": simple_cfg(vm_name)})
    handler = functools.partial(QuietHandler, directory=str(tree))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = srv.server_address[1]
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        vm = Vm(entry="pvh", memory="512M", name=vm_name,
                netdevs=[f"user,id=n0,bootfile=http://10.0.2.2:{port}/boot.cfg"],
                nics=["virtio-net-pci,netdev=n0"])
        r = vm.run(timeout=180)
    finally:
        srv.shutdown()
        srv.server_close()
    assert_booted(r, vm_name)
    http_line(r, f"10.0.2.2:{port}:vmlinuz")
    http_line(r, f"10.0.2.2:{port}:initrd.img")
    assert not r.lines(r"kept-alive connection")
    assert any('"GET /initrd.img HTTP/1.1" 200' in q for q in QuietHandler.requests)
