"""Network-boot Linux: Debian's kernel and a busybox initramfs over TFTP,
from QEMU's user network and from dnsmasq, tftp-hpa and atftpd on a
namespaced network. The initramfs prints the command line it got, so each
test proves that the kernel, the initrd and the command line arrived."""
import os
import re
import shutil
import struct

import pytest

from netlab import PREFIX, Lan, dnsmasq_argv
from test_handoff import microvm_append
from test_net import needs_netns
from wbqemu import ROOT, Vm

DEMO = ROOT / "build" / "demo"
MARKER = r"WIREBOOT-DEMO: initramfs up; cmdline: (.*)"
APPEND = "console=ttyS0 quiet panic=-1 wb.poweroff"


@pytest.fixture(scope="session")
def demo():
    if not (DEMO / "vmlinuz").exists():
        pytest.fail("build/demo is missing: make test builds it (make demo)")
    return DEMO


def make_tree(root, demo, default, files=None):
    """A TFTP root with the demo kernel and initrd and the given configs
    (default None: no pxelinux.cfg/default)."""
    (root / "pxelinux.cfg").mkdir(parents=True, exist_ok=True)
    for f in ("vmlinuz", "initrd.img"):
        shutil.copy(demo / f, root / f)
    if default is not None:
        (root / "pxelinux.cfg" / "default").write_text(default)
    for name, text in (files or {}).items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text)
    os.chmod(root, 0o755)
    return root


def simple_cfg(token, extra=""):
    return (f"DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.img\n"
            f"  APPEND {APPEND} wb.token={token}{extra}\n")


def slirp(name, tree, bootfile="pxelinux.0", entry="pvh", machine="q35", config=None,
          memory="512M", extra=()):
    mmio = machine.startswith("microvm")
    boot = f",bootfile={bootfile}" if bootfile else ""
    return Vm(entry=entry, machine=machine, memory=memory, name=name, config=config,
              extra=list(extra), netdevs=[f"user,id=n0,tftp={tree}{boot}"],
              nics=["virtio-net-device,netdev=n0" if mmio else "virtio-net-pci,netdev=n0"])


def assert_booted(r, token):
    assert not r.timed_out, f"timed out; see {r.log}"
    m = re.search(MARKER, r.output)
    assert m, f"initramfs marker missing; see {r.log}\n" + "\n".join(r.output.splitlines()[-15:])
    assert f"wb.token={token}" in m.group(1).split()
    assert r.lines(r"handoff: \d+ virtio devices reset")
    assert r.exit_code == 0, f"exit {r.exit_code}"
    return m.group(1)


MATRIX = [("pvh", "q35"), ("rom", "q35"), ("pvh", "pc"), ("rom", "pc"), ("pvh", "microvm")]


@pytest.mark.parametrize("entry,machine", MATRIX, ids=[f"{m}-{e}" for e, m in MATRIX])
def test_pxelinux_tree_boots_kernel_initrd_and_append(entry, machine, demo, tmp_path, vm_name):
    # A microvm kernel under TCG cannot calibrate its TSC (docs/boot-flow.md).
    extra = f" {microvm_append()}" if machine == "microvm" else ""
    tree = make_tree(tmp_path, demo, simple_cfg(vm_name, extra))
    r = slirp(vm_name, tree, entry=entry, machine=machine).run(timeout=180)
    cmdline = assert_booted(r, vm_name)
    assert cmdline.startswith(APPEND)
    assert r.lines(r"boot: pxelinux.0 is PXELINUX's BIOS loader; reading its pxelinux.cfg/")
    assert r.lines(r"pxelinux: pxelinux.cfg/default: 1 entries, default 'linux'")


def test_bzimage_as_boot_file_gets_cmdline_setting(demo, tmp_path, vm_name):
    tree = make_tree(tmp_path, demo, "")
    token = "bz" + vm_name[-8:]
    r = slirp(vm_name, tree, bootfile="vmlinuz",
              config=f'cmdline="console=ttyS0 panic=-1 wb.token={token}"\n').run(timeout=180)
    assert not r.timed_out
    # No initrd: the kernel starts, says what it was given, and cannot mount root.
    assert r.lines(rf"Command line: console=ttyS0 panic=-1 wb.token={token}$")
    assert r.lines(r"linux: booting vmlinuz \(boot protocol 2\.\d+")


