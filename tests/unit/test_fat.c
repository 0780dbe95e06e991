/* FAT core (disk/fat_*.c) on images made by mkfs.fat and filled by mtools:
 * reading by long name in any case, listing, creating, writing across
 * clusters, growing, truncating, renaming, deleting, mkdir, short-name
 * tails, free space, FAT12/16/32, 512- and 4096-byte sectors. After every
 * write, fsck.fat -n must find the volume clean and mtools must read back
 * what we wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>
#include "fat_img.h"
#include "../../disk/fat_priv.h"

/* The three FAT types: mkfs arguments and size. FAT32 needs 65525
 * clusters: 512-byte clusters on 34 MiB. */
static const struct {
	const char *args;
	unsigned kib;
	enum fat_type type;
} kinds[] = {
    {"-F 12", 1440, FAT_TYPE_12},
    {"-F 16 -s 4", 16384, FAT_TYPE_16},
    {"-F 32 -s 1", 34 * 1024, FAT_TYPE_32},
};

static struct fat_vol vol;

static void mount_ok(struct memdisk *m, uint32_t block_size)
{
	img_load(m, block_size);
	memset(&vol, 0, sizeof(vol));
	vol.now = fixed_now;
	assert_int_equal(fat_mount(&vol, &m->dev), FAT_OK);
}

/* Read the whole of path into a new buffer; its size in *len. */
static uint8_t *slurp(const char *path, size_t *len)
{
	struct fat_node *n;
	assert_int_equal(fat_open(&vol, NULL, u(path), 0, 0, &n), FAT_OK);
	uint8_t *buf = malloc(n->size + 1);
	size_t done;
	assert_int_equal(fat_read(n, 0, buf, n->size + 1, &done), FAT_OK);
	assert_int_equal(done, n->size);
	*len = done;
	fat_node_put(n);
	return buf;
}

static void assert_pattern(const uint8_t *b, size_t from, size_t len, unsigned seed)
{
	for (size_t i = from; i < from + len; i++)
		if (b[i] != (uint8_t)((i * 7 + seed) & 0xff))
			fail_msg("byte %zu is %u", i, b[i]);
}

static void test_mount_types(void **state)
{
	for (size_t k = 0; k < 3; k++) {
		struct memdisk m;
		img_mkfs(&m, kinds[k].args, kinds[k].kib);
		mount_ok(&m, 512);
		assert_int_equal(vol.type, kinds[k].type);
		assert_int_equal(vol.serial, 0x12345678);
		fat_unmount(&vol);
		img_free(&m);
	}
}

static void test_read_long_name_in_subdirectory_any_case(void **state)
{
	for (size_t k = 0; k < 3; k++) {
		struct memdisk m;
		img_mkfs(&m, kinds[k].args, kinds[k].kib);
		img_mkdir(&m, "/EFI");
		img_mkdir(&m, "/EFI/Boot Loader");
		img_put(&m, "/EFI/Boot Loader/Grub Config.Cfg", 70000, 3);
		img_put(&m, "/EFI/short.txt", 10, 5);
		mount_ok(&m, 512);

		size_t len;
		uint8_t *b = slurp("\\efi\\BOOT LOADER\\grub config.CFG", &len);
		assert_int_equal(len, 70000);
		assert_pattern(b, 0, len, 3);
		free(b);

		/* Relative to a directory, through "." and "..". */
		struct fat_node *dir, *f, *f2;
		assert_int_equal(fat_open(&vol, NULL, u("\\Efi\\Boot Loader\\"), 0, 0, &dir),
				 FAT_OK);
		assert_true(dir->is_dir);
		assert_int_equal(fat_open(&vol, dir, u(".\\..\\SHORT.TXT"), 0, 0, &f), FAT_OK);
		assert_int_equal(f->size, 10);
		/* Relative to a file: its directory. */
		assert_int_equal(fat_open(&vol, f, u("boot loader\\GRUB CONFIG.CFG"), 0, 0, &f2),
				 FAT_OK);
		assert_int_equal(f2->size, 70000);
		/* The same file twice is one node. */
		struct fat_node *f3;
		assert_int_equal(fat_open(&vol, dir, u("grub config.cfg"), 0, 0, &f3), FAT_OK);
		assert_ptr_equal(f2, f3);
		/* Its short alias works too. */
		fat_node_put(f3);
		assert_int_equal(fat_open(&vol, dir, u("GRUBCO~1.CFG"), 0, 0, &f3), FAT_OK);
		assert_ptr_equal(f2, f3);
		uint16_t name[FAT_NAME_MAX + 1];
		assert_int_equal(fat_node_name(f3, name), FAT_OK);
		assert_string_equal(a(name), "Grub Config.Cfg");

		struct fat_node *x;
		assert_int_equal(fat_open(&vol, NULL, u("\\efi\\nope"), 0, 0, &x), FAT_ENOENT);
		assert_int_equal(fat_open(&vol, NULL, u("\\efi\\short.txt\\x"), 0, 0, &x),
				 FAT_ENOTDIR);
		/* ".." at the root stays at the root. */
		assert_int_equal(fat_open(&vol, NULL, u("..\\..\\EFI"), 0, 0, &x), FAT_OK);
		fat_node_put(x);
		fat_node_put(f3);
		fat_node_put(f2);
		fat_node_put(f);
		fat_node_put(dir);
		assert_null(vol.nodes);
		fat_unmount(&vol);
		img_free(&m);
	}
}

