/* LoadFile's buffer contract and status mapping, shared by the PXE and
 * HTTP boot LoadFile protocols (pxe/load_file.c, httpboot/http_load_file.c). */
#include <string.h>
#include <efi_load_file.h>

EFI_STATUS efi_load_file_copy(struct fetched *f, UINTN *BufferSize, VOID *Buffer)
{
	if (!Buffer || *BufferSize < f->size) {
		*BufferSize = f->size;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (f->size)
		memcpy(Buffer, f->data, f->size);
	*BufferSize = f->size;
	fetched_free(f);
	return EFI_SUCCESS;
}

EFI_STATUS efi_fetch_status(enum fetch_err e)
{
	switch (e) {
	case FETCH_NOT_FOUND:
		return EFI_NOT_FOUND;
	case FETCH_TIMEOUT:
		return EFI_TIMEOUT;
	case FETCH_REFUSED:
		return EFI_ACCESS_DENIED;
	case FETCH_TOO_LARGE:
		return EFI_OUT_OF_RESOURCES;
	default:
		return EFI_DEVICE_ERROR;
	}
}
