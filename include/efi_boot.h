/* Starting an EFI program that was fetched (efi/, the UEFI core). Until the
 * core provides it, boot/payload.c's weak default says "not supported yet". */
#ifndef WB_EFI_BOOT_H
#define WB_EFI_BOOT_H

#include <fetch.h>
#include <payload.h>

/* Load the PE/COFF image in f (named name in messages) and start it with
 * a->cmdline as its LoadOptions and a->initrds (concatenated) offered
 * through LoadFile2, as a Linux EFI stub reads them. Returns only when it
 * could not be started or when it exited: -1 after one log line with the
 * reason. f and a stay the caller's. */
int efi_boot_payload(const char *name, const struct fetched *f, const struct payload_args *a);

#endif
