/* MBR parser (disk/mbr.c) over in-memory disks built here: primaries, a
 * protective MBR, extended chains (good, looping, too long, pointing
 * outside), bad signatures, 4096-byte blocks; and GPT's parser refusing
 * a plain MBR disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <partition.h>
#include "part_check.h"
#include "part_memdisk.h"
#include "le_bytes.h"

#define DISK_BLOCKS 8192

struct img {
	uint8_t *data;
	uint32_t bs;
	uint64_t blocks;
	struct memdisk md;
};

/* mbr_parse, and whatever it returns, a table that part_check accepts. */
static int parse(struct img *im, struct part_table *t)
{
	int rc = mbr_parse(&im->md.dev, t);

	assert_null(part_check(t, &im->md.dev, rc));
	return rc;
}

static uint8_t *blk(struct img *im, uint64_t lba)
{
	return im->data + lba * im->bs;
}

/* Record slot of the table at lba: boot flag, type, LBA start and size
 * (CHS left as garbage, which must not matter). */
static void rec(struct img *im, uint64_t lba, int slot, uint8_t boot, uint8_t type, uint32_t start,
		uint32_t size)
{
	uint8_t *s = blk(im, lba);
	uint8_t *r = s + 446 + 16 * slot;

	r[0] = boot;
	r[1] = r[2] = r[3] = r[5] = r[6] = r[7] = 0xfe;
	r[4] = type;
	put32(r + 8, start);
	put32(r + 12, size);
	s[510] = 0x55;
	s[511] = 0xaa;
}

static void img_new(struct img *im, uint32_t bs, uint64_t blocks)
{
	im->bs = bs;
	im->blocks = blocks;
	im->data = calloc(blocks, bs);
	assert_non_null(im->data);
	blk(im, 0)[510] = 0x55;
	blk(im, 0)[511] = 0xaa;
	put32(blk(im, 0) + 0x1b8, 0xdeadbeef);
	memdisk_init(&im->md, bs, blocks);
	memdisk_add(&im->md, 0, blocks, im->data);
}

static void test_primaries(void **state)
{
	struct img im;
	struct part_table t;

	img_new(&im, 512, DISK_BLOCKS);
	rec(&im, 0, 0, 0x80, 0xef, 2048, 2048);
	rec(&im, 0, 2, 0x00, 0x83, 4096, 4000);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.scheme, PART_SCHEME_MBR);
	assert_int_equal(t.mbr_signature, 0xdeadbeef);
	assert_int_equal(t.count, 2);
	assert_int_equal(t.skipped, 0);
	assert_int_equal(t.part[0].number, 1);
	assert_int_equal(t.part[0].start, 2048);
	assert_int_equal(t.part[0].blocks, 2048);
	assert_int_equal(t.part[0].mbr_type, 0xef);
	assert_true(t.part[0].esp);
	assert_memory_equal(t.part[0].mbr_record, blk(&im, 0) + 446, 16);
	assert_int_equal(t.part[1].number, 3);
	assert_int_equal(t.part[1].start, 4096);
	assert_int_equal(t.part[1].mbr_type, 0x83);
	assert_false(t.part[1].esp);
	/* No GPT here. */
	assert_int_equal(gpt_parse(&im.md.dev, &t), -1);
	assert_string_equal(t.reason, "no protective MBR (type 0xEE at LBA 1)");
	free(im.data);
}

static void test_bad_primaries_skipped(void **state)
{
	struct img im;
	struct part_table t;

	img_new(&im, 512, DISK_BLOCKS);
	rec(&im, 0, 0, 0, 0x83, 100, 100);
	rec(&im, 0, 1, 0, 0x83, 150, 100);		 /* overlaps 1 */
	rec(&im, 0, 2, 0, 0x83, DISK_BLOCKS - 10, 11);	 /* one block past the end */
	rec(&im, 0, 3, 0, 0x83, 0xffffffff, 0xffffffff); /* far past */
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.skipped, 3);
	assert_int_equal(t.skip_number, 2);
	assert_string_equal(t.skip_reason, "overlaps an earlier partition");
	rec(&im, 0, 1, 0, 0x83, 0, 10);
	assert_int_equal(parse(&im, &t), 0);
	assert_string_equal(t.skip_reason, "starts at LBA 0");
	/* Empty records (type 0 or size 0) are not partitions at all. */
	rec(&im, 0, 1, 0, 0x00, 300, 10);
	rec(&im, 0, 2, 0, 0x83, 400, 0);
	rec(&im, 0, 3, 0, 0x0c, DISK_BLOCKS - 10, 10);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 2);
	assert_int_equal(t.skipped, 0);
	assert_int_equal(t.part[1].number, 4);
	free(im.data);
}

