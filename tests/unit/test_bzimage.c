/* Host tests for boot/bzimage.c: setup-header validation, the e820 view of
 * the memory map, and boot_params (Linux boot protocol,
 * Documentation/arch/x86/boot.rst). Headers are synthesized here; a real
 * kernel (build/demo/vmlinuz or $WB_VMLINUZ) is used as well when present. */
#include <stdarg.h>
#include <stddef.h>
#include <glob.h>
#include <setjmp.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <bzimage.h>
#include <memmap.h>
#include "le_bytes.h"

#define SETUP_SECTS 4
#define SETUP_SIZE  ((SETUP_SECTS + 1) * 512)
#define KERNEL_SIZE 8192
#define IMG_LEN	    (SETUP_SIZE + KERNEL_SIZE)
#define GUARD	    512
#define POISON	    0xa5

/* A boot protocol 2.15 header as a 64-bit relocatable kernel has it. */
static void make_header(uint8_t *img, size_t len)
{
	for (size_t i = 0; i < len; i++)
		img[i] = (uint8_t)(i * 7 + 3); /* no zero runs to hide a bad copy */
	img[0x1f1] = SETUP_SECTS;
	put16(img + 0x1f2, 1);	     /* root_flags */
	put32(img + 0x1f4, 0x12345); /* syssize */
	put16(img + 0x1fe, 0xaa55);
	img[0x200] = 0xeb; /* jmp short over the header */
	img[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, 0x020f);
	img[0x210] = 0;			/* type_of_loader */
	img[0x211] = 0x80;		/* loadflags: CAN_USE_HEAP */
	put32(img + 0x214, 0x100000);	/* code32_start */
	put32(img + 0x218, 0);		/* ramdisk_image */
	put32(img + 0x21c, 0);		/* ramdisk_size */
	put32(img + 0x228, 0);		/* cmd_line_ptr */
	put32(img + 0x22c, 0x7fffffff); /* initrd_addr_max */
	put32(img + 0x230, 0x200000);	/* kernel_alignment */
	img[0x234] = 1;			/* relocatable_kernel */
	img[0x235] = 21;		/* min_alignment */
	put16(img + 0x236, XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
	put32(img + 0x238, 2047);      /* cmdline_size */
	put64(img + 0x258, 0x1000000); /* pref_address */
	put32(img + 0x260, 0x2000000); /* init_size */
}

static uint8_t *new_image(size_t len)
{
	uint8_t *img = malloc(len);

	assert_non_null(img);
	make_header(img, len);
	return img;
}

static void assert_error(const uint8_t *img, size_t len, int want)
{
	struct bzimage_info info;

	memset(&info, 0x5a, sizeof(info));
	assert_int_equal(bzimage_parse(img, len, &info), want);
	const char *s = bzimage_strerror(want);
	assert_non_null(s);
	assert_true(strlen(s) > 0);
}

/* ---- bzimage_parse ---- */

static void test_valid_header_parses(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;

	memset(&info, 0x5a, sizeof(info));
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.version, 0x020f);
	assert_int_equal(info.setup_size, SETUP_SIZE);
	assert_int_equal(info.kernel_size, KERNEL_SIZE);
	assert_int_equal(info.init_size, 0x2000000);
	assert_int_equal(info.alignment, 0x200000);
	assert_int_equal(info.pref_address, 0x1000000);
	assert_true(info.relocatable);
	assert_int_equal(info.initrd_addr_max, 0x7fffffff);
	assert_int_equal(info.cmdline_size, 2047);
	assert_int_equal(info.xloadflags, XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
	assert_int_equal(info.hdr_end, 0x26c);
	free(img);
}

static void test_parse_reads_only_len_bytes(void **state)
{
	/* An exactly sized copy: ASan reports any read past the image. */
	uint8_t *img = new_image(SETUP_SIZE + 1);
	struct bzimage_info info;

	assert_int_equal(bzimage_parse(img, SETUP_SIZE + 1, &info), 0);
	assert_int_equal(info.kernel_size, 1);
	/* A one-byte kernel needs at least that byte of memory. */
	put32(img + 0x260, 0);
	assert_int_equal(bzimage_parse(img, SETUP_SIZE + 1, &info), 0);
	assert_int_equal(info.init_size, 1);
	free(img);
}

static void test_short_image_is_rejected(void **state)
{
	uint8_t *img = new_image(IMG_LEN);

	assert_error(img, 0, BZ_E_SHORT);
	assert_error(img, 0x1f1, BZ_E_SHORT);
	assert_error(img, 0x26f, BZ_E_SHORT);
	/* 0x270 is enough to read the header, not to hold a setup and a kernel. */
	assert_error(img, 0x270, BZ_E_BAD_SIZES);
	free(img);
}

static void test_bad_magic_is_rejected(void **state)
{
	uint8_t *img = new_image(IMG_LEN);

	put16(img + 0x1fe, 0x55aa);
	assert_error(img, IMG_LEN, BZ_E_NOT_BZIMAGE);
	make_header(img, IMG_LEN);
	img[0x1fe] = 0;
	assert_error(img, IMG_LEN, BZ_E_NOT_BZIMAGE);
	free(img);
}

static void test_missing_hdrs_is_rejected(void **state)
{
	uint8_t *img = new_image(IMG_LEN);

	memcpy(img + 0x202, "hdrS", 4);
	assert_error(img, IMG_LEN, BZ_E_NOT_BZIMAGE);
	memcpy(img + 0x202, "HdrS", 4);
	img[0x205] = 0;
	assert_error(img, IMG_LEN, BZ_E_NOT_BZIMAGE);
	/* A PE/EFI stub image without a setup header: MZ and nothing else. */
	memset(img, 0, IMG_LEN);
	img[0] = 'M';
	img[1] = 'Z';
	assert_error(img, IMG_LEN, BZ_E_NOT_BZIMAGE);
	free(img);
}

static void test_old_boot_protocol_is_rejected(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;

	put16(img + 0x206, 0x0204);
	assert_error(img, IMG_LEN, BZ_E_TOO_OLD);
	put16(img + 0x206, 0x0205);
	assert_error(img, IMG_LEN, BZ_E_TOO_OLD);
	put16(img + 0x206, 0x0100);
	assert_error(img, IMG_LEN, BZ_E_TOO_OLD);
	put16(img + 0x206, BZ_MIN_VERSION);
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), BZ_E_NOT_64);
	free(img);
}

