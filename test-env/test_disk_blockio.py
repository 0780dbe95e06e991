"""virtio-blk as EFI_BLOCK_IO_PROTOCOL and EFI_DISK_IO_PROTOCOL (disk/), on
every virtio transport: efitest.efi (test-env/efi/check_blockio.c), booted
over QEMU's user network as in test_efi.py, finds two disks the test made:

- a writable one (magic "WBBLKTEST-RW" at offset 0, a known byte pattern
  everywhere else): it reads LBA 0, a 6 MiB range and the last blocks,
  checks every error status Block IO and Disk IO owe, writes through
  WriteBlocks (64 KiB, and 5 MiB: more than one virtio request) and
  WriteDisk (1500 bytes across block edges), reads them back and flushes;
- a read-only one (QEMU readonly=on): reads, refuses writes.

After QEMU exits, the host compares the whole writable image with the
pattern plus exactly those writes, and the read-only image byte for byte
with what it was. The firmware's one line per disk is checked too.
Transports: PCI modern (q35), PCI legacy (pc, disable-modern=on), MMIO v1
and v2 (microvm), and 4096-byte logical blocks (q35)."""
import hashlib
import re

import pytest

from test_efi import EFITEST_RESULT, efi_tree, plain, slirp_vm, tail  # noqa: F401 (fixture)
from wbqemu import LOGS

MAGIC_RW = b"WBBLKTEST-RW".ljust(16, b"\0")
MAGIC_RO = b"WBBLKTEST-RO".ljust(16, b"\0")
RW_MIB, RO_MIB = 32, 16
# check_blockio.c's writes: (offset, length, pattern)
W1 = (1 << 20, 64 << 10, "w")
W2 = (8 << 20, 5 << 20, "w")
D1 = ((2 << 20) + 300, 1500, "d")
CRASH = "*** wireboot: CPU exception"


def pat(o):
    """T_PAT: the image as the host writes it."""
    return ((o >> 9) * 7 + o) & 0xFF


def wpat(o):
    """T_WPAT: what WriteBlocks writes."""
    return ((o >> 9) * 13 + o * 3 + 0x3C) & 0xFF


def dpat(o):
    """T_DPAT: what WriteDisk writes."""
    return (o * 5 + 0x11) & 0xFF


