/* The local APIC's virtual wire mode for a hand-off (Intel SDM Vol. 3A,
 * 11.4 "Local APIC" and 11.5.1 "Local Vector Table"; MP spec v1.4 3.6.2.2). */
#include <io.h>
#include <lapic.h>

#define MSR_APIC_BASE	 0x1b
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ADDR	 0xfffff000ull

#define LAPIC_EOI	  0xb0
#define LAPIC_SVR	  0xf0
#define LAPIC_TIMER_INIT  0x380
#define LAPIC_TIMER_DIV	  0x3e0
#define LAPIC_LVT_TIMER	  0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF	  0x340
#define LAPIC_LVT_LINT0	  0x350
#define LAPIC_LVT_LINT1	  0x360
#define LAPIC_LVT_ERROR	  0x370

#define SVR_ENABLE    0x100
#define SVR_VECTOR    0xff
#define LVT_MASKED    0x10000
#define LVT_LEVEL     0x8000
#define LVT_DM_NMI    0x400
#define LVT_DM_EXTINT 0x700
#define LVT_PERIODIC  0x20000

/* The xAPIC MMIO base, 0 when there is no usable xAPIC. */
static uint64_t lapic_base(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9)))
		return 0;
	uint64_t msr = rdmsr(MSR_APIC_BASE);
	/* Disabled (a VMM may do that), or x2APIC already on: leave it. */
	if (!(msr & APIC_BASE_ENABLE) || (msr & APIC_BASE_X2APIC))
		return 0;
	return msr & APIC_BASE_ADDR;
}

bool lapic_virtual_wire(void)
{
	uint64_t base = lapic_base();

	if (!base)
		return false;
	mmio_write32(base + LAPIC_SVR, SVR_ENABLE | SVR_VECTOR);
	mmio_write32(base + LAPIC_LVT_TIMER, LVT_MASKED);
	mmio_write32(base + LAPIC_LVT_THERMAL, LVT_MASKED);
	mmio_write32(base + LAPIC_LVT_PERF, LVT_MASKED);
	mmio_write32(base + LAPIC_LVT_ERROR, LVT_MASKED);
	/* SeaBIOS's values: ExtINT is always level-sensitive (SDM 11.5.1),
	 * and the trigger bit is ignored for NMI. */
	mmio_write32(base + LAPIC_LVT_LINT0, LVT_LEVEL | LVT_DM_EXTINT);
	mmio_write32(base + LAPIC_LVT_LINT1, LVT_LEVEL | LVT_DM_NMI);
	return true;
}

struct lapic_state lapic_read_state(void)
{
	struct lapic_state s = {0};
	uint64_t base = lapic_base();

	if (!base)
		return s;
	s.present = true;
	s.svr = mmio_read32(base + LAPIC_SVR);
	s.lint0 = mmio_read32(base + LAPIC_LVT_LINT0);
	s.lint1 = mmio_read32(base + LAPIC_LVT_LINT1);
	s.timer = mmio_read32(base + LAPIC_LVT_TIMER);
	return s;
}

bool lapic_timer_start(uint8_t vector, uint32_t count)
{
	uint64_t base = lapic_base();

	if (!base)
		return false;
	/* Software-enable the APIC (a reset leaves it off) with the spurious
	 * vector 0xff, then a periodic timer at bus clock / 16 (SDM 11.5.4). */
	mmio_write32(base + LAPIC_SVR, SVR_ENABLE | SVR_VECTOR);
	mmio_write32(base + LAPIC_TIMER_DIV, 0x3);
	mmio_write32(base + LAPIC_LVT_TIMER, LVT_PERIODIC | vector);
	mmio_write32(base + LAPIC_TIMER_INIT, count);
	return true;
}

void lapic_timer_stop(void)
{
	uint64_t base = lapic_base();

	if (!base)
		return;
	mmio_write32(base + LAPIC_LVT_TIMER, LVT_MASKED);
	mmio_write32(base + LAPIC_TIMER_INIT, 0);
}

void lapic_eoi(void)
{
	uint64_t base = lapic_base();

	if (base)
		mmio_write32(base + LAPIC_EOI, 0);
}
