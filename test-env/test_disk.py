"""Disk boot and the boot order (issue 11): disks from test-env/diskimg.py
(each layout proven under OVMF by test-env/efi/ovmf_disk_images.py), booted
by wireboot to the demo initramfs marker, whose command line carries a
token that says which entry booted.

- systemd-boot (Debian's systemd-bootx64.efi as BOOTX64.EFI) with a BLS
  type 2 entry (a UKI in /EFI/Linux/), on q35 (virtio-blk-pci) and on
  microvm (virtio-blk-device); a type 1 entry beside systemd-boot is
  wireboot's to boot;
- GRUB (Debian's monolithic grubx64.efi) from the ESP, grub.cfg at its
  prefix /EFI/debian;
- wireboot's own BLS path: the default among three versioned entries,
  by loader.conf's default and by version sort without one;
- an MBR disk with one 0xEF partition;
- the network failing each way falls back to the disk with one line
  (no NIC, a NIC without link, a NIC with no DHCP server, a DHCP server
  with no boot file), each within the documented bound;
- boot_order=disk skips a network that would boot, boot_order=net never
  touches a bootable disk, boot_order=disk,net goes on to the network
  when the disk has nothing.
"""
import re
import shutil
import time

import pytest

import diskimg
from netlab import PREFIX, Lan, dnsmasq_argv
from test_handoff import Monitor, microvm_append
from test_net import assert_clean_exit, needs_netns
from wbqemu import ROOT, Vm

DEMO = ROOT / "build" / "demo"
MARKER = diskimg.MARKER
APPEND = diskimg.APPEND
LINK_TIMEOUT_S = 2  # include/bootmgr.h defaults, as docs/disk-boot.md gives them
DHCP_TIMEOUT_S = 10


@pytest.fixture(scope="session")
def demo():
    if not (DEMO / "vmlinuz").exists():
        pytest.fail("build/demo is missing: make demo (test-env/payload/mkdemo.sh)")
    return DEMO


def booted(r, token):
    """The run reached the initramfs marker with token on its command line."""
    assert not r.timed_out, f"no power-off within the timeout; see {r.log}"
    assert "CPU exception" not in r.output, f"see {r.log}"
    m = re.search(MARKER, r.output)
    assert m, f"initramfs marker missing; see {r.log}\n" + "\n".join(
        r.output.splitlines()[-25:])
    assert f"wb.token={token}" in m.group(1).split(), m.group(1)


def at_ms(r, pattern):
    """The console timestamp (ms since entry) of the first line matching
    pattern."""
    lines = r.lines(pattern)
    assert lines, f"no line matching {pattern!r}; see {r.log}"
    return float(re.match(r"\[\s*([\d.]+) ms\]", lines[0]).group(1))


def disk_vm(name, img, machine="q35", entry="pvh", **kw):
    return Vm(entry=entry, machine=machine, memory="512M", name=name, disks=[str(img)], **kw)


# ---- loaders on the ESP ----

STARTED_BOOTX64 = r"disk: .*starting \\EFI\\BOOT\\BOOTX64\.EFI"


# systemd-boot with a Boot Loader Spec type 2 entry (a UKI in /EFI/Linux/):
# with no type 1 entries on the ESP wireboot runs BOOTX64.EFI, and it is
# systemd-boot that finds and starts the kernel.
@pytest.mark.parametrize("entry", ["pvh", "rom"])
def test_systemd_boot_q35(demo, tmp_path, vm_name, entry):
    uki = diskimg.make_uki(tmp_path / "uki", f"{APPEND} wb.token={vm_name}")
    img = diskimg.systemd_boot_uki(tmp_path / "sd.img", uki)
    r = disk_vm(vm_name, img, entry=entry).run(timeout=300)
    booted(r, vm_name)
    assert r.lines(STARTED_BOOTX64)
    # No NIC: one line, and the disk at once.
    assert r.lines(r"warning: boot: no network interface; trying the disk$")


def test_systemd_boot_microvm(demo, tmp_path, vm_name):
    uki = diskimg.make_uki(tmp_path / "uki", f"{APPEND} {microvm_append()} wb.token={vm_name}")
    img = diskimg.systemd_boot_uki(tmp_path / "sd.img", uki)
    r = disk_vm(vm_name, img, machine="microvm").run(timeout=300)
    booted(r, vm_name)
    assert r.lines(STARTED_BOOTX64)


def test_type1_entry_beside_systemd_boot_is_booted_by_wireboot(demo, tmp_path, vm_name):
    # loader/entries/ and systemd-boot on one ESP: the entries come first
    # (issue 11), wireboot reads them itself and systemd-boot never runs.
    img = diskimg.systemd_boot(tmp_path / "sd.img", demo, f"{APPEND} wb.token={vm_name}")
    r = disk_vm(vm_name, img).run(timeout=300)
    booted(r, vm_name)
    assert r.lines(r"disk: .*entry 'demo\.conf'")
    assert not r.lines(STARTED_BOOTX64)


