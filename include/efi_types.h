/* UEFI types and GUIDs from gnu-efi's headers, with EFIAPI = ms_abi. */
#ifndef WB_EFI_TYPES_H
#define WB_EFI_TYPES_H

#ifndef HAVE_USE_MS_ABI
#error "build with -DHAVE_USE_MS_ABI: EFI functions must use the Microsoft x64 ABI"
#endif

#include <efi.h>
#include <efinet.h>

#endif
