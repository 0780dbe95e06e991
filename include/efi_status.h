/* EFI_STATUS names for messages (efi/status.c). */
#ifndef WB_EFI_STATUS_H
#define WB_EFI_STATUS_H

#include <efi_types.h>

/* "EFI_NOT_FOUND" and the like; never NULL. */
const char *efi_status_str(EFI_STATUS st);

#endif