static void test_kernel_without_64bit_entry_is_rejected(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;

	put16(img + 0x236, XLF_CAN_BE_LOADED_ABOVE_4G);
	assert_error(img, IMG_LEN, BZ_E_NOT_64);
	put16(img + 0x236, 0);
	assert_error(img, IMG_LEN, BZ_E_NOT_64);
	/* Before 2.12 there is no xloadflags field: whatever is there is not read. */
	put16(img + 0x236, XLF_KERNEL_64);
	put16(img + 0x206, 0x020b);
	assert_error(img, IMG_LEN, BZ_E_NOT_64);
	put16(img + 0x206, 0x020c);
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.xloadflags, XLF_KERNEL_64);
	free(img);
}

static void test_setup_sects_past_the_file_is_rejected(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;

	/* setup_size == len: no kernel bytes at all. */
	img[0x1f1] = IMG_LEN / 512 - 1;
	assert_error(img, IMG_LEN, BZ_E_BAD_SIZES);
	img[0x1f1] = 0xff;
	assert_error(img, IMG_LEN, BZ_E_BAD_SIZES);
	/* One sector less leaves 512 bytes of kernel. */
	img[0x1f1] = IMG_LEN / 512 - 2;
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.setup_size, IMG_LEN - 512);
	assert_int_equal(info.kernel_size, 512);
	free(img);
}

static void test_setup_sects_zero_means_four(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;

	img[0x1f1] = 0;
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.setup_size, 5 * 512);
	assert_int_equal(info.kernel_size, IMG_LEN - 5 * 512);
	img[0x1f1] = 1;
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.setup_size, 2 * 512);
	free(img);
}