/* Every name in a listing of path, in order, joined by '|'. */
static void list(const char *path, char *out, size_t cap)
{
	struct fat_node *d;
	struct fat_entry e;
	uint32_t idx = 0;

	assert_int_equal(fat_open(&vol, NULL, u(path), 0, 0, &d), FAT_OK);
	out[0] = 0;
	int r;
	while (!(r = fat_dir_next(d, &idx, &e))) {
		strncat(out, a(e.name), cap - strlen(out) - 2);
		strcat(out, "|");
	}
	assert_int_equal(r, FAT_ENOENT);
	fat_node_put(d);
}

static void test_list_directory(void **state)
{
	struct memdisk m;
	char names[4096];

	img_mkfs(&m, "-F 16 -s 4 -n MYLABEL", 16384);
	img_mkdir(&m, "/dir");
	img_put(&m, "/dir/README.TXT", 1, 0);
	img_put(&m, "/dir/a much longer name.data", 2, 0);
	img_mkdir(&m, "/dir/Sub Dir");
	mount_ok(&m, 512);
	list("\\dir", names, sizeof(names));
	assert_string_equal(names, ".|..|README.TXT|a much longer name.data|Sub Dir|");
	list("\\", names, sizeof(names));
	assert_string_equal(names, "dir|");
	uint16_t label[12];
	fat_label(&vol, label);
	assert_string_equal(a(label), "MYLABEL");
	fat_unmount(&vol);
	img_free(&m);
}

