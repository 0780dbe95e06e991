/* A block device as the disk parsers see it (disk/): GPT, MBR and FAT read
 * and write through these callbacks, so they run the same over
 * EFI_BLOCK_IO_PROTOCOL in the firmware (disk/blkdev_efi.c) and over a
 * memory image in the host unit tests and fuzz targets. Offsets and counts
 * are in blocks of block_size bytes; callbacks return 0 or -1. */
#ifndef WB_BLKDEV_H
#define WB_BLKDEV_H

#include <stdbool.h>
#include <stdint.h>

struct blkdev {
	void *ctx;
	uint32_t block_size; /* a power of two, 512..4096 */
	uint64_t blocks;     /* how many; the last LBA is blocks - 1 */
	bool read_only;
	int (*read)(void *ctx, uint64_t lba, uint64_t count, void *buf);
	int (*write)(void *ctx, uint64_t lba, uint64_t count, const void *buf);
	int (*flush)(void *ctx);
};

/* Read or write count blocks at lba after checking the range against the
 * device's size; -1 for a range past the end, a read-only device, or a
 * callback that failed. */
static inline int blkdev_read(const struct blkdev *b, uint64_t lba, uint64_t count, void *buf)
{
	if (lba > b->blocks || count > b->blocks - lba)
		return -1;
	return count ? b->read(b->ctx, lba, count, buf) : 0;
}

static inline int blkdev_write(const struct blkdev *b, uint64_t lba, uint64_t count,
			       const void *buf)
{
	if (b->read_only || !b->write || lba > b->blocks || count > b->blocks - lba)
		return -1;
	return count ? b->write(b->ctx, lba, count, buf) : 0;
}

#endif
