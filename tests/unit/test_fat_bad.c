/* FAT core on bad input: boot sectors that lie, FAT12's packed entries,
 * a chain with a cycle, a cluster number past the end, a directory that
 * contains itself, LFN sequences that lie. Each gives an error or the
 * short name, never a hang, a crash or a write outside the volume. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>
#include "fat_img.h"
#include "../../disk/fat_priv.h"

static struct fat_vol vol;

static void mount_ok(struct memdisk *m)
{
	img_load(m, 512);
	memset(&vol, 0, sizeof(vol));
	vol.now = fixed_now;
	assert_int_equal(fat_mount(&vol, &m->dev), FAT_OK);
}

/* Each boot sector field the mount relies on, broken in turn. */
static void test_bad_boot_sectors(void **state)
{
	struct memdisk m;
	struct {
		unsigned off, len;
		uint32_t val;
	} bad[] = {
	    {0, 1, 0x00},		 /* no jump */
	    {11, 2, 300},		 /* bytes per sector not a power of two */
	    {11, 2, 256},		 /* too small */
	    {11, 2, 8192},		 /* too large */
	    {13, 1, 3},			 /* sectors per cluster not a power of two */
	    {13, 1, 0},	     {14, 2, 0}, /* no reserved sector */
	    {16, 1, 0},			 /* no FAT */
	    {17, 2, 0},			 /* FAT12 without root entries */
	    {19, 2, 0xffff},		 /* bigger than the device */
	    {21, 1, 0x12},		 /* media byte */
	    {22, 2, 1},			 /* FAT too small for the clusters */
	    {22, 2, 0xffff},		 /* FATs past the end */
	};

	img_mkfs(&m, "-F 12", 1440);
	img_load(&m, 512);
	uint8_t orig[512];
	memcpy(orig, m.data, 512);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(m.data, orig, 512);
		m.data[bad[i].off] = (uint8_t)bad[i].val;
		if (bad[i].len == 2)
			m.data[bad[i].off + 1] = (uint8_t)(bad[i].val >> 8);
		memset(&vol, 0, sizeof(vol));
		int r = fat_mount(&vol, &m.dev);
		if (r != FAT_ECORRUPT)
			fail_msg("case %zu (offset %u) mounted: %d", i, bad[i].off, r);
	}
	/* A device smaller than the volume. */
	memcpy(m.data, orig, 512);
	m.dev.blocks = 100;
	assert_int_equal(fat_mount(&vol, &m.dev), FAT_ECORRUPT);
	m.dev.blocks = m.size / 512;
	assert_int_equal(fat_mount(&vol, &m.dev), FAT_OK);
	fat_unmount(&vol);
	img_free(&m);

	/* FAT32: a root cluster past the end, a FAT32 layout with FAT16's
	 * cluster count. */
	img_mkfs(&m, "-F 32 -s 1", 34 * 1024);
	img_load(&m, 512);
	memcpy(orig, m.data, 512);
	fat_put32(m.data + 44, 0x0fffff00);
	assert_int_equal(fat_mount(&vol, &m.dev), FAT_ECORRUPT);
	memcpy(m.data, orig, 512);
	m.data[13] = 8;
	assert_int_equal(fat_mount(&vol, &m.dev), FAT_ECORRUPT);
	img_free(&m);
}

/* FAT12 s.4: entry n sits at byte n + n/2; even entries take the low 12
 * bits of the 16 there, odd ones the high 12. Both copies change. */
