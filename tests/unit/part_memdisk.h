/* An in-memory struct blkdev for the partition-table tests and fuzz
 * targets (test_gpt, test_mbr, fuzz_gpt, fuzz_mbr). The disk has `blocks`
 * blocks; `head` blocks of data sit at LBA 0 and `tail` blocks at the end
 * (so a GPT's backup fits in a small buffer); every other block reads as
 * zeros, or fails when fail_holes is set. fail_lba (when not ~0) fails
 * any read that touches it. Reads count, so a test sees they stay bounded. */
#ifndef WB_PART_MEMDISK_H
#define WB_PART_MEMDISK_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <blkdev.h>

struct memdisk {
	const uint8_t *head, *tail;
	uint64_t head_blocks, tail_blocks;
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
		uint64_t tail_at = m->dev.blocks - m->tail_blocks;
		if (lba == m->fail_lba)
			return -1;
		if (lba < m->head_blocks)
			memcpy(out, m->head + lba * bs, bs);
		else if (lba >= tail_at)
			memcpy(out, m->tail + (lba - tail_at) * bs, bs);
		else if (m->fail_holes)
			return -1;
		else
			memset(out, 0, bs);
	}
	return 0;
}

/* A disk of blocks blocks of bs bytes over head (and tail, may be NULL). */
static inline void memdisk_init(struct memdisk *m, uint32_t bs, uint64_t blocks,
				const uint8_t *head, uint64_t head_blocks, const uint8_t *tail,
				uint64_t tail_blocks)
{
	memset(m, 0, sizeof(*m));
	m->head = head;
	m->head_blocks = head_blocks < blocks ? head_blocks : blocks;
	m->tail = tail;
	m->tail_blocks =
	    tail_blocks < blocks - m->head_blocks ? tail_blocks : blocks - m->head_blocks;
	m->fail_lba = ~0ull;
	m->dev.ctx = m;
	m->dev.block_size = bs;
	m->dev.blocks = blocks;
	m->dev.read_only = true;
	m->dev.read = memdisk_read;
}

#endif