static void test_write_read_grow_truncate_rename_delete(void **state)
{
	for (size_t k = 0; k < 3; k++) {
		struct memdisk m;
		struct fat_node *d, *f;
		size_t done;

		img_mkfs(&m, kinds[k].args, kinds[k].kib);
		mount_ok(&m, 512);
		uint32_t cs = vol.cluster_size;
		uint64_t free0;
		assert_int_equal(fat_free_bytes(&vol, &free0), FAT_OK);

		assert_int_equal(fat_open(&vol, NULL, u("\\New Directory"),
					  FAT_OPEN_CREATE | FAT_OPEN_DIR, 0, &d),
				 FAT_OK);
		assert_true(d->is_dir);
		assert_int_equal(
		    fat_open(&vol, d, u("Some Long File Name.bin"), FAT_OPEN_CREATE, 0, &f),
		    FAT_OK);
		assert_int_equal(f->size, 0);
		assert_int_equal(img_fsck(&m), 0);

		/* 3 clusters and a bit, written in two uneven pieces. */
		size_t len = 3 * cs + 100;
		uint8_t *buf = malloc(len + 4 * cs);
		for (size_t i = 0; i < len + 4 * cs; i++)
			buf[i] = (uint8_t)((i * 7 + 9) & 0xff);
		assert_int_equal(fat_write(f, 0, buf, 1000, &done), FAT_OK);
		assert_int_equal(done, 1000);
		assert_int_equal(fat_write(f, 1000, buf + 1000, len - 1000, &done), FAT_OK);
		assert_int_equal(f->size, len);
		assert_int_equal(img_fsck(&m), 0);
		assert_int_equal(
		    img_check_file(&m, "/New Directory/Some Long File Name.bin", len, 9), 0);
		uint8_t *back = calloc(1, len + 4 * cs);
		assert_int_equal(fat_read(f, 0, back, len + 50, &done), FAT_OK);
		assert_int_equal(done, len);
		assert_memory_equal(back, buf, len);
		/* Unaligned read in the middle. */
		assert_int_equal(fat_read(f, cs - 3, back, cs + 7, &done), FAT_OK);
		assert_int_equal(done, cs + 7);
		assert_memory_equal(back, buf + cs - 3, cs + 7);

		/* Grow by writing past the end: the gap reads as zeros. */
		uint64_t at = len + 2 * cs;
		assert_int_equal(fat_write(f, at, buf + at, 10, &done), FAT_OK);
		assert_int_equal(f->size, at + 10);
		assert_int_equal(fat_read(f, len, back, 2 * cs + 10, &done), FAT_OK);
		for (size_t i = 0; i < 2 * cs; i++)
			assert_int_equal(back[i], 0);
		assert_memory_equal(back + 2 * cs, buf + at, 10);
		assert_int_equal(img_fsck(&m), 0);

		/* Truncate into the second cluster, then grow with SetInfo's size. */
		assert_int_equal(fat_truncate(f, cs + 5), FAT_OK);
		assert_int_equal(f->nclus, 2);
		assert_int_equal(img_fsck(&m), 0);
		assert_int_equal(
		    img_check_file(&m, "/New Directory/Some Long File Name.bin", cs + 5, 9), 0);
		assert_int_equal(fat_truncate(f, 4 * cs), FAT_OK);
		assert_int_equal(fat_read(f, 0, back, 4 * cs, &done), FAT_OK);
		assert_memory_equal(back, buf, cs + 5);
		for (size_t i = cs + 5; i < 4 * cs; i++)
			assert_int_equal(back[i], 0);
		assert_int_equal(img_fsck(&m), 0);
		assert_int_equal(fat_truncate(f, 0), FAT_OK);
		assert_int_equal(f->first, 0);
		assert_int_equal(img_fsck(&m), 0);
		assert_int_equal(fat_write(f, 0, buf, len, &done), FAT_OK);

		/* Rename in place, to a longer name, with a case change, and
		 * into the root. */
		assert_int_equal(fat_rename(f, u("renamed.TXT")), FAT_OK);
		assert_int_equal(img_check_file(&m, "/New Directory/renamed.TXT", len, 9), 0);
		assert_int_equal(fat_rename(f, u("A name long enough for two LFN entries.txt")),
				 FAT_OK);
		assert_int_equal(fat_rename(f, u("a NAME long enough for two lfn entries.txt")),
				 FAT_OK);
		assert_int_equal(img_fsck(&m), 0);
		assert_int_equal(
		    img_check_file(&m, "/New Directory/a NAME long enough for two lfn entries.txt",
				   len, 9),
		    0);
		uint16_t name[FAT_NAME_MAX + 1];
		assert_int_equal(fat_node_name(f, name), FAT_OK);
		assert_string_equal(a(name), "a NAME long enough for two lfn entries.txt");
		assert_int_equal(fat_rename(f, u("\\top.bin")), FAT_OK);
		assert_int_equal(img_check_file(&m, "/top.bin", len, 9), 0);
		assert_int_equal(img_fsck(&m), 0);

		/* A name taken, a bad name, a directory into itself. */
		struct fat_node *g;
		assert_int_equal(fat_open(&vol, NULL, u("\\other"), FAT_OPEN_CREATE, 0, &g),
				 FAT_OK);
		assert_int_equal(fat_rename(f, u("OTHER")), FAT_EEXIST);
		assert_int_equal(fat_rename(f, u("a:b")), FAT_EINVAL);
		assert_int_equal(fat_rename(d, u("\\New Directory\\inner")), FAT_EACCES);

		/* Move the directory under another: ".." follows. */
		struct fat_node *d2;
		assert_int_equal(
		    fat_open(&vol, NULL, u("\\Second"), FAT_OPEN_CREATE | FAT_OPEN_DIR, 0, &d2),
		    FAT_OK);
		assert_int_equal(fat_rename(d, u("\\Second\\Moved")), FAT_OK);
		assert_int_equal(img_fsck(&m), 0);

		/* Delete: a non-empty directory refuses. */
		assert_int_equal(fat_open(&vol, d, u("x.txt"), FAT_OPEN_CREATE, 0, &g), FAT_OK);
		assert_int_equal(fat_delete(d2), FAT_ENOTEMPTY);
		assert_int_equal(fat_delete(g), FAT_OK);
		fat_node_put(g);
		assert_int_equal(fat_delete(d), FAT_OK);
		assert_int_equal(fat_delete(d2), FAT_OK);
		assert_int_equal(fat_delete(f), FAT_OK);
		assert_int_equal(fat_read(f, 0, back, 1, &done), FAT_ENOENT);
		assert_int_equal(fat_open(&vol, NULL, u("\\other"), 0, 0, &g), FAT_OK);
		assert_int_equal(fat_delete(g), FAT_OK);
		fat_node_put(g);
		fat_node_put(g);
		fat_node_put(f);
		fat_node_put(d);
		fat_node_put(d2);
		assert_int_equal(fat_delete(vol.root), FAT_EACCES);
		assert_int_equal(img_fsck(&m), 0);
		uint64_t free1;
		assert_int_equal(fat_free_bytes(&vol, &free1), FAT_OK);
		assert_int_equal(free1, free0);
		assert_null(vol.nodes);
		free(buf);
		free(back);
		fat_unmount(&vol);
		img_free(&m);
	}
}

