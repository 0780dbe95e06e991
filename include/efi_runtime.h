/* UEFI runtime services (efi/runtime.c), UEFI 2.10 s.8: the
 * EFI_RUNTIME_SERVICES table and its EFIAPI entry points. Everything they
 * touch lives inside the firmware image (code, .data, .bss) or is port
 * I/O, so they keep working after ExitBootServices and after
 * SetVirtualAddressMap (the OS maps runtime regions at their new addresses
 * and, on x86_64, 1:1 as well, so our fixed-address code still runs).
 *
 * Status of each service:
 *   GetTime, SetTime            CMOS RTC (platform/rtc.c); the time zone and
 *                               daylight flags of the last SetTime are kept
 *                               in RAM (the chip has no room for them)
 *   GetWakeupTime, SetWakeupTime  EFI_UNSUPPORTED (no alarm wiring on VMs)
 *   SetVirtualAddressMap        converts this table (and the system table
 *                               registered with efi_runtime_set_system_table),
 *                               signals EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE;
 *                               once only, after ExitBootServices
 *   ConvertPointer              during SetVirtualAddressMap, by its map
 *   Get/SetVariable, GetNextVariableName, QueryVariableInfo
 *                               the RAM store (efi/variables.c, efi_vars.h)
 *   GetNextHighMonotonicCount   counter in RAM (starts at 0 on every boot)
 *   ResetSystem                 cold/warm: 0xcf9, keyboard controller, FADT
 *                               reset register, triple fault; shutdown:
 *                               ACPI S5 (platform/power.c)
 *   UpdateCapsule, QueryCapsuleCapabilities  EFI_UNSUPPORTED
 * An unsupported service is logged once, by name. */
#ifndef WB_EFI_RUNTIME_H
#define WB_EFI_RUNTIME_H

#include <efi_types.h>
#include <efi_vars.h>

/* Empty the variable store, look up what shutdown needs (so ResetSystem
 * reads no ACPI table at runtime), fill the table's CRC. Call once, before
 * the system table is built. */
void efi_runtime_init(void);

/* The table for EFI_SYSTEM_TABLE.RuntimeServices (revision 2.70). */
EFI_RUNTIME_SERVICES *efi_runtime_table(void);

/* The firmware's one variable store, for efi_vars_set_boot_globals() and
 * for our own code's reads and writes (efi_vars_get/efi_vars_set). */
struct efi_vars *efi_runtime_vars(void);

/* The system table whose FirmwareVendor, ConfigurationTable and
 * RuntimeServices pointers SetVirtualAddressMap converts (its CRC is then
 * recomputed). Optional: without it only the runtime table is converted. */
void efi_runtime_set_system_table(EFI_SYSTEM_TABLE *st);

/* The boot service GetNextMonotonicCount (UEFI 2.10 s.7.5.2): one 64-bit
 * count shared with GetNextHighMonotonicCount. */
EFI_STATUS EFIAPI efi_runtime_next_monotonic_count(UINT64 *count);

/* ConvertPointer's body for our own notify functions (s.8.4.2). */
EFI_STATUS efi_runtime_convert_pointer(UINTN disposition, void **address);

#endif
