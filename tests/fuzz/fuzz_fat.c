/* libFuzzer target for the FAT core (disk/fat_*.c), reading: mount the
 * input as a volume, walk every directory (depth and entries bounded by
 * the target, not by the core: the core must end every walk on its own
 * terms too; each directory walked into twice at most), open every entry
 * by the name the listing gave, read every file whole, and read the names,
 * times and label back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "fat_fuzz_disk.h"

static struct fat_vol vol;
static uint8_t chunk[4096];
static unsigned opened;

/* The directories walked so far, by first cluster, and how often. A
 * directory that loops back to an ancestor, or one that two entries
 * share, is listed and opened each time but walked into twice at most:
 * the second walk is the nested one (a '..' in a name has somewhere to
 * go), and further walks over the same clusters reach nothing new; the
 * old 16-deep walk of a loop was 80% of this target's time. */
static struct {
	uint32_t first;
	uint8_t walks;
} walked[256];
static unsigned nwalked;

static bool walked_enough(uint32_t first)
{
	for (unsigned i = 0; i < nwalked; i++)
		if (walked[i].first == first) {
			if (walked[i].walks >= 2)
				return true;
			walked[i].walks++;
			return false;
		}
	if (nwalked < sizeof(walked) / sizeof(walked[0]))
		walked[nwalked++] = (typeof(walked[0])){.first = first, .walks = 1};
	return false;
}

static void walk(struct fat_node *dir, unsigned depth)
{
	struct fat_entry e;
	uint32_t idx = 0, last = 0;
	int r;

	while (!(r = fat_dir_next(dir, &idx, &e))) {
		struct fat_node *n;

		if (idx <= last && last)
			abort(); /* the listing must move forward */
		last = idx;
		if (e.name[0] == '.' && (!e.name[1] || (e.name[1] == '.' && !e.name[2])))
			continue;
		if (++opened > 4000 || fat_open(&vol, dir, e.name, 0, 0, &n))
			continue;
		uint16_t name[FAT_NAME_MAX + 1];
		struct fat_times t;
		fat_node_name(n, name);
		fat_node_times(n, &t);
		if (n->is_dir) {
			if (depth < 16 && !walked_enough(n->first))
				walk(n, depth + 1);
		} else {
			uint64_t pos = 0;
			size_t done;
			while (!fat_read(n, pos, chunk, sizeof(chunk), &done) && done)
				pos += done;
			if (pos != n->size)
				; /* a read error part way is fine; the size must bound it */
			if (pos > n->size)
				abort();
		}
		fat_node_put(n);
	}
	if (r != FAT_ENOENT && r >= 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blkdev dev;
	uint64_t free_bytes;
	uint16_t label[12];

	fuzz_disk_load(data, size, &dev);
	memset(&vol, 0, sizeof(vol));
	vol.now = fuzz_now;
	if (fat_mount(&vol, &dev))
		return 0;
	opened = 0;
	nwalked = 0;
	fat_label(&vol, label);
	fat_free_bytes(&vol, &free_bytes);
	struct fat_node *root = fat_root(&vol);
	walked_enough(root->first);
	walk(root, 0);
	/* Paths with dots and separators, and a lookup that misses. */
	struct fat_node *n;
	static const uint16_t p1[] = {'\\', '.', '.', '\\', 'A', '\\', '.', 0};
	if (!fat_open(&vol, root, p1, 0, 0, &n))
		fat_node_put(n);
	fat_node_put(root);
	if (vol.nodes)
		abort(); /* every node released */
	fat_unmount(&vol);
	return 0;
}
