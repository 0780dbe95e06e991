/* GPT parser (disk/gpt.c) over in-memory disks built here: the good case,
 * a bad primary (backup used), both bad, bad entry arrays, hostile entries
 * and sizes, 4096-byte blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <crc32.h>
#include <partition.h>
#include "part_check.h"
#include "part_memdisk.h"
#include "le_bytes.h"

#define DISK_BLOCKS 4096

static const uint8_t linux_guid[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
				       0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};

/* A disk image in memory with its geometry and GPT layout. */
struct img {
	uint8_t *data;
	uint32_t bs;
	uint64_t blocks;
	uint32_t entries, entry_size;
	uint64_t array_blocks;
	struct memdisk md;
};

/* gpt_parse, and whatever it returns, a table that part_check accepts. */
static int parse(struct img *im, struct part_table *t)
{
	int rc = gpt_parse(&im->md.dev, t);

	assert_null(part_check(t, &im->md.dev, rc));
	return rc;
}

struct ent {
	const uint8_t *type;
	uint8_t unique_last; /* last byte of the unique GUID, to tell them apart */
	uint64_t start, end, attr;
	const char *name;
};

static uint8_t *blk(struct img *im, uint64_t lba)
{
	return im->data + lba * im->bs;
}

/* Recompute the CRC of the header at lba over its HeaderSize bytes. */
static void fix_header_crc(struct img *im, uint64_t lba)
{
	uint8_t *h = blk(im, lba);
	uint32_t size;

	memcpy(&size, h + 12, 4);
	put32(h + 16, 0);
	put32(h + 16, crc32(0, h, size));
}

/* Recompute the array CRC of the header at lba, then the header's CRC. */
static void fix_array_crc(struct img *im, uint64_t lba)
{
	uint8_t *h = blk(im, lba);
	uint64_t at;

	memcpy(&at, h + 72, 8);
	put32(h + 88, crc32(0, blk(im, at), (size_t)im->entries * im->entry_size));
	fix_header_crc(im, lba);
}

static void write_header(struct img *im, uint64_t my, uint64_t alt, uint64_t array_lba)
{
	uint8_t *h = blk(im, my);

	memset(h, 0, im->bs);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, my);
	put64(h + 32, alt);
	put64(h + 40, 2 + im->array_blocks);
	put64(h + 48, im->blocks - 2 - im->array_blocks);
	for (int i = 0; i < 16; i++)
		h[56 + i] = 0xd0 + i;
	put64(h + 72, array_lba);
	put32(h + 80, im->entries);
	put32(h + 84, im->entry_size);
	fix_array_crc(im, my);
}

/* A GPT disk: protective MBR, primary at 1 with its array at 2, backup
 * array and header at the end, the entries given. */
static void img_build(struct img *im, uint32_t bs, uint64_t blocks, uint32_t entries,
		      uint32_t entry_size, const struct ent *e, size_t n)
{
	im->bs = bs;
	im->blocks = blocks;
	im->entries = entries;
	im->entry_size = entry_size;
	im->array_blocks = ((uint64_t)entries * entry_size + bs - 1) / bs;
	im->data = calloc(blocks, bs);
	assert_non_null(im->data);

	uint8_t *mbr = blk(im, 0);
	uint8_t *r = mbr + 446;
	r[1] = 0;
	r[2] = 2;
	r[4] = 0xee;
	put32(r + 8, 1);
	put32(r + 12, blocks - 1 > 0xffffffff ? 0xffffffff : (uint32_t)(blocks - 1));
	mbr[510] = 0x55;
	mbr[511] = 0xaa;

	for (size_t i = 0; i < n; i++) {
		uint8_t *p = blk(im, 2) + i * entry_size;
		memcpy(p, e[i].type, 16);
		for (int k = 0; k < 16; k++)
			p[16 + k] = 0x10 + k;
		p[31] = e[i].unique_last;
		put64(p + 32, e[i].start);
		put64(p + 40, e[i].end);
		put64(p + 48, e[i].attr);
		for (size_t k = 0; e[i].name && e[i].name[k] && k < 36; k++)
			p[56 + 2 * k] = e[i].name[k];
	}
	uint64_t backup_array = blocks - 1 - im->array_blocks;
	memcpy(blk(im, backup_array), blk(im, 2), im->array_blocks * bs);
	write_header(im, 1, blocks - 1, 2);
	write_header(im, blocks - 1, 1, backup_array);
	memdisk_init(&im->md, bs, blocks);
	memdisk_add(&im->md, 0, blocks, im->data);
}

static void img_free(struct img *im)
{
	free(im->data);
}