def test_grub_from_the_esp(demo, tmp_path, vm_name):
    img = diskimg.grub(tmp_path / "grub.img", demo, f"{APPEND} wb.token={vm_name}")
    r = disk_vm(vm_name, img).run(timeout=300)
    booted(r, vm_name)
    assert r.lines(STARTED_BOOTX64)


def test_mbr_disk_with_an_efi_partition(demo, tmp_path, vm_name):
    img = diskimg.systemd_boot(tmp_path / "mbr.img", demo, f"{APPEND} wb.token={vm_name}",
                               table="mbr")
    r = disk_vm(vm_name, img).run(timeout=300)
    booted(r, vm_name)


# ---- wireboot's own Boot Loader Spec entries (no BOOTX64.EFI) ----

@pytest.mark.parametrize("loader_conf,token", [
    (None, "c"),                                  # highest version: 6.1.0-10
    ("timeout 0\n", "c"),                         # a loader.conf without default
    ("default debian-6.1.0-9.conf\ntimeout 3\n", "b"),
    ("default debian-6.1.0-1.*\n", "a"),          # a glob, as systemd-boot takes
], ids=["no-loader-conf", "no-default", "default-file", "default-glob"])
def test_own_bls_picks_the_default(demo, tmp_path, vm_name, loader_conf, token):
    img = diskimg.bls_only(tmp_path / "bls.img", demo, diskimg.versioned_entries(APPEND),
                           loader_conf)
    r = disk_vm(vm_name, img).run(timeout=300)
    booted(r, token)


def test_own_bls_with_linux_boot_efi_starts_the_efi_stub(demo, tmp_path, vm_name):
    # linux_boot=efi holds for disk entries too: the kernel runs as an EFI
    # program (LoadOptions, LoadFile2 for the initrd), not the boot protocol.
    img = diskimg.bls_only(tmp_path / "bls.img", demo, diskimg.versioned_entries(APPEND))
    r = disk_vm(vm_name, img, config="linux_boot=efi\n").run(timeout=300)
    booted(r, "c")
    assert r.lines(r"efi: starting disk0 part1:\\linux\\6\.1\.0-10\\vmlinuz "), r.log
    assert not r.lines(r"linux: booting .*\(boot protocol"), \
        f"the boot-protocol loader ran although linux_boot=efi; see {r.log}"


# ---- the network fails, the disk boots ----

def test_nic_without_dhcp_server_falls_back_in_dhcp_timeout(demo, tmp_path, vm_name):
    img = diskimg.systemd_boot(tmp_path / "sd.img", demo, f"{APPEND} wb.token={vm_name}")
    r = disk_vm(vm_name, img, netdevs=["hubport,id=h0,hubid=0"],
                nics=["virtio-net-pci,netdev=h0"]).run(timeout=300)
    booted(r, vm_name)
    # Timed from the NIC's line (the network step's start): under a loaded
    # host the time before it says nothing about the bound.
    start = at_ms(r, r"net0: pci .* link up$")
    line = at_ms(r, rf"warning: boot: no DHCP offer on net0 in {DHCP_TIMEOUT_S}\.\d s; "
                    r"trying the disk$")
    assert DHCP_TIMEOUT_S * 1000 <= line - start < DHCP_TIMEOUT_S * 1000 + 3000, line - start


def test_nic_without_link_falls_back_in_link_timeout(demo, tmp_path, vm_name):
    img = diskimg.systemd_boot(tmp_path / "sd.img", demo, f"{APPEND} wb.token={vm_name}")
    mon = tmp_path / "mon.sock"
    vm = disk_vm(vm_name, img, netdevs=["user,id=n0"], nics=["virtio-net-pci,netdev=n0"],
                 extra=["-S", "-monitor", f"unix:{mon},server=on,wait=off"])
    run = vm.start()
    m = Monitor(mon)
    try:
        m.cmd("set_link n0 off")
        m.cmd("cont")
    finally:
        m.close()
    r = run.finish(timeout=300)
    booted(r, vm_name)
    assert r.lines(r"net0: .* link down$")
    start = at_ms(r, r"boot: no NIC has a link yet; waiting up to \d+ s \(link_timeout\)$")
    line = at_ms(r, rf"warning: boot: net0 has no link after {LINK_TIMEOUT_S}\.\d s; "
                    r"trying the disk$")
    # The wait is timed from just before its own line is printed (a
    # fraction of a millisecond earlier), hence the 20 ms below the bound.
    assert LINK_TIMEOUT_S * 1000 - 20 <= line - start < LINK_TIMEOUT_S * 1000 + 3000, line - start
    assert not r.lines(r"dhcp: net0 lease")


def test_link_that_comes_up_in_time_is_used(tmp_path, vm_name):
    mon = tmp_path / "mon.sock"
    vm = Vm(name=vm_name, netdevs=["user,id=n0"], nics=["virtio-net-pci,netdev=n0"],
            cmdline="boot_order=net link_timeout=30",
            extra=["-S", "-monitor", f"unix:{mon},server=on,wait=off"])
    run = vm.start()
    m = Monitor(mon)
    try:
        m.cmd("set_link n0 off")
        m.cmd("cont")
        assert run.wait_for(r"waiting up to 30 s \(link_timeout\)", timeout=60)
        time.sleep(1)
        m.cmd("set_link n0 on")
    finally:
        m.close()
    r = run.finish(timeout=120)
    assert_clean_exit(r)
    assert r.lines(r"boot: net0 link up after \d+ ms")
    assert r.lines(r"dhcp: net0 lease 10\.0\.2\.15/")