static void test_bad_kernel_alignment_is_rejected(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;

	put32(img + 0x230, 0);
	assert_error(img, IMG_LEN, BZ_E_BAD_ALIGN);
	put32(img + 0x230, 0x300000);
	assert_error(img, IMG_LEN, BZ_E_BAD_ALIGN);
	put32(img + 0x230, 0x80000000u);
	assert_error(img, IMG_LEN, BZ_E_BAD_ALIGN);
	put32(img + 0x230, 0x40000001u);
	assert_error(img, IMG_LEN, BZ_E_BAD_ALIGN);
	put32(img + 0x230, 1u << 30);
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.alignment, 1u << 30);
	put32(img + 0x230, 1);
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.alignment, 1);
	free(img);
}

static void test_small_init_size_is_raised_to_kernel_size(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;

	put32(img + 0x260, 0x100);
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.init_size, KERNEL_SIZE);
	put32(img + 0x260, KERNEL_SIZE + 1);
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.init_size, KERNEL_SIZE + 1);
	free(img);
}

static void test_header_end_follows_the_jump(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;

	img[0x201] = 0;
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.hdr_end, 0x202);
	img[0x201] = 0xff;
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.hdr_end, 0x301);
	free(img);
}

/* A kernel over 2 GiB: the file is mapped, only its first page touched. */
static void test_huge_kernel_is_rejected(void **state)
{
	size_t len = SETUP_SIZE + (1ULL << 31) + 1;
	uint8_t *img = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct bzimage_info info;

	if (img == MAP_FAILED)
		skip();
	make_header(img, 0x270);
	img[0x1f1] = SETUP_SECTS;
	assert_error(img, len, BZ_E_BAD_SIZES);
	assert_int_equal(bzimage_parse(img, len - 1, &info), 0);
	assert_int_equal(info.kernel_size, 1ULL << 31);
	assert_int_equal(info.init_size, 1ULL << 31);
	munmap(img, len);
}

static void test_strerror_names_every_error(void **state)
{
	const int errs[] = {BZ_E_SHORT,	 BZ_E_NOT_BZIMAGE, BZ_E_TOO_OLD,
			    BZ_E_NOT_64, BZ_E_BAD_SIZES,   BZ_E_BAD_ALIGN};

	for (size_t i = 0; i < 6; i++) {
		const char *s = bzimage_strerror(errs[i]);
		assert_non_null(s);
		assert_true(strlen(s) > 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(s, bzimage_strerror(errs[j]));
	}
	assert_true(strlen(bzimage_strerror(-99)) > 0);
	assert_true(strlen(bzimage_strerror(0)) > 0);
}

/* ---- bzimage_e820 ---- */

#define MiB (1ULL << 20)

static void test_e820_merges_ram_like_types(void **state)
{
	struct mem_range storage[32];
	struct memmap m;
	struct e820_entry out[16];
	size_t dropped = 99;

	memmap_init(&m, storage, 32);
	assert_int_equal(memmap_set(&m, 0, 0x9f, MEM_FREE), 0);
	assert_int_equal(memmap_set(&m, 0x9f000, 1, MEM_RESERVED), 0);
	assert_int_equal(memmap_set(&m, 0xf0000, 0x10, MEM_RESERVED), 0);
	/* 1 MiB .. 64 MiB: free, loader code/data, boot services: all RAM. */
	assert_int_equal(memmap_set(&m, 1 * MiB, 3 * 256, MEM_FREE), 0);
	assert_int_equal(memmap_set(&m, 4 * MiB, 256, MEM_LOADER_CODE), 0);
	assert_int_equal(memmap_set(&m, 5 * MiB, 256, MEM_LOADER_DATA), 0);
	assert_int_equal(memmap_set(&m, 6 * MiB, 256, MEM_BS_CODE), 0);
	assert_int_equal(memmap_set(&m, 7 * MiB, 256, MEM_BS_DATA), 0);
	assert_int_equal(memmap_set(&m, 8 * MiB, 56 * 256, MEM_FREE), 0);
	/* Then the kinds Linux must keep apart. */
	assert_int_equal(memmap_set(&m, 64 * MiB, 16, MEM_ACPI_RECLAIM), 0);
	assert_int_equal(memmap_set(&m, 64 * MiB + 0x10000, 16, MEM_ACPI_NVS), 0);
	assert_int_equal(memmap_set(&m, 64 * MiB + 0x20000, 16, MEM_RT_CODE), 0);
	assert_int_equal(memmap_set(&m, 64 * MiB + 0x30000, 16, MEM_RT_DATA), 0);
	assert_int_equal(memmap_set(&m, 64 * MiB + 0x40000, 16, MEM_UNUSABLE), 0);
	assert_int_equal(memmap_set(&m, 64 * MiB + 0x50000, 16, MEM_PERSISTENT), 0);
	assert_int_equal(memmap_set(&m, 64 * MiB + 0x60000, 16, MEM_FREE), 0);
	assert_int_equal(memmap_set(&m, 0xfec00000, 1, MEM_MMIO), 0);
	assert_int_equal(memmap_set(&m, 4096 * MiB, 1024, MEM_FREE), 0);
	assert_int_equal(m.count, 18);

	size_t n = bzimage_e820(&m, out, 16, &dropped);
	const struct e820_entry want[] = {
	    {0, 0x9f000, E820_RAM},
	    {0x9f000, 0x1000, E820_RESERVED},
	    {0xf0000, 0x10000, E820_RESERVED},
	    {1 * MiB, 63 * MiB, E820_RAM},
	    {64 * MiB, 0x10000, E820_ACPI},
	    {64 * MiB + 0x10000, 0x10000, E820_NVS},
	    /* Runtime services code and data stay reserved, as one range. */
	    {64 * MiB + 0x20000, 0x20000, E820_RESERVED},
	    {64 * MiB + 0x40000, 0x10000, E820_UNUSABLE},
	    {64 * MiB + 0x50000, 0x10000, E820_PMEM},
	    {64 * MiB + 0x60000, 0x10000, E820_RAM},
	    {0xfec00000, 0x1000, E820_RESERVED},
	    {4096 * MiB, 4 * MiB, E820_RAM},
	};
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	assert_int_equal(dropped, 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].addr, want[i].addr);
		assert_int_equal(out[i].size, want[i].size);
		assert_int_equal(out[i].type, want[i].type);
	}
}