static void test_protective_mbr_refused(void **state)
{
	struct img im;
	struct part_table t;

	img_new(&im, 512, DISK_BLOCKS);
	rec(&im, 0, 0, 0, 0xee, 1, DISK_BLOCKS - 1);
	assert_int_equal(parse(&im, &t), -1);
	assert_string_equal(t.reason, "protective MBR: the disk is GPT");
	assert_int_equal(t.count, 0);
	/* A hybrid MBR too: its GPT rules. */
	rec(&im, 0, 1, 0x80, 0x0c, 2048, 2048);
	assert_int_equal(parse(&im, &t), -1);
	assert_int_equal(t.count, 0);
	free(im.data);
}

static void test_bad_signature(void **state)
{
	struct img im;
	struct part_table t;

	img_new(&im, 512, DISK_BLOCKS);
	rec(&im, 0, 0, 0, 0x83, 100, 100);
	blk(&im, 0)[511] = 0xab;
	assert_int_equal(parse(&im, &t), -1);
	assert_string_equal(t.reason, "no MBR signature at LBA 0");
	assert_int_equal(t.count, 0);
	/* A FAT boot sector has the signature but code in the records. */
	blk(&im, 0)[511] = 0xaa;
	blk(&im, 0)[446] = 0x31;
	assert_int_equal(parse(&im, &t), -1);
	assert_string_equal(t.reason, "LBA 0 is not a partition table (boot indicators)");
	free(im.data);
}

/* Extended partition at ext of size size, n EBRs each with one logical of
 * lsize blocks, spaced step blocks apart. */
static void chain(struct img *im, uint32_t ext, uint32_t size, int n, uint32_t step, uint32_t lsize)
{
	rec(im, 0, 1, 0, 0x0f, ext, size);
	for (int i = 0; i < n; i++) {
		uint32_t ebr = ext + i * step;
		rec(im, ebr, 0, 0, 0x83, 1, lsize);
		if (i + 1 < n)
			rec(im, ebr, 1, 0, 0x05, (i + 1) * step, step);
	}
}

static void test_extended_chain(void **state)
{
	struct img im;
	struct part_table t;

	img_new(&im, 512, DISK_BLOCKS);
	rec(&im, 0, 0, 0, 0x83, 100, 900);
	chain(&im, 1000, 3000, 3, 1000, 999);
	rec(&im, 0, 2, 0, 0x07, 4000, 100);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.skipped, 0);
	assert_int_equal(t.count, 5);
	assert_int_equal(t.part[0].number, 1);
	assert_int_equal(t.part[1].number, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(t.part[2 + i].number, 5 + i);
		assert_int_equal(t.part[2 + i].start, 1001 + 1000 * i);
		assert_int_equal(t.part[2 + i].blocks, 999);
		assert_int_equal(t.part[2 + i].mbr_type, 0x83);
	}
	/* An EBR with an empty logical record still links on. */
	memset(blk(&im, 2000) + 446, 0, 16);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 4);
	assert_int_equal(t.part[3].number, 6);
	assert_int_equal(t.part[3].start, 3001);
	free(im.data);
}

static void test_looping_chain_ends(void **state)
{
	struct img im;
	struct part_table t;

	img_new(&im, 512, DISK_BLOCKS);
	chain(&im, 1000, 3000, 3, 1000, 10);
	/* The third EBR points back at the second. */
	rec(&im, 3000, 1, 0, 0x05, 1000, 1000);
	im.md.reads = 0;
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 3);
	assert_string_equal(t.skip_reason, "EBR chain loops");
	assert_true(im.md.reads <= 5);
	/* An EBR pointing at itself (offset 0 from the extended start is the
	 * first EBR: refused as a link before it can loop). */
	rec(&im, 1000, 1, 0, 0x05, 0, 1000);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 1);
	assert_string_equal(t.skip_reason, "EBR link outside the extended partition");
	free(im.data);
}

static void test_long_chain_bounded(void **state)
{
	struct img im;
	struct part_table t;

	img_new(&im, 512, DISK_BLOCKS);
	chain(&im, 100, 4 * 200, 200, 4, 2);
	im.md.reads = 0;
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, MBR_MAX_EBR);
	assert_int_equal(t.part[MBR_MAX_EBR - 1].number, 4 + MBR_MAX_EBR);
	assert_string_equal(t.skip_reason, "EBR chain too long");
	assert_true(im.md.reads <= 1 + MBR_MAX_EBR);
	free(im.data);
}

