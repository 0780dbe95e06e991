/* The device of the FAT fuzz targets: 40 MiB of 512-byte blocks (room for
 * FAT32's 65525 clusters), the input at its start. The first 1 MiB is
 * memory (a seed need not carry its trailing zeros); past it reads give
 * zeros and writes are dropped. Every access must fall inside the device;
 * one anywhere else aborts. */
#ifndef WB_FAT_FUZZ_DISK_H
#define WB_FAT_FUZZ_DISK_H

#include <stdlib.h>
#include <string.h>
#include <fat.h>

#define FUZZ_DISK_BYTES (1u << 20)
#define FUZZ_DEV_BLOCKS (40u << 11)

static uint8_t fuzz_disk[FUZZ_DISK_BYTES];
static size_t fuzz_disk_dirty; /* past this, fuzz_disk holds only zeros */

void *sysmem_zalloc(size_t size)
{
	return calloc(1, size);
}

void sysmem_free(void *p)
{
	free(p);
}

static int fuzz_disk_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
	if (lba > FUZZ_DEV_BLOCKS || count > FUZZ_DEV_BLOCKS - lba)
		abort();
	for (uint64_t i = 0; i < count; i++) {
		uint64_t b = lba + i;
		uint8_t *to = (uint8_t *)buf + i * 512;
		if (b < FUZZ_DISK_BYTES / 512)
			memcpy(to, fuzz_disk + b * 512, 512);
		else
			memset(to, 0, 512);
	}
	return 0;
}

static int fuzz_disk_write(void *ctx, uint64_t lba, uint64_t count, const void *buf)
{
	if (lba > FUZZ_DEV_BLOCKS || count > FUZZ_DEV_BLOCKS - lba)
		abort();
	for (uint64_t i = 0; i < count; i++)
		if (lba + i < FUZZ_DISK_BYTES / 512) {
			memcpy(fuzz_disk + (lba + i) * 512, (const uint8_t *)buf + i * 512, 512);
			if (fuzz_disk_dirty < (lba + i + 1) * 512)
				fuzz_disk_dirty = (lba + i + 1) * 512;
		}
	return 0;
}

static int fuzz_now(struct rtc_time *t)
{
	*t = (struct rtc_time){.year = 2030, .month = 2, .day = 3, .hour = 4, .minute = 5};
	return 0;
}

/* Load the input as the disk and describe it. Only what the last input
 * and its writes left is cleared, not the whole 1 MiB each time. */
static void fuzz_disk_load(const uint8_t *data, size_t size, struct blkdev *dev)
{
	memset(fuzz_disk, 0, fuzz_disk_dirty);
	fuzz_disk_dirty = size < sizeof(fuzz_disk) ? size : sizeof(fuzz_disk);
	memcpy(fuzz_disk, data, fuzz_disk_dirty);
	*dev = (struct blkdev){.block_size = 512,
			       .blocks = FUZZ_DEV_BLOCKS,
			       .read = fuzz_disk_read,
			       .write = fuzz_disk_write};
}

#endif