/* An ESP and a Linux partition on a disk of DISK_BLOCKS blocks of bs bytes. */
static void img_two(struct img *im, uint32_t bs)
{
	const struct ent e[] = {
	    {part_esp_guid, 1, 64, 1063, 1ull << 63 | 1, "EFI System"},
	    {linux_guid, 2, 1064, DISK_BLOCKS - 40, 0, "root"},
	};
	img_build(im, bs, DISK_BLOCKS, 128, 128, e, 2);
}

static void test_crc32_is_ieee(void **state)
{
	/* The CRC-32 check value (IEEE 802.3, as GPT uses, UEFI 2.10 s.5.3.2). */
	assert_int_equal(crc32(0, "123456789", 9), 0xcbf43926);
	/* Incremental equals one pass, as the entry array is read in chunks. */
	assert_int_equal(crc32(crc32(0, "1234", 4), "56789", 5), 0xcbf43926);
}

static void test_good_gpt(void **state)
{
	struct img im;
	struct part_table t;
	char name[40];

	img_two(&im, 512);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.scheme, PART_SCHEME_GPT);
	assert_int_equal(t.header_lba, 1);
	assert_false(t.backup_used);
	assert_null(t.primary_reason);
	assert_int_equal(t.skipped, 0);
	assert_int_equal(t.count, 2);
	assert_int_equal(t.disk_guid[0], 0xd0);
	assert_int_equal(t.disk_guid[15], 0xdf);

	assert_int_equal(t.part[0].number, 1);
	assert_int_equal(t.part[0].start, 64);
	assert_int_equal(t.part[0].blocks, 1000);
	assert_true(t.part[0].esp);
	assert_memory_equal(t.part[0].type_guid, part_esp_guid, 16);
	assert_int_equal(t.part[0].unique_guid[0], 0x10);
	assert_int_equal(t.part[0].unique_guid[15], 1);
	assert_int_equal(t.part[0].attributes, 1ull << 63 | 1);
	part_name_ascii(&t.part[0], name, sizeof(name));
	assert_string_equal(name, "EFI System");

	assert_int_equal(t.part[1].number, 2);
	assert_int_equal(t.part[1].start, 1064);
	assert_int_equal(t.part[1].blocks, DISK_BLOCKS - 40 - 1064 + 1);
	assert_false(t.part[1].esp);
	assert_memory_equal(t.part[1].type_guid, linux_guid, 16);
	part_name_ascii(&t.part[1], name, 3);
	assert_string_equal(name, "ro");
	/* The array is read in 4 KiB chunks: a handful of reads, not one per entry. */
	assert_true(im.md.reads <= 2 + 4 + 1);
	img_free(&im);
}

static void test_bad_primary_crc_uses_backup(void **state)
{
	struct img im;
	struct part_table t;

	img_two(&im, 512);
	blk(&im, 1)[40] ^= 1; /* FirstUsableLBA changed, CRC not updated */
	assert_int_equal(parse(&im, &t), 0);
	assert_true(t.backup_used);
	assert_int_equal(t.header_lba, DISK_BLOCKS - 1);
	assert_string_equal(t.primary_reason, "header CRC32 mismatch");
	assert_int_equal(t.count, 2);
	assert_int_equal(t.part[1].start, 1064);
	img_free(&im);
}

static void test_primary_array_crc_wrong_uses_backup(void **state)
{
	struct img im;
	struct part_table t;

	img_two(&im, 512);
	blk(&im, 2)[32] ^= 0x40; /* the first entry's start, primary copy only */
	assert_int_equal(parse(&im, &t), 0);
	assert_true(t.backup_used);
	assert_string_equal(t.primary_reason, "entry array CRC32 mismatch");
	assert_int_equal(t.count, 2);
	assert_int_equal(t.part[0].start, 64);
	img_free(&im);
}

static void test_both_bad_is_an_error(void **state)
{
	struct img im;
	struct part_table t;

	img_two(&im, 512);
	blk(&im, 1)[0] = 'X';
	blk(&im, DISK_BLOCKS - 1)[16] ^= 0xff;
	assert_int_equal(parse(&im, &t), -1);
	assert_int_equal(t.count, 0);
	assert_string_equal(t.reason, "primary and backup GPT both bad");
	assert_string_equal(t.primary_reason, "no \"EFI PART\" signature");
	assert_string_equal(t.backup_reason, "header CRC32 mismatch");
	img_free(&im);

	/* Both arrays corrupt (headers fine): no partition leaks out. */
	img_two(&im, 512);
	blk(&im, 2)[40] ^= 1;
	blk(&im, DISK_BLOCKS - 1 - im.array_blocks)[40] ^= 1;
	assert_int_equal(parse(&im, &t), -1);
	assert_int_equal(t.count, 0);
	assert_string_equal(t.backup_reason, "entry array CRC32 mismatch");
	img_free(&im);
}

