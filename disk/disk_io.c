/* EFI_DISK_IO_PROTOCOL (UEFI 2.10 s.13.7) over any EFI_BLOCK_IO_PROTOCOL:
 * a disk's or a partition's. Byte offsets and sizes become block reads and
 * writes: the partial blocks at either edge go through a bounce buffer
 * (read, patch, write back for WriteDisk), the whole blocks between go
 * straight to or from the caller's buffer when it meets the Block IO's
 * IoAlign, else through the bounce buffer a piece at a time. */
#include <string.h>
#include <align.h>
#include <disk.h>
#include <efi_handle.h>
#include <sysmem.h>

#define DISK_IO_BOUNCE (64u << 10) /* bytes; at least one block */

struct disk_io {
	EFI_DISK_IO_PROTOCOL dio; /* first: This points here */
	EFI_BLOCK_IO_PROTOCOL *bio;
	uint8_t *bounce; /* aligned for bio's IoAlign */
	uint8_t *bounce_mem;
	uint64_t bounce_pages;
	uint32_t bounce_bytes; /* a multiple of the block size */
};

static struct disk_io *disk_io_of(EFI_DISK_IO_PROTOCOL *This)
{
	return (struct disk_io *)This;
}

/* A bounce buffer of at least one block (DISK_IO_BOUNCE rounded down to
 * whole blocks), aligned for the Block IO. Grown when the media's block
 * size grew; false when memory is short. */
static bool disk_io_bounce(struct disk_io *d)
{
	const EFI_BLOCK_IO_MEDIA *m = d->bio->Media;
	uint32_t bs = m->BlockSize;
	uint32_t align = m->IoAlign > 1 ? m->IoAlign : 1;

	if (d->bounce && d->bounce_bytes >= bs && d->bounce_bytes % bs == 0 &&
	    (uintptr_t)d->bounce % align == 0)
		return true;
	if (d->bounce_mem)
		memmap_free(&sys_memmap, (uintptr_t)d->bounce_mem, d->bounce_pages);
	d->bounce = d->bounce_mem = NULL;
	uint32_t bytes = bs > DISK_IO_BOUNCE ? bs : DISK_IO_BOUNCE - DISK_IO_BOUNCE % bs;
	uint64_t extra = align > PAGE_SIZE ? align : 0;
	d->bounce_pages = align_up((uint64_t)bytes + extra, PAGE_SIZE) / PAGE_SIZE;
	d->bounce_mem = sysmem_alloc_pages(d->bounce_pages, MEM_BS_DATA, 0);
	if (!d->bounce_mem)
		return false;
	d->bounce = (uint8_t *)(uintptr_t)align_up((uintptr_t)d->bounce_mem, align);
	d->bounce_bytes = bytes;
	return true;
}

/* The checks ReadDisk and WriteDisk share: media, MediaId, write
 * protection, the byte range against the device's end. EFI_SUCCESS means
 * go ahead. */
