/* Files through EFI_SIMPLE_FILE_SYSTEM_PROTOCOL and EFI_FILE_PROTOCOL
 * (efi/file_read.c): what LoadImage needs for a file path with no buffer
 * (UEFI 2.10 s.7.4.1), and what the disk boot reads its files with. */
#ifndef WB_EFI_FILE_H
#define WB_EFI_FILE_H

#include <stdint.h>
#include <efi_types.h>

/* Open for reading the file dp names: the handle with Simple File System
 * that the path's device part leads to, then each file path node in turn
 * (as EDK2 does). EFI_NOT_FOUND when the path has no such device or no
 * file part. */
EFI_STATUS efi_file_open_path(EFI_DEVICE_PATH *dp, EFI_FILE_HANDLE *out);

/* EFI_FILE_INFO of an open file in a pool block the caller frees
 * (sysmem_free); NULL with *st set. */
EFI_FILE_INFO *efi_file_info(EFI_FILE_HANDLE f, EFI_STATUS *st);

/* Read all of an open file (not a directory, at most max bytes) into
 * pages of memory type type: *buf, *size, *pages. EFI_BAD_BUFFER_SIZE when
 * it is larger than max, EFI_VOLUME_CORRUPTED when it is shorter than its
 * directory entry says. The file stays open. */
EFI_STATUS efi_file_read_all(EFI_FILE_HANDLE f, uint32_t type, uint64_t max, uint8_t **buf,
			     uint64_t *size, uint64_t *pages);

#endif