static void test_no_protective_mbr(void **state)
{
	struct img im;
	struct part_table t;

	img_two(&im, 512);
	blk(&im, 0)[510] = 0;
	assert_int_equal(parse(&im, &t), -1);
	assert_string_equal(t.reason, "no MBR signature at LBA 0");
	blk(&im, 0)[510] = 0x55;
	blk(&im, 0)[446 + 4] = 0x83;
	assert_int_equal(parse(&im, &t), -1);
	assert_string_equal(t.reason, "no protective MBR (type 0xEE at LBA 1)");
	/* A hybrid MBR: 0xEE in another slot still counts. */
	memcpy(blk(&im, 0) + 446 + 16, blk(&im, 0) + 446, 16);
	blk(&im, 0)[446 + 16 + 4] = 0xee;
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 2);
	img_free(&im);
}

static void test_overlapping_entries_skipped(void **state)
{
	struct img im;
	struct part_table t;
	const struct ent e[] = {
	    {part_esp_guid, 1, 100, 199, 0, "a"},
	    {linux_guid, 2, 150, 300, 0, "b"}, /* overlaps 1 */
	    {linux_guid, 3, 200, 200, 0, "c"}, /* one block, touches 1: fine */
	    {linux_guid, 4, 50, 100, 0, "d"},  /* overlaps 1 at its first block */
	};

	img_build(&im, 512, DISK_BLOCKS, 128, 128, e, 4);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 2);
	assert_int_equal(t.part[0].number, 1);
	assert_int_equal(t.part[1].number, 3);
	assert_int_equal(t.part[1].blocks, 1);
	assert_int_equal(t.skipped, 2);
	assert_int_equal(t.skip_number, 2);
	assert_string_equal(t.skip_reason, "overlaps an earlier partition");
	img_free(&im);
}

static void test_entries_past_the_end_skipped(void **state)
{
	struct img im;
	struct part_table t;
	const struct ent e[] = {
	    {linux_guid, 1, 100, DISK_BLOCKS + 5, 0, "past the end"},
	    {linux_guid, 2, 500, 400, 0, "backwards"},
	    {linux_guid, 3, 1, 10, 0, "before first usable"},
	    {linux_guid, 4, 100, ~0ull, 0, "huge"},
	    {linux_guid, 5, DISK_BLOCKS - 34, DISK_BLOCKS - 33, 0, "on the backup array"},
	    {linux_guid, 6, 1000, 1999, 0, "good"},
	};

	img_build(&im, 512, DISK_BLOCKS, 128, 128, e, 6);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.part[0].number, 6);
	assert_int_equal(t.skipped, 5);
	assert_int_equal(t.skip_number, 1);
	assert_string_equal(t.skip_reason, "outside the usable blocks");
	img_free(&im);
}

