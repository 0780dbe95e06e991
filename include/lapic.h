/* The boot CPU's local APIC (platform/lapic.c). */
#ifndef WB_LAPIC_H
#define WB_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct lapic_state {
	bool present;	/* CPUID says so and IA32_APIC_BASE enables it */
	uint32_t svr;	/* spurious-interrupt vector register */
	uint32_t lint0; /* LVT LINT0 */
	uint32_t lint1; /* LVT LINT1 */
	uint32_t timer; /* LVT timer */
};

/* Put the local APIC in the MP specification's virtual wire mode (v1.4,
 * 3.6.2.2), as SeaBIOS leaves it: software-enabled, spurious vector 0xff,
 * LINT0 ExtINT (the 8259's INTR), LINT1 NMI, the LVT timer, error,
 * performance and thermal entries masked. Returns false when there is no
 * usable local APIC. */
bool lapic_virtual_wire(void);

/* A periodic local APIC timer interrupt on vector, every count ticks of
 * the bus clock / 16 (QEMU's APIC bus runs at 1 GHz: 62500 is 1 ms).
 * False without a usable local APIC. */
bool lapic_timer_start(uint8_t vector, uint32_t count);
/* Mask the timer and stop its count. */
void lapic_timer_stop(void);
/* End of interrupt for the vector being handled. */
void lapic_eoi(void);

/* Read the registers above. */
struct lapic_state lapic_read_state(void);

#endif