def test_distro_menu_tree_with_include_mac_config_and_ipappend(demo, tmp_path, vm_name):
    # As installers publish them: UI/DEFAULT vesamenu.c32, MENU blocks, TEXT
    # HELP, INCLUDE, initrd= inside APPEND, MENU DEFAULT in the include; and
    # a per-MAC file that wins over default.
    common = (
        "MENU TITLE Installer\nMENU BEGIN tools\n  LABEL memtest\n    KERNEL memtest.c32\n"
        "MENU END\nLABEL rescue\n  MENU LABEL Rescue\n  KERNEL vmlinuz\n  APPEND rescue\n"
        "LABEL install\n  MENU LABEL ^Install\n  MENU DEFAULT\n  LINUX vmlinuz\n"
        f"  APPEND initrd=initrd.img {APPEND} wb.token={vm_name}\n  IPAPPEND 3\n"
        "  TEXT HELP\n    Installs the system. LABEL bogus\n  ENDTEXT\n")
    mac_cfg = ("UI vesamenu.c32\nDEFAULT vesamenu.c32\nPROMPT 0\nTIMEOUT 50\n"
               "MENU BACKGROUND splash.png\nINCLUDE pxelinux.cfg/common.cfg\n")
    tree = make_tree(tmp_path, demo, simple_cfg("from-default"),
                     {"pxelinux.cfg/01-52-54-00-12-34-56": mac_cfg,
                      "pxelinux.cfg/common.cfg": common})
    r = slirp(vm_name, tree).run(timeout=180)
    cmdline = assert_booted(r, vm_name)
    assert "ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0" in cmdline.split()
    assert "BOOTIF=01-52-54-00-12-34-56" in cmdline.split()
    assert "initrd=initrd.img" in cmdline.split()
    assert r.lines(r"pxelinux: pxelinux.cfg/01-52-54-00-12-34-56: 3 entries, default 'install'")


def test_two_initrds_and_a_failing_default_entry(demo, tmp_path, vm_name):
    # The default entry's kernel is missing: its error, then the next entry,
    # which has two initrds (both must arrive).
    pad = tmp_path / "src"
    pad.mkdir()
    os.system(f"cd {pad} && mkdir -p pad && head -c 123457 /dev/zero > pad/data && "
              f"find . | cpio -o -H newc --quiet > ../pad.img")
    cfg = ("DEFAULT broken\nLABEL broken\n  KERNEL no-such-kernel\n  APPEND x\n"
           "LABEL good\n  KERNEL vmlinuz\n  INITRD initrd.img,pad.img\n"
           f"  APPEND {APPEND} wb.token={vm_name}\n")
    tree = make_tree(tmp_path / "root", demo, cfg)
    shutil.copy(tmp_path / "pad.img", tree / "pad.img")
    r = slirp(vm_name, tree).run(timeout=180)
    assert_booted(r, vm_name)
    assert r.lines(r"error: tftp: 10\.0\.2\.2:no-such-kernel: file not found.*\(error 1\); "
                   r"entry skipped")
    assert r.lines(r"boot: trying the next entry, 'good'")
    assert r.lines(r"WIREBOOT-DEMO: extra initrd file data 123457 bytes")


# ---- the boot manager's choices: pxelinux.cfg names, boot files, settings ----

UUID = "4f9e2c1a-7b3d-4e5f-8a6b-0c1d2e3f4a5b"


@pytest.mark.parametrize("name,extra", [
    ("0A00020F", []),  # QEMU's user net gives the guest 10.0.2.15
    (UUID, ["-uuid", UUID]),
], ids=["hex-address", "uuid"])
def test_tree_with_only_one_lookup_name_boots(name, extra, demo, tmp_path, vm_name):
    # No default and no MAC file: only the lookup name under test can boot.
    tree = make_tree(tmp_path, demo, None, {f"pxelinux.cfg/{name}": simple_cfg(vm_name)})
    r = slirp(vm_name, tree, extra=extra).run(timeout=180)
    assert_booted(r, vm_name)
    assert r.lines(rf"pxelinux: pxelinux\.cfg/{name}: 1 entries, default 'linux'")


