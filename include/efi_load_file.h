/* What EFI_LOAD_FILE_PROTOCOL implementations share (efi/load_file_buf.c):
 * the buffer contract of LoadFile (UEFI 2.10 s.13.1) over a fetched file,
 * and a fetch failure as LoadFile's status. */
#ifndef WB_EFI_LOAD_FILE_H
#define WB_EFI_LOAD_FILE_H

#include <efi_types.h>
#include <fetch.h>

/* A buffer too small (or none): EFI_BUFFER_TOO_SMALL with the size needed,
 * f kept for the next call. Else copy f into Buffer, free f, EFI_SUCCESS. */
EFI_STATUS efi_load_file_copy(struct fetched *f, UINTN *BufferSize, VOID *Buffer);

/* EFI_NOT_FOUND, EFI_TIMEOUT, EFI_ACCESS_DENIED, EFI_OUT_OF_RESOURCES or
 * EFI_DEVICE_ERROR for a fetch that failed with e. */
EFI_STATUS efi_fetch_status(enum fetch_err e);

#endif