static void test_free_space_follows_writes(void **state)
{
	for (size_t k = 0; k < 3; k++) {
		struct memdisk m;
		struct fat_node *f;
		uint64_t before, after;
		size_t done;
		static uint8_t buf[20000];

		img_mkfs(&m, kinds[k].args, kinds[k].kib);
		img_put(&m, "/x", 5000, 1);
		mount_ok(&m, 512);
		assert_int_equal(fat_free_bytes(&vol, &before), FAT_OK);
		/* fsck's count agrees: mkfs's total less what x took. */
		uint32_t xcl = (5000 + vol.cluster_size - 1) / vol.cluster_size;
		uint32_t root = vol.type == FAT_TYPE_32 ? 1 : 0;
		assert_int_equal(before, (uint64_t)(vol.clusters - xcl - root) * vol.cluster_size);
		assert_int_equal(fat_open(&vol, NULL, u("f"), FAT_OPEN_CREATE, 0, &f), FAT_OK);
		assert_int_equal(fat_write(f, 0, buf, sizeof(buf), &done), FAT_OK);
		assert_int_equal(fat_free_bytes(&vol, &after), FAT_OK);
		uint32_t cl = (sizeof(buf) + vol.cluster_size - 1) / vol.cluster_size;
		assert_int_equal(before - after, (uint64_t)cl * vol.cluster_size);
		fat_node_put(f);
		assert_int_equal(fat_sync(&vol), FAT_OK);
		/* FAT32's FSInfo holds the count fsck.fat checks. */
		assert_int_equal(img_fsck(&m), 0);
		fat_unmount(&vol);
		img_free(&m);
	}
}