@pytest.mark.parametrize("bootfile", ["boot.cfg", "tftp://10.0.2.2/boot.cfg"],
                         ids=["path", "url"])
def test_config_given_directly_as_the_boot_file(bootfile, demo, tmp_path, vm_name):
    # The DHCP boot file is a config, not pxelinux.0; pxelinux.cfg/default
    # (another token) must not be what boots. As a URL, the names in the
    # config are relative to it and fetched through its scheme.
    tree = make_tree(tmp_path, demo, simple_cfg("from-default"),
                     {"boot.cfg": simple_cfg(vm_name)})
    r = slirp(vm_name, tree, bootfile=bootfile).run(timeout=180)
    assert_booted(r, vm_name)
    assert r.lines(rf"pxelinux: {re.escape(bootfile)}: 1 entries, default 'linux'")
    assert r.lines(r"tftp: 10\.0\.2\.2:vmlinuz ")
    assert not r.lines(r"pxelinux\.cfg/")


def fake_pe():
    """An MZ header pointing at a PE signature and nothing else: detected as
    an EFI program, yet no loader can run it."""
    pe = bytearray(0x200)
    pe[0:2] = b"MZ"
    pe[0x3c:0x40] = struct.pack("<I", 0x80)
    pe[0x80:0x84] = b"PE\0\0"
    return bytes(pe)


def test_efi_program_that_does_not_boot_falls_back_to_pxelinux_cfg(demo, tmp_path, vm_name):
    # The boot file is an EFI program that does not boot: the pxelinux.cfg/
    # lookup beside it follows. There, KERNEL names an EFI program too (any
    # payload the table knows); it fails the same way and the next entry
    # boots Linux.
    cfg = ("DEFAULT efi\nLABEL efi\n  KERNEL fake.efi\n  APPEND efi-args\n"
           + simple_cfg(vm_name).replace("DEFAULT linux\n", ""))
    tree = make_tree(tmp_path, demo, cfg, {"fake.efi": fake_pe()})
    r = slirp(vm_name, tree, bootfile="fake.efi").run(timeout=180)
    assert r.lines(r"boot: fake\.efi did not boot; trying pxelinux\.cfg/ beside it")
    assert r.lines(r"pxelinux: pxelinux\.cfg/default: 2 entries, default 'efi'")
    assert r.lines(r"boot: entry 'efi': EFI program fake\.efi, 0 initrds")
    assert r.lines(r"boot: trying the next entry, 'linux'")
    assert_booted(r, vm_name)


def test_config_that_includes_itself_is_cut_off(demo, tmp_path, vm_name):
    cfg = "INCLUDE pxelinux.cfg/default\n" + simple_cfg(vm_name)
    tree = make_tree(tmp_path, demo, cfg)
    r = slirp(vm_name, tree).run(timeout=180)
    assert r.lines(r"warning: pxelinux: pxelinux.cfg/default: INCLUDE nested deeper than 8")
    assert_booted(r, vm_name)


# ---- bad input: each gets one line and a clean stop ----

def patched_kernel(demo, offset, data):
    k = bytearray((demo / "vmlinuz").read_bytes())
    k[offset:offset + len(data)] = data
    return bytes(k)


@pytest.mark.parametrize("what,payload,message", [
    ("missing", None, r"error: tftp: 10\.0\.2\.2:kernel: file not found.*\(error 1\); "
                      r"no network boot"),
    ("old-protocol", "version", r"error: linux: kernel: boot protocol older than 2\.06"),
    ("corrupt-setup", "setup", r"error: linux: kernel: setup header sizes do not fit the file"),
])
def test_bad_boot_file_is_reported_and_stops_cleanly(what, payload, message, demo, tmp_path,
                                                      vm_name):
    files = {}
    if payload == "version":
        files["kernel"] = patched_kernel(demo, 0x206, struct.pack("<H", 0x0204))
    elif payload == "setup":
        files["kernel"] = patched_kernel(demo, 0x1f1, b"\xff")[:0x8000]
    tree = make_tree(tmp_path, demo, "", files)
    r = slirp(vm_name, tree, bootfile="kernel").run(timeout=60)
    assert not r.timed_out and r.exit_code == 0
    assert r.lines(message), r.lines("error|warn")
    assert r.lines(r"boot: nothing could be booted .*; powering off")