static void test_fat12_odd_and_even_entries(void **state)
{
	struct memdisk m;
	uint32_t v;

	img_mkfs(&m, "-F 12", 1440);
	mount_ok(&m);
	assert_int_equal(fat_set(&vol, 10, 0xabc), FAT_OK);
	assert_int_equal(fat_set(&vol, 11, 0x123), FAT_OK);
	assert_int_equal(fat_set(&vol, 12, 0xfff), FAT_OK);
	assert_int_equal(fat_set(&vol, 13, 0x456), FAT_OK);
	for (unsigned copy = 0; copy < 2; copy++) {
		const uint8_t *f = m.data + vol.fat_off + copy * vol.fat_bytes;
		/* 10 and 11 share bytes 15, 16, 17: bc 3a 12. */
		assert_int_equal(f[15], 0xbc);
		assert_int_equal(f[16], 0x3a);
		assert_int_equal(f[17], 0x12);
		assert_int_equal(f[18], 0xff);
		assert_int_equal(f[19], 0x6f);
		assert_int_equal(f[20], 0x45);
	}
	assert_int_equal(fat_get(&vol, 10, &v), FAT_OK);
	assert_int_equal(v, 0xabc);
	assert_int_equal(fat_get(&vol, 11, &v), FAT_OK);
	assert_int_equal(v, 0x123);
	assert_int_equal(fat_get(&vol, 12, &v), FAT_OK);
	assert_int_equal(v, 0xfff);
	assert_int_equal(fat_get(&vol, 13, &v), FAT_OK);
	assert_int_equal(v, 0x456);
	/* Clearing one leaves its neighbour. */
	assert_int_equal(fat_set(&vol, 11, 0), FAT_OK);
	assert_int_equal(fat_get(&vol, 10, &v), FAT_OK);
	assert_int_equal(v, 0xabc);
	assert_int_equal(fat_get(&vol, 12, &v), FAT_OK);
	assert_int_equal(v, 0xfff);
	/* Entries past the FAT's clusters are refused. */
	assert_int_equal(fat_get(&vol, vol.clusters + 2, &v), FAT_ECORRUPT);
	assert_int_equal(fat_set(&vol, vol.clusters + 2, 5), FAT_ECORRUPT);
	assert_int_equal(fat_set(&vol, 1, 5), FAT_ECORRUPT);
	fat_unmount(&vol);
	img_free(&m);
}

/* The first cluster of ::name in the root. */
static uint32_t first_of(const char *name)
{
	struct fat_entry e;
	const uint16_t *n = u(name);
	size_t len = 0;

	while (n[len])
		len++;
	assert_int_equal(fat_dir_find(&vol, vol.root->first, n, len, &e), FAT_OK);
	return e.first;
}

static void test_chain_with_cycle_and_past_end(void **state)
{
	const char *kinds[] = {"-F 12", "-F 16 -s 2", "-F 32 -s 1"};
	unsigned kib[] = {1440, 8192, 34 * 1024};

	for (int k = 0; k < 3; k++) {
		struct memdisk m;
		struct fat_node *f;

		img_mkfs(&m, kinds[k], kib[k]);
		img_put(&m, "/cycle.bin", 8 * 1024, 1);
		img_put(&m, "/past.bin", 6 * 1024, 2);
		img_put(&m, "/short.bin", 6 * 1024, 3);
		img_mkdir(&m, "/dir");
		mount_ok(&m);
		uint32_t c = first_of("cycle.bin"), c2, c3;
		assert_int_equal(fat_next(&vol, c, &c2), FAT_OK);
		assert_int_equal(fat_next(&vol, c2, &c3), FAT_OK);
		/* The third cluster points back to the first. */
		assert_int_equal(fat_set(&vol, c3, c), FAT_OK);
		assert_int_equal(fat_open(&vol, NULL, u("cycle.bin"), 0, 0, &f), FAT_ECORRUPT);
		/* The second of past.bin points past the last cluster. */
		c = first_of("past.bin");
		assert_int_equal(fat_next(&vol, c, &c2), FAT_OK);
		assert_int_equal(fat_set(&vol, c2, vol.clusters + 2), FAT_OK);
		assert_int_equal(fat_next(&vol, c2, &c3), FAT_ECORRUPT);
		assert_int_equal(fat_open(&vol, NULL, u("past.bin"), 0, 0, &f), FAT_ECORRUPT);
		/* A chain shorter than the size. */
		c = first_of("short.bin");
		assert_int_equal(fat_set(&vol, c, 0x0fffffff), FAT_OK);
		assert_int_equal(fat_open(&vol, NULL, u("short.bin"), 0, 0, &f), FAT_ECORRUPT);
		/* A directory whose chain loops onto itself: the listing ends. */
		c = first_of("dir");
		assert_int_equal(fat_set(&vol, c, c), FAT_OK);
		struct fat_node *d;
		assert_int_equal(fat_open(&vol, NULL, u("dir"), 0, 0, &d), FAT_ECORRUPT);
		/* A first cluster past the end. */
		uint8_t de[32];
		struct fat_entry e;
		assert_int_equal(fat_dir_find(&vol, vol.root->first, u("cycle.bin"), 9, &e),
				 FAT_OK);
		assert_int_equal(fat_dirent_read(&vol, vol.root->first, e.slot, de), FAT_OK);
		fat_dirent_set_cluster(de, vol.type == FAT_TYPE_12 ? 0xff0 : 0xfff0);
		assert_int_equal(fat_dirent_write(&vol, vol.root->first, e.slot, de), FAT_OK);
		assert_int_equal(fat_open(&vol, NULL, u("cycle.bin"), 0, 0, &f), FAT_ECORRUPT);
		/* Freeing a chain that runs past the end frees its own clusters
		 * and stops there. */
		c = first_of("past.bin");
		assert_int_equal(fat_free_chain(&vol, c), FAT_OK);
		uint32_t val;
		assert_int_equal(fat_get(&vol, c, &val), FAT_OK);
		assert_int_equal(val, 0);
		assert_int_equal(fat_get(&vol, c2, &val), FAT_OK);
		assert_int_equal(val, 0);
		assert_null(vol.nodes);
		fat_unmount(&vol);
		img_free(&m);
	}
}