static void test_e820_counts_dropped_entries(void **state)
{
	struct mem_range storage[64];
	struct memmap m;
	struct e820_entry out[5];
	size_t dropped;

	memmap_init(&m, storage, 64);
	/* Alternating RAM and reserved pages: nothing merges. */
	for (uint64_t i = 0; i < 20; i++)
		assert_int_equal(memmap_set(&m, i * 0x1000, 1, i & 1 ? MEM_RESERVED : MEM_FREE), 0);
	assert_int_equal(m.count, 20);
	memset(out, 0xee, sizeof(out));
	size_t n = bzimage_e820(&m, out, 4, &dropped);
	assert_int_equal(n, 4);
	assert_int_equal(dropped, 16);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(out[i].addr, i * 0x1000);
		assert_int_equal(out[i].size, 0x1000);
		assert_int_equal(out[i].type, i & 1 ? E820_RESERVED : E820_RAM);
	}
	assert_int_equal(out[4].addr, 0xeeeeeeeeeeeeeeeeULL); /* never past max */

	/* A full table still grows its last entry by merging. */
	memmap_init(&m, storage, 64);
	assert_int_equal(memmap_set(&m, 0, 1, MEM_FREE), 0);
	assert_int_equal(memmap_set(&m, 0x1000, 1, MEM_BS_DATA), 0);
	assert_int_equal(memmap_set(&m, 0x2000, 1, MEM_LOADER_CODE), 0);
	assert_int_equal(memmap_set(&m, 0x10000, 1, MEM_FREE), 0);
	n = bzimage_e820(&m, out, 1, &dropped);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].size, 0x3000);
	assert_int_equal(dropped, 1);
	/* And max 0 writes nothing: every range is dropped. */
	n = bzimage_e820(&m, out, 0, &dropped);
	assert_int_equal(n, 0);
	assert_int_equal(dropped, m.count);
}