static void test_hostile_logicals(void **state)
{
	struct img im;
	struct part_table t;

	img_new(&im, 512, DISK_BLOCKS);
	chain(&im, 1000, 3000, 3, 1000, 10);
	rec(&im, 2000, 0, 0, 0x83, 5000, 10); /* outside the extended partition */
	rec(&im, 3000, 0, 0, 0x83, 0, 10);    /* covers its own EBR */
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.skipped, 2);
	assert_int_equal(t.skip_number, 6);
	assert_string_equal(t.skip_reason, "logical partition outside its extended partition");

	/* A link past the extended partition, and an EBR with no signature. */
	chain(&im, 1000, 3000, 3, 1000, 10);
	rec(&im, 2000, 1, 0, 0x05, 3000, 10);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 2);
	assert_string_equal(t.skip_reason, "EBR link outside the extended partition");
	chain(&im, 1000, 3000, 3, 1000, 10);
	blk(&im, 2000)[510] = 0;
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 1);
	assert_string_equal(t.skip_reason, "EBR without signature");

	/* A second extended partition, and one overlapping a primary. */
	blk(&im, 2000)[510] = 0x55;
	rec(&im, 0, 2, 0, 0x05, 5000, 100);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 3);
	assert_string_equal(t.skip_reason, "a second extended partition");
	rec(&im, 0, 2, 0, 0x83, 3500, 100);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.skip_number, 2);
	assert_string_equal(t.skip_reason, "extended partition overlaps a primary");

	/* Read errors in the chain end it. */
	rec(&im, 0, 2, 0, 0, 0, 0);
	im.md.fail_lba = 3000;
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 2);
	assert_string_equal(t.skip_reason, "cannot read an EBR");
	im.md.fail_lba = 0;
	assert_int_equal(parse(&im, &t), -1);
	assert_string_equal(t.reason, "cannot read LBA 0");
	free(im.data);
}

static void test_4096_byte_blocks(void **state)
{
	struct img im;
	struct part_table t;

	img_new(&im, 4096, 1024);
	rec(&im, 0, 0, 0x80, 0xef, 256, 256);
	chain(&im, 512, 500, 2, 100, 50);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 3);
	assert_int_equal(t.part[0].start, 256);
	assert_int_equal(t.part[1].start, 513);
	assert_int_equal(t.part[2].start, 613);
	assert_int_equal(t.part[2].number, 6);
	assert_int_equal(t.mbr_signature, 0xdeadbeef);
	free(im.data);
}

/* A fuzz seed of fuzz_mbr as a disk (the buffer is the caller's to free). */
static uint8_t *load_seed(const char *name, struct memdisk *m)
{
	uint8_t *buf = memdisk_load_seed("fuzz_mbr", name, m);

	assert_non_null(buf);
	return buf;
}

static void test_fdisk_tables(void **state)
{
	static const uint64_t starts[] = {16, 4128, 6192, 8256};
	static const uint32_t numbers[] = {1, 5, 6, 7};
	struct memdisk m;
	struct part_table t;
	uint8_t *buf;

	/* busybox fdisk: ESP primary, extended with three logicals, 8 MiB. */
	buf = load_seed("fdisk_esp_extended", &m);
	assert_int_equal(mbr_parse(&m.dev, &t), 0);
	assert_null(part_check(&t, &m.dev, 0));
	assert_int_equal(t.count, 4);
	assert_int_equal(t.skipped, 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(t.part[i].number, numbers[i]);
		assert_int_equal(t.part[i].start, starts[i]);
	}
	assert_true(t.part[0].esp);
	assert_int_equal(t.part[0].blocks, 4096);
	assert_int_equal(t.part[3].start + t.part[3].blocks, 16384);
	free(buf);

	buf = load_seed("fdisk_chain_loops", &m);
	assert_int_equal(mbr_parse(&m.dev, &t), 0);
	assert_int_equal(t.count, 4);
	assert_string_equal(t.skip_reason, "EBR chain loops");
	free(buf);

	buf = load_seed("fdisk_4096", &m);
	assert_int_equal(m.dev.block_size, 4096);
	assert_int_equal(mbr_parse(&m.dev, &t), 0);
	assert_int_equal(t.count, 4);
	assert_int_equal(t.part[0].start, 16);
	assert_int_equal(t.part[1].start, 544);
	free(buf);

	buf = load_seed("sgdisk_protective", &m);
	assert_int_equal(mbr_parse(&m.dev, &t), -1);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_primaries),
	    cmocka_unit_test(test_bad_primaries_skipped),
	    cmocka_unit_test(test_protective_mbr_refused),
	    cmocka_unit_test(test_bad_signature),
	    cmocka_unit_test(test_extended_chain),
	    cmocka_unit_test(test_looping_chain_ends),
	    cmocka_unit_test(test_long_chain_bounded),
	    cmocka_unit_test(test_hostile_logicals),
	    cmocka_unit_test(test_4096_byte_blocks),
	    cmocka_unit_test(test_fdisk_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
