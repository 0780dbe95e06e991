/* EFI_RNG_PROTOCOL (efi/rng.c). */
#ifndef WB_EFI_RNG_H
#define WB_EFI_RNG_H

/* Install the protocol on a handle of its own. */
void efi_rng_install(void);

#endif
