"""UEFI HTTP Boot as DHCP servers configure it and as OVMF shows it to EFI
programs (issue 9):

- dnsmasq's HTTP boot recipe (a tag on vendor class HTTPClient, option 60
  forced back, a URL as the boot file) answering wireboot when it asks as
  an HTTP boot client (net_boot=http), or after a PXE exchange that named
  no file (net_boot=pxe,http); with the default (pxe) that server names
  nothing;
- a pxelinux-style config by URL naming a kernel and initrd on nginx, and
  the UKI (build/efi-tree/uki.efi) as an EFI payload over HTTP, both to
  the initramfs marker;
- boot_url (fw_cfg or the PVH command line) with a DHCP server that names
  no boot file: DHCP gives the address and DNS only;
- efitest.efi fetched by URL: its loaded image's device path ends in
  IPv4(<lease>)/Dns(<servers>)/Uri(<url>) as under OVMF, and LoadImage of a Uri device
  path with no buffer fetches that URL through LoadFile (the "load-uri"
  line efitest prints when its own path has a Uri node)."""
import functools
import http.server
import re
import threading

import pytest

from netlab import dnsmasq_argv, Lan
from test_efi import (CRASH, EFITEST_CHECKS, EFITEST_DONE, EFITEST_RESULT,  # noqa: F401
                      UKI_CMDLINE, assert_efi_linux, efi_tree, plain, tail)
from test_http import IP, access_log, http_line, start_nginx, tap_vm
from test_linux import assert_booted, demo, make_tree, simple_cfg  # noqa: F401
from test_net import needs_netns
from wbqemu import Vm

HTTP_LEASE = r"dhcp: net0 lease \S+ .* in \d+ ms \(as HTTPClient\)"


def http_recipe_argv(work, url, *extra):
    """dnsmasq with the HTTP boot recipe of its man page and of the UEFI
    HTTP boot guides: clients saying HTTPClient get tag http, option 60
    HTTPClient back and url as the boot file; other clients get no file."""
    return dnsmasq_argv(work, "--dhcp-vendorclass=set:http,HTTPClient",
                        "--dhcp-option-force=tag:http,60,HTTPClient",
                        f"--dhcp-boot=tag:http,{url}", *extra)


def http_tree(tmp_path, demo, token):
    """nginx's root: the demo kernel and initrd and boot.cfg naming them."""
    return make_tree(tmp_path / "root", demo, None, {"boot.cfg": simple_cfg(token)})


@needs_netns
@pytest.mark.parametrize("net_boot", ["http", "pxe,http", "pxe"])
def test_dnsmasq_http_recipe_boots_a_config_by_url(net_boot, demo, tmp_path, vm_name):
    tree = http_tree(tmp_path, demo, vm_name)
    (tmp_path / "w").mkdir()
    dlog = tmp_path / "dnsmasq.log"
    with Lan() as lan:
        srv = lan.host("srv", IP)
        ng = start_nginx(lan, srv, tmp_path, tree)
        lan.spawn(srv, http_recipe_argv(tmp_path / "w", f"http://{IP}/boot.cfg"), log=dlog)
        r = tap_vm(vm_name, config=f"net_boot={net_boot}\n").run(netns=lan.ns, timeout=300)
    assert not r.timed_out, f"timed out; see {r.log}"
    asked = dlog.read_text()
    if net_boot == "pxe":
        # The PXE identity only: this server has nothing for it.
        assert r.lines(r"dhcp: net0 no boot file offered$"), r.lines("dhcp|boot")
        assert "HTTPClient:Arch" not in asked
        assert not access_log(ng)
        return
    assert_booted(r, vm_name)
    assert r.lines(rf"dhcp: net0 next-server \S+ boot-file 'http://{re.escape(IP)}/boot\.cfg' "
                   r"\(HTTPClient offer\)$"), r.lines("dhcp")
    assert r.lines(HTTP_LEASE)
    # The server saw the UEFI HTTP boot identity (vendor class, arch 16).
    assert "vendor class: HTTPClient:Arch:00016:UNDI:003016" in asked, asked[-2000:]
    fell_back = r.lines(r"boot: no boot file from the PXEClient exchange; asking again as "
                        r"HTTPClient \(net_boot\)")
    assert bool(fell_back) == (net_boot == "pxe,http")
    if net_boot == "pxe,http":
        assert "vendor class: PXEClient:Arch:00007:UNDI:003016" in asked
    http_line(r, f"{IP}:vmlinuz")
    got = [(q, s) for c, q, s, b in access_log(ng)]
    for f in ("boot.cfg", "vmlinuz", "initrd.img"):
        assert (f"GET /{f} HTTP/1.1", 200) in got, got
    assert not r.lines(r"tftp: ")


