"""The VM on the network: virtio-net on every transport, SNP, lwIP, DHCP
with PXE options and proxyDHCP, against QEMU's user network and real
dnsmasq on namespaced networks."""
import os
import re
import socket
import struct
import tempfile

import pytest

from netlab import PREFIX, Lan, dnsmasq_argv
from wbqemu import Vm

LEASE = r"dhcp: net(\d) lease (\S+)/(\d+) router (\S+) dns (\S+) lease (\d+)s server (\S+)"
BOOT = r"dhcp: net(\d) next-server (\S+) boot-file '([^']*)'(?: from proxyDHCP (\S+))?"


def slirp_vm(name, entry="pvh", machine="q35", nic="virtio-net-pci", extra=(), cmdline=None):
    return Vm(entry=entry, machine=machine, name=name, cmdline=cmdline,
              netdevs=["user,id=n0,bootfile=boot/wireboot-test.efi"],
              nics=[f"{nic},netdev=n0"], extra=list(extra))


def assert_clean_exit(r):
    assert not r.timed_out, f"no power-off within the timeout; see {r.log}"
    assert r.exit_code == 0, f"QEMU exit code {r.exit_code}; see {r.log}"
    assert "CPU exception" not in r.output


def dump_traffic(vm, path, netdev="n0"):
    """Have QEMU write every frame of netdev to a pcap file: what really went
    over the wire, whatever the firmware prints."""
    vm.extra = list(vm.extra) + ["-object", f"filter-dump,id=dump0,netdev={netdev},file={path}"]
    return vm


def pcap_udp(path):
    """UDP datagrams in a pcap file as (src, sport, dst, dport, payload)."""
    b = path.read_bytes()
    assert b[:4] == b"\xd4\xc3\xb2\xa1", "not a little-endian pcap file"
    frames, i = [], 24
    while i + 16 <= len(b):
        incl = struct.unpack_from("<I", b, i + 8)[0]
        frames.append(b[i + 16:i + 16 + incl])
        i += 16 + incl
    # A tap netdev's frames start with its virtio-net header, 10 bytes, or
    # 12 once the guest negotiated mergeable buffers: skip to the EtherType.
    types = (b"\x08\x00", b"\x08\x06", b"\x86\xdd")
    out = []
    for frame in frames:
        skip = next((o for o in (0, 10, 12) if frame[o + 12:o + 14] in types), None)
        assert skip is not None, f"no Ethernet frame in {frame[:32].hex()}"
        frame = frame[skip:]
        if len(frame) < 42 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17 or struct.unpack(">H", ip[6:8])[0] & 0x1fff:
            continue  # not UDP, or not a first fragment
        sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
        out.append((socket.inet_ntoa(ip[12:16]), sport, socket.inet_ntoa(ip[16:20]), dport,
                    ip[ihl + 8:]))
    return out


def dhcp_options(b):
    """Options of a DHCP packet, as {code: bytes}."""
    out, i = {}, 240
    while i + 1 < len(b) and b[i] != 255:
        if b[i] == 0:
            i += 1
            continue
        out[b[i]] = b[i + 2:i + 2 + b[i + 1]]
        i += 2 + b[i + 1]
    return out


def assert_one_discover_one_request(packets, addr, server):
    """The client's DHCP packets (BOOTREQUESTs, oldest first) were one
    DISCOVER and one REQUEST for addr from server, in one conversation: an
    offer without a boot file is requested when the 1.5 s wait for a better
    one ends, with no DISCOVER retransmitted meanwhile."""
    kinds = [dhcp_options(p).get(53) for p in packets]
    assert kinds == [b"\x01", b"\x03"], f"client sent message types {kinds}"
    assert packets[0][4:8] == packets[1][4:8], "the REQUEST has another xid"
    req = dhcp_options(packets[1])
    assert req[50] == socket.inet_aton(addr) and req[54] == socket.inet_aton(server)


def test_slirp_lease_and_boot_file_are_printed(vm_name):
    r = slirp_vm(vm_name).run()
    assert_clean_exit(r)
    m = re.search(LEASE, r.output)
    assert m, r.output[-2000:]
    assert m.groups() == ("0", "10.0.2.15", "24", "10.0.2.2", "10.0.2.3", "86400", "10.0.2.2")
    b = re.search(BOOT, r.output)
    assert b and b.group(2) == "10.0.2.2" and b.group(3) == "boot/wireboot-test.efi"
    assert b.group(4) is None


