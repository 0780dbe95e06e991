/* A sparse in-memory struct blkdev for the partition-table tests and fuzz
 * targets (test_gpt, test_mbr, fuzz_gpt, fuzz_mbr): a disk of `blocks`
 * blocks where up to MEMDISK_EXTENTS runs of blocks hold data and every
 * other block reads as zeros (or fails, with fail_holes). A read touching
 * fail_lba fails. Reads are counted, so a test can see they stay bounded. */
#ifndef WB_PART_MEMDISK_H
#define WB_PART_MEMDISK_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <blkdev.h>

#define MEMDISK_EXTENTS 32

struct memdisk_extent {
	uint64_t lba, count;
	const uint8_t *data;
};

struct memdisk {
	struct memdisk_extent ext[MEMDISK_EXTENTS];
	size_t n;
	uint64_t fail_lba;
	bool fail_holes;
	uint64_t reads;
	struct blkdev dev;
};

static int memdisk_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
	struct memdisk *m = ctx;
	uint32_t bs = m->dev.block_size;
	uint8_t *out = buf;

	m->reads++;
	for (uint64_t i = 0; i < count; i++, lba++, out += bs) {
		const struct memdisk_extent *e = NULL;
		if (lba == m->fail_lba)
			return -1;
		/* The last extent holding lba wins. */
		for (size_t k = 0; k < m->n; k++)
			if (lba >= m->ext[k].lba && lba - m->ext[k].lba < m->ext[k].count)
				e = &m->ext[k];
		if (e)
			memcpy(out, e->data + (lba - e->lba) * bs, bs);
		else if (m->fail_holes)
			return -1;
		else
			memset(out, 0, bs);
	}
	return 0;
}

/* An empty disk of blocks blocks of bs bytes. */
static inline void memdisk_init(struct memdisk *m, uint32_t bs, uint64_t blocks)
{
	memset(m, 0, sizeof(*m));
	m->fail_lba = ~0ull;
	m->dev.ctx = m;
	m->dev.block_size = bs;
	m->dev.blocks = blocks;
	m->dev.read_only = true;
	m->dev.read = memdisk_read;
}

/* count blocks of data at lba (the caller keeps data alive); false when
 * the extent table is full. */
static inline bool memdisk_add(struct memdisk *m, uint64_t lba, uint64_t count, const uint8_t *data)
{
	if (m->n == MEMDISK_EXTENTS)
		return false;
	m->ext[m->n++] = (struct memdisk_extent){lba, count, data};
	return true;
}

/* The fuzz targets' input (fuzz_gpt, fuzz_mbr): byte 0 flags (bit 0:
 * 4096-byte blocks, else 512; bit 1: blocks without data fail to read;
 * bit 2 is fuzz_gpt's own, ignored here),
 * bytes 1-4 the disk's size in blocks (little endian, 0 counts as 1),
 * then extents to the end: a 4-byte LBA (bit 31 set: that many blocks
 * before the end of the disk), a count byte, and count blocks of data (the
 * last extent gets the whole blocks that remain). False if too short. */
static inline bool memdisk_from_fuzz(struct memdisk *m, const uint8_t *p, size_t len)
{
	if (len < 5)
		return false;
	uint32_t bs = p[0] & 1 ? 4096 : 512;
	uint64_t blocks = p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint64_t)p[4] << 24;
	memdisk_init(m, bs, blocks ? blocks : 1);
	m->fail_holes = p[0] & 2;
	p += 5;
	len -= 5;
	while (len >= 5 && m->n < MEMDISK_EXTENTS) {
		uint32_t at =
		    p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		uint64_t count = p[4];
		p += 5;
		len -= 5;
		if (count > len / bs)
			count = len / bs;
		uint64_t lba = at;
		if (at & 0x80000000u) {
			uint64_t back = at & 0x7fffffffu;
			lba = back <= m->dev.blocks ? m->dev.blocks - back : 0;
		}
		memdisk_add(m, lba, count, p);
		p += count * bs;
		len -= count * bs;
	}
	return true;
}

/* The seed tests/fuzz/corpus/<target>/<name> (tests/fuzz/mkseeds_part.py)
 * as a disk, read from the repository's top; the buffer it returns is the
 * caller's to free. NULL if the file cannot be read or is no disk. */
static inline uint8_t *memdisk_load_seed(const char *target, const char *name, struct memdisk *m)
{
	char path[256];
	uint8_t *buf = malloc(1 << 20);
	FILE *f;

	snprintf(path, sizeof(path), "tests/fuzz/corpus/%s/%s", target, name);
	f = fopen(path, "rb");
	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	size_t n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	if (!memdisk_from_fuzz(m, buf, n)) {
		free(buf);
		return NULL;
	}
	return buf;
}

#endif