def test_dhcp_without_boot_file_falls_back(demo, tmp_path, vm_name):
    # QEMU's user network: an address, no boot file, and its TFTP server
    # refuses at once (no tftp= root).
    img = diskimg.systemd_boot(tmp_path / "sd.img", demo, f"{APPEND} wb.token={vm_name}")
    r = disk_vm(vm_name, img, netdevs=["user,id=n0"],
                nics=["virtio-net-pci,netdev=n0"]).run(timeout=300)
    booted(r, vm_name)
    assert r.lines(r"dhcp: net0 no boot file offered$")
    assert r.lines(r"warning: boot: the lease on net0 names no boot file and no pxelinux\.cfg/ "
                   r"booted; trying the disk$")


@needs_netns
def test_dnsmasq_without_boot_file_falls_back(demo, tmp_path, vm_name):
    # A real server with no boot file and no TFTP: the pxelinux.cfg/ lookup
    # meets silence (1 + 2 + 4 s) after the 1.5 s offer window.
    img = diskimg.systemd_boot(tmp_path / "sd.img", demo, f"{APPEND} wb.token={vm_name}")
    work = tmp_path / "w"
    work.mkdir()
    with Lan() as lan:
        srv = lan.host("srv", f"{PREFIX}.1")
        lan.spawn(srv, dnsmasq_argv(work), log=tmp_path / "dnsmasq.log")
        vm = disk_vm(vm_name, img, netdevs=["tap,id=n0,ifname=tap0,script=no,downscript=no"],
                     nics=["virtio-net-pci,netdev=n0"])
        r = vm.run(timeout=300, netns=lan.ns)
    booted(r, vm_name)
    start = at_ms(r, r"net0: pci .* link up$")
    line = at_ms(r, r"warning: boot: the lease on net0 names no boot file .*; trying the disk$")
    assert line - start < 1500 + 7000 + 3000, line - start


# ---- boot_order ----

def pxelinux_tree(root, demo, token):
    (root / "pxelinux.cfg").mkdir(parents=True)
    for f in ("vmlinuz", "initrd.img"):
        shutil.copy(demo / f, root / f)
    (root / "pxelinux.cfg" / "default").write_text(
        f"default demo\nlabel demo\n  kernel vmlinuz\n  initrd initrd.img\n"
        f"  append {APPEND} wb.token={token}\n")
    return root


def test_boot_order_disk_skips_a_network_that_would_boot(demo, tmp_path, vm_name):
    tree = pxelinux_tree(tmp_path / "tftp", demo, "net")
    img = diskimg.systemd_boot(tmp_path / "sd.img", demo, f"{APPEND} wb.token=disk")
    r = disk_vm(vm_name, img, netdevs=[f"user,id=n0,tftp={tree},bootfile=pxelinux.0"],
                nics=["virtio-net-pci,netdev=n0"], cmdline="boot_order=disk").run(timeout=300)
    booted(r, "disk")
    assert not r.lines(r"dhcp: "), "boot_order=disk ran DHCP"


def test_boot_order_net_never_touches_the_disk(demo, tmp_path, vm_name):
    img = diskimg.systemd_boot(tmp_path / "sd.img", demo, f"{APPEND} wb.token=disk")
    r = disk_vm(vm_name, img, netdevs=["hubport,id=h0,hubid=0"],
                nics=["virtio-net-pci,netdev=h0"],
                config="boot_order=net\ndhcp_timeout=2\n").run(timeout=120)
    assert_clean_exit(r)
    assert "WIREBOOT-DEMO" not in r.output
    assert r.lines(r"warning: boot: no DHCP offer on net0 in 2\.\d s$")
    assert r.lines(r"error: boot: nothing could be booted \(boot_order=net\); powering off$")


def test_boot_order_disk_net_goes_on_to_the_network(demo, tmp_path, vm_name):
    tree = pxelinux_tree(tmp_path / "tftp", demo, vm_name)
    blank = tmp_path / "blank.img"
    with open(blank, "wb") as f:
        f.truncate(16 << 20)
    r = disk_vm(vm_name, blank, netdevs=[f"user,id=n0,tftp={tree},bootfile=pxelinux.0"],
                nics=["virtio-net-pci,netdev=n0"], cmdline="boot_order=disk,net").run(timeout=300)
    booted(r, vm_name)
    assert r.lines(r"boot: trying the network$")


def test_bad_boot_order_warns_and_uses_the_default(demo, tmp_path, vm_name):
    img = diskimg.systemd_boot(tmp_path / "sd.img", demo, f"{APPEND} wb.token={vm_name}")
    r = disk_vm(vm_name, img, cmdline="boot_order=usb,net").run(timeout=300)
    booted(r, vm_name)
    assert r.lines(r"warning: config: boot_order=usb,net is not 'net', 'disk', 'net,disk' or "
                   r"'disk,net'; using net,disk$")