def test_slirp_lease_without_boot_file_is_one_discover_and_one_request(vm_name, tmp_path):
    # QEMU's user network with no bootfile: a plain offer. QEMU's own dump
    # of the wire shows the exchange.
    dump = tmp_path / "wire.pcap"
    vm = dump_traffic(Vm(entry="pvh", name=vm_name, cmdline="log=debug",
                         netdevs=["user,id=n0"], nics=["virtio-net-pci,netdev=n0"]), dump)
    r = vm.run()
    assert_clean_exit(r)
    m = re.search(LEASE, r.output)
    assert m and m.group(2) == "10.0.2.15", r.lines("dhcp")
    assert r.lines(r"dhcp: net0 no boot file offered$")
    udp = pcap_udp(dump)
    assert_one_discover_one_request([p for _, sp, _, dp, p in udp if (sp, dp) == (68, 67)],
                                    "10.0.2.15", "10.0.2.2")
    # The firmware counts the same.
    assert r.lines(r"dhcp: net0 bound \(xid \S+, 1 discovers, 1 requests\)"), r.lines("dhcp")


TRANSPORTS = [
    # id, entry, machine, nic, extra, expected transport
    ("q35-pvh-modern", "pvh", "q35", "virtio-net-pci", [], "pci-modern"),
    ("q35-rom-modern", "rom", "q35", "virtio-net-pci", [], "pci-modern"),
    ("pc-pvh-modern", "pvh", "pc", "virtio-net-pci", [], "pci-modern"),
    ("pc-rom-modern", "rom", "pc", "virtio-net-pci", [], "pci-modern"),
    ("pc-rom-legacy", "rom", "pc", "virtio-net-pci,disable-modern=on", [], "pci-legacy"),
    ("q35-pvh-legacy-nomrg", "pvh", "q35", "virtio-net-pci,disable-modern=on,mrg_rxbuf=off",
     [], "pci-legacy"),
    ("q35-pvh-modern-nomrg", "pvh", "q35", "virtio-net-pci,mrg_rxbuf=off", [], "pci-modern"),
    ("microvm-mmio-v1", "pvh", "microvm", "virtio-net-device", [], "mmio-v1"),
    ("microvm-mmio-v2", "pvh", "microvm", "virtio-net-device",
     ["-global", "virtio-mmio.force-legacy=false"], "mmio-v2"),
]


@pytest.mark.parametrize("entry,machine,nic,extra,transport",
                         [t[1:] for t in TRANSPORTS], ids=[t[0] for t in TRANSPORTS])
def test_lease_on_every_transport(entry, machine, nic, extra, transport, vm_name):
    r = slirp_vm(vm_name, entry, machine, nic, extra).run()
    assert_clean_exit(r)
    assert r.lines(rf"net0: .*\({transport}\) mac 52:54:00:12:34:56 link up"), \
        r.lines(r"net0:")
    m = re.search(LEASE, r.output)
    assert m and m.group(2) == "10.0.2.15", r.lines("dhcp")


def test_two_nics_second_has_the_dhcp_server(vm_name):
    # net0 sits alone on a hub: nobody answers there.
    r = Vm(entry="pvh", name=vm_name, cmdline="dhcp_timeout=20",
           netdevs=["hubport,id=h0,hubid=0", "user,id=n1,bootfile=second.efi"],
           nics=["virtio-net-pci,netdev=h0", "virtio-net-pci,netdev=n1"]).run()
    assert_clean_exit(r)
    assert r.lines(r"net0: .* mac 52:54:00:12:34:56") and r.lines(r"net1: .* mac 52:54:00:12:34:57")
    m = re.search(LEASE, r.output)
    assert m and m.group(1) == "1" and m.group(2) == "10.0.2.15"
    assert re.search(BOOT, r.output).group(3) == "second.efi"


def test_no_dhcp_answer_is_bounded_and_reported(vm_name):
    r = Vm(entry="pvh", name=vm_name, cmdline="dhcp_timeout=3 boot_order=net log=debug",
           netdevs=["hubport,id=h0,hubid=0"], nics=["virtio-net-pci,netdev=h0"]).run()
    assert_clean_exit(r)
    assert r.lines(r"dhcp: net0: no DHCP offer after \d+ ms \(\d+ discovers\)")
    # One line with the reason (the boot manager's; docs/disk-boot.md).
    assert r.lines(r"warning: boot: no DHCP offer on net0 in 3\.\d s$")
    # Backoff: with a 3 s budget, at least two DISCOVERs went out but not dozens.
    n = int(re.search(r"\((\d+) discovers\)", r.output).group(1))
    assert 2 <= n <= 4


