/* TSC clock: frequency from the hypervisor timing leaf, CPUID 0x15, or a
 * short PIT measurement; time zero is the TSC the entry code recorded. */
#include <stdbool.h>
#include <clock.h>
#include <io.h>

extern uint64_t entry_tsc; /* arch/x86_64/entry.asm */

static uint64_t tsc_hz;
static const char *tsc_source = "none";

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CMD 0x43

/* Hypervisor leaf 0x40000010 (VMware convention, also KVM/QEMU): TSC kHz. */
static uint64_t tsc_from_hypervisor_leaf(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 31)))
		return 0;
	cpuid(0x40000000, 0, &a, &b, &c, &d);
	if (a < 0x40000010)
		return 0;
	cpuid(0x40000010, 0, &a, &b, &c, &d);
	return (uint64_t)a * 1000;
}

/* CPUID 0x15: TSC = crystal * EBX / EAX, when the crystal is given. */
static uint64_t tsc_from_cpuid15(void)
{
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 0x15)
		return 0;
	cpuid(0x15, 0, &a, &b, &c, &d);
	if (!a || !b || !c)
		return 0;
	return (uint64_t)c * b / a;
}

static uint16_t pit_read_ch0(void)
{
	outb(PIT_CMD, 0x00); /* latch channel 0 */
	uint8_t lo = inb(PIT_CH0);
	uint8_t hi = inb(PIT_CH0);
	return (uint16_t)(lo | hi << 8);
}

/* Count TSC ticks over ~2 ms of PIT channel 0 (mode 2, free running).
 * Channel 0 works on every PC-like VMM; port 0x61 (channel 2's gate) is
 * missing on microvm. Interrupts are off, so its IRQ is never taken. */
static uint64_t tsc_from_pit(void)
{
	const uint32_t ticks = PIT_HZ / 500;

	outb(PIT_CMD, 0x34); /* channel 0, lo/hi, mode 2 */
	outb(PIT_CH0, 0xff);
	outb(PIT_CH0, 0xff);
	uint16_t prev = pit_read_ch0();
	if (prev == 0xffff && pit_read_ch0() == 0xffff)
		return 0; /* no PIT counting */
	uint64_t t0 = rdtsc();
	uint32_t elapsed = 0;
	for (uint32_t spins = 0; elapsed < ticks; spins++) {
		uint16_t now = pit_read_ch0();
		elapsed += (uint16_t)(prev - now);
		prev = now;
		if (spins > 50000000u)
			return 0;
	}
	uint64_t t1 = rdtsc();
	return (t1 - t0) * PIT_HZ / elapsed;
}

void clock_init(void)
{
	if ((tsc_hz = tsc_from_hypervisor_leaf()))
		tsc_source = "hypervisor cpuid";
	else if ((tsc_hz = tsc_from_cpuid15()))
		tsc_source = "cpuid 0x15";
	else if ((tsc_hz = tsc_from_pit()))
		tsc_source = "pit";
	else {
		tsc_hz = 2000000000ull;
		tsc_source = "assumed 2 GHz (no pit, no cpuid leaf)";
	}
}

uint64_t clock_us_since_entry(void)
{
	if (!tsc_hz)
		return 0;
	uint64_t d = rdtsc() - entry_tsc;
	/* Split to avoid overflow of d * 1e6 for long uptimes. */
	return d / tsc_hz * 1000000 + d % tsc_hz * 1000000 / tsc_hz;
}

uint64_t clock_ms(void)
{
	return clock_us_since_entry() / 1000;
}

void clock_delay_us(uint64_t us)
{
	uint64_t end = clock_us_since_entry() + us;

	while (clock_us_since_entry() < end)
		cpu_pause();
}

uint64_t clock_tsc_hz(void)
{
	return tsc_hz;
}

const char *clock_source(void)
{
	return tsc_source;
}