static void test_short_names_and_case(void **state)
{
	struct memdisk m;
	struct fat_node *f;
	uint8_t de[32];

	img_mkfs(&m, "-F 12", 1440);
	mount_ok(&m, 512);
	const char *names[] = {"Long Name One.txt", "Long Name Two.txt", "readme.txt",
			       "MixedCase.c",	    "UPPER.TXT",	 ".hidden",
			       "a+b;c.tar.gz"};
	const char *shorts[] = {"LONGNA~1TXT", "LONGNA~2TXT", "README  TXT", "MIXEDC~1C  ",
				"UPPER   TXT", "HIDDEN~1   ", "A_B_CT~1GZ "};
	const uint32_t lfn[] = {2, 2, 0, 1, 0, 1, 1};
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(fat_open(&vol, NULL, u(names[i]), FAT_OPEN_CREATE, 0, &f), FAT_OK);
		assert_int_equal(fat_dirent_read(&vol, 0, f->slot, de), FAT_OK);
		assert_memory_equal(de, shorts[i], 11);
		assert_int_equal(f->lfn_slots, lfn[i]);
		fat_node_put(f);
	}
	/* readme.txt: no LFN, the case flags keep it lower case. */
	char names_out[1024];
	list("\\", names_out, sizeof(names_out));
	assert_string_equal(names_out, "Long Name One.txt|Long Name Two.txt|readme.txt|MixedCase.c|"
				       "UPPER.TXT|.hidden|a+b;c.tar.gz|");
	/* Creating an existing name opens it; a bad name is refused. */
	assert_int_equal(fat_open(&vol, NULL, u("README.TXT"), FAT_OPEN_CREATE, 0, &f), FAT_OK);
	fat_node_put(f);
	assert_int_equal(fat_open(&vol, NULL, u("what?"), FAT_OPEN_CREATE, 0, &f), FAT_EINVAL);
	assert_int_equal(img_fsck(&m), 0);
	assert_int_equal(sh("mdir -i %s ::/ | grep -q 'LONGNA~2 TXT'", m.path), 0);
	fat_unmount(&vol);
	img_free(&m);
}

static void test_directory_grows_across_clusters(void **state)
{
	struct memdisk m;
	char name[64], names_out[16384];
	struct fat_node *d, *f;

	/* 512-byte clusters: 16 entries each, a long name takes 3 or 4. */
	img_mkfs(&m, "-F 12 -s 1", 1440);
	mount_ok(&m, 512);
	assert_int_equal(fat_open(&vol, NULL, u("\\many"), FAT_OPEN_CREATE | FAT_OPEN_DIR, 0, &d),
			 FAT_OK);
	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "file number %02d with a long name", i);
		assert_int_equal(fat_open(&vol, d, u(name), FAT_OPEN_CREATE, 0, &f), FAT_OK);
		fat_node_put(f);
	}
	assert_true(d->nclus == 1); /* the node's count is from when it opened */
	list("\\many", names_out, sizeof(names_out));
	assert_non_null(strstr(names_out, "|file number 59 with a long name|"));
	assert_int_equal(img_fsck(&m), 0);
	assert_int_equal(
	    sh("mdir -i %s ::/many | grep -q 'file number 42 with a long name'", m.path), 0);
	/* Delete some, then a new name reuses the holes. */
	assert_int_equal(fat_open(&vol, d, u("file number 03 with a long name"), 0, 0, &f), FAT_OK);
	uint32_t hole = f->slot;
	assert_int_equal(fat_delete(f), FAT_OK);
	fat_node_put(f);
	assert_int_equal(fat_open(&vol, d, u("short"), FAT_OPEN_CREATE, 0, &f), FAT_OK);
	assert_true(f->slot <= hole);
	fat_node_put(f);
	fat_node_put(d);
	assert_int_equal(img_fsck(&m), 0);
	fat_unmount(&vol);
	img_free(&m);
}

static void test_fixed_root_full(void **state)
{
	struct memdisk m;
	struct fat_node *f;
	char name[16];
	int i, r = FAT_OK;

	img_mkfs(&m, "-F 12 -r 16", 1440);
	mount_ok(&m, 512);
	for (i = 0; i < 20 && !r; i++) {
		snprintf(name, sizeof(name), "F%d", i);
		r = fat_open(&vol, NULL, u(name), FAT_OPEN_CREATE, 0, &f);
		if (!r)
			fat_node_put(f);
	}
	assert_int_equal(r, FAT_ENOSPC);
	assert_int_equal(i, 17);
	assert_int_equal(img_fsck(&m), 0);
	fat_unmount(&vol);
	img_free(&m);
}

