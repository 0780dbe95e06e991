/* The Linux initrd as LoadFile2 on the initrd media device path (efi/initrd.c). */
#ifndef WB_EFI_INITRD_H
#define WB_EFI_INITRD_H

#include <stddef.h>
#include <efi_types.h>

/* Offer buf[0..len) to the next kernel that asks; the buffer must stay
 * until the kernel has read it (it copies during its EFI stub). */
EFI_STATUS efi_initrd_register(const void *buf, size_t len);
void efi_initrd_unregister(void);

#endif