static EFI_STATUS disk_io_check(EFI_DISK_IO_PROTOCOL *This, UINT32 MediaId, UINT64 Offset,
				UINTN BufferSize, VOID *Buffer, bool write)
{
	if (!This)
		return EFI_INVALID_PARAMETER;
	const EFI_BLOCK_IO_MEDIA *m = disk_io_of(This)->bio->Media;
	EFI_STATUS s = block_io_media_check(m, MediaId, write);
	if (EFI_ERROR(s) || !BufferSize)
		return s;
	if (!Buffer || !m->BlockSize)
		return EFI_INVALID_PARAMETER;
	if (BufferSize - 1 > UINT64_MAX - Offset)
		return EFI_INVALID_PARAMETER;
	if ((Offset + BufferSize - 1) / m->BlockSize > m->LastBlock)
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

/* Move bytes between the caller's buffer and the disk at Offset, block by
 * block where the edges are partial. */
static EFI_STATUS disk_io_rw(struct disk_io *d, UINT32 MediaId, UINT64 Offset, UINTN BufferSize,
			     uint8_t *p, bool write)
{
	EFI_BLOCK_IO_PROTOCOL *bio = d->bio;
	uint32_t bs = bio->Media->BlockSize;
	uint32_t align = bio->Media->IoAlign > 1 ? bio->Media->IoAlign : 1;
	uint64_t lba = Offset / bs;
	uint32_t off = (uint32_t)(Offset % bs);
	uint64_t left = BufferSize;
	EFI_STATUS s;

	if (!disk_io_bounce(d))
		return EFI_OUT_OF_RESOURCES;
	while (left) {
		if (off || left < bs) {
			/* A partial block: read it whole, then copy or patch. */
			uint32_t n = bs - off < left ? bs - off : (uint32_t)left;
			s = bio->ReadBlocks(bio, MediaId, lba, bs, d->bounce);
			if (EFI_ERROR(s))
				return s;
			if (write) {
				memcpy(d->bounce + off, p, n);
				s = bio->WriteBlocks(bio, MediaId, lba, bs, d->bounce);
				if (EFI_ERROR(s))
					return s;
			} else {
				memcpy(p, d->bounce + off, n);
			}
			lba++;
			off = 0;
			p += n;
			left -= n;
			continue;
		}
		uint64_t whole = left - left % bs;
		if ((uintptr_t)p % align == 0) {
			s = write ? bio->WriteBlocks(bio, MediaId, lba, whole, p)
				  : bio->ReadBlocks(bio, MediaId, lba, whole, p);
			if (EFI_ERROR(s))
				return s;
		} else {
			for (uint64_t done = 0; done < whole;) {
				uint32_t n = whole - done < d->bounce_bytes
						 ? (uint32_t)(whole - done)
						 : d->bounce_bytes;
				if (write) {
					memcpy(d->bounce, p + done, n);
					s = bio->WriteBlocks(bio, MediaId, lba + done / bs, n,
							     d->bounce);
				} else {
					s = bio->ReadBlocks(bio, MediaId, lba + done / bs, n,
							    d->bounce);
					if (!EFI_ERROR(s))
						memcpy(p + done, d->bounce, n);
				}
				if (EFI_ERROR(s))
					return s;
				done += n;
			}
		}
		lba += whole / bs;
		p += whole;
		left -= whole;
	}
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI disk_io_read(EFI_DISK_IO_PROTOCOL *This, UINT32 MediaId, UINT64 Offset,
				      UINTN BufferSize, VOID *Buffer)
{
	EFI_STATUS s = disk_io_check(This, MediaId, Offset, BufferSize, Buffer, false);
	if (EFI_ERROR(s) || !BufferSize)
		return s;
	return disk_io_rw(disk_io_of(This), MediaId, Offset, BufferSize, Buffer, false);
}

static EFI_STATUS EFIAPI disk_io_write(EFI_DISK_IO_PROTOCOL *This, UINT32 MediaId, UINT64 Offset,
				       UINTN BufferSize, VOID *Buffer)
{
	EFI_STATUS s = disk_io_check(This, MediaId, Offset, BufferSize, Buffer, true);
	if (EFI_ERROR(s) || !BufferSize)
		return s;
	return disk_io_rw(disk_io_of(This), MediaId, Offset, BufferSize, Buffer, true);
}

EFI_STATUS disk_io_uninstall(EFI_HANDLE h)
{
	static const EFI_GUID guid = EFI_DISK_IO_PROTOCOL_GUID;
	struct disk_io *d = efi_protocol_find(h, &guid);

	if (!d)
		return EFI_SUCCESS;
	EFI_STATUS s = efi_protocol_uninstall(h, &guid, &d->dio);
	if (EFI_ERROR(s))
		return s;
	if (d->bounce_mem)
		memmap_free(&sys_memmap, (uintptr_t)d->bounce_mem, d->bounce_pages);
	sysmem_free(d);
	return EFI_SUCCESS;
}

EFI_STATUS disk_io_install(EFI_HANDLE h, EFI_BLOCK_IO_PROTOCOL *bio)
{
	static const EFI_GUID guid = EFI_DISK_IO_PROTOCOL_GUID;

	if (!h || !bio || !bio->Media)
		return EFI_INVALID_PARAMETER;
	struct disk_io *d = sysmem_zalloc(sizeof(*d));
	if (!d)
		return EFI_OUT_OF_RESOURCES;
	d->dio.Revision = EFI_DISK_IO_PROTOCOL_REVISION;
	d->dio.ReadDisk = disk_io_read;
	d->dio.WriteDisk = disk_io_write;
	d->bio = bio;
	/* The bounce buffer now, so a program's first ReadDisk does not
	 * change the memory map; an empty drive gets it on first use. */
	if (bio->Media->MediaPresent && bio->Media->BlockSize && !disk_io_bounce(d)) {
		sysmem_free(d);
		return EFI_OUT_OF_RESOURCES;
	}
	EFI_STATUS s = efi_protocol_install(&h, &guid, &d->dio);
	if (EFI_ERROR(s)) {
		if (d->bounce_mem)
			memmap_free(&sys_memmap, (uintptr_t)d->bounce_mem, d->bounce_pages);
		sysmem_free(d);
	}
	return s;
}