static void test_hostile_header_fields(void **state)
{
	struct img im;
	struct part_table t;
	static const struct {
		size_t off;
		uint64_t val;
		int width;
		const char *why;
	} cases[] = {
	    {80, 0xffffffff, 4, "too many entries"},
	    {80, GPT_MAX_ENTRIES + 1, 4, "too many entries"},
	    {84, 0, 4, "entry size out of bounds"},
	    {84, 200, 4, "entry size out of bounds"},
	    {84, 1u << 20, 4, "entry size out of bounds"},
	    {84, 0x80000000, 4, "entry size out of bounds"},
	    {12, 0xffffffff, 4, "header size out of bounds"},
	    {12, 91, 4, "header size out of bounds"},
	    {8, 0x00020000, 4, "unknown revision"},
	    {24, 7, 8, "MyLBA is not where the header is"},
	    {48, DISK_BLOCKS, 8, "usable blocks out of bounds"},
	    {40, 1, 8, "usable blocks out of bounds"},
	    {40, 4070, 8, "usable blocks out of bounds"}, /* first > last */
	    {72, DISK_BLOCKS - 1, 8, "entry array past the end of the disk"},
	    {72, ~0ull - 1, 8, "entry array past the end of the disk"},
	    {72, 0, 8, "entry array overlaps the MBR, the header or the usable blocks"},
	    {72, 1, 8, "entry array overlaps the MBR, the header or the usable blocks"},
	    {72, 100, 8, "entry array overlaps the MBR, the header or the usable blocks"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		img_two(&im, 512);
		uint8_t *h = blk(&im, 1);
		if (cases[i].width == 4)
			put32(h + cases[i].off, (uint32_t)cases[i].val);
		else
			put64(h + cases[i].off, cases[i].val);
		/* The header size is checked before the CRC it bounds. */
		if (cases[i].off != 12)
			fix_header_crc(&im, 1);
		assert_int_equal(parse(&im, &t), 0);
		assert_true(t.backup_used);
		assert_string_equal(t.primary_reason, cases[i].why);
		assert_int_equal(t.count, 2);
		/* The same in the backup too: no GPT, and few reads. */
		h = blk(&im, DISK_BLOCKS - 1);
		if (cases[i].width == 4)
			put32(h + cases[i].off, (uint32_t)cases[i].val);
		else
			put64(h + cases[i].off, cases[i].val);
		if (cases[i].off != 12)
			fix_header_crc(&im, DISK_BLOCKS - 1);
		im.md.reads = 0;
		assert_int_equal(parse(&im, &t), -1);
		assert_int_equal(t.count, 0);
		assert_true(im.md.reads < 16);
		img_free(&im);
	}
}

static void test_backup_inside_usable_blocks(void **state)
{
	struct img im;
	struct part_table t;

	/* A backup whose usable range covers itself is not a backup. */
	img_two(&im, 512);
	blk(&im, 1)[0] = 'X';
	put64(blk(&im, DISK_BLOCKS - 1) + 48, DISK_BLOCKS - 1);
	fix_header_crc(&im, DISK_BLOCKS - 1);
	assert_int_equal(parse(&im, &t), -1);
	assert_string_equal(t.backup_reason, "header inside the usable blocks");
	img_free(&im);
}

static void test_4096_byte_blocks(void **state)
{
	struct img im;
	struct part_table t;

	img_two(&im, 4096);
	assert_int_equal(im.array_blocks, 4);
	assert_int_equal(parse(&im, &t), 0);
	assert_false(t.backup_used);
	assert_int_equal(t.count, 2);
	assert_int_equal(t.part[0].start, 64);
	assert_int_equal(t.part[1].blocks, DISK_BLOCKS - 40 - 1064 + 1);
	/* Backup on 4096-byte blocks too. */
	blk(&im, 1)[0] = 0;
	assert_int_equal(parse(&im, &t), 0);
	assert_true(t.backup_used);
	assert_int_equal(t.count, 2);
	img_free(&im);
}

static void test_large_entries_and_many_partitions(void **state)
{
	struct img im;
	struct part_table t;
	struct ent e[PART_MAX + 3];

	/* 1024-byte entries on 512-byte blocks: each spans two blocks. */
	for (size_t i = 0; i < PART_MAX + 3; i++)
		e[i] = (struct ent){linux_guid, (uint8_t)i, 1000 + 10 * i, 1009 + 10 * i, 0, "p"};
	img_build(&im, 512, DISK_BLOCKS * 4, 256, 1024, e, PART_MAX + 3);
	assert_int_equal(parse(&im, &t), 0);
	assert_false(t.backup_used);
	assert_int_equal(t.count, PART_MAX);
	assert_int_equal(t.part[PART_MAX - 1].number, PART_MAX);
	assert_int_equal(t.part[PART_MAX - 1].start, 1000 + 10 * (PART_MAX - 1));
	assert_int_equal(t.part[PART_MAX - 1].unique_guid[15], PART_MAX - 1);
	assert_int_equal(t.skipped, 3);
	assert_int_equal(t.skip_number, PART_MAX + 1);
	assert_string_equal(t.skip_reason, "more partitions than wireboot keeps");
	img_free(&im);
}

static void test_no_entries_and_empty_array(void **state)
{
	struct img im;
	struct part_table t;

	img_build(&im, 512, DISK_BLOCKS, 128, 128, NULL, 0);
	assert_int_equal(parse(&im, &t), 0);
	assert_int_equal(t.count, 0);
	assert_int_equal(t.skipped, 0);
	img_free(&im);
}

static void test_alternate_lba_when_disk_grew(void **state)
{
	struct img im;
	struct part_table t;
	uint8_t *grown;

	/* The image was copied to a bigger disk: its backup is not at the end. */
	img_two(&im, 512);
	grown = calloc(DISK_BLOCKS * 2, 512);
	assert_non_null(grown);
	memcpy(grown, im.data, DISK_BLOCKS * 512);
	free(im.data);
	im.data = grown;
	im.blocks = DISK_BLOCKS * 2;
	memdisk_init(&im.md, 512, DISK_BLOCKS * 2);
	memdisk_add(&im.md, 0, DISK_BLOCKS * 2, grown);
	assert_int_equal(parse(&im, &t), 0);
	assert_false(t.backup_used);
	/* Primary array bad: the backup where AlternateLBA says. */
	blk(&im, 2)[33] ^= 1;
	assert_int_equal(parse(&im, &t), 0);
	assert_true(t.backup_used);
	assert_int_equal(t.header_lba, DISK_BLOCKS - 1);
	assert_int_equal(t.count, 2);
	img_free(&im);
}

static void test_read_errors(void **state)
{
	struct img im;
	struct part_table t;

	img_two(&im, 512);
	im.md.fail_lba = 3; /* inside the primary array */
	assert_int_equal(parse(&im, &t), 0);
	assert_true(t.backup_used);
	assert_string_equal(t.primary_reason, "cannot read the entry array");
	im.md.fail_lba = 0;
	assert_int_equal(parse(&im, &t), -1);
	assert_string_equal(t.reason, "cannot read LBA 0");
	img_free(&im);

	/* A disk too small for any GPT, and odd block sizes. */
	img_two(&im, 512);
	im.md.dev.blocks = 2;
	assert_int_equal(parse(&im, &t), -1);
	im.md.dev.blocks = DISK_BLOCKS;
	im.md.dev.block_size = 1024 + 512;
	assert_int_equal(parse(&im, &t), -1);
	img_free(&im);
}

/* A fuzz seed of fuzz_gpt as a disk (the buffer is the caller's to free). */
static uint8_t *load_seed(const char *name, struct memdisk *m)
{
	uint8_t *buf = memdisk_load_seed("fuzz_gpt", name, m);

	assert_non_null(buf);
	return buf;
}

static void test_sgdisk_tables(void **state)
{
	struct memdisk m;
	struct part_table t;
	char name[40];
	uint8_t *buf;

	/* sgdisk -n1:2048:+1M -t1:ef00 -c1:"EFI System" -n2:0:0 -t2:8300 on 4 MiB. */
	buf = load_seed("sgdisk_esp_root", &m);
	assert_int_equal(m.dev.blocks, 8192);
	assert_int_equal(gpt_parse(&m.dev, &t), 0);
	assert_null(part_check(&t, &m.dev, 0));
	assert_false(t.backup_used);
	assert_int_equal(t.count, 2);
	assert_true(t.part[0].esp);
	assert_int_equal(t.part[0].start, 2048);
	assert_int_equal(t.part[0].blocks, 2048);
	part_name_ascii(&t.part[0], name, sizeof(name));
	assert_string_equal(name, "EFI System");
	assert_memory_equal(t.part[1].type_guid, linux_guid, 16);
	assert_int_equal(t.part[1].start, 4096);
	assert_int_equal(t.part[1].start + t.part[1].blocks, 8192 - 34 + 1);
	free(buf);

	buf = load_seed("sgdisk_primary_bad", &m);
	assert_int_equal(gpt_parse(&m.dev, &t), 0);
	assert_true(t.backup_used);
	assert_string_equal(t.primary_reason, "header CRC32 mismatch");
	assert_int_equal(t.count, 2);
	free(buf);

	buf = load_seed("sgdisk_twelve", &m);
	assert_int_equal(gpt_parse(&m.dev, &t), 0);
	assert_int_equal(t.count, 12);
	assert_int_equal(t.part[11].number, 12);
	assert_int_equal(t.part[11].blocks, 128);
	free(buf);

	buf = load_seed("gpt_4096", &m);
	assert_int_equal(m.dev.block_size, 4096);
	assert_int_equal(gpt_parse(&m.dev, &t), 0);
	assert_int_equal(t.count, 2);
	assert_true(t.part[0].esp);
	assert_int_equal(t.part[0].start, 256);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32_is_ieee),
	    cmocka_unit_test(test_good_gpt),
	    cmocka_unit_test(test_bad_primary_crc_uses_backup),
	    cmocka_unit_test(test_primary_array_crc_wrong_uses_backup),
	    cmocka_unit_test(test_both_bad_is_an_error),
	    cmocka_unit_test(test_no_protective_mbr),
	    cmocka_unit_test(test_overlapping_entries_skipped),
	    cmocka_unit_test(test_entries_past_the_end_skipped),
	    cmocka_unit_test(test_hostile_header_fields),
	    cmocka_unit_test(test_backup_inside_usable_blocks),
	    cmocka_unit_test(test_4096_byte_blocks),
	    cmocka_unit_test(test_large_entries_and_many_partitions),
	    cmocka_unit_test(test_no_entries_and_empty_array),
	    cmocka_unit_test(test_alternate_lba_when_disk_grew),
	    cmocka_unit_test(test_read_errors),
	    cmocka_unit_test(test_sgdisk_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
