/* UEFI events (efi/event.c), UEFI 2.10 s.7.1: CreateEvent, SignalEvent,
 * CheckEvent, CloseEvent. These are the boot services the UEFI core's table
 * will point at; SNP's WaitForPacket is one. Timers (SetTimer) and
 * WaitForEvent arrive with that table. */
#ifndef WB_EFI_EVENT_H
#define WB_EFI_EVENT_H

#include <efi_types.h>

EFI_STATUS EFIAPI efi_create_event(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, VOID *ctx,
				   EFI_EVENT *event);
EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT event);
EFI_STATUS EFIAPI efi_check_event(EFI_EVENT event);
EFI_STATUS EFIAPI efi_close_event(EFI_EVENT event);

#endif
