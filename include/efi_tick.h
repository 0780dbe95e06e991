/* The timer interrupt EFI programs run with (efi/core/tick.c). */
#ifndef WB_EFI_TICK_H
#define WB_EFI_TICK_H

/* While the outermost program runs: a 1 ms local APIC tick. */
void efi_tick_start(void);
void efi_tick_stop(void);

#endif
