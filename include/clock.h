/* Monotonic clock from the TSC (platform/clock.c). */
#ifndef WB_CLOCK_H
#define WB_CLOCK_H

#include <stdint.h>

/* Calibrate the TSC: hypervisor CPUID leaf, CPUID 0x15, else the PIT. */
void clock_init(void);

/* Microseconds / milliseconds since the entry point's first instruction.
 * 0 until clock_init() ran. */
uint64_t clock_us_since_entry(void);
uint64_t clock_ms(void);

/* Busy-wait. */
void clock_delay_us(uint64_t us);

uint64_t clock_tsc_hz(void);
const char *clock_source(void);

#endif
