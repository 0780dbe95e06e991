"""Boot wireboot from each entry point on each machine and check the banner."""
import pytest

from wbqemu import Vm

MIB = 1 << 20
SIZES = {"128M": 128 * MIB, "4G": 4096 * MIB}

# (entry, machine): both entries on q35 and pc; PVH on microvm.
MATRIX = [(e, m) for e in ("pvh", "rom") for m in ("q35", "pc")] + [("pvh", "microvm")]
MACHINE_NAME = {"q35": "q35", "pc": "pc (i440fx)", "microvm": "microvm"}
ENTRY_NAME = {"pvh": "pvh", "rom": "reset-vector", "pflash": "reset-vector"}


def boot_with_virtio(entry, machine, memory, name, disk):
    mmio = machine == "microvm"
    # An empty TFTP root: network boot finds nothing at once and stops.
    return Vm(entry=entry, machine=machine, memory=memory, name=name,
              netdevs=[f"user,id=n0,tftp={disk.parent}"],
              nics=["virtio-net-device,netdev=n0" if mmio else "virtio-net-pci,netdev=n0"],
              disks=[disk]).run()


def assert_clean_power_off(r):
    """Clean exit, and no platform error up to the banner (what follows is
    the boot manager's business, with nothing to boot in these VMs)."""
    assert not r.timed_out, f"no power-off within the timeout; see {r.log}"
    assert r.exit_code == 0, f"QEMU exit code {r.exit_code}; see {r.log}"
    assert "powering off" in r.output
    assert "CPU exception" not in r.output
    platform = r.output.split("banner: ready")[0]
    errors = [l for l in platform.splitlines() if "] error: " in l]
    assert not errors, errors


@pytest.fixture(scope="module")
def disk(tmp_path_factory):
    p = tmp_path_factory.mktemp("disk") / "blank.img"
    p.write_bytes(b"\0" * (1 << 20))
    return p


@pytest.mark.parametrize("memory", ["128M", "4G"])
@pytest.mark.parametrize("entry,machine", MATRIX)
def test_banner_describes_the_machine(entry, machine, memory, vm_name, disk):
    r = boot_with_virtio(entry, machine, memory, vm_name, disk)
    assert_clean_power_off(r)
    assert r.value(r"entry: (\S+)") == ENTRY_NAME[entry]
    assert r.value(r"machine: ([^,\n]+)") == MACHINE_NAME[machine]

    got = int(r.value(r"memory: \d+ MiB \((\d+) bytes\)"))
    want = SIZES[memory]
    assert abs(got - want) <= want / 100, f"memory {got} not within 1% of {want}"

    if machine == "microvm":
        assert r.lines(r"mmio 0x[0-9a-f]+ virtio-mmio v\d device 1 \(net\)")
        assert r.lines(r"mmio 0x[0-9a-f]+ virtio-mmio v\d device 2 \(block\)")
    else:
        # Transitional (1000/1001) or modern (1041/1042) virtio-net and -blk.
        nets = r.lines(r"pci [0-9a-f:.]+ 1af4:(1000|1041) class 0200")
        blks = r.lines(r"pci [0-9a-f:.]+ 1af4:(1001|1042) class 01")
        assert len(nets) == 1 and len(blks) == 1, r.lines(r"^\[.*\] pci ")
        # Every virtio BAR has an address: assigned by us (rom) or SeaBIOS (pvh).
        for line in nets + blks:
            bars = [b for b in line.split() if b.startswith("bar")]
            assert bars, line
            for b in bars:
                base = int(b.split("=")[1].split(":")[-1].split("+")[0], 16)
                assert base != 0, line
    assert r.value(r"banner: ready in ([\d.]+) ms") is not None


def test_pflash_boots_like_bios(vm_name):
    r = Vm(entry="pflash", machine="q35", name=vm_name).run()
    assert_clean_power_off(r)
    assert r.value(r"entry: (\S+)") == "reset-vector"


def test_rom_path_builds_acpi_from_fw_cfg(vm_name):
    r = Vm(entry="rom", machine="q35", name=vm_name).run()
    assert_clean_power_off(r)
    assert r.value(r"acpi: rsdp \S+ from ([a-z_ -]+),") == "fw_cfg table-loader"
    # ECAM is only usable if the chipset init enabled it before QEMU built MCFG.
    assert r.value(r"config access by (\S+)") == "ecam"
