/* The EFI system table (efi/systab.c) and configuration tables. */
#ifndef WB_EFI_SYSTAB_H
#define WB_EFI_SYSTAB_H

#include <efi_types.h>

/* UEFI 2.70: what we claim to implement (the services of 2.x we have). */
#define EFI_SYSTAB_REVISION_WB ((2 << 16) | 70)

/* Build the table around the two service tables; installs the ACPI RSDP
 * as a configuration table. */
EFI_SYSTEM_TABLE *efi_systab_init(EFI_BOOT_SERVICES *bs, EFI_RUNTIME_SERVICES *rt);
EFI_SYSTEM_TABLE *efi_systab(void);

void efi_systab_set_console(EFI_HANDLE in_h, SIMPLE_INPUT_INTERFACE *in, EFI_HANDLE out_h,
			    SIMPLE_TEXT_OUTPUT_INTERFACE *out);

/* InstallConfigurationTable (UEFI 2.10 s.7.5.6): add, replace, or remove
 * (table NULL). The array lives in runtime memory. */
EFI_STATUS efi_install_config_table(const EFI_GUID *guid, VOID *table);

/* ExitBootServices succeeded: boot-time fields go, efi_at_runtime() turns true. */
void efi_systab_enter_runtime(void);

#endif