static void test_e820_keeps_gaps_between_equal_types(void **state)
{
	struct mem_range storage[8];
	struct memmap m;
	struct e820_entry out[8];
	size_t dropped;

	memmap_init(&m, storage, 8);
	assert_int_equal(memmap_set(&m, 0, 16, MEM_FREE), 0);
	assert_int_equal(memmap_set(&m, 0x20000, 16, MEM_BS_CODE), 0);
	assert_int_equal(bzimage_e820(&m, out, 8, &dropped), 2);
	assert_int_equal(out[1].addr, 0x20000);
	memmap_init(&m, storage, 8);
	assert_int_equal(bzimage_e820(&m, out, 8, &dropped), 0);
	assert_int_equal(dropped, 0);
}

/* ---- bzimage_boot_params ---- */

struct guarded {
	uint8_t *buf; /* GUARD + 4096 + GUARD bytes of POISON */
	uint8_t *bp;
};

static struct guarded guarded_new(void)
{
	struct guarded g;

	g.buf = malloc(GUARD + BOOT_PARAMS_SIZE + GUARD);
	assert_non_null(g.buf);
	memset(g.buf, POISON, GUARD + BOOT_PARAMS_SIZE + GUARD);
	g.bp = g.buf + GUARD;
	return g;
}

static void assert_guards_intact(const struct guarded *g)
{
	for (size_t i = 0; i < GUARD; i++) {
		assert_int_equal(g->buf[i], POISON);
		assert_int_equal(g->bp[BOOT_PARAMS_SIZE + i], POISON);
	}
}

/* Every byte of bp outside the header copy and the fields written must be 0. */
static void assert_zero_outside(const uint8_t *bp, size_t hdr_end, size_t n_e820)
{
	for (size_t i = 0; i < BOOT_PARAMS_SIZE; i++) {
		bool hdr = i >= 0x1f1 && i < hdr_end;
		bool field = (i >= 0x070 && i < 0x078) || (i >= 0x0c0 && i < 0x0cc) || i == 0x1e8 ||
			     (i >= 0x210 && i < 0x212) || (i >= 0x218 && i < 0x220) ||
			     (i >= 0x228 && i < 0x22c) || (i >= 0x2d0 && i < 0x2d0 + 20 * n_e820);
		if (!hdr && !field && bp[i])
			fail_msg("boot_params byte %#zx is %#x, want 0", i, bp[i]);
	}
}

static void test_boot_params_copies_header_and_sets_fields(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;
	struct guarded g = guarded_new();
	const struct e820_entry e820[] = {
	    {0, 0x9f000, E820_RAM},
	    {0x9f000, 0x1000, E820_RESERVED},
	    {0x100000, 0x7ff00000, E820_RAM},
	    {0x7fff0000, 0x10000, E820_ACPI},
	    {0x100000000ULL, 0x80000000ULL, E820_RAM},
	};
	struct bzimage_load ld = {
	    .cmdline = 0x2000,
	    .ramdisk = 0x7e000000,
	    .ramdisk_size = 0x1234567,
	    .rsdp = 0xf5a40,
	    .e820 = e820,
	    .e820_count = 5,
	};

	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	bzimage_boot_params(g.bp, img, &info, &ld);
	assert_guards_intact(&g);

	/* The header, byte for byte, except the fields a loader fills in. */
	for (size_t i = 0x1f1; i < info.hdr_end; i++) {
		if (i == 0x210 || i == 0x211 || (i >= 0x218 && i < 0x220) ||
		    (i >= 0x228 && i < 0x22c))
			continue;
		if (g.bp[i] != img[i])
			fail_msg("header byte %#zx is %#x, want %#x", i, g.bp[i], img[i]);
	}
	assert_int_equal(g.bp[0x1f1], SETUP_SECTS);
	assert_int_equal(get16(g.bp + 0x1fe), 0xaa55);
	assert_memory_equal(g.bp + 0x202, "HdrS", 4);
	assert_int_equal(get16(g.bp + 0x206), 0x020f);
	assert_int_equal(get32(g.bp + 0x230), 0x200000);
	assert_int_equal(get16(g.bp + 0x236), 3);
	assert_int_equal(get32(g.bp + 0x260), 0x2000000);
	/* Past hdr_end nothing comes from the image. */
	assert_int_equal(g.bp[0x26c], 0);

	assert_int_equal(g.bp[0x210], 0xff);
	assert_int_equal(g.bp[0x211], 0x81); /* LOADED_HIGH, CAN_USE_HEAP kept */
	assert_int_equal(get32(g.bp + 0x228), 0x2000);
	assert_int_equal(get32(g.bp + 0x0c8), 0);
	assert_int_equal(get32(g.bp + 0x218), 0x7e000000);
	assert_int_equal(get32(g.bp + 0x21c), 0x1234567);
	assert_int_equal(get32(g.bp + 0x0c0), 0);
	assert_int_equal(get32(g.bp + 0x0c4), 0);
	assert_int_equal(get64(g.bp + 0x070), 0xf5a40);
	assert_int_equal(g.bp[0x1e8], 5);
	for (size_t i = 0; i < 5; i++) {
		const uint8_t *e = g.bp + 0x2d0 + 20 * i;
		assert_int_equal(get64(e), e820[i].addr);
		assert_int_equal(get64(e + 8), e820[i].size);
		assert_int_equal(get32(e + 16), e820[i].type);
	}
	assert_zero_outside(g.bp, info.hdr_end, 5);
	free(g.buf);
	free(img);
}