@needs_netns
def test_uki_over_http_boots_linux_with_efivars(efi_tree, tmp_path, vm_name):
    (tmp_path / "w").mkdir()
    with Lan() as lan:
        srv = lan.host("srv", IP)
        ng = start_nginx(lan, srv, tmp_path, efi_tree)
        lan.spawn(srv, http_recipe_argv(tmp_path / "w", f"http://{IP}/uki.efi"),
                  log=tmp_path / "dnsmasq.log")
        r = tap_vm(vm_name, config="net_boot=http\n").run(netns=lan.ns, timeout=400)
    out = plain(r.output)
    cmdline, names = assert_efi_linux(r, out)
    assert cmdline == UKI_CMDLINE
    assert r.lines(rf"efi: starting http://{re.escape(IP)}/uki\.efi ")
    http_line(r, f"{IP}:uki.efi")
    size = (efi_tree / "uki.efi").stat().st_size
    assert [(q, s, b) for c, q, s, b in access_log(ng)] == [("GET /uki.efi HTTP/1.1", 200, size)]


@needs_netns
@pytest.mark.parametrize("path", ["boot.cfg", "pxelinux.0"])
def test_boot_url_setting_with_no_boot_file_from_dhcp(path, demo, tmp_path, vm_name):
    # dnsmasq gives an address and names no file (and no proxy answers):
    # boot_url from fw_cfg is booted, and DHCP does not wait the 1.5 s it
    # waits for a better offer when it wants a boot file. A URL ending in
    # pxelinux.0 is looked up beside, as a DHCP boot file would be: the
    # pxelinux.cfg/ names over HTTP, "not found" moving on to default.
    tree = make_tree(tmp_path / "root", demo, simple_cfg(vm_name),
                     {"boot.cfg": simple_cfg(vm_name)})
    (tmp_path / "w").mkdir()
    with Lan() as lan:
        srv = lan.host("srv", IP)
        ng = start_nginx(lan, srv, tmp_path, tree)
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w"), log=tmp_path / "dnsmasq.log")
        r = tap_vm(vm_name, config=f"boot_url=http://{IP}/{path}\nlog=debug\n"
                   ).run(netns=lan.ns, timeout=300)
    assert_booted(r, vm_name)
    assert r.lines(r"dhcp: net0 no boot file offered$")
    assert r.lines(rf"boot: boot_url http://{re.escape(IP)}/{re.escape(path)} from the settings$")
    ms = int(r.value(r"dhcp: net0 lease .* in (\d+) ms"))
    assert ms < 1500, f"DHCP took {ms} ms: it waited for a boot file it did not need"
    assert r.lines(r"dhcp: net0 bound \(xid \S+, 1 discovers, 1 requests\)")
    got = [(q, s) for c, q, s, b in access_log(ng)]
    assert ("GET /initrd.img HTTP/1.1", 200) in got, got
    if path == "pxelinux.0":
        assert ("GET /pxelinux.0 HTTP/1.1", 200) not in got, got  # never fetched
        assert ("GET /pxelinux.cfg/default HTTP/1.1", 200) in got, got
        assert ("GET /pxelinux.cfg/01-52-54-00-12-34-56 HTTP/1.1", 404) in got, got


