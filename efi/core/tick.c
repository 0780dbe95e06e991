/* A timer interrupt while EFI programs run. wireboot itself polls with
 * interrupts off (architecture rule 4), but a program may wait the way it
 * would on a PC firmware, where programs run with interrupts on: iPXE's
 * idle loop is a bare `hlt`, and its clock is a periodic EFI timer event.
 * So a program runs with interrupts enabled (arch/x86_64/efi_call.asm)
 * and the local APIC ticks every millisecond: the tick wakes the HLT and,
 * when it interrupted the program's own code, fires due EFI timers. A
 * tick that lands in our code (a service the program called) only ends:
 * our code never runs its own poll from an interrupt. */
#include <efi_event.h>
#include <efi_tick.h>
#include <idt.h>
#include <io.h>
#include <lapic.h>
#include <pic.h>

#define TICK_COUNT 62500 /* 1 ms at QEMU's 1 GHz APIC bus / 16 */

extern char __image_start[], __image_end[];

void irq_tick(uint64_t rip);

void irq_tick(uint64_t rip)
{
	if (rip < (uintptr_t)__image_start || rip >= (uintptr_t)__image_end)
		efi_poll();
	lapic_eoi();
}

void efi_tick_start(void)
{
	/* Every 8259 line masked first: an unmasked IRQ0 with a BIOS's vector
	 * base would arrive as vector 8, the double fault. */
	pic_init_masked();
	lapic_timer_start(IDT_TICK_VECTOR, TICK_COUNT);
}

void efi_tick_stop(void)
{
	lapic_timer_stop();
	/* A tick that came while interrupts were off is still pending in the
	 * APIC: take it here, with our vector table, not in the next owner's. */
	if (!(read_rflags() & RFLAGS_IF)) {
		__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	}
}