static void test_boot_params_splits_addresses_above_4g(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;
	struct guarded g = guarded_new();
	struct bzimage_load ld = {
	    .cmdline = 0x123456789aULL,
	    .ramdisk = 0x2fedcba000ULL,
	    .ramdisk_size = 0x180000000ULL,
	    .rsdp = 0x17ffe0000ULL,
	};

	img[0x211] = 0;
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	memset(g.bp, 0x77, BOOT_PARAMS_SIZE); /* zeroed by bzimage_boot_params */
	bzimage_boot_params(g.bp, img, &info, &ld);
	assert_guards_intact(&g);
	assert_int_equal(g.bp[0x211], 0x01);
	assert_int_equal(get32(g.bp + 0x228), 0x3456789a);
	assert_int_equal(get32(g.bp + 0x0c8), 0x12);
	assert_int_equal(get32(g.bp + 0x218), 0xedcba000);
	assert_int_equal(get32(g.bp + 0x0c0), 0x2f);
	assert_int_equal(get32(g.bp + 0x21c), 0x80000000);
	assert_int_equal(get32(g.bp + 0x0c4), 0x1);
	assert_int_equal(get64(g.bp + 0x070), 0x17ffe0000ULL);
	assert_int_equal(g.bp[0x1e8], 0);
	assert_zero_outside(g.bp, info.hdr_end, 0);
	free(g.buf);
	free(img);
}

static void test_boot_params_stays_inside_4096_bytes(void **state)
{
	uint8_t *img = new_image(IMG_LEN);
	struct bzimage_info info;
	struct guarded g = guarded_new();
	struct e820_entry *e820 = calloc(BZ_E820_MAX + 10, sizeof(*e820));

	assert_non_null(e820);
	for (size_t i = 0; i < BZ_E820_MAX + 10; i++)
		e820[i] = (struct e820_entry){~0ULL - i, ~0ULL, 0xffffffffu};
	struct bzimage_load ld = {~0ULL, ~0ULL, ~0ULL, ~0ULL, e820, BZ_E820_MAX + 10};

	img[0x201] = 0xff; /* the longest header a jump can describe */
	memset(img + 0x270, 0xff, SETUP_SIZE - 0x270);
	assert_int_equal(bzimage_parse(img, IMG_LEN, &info), 0);
	assert_int_equal(info.hdr_end, 0x301);
	bzimage_boot_params(g.bp, img, &info, &ld);
	assert_guards_intact(&g);
	assert_int_equal(g.bp[0x1e8], BZ_E820_MAX);
	const uint8_t *last = g.bp + 0x2d0 + 20 * (BZ_E820_MAX - 1);
	assert_int_equal(get64(last), ~0ULL - (BZ_E820_MAX - 1));
	/* Nothing after the last entry. */
	for (size_t i = 0x2d0 + 20 * BZ_E820_MAX; i < BOOT_PARAMS_SIZE; i++)
		assert_int_equal(g.bp[i], 0);
	free(e820);
	free(g.buf);
	free(img);
}