/* A directory holding an entry for itself, and one for the root. */
static void test_directory_containing_itself(void **state)
{
	const char *kinds[] = {"-F 16 -s 2", "-F 32 -s 1"};
	unsigned kib[] = {8192, 34 * 1024};

	for (int k = 0; k < 2; k++) {
		struct memdisk m;
		struct fat_node *d, *x;
		struct fat_entry e;
		uint8_t de[32];

		img_mkfs(&m, kinds[k], kib[k]);
		img_mkdir(&m, "/A");
		img_mkdir(&m, "/A/LOOP");
		img_mkdir(&m, "/A/UP");
		img_put(&m, "/A/file", 10, 0);
		mount_ok(&m);
		uint32_t a_first = first_of("A");
		assert_int_equal(fat_open(&vol, NULL, u("A"), 0, 0, &d), FAT_OK);
		assert_int_equal(fat_dir_find(&vol, a_first, u("LOOP"), 4, &e), FAT_OK);
		assert_int_equal(fat_dirent_read(&vol, a_first, e.slot, de), FAT_OK);
		fat_dirent_set_cluster(de, a_first);
		assert_int_equal(fat_dirent_write(&vol, a_first, e.slot, de), FAT_OK);
		assert_int_equal(fat_dir_find(&vol, a_first, u("UP"), 2, &e), FAT_OK);
		assert_int_equal(fat_dirent_read(&vol, a_first, e.slot, de), FAT_OK);
		fat_dirent_set_cluster(de, vol.root->first);
		assert_int_equal(fat_dirent_write(&vol, a_first, e.slot, de), FAT_OK);

		assert_int_equal(fat_open(&vol, d, u("LOOP"), 0, 0, &x), FAT_ECORRUPT);
		assert_int_equal(fat_open(&vol, NULL, u("\\A\\LOOP\\LOOP\\LOOP"), 0, 0, &x),
				 FAT_ECORRUPT);
		assert_int_equal(fat_open(&vol, d, u("UP"), 0, 0, &x), FAT_ECORRUPT);
		/* The listing hides both and ends. */
		uint32_t idx = 0;
		char names[256] = "";
		int r;
		while (!(r = fat_dir_next(d, &idx, &e))) {
			strcat(names, a(e.name));
			strcat(names, "|");
		}
		assert_int_equal(r, FAT_ENOENT);
		assert_string_equal(names, ".|..|file|");
		/* Deleting A refuses (not empty) and walks nothing forever. */
		assert_int_equal(fat_delete(d), FAT_ENOTEMPTY);
		fat_node_put(d);
		assert_null(vol.nodes);
		fat_unmount(&vol);
		img_free(&m);
	}
}

