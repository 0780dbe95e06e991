/* EFI images (efi/image.c): LoadImage, StartImage, Exit, UnloadImage and
 * the Loaded Image protocols; ExitBootServices (efi/exit_boot_services.c). */
#ifndef WB_EFI_IMAGE_H
#define WB_EFI_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <efi_types.h>

/* The firmware's own image handle: the parent of what the boot manager
 * loads. Call once, after the system table exists. */
EFI_HANDLE efi_image_init_firmware(void);

/* LoadImage from a buffer (src) or, when src is NULL, through LoadFile2 /
 * LoadFile on the device path. name is for messages. */
EFI_STATUS efi_image_load(EFI_HANDLE parent, EFI_DEVICE_PATH *dp, const void *src, UINTN len,
			  const char *name, EFI_HANDLE *out);
EFI_STATUS efi_image_start(EFI_HANDLE h, UINTN *exit_size, CHAR16 **exit_data);
EFI_STATUS efi_image_exit(EFI_HANDLE h, EFI_STATUS status, UINTN size, CHAR16 *data);
EFI_STATUS efi_image_unload(EFI_HANDLE h);

/* "grubx64.efi+0x1234" when addr lies in a loaded image (for the
 * exception dump). */
bool efi_image_describe(uint64_t addr, char *buf, size_t cap);
const char *efi_image_name(EFI_HANDLE h);
/* The Loaded Image protocol of an image we loaded, or NULL. */
EFI_LOADED_IMAGE_PROTOCOL *efi_image_loaded(EFI_HANDLE h);

/* From the exception handler: a running program faulted; its StartImage
 * returns EFI_ABORTED. Returns only when no program is running. */
void efi_image_recover(void);

EFI_STATUS EFIAPI efi_exit_boot_services(EFI_HANDLE image, UINTN map_key);

void efi_image_fill_boot_services(EFI_BOOT_SERVICES *bs);

#endif