# ---- namespaced networks with real servers ----

needs_netns = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")


def lab_vm(name, cmdline="dhcp_timeout=20"):
    return Vm(entry="pvh", name=name, cmdline=cmdline,
              netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
              nics=["virtio-net-pci,netdev=n0"])


@needs_netns
def test_dnsmasq_lease_with_pxe_boot_file(vm_name, tmp_path):
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(tmp_path, "--dhcp-option=3", boot="pxelinux.0"),
                  log=tmp_path / "dnsmasq.log")
        r = lab_vm(vm_name).run(netns=lan.ns)
    assert_clean_exit(r)
    m = re.search(LEASE, r.output)
    assert m, r.lines("dhcp")
    assert m.group(2).startswith(f"{PREFIX}.") and m.group(3) == "24"
    assert m.group(6) == "3600" and m.group(7) == f"{PREFIX}.1"
    b = re.search(BOOT, r.output)
    assert b.groups() == ("0", f"{PREFIX}.1", "pxelinux.0", None)
    # The server saw our PXE client identity (option 60, arch 7).
    log = (tmp_path / "dnsmasq.log").read_text()
    assert "PXEClient:Arch:00007:UNDI:003016" in log


@needs_netns
@pytest.mark.parametrize("proxy_first", [True, False], ids=["proxy-first", "proxy-last"])
def test_proxydhcp_boot_file_combined_with_lease(proxy_first, vm_name, tmp_path):
    # One dnsmasq gives addresses only; another, in proxy mode, gives the
    # boot file. dnsmasq's reply delay decides who answers first.
    (tmp_path / "a").mkdir()
    (tmp_path / "p").mkdir()
    with Lan() as lan:
        a = lan.host("dhcp", f"{PREFIX}.1")
        p = lan.host("proxy", f"{PREFIX}.2")
        lan.spawn(a, dnsmasq_argv(tmp_path / "a", reply_delay=1 if proxy_first else 0),
                  log=tmp_path / "dhcp.log")
        lan.spawn(p, dnsmasq_argv(tmp_path / "p", "--pxe-service=x86-64_EFI,wireboot,bootx64.efi",
                                  proxy=True, reply_delay=0 if proxy_first else 1),
                  log=tmp_path / "proxy.log")
        dump = tmp_path / "wire.pcap"
        r = dump_traffic(lab_vm(vm_name), dump).run(netns=lan.ns)
    assert_clean_exit(r)
    m = re.search(LEASE, r.output)
    assert m and m.group(7) == f"{PREFIX}.1", r.lines("dhcp")
    b = re.search(BOOT, r.output)
    assert b and b.groups() == ("0", f"{PREFIX}.2", "bootx64.efi", f"{PREFIX}.2"), r.lines("dhcp")
    # The order on the wire was as named, and the client requested its
    # address only once both offers were in (the proxy's comes within the
    # 1.5 s wait that a plain offer starts).
    udp = pcap_udp(dump)
    order = [("proxy offer" if s == f"{PREFIX}.2" else "offer") if sp == 67 else "request"
             for s, sp, d, dp, p in udp
             if (sp == 67 and dp == 68 and dhcp_options(p).get(53) == b"\x02")
             or (dp == 67 and dhcp_options(p).get(53) == b"\x03")]
    first = sorted(set(order), key=order.index)  # retransmitted DISCOVERs get more offers
    want = ["proxy offer", "offer"] if proxy_first else ["offer", "proxy offer"]
    assert first == want + ["request"], order
    # dnsmasq's proxy names no file for EFI clients, so the file came from
    # its boot server: on the wire, a REQUEST from our new address to port
    # 4011 of the proxy, and the boot server's ACK naming bootx64.efi.
    ip = m.group(2)
    asked = [p for s, sp, d, dp, p in udp
             if (s, sp, d, dp) == (ip, 68, f"{PREFIX}.2", 4011)]
    assert asked, [u[:4] for u in udp]
    o = dhcp_options(asked[0])
    assert o[53] == b"\x03" and asked[0][12:16] == socket.inet_aton(ip)  # ciaddr
    acks = [p for s, sp, d, dp, p in udp if (s, sp, dp) == (f"{PREFIX}.2", 4011, 68)]
    assert acks and dhcp_options(acks[0])[53] == b"\x05"
    assert b"bootx64.efi" in acks[0][108:236] or dhcp_options(acks[0]).get(67) == b"bootx64.efi"
    offers = [p for s, sp, d, dp, p in udp if (s, sp, dp) == (f"{PREFIX}.2", 67, 68)]
    assert offers and not offers[0][108:236].strip(b"\0") and 67 not in dhcp_options(offers[0])
    # And dnsmasq says it answered there (its log has no port; only the
    # boot server's reply is an ACK from a proxy).
    assert re.search(r"sent size: +1 option: 53 message-type +5",
                     (tmp_path / "proxy.log").read_text())


