/* Starting an EFI program that was fetched (efi/, the UEFI core). Until the
 * core provides it, boot/payload.c's weak default says "not supported yet". */
#ifndef WB_EFI_BOOT_H
#define WB_EFI_BOOT_H

#include <fetch.h>

/* Load the PE/COFF image in f (named name in messages) and start it with
 * cmdline as its LoadOptions. Returns only when it could not be started or
 * when it exited: -1 after one log line with the reason. f stays the
 * caller's. */
int efi_boot_payload(const char *name, const struct fetched *f, const char *cmdline);

#endif
