/* Fuzz the GPT parser (disk/gpt.c). The input is a sparse disk
 * (tests/unit/part_memdisk.h, memdisk_from_fuzz: flags, size in blocks,
 * extents of blocks). With flag bit 2 set, the harness first makes the
 * CRC32s of the headers at LBA 1 and at the last LBA right (array, then
 * header), so mutations reach the checks behind them. Any read outside
 * the input is an ASan report; a table breaking part_check
 * (tests/unit/part_check.h), or more reads than three headers with their
 * largest arrays need, aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <crc32.h>
#include <partition.h>
#include "../unit/part_check.h"
#include "../unit/le_bytes.h"
#include "../unit/part_memdisk.h"

/* The writable block at lba if an extent holds it (the last one wins). */
static uint8_t *block_at(struct memdisk *m, uint64_t lba)
{
	uint8_t *b = NULL;

	for (size_t k = 0; k < m->n; k++)
		if (lba >= m->ext[k].lba && lba - m->ext[k].lba < m->ext[k].count)
			b = (uint8_t *)m->ext[k].data + (lba - m->ext[k].lba) * m->dev.block_size;
	return b;
}

/* Set the array and header CRC32s of the header at lba, when it is one. */
static void fix_crcs(struct memdisk *m, uint64_t lba)
{
	static uint8_t blk[4096];
	uint32_t bs = m->dev.block_size;
	uint8_t *h = block_at(m, lba);

	if (!h || memcmp(h, "EFI PART", 8))
		return;
	uint64_t at = get32(h + 72) | (uint64_t)get32(h + 76) << 32;
	uint64_t left = (uint64_t)get32(h + 80) * get32(h + 84), crc = 0;
	if (left <= GPT_MAX_ARRAY) {
		for (uint64_t b = at; left && b < m->dev.blocks; b++) {
			size_t n = left < bs ? left : bs;
			if (memdisk_read(m, b, 1, blk))
				break;
			crc = crc32(crc, blk, n);
			left -= n;
		}
		put32(h + 88, crc);
	}
	uint32_t size = get32(h + 12);
	if (size >= 92 && size <= bs) {
		put32(h + 16, 0);
		put32(h + 16, crc32(0, h, size));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memdisk m;
	static struct part_table t;
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	if (!memdisk_from_fuzz(&m, copy, size)) {
		free(copy);
		return 0;
	}
	if (copy[0] & 4) {
		fix_crcs(&m, 1);
		fix_crcs(&m, m.dev.blocks - 1);
	}
	m.reads = 0;
	int rc = gpt_parse(&m.dev, &t);
	if (part_check(&t, &m.dev, rc))
		abort();
	if (!rc && t.scheme != PART_SCHEME_GPT)
		abort();
	/* LBA 0, then per header: itself, again for AlternateLBA, its array
	 * in chunks of 4 KiB (at most GPT_MAX_ARRAY / 4096 of them). */
	if (m.reads > 1 + 4 + 3 * (GPT_MAX_ARRAY / 4096))
		abort();
	free(copy);
	return 0;
}
