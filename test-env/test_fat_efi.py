"""FAT as EFI_SIMPLE_FILE_SYSTEM_PROTOCOL (disk/fat_*.c, disk/connect.c),
seen by an EFI program: efitest.efi (test-env/efi/check_fileio.c), booted
over QEMU's user network as in test_efi.py, finds the FAT volume labelled
WBFSTEST the host built and

- fileio-list: lists the root (EFI_BUFFER_TOO_SMALL says the size needed);
- fileio-read: opens \\efi\\TEST DIR by path, "long file NAME.txt" relative
  to it, reads the 10,000 bytes (byte i = (i*7+3) & 0xff) whole and at a
  position, SetPosition/GetPosition, the end, a refused write;
- fileio-write: mkdir \\New Dir, creates a long-named file in it, writes
  6000 bytes, reads them back, truncates to 100 and renames it to
  Renamed.bin by SetInfo, deletes it and the directory, and leaves
  \\WRITTEN.TXT holding "written by efitest\\r\\n";
- fileio-fsinfo: EFI_FILE_SYSTEM_INFO and the volume label.

Volumes: FAT12, FAT16 and FAT32 on a whole disk (no partition table), FAT32
in the ESP of a GPT disk (partition 1 of 2) on q35, and FAT16 in a GPT ESP
on microvm (virtio-mmio). After QEMU exits the host checks the image:
fsck.fat -n finds nothing, WRITTEN.TXT holds what efitest wrote, \\New Dir
and its files are gone, the test file is unchanged, the free space
efitest read matches the FAT, and on GPT disks nothing outside the ESP
changed.

Every efitest check must pass on both machines (on microvm, where QEMU
gives no SMBIOS, the systab check finds wireboot's own minimal table)."""
import hashlib
import re
import struct
import subprocess

import pytest

from diskimg import MIB, SECTOR, fat_volume, gpt_disk, tool
from test_efi import (EFITEST_CHECKS, EFITEST_DONE, EFITEST_RESULT, efi_tree,  # noqa: F401
                      plain, slirp_vm, tail)

LABEL = "WBFSTEST"
TEST_FILE = "EFI/Test Dir/Long File Name.txt"
T_LEN = 10000
WRITTEN = b"written by efitest\r\n"
FILEIO = ("fileio-list", "fileio-read", "fileio-write", "fileio-fsinfo")
CRASH = "*** wireboot: CPU exception"


def t_pat(i):
    """check_fileio.c's T_PAT."""
    return (i * 7 + 3) & 0xFF


TEST_DATA = bytes(t_pat(i) for i in range(T_LEN))


# ---- the FAT as the host reads it (Microsoft FAT spec 1.03 s.3, s.4) ----

def fat_layout(vol):
    """The BPB fields of a FAT volume's bytes and what follows from them."""
    bps, spc, rsvd, nfats, root_ents, tot16, _, fatsz16 = struct.unpack_from("<HBHBHHBH", vol, 11)
    tot32, fatsz32 = struct.unpack_from("<II", vol, 32)
    total = tot16 or tot32
    fatsz = fatsz16 or fatsz32
    root_sectors = (root_ents * 32 + bps - 1) // bps
    clusters = (total - rsvd - nfats * fatsz - root_sectors) // spc
    bits = 12 if clusters < 4085 else 16 if clusters < 65525 else 32
    label_at = 71 if bits == 32 else 43
    return {"bits": bits, "bps": bps, "cluster": bps * spc, "clusters": clusters,
            "total_bytes": total * bps, "fat_offset": rsvd * bps,
            "label": vol[label_at:label_at + 11].decode("ascii", "replace").rstrip()}