static void test_volume_full(void **state)
{
	struct memdisk m;
	struct fat_node *f;
	size_t done;
	uint64_t before, after;

	img_mkfs(&m, "-F 12", 1440);
	mount_ok(&m, 512);
	assert_int_equal(fat_free_bytes(&vol, &before), FAT_OK);
	uint8_t *buf = calloc(1, before + 4096);
	assert_int_equal(fat_open(&vol, NULL, u("big"), FAT_OPEN_CREATE, 0, &f), FAT_OK);
	assert_int_equal(fat_write(f, 0, buf, before + 1, &done), FAT_ENOSPC);
	assert_int_equal(f->size, 0);
	assert_int_equal(fat_free_bytes(&vol, &after), FAT_OK);
	assert_int_equal(after, before);
	assert_int_equal(fat_write(f, 0, buf, before, &done), FAT_OK);
	assert_int_equal(fat_free_bytes(&vol, &after), FAT_OK);
	assert_int_equal(after, 0);
	fat_node_put(f);
	assert_int_equal(img_fsck(&m), 0);
	free(buf);
	fat_unmount(&vol);
	img_free(&m);
}

static void test_read_only_device(void **state)
{
	struct memdisk m;
	struct fat_node *f;
	size_t done;

	img_mkfs(&m, "-F 16 -s 2", 8192);
	img_put(&m, "/a", 100, 1);
	img_load(&m, 512);
	m.dev.read_only = true;
	memset(&vol, 0, sizeof(vol));
	assert_int_equal(fat_mount(&vol, &m.dev), FAT_OK);
	assert_int_equal(fat_open(&vol, NULL, u("b"), FAT_OPEN_CREATE, 0, &f), FAT_EROFS);
	assert_int_equal(fat_open(&vol, NULL, u("a"), 0, 0, &f), FAT_OK);
	assert_int_equal(fat_write(f, 0, "x", 1, &done), FAT_EROFS);
	assert_int_equal(fat_truncate(f, 0), FAT_EROFS);
	assert_int_equal(fat_delete(f), FAT_EROFS);
	assert_int_equal(fat_rename(f, u("c")), FAT_EROFS);
	fat_node_put(f);
	assert_int_equal(m.writes, 0);
	fat_unmount(&vol);
	img_free(&m);
}

static void test_times_and_attributes(void **state)
{
	struct memdisk m;
	struct fat_node *f;
	struct fat_times t;
	size_t done;

	img_mkfs(&m, "-F 16 -s 2", 8192);
	mount_ok(&m, 512);
	assert_int_equal(fat_open(&vol, NULL, u("t.txt"), FAT_OPEN_CREATE, FAT_ATTR_HIDDEN, &f),
			 FAT_OK);
	assert_int_equal(f->attr, FAT_ATTR_HIDDEN | FAT_ATTR_ARCHIVE);
	assert_int_equal(fat_write(f, 0, "abc", 3, &done), FAT_OK);
	assert_int_equal(fat_node_times(f, &t), FAT_OK);
	assert_int_equal(t.modify.year, 2024);
	assert_int_equal(t.modify.month, 5);
	assert_int_equal(t.modify.day, 17);
	assert_int_equal(t.modify.hour, 13);
	assert_int_equal(t.modify.minute, 45);
	assert_int_equal(t.modify.second, 30);
	assert_int_equal(t.create.year, 2024);
	t.modify.year = 2001;
	assert_int_equal(fat_set_attr(f, FAT_ATTR_READ_ONLY | FAT_ATTR_DIRECTORY, &t), FAT_OK);
	assert_int_equal(f->attr, FAT_ATTR_READ_ONLY); /* never the directory bit */
	assert_int_equal(fat_node_times(f, &t), FAT_OK);
	assert_int_equal(t.modify.year, 2001);
	fat_node_put(f);
	assert_int_equal(img_fsck(&m), 0);
	assert_int_equal(sh("mdir -i %s ::/ | grep -q '2001-05-17'", m.path), 0);
	fat_unmount(&vol);
	img_free(&m);
}