/* LFN entries of ::/Long File Name Here.txt (4 entries: 2 LFN + short). */
static void test_lying_lfn(void **state)
{
	struct {
		int what;
	} cases[] = {{0}, {1}, {2}, {3}, {4}, {5}};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct memdisk m;
		struct fat_entry e;
		struct fat_node *f;
		uint8_t de[3][32];

		img_mkfs(&m, "-F 12", 1440);
		img_put(&m, "/Long File Name Here.txt", 10, 0);
		mount_ok(&m);
		for (int i = 0; i < 3; i++)
			assert_int_equal(fat_dirent_read(&vol, 0, (uint32_t)i, de[i]), FAT_OK);
		assert_int_equal(de[0][0], 0x42);
		assert_int_equal(de[1][0], 0x01);
		switch (cases[k].what) {
		case 0: /* wrong checksum in every LFN entry */
			de[0][13] ^= 1;
			de[1][13] ^= 1;
			break;
		case 1: /* order numbers swapped */
			de[0][0] = 0x41;
			de[1][0] = 0x02;
			break;
		case 2: /* a separator inside the name */
			de[1][1] = '\\';
			break;
		case 3: /* a gap: the second entry says 3 */
			de[0][0] = 0x43;
			break;
		case 4: /* the short entry's name changed under it */
			de[2][0] = 'X';
			break;
		case 5: /* more slots than the name needs: the name ends early */
			de[0][1] = 0;
			de[0][2] = 0;
			break;
		}
		for (int i = 0; i < 3; i++)
			assert_int_equal(fat_dirent_write(&vol, 0, (uint32_t)i, de[i]), FAT_OK);
		uint32_t idx = 0;
		assert_int_equal(fat_dir_scan(&vol, 0, &idx, &e), FAT_OK);
		uint8_t sn[32] = {0};
		uint16_t shortname[13];
		memcpy(sn, de[2], 11);
		fat_short_to_name(sn, shortname);
		assert_string_equal(a(e.name), a(shortname));
		assert_int_equal(e.lfn_slots, 0);
		assert_int_equal(fat_open(&vol, NULL, u("Long File Name Here.txt"), 0, 0, &f),
				 FAT_ENOENT);
		assert_int_equal(fat_open(&vol, NULL, shortname, 0, 0, &f), FAT_OK);
		assert_int_equal(f->size, 10);
		/* Deleting it removes only its own entry. */
		assert_int_equal(fat_delete(f), FAT_OK);
		assert_int_equal(fat_dirent_read(&vol, 0, 2, de[2]), FAT_OK);
		assert_int_equal(de[2][0], FAT_DELETED);
		fat_node_put(f);
		fat_unmount(&vol);
		img_free(&m);
	}
}

/* A write sequence on an image whose device is only part of the volume's
 * claimed size never writes past the device: the mount refuses it. And a
 * device that fails: errors, no crash. */
static int failing_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
	return -1;
}

static void test_device_errors(void **state)
{
	struct memdisk m;

	img_mkfs(&m, "-F 16 -s 2", 8192);
	mount_ok(&m);
	struct fat_node *f;
	assert_int_equal(fat_open(&vol, NULL, u("f"), FAT_OPEN_CREATE, 0, &f), FAT_OK);
	vol.dev.read = failing_read;
	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
		vol.cache_valid[i] = false;
	size_t done;
	assert_int_equal(fat_write(f, 0, "abc", 3, &done), FAT_EIO);
	struct fat_node *g;
	assert_int_equal(fat_open(&vol, NULL, u("g"), 0, 0, &g), FAT_EIO);
	fat_node_put(f);
	fat_unmount(&vol);
	m.dev.read = failing_read;
	assert_int_equal(fat_mount(&vol, &m.dev), FAT_EIO);
	img_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_boot_sectors),
	    cmocka_unit_test(test_fat12_odd_and_even_entries),
	    cmocka_unit_test(test_chain_with_cycle_and_past_end),
	    cmocka_unit_test(test_directory_containing_itself),
	    cmocka_unit_test(test_lying_lfn),
	    cmocka_unit_test(test_device_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
