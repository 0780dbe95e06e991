/* libFuzzer target for the FAT core (disk/fat_*.c), writing: mount the
 * input and run a fixed sequence of writes (mkdir, create, write across
 * clusters, grow, truncate, rename, delete, and writes into the files
 * already there). The device aborts on any write outside the image; the
 * core must also never write before the volume's first FAT (its boot
 * sector and reserved sectors stay as they were, FSInfo excepted). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "fat_fuzz_disk.h"

static struct fat_vol vol;
static uint8_t buf[5000];
static uint8_t before[FUZZ_DISK_BYTES];

static const uint16_t *w(const char *s)
{
	static uint16_t b[4][64];
	static int k;
	uint16_t *o = b[k++ % 4];
	size_t i = 0;

	for (; s[i] && i < 63; i++)
		o[i] = (uint8_t)s[i];
	o[i] = 0;
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blkdev dev;
	struct fat_node *d = NULL, *f = NULL, *g = NULL;
	size_t done;

	fuzz_disk_load(data, size, &dev);
	memset(&vol, 0, sizeof(vol));
	vol.now = fuzz_now;
	if (fat_mount(&vol, &dev))
		return 0;
	/* Only what the check below compares: the bytes before the first FAT. */
	size_t keep = vol.fat_off < sizeof(before) ? (size_t)vol.fat_off : sizeof(before);
	memcpy(before, fuzz_disk, keep);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;

	if (!fat_open(&vol, NULL, w("\\New Dir"), FAT_OPEN_CREATE | FAT_OPEN_DIR, 0, &d)) {
		if (!fat_open(&vol, d, w("A Long File Name.txt"), FAT_OPEN_CREATE, 0, &f)) {
			fat_write(f, 0, buf, sizeof(buf), &done);
			fat_write(f, 9000, buf, 100, &done);
			fat_truncate(f, 700);
			fat_rename(f, w("..\\moved.bin"));
			fat_truncate(f, 3000);
			fat_delete(f);
			fat_node_put(f);
		}
		fat_delete(d);
		fat_node_put(d);
	}
	/* Write into whatever the root holds. */
	struct fat_node *root = fat_root(&vol);
	struct fat_entry e;
	uint32_t idx = 0;
	for (int k = 0; k < 8 && !fat_dir_next(root, &idx, &e); k++) {
		if (fat_open(&vol, root, e.name, 0, 0, &g))
			continue;
		if (!g->is_dir) {
			fat_write(g, g->size / 2, buf, 1500, &done);
			fat_truncate(g, g->size / 3);
			fat_rename(g, w("renamed by fuzz"));
		} else if (!fat_open(&vol, g, w("inner"), FAT_OPEN_CREATE, 0, &f)) {
			fat_write(f, 0, buf, 600, &done);
			fat_node_put(f);
		}
		if (k & 1)
			fat_delete(g);
		fat_node_put(g);
	}
	fat_node_put(root);
	fat_sync(&vol);
	if (vol.nodes)
		abort();
	/* Nothing written before the first FAT but FSInfo's counts. */
	for (uint64_t i = 0; i < vol.fat_off && i < sizeof(before); i++)
		if (before[i] != fuzz_disk[i] &&
		    !(vol.fsinfo_off && i >= vol.fsinfo_off + 488 && i < vol.fsinfo_off + 496))
			abort();
	fat_unmount(&vol);
	return 0;
}
