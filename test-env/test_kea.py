"""ISC Kea (kea-dhcp4, Debian's kea-dhcp4-server) as the DHCP server
(issues 9 and 10): the kea-dhcp4.conf recipe of docs/netboot-recipes.md,
read from that page, runs inside the test namespace.

- As a PXE client (wireboot's default identity) the PXE class gives
  next-server and pxelinux.0; atftpd beside Kea serves pxelinux.cfg/ and
  the demo kernel, which boots to the initramfs marker.
- As a UEFI HTTP Boot client (net_boot=http) the HTTP class gives option
  60 HTTPClient and a URL; nginx serves a pxelinux-style config and the
  demo kernel, over HTTP only.

Kea runs in the foreground as a child of the test with its lease file,
PID file and lock file in a temporary directory; it is stopped and the
directory removed when the test ends, whatever the result."""
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from netlab import PREFIX, Lan, kea_argv
from test_http import access_log, http_line, start_nginx, tap_vm
from test_linux import assert_booted, demo, make_tree, simple_cfg  # noqa: F401
from test_net import needs_netns
from test_netboot_loaders import atftpd_argv
from wbqemu import ROOT

KEA = shutil.which("kea-dhcp4") or "/usr/sbin/kea-dhcp4"
RECIPES = ROOT / "docs" / "netboot-recipes.md"
SRV = f"{PREFIX}.1"
MAC = "52:54:00:12:34:56"  # QEMU's default for the first NIC


def recipe():
    """The first ```json block of the "ISC Kea" section of the recipes page."""
    text = RECIPES.read_text()
    sec = text.index("## ISC Kea")
    m = re.compile(r"```json\n(.*?)```", re.S).search(text, sec)
    assert m, f"no json block in the Kea section of {RECIPES}"
    return json.loads(m.group(1))


def kea_config(work, log_name):
    """The recipe with every path Kea writes moved into work, and its log
    on stdout (the test's log file)."""
    conf = recipe()
    d4 = conf["Dhcp4"]
    d4["lease-database"].update({"name": str(work / "kea-leases4.csv"), "lfc-interval": 0})
    d4["control-socket"] = {"socket-type": "unix", "socket-name": str(work / "kea4-ctrl.sock")}
    # Debug level 40 (Kea's DBG_DHCP4_BASIC) logs the classes a packet got.
    d4["loggers"] = [{"name": log_name, "severity": "DEBUG", "debuglevel": 40,
                      "output_options": [{"output": "stdout", "flush": True}]}]
    return conf


def stop(p):
    """SIGTERM to Kea's process group, SIGKILL after 5 s; returns its exit code."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    return p.returncode


@contextlib.contextmanager
def kea(lan, ns, log):
    """kea-dhcp4 with the recipe in namespace ns, started (DHCP4_STARTED in
    its log). Yields its work directory; stops it and removes the directory
    on exit."""
    if not os.access(KEA, os.X_OK):
        pytest.fail("kea-dhcp4 is missing: install kea-dhcp4-server (scripts/deps.sh)")
    work = Path(tempfile.mkdtemp(prefix="wb-kea-"))
    p = None
    try:
        conf = work / "kea-dhcp4.conf"
        conf.write_text(json.dumps(kea_config(work, "kea-dhcp4"), indent=2))
        p = lan.spawn(ns, kea_argv(work, conf), log=log)
        deadline = time.monotonic() + 20
        while "DHCP4_STARTED" not in log.read_text():
            assert p.poll() is None, f"kea-dhcp4 exited ({p.returncode}):\n{log.read_text()}"
            assert time.monotonic() < deadline, f"kea-dhcp4 did not start:\n{log.read_text()}"
            time.sleep(0.05)
        yield work
    finally:
        if p is not None:
            stop(p)
        shutil.rmtree(work, ignore_errors=True)
    assert p.poll() is not None and not work.exists()


def assert_leased(work, log, ip):
    """Kea's lease file and log show ip leased to our NIC."""
    leases = (work / "kea-leases4.csv").read_text()
    assert re.search(rf"^{re.escape(ip)},{MAC},", leases, re.M), leases
    assert re.search(rf"DHCP4_LEASE_ALLOC \[hwtype=1 {MAC}\].*: lease {re.escape(ip)} has been "
                     "allocated", log.read_text()), log.read_text()[-2000:]


def assert_class(log, name):
    """Kea put our DHCP packets in client class name (and not the other)."""
    got = re.findall(rf"DHCP4_CLASS_ASSIGNED \[hwtype=1 {MAC}\].*following class\(es\): (.*)",
                     log.read_text())
    assert any(name in c.split(", ") for c in got), got
    other = {"uefi-x86-64-pxe", "uefi-x86-64-http"} - {name}
    assert not any(other & set(c.split(", ")) for c in got), got


LEASE = r"dhcp: net0 lease (\S+)/24 .* server " + re.escape(SRV)


@needs_netns
def test_kea_pxe_with_atftpd(demo, tmp_path, vm_name):
    tree = make_tree(tmp_path / "root", demo, simple_cfg(vm_name))
    klog = tmp_path / "kea.log"
    with Lan() as lan:
        srv = lan.host("srv", SRV)
        lan.spawn(srv, atftpd_argv(tree), log=tmp_path / "atftpd.log")
        with kea(lan, srv, klog) as work:
            r = tap_vm(vm_name).run(netns=lan.ns, timeout=300)
            ip = re.search(LEASE, r.output)
            assert ip, r.lines("dhcp|error")
            assert_leased(work, klog, ip.group(1))
    assert_booted(r, vm_name)
    # The PXE class answered: next-server and file from it, not the HTTP one.
    assert r.lines(rf"dhcp: net0 next-server {re.escape(SRV)} boot-file 'pxelinux\.0'$"), \
        r.lines("dhcp")
    assert_class(klog, "uefi-x86-64-pxe")
    assert r.lines(rf"tftp: {re.escape(SRV)}:vmlinuz ")
    log = (tmp_path / "atftpd.log").read_text()
    assert "vmlinuz" in log and "pxelinux.cfg" in log, log[-2000:]


@needs_netns
def test_kea_http_boot_with_nginx(demo, tmp_path, vm_name):
    tree = make_tree(tmp_path / "root", demo, None, {"boot.cfg": simple_cfg(vm_name)})
    klog = tmp_path / "kea.log"
    with Lan() as lan:
        srv = lan.host("srv", SRV)
        ng = start_nginx(lan, srv, tmp_path, tree)
        with kea(lan, srv, klog) as work:
            r = tap_vm(vm_name, config="net_boot=http\n").run(netns=lan.ns, timeout=300)
            ip = re.search(LEASE, r.output)
            assert ip, r.lines("dhcp|error")
            assert_leased(work, klog, ip.group(1))
    assert_booted(r, vm_name)
    # The HTTP class answered, with option 60 HTTPClient and the URL.
    assert r.lines(rf"dhcp: net0 next-server \S+ boot-file 'http://{re.escape(SRV)}/boot\.cfg' "
                   r"\(HTTPClient offer\)$"), r.lines("dhcp")
    assert_class(klog, "uefi-x86-64-http")
    http_line(r, f"{SRV}:vmlinuz")
    got = [(q, s) for c, q, s, b in access_log(ng)]
    for f in ("boot.cfg", "vmlinuz", "initrd.img"):
        assert (f"GET /{f} HTTP/1.1", 200) in got, got
    assert not r.lines(r"tftp: ")