@needs_netns
def test_plain_server_lease_is_one_discover_and_one_request(vm_name, tmp_path):
    # A server with no boot file and no proxy: the client waits the 1.5 s
    # for a better offer, then requests this one. The server records what
    # it received.
    record = tmp_path / "client-packets"
    server = os.path.join(os.path.dirname(__file__), "servers", "fake_dhcp.py")
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, ["/usr/bin/python3", server, "--ip", f"{PREFIX}.1", "--plain",
                        "--offer", f"{PREFIX}.60", "--record", str(record)],
                  log=tmp_path / "fake_dhcp.log")
        r = lab_vm(vm_name).run(netns=lan.ns)
    assert_clean_exit(r)
    m = re.search(LEASE, r.output)
    assert m and m.group(2) == f"{PREFIX}.60", r.lines("dhcp")
    assert r.lines(r"dhcp: net0 no boot file offered$")
    packets = [bytes.fromhex(h) for h in record.read_text().split()]
    assert_one_discover_one_request(packets, f"{PREFIX}.60", f"{PREFIX}.1")


@needs_netns
def test_host_pings_the_vm(vm_name, tmp_path):
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(tmp_path), log=tmp_path / "dnsmasq.log")
        vm = lab_vm(vm_name, "dhcp_timeout=20 net_wait=15").start(netns=lan.ns)
        m = vm.wait_for(LEASE, timeout=60)
        assert m, vm.output[-2000:]
        ip = m.group(2)
        assert vm.wait_for(r"net: answering ping", timeout=30)
        ping = lan.run(srv, ["ping", "-c", "3", "-i", "0.2", "-W", "2", ip])
        r = vm.finish(timeout=60)
    assert_clean_exit(r)
    assert re.search(r"3 packets transmitted, 3 received", ping.stdout), ping.stdout


def client_options(hex_packet):
    """Options of a recorded client packet, as {code: bytes}."""
    b = bytes.fromhex(hex_packet)
    out, i = {}, 240
    while i + 1 < len(b) and b[i] != 255:
        if b[i] == 0:
            i += 1
            continue
        out[b[i]] = b[i + 2:i + 2 + b[i + 1]]
        i += 2 + b[i + 1]
    return out


@needs_netns
def test_hostile_offers_are_ignored_and_pxe_identity_sent(vm_name, tmp_path):
    # The server sends three malformed offers and a duplicated good one;
    # the client must bind on the good one, say what it ignored, and have
    # sent the PXE options with the VM's SMBIOS UUID.
    record = tmp_path / "client-packets"
    server = os.path.join(os.path.dirname(__file__), "servers", "fake_dhcp.py")
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, ["/usr/bin/python3", server, "--ip", f"{PREFIX}.1",
                        "--offer", f"{PREFIX}.50", "--record", str(record)],
                  log=tmp_path / "fake_dhcp.log")
        vm = lab_vm(vm_name)
        vm.entry = "rom"
        vm.extra = ["-uuid", "12345678-9abc-def0-1122-334455667788"]
        r = vm.run(netns=lan.ns)
    assert_clean_exit(r)
    m = re.search(LEASE, r.output)
    assert m and m.group(2) == f"{PREFIX}.50" and m.group(6) == "600", r.lines("dhcp")
    assert re.search(BOOT, r.output).group(3) == "good.efi"
    ignored = r.lines(r"warning: dhcp: net0 ignored (\d+) malformed replies \(last: ")
    assert ignored, r.lines("dhcp")
    assert int(re.search(r"ignored (\d+)", ignored[0]).group(1)) >= 3
    packets = record.read_text().split()
    assert len(packets) >= 2
    o = client_options(packets[0])
    assert o[53] == b"\x01"
    assert o[60] == b"PXEClient:Arch:00007:UNDI:003016"
    assert o[93] == b"\x00\x07"
    assert o[94] == b"\x01\x03\x10"
    assert o[97] == bytes.fromhex("00123456789abcdef01122334455667788")
    # The REQUEST names the good offer.
    req = client_options(packets[-1])
    assert req[53] == b"\x03" and req[50] == bytes([192, 168, 77, 50])