def test_file_larger_than_memory_is_refused(demo, tmp_path, vm_name):
    tree = make_tree(tmp_path, demo, "")
    with open(tree / "huge.img", "wb") as f:
        f.truncate(300 << 20)  # sparse: 300 MiB for a 128 MiB VM
    r = slirp(vm_name, tree, bootfile="huge.img", memory="128M").run(timeout=60)
    assert not r.timed_out and r.exit_code == 0
    assert r.lines(r"error: tftp: 10\.0\.2\.2:huge\.img: file is larger than the memory "
                   r"available for it; no network boot")


# ---- real servers on a namespaced network ----

def tftp_server_argv(kind, root):
    if kind == "tftp-hpa":
        return ["/usr/sbin/in.tftpd", "--foreground", "--listen", "--address", f"{PREFIX}.1:69",
                "--user", "root", "--secure", str(root)]
    atftpd = ROOT / "third_party" / "atftpd" / "usr" / "sbin" / "atftpd"
    return [str(atftpd), "--daemon", "--no-fork", "--bind-address", f"{PREFIX}.1",
            "--user", "root.root", "--logfile", "/dev/stdout", str(root)]


def client_acks(sniff_log, name):
    """The ACKs the client sent in the transfer of name, from the server-side
    sniffer's log (bench/tftp_sniff.py: "file <name> port <p> seconds <s> acks <n>")."""
    for line in sniff_log.read_text().splitlines():
        f = line.split()
        if len(f) == 8 and f[0] == "file" and f[1] == name:
            return int(f[7])
    return None