def fat_free_bytes(vol):
    """Free clusters in the first FAT, in bytes."""
    lay = fat_layout(vol)
    fat, free = vol[lay["fat_offset"]:], 0
    for c in range(2, lay["clusters"] + 2):
        if lay["bits"] == 12:
            v = struct.unpack_from("<H", fat, c * 3 // 2)[0]
            v = v >> 4 if c & 1 else v & 0xFFF
        elif lay["bits"] == 16:
            v = struct.unpack_from("<H", fat, c * 2)[0]
        else:
            v = struct.unpack_from("<I", fat, c * 4)[0] & 0x0FFFFFFF
        free += v == 0
    return free * lay["cluster"]


def mtools(cmd, img, *args, binary=False):
    """An mtools command on img (a file holding the volume alone)."""
    p = subprocess.run([cmd, "-i", str(img), *map(str, args)], capture_output=True,
                       env={"MTOOLS_SKIP_CHECK": "1", "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, f"{cmd} {' '.join(map(str, args))}: {p.stderr.decode()}"
    return p.stdout if binary else p.stdout.decode()


def listing(img, path):
    """Names in a directory of the volume (mdir -b prints full paths)."""
    out = mtools("mdir", img, "-b", path)
    return sorted(line.rstrip("/").rsplit("/", 1)[-1] for line in out.splitlines() if line)


# ---- the disks ----

def volume_files():
    return {TEST_FILE: TEST_DATA}


def gpt_esp(img):
    """(first byte, size) of partition 1 of a GPT disk, from sgdisk."""
    out = subprocess.run([tool("sgdisk", "gdisk"), "-i", "1", str(img)], check=True,
                         capture_output=True, text=True).stdout
    first = int(re.search(r"First sector: (\d+)", out).group(1))
    last = int(re.search(r"Last sector: (\d+)", out).group(1))
    assert re.search(r"Partition GUID code: C12A7328-F81F-11D2-BA4B-00A0C93EC93B", out), out
    return first * SECTOR, (last - first + 1) * SECTOR


def build_disk(path, layout, fat_bits, size):
    """The disk image; returns (offset, size) of the FAT volume in it."""
    if layout == "disk":
        fat_volume(path, size, volume_files(), fat_bits, label=LABEL)
        return 0, size
    # diskimg.gpt_disk labels its ESP "ESP": make the same disk, then put a
    # volume labelled WBFSTEST (mkfs.fat -n) in partition 1's place.
    gpt_disk(path, {}, fat_bits)
    off, esp_size = gpt_esp(path)
    vol = path.with_name("esp.img")
    fat_volume(vol, esp_size, volume_files(), fat_bits, label=LABEL)
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(vol.read_bytes())
    vol.unlink()
    return off, esp_size


def extract(img, off, size, dst):
    with open(img, "rb") as f:
        f.seek(off)
        dst.write_bytes(f.read(size))
    return dst


# (id, machine, layout, FAT bits, volume size: whole disks only)
CASES = [
    ("fat12-disk", "q35", "disk", 12, 4 * MIB),
    ("fat16-disk", "q35", "disk", 16, 32 * MIB),
    ("fat32-disk", "q35", "disk", 32, 64 * MIB),
    ("fat32-gpt-esp", "q35", "gpt", 32, None),
    ("fat16-gpt-esp-microvm", "microvm", "gpt", 16, None),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_fat_volume_through_simple_file_system(case, efi_tree, vm_name, tmp_path):
    tid, machine, layout, bits, size = case
    img = tmp_path / "disk.img"
    off, vol_size = build_disk(img, layout, bits, size)

    # The host made what the case says, before anything boots.
    before = img.read_bytes()
    vol0 = before[off:off + vol_size]
    lay = fat_layout(vol0)
    assert (lay["bits"], lay["label"]) == (bits, LABEL), f"host built {lay}"
    extract(img, off, vol_size, tmp_path / "vol0.img")
    assert mtools("mtype", tmp_path / "vol0.img", "::/" + TEST_FILE, binary=True) == TEST_DATA

    vm = slirp_vm(vm_name, efi_tree, "efitest.efi", machine=machine)
    vm.disks = [str(img)]
    run = vm.start()
    run.wait_for(r"EFITEST done: \d+ ok, \d+ failed\n", timeout=400)
    status = run.wait_for(r"efi: efitest\.efi returned (\S+)", timeout=30)
    r = run.finish(timeout=60)
    out = plain(r.output)
    assert CRASH not in out, f"firmware exception; see {r.log}"

    # The firmware mounted the volume: one line, the host's numbers.
    mounts = re.findall(r"\] fat: FAT(\d+) volume, (\d+) KiB, (\d+)-byte clusters"
                        r"(?:, label \"([^\"]*)\")?", out)
    assert mounts == [(str(bits), str(lay["total_bytes"] >> 10), str(lay["cluster"]), LABEL)], \
        f"fat lines {mounts}; see {r.log}\n{tail(r)}"

    results = {name: (verdict, text) for verdict, name, text in EFITEST_RESULT.findall(out)}
    for check in FILEIO:
        assert check in results, f"efitest printed no '{check}' line; see {r.log}\n{tail(r)}"
        assert results[check][0] == "ok", f"{check}: {results[check][1]}; see {r.log}"
    failed = sorted(n for n, (v, _) in results.items() if v != "ok")
    assert not failed, f"EFITEST FAIL lines: {failed}; see {r.log}"
    missing = [c for c in EFITEST_CHECKS if c not in results]
    assert not missing, f"checks that printed nothing: {missing}; see {r.log}"
    done = EFITEST_DONE.search(out)
    assert done, f"no 'EFITEST done' line; see {r.log}\n{tail(r)}"
    assert tuple(map(int, done.groups())) == (len(results) - len(failed), len(failed)), \
        f"{done.group(0)}, but {len(results)} result lines, {len(failed)} FAIL"
    assert status and status.group(1) == "EFI_SUCCESS", f"efitest returned: see {r.log}"

    # After the run: a clean volume holding exactly what check_fileio left.
    after = img.read_bytes()
    vol = after[off:off + vol_size]
    volimg = extract(img, off, vol_size, tmp_path / "vol.img")
    fsck = subprocess.run([tool("fsck.fat", "dosfstools"), "-n", str(volimg)],
                          capture_output=True, text=True)
    assert fsck.returncode == 0, f"fsck.fat -n after the run:\n{fsck.stdout}{fsck.stderr}"
    assert mtools("mtype", volimg, "::/WRITTEN.TXT", binary=True) == WRITTEN
    assert listing(volimg, "::/") == ["EFI", "WRITTEN.TXT"]
    assert listing(volimg, "::/EFI") == ["Test Dir"]
    assert listing(volimg, "::/EFI/Test Dir") == ["Long File Name.txt"]
    assert mtools("mtype", volimg, "::/" + TEST_FILE, binary=True) == TEST_DATA
    assert fat_layout(vol)["label"] == LABEL

    # fileio-fsinfo's numbers are the volume's: data clusters, free space
    # as the FAT says after the run (WRITTEN.TXT was the last write).
    m = re.match(r"(\d+) bytes, (\d+) free, (\d+)-byte clusters, label (\S+)",
                 results["fileio-fsinfo"][1])
    assert m, results["fileio-fsinfo"][1]
    assert (int(m.group(1)), int(m.group(3)), m.group(4)) == \
        (lay["clusters"] * lay["cluster"], lay["cluster"], LABEL), m.group(0)
    assert int(m.group(2)) == fat_free_bytes(vol), \
        f"efitest saw {m.group(2)} bytes free, the FAT says {fat_free_bytes(vol)}"

    # Nothing outside the volume changed (the GPT, partition 2, the tail).
    def outside(b):
        return hashlib.sha256(b[:off] + b[off + vol_size:]).hexdigest()
    assert outside(after) == outside(before), "bytes outside the FAT volume changed"
