#!/usr/bin/env python3
"""Write the seeds of fuzz_gpt and fuzz_mbr into tests/fuzz/corpus/: real
partition tables made by sgdisk (GPT) and busybox fdisk (MBR with an
extended partition) on small disk images, a GPT on 4096-byte blocks built
here (sgdisk takes a file's blocks as 512 bytes), and a few broken ones.
Each image is trimmed to its non-zero blocks in the fuzz input format of
tests/unit/part_memdisk.h (memdisk_from_fuzz): flags, size in blocks, then
extents (LBA, bit 31 = counted from the end; count; blocks)."""
import os
import struct
import subprocess
import sys
import tempfile
import uuid
import zlib

TOP = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20


def write(target, name, data):
    d = os.path.join(TOP, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def to_fuzz(img, bs, fail_holes=False, fix_crcs=False):
    """The image's non-zero blocks as a fuzz input; blocks in the last 64
    are addressed from the end, so the size can change under them.
    fix_crcs sets the flag that makes fuzz_gpt recompute the CRC32s."""
    blocks = len(img) // bs
    flags = (bs == 4096) | (fail_holes << 1) | (fix_crcs << 2)
    out = bytearray(struct.pack("<BI", flags, blocks))
    lba = 0
    while lba < blocks:
        if not any(img[lba * bs:(lba + 1) * bs]):
            lba += 1
            continue
        n = 1
        while lba + n < blocks and n < 255 and any(img[(lba + n) * bs:(lba + n + 1) * bs]):
            n += 1
        at = lba if blocks - lba > 64 else 0x80000000 | (blocks - lba)
        out += struct.pack("<IB", at, n) + img[lba * bs:(lba + n) * bs]
        lba += n
    return bytes(out)


def run(*cmd, stdin=None, check=True):
    subprocess.run(cmd, input=stdin, check=check, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def sgdisk_image(path, size, args):
    with open(path, "wb") as f:
        f.truncate(size)
    run("sgdisk", *args, path)
    with open(path, "rb") as f:
        return bytearray(f.read())


def fdisk_image(path, size, script, bs=512):
    with open(path, "wb") as f:
        f.truncate(size)
    # It exits 1 when it cannot make the kernel re-read a file's table.
    run("busybox", "fdisk", "-b", str(bs), "-H", "16", "-S", "16", path, stdin=script.encode(),
        check=False)
    with open(path, "rb") as f:
        img = bytearray(f.read())
    if img[510:512] != b"\x55\xaa" or not ebrs(img, bs):
        raise SystemExit("busybox fdisk wrote no extended partition to " + path)
    return img


def gpt_4096(blocks=1024):
    """A GPT on 4096-byte blocks: ESP at 256 (1 MiB), Linux after it."""
    bs, n_ent, ent_size = 4096, 128, 128
    array_blocks = n_ent * ent_size // bs
    img = bytearray(blocks * bs)
    mbr = bytearray(512)
    mbr[446:462] = struct.pack("<BBBBBBBBII", 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF, 1, blocks - 1)
    mbr[510:512] = b"\x55\xaa"
    img[0:512] = mbr
    ents = bytearray(n_ent * ent_size)
    esp = uuid.UUID("c12a7328-f81f-11d2-ba4b-00a0c93ec93b").bytes_le
    lin = uuid.UUID("0fc63daf-8483-4772-8e79-3d69d8477de4").bytes_le
    for i, (t, s, e, name) in enumerate([(esp, 256, 511, "EFI System"),
                                         (lin, 512, blocks - 6, "root")]):
        ents[i * 128:(i + 1) * 128] = (t + uuid.UUID(int=i + 1).bytes_le + struct.pack("<QQQ", s, e, 0)
                                       + name.encode("utf-16-le").ljust(72, b"\0"))
    first, last = 2 + array_blocks, blocks - 2 - array_blocks
    disk = uuid.UUID(int=0x1234).bytes_le

    def header(my, alt, array):
        h = bytearray(struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, my, alt,
                                  first, last, disk, array, n_ent, ent_size, zlib.crc32(ents)))
        h[16:20] = struct.pack("<I", zlib.crc32(h))
        return h

    img[bs:bs + 92] = header(1, blocks - 1, 2)
    img[2 * bs:2 * bs + len(ents)] = ents
    back = blocks - 1 - array_blocks
    img[back * bs:back * bs + len(ents)] = ents
    img[(blocks - 1) * bs:(blocks - 1) * bs + 92] = header(blocks - 1, 1, back)
    return img


MBR_SCRIPT = "o\nn\np\n1\n\n+2M\nt\nef\nn\ne\n2\n\n\nn\nl\n\n+1M\nn\nl\n\n+1M\nn\nl\n\n\nw\n"


def ebrs(img, bs):
    """LBAs of the EBR chain of the first extended partition of img."""
    out = []
    for i in range(4):
        typ, start = img[446 + 16 * i + 4], struct.unpack_from("<I", img, 446 + 16 * i + 8)[0]
        if typ in (0x05, 0x0F, 0x85):
            ebr = start
            while ebr and len(out) < 16:
                out.append(ebr)
                r = ebr * bs + 446 + 16
                nxt = struct.unpack_from("<I", img, r + 8)[0]
                ebr = start + nxt if img[r + 4] and nxt else 0
    return out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "disk.img")
        gpt = sgdisk_image(p, 4 * MIB, ["-n1:2048:+1M", "-t1:ef00", "-c1:EFI System",
                                        "-n2:0:0", "-t2:8300", "-c2:root"])
        write("fuzz_gpt", "sgdisk_esp_root", to_fuzz(gpt, 512, fix_crcs=True))
        bad = bytearray(gpt)
        bad[512 + 40] ^= 1  # primary header CRC no longer matches
        write("fuzz_gpt", "sgdisk_primary_bad", to_fuzz(bad, 512))
        bad = bytearray(gpt)
        bad[1024 + 32] ^= 1  # primary entry array CRC no longer matches
        write("fuzz_gpt", "sgdisk_primary_array_bad", to_fuzz(bad, 512, fail_holes=True))
        args = []
        for i in range(1, 13):
            args += ["-n%d:0:+64K" % i, "-t%d:%s" % (i, "ef00" if i == 1 else "8300"),
                     "-c%d:part%d" % (i, i)]
        many = sgdisk_image(p, 2 * MIB, args)
        write("fuzz_gpt", "sgdisk_twelve", to_fuzz(many, 512, fix_crcs=True))
        write("fuzz_gpt", "gpt_4096", to_fuzz(gpt_4096(), 4096, fix_crcs=True))

        mbr = fdisk_image(p, 8 * MIB, MBR_SCRIPT)
        write("fuzz_mbr", "fdisk_esp_extended", to_fuzz(mbr, 512))
        write("fuzz_gpt", "fdisk_mbr_only", to_fuzz(mbr, 512))
        chain = ebrs(mbr, 512)
        loop = bytearray(mbr)
        r = chain[-1] * 512 + 446 + 16  # last EBR links back to the second one
        loop[r:r + 16] = struct.pack("<BBBBBBBBII", 0, 0, 0, 0, 0x05, 0, 0, 0,
                                     chain[1] - chain[0], 100)
        write("fuzz_mbr", "fdisk_chain_loops", to_fuzz(loop, 512))
        mbr4k = fdisk_image(p, 16 * MIB, MBR_SCRIPT, bs=4096)
        write("fuzz_mbr", "fdisk_4096", to_fuzz(mbr4k, 4096))
        write("fuzz_mbr", "sgdisk_protective", to_fuzz(gpt[:512] + bytes(len(gpt) - 512), 512))
    return 0


if __name__ == "__main__":
    sys.exit(main())
