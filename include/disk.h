/* Disks (disk/): every virtio-blk device as an EFI handle with
 * EFI_BLOCK_IO_PROTOCOL, EFI_DISK_IO_PROTOCOL and its device path
 * (architecture rule 7), and the adapters the layers above use.
 *
 * Block IO on a virtio-blk disk (disk/virtio_blk.c) takes the caller's
 * buffer as it is (IoAlign 0: virtio puts no alignment rule on data
 * buffers, and memory is identity mapped), answers one request at a time
 * and polls for its completion with a bounded wait. */
#ifndef WB_DISK_H
#define WB_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <blkdev.h>
#include <efi_types.h>

/* Bring up every virtio-blk device virtio_probe_all() found: one handle
 * each, one log line each. Returns how many disks have a handle. */
size_t disk_probe_all(void);
/* Partitions on every disk, then FAT on every partition (or on a disk
 * with no partition table): disk/connect.c. Returns how many volumes got
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL. */
size_t disk_connect_all(void);
/* How many disks disk_probe_all() published, and the handle of disk i
 * (NULL past the end), in probe order. */
size_t disk_count(void);
EFI_HANDLE disk_handle(size_t i);

/* EFI_DISK_IO_PROTOCOL (UEFI 2.10 s.13.7) over bio, installed on h:
 * byte-granular reads and writes, read-modify-write of the edge blocks.
 * Works over any Block IO (a disk, a partition). EFI_SUCCESS, or
 * EFI_OUT_OF_RESOURCES / the install's error. */
EFI_STATUS disk_io_install(EFI_HANDLE h, EFI_BLOCK_IO_PROTOCOL *bio);
/* Take it off h again and free it: EFI_SUCCESS (also when h has none), or
 * the refusal of a program that still has it open. */
EFI_STATUS disk_io_uninstall(EFI_HANDLE h);

/* The media part of those checks, which Disk IO makes too: EFI_NO_MEDIA,
 * EFI_MEDIA_CHANGED, EFI_WRITE_PROTECTED, else EFI_SUCCESS. */
EFI_STATUS block_io_media_check(const EFI_BLOCK_IO_MEDIA *m, UINT32 MediaId, bool write);

/* The checks a Block IO ReadBlocks or WriteBlocks makes against media m,
 * in EDK2's order (disk/blockio_check.c): EFI_NO_MEDIA, EFI_MEDIA_CHANGED,
 * EFI_WRITE_PROTECTED, EFI_INVALID_PARAMETER (no buffer, a range past
 * LastBlock, a buffer off IoAlign), EFI_BAD_BUFFER_SIZE; EFI_SUCCESS means
 * go ahead (BufferSize may be 0). */
EFI_STATUS block_io_check(const EFI_BLOCK_IO_MEDIA *m, UINT32 MediaId, EFI_LBA Lba,
			  UINTN BufferSize, const VOID *Buffer, bool write);

/* Fill *out so the pure parsers (GPT, MBR, FAT) read and write through
 * bio (disk/blkdev_efi.c). 0, or -1 when bio has no media or a block size
 * struct blkdev does not take (a power of two, 512..4096). */
int blkdev_from_efi(EFI_BLOCK_IO_PROTOCOL *bio, struct blkdev *out);

#endif
