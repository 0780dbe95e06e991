"""Settings, PCI resource assignment and odd VMM input."""
import re

from wbqemu import Vm
from test_boot import assert_clean_power_off


def test_config_log_level_from_fw_cfg_file(vm_name):
    r = Vm(entry="rom", config="log=debug\n", name=vm_name).run()
    assert_clean_power_off(r)
    assert r.lines(r"paging: identity map"), "debug lines missing with log=debug"


def test_fw_cfg_config_wins_over_command_line(vm_name):
    r = Vm(entry="pvh", cmdline="log=debug", config="log=warn", name=vm_name).run()
    assert r.exit_code == 0 and not r.timed_out
    assert not r.lines(r"paging: identity map"), "cmdline's log=debug was not overridden"
    assert not r.lines(r"\] entry: "), "log=warn still printed info lines"


def test_command_line_config_applies(vm_name):
    r = Vm(entry="pvh", cmdline="log=debug", name=vm_name).run()
    assert_clean_power_off(r)
    assert r.lines(r"paging: identity map")


def test_unknown_config_key_is_reported(vm_name):
    r = Vm(entry="pvh", cmdline="log=info bogus=1 stray", config="colour=red",
           name=vm_name).run()
    assert_clean_power_off(r)
    assert r.lines(r"config: 'bogus=1' from command line is not a known key")
    assert r.lines(r"config: 'stray' from command line is not a known key")
    assert r.lines(r"config: 'colour=red' from fw_cfg opt/wireboot/config is not a known key")


def test_bad_log_level_is_reported(vm_name):
    r = Vm(entry="pvh", cmdline="log=loud", name=vm_name).run()
    assert_clean_power_off(r)
    assert r.lines(r"config: log=loud \(from command line\) is not one of")


def test_rom_assigns_bars_behind_a_pcie_root_port(vm_name):
    r = Vm(entry="rom", machine="q35", name=vm_name,
           netdevs=["hubport,id=n0,hubid=0"], cmdline=None, config="dhcp_timeout=0\n",
           extra=["-device", "pcie-root-port,id=rp1,chassis=1",
                  "-device", "virtio-net-pci,netdev=n0,bus=rp1"]).run()
    assert_clean_power_off(r)
    line = r.lines(r"pci 01:00\.0 1af4:1041 class 0200")
    assert line, r.lines(r"\] pci ")
    bars = re.findall(r"bar\d=mem64:(0x[0-9a-f]+)\+(0x[0-9a-f]+)", line[0])
    assert bars and all(int(b, 16) >= 0xc0000000 for b, _ in bars), line[0]


def test_rom_assigns_io_bar_for_legacy_virtio(vm_name):
    r = Vm(entry="rom", machine="pc", name=vm_name, netdevs=["hubport,id=n0,hubid=0"],
           config="dhcp_timeout=0\n", nics=["virtio-net-pci,netdev=n0,disable-modern=on"]).run()
    assert_clean_power_off(r)
    line = r.lines(r"pci 00:..\.0 1af4:1000 class 0200")
    assert line
    io = re.search(r"bar0=io:(0x[0-9a-f]+)\+", line[0])
    assert io and 0xc000 <= int(io.group(1), 16) < 0x10000, line[0]


def test_many_pci_devices_all_listed(vm_name):
    # 20 NICs on q35 (ROM path assigns all of them) plus the chipset's functions.
    extra = []
    for i in range(20):
        extra += ["-netdev", f"hubport,id=m{i},hubid={i}", "-device", f"virtio-net-pci,netdev=m{i}"]
    r = Vm(entry="rom", machine="q35", name=vm_name, config="dhcp_timeout=0\n", extra=extra).run()
    assert_clean_power_off(r)
    assert len(r.lines(r"pci [0-9a-f:.]+ 1af4:1000 class 0200")) == 20


def test_microvm_virtio_mmio_from_command_line(vm_name):
    # QEMU microvm passes virtio_mmio.device= on the command line; those
    # entries are settings we know, not unknown keys.
    r = Vm(entry="pvh", machine="microvm", name=vm_name, netdevs=["hubport,id=n0,hubid=0"],
           cmdline="dhcp_timeout=0", nics=["virtio-net-device,netdev=n0"]).run()
    assert_clean_power_off(r)
    assert r.lines(r"mmio 0x[0-9a-f]+ virtio-mmio v\d device 1 \(net\)")
    assert not r.lines(r"is not a known key")


import pytest  # noqa: E402


@pytest.mark.parametrize("entry,machine", [("rom", "q35"), ("pvh", "microvm")])
def test_no_acpi_is_reported_and_debug_exit_powers_off(entry, machine, vm_name):
    # acpi=off: no RSDP anywhere. wireboot says so, still prints the banner,
    # and powers off through QEMU's isa-debug-exit (exit code 1 for value 0).
    r = Vm(entry=entry, machine=f"{machine},acpi=off", name=vm_name,
           extra=["-device", "isa-debug-exit"]).run()
    assert not r.timed_out, f"hung; see {r.log}"
    assert r.exit_code == 1
    assert r.lines(r"warning: acpi: no RSDP .*continuing without ACPI")
    assert r.lines(r"banner: ready in")
    assert "CPU exception" not in r.output
