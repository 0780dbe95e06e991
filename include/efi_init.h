/* Bringing up the UEFI core (efi/init.c). */
#ifndef WB_EFI_INIT_H
#define WB_EFI_INIT_H

#include <efi_types.h>

/* After the memory map and ACPI, before the drivers (they install their
 * protocols on handles). */
void efi_init(void);

/* The firmware's own image handle: the parent of every image we load. */
EFI_HANDLE efi_firmware_handle(void);

#endif