/* ---- a real kernel, when the demo tree has one ---- */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	if (!fseek(f, 0, SEEK_END)) {
		long n = ftell(f);
		if (n > 0 && !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)n))) {
			if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
				free(buf);
				buf = NULL;
			}
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* The kernel to parse: $WB_VMLINUZ, the demo tree's, or Debian's own
 * (linux-image-amd64 is one of scripts/deps.sh's packages). */
static const char *real_kernel_path(void)
{
	static char found[512];
	glob_t g;

	if (getenv("WB_VMLINUZ"))
		return getenv("WB_VMLINUZ");
	if (!access("build/demo/vmlinuz", R_OK))
		return "build/demo/vmlinuz";
	if (glob("/boot/vmlinuz-*-amd64", 0, NULL, &g) == 0 && g.gl_pathc) {
		snprintf(found, sizeof(found), "%s", g.gl_pathv[g.gl_pathc - 1]);
		globfree(&g);
		return found;
	}
	return "/boot/vmlinuz-*-amd64";
}

static void test_real_debian_kernel_parses(void **state)
{
	const char *path = real_kernel_path();
	size_t len = 0;
	uint8_t *img = read_file(path, &len);
	struct bzimage_info info;

	if (!img)
		fail_msg("no kernel at %s: install linux-image-amd64 (scripts/deps.sh) or set "
			 "WB_VMLINUZ", path);
	assert_int_equal(bzimage_parse(img, len, &info), 0);
	assert_true(info.version >= 0x020c);
	assert_int_equal(info.setup_size, (img[0x1f1] ? img[0x1f1] + 1 : 5) * 512);
	assert_int_equal(info.kernel_size, len - info.setup_size);
	assert_int_equal(info.hdr_end, 0x202 + img[0x201]);
	assert_true(info.xloadflags & XLF_KERNEL_64);
	assert_true(info.init_size >= info.kernel_size);
	assert_int_equal(info.alignment & (info.alignment - 1), 0);
	assert_true(info.cmdline_size >= 255);

	struct guarded g = guarded_new();
	struct bzimage_load ld = {.cmdline = 0x20000};
	bzimage_boot_params(g.bp, img, &info, &ld);
	assert_guards_intact(&g);
	assert_int_equal(get16(g.bp + 0x1fe), 0xaa55);
	assert_memory_equal(g.bp + 0x202, "HdrS", 4);
	assert_int_equal(get32(g.bp + 0x230), info.alignment);
	assert_int_equal(g.bp[0x211] & 1, 1);
	free(g.buf);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_header_parses),
	    cmocka_unit_test(test_parse_reads_only_len_bytes),
	    cmocka_unit_test(test_short_image_is_rejected),
	    cmocka_unit_test(test_bad_magic_is_rejected),
	    cmocka_unit_test(test_missing_hdrs_is_rejected),
	    cmocka_unit_test(test_old_boot_protocol_is_rejected),
	    cmocka_unit_test(test_kernel_without_64bit_entry_is_rejected),
	    cmocka_unit_test(test_setup_sects_past_the_file_is_rejected),
	    cmocka_unit_test(test_setup_sects_zero_means_four),
	    cmocka_unit_test(test_bad_kernel_alignment_is_rejected),
	    cmocka_unit_test(test_small_init_size_is_raised_to_kernel_size),
	    cmocka_unit_test(test_header_end_follows_the_jump),
	    cmocka_unit_test(test_huge_kernel_is_rejected),
	    cmocka_unit_test(test_strerror_names_every_error),
	    cmocka_unit_test(test_e820_merges_ram_like_types),
	    cmocka_unit_test(test_e820_counts_dropped_entries),
	    cmocka_unit_test(test_e820_keeps_gaps_between_equal_types),
	    cmocka_unit_test(test_boot_params_copies_header_and_sets_fields),
	    cmocka_unit_test(test_boot_params_splits_addresses_above_4g),
	    cmocka_unit_test(test_boot_params_stays_inside_4096_bytes),
	    cmocka_unit_test(test_real_debian_kernel_parses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
