/* The boot services table (efi/boot_services.c). */
#ifndef WB_EFI_BOOT_SERVICES_H
#define WB_EFI_BOOT_SERVICES_H

#include <efi_types.h>

/* Fill every slot (each layer its own) and the header's CRC. */
EFI_BOOT_SERVICES *efi_boot_services_init(void);

/* ExitBootServices: every slot now refuses (EFI_UNSUPPORTED, logged once). */
void efi_boot_services_retire(void);

#endif
