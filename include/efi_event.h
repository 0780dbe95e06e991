/* UEFI events, timers and TPLs (efi/core/event.c), UEFI 2.10 s.7.1.
 * The EFIAPI functions go into the boot services table as they are (they
 * check every argument); efi_event_create and efi_poll are for our own
 * code. SNP's WaitForPacket and the console's WaitForKey are events. */
#ifndef WB_EFI_EVENT_H
#define WB_EFI_EVENT_H

#include <efi_types.h>

EFI_STATUS efi_event_create(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, VOID *ctx,
			    const EFI_GUID *group, EFI_EVENT *event);

EFI_STATUS EFIAPI efi_create_event(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, VOID *ctx,
				   EFI_EVENT *event);
EFI_STATUS EFIAPI efi_create_event_ex(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn,
				      const VOID *ctx, const EFI_GUID *group, EFI_EVENT *event);
EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT event);
EFI_STATUS EFIAPI efi_check_event(EFI_EVENT event);
EFI_STATUS EFIAPI efi_close_event(EFI_EVENT event);
EFI_STATUS EFIAPI efi_wait_for_event(UINTN n, EFI_EVENT *events, UINTN *index);
EFI_STATUS EFIAPI efi_set_timer(EFI_EVENT event, EFI_TIMER_DELAY how, UINT64 trigger_100ns);
EFI_TPL EFIAPI efi_raise_tpl(EFI_TPL tpl);
VOID EFIAPI efi_restore_tpl(EFI_TPL tpl);

EFI_TPL efi_current_tpl(void);

/* Fire due timers, run the registered poll hooks (the NIC, the console)
 * and queued notifications. Everything that waits calls it. */
void efi_poll(void);
void efi_poll_register(void (*fn)(void));

/* Close every event whose notify function lies in [base, base + size):
 * an unloaded program's code is gone, its events must never fire. */
void efi_events_forget_code(uint64_t base, uint64_t size);

#endif
