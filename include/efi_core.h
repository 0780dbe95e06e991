/* State of the UEFI core shared by every EFI service (efi/, efi/core/).
 * The boot-services phase ends with ExitBootServices; from then on only
 * runtime services may run, and they must touch nothing but runtime
 * memory (the firmware image, which the memory map marks as runtime code,
 * and static data inside it). */
#ifndef WB_EFI_CORE_H
#define WB_EFI_CORE_H

#include <stdbool.h>
#include <efi_types.h>

/* True once ExitBootServices has succeeded. */
bool efi_at_runtime(void);

/* Run the notify functions of every event created with this special type
 * (EVT_SIGNAL_EXIT_BOOT_SERVICES or EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE) or
 * in this event group. */
void efi_event_signal_type(UINT32 type);
void efi_event_signal_group(const EFI_GUID *group);

/* Fill a table header's CRC32 (UEFI 2.10 s.4.2: computed with the CRC
 * field zero, over HeaderSize bytes). */
void efi_table_crc(EFI_TABLE_HEADER *hdr);

#endif
