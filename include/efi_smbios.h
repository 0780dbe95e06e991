/* SMBIOS tables for the OS (efi/smbios.c). */
#ifndef WB_EFI_SMBIOS_H
#define WB_EFI_SMBIOS_H

/* Install QEMU's SMBIOS tables as the SMBIOS or SMBIOS3 configuration
 * table; nothing when the VMM gives none. */
void efi_smbios_install(void);

#endif