@needs_netns
def test_boot_url_wins_over_a_dhcp_boot_file(demo, tmp_path, vm_name):
    # A DHCP boot file that would fail (no TFTP server): boot_url from the
    # PVH command line is booted instead, and the line says so.
    tree = http_tree(tmp_path, demo, vm_name)
    (tmp_path / "w").mkdir()
    with Lan() as lan:
        srv = lan.host("srv", IP)
        start_nginx(lan, srv, tmp_path, tree)
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w", boot="nosuch.efi"))
        vm = tap_vm(vm_name)
        vm.cmdline = f"boot_url=http://{IP}/boot.cfg"
        r = vm.run(netns=lan.ns, timeout=300)
    assert_booted(r, vm_name)
    assert r.lines(rf"boot: boot_url http://{re.escape(IP)}/boot\.cfg from the settings; "
                   r"DHCP's boot file 'nosuch\.efi' not used")
    assert not r.lines(r"tftp: ")


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests = []

    def log_message(self, fmt, *args):
        _Handler.requests.append(fmt % args)


def host_server(root):
    """http.server on 127.0.0.1 (QEMU's user network reaches it as
    10.0.2.2): (server, port)."""
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1]


def test_efi_program_over_http_has_a_uri_device_path(efi_tree, vm_name):
    # QEMU's user network names no boot file; boot_url (PVH command line)
    # names efitest.efi on a host server. Every efitest check passes (the
    # SNP one ARPs QEMU's gateway), and its image path is OVMF's for an
    # HTTP boot: <NIC>/IPv4(0.0.0.0,TCP,DHCP,<lease>)/Dns(<lease's DNS>)/Uri(<url>).
    srv, port = host_server(efi_tree)
    url = f"http://10.0.2.2:{port}/efitest.efi"
    try:
        run = Vm(entry="pvh", memory="512M", name=vm_name, cmdline=f"boot_url={url}",
                 netdevs=["user,id=n0"], nics=["virtio-net-pci,netdev=n0"]).start()
        run.wait_for(r"EFITEST done: \d+ ok, \d+ failed\n", timeout=400)
        r = run.finish(timeout=60)
    finally:
        srv.shutdown()
        srv.server_close()
    out = plain(r.output)
    assert CRASH not in out, f"firmware exception; see {r.log}"
    assert EFITEST_DONE.search(out), f"no 'EFITEST done' line; see {r.log}\n{tail(r)}"
    results = {name: (verdict, text) for verdict, name, text in EFITEST_RESULT.findall(out)}
    failed = [f"{n}: {t}" for n, (v, t) in results.items() if v != "ok"]
    assert not failed, "EFITEST FAIL lines:\n" + "\n".join(failed)
    checks = EFITEST_CHECKS + ["load-uri"]  # load-uri runs only when efitest came by URL
    assert sorted(results) == sorted(checks), sorted(results)
    assert tuple(map(int, EFITEST_DONE.search(out).groups())) == (len(checks), 0)
    text = results["device-path-text"][1]
    ipv4 = "IPv4(0.0.0.0,TCP,DHCP,10.0.2.15,10.0.2.2,255.255.255.0)/Dns(10.0.2.3)"
    nic = r"PciRoot\(0x0\)/Pci\(0x\w+,0x0\)/MAC\(\w{12},0x1\)"
    # The device is the HTTP boot handle (its path holds the Uri, as
    # OVMF's IPv4 child does after HttpBootUpdateDevicePath); the image's
    # path is the same.
    m = re.search(rf"device '({nic}/{re.escape(ipv4)}/Uri\({re.escape(url)}\))'", text)
    assert m, text
    assert f"image '{m.group(1)}'" in text, text
    # LoadImage(<NIC>/IPv4/Uri(.../efichild.efi), NULL buffer) fetched the
    # child over HTTP and it ran.
    child = url.replace("efitest.efi", "efichild.efi")
    load = re.search(r"^EFITEST ok load-uri: (.*)$", out, re.M)
    assert load, f"no 'EFITEST ok load-uri' line; see {r.log}\n{tail(r)}"
    assert child in load.group(1)
    assert r.lines(rf"http: 10\.0\.2\.2:{port}:efichild\.efi ")
    assert any('"GET /efichild.efi HTTP/1.1" 200' in q for q in _Handler.requests)