@needs_netns
@pytest.mark.parametrize("server", ["dnsmasq", "tftp-hpa", "atftpd"])
def test_real_tftp_servers(server, demo, tmp_path, vm_name):
    tree = make_tree(tmp_path / "root", demo, simple_cfg(vm_name))
    work = tmp_path / "w"
    work.mkdir()
    sniff = tmp_path / "sniff.log"
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        # The ACKs on the wire, seen from the server's side: the client's
        # behaviour, not its own report of what was granted.
        lan.spawn(srv, ["/usr/bin/python3", str(ROOT / "bench" / "tftp_sniff.py"), "eth0"],
                  log=sniff)
        if server == "dnsmasq":
            lan.spawn(srv, dnsmasq_argv(work, boot="pxelinux.0", tftp_root=tree),
                      log=tmp_path / "dnsmasq.log")
        else:
            lan.spawn(srv, dnsmasq_argv(work, boot="pxelinux.0"), log=tmp_path / "dnsmasq.log")
            lan.spawn(srv, tftp_server_argv(server, tree), log=tmp_path / "tftpd.log")
        vm = Vm(entry="pvh", memory="512M", name=vm_name,
                netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
                nics=["virtio-net-pci,netdev=n0"])
        r = vm.run(netns=lan.ns, timeout=180)
    assert_booted(r, vm_name)
    line = r.lines(r"tftp: 192\.168\.77\.1:vmlinuz .* \(blksize (\d+), windowsize (\d+)")
    assert line, r.lines("tftp")
    bs, win = map(int, re.search(r"blksize (\d+), windowsize (\d+)", line[0]).groups())
    # One ACK per window of data blocks (RFC 7440 s.4), plus the ACK of the
    # OACK; a lock-step client sends one per block whatever it printed.
    blocks = (tree / "vmlinuz").stat().st_size // bs + 1
    acks = client_acks(sniff, "vmlinuz")
    assert acks is not None, sniff.read_text()
    per_window = -(-blocks // win) + 1
    assert per_window <= acks <= per_window + 2 + blocks // 16, \
        f"{acks} ACKs for {blocks} blocks of {bs} bytes, windowsize {win}"
    if server == "atftpd":
        # atftpd grants windowsize 4: about one ACK per 4 blocks on the wire.
        assert acks * 3 < blocks, f"{acks} ACKs for {blocks} blocks: not windowed"
        assert bs == 65464 and win == 4  # RFC 7440 windowsize negotiated
    elif server == "tftp-hpa":
        assert bs == 65464 and win == 1
    else:
        assert bs >= 1024


@needs_netns
def test_proxydhcp_tree(demo, tmp_path, vm_name):
    # Addresses from one dnsmasq; the boot file (pxelinux.0, via the proxy's
    # boot server on port 4011) and TFTP from a dnsmasq in proxy mode.
    tree = make_tree(tmp_path / "root", demo, simple_cfg(vm_name))
    (tmp_path / "a").mkdir()
    (tmp_path / "p").mkdir()
    with Lan() as lan:
        a = lan.host("dhcp", f"{PREFIX}.1")
        p = lan.host("proxy", f"{PREFIX}.2")
        lan.spawn(a, dnsmasq_argv(tmp_path / "a"), log=tmp_path / "dhcp.log")
        lan.spawn(p, dnsmasq_argv(tmp_path / "p", "--pxe-service=x86-64_EFI,wireboot,pxelinux",
                                  proxy=True, tftp_root=tree), log=tmp_path / "proxy.log")
        vm = Vm(entry="rom", machine="q35", memory="512M", name=vm_name,
                netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
                nics=["virtio-net-pci,netdev=n0"])
        r = vm.run(netns=lan.ns, timeout=180)
    assert_booted(r, vm_name)
    assert r.lines(rf"dhcp: net0 next-server {PREFIX}\.2 boot-file 'pxelinux\.0' from proxyDHCP")
    assert r.lines(rf"tftp: {PREFIX}\.2:vmlinuz ")


@needs_netns
@pytest.mark.parametrize("mode,message", [
    (["--short", "5000"], r"transfer ended before the size the server announced; no network boot"),
    # A server that stops mid-file is asked again once (pxe/tftp.c's
    # restart); this one stops at the same byte again, which ends it.
    (["--stop-after", "3"], r"gave up after \d+ retransmissions and 1 restart, \d+ KiB of 20 KiB "
                            r"arrived, no progress for 1\d\.\d s; the server stopped at the same "
                            r"byte as before; no network boot"),
])
def test_truncated_or_stalled_transfer(mode, message, demo, tmp_path, vm_name):
    # The boot file is served by a server that misbehaves; wireboot must say
    # what happened and stop cleanly, in bounded time.
    payload = tmp_path / "payload"
    payload.write_bytes(os.urandom(20000))
    server = os.path.join(os.path.dirname(__file__), "servers", "fake_tftp.py")
    (tmp_path / "w").mkdir()
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w", boot="payload.bin"))
        lan.spawn(srv, ["/usr/bin/python3", server, "--ip", f"{PREFIX}.1", "--file",
                        str(payload)] + mode, log=tmp_path / "tftp.log")
        vm = Vm(entry="pvh", name=vm_name, netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
                nics=["virtio-net-pci,netdev=n0"])
        r = vm.run(netns=lan.ns, timeout=120)
    assert not r.timed_out and r.exit_code == 0
    assert r.lines(rf"error: tftp: {PREFIX}\.1:payload\.bin: {message}"), r.lines("tftp|error")
    assert r.lines(r"boot: nothing could be booted .*; powering off")
    if "--stop-after" in mode:
        assert r.lines(rf"tftp: {PREFIX}\.1:payload\.bin: the server stopped sending at 5 KiB of 20 "
                       r"KiB, no block for 1\d\.\d s; asking again \(restart 1 of \d+\)"), \
            r.lines("tftp")


def test_block_numbers_roll_over_past_32_mib(demo, tmp_path, vm_name):
    # 512-byte blocks, lock-step: 40 MiB is 81920 blocks, past 65535. The
    # CRC-32 that wireboot prints at log=debug must match the file's.
    import zlib
    tree = make_tree(tmp_path, demo, "")
    data = os.urandom(40 << 20)
    (tree / "big.bin").write_bytes(data)
    r = slirp(vm_name, tree, bootfile="big.bin",
              config="tftp_blksize=512\ntftp_windowsize=1\nlog=debug\n").run(timeout=300)
    assert not r.timed_out and r.exit_code == 0
    assert r.lines(r"tftp: 10\.0\.2\.2:big\.bin 40\.0 MiB in \d+ ms, .* \(blksize 512, windowsize 1, tsize\)")
    crc = r.value(r"tftp: 10\.0\.2\.2:big\.bin crc32 (0x[0-9a-f]+)")
    assert crc is not None and int(crc, 16) == zlib.crc32(data)


@needs_netns
def test_one_gib_file_from_atftpd(demo, tmp_path, vm_name):
    tree = make_tree(tmp_path / "root", demo, "")
    with open(tree / "gib.img", "wb") as f:
        f.truncate(1 << 30)  # sparse: cheap to serve
    (tmp_path / "w").mkdir()
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w", boot="gib.img"))
        lan.spawn(srv, tftp_server_argv("atftpd", tree))
        vm = Vm(entry="pvh", memory="1600M", name=vm_name,
                netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
                nics=["virtio-net-pci,netdev=n0"])
        r = vm.run(netns=lan.ns, timeout=300)
    assert not r.timed_out and r.exit_code == 0
    assert r.lines(rf"tftp: {PREFIX}\.1:gib\.img 1024\.0 MiB in \d+ ms"), r.lines("tftp")
    assert r.lines(rf"tftp: {PREFIX}\.1:gib\.img \d+\.\d MiB of 1024\.0 MiB, ")  # progress lines


FAKE_TFTP = os.path.join(os.path.dirname(__file__), "servers", "fake_tftp.py")
MAC_NAME = "pxelinux.cfg/01-52-54-00-12-34-56"


def fake_tftp_boot(tmp_path, vm_name, server_args, boot="pxelinux.0", config=None):
    """Boot with dnsmasq for DHCP and fake_tftp.py serving a small config.
    Returns the firmware's Result and the read requests the server saw, as
    lists [name, option, value, ...]."""
    payload = tmp_path / "payload"
    payload.write_text("DEFAULT none\nLABEL none\n  KERNEL no-such-kernel\n")
    (tmp_path / "w").mkdir()
    log = tmp_path / "tftp.log"
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(tmp_path / "w", boot=boot))
        lan.spawn(srv, ["/usr/bin/python3", FAKE_TFTP, "--ip", f"{PREFIX}.1", "--file",
                        str(payload)] + server_args, log=log)
        vm = Vm(entry="pvh", name=vm_name, config=config,
                netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
                nics=["virtio-net-pci,netdev=n0"])
        r = vm.run(netns=lan.ns, timeout=120)
    requests = [l.split()[1:] for l in log.read_text().splitlines() if l.startswith("RRQ ")]
    return r, requests


