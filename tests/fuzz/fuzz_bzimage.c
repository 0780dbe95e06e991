/* libFuzzer target for boot/bzimage.c. The input is a kernel image,
 * parsed from an exactly sized copy so a read past its length is caught.
 * When it parses, the sizes must fit the file and boot_params is built into
 * an exactly sized 4096-byte buffer with addresses and an e820 table taken
 * from the image's tail; the fields written must read back. Whatever the
 * parse says, the input's first bytes are also read as a VMM e820 table
 * (20-byte entries after a count byte), normalized by memmap_add_e820, and
 * bzimage_e820's view of that map must be sorted, merged and complete. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bzimage.h>

#define E820_IN (BZ_E820_MAX + 4)

static void fail(const char *why)
{
	fprintf(stderr, "bzimage: %s\n", why);
	abort();
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint64_t e820_type_bytes(const struct memmap *m, uint32_t e820_type)
{
	static const uint32_t to_e820[MEM_TYPE_COUNT] = {
	    [MEM_RESERVED] = E820_RESERVED,  [MEM_LOADER_CODE] = E820_RAM,
	    [MEM_LOADER_DATA] = E820_RAM,    [MEM_BS_CODE] = E820_RAM,
	    [MEM_BS_DATA] = E820_RAM,	     [MEM_RT_CODE] = E820_RESERVED,
	    [MEM_RT_DATA] = E820_RESERVED,   [MEM_FREE] = E820_RAM,
	    [MEM_UNUSABLE] = E820_UNUSABLE,  [MEM_ACPI_RECLAIM] = E820_ACPI,
	    [MEM_ACPI_NVS] = E820_NVS,	     [MEM_MMIO] = E820_RESERVED,
	    [MEM_MMIO_PORT] = E820_RESERVED, [MEM_PAL_CODE] = E820_RESERVED,
	    [MEM_PERSISTENT] = E820_PMEM,
	};
	uint64_t sum = 0;

	for (size_t i = 0; i < m->count; i++)
		if (m->r[i].type < MEM_TYPE_COUNT && to_e820[m->r[i].type] == e820_type)
			sum += m->r[i].pages << 12;
	return sum;
}

/* The e820 view of a map normalized from the input's e820 table. */
static void check_e820_view(const uint8_t *data, size_t size)
{
	static struct mem_range storage[256];
	static struct e820_entry in[64], out[BZ_E820_MAX + 1];
	struct memmap m;

	if (size < 1)
		return;
	size_t n = (size - 1) / 20;
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = data + 1 + 20 * i;
		in[i] = (struct e820_entry){rd64(e), rd64(e + 8), rd32(e + 16) % 9};
	}
	memmap_init(&m, storage, 256);
	if (memmap_add_e820(&m, in, n))
		return;
	size_t max = 1 + data[0] % BZ_E820_MAX, dropped = 12345;
	memset(out, 0xee, sizeof(out));
	size_t k = bzimage_e820(&m, out, max, &dropped);
	if (k > max || k > m.count || dropped > m.count)
		fail("e820: more entries than room or ranges");
	if (k + dropped < (m.count ? 1 : 0) || (m.count && !k && max))
		fail("e820: ranges lost");
	if (out[max].addr != 0xeeeeeeeeeeeeeeeeULL)
		fail("e820: written past max");
	static const uint32_t types[] = {E820_RAM, E820_RESERVED, E820_ACPI,
					 E820_NVS, E820_UNUSABLE, E820_PMEM};
	uint64_t by_type[6] = {0};
	for (size_t i = 0; i < k; i++) {
		size_t t = 0;
		while (t < 6 && types[t] != out[i].type)
			t++;
		if (t == 6 || !out[i].size || out[i].size & 0xfff || out[i].addr & 0xfff)
			fail("e820: a bad entry");
		by_type[t] += out[i].size;
		if (i && out[i].addr < out[i - 1].addr + out[i - 1].size)
			fail("e820: entries out of order or overlapping");
		if (i && out[i].type == out[i - 1].type &&
		    out[i].addr == out[i - 1].addr + out[i - 1].size)
			fail("e820: adjacent entries of one type not merged");
	}
	if (!dropped)
		for (size_t t = 0; t < 6; t++)
			if (by_type[t] != e820_type_bytes(&m, types[t]))
				fail("e820: bytes of a type lost or invented");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct e820_entry e820[E820_IN];
	struct bzimage_info info;

	check_e820_view(data, size);
	uint8_t *img = malloc(size ? size : 1);
	if (!img)
		abort();
	memcpy(img, data, size);
	int rc = bzimage_parse(img, size, &info);
	if (rc) {
		if (rc < BZ_E_BAD_ALIGN || rc > BZ_E_SHORT)
			fail("an error code outside BZ_E_*");
		const char *s = bzimage_strerror(rc);
		if (!s || !s[0])
			fail("an error without a message");
		free(img);
		return 0;
	}

	if (info.setup_size >= size)
		fail("setup_size not below the file size");
	if (info.hdr_end > info.setup_size || info.hdr_end < 0x202 ||
	    info.hdr_end > BOOT_PARAMS_SIZE)
		fail("hdr_end outside the setup code");
	if (info.kernel_size != size - info.setup_size)
		fail("kernel_size is not the rest of the file");
	if (info.setup_size % 512 || info.setup_size < 2 * 512)
		fail("setup_size not whole sectors");
	if (info.init_size < info.kernel_size)
		fail("init_size smaller than the kernel");
	if (info.version < BZ_MIN_VERSION || !(info.xloadflags & XLF_KERNEL_64))
		fail("an old or 32-bit kernel accepted");
	if (!info.alignment || info.alignment & (info.alignment - 1) || info.alignment > 1u << 30)
		fail("an impossible alignment accepted");

	/* Addresses and the e820 table from the last bytes of the image. */
	const uint8_t *t = data + info.setup_size;
	size_t tl = info.kernel_size;
	uint64_t w[4] = {0};
	for (size_t i = 0; i < 4 && (i + 1) * 8 <= tl; i++)
		w[i] = rd64(t + i * 8);
	size_t ne = tl > 32 ? (tl - 32) / 20 : 0;
	if (ne > E820_IN)
		ne = E820_IN;
	for (size_t i = 0; i < ne; i++) {
		const uint8_t *e = t + 32 + 20 * i;
		e820[i] = (struct e820_entry){rd64(e), rd64(e + 8), rd32(e + 16)};
	}
	struct bzimage_load ld = {w[0], w[1], w[2], w[3], e820, ne};

	uint8_t *bp = malloc(BOOT_PARAMS_SIZE);
	if (!bp)
		abort();
	bzimage_boot_params(bp, img, &info, &ld);

	for (size_t i = 0x1f1; i < info.hdr_end; i++) {
		bool field = i == 0x210 || i == 0x211 || (i >= 0x218 && i < 0x220) ||
			     (i >= 0x228 && i < 0x22c) || i >= 0x2d0;
		if (!field && bp[i] != data[i])
			fail("the setup header is not copied as is");
	}
	if (bp[0x210] != 0xff || !(bp[0x211] & 1))
		fail("type_of_loader or LOADED_HIGH not set");
	if ((rd32(bp + 0x228) | (uint64_t)rd32(bp + 0x0c8) << 32) != ld.cmdline)
		fail("cmd_line_ptr does not read back");
	if ((rd32(bp + 0x218) | (uint64_t)rd32(bp + 0x0c0) << 32) != ld.ramdisk)
		fail("ramdisk_image does not read back");
	if ((rd32(bp + 0x21c) | (uint64_t)rd32(bp + 0x0c4) << 32) != ld.ramdisk_size)
		fail("ramdisk_size does not read back");
	if (rd64(bp + 0x070) != ld.rsdp)
		fail("acpi_rsdp_addr does not read back");
	size_t want = ne > BZ_E820_MAX ? BZ_E820_MAX : ne;
	if (bp[0x1e8] != want)
		fail("e820_entries wrong");
	for (size_t i = 0; i < want; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;
		if (rd64(e) != e820[i].addr || rd64(e + 8) != e820[i].size ||
		    rd32(e + 16) != e820[i].type)
			fail("an e820 entry does not read back");
	}
	/* A header longer than struct setup_header (jump offset up to 0xff)
	 * reaches 0x301; past that and the e820 table, nothing is written. */
	size_t rest = 0x2d0 + 20 * want;
	if (rest < info.hdr_end)
		rest = info.hdr_end;
	for (size_t i = rest; i < BOOT_PARAMS_SIZE; i++)
		if (bp[i])
			fail("a byte past the e820 table is not zero");
	free(bp);
	free(img);
	return 0;
}
