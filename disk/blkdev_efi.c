/* struct blkdev over any EFI_BLOCK_IO_PROTOCOL: the pure parsers (GPT, MBR,
 * FAT) read and write a disk or a partition through it. A buffer that does
 * not meet the Block IO's IoAlign goes through an aligned bounce buffer a
 * piece at a time; the parsers' own buffers usually need none. */
#include <string.h>
#include <align.h>
#include <disk.h>
#include <sysmem.h>

#define BLKDEV_EFI_BOUNCE (64u << 10)

/* count blocks at lba to or from buf through bio; 0 or -1. */
static int blkdev_efi_rw(EFI_BLOCK_IO_PROTOCOL *bio, bool write, uint64_t lba, uint64_t count,
			 uint8_t *buf)
{
	const EFI_BLOCK_IO_MEDIA *m = bio->Media;
	uint32_t bs = m->BlockSize, align = m->IoAlign > 1 ? m->IoAlign : 1;
	EFI_STATUS s;

	if (count > UINT64_MAX / bs)
		return -1;
	if ((uintptr_t)buf % align == 0) {
		s = write ? bio->WriteBlocks(bio, m->MediaId, lba, count * bs, buf)
			  : bio->ReadBlocks(bio, m->MediaId, lba, count * bs, buf);
		return EFI_ERROR(s) ? -1 : 0;
	}
	/* Misaligned: an aligned bounce of whole blocks, freed before returning. */
	uint32_t per = bs > BLKDEV_EFI_BOUNCE ? 1 : BLKDEV_EFI_BOUNCE / bs;
	uint64_t pages =
	    align_up((uint64_t)per * bs + (align > PAGE_SIZE ? align : 0), PAGE_SIZE) / PAGE_SIZE;
	uint8_t *mem = sysmem_alloc_pages(pages, MEM_BS_DATA, 0);
	if (!mem)
		return -1;
	uint8_t *bounce = (uint8_t *)(uintptr_t)align_up((uintptr_t)mem, align);
	int rc = 0;
	for (uint64_t done = 0; done < count && !rc;) {
		uint64_t n = count - done < per ? count - done : per;
		if (write) {
			memcpy(bounce, buf + done * bs, n * bs);
			s = bio->WriteBlocks(bio, m->MediaId, lba + done, n * bs, bounce);
		} else {
			s = bio->ReadBlocks(bio, m->MediaId, lba + done, n * bs, bounce);
			if (!EFI_ERROR(s))
				memcpy(buf + done * bs, bounce, n * bs);
		}
		rc = EFI_ERROR(s) ? -1 : 0;
		done += n;
	}
	memmap_free(&sys_memmap, (uintptr_t)mem, pages);
	return rc;
}

static int blkdev_efi_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
	return blkdev_efi_rw(ctx, false, lba, count, buf);
}

static int blkdev_efi_write(void *ctx, uint64_t lba, uint64_t count, const void *buf)
{
	/* WriteBlocks takes a non-const buffer but only reads it. */
	return blkdev_efi_rw(ctx, true, lba, count, (uint8_t *)(uintptr_t)buf);
}

static int blkdev_efi_flush(void *ctx)
{
	EFI_BLOCK_IO_PROTOCOL *bio = ctx;
	return EFI_ERROR(bio->FlushBlocks(bio)) ? -1 : 0;
}

int blkdev_from_efi(EFI_BLOCK_IO_PROTOCOL *bio, struct blkdev *out)
{
	if (!bio || !bio->Media || !out)
		return -1;
	const EFI_BLOCK_IO_MEDIA *m = bio->Media;
	uint32_t bs = m->BlockSize;
	if (!m->MediaPresent || bs < 512 || bs > 4096 || (bs & (bs - 1)) ||
	    m->LastBlock == UINT64_MAX)
		return -1;
	memset(out, 0, sizeof(*out));
	out->ctx = bio;
	out->block_size = bs;
	out->blocks = m->LastBlock + 1;
	out->read_only = m->ReadOnly;
	out->read = blkdev_efi_read;
	out->write = m->ReadOnly ? NULL : blkdev_efi_write;
	out->flush = blkdev_efi_flush;
	return 0;
}
