#!/usr/bin/env python3
"""Write the hand-made seed inputs of the fuzz targets into
tests/fuzz/corpus/<target>/. Run it again after changing an input layout;
the layouts are described at the top of each tests/fuzz/fuzz_*.c."""
import os
import struct
import sys

TOP = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(TOP, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def checksum_fix(b, length, at):
    """Set b[at] so that b[0:length] sums to 0 mod 256."""
    b[at] = 0
    b[at] = (-sum(b[:length])) & 0xFF


def sdt(sig, length, rev=1):
    b = bytearray(length)
    b[0:4] = sig
    struct.pack_into("<IB", b, 4, length, rev)
    b[10:16] = b"WBOOT "
    b[16:24] = b"WBTABLE "
    return b


# ---- fuzz_memmap: flags, n, window entries (u16 addr/32, u16 size/32,
# type, unaligned), then 12-byte ops (kind, type, pages, align, u16 base,
# u16 min, u16 max, skew, spare).
def memmap_seeds():
    def entry(addr32, size32, typ, unaligned=0):
        return struct.pack("<HHBB", addr32, size32, typ, unaligned)

    def op(kind, typ, pages, align, base, lo=0, hi=0xFFFF, skew=0, spare=0):
        return struct.pack("<BBBBHHHBB", kind, typ, pages, align, base, lo, hi, skew, spare)

    window = bytes([6, 3]) + entry(0, 0xFFFF, 0) + entry(0x800, 0x80, 3) + entry(0x1000, 0x40, 4, 5)
    window += op(0, 4, 4, 0, 0) + op(0, 2, 1, 9, 0) + op(1, 3, 8, 0, 16) + op(2, 0, 4, 0, 16)
    window += op(3, 11, 2, 0, 100) + op(4, 3, 0, 0, 200, 0x40) + op(2, 0, 2, 0, 20)
    write("fuzz_memmap", "window", window)

    tiny = bytes([1, 2]) + entry(0, 0x400, 0) + entry(0x100, 0x10, 3)
    tiny += op(0, 1, 1, 0, 0) + op(0, 2, 1, 0, 0) + op(0, 3, 1, 0, 0)
    write("fuzz_memmap", "tiny-table", tiny)

    wide = bytes([8 | 6, 2])
    wide += struct.pack("<QQB", 0xFFFFFFFF00000000, 0x200000000, 1)
    wide += struct.pack("<QQB", 0x100000, 0x7FF00000, 1)
    wide += op(0, 4, 16, 9, 0) + op(1, 2, 1, 0, 0x200) + op(3, 0, 1, 0, 0x300, skew=0, spare=0xFF)
    write("fuzz_memmap", "wide", wide)


# ---- fuzz_config: split byte, command line, fw_cfg file.
def config_seeds():
    def seed(cmd, fw):
        return bytes([len(cmd)]) + cmd + fw

    write("fuzz_config", "both", seed(b"log=debug virtio_mmio.device=4K@0xd0000000:5 net_wait=3",
                                      b"# wireboot\nlog=\"a b\"\nfoo=bar bare\n"
                                      b"virtio_mmio.device=512@0xd0001000:6\n"))
    write("fuzz_config", "nul", seed(b"log=a\0log=b", b"# c\0\nlog=x"))
    write("fuzz_config", "quotes", seed(b"log=\"unterminated", b"dhcp_timeout=\"\" =x a=b=c"))


# ---- fuzz_acpi_tables: one table.
S5 = bytes([0x08, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00])


def rsdp_v2(rsdt=0, xsdt=0):
    b = bytearray(36)
    b[0:8] = b"RSD PTR "
    b[9:15] = b"BOCHS "
    b[15] = 2
    struct.pack_into("<IIQ", b, 16, rsdt, 36, xsdt)
    checksum_fix(b, 20, 8)
    checksum_fix(b, 36, 32)
    return b


def fadt():
    b = sdt(b"FACP", 276, 6)
    struct.pack_into("<I", b, 40, 0x7FFE0000)
    struct.pack_into("<III", b, 64, 0x604, 0, 0)
    struct.pack_into("<I", b, 76, 0x608)
    struct.pack_into("<I", b, 112, (1 << 20) | (1 << 10))
    struct.pack_into("<BBBBQB", b, 116, 1, 8, 0, 1, 0xCF9, 6)
    struct.pack_into("<Q", b, 140, 0x7FFE0000)
    struct.pack_into("<BBBBQ", b, 172, 1, 16, 0, 2, 0xB004)
    struct.pack_into("<BBBBQ", b, 244, 0, 8, 0, 1, 0xFEE00000)
    checksum_fix(b, 276, 9)
    return b


def acpi_tables_seeds():
    write("fuzz_acpi_tables", "rsdp", rsdp_v2(0x7FFE0000, 0x7FFE0100))
    write("fuzz_acpi_tables", "fadt", fadt())
    dsdt = sdt(b"DSDT", 36 + len(S5) + 3, 2)
    dsdt[36:36 + len(S5)] = S5
    dsdt[36 + len(S5):] = bytes([0x08, 0x5C, 0x5F])
    checksum_fix(dsdt, len(dsdt), 9)
    write("fuzz_acpi_tables", "dsdt", dsdt)
    mcfg = sdt(b"MCFG", 44 + 32)
    struct.pack_into("<QHBB", mcfg, 44, 0xC0000000, 1, 0, 255)
    struct.pack_into("<QHBB", mcfg, 60, 0xB0000000, 0, 0, 255)
    checksum_fix(mcfg, len(mcfg), 9)
    write("fuzz_acpi_tables", "mcfg", mcfg)


# ---- fuzz_acpi_loader: flags, u16 sizes, files, script.
def name(n):
    return n.encode().ljust(56, b"\0")


def allocate(f, align, zone):
    return struct.pack("<I", 1) + name(f) + struct.pack("<IB", align, zone).ljust(68, b"\0")


def add_pointer(dst, src, off, size):
    return (struct.pack("<I", 2) + name(dst) + name(src) + struct.pack("<IB", off, size)).ljust(128, b"\0")


def add_checksum(f, off, start, length):
    return (struct.pack("<I", 3) + name(f) + struct.pack("<III", off, start, length)).ljust(128, b"\0")


def write_pointer(dst, src, dst_off, src_off, size):
    return (struct.pack("<I", 4) + name(dst) + name(src)
            + struct.pack("<IIB", dst_off, src_off, size)).ljust(128, b"\0")


def acpi_loader_seeds():
    tables = bytearray(424)
    dsdt = sdt(b"DSDT", 47, 2)
    dsdt[36:47] = S5[:11]
    tables[0:47] = dsdt
    f = sdt(b"FACP", 276, 6)
    tables[64:340] = f
    rsdt = sdt(b"RSDT", 40)
    struct.pack_into("<I", rsdt, 36, 64)
    tables[340:380] = rsdt
    xsdt = sdt(b"XSDT", 44)
    struct.pack_into("<Q", xsdt, 36, 64)
    tables[380:424] = xsdt
    rsdp = bytearray(rsdp_v2(340, 380))
    rsdp[8] = rsdp[32] = 0

    script = allocate("etc/acpi/rsdp", 16, 2) + allocate("etc/acpi/tables", 64, 1)
    script += add_checksum("etc/acpi/tables", 9, 0, 47)
    script += add_pointer("etc/acpi/tables", "etc/acpi/tables", 64 + 40, 4)
    script += add_pointer("etc/acpi/tables", "etc/acpi/tables", 64 + 140, 8)
    script += add_checksum("etc/acpi/tables", 64 + 9, 64, 276)
    script += add_pointer("etc/acpi/tables", "etc/acpi/tables", 340 + 36, 4)
    script += add_checksum("etc/acpi/tables", 340 + 9, 340, 40)
    script += add_pointer("etc/acpi/tables", "etc/acpi/tables", 380 + 36, 8)
    script += add_checksum("etc/acpi/tables", 380 + 9, 380, 44)
    script += add_pointer("etc/acpi/rsdp", "etc/acpi/tables", 16, 4)
    script += add_pointer("etc/acpi/rsdp", "etc/acpi/tables", 24, 8)
    script += add_checksum("etc/acpi/rsdp", 8, 0, 20)
    script += add_checksum("etc/acpi/rsdp", 32, 0, 36)
    write("fuzz_acpi_loader", "qemu-tables",
          bytes([1]) + struct.pack("<HH", len(rsdp), len(tables)) + rsdp + tables + script)

    guid = bytes(range(64))
    script = allocate("etc/acpi/rsdp", 16, 2) + allocate("etc/vmgenid_guid", 4096, 1)
    script += write_pointer("etc/vmgenid_addr", "etc/vmgenid_guid", 0, 40, 8)
    script += bytes(128) + struct.pack("<I", 0x77).ljust(128, b"\xff")
    write("fuzz_acpi_loader", "write-pointer",
          bytes([3]) + struct.pack("<HHHH", 20, 0, 0, len(guid)) + bytes(20) + guid + script)


# ---- fuzz_mmio_cmdline: one virtio_mmio.device= value.
def mmio_cmdline_seeds():
    write("fuzz_mmio_cmdline", "microvm", b"512@0xfeb00e00:12")
    write("fuzz_mmio_cmdline", "firecracker", b"4K@0xd0000000:5:3")
    write("fuzz_mmio_cmdline", "octal", b"01000@010000:07")


# ---- fuzz_dhcp: records of u16 time step (ms), u8 flags, u16 length,
# packet. The target puts the client's xid and MAC into each packet (flags 0).
def ip4(a):
    return bytes(int(x) for x in a.split("."))


def dhcp_reply(kind, yiaddr="0.0.0.0", siaddr="0.0.0.0", server=None, file=b"", options=b""):
    head = bytes([2, 1, 6, 0]) + bytes(4) + bytes([0, 0, 0x80, 0]) + bytes(4) + ip4(yiaddr)
    head += ip4(siaddr) + bytes(4) + bytes(16) + bytes(64) + file.ljust(128, b"\0")
    opts = bytes([53, 1, kind])
    if server:
        opts += bytes([54, 4]) + ip4(server)
    return head + b"\x63\x82\x53\x63" + opts + options + b"\xff"


def dhcp_opt(code, value):
    return bytes([code, len(value)]) + value


def record(step, packet=b"", flags=0):
    return struct.pack("<HBH", step, flags, len(packet)) + packet


def ticks(ms, step=10):
    """Records with no packet: time passes in `step` ms ticks."""
    return b"".join(record(step) for _ in range(ms // step))


LEASE_OPTS = (dhcp_opt(1, ip4("255.255.255.0")) + dhcp_opt(3, ip4("10.0.2.2")) +
              dhcp_opt(6, ip4("10.0.2.3")) + dhcp_opt(51, struct.pack(">I", 86400)))
PXE = dhcp_opt(60, b"PXEClient")
# PXE 2.1 s.2.2.4: discovery control, a boot server list, a boot menu, a prompt.
MENU = (dhcp_opt(6, b"\x03") + dhcp_opt(8, b"\x80\x01\x01" + ip4("10.0.2.5")) +
        dhcp_opt(9, b"\x80\x01\x08wireboot") + dhcp_opt(10, b"\x00boot") + b"\xff")


def dhcp_seeds():
    offer = dhcp_reply(2, "10.0.2.15", server="10.0.2.2", options=LEASE_OPTS + dhcp_opt(67, b"boot.efi"))
    ack = dhcp_reply(5, "10.0.2.15", server="10.0.2.2", options=LEASE_OPTS)
    plain = dhcp_reply(2, "10.0.2.15", server="10.0.2.2", options=LEASE_OPTS)
    proxy_file = dhcp_reply(2, siaddr="10.0.2.5", server="10.0.2.5", file=b"proxy.efi", options=PXE)
    proxy_menu = dhcp_reply(2, siaddr="10.0.2.5", server="10.0.2.5",
                            options=PXE + dhcp_opt(43, MENU))
    boot_ack = dhcp_reply(5, "10.0.2.15", server="10.0.2.5", file=b"bootx64.efi", options=PXE)
    nak = dhcp_reply(6, server="10.0.2.2")

    write("fuzz_dhcp", "offer-ack", record(5, offer) + record(5, ack))
    # A plain offer, requested when the 1.5 s window ends (a DISCOVER
    # retransmission was due inside it), then the ACK.
    write("fuzz_dhcp", "plain-offer-window", record(3, plain) + ticks(1600) + record(5, ack))
    write("fuzz_dhcp", "proxy-offer-with-file",
          record(2, proxy_file) + record(3, plain) + record(4, ack))
    write("fuzz_dhcp", "proxy-late-in-window",
          record(2, plain) + ticks(1200) + record(5, proxy_file) + record(4, ack))
    # proxyDHCP without a file: after the ACK the client asks the boot
    # server on 4011, once more when it is silent, and takes its ACK.
    write("fuzz_dhcp", "proxy-ack-from-4011",
          record(2, proxy_menu) + record(3, plain) + record(4, ack) + record(1) + ticks(1100, 50)
          + record(5, boot_ack))
    write("fuzz_dhcp", "proxy-silent-4011",
          record(2, proxy_menu) + record(3, plain) + record(4, ack) + ticks(8000, 500))
    # NAK restarts with a new xid; the third one fails.
    write("fuzz_dhcp", "nak-three-times",
          (record(5, offer) + record(5, nak) + record(5, offer) + record(5, nak) + record(5, offer)
           + record(5, nak)))
    write("fuzz_dhcp", "nak-then-ack", record(5, offer) + record(5, nak) + record(5, offer)
          + record(5, ack))
    # Four unanswered REQUESTs, a new conversation, then the ACK.
    write("fuzz_dhcp", "requests-unanswered-restart",
          record(5, offer) + ticks(24000, 100) + record(5, offer) + record(5, ack))
    # The header's file and sname fields carry options (RFC 2132 s.9.3).
    over = bytearray(dhcp_reply(2, "10.0.2.15", server="10.0.2.2",
                                options=dhcp_opt(52, b"\x03") + LEASE_OPTS))
    over[108:108 + 13] = dhcp_opt(67, b"over.efi") + b"\xff\0\0"
    over[44:44 + 9] = dhcp_opt(66, b"tftp01") + b"\xff"
    write("fuzz_dhcp", "overload-file-sname", record(5, bytes(over)) + record(5, ack))
    # Replies that are not ours or not well-formed, then a good exchange.
    write("fuzz_dhcp", "strangers-then-good",
          record(1, offer, flags=1) + record(1, offer[:200]) + record(1, offer[:236] + b"\0\0\0\0")
          + record(1, offer[:-5] + b"\x2b\xc8\x01") + record(5, offer) + record(5, ack))


# ---- fuzz_snp_frame: mask, setting, station MAC; then ops (see the target).
def snp_frame_seeds():
    mac = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])
    head = bytes([0x1F, 0x01]) + mac

    def filters(enable, disable, flags, macs):
        return bytes([0]) + struct.pack("<IIBB", enable, disable, flags, len(macs)) + b"".join(macs)

    def frame(dst, size=60):
        f = (dst + mac + b"\x08\x00").ljust(size, b"\0")
        return struct.pack("<H", len(f)) + f

    bcast = b"\xff" * 6
    mc = bytes([0x01, 0x00, 0x5E, 0x01, 0x02, 0x03])
    ops = filters(0x07, 0, 0, [mc, bytes([0x33, 0x33, 0, 0, 0, 1])])
    ops += b"\x01" + frame(mac) + b"\x01" + frame(bcast) + b"\x01" + frame(mc)
    ops += b"\x01" + frame(bytes([0x01, 0, 0x5E, 9, 9, 9])) + b"\x01" + frame(mac, 13)
    ops += b"\x02\x01" + frame(mc) + b"\x02\x00" + frame(bcast) + b"\x02\x00" + frame(mac, 3)
    ops += b"\x03\x00" + bytes([239, 255, 255, 250]).ljust(16, b"\0")
    ops += b"\x03\x00" + bytes([10, 0, 2, 15]).ljust(16, b"\0")
    ops += b"\x03\x01" + bytes.fromhex("ff0200000000000000000001ff123456")
    write("fuzz_snp_frame", "filters-and-frames", head + ops)
    # Refused calls: a bit outside the mask, a unicast address in the list,
    # more entries than MaxMCastFilterCount, a NULL list; then a reset.
    ops = filters(0x20, 0, 0, []) + filters(0x02, 0, 0, [mac]) + filters(0x02, 0, 0, [mc] * 17)
    ops += filters(0x02, 0, 2, [mc]) + filters(0x18, 0x01, 1, []) + b"\x01" + frame(mac)
    write("fuzz_snp_frame", "refused-filters", bytes([0x0F, 0x00]) + mac + ops)


# ---- fuzz_smbios: an SMBIOS structure table.
def smbios_seeds():
    def structure(kind, handle, body, strings=()):
        s = bytes([kind, 4 + len(body)]) + struct.pack("<H", handle) + body
        return s + (b"".join(x + b"\0" for x in strings) + b"\0" if strings else b"\0\0")

    uuid = bytes.fromhex("78563412bc9af0de1122334455667788")
    type0 = structure(0, 0, bytes([1, 2, 0, 0xE8, 0, 0]) + bytes(12), [b"wireboot", b"1.0"])
    type1 = structure(1, 0x100, bytes([1, 2, 3, 4]) + uuid + bytes([6, 0, 0]),
                      [b"QEMU", b"Standard PC", b"1.0", b"serial"])
    end = structure(127, 0x7F00, b"")
    write("fuzz_smbios", "qemu-type0-type1", type0 + type1 + end)
    write("fuzz_smbios", "uuid-not-set", type0 + structure(1, 1, bytes(4) + bytes(16) + bytes(3)) + end)
    write("fuzz_smbios", "end-before-type1", type0 + end + type1)
    write("fuzz_smbios", "strings-unterminated", type0 + type1[:-3])
    write("fuzz_smbios", "short-type1", structure(1, 1, bytes(4) + uuid[:8]) + type1)


def main():
    memmap_seeds()
    mmio_cmdline_seeds()
    config_seeds()
    acpi_tables_seeds()
    acpi_loader_seeds()
    dhcp_seeds()
    snp_frame_seeds()
    smbios_seeds()
    return 0


if __name__ == "__main__":
    sys.exit(main())