@needs_netns
def test_pxelinux_cfg_lookup_stops_at_an_error_other_than_not_found(tmp_path, vm_name):
    # The MAC name answers "access violation" (error 2): PXELINUX stops
    # there; it must not go on to the address names or default, which
    # the server would serve.
    r, requests = fake_tftp_boot(tmp_path, vm_name, ["--serve", "pxelinux.cfg/default",
                                                     "--error", f"{MAC_NAME}:2"])
    assert not r.timed_out and r.exit_code == 0
    assert r.lines(rf"error: tftp: {PREFIX}\.1:{MAC_NAME}: .*\(error 2\); "
                   r"pxelinux\.cfg lookup stopped"), r.lines("tftp|error")
    names = [q[0] for q in requests]
    assert names and names[-1] == MAC_NAME, names
    assert "pxelinux.cfg/default" not in names


@needs_netns
def test_bad_numeric_settings_warn_and_fall_back_to_the_defaults(tmp_path, vm_name):
    # What the server was asked for proves which values were used.
    r, requests = fake_tftp_boot(tmp_path, vm_name, [], boot="boot.cfg",
                                 config="tftp_blksize=abc\ntftp_windowsize=65\n")
    assert not r.timed_out and r.exit_code == 0
    assert r.lines(r"warning: config: tftp_blksize=abc is not a number from 8 to 65464; "
                   r"using 65464")
    assert r.lines(r"warning: config: tftp_windowsize=65 is not a number from 1 to 64; using 4")
    assert requests and requests[0][0] == "boot.cfg", requests
    opts = dict(zip(requests[0][1::2], requests[0][2::2]))
    assert opts.get("blksize") == "65464" and opts.get("windowsize") == "4", opts
