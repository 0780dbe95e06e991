/* libFuzzer target for boot/bzimage.c. The input is a kernel image,
 * parsed from an exactly sized copy so a read past its length is caught.
 * When it parses, the sizes must fit the file and boot_params is built into
 * an exactly sized 4096-byte buffer with addresses and an e820 table taken
 * from the image's tail; the fields written must read back. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct e820_entry e820[E820_IN];
	struct bzimage_info info;

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
	if (info.hdr_end > info.setup_size || info.hdr_end < 0x202 || info.hdr_end > BOOT_PARAMS_SIZE)
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
	uint64_t w[4] = { 0 };
	for (size_t i = 0; i < 4 && (i + 1) * 8 <= tl; i++)
		w[i] = rd64(t + i * 8);
	size_t ne = tl > 32 ? (tl - 32) / 20 : 0;
	if (ne > E820_IN)
		ne = E820_IN;
	for (size_t i = 0; i < ne; i++) {
		const uint8_t *e = t + 32 + 20 * i;
		e820[i] = (struct e820_entry){ rd64(e), rd64(e + 8), rd32(e + 16) };
	}
	struct bzimage_load ld = { w[0], w[1], w[2], w[3], e820, ne };

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