/* 4096-byte FAT sectors on a 4096-byte device, and 512-byte FAT sectors
 * on a device of 4096-byte blocks. */
static void test_sector_and_block_sizes(void **state)
{
	const char *args[] = {"-F 16 -S 4096 -s 1", "-F 32 -s 1 -S 512"};
	unsigned kib[] = {32768, 34 * 1024};

	for (int k = 0; k < 2; k++) {
		struct memdisk m;
		struct fat_node *f;
		size_t done, len;
		uint8_t buf[9000];

		img_mkfs(&m, args[k], kib[k]);
		img_put(&m, "/in.bin", 9000, 4);
		mount_ok(&m, 4096);
		uint8_t *b = slurp("in.bin", &len);
		assert_int_equal(len, 9000);
		assert_pattern(b, 0, len, 4);
		free(b);
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)((i * 7 + 6) & 0xff);
		assert_int_equal(fat_open(&vol, NULL, u("out.bin"), FAT_OPEN_CREATE, 0, &f),
				 FAT_OK);
		assert_int_equal(fat_write(f, 0, buf, sizeof(buf), &done), FAT_OK);
		fat_node_put(f);
		assert_int_equal(fat_sync(&vol), FAT_OK);
		assert_int_equal(img_fsck(&m), 0);
		assert_int_equal(img_check_file(&m, "/out.bin", 9000, 6), 0);
		fat_unmount(&vol);
		img_free(&m);
	}
}

/* Labels: set (lower case stored upper case), read back after a fresh
 * mount, seen by mtools, removed; ones FAT cannot hold refused. */
static void test_volume_label(void **state)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct memdisk m;
		uint16_t l[12];

		img_mkfs(&m, kinds[k].args, kinds[k].kib);
		mount_ok(&m, 512);
		assert_int_equal(fat_set_label(&vol, u("wb Test1")), FAT_OK);
		fat_label(&vol, l);
		assert_string_equal(a(l), "WB TEST1");
		assert_int_equal(img_fsck(&m), 0);
		assert_int_equal(sh("mlabel -s -i %s :: | grep -q 'Volume label is WB TEST1'", m.path),
				 0);
		fat_unmount(&vol);
		memset(&vol, 0, sizeof(vol));
		vol.now = fixed_now;
		assert_int_equal(fat_mount(&vol, &m.dev), FAT_OK);
		fat_label(&vol, l);
		assert_string_equal(a(l), "WB TEST1");
		/* A second label replaces the entry rather than adding one. */
		assert_int_equal(fat_set_label(&vol, u("SECOND")), FAT_OK);
		assert_int_equal(img_fsck(&m), 0);
		assert_int_equal(sh("mlabel -s -i %s :: | grep -q 'Volume label is SECOND'", m.path), 0);
		assert_int_equal(fat_set_label(&vol, u("twelve chars")), FAT_EINVAL);
		assert_int_equal(fat_set_label(&vol, u("a/b")), FAT_EINVAL);
		assert_int_equal(fat_set_label(&vol, u("")), FAT_OK);
		fat_label(&vol, l);
		assert_string_equal(a(l), "");
		assert_int_equal(img_fsck(&m), 0);
		fat_unmount(&vol);
		img_free(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mount_types),
	    cmocka_unit_test(test_read_long_name_in_subdirectory_any_case),
	    cmocka_unit_test(test_list_directory),
	    cmocka_unit_test(test_write_read_grow_truncate_rename_delete),
	    cmocka_unit_test(test_free_space_follows_writes),
	    cmocka_unit_test(test_short_names_and_case),
	    cmocka_unit_test(test_directory_grows_across_clusters),
	    cmocka_unit_test(test_fixed_root_full),
	    cmocka_unit_test(test_volume_full),
	    cmocka_unit_test(test_read_only_device),
	    cmocka_unit_test(test_times_and_attributes),
	    cmocka_unit_test(test_sector_and_block_sizes),
	    cmocka_unit_test(test_volume_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
