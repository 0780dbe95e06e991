/* The argument checks every EFI_BLOCK_IO_PROTOCOL read and write makes
 * (UEFI 2.10 s.13.9.3, s.13.9.4), shared by the virtio-blk disks and the
 * partitions on them; Disk IO (s.13.7) shares the media part. */
#include <stdint.h>
#include <disk.h>

EFI_STATUS block_io_media_check(const EFI_BLOCK_IO_MEDIA *m, UINT32 MediaId, bool write)
{
	if (!m->MediaPresent)
		return EFI_NO_MEDIA;
	if (MediaId != m->MediaId)
		return EFI_MEDIA_CHANGED;
	if (write && m->ReadOnly)
		return EFI_WRITE_PROTECTED;
	return EFI_SUCCESS;
}

EFI_STATUS block_io_check(const EFI_BLOCK_IO_MEDIA *m, UINT32 MediaId, EFI_LBA Lba,
			  UINTN BufferSize, const VOID *Buffer, bool write)
{
	EFI_STATUS s = block_io_media_check(m, MediaId, write);

	if (EFI_ERROR(s))
		return s;
	if (!Buffer)
		return EFI_INVALID_PARAMETER;
	if (BufferSize % m->BlockSize)
		return EFI_BAD_BUFFER_SIZE;
	if (!BufferSize)
		return EFI_SUCCESS;
	if (Lba > m->LastBlock || BufferSize / m->BlockSize - 1 > m->LastBlock - Lba)
		return EFI_INVALID_PARAMETER;
	if (m->IoAlign > 1 && (uintptr_t)Buffer % m->IoAlign)
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}
