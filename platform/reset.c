/* VM reset, in the order that needs the least: port I/O (0xcf9, then the
 * keyboard controller), the FADT's reset register (MMIO on hardware-reduced
 * machines such as microvm), and a triple fault when nothing else worked. */
#include <acpi.h>
#include <clock.h>
#include <io.h>
#include <reset.h>

#define RCR_PORT 0xcf9
#define RCR_SYS_RST 0x02 /* ICH/PIIX reset control: reset on the next CPU-reset edge */
#define RCR_RST_CPU 0x04
#define RCR_FULL_RST 0x08
#define KBC_STATUS 0x64
#define KBC_INPUT_FULL 0x02
#define KBC_PULSE_RESET 0xfe
#define RESET_WAIT_US 50000

static void try_rcr(bool cold)
{
	outb(RCR_PORT, RCR_SYS_RST | (cold ? RCR_FULL_RST : 0));
	outb(RCR_PORT, RCR_SYS_RST | RCR_RST_CPU | (cold ? RCR_FULL_RST : 0));
	clock_delay_us(RESET_WAIT_US);
}

static void try_kbc(void)
{
	for (int i = 0; i < 10000; i++) {
		uint8_t st = inb(KBC_STATUS);
		if (st == 0xff)
			return; /* no controller */
		if (!(st & KBC_INPUT_FULL))
			break;
		clock_delay_us(10);
	}
	outb(KBC_STATUS, KBC_PULSE_RESET);
	clock_delay_us(RESET_WAIT_US);
}

/* ACPI 6.5 s.4.8.3.6: the FADT's RESET_REG with RESET_VALUE. */
static void try_fadt(void)
{
	const struct acpi_fadt_info *f = acpi_fadt();

	if (!(f->flags & (ACPI_FADT_RESET_REG_SUP | ACPI_FADT_HW_REDUCED)) || !f->reset_reg.address)
		return;
	if (f->reset_reg.space == 1 && f->reset_reg.address < 0x10000)
		outb((uint16_t)f->reset_reg.address, f->reset_value);
	else if (f->reset_reg.space == 0)
		mmio_write8(f->reset_reg.address, f->reset_value);
	else
		return;
	clock_delay_us(RESET_WAIT_US);
}

void reset_system(bool cold)
{
	try_rcr(cold);
	try_kbc();
	try_fadt();
	/* An empty IDT: the breakpoint cannot be delivered, nor the #DF that
	 * follows; the CPU shuts down and the VMM resets it. */
	static const struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} no_idt = {0, 0};
	__asm__ volatile("cli; lidt %0; int3" ::"m"(no_idt));
	cpu_halt_forever();
}