def pattern_image(mib, magic):
    # T_PAT(o) depends on o mod 256 and the sector number mod 256 only.
    sectors = [bytes((s * 7 + i) & 0xFF for i in range(512)) for s in range(256)]
    whole = b"".join(sectors) * (mib * 2048 // 256)
    return magic + whole[len(magic):]


def expected_after_writes(image):
    want = bytearray(image)
    for off, length, kind in (W1, W2, D1):
        fn = wpat if kind == "w" else dpat
        want[off:off + length] = bytes(fn(o) for o in range(off, off + length))
    return bytes(want)


def first_difference(a, b):
    if len(a) != len(b):
        return f"sizes differ: {len(a)} and {len(b)}"
    for start in range(0, len(a), 1 << 16):
        if a[start:start + (1 << 16)] != b[start:start + (1 << 16)]:
            for i in range(start, min(len(a), start + (1 << 16))):
                if a[i] != b[i]:
                    return f"byte {i:#x}: {a[i]:#04x}, expected {b[i]:#04x}"
    return None


# (id, machine, device, device options, extra QEMU arguments, transport name,
#  block size, device path text of a disk)
TRANSPORTS = [
    ("pci-modern", "q35", "virtio-blk-pci", "", [], "pci-modern", 512, r"Pci\("),
    ("pci-legacy", "pc", "virtio-blk-pci", ",disable-modern=on", [], "pci-legacy", 512,
     r"Pci\("),
    ("mmio-v1", "microvm", "virtio-blk-device", "", [], "mmio-v1", 512, r"VenHw\("),
    ("mmio-v2", "microvm", "virtio-blk-device", "",
     ["-global", "virtio-mmio.force-legacy=false"], "mmio-v2", 512, r"VenHw\("),
    ("4k-blocks", "q35", "virtio-blk-pci", ",logical_block_size=4096,physical_block_size=4096",
     [], "pci-modern", 4096, r"Pci\("),
]


@pytest.mark.parametrize("case", TRANSPORTS, ids=[t[0] for t in TRANSPORTS])
def test_blockio_and_diskio_read_write_and_refuse(case, efi_tree, vm_name, tmp_path):
    tid, machine, dev, devopts, extra, transport, bs, dp_re = case
    rw_img, ro_img = tmp_path / "rw.img", tmp_path / "ro.img"
    rw_data = pattern_image(RW_MIB, MAGIC_RW)
    ro_data = pattern_image(RO_MIB, MAGIC_RO)
    rw_img.write_bytes(rw_data)
    ro_img.write_bytes(ro_data)
    ro_sha = hashlib.sha256(ro_data).hexdigest()

    vm = slirp_vm(vm_name, efi_tree, "efitest.efi", machine=machine)
    vm.extra = extra + [
        "-drive", f"if=none,id=rw,format=raw,file={rw_img}",
        "-device", f"{dev},drive=rw{devopts}",
        "-drive", f"if=none,id=ro,format=raw,readonly=on,file={ro_img}",
        "-device", f"{dev},drive=ro{devopts}",
    ]
    run = vm.start()
    run.wait_for(r"EFITEST done: \d+ ok, \d+ failed\n", timeout=300)
    run.wait_for(r"efi: efitest\.efi returned (\S+)", timeout=30)
    r = run.finish(timeout=60)
    out = plain(r.output)
    assert CRASH not in out, f"firmware exception; see {r.log}"

    # One line per disk, named in probe order (on microvm the device QEMU
    # created last sits at the lowest address and is found first).
    disks = re.findall(r"\] (disk\d): (\S+ \S+) \((\S+)\) (\d+) MiB, (\d+)-byte blocks, "
                       r"(read-write|read-only)", out)
    assert sorted(d[0] for d in disks) == ["disk0", "disk1"], f"disk lines {disks}; see {r.log}"
    assert sorted((d[2], int(d[3]), int(d[4]), d[5]) for d in disks) == [
        (transport, RO_MIB, bs, "read-only"),
        (transport, RW_MIB, bs, "read-write"),
    ], f"disk lines {disks}; see {r.log}\n{tail(r)}"

    results = {name: (verdict, text) for verdict, name, text in EFITEST_RESULT.findall(out)}
    for check in ("blockio", "diskio", "blockio-ro"):
        assert check in results, f"efitest printed no '{check}' line; see {r.log}\n{tail(r)}"
        assert results[check][0] == "ok", f"{check}: {results[check][1]}"
    text = results["blockio"][1]
    m = re.match(r"(\S+): (\d+) blocks of (\d+) bytes, revision 0x(\w+)", text)
    assert m, text
    assert re.search(dp_re, m.group(1)), f"device path {m.group(1)}"
    assert int(m.group(2)) * int(m.group(3)) == RW_MIB << 20 and int(m.group(3)) == bs, text
    assert int(m.group(4), 16) >= 0x2001F, text  # EFI_BLOCK_IO_PROTOCOL_REVISION3
    assert re.match(rf"{(RO_MIB << 20) // bs} blocks of {bs} bytes, ReadOnly",
                    results["blockio-ro"][1]), results["blockio-ro"][1]

    # The writes reached the image, nothing else changed; the RO disk is intact.
    diff = first_difference(rw_img.read_bytes(), expected_after_writes(rw_data))
    assert diff is None, f"writable image after the run: {diff}"
    assert hashlib.sha256(ro_img.read_bytes()).hexdigest() == ro_sha, "read-only image changed"


def test_disk_without_test_magic_gets_no_blockio_lines(efi_tree, vm_name, tmp_path):
    """A disk efitest did not prepare is left alone (and test_efi.py's check
    list stays right): Block IO is there, check_blockio prints nothing, and
    the image is unchanged. Also Vm(disks=[...]), the launcher's own way."""
    img = tmp_path / "plain.img"
    data = pattern_image(16, b"")
    img.write_bytes(data)
    vm = slirp_vm(vm_name, efi_tree, "efitest.efi")
    vm.disks = [str(img)]
    run = vm.start()
    run.wait_for(r"EFITEST done: \d+ ok, \d+ failed\n", timeout=300)
    r = run.finish(timeout=60)
    out = plain(r.output)
    assert re.search(r"\] disk0: pci \S+ \(pci-modern\) 16 MiB, 512-byte blocks, read-write",
                     out), f"no disk line; see {r.log}"
    names = [name for _, name, _ in EFITEST_RESULT.findall(out)]
    assert "snp" in names and not {"blockio", "diskio", "blockio-ro"} & set(names), names
    assert img.read_bytes() == data
