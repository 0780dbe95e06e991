/* Power off: ACPI S5, with QEMU's debug-exit port as a fallback. */
#include <acpi.h>
#include <clock.h>
#include <io.h>
#include <log.h>
#include <power.h>

#define SLP_EN (1u << 13)
#define HWR_SLP_EN (1u << 5)
#define ISA_DEBUG_EXIT 0x501

/* SLP_TYPa of \_S5 from the DSDT; QEMU's values when it is not found. */
static uint8_t s5_lookup(const struct acpi_fadt_info *f)
{
	uint8_t typ;
	const struct acpi_sdt_hdr *dsdt = acpi_find("DSDT");

	if (dsdt && acpi_find_s5(dsdt, dsdt->length, &typ))
		return typ & 7;
	return (f->flags & ACPI_FADT_HW_REDUCED) ? 5 : 0;
}

/* Cached, so that after power_off_prepare() no ACPI table is read again:
 * an OS maps only runtime memory when it calls ResetSystem. */
static int s5_cached = -1;

void power_off_prepare(void)
{
	if (acpi_rsdp())
		s5_cached = s5_lookup(acpi_fadt());
}

static uint8_t s5_type(const struct acpi_fadt_info *f)
{
	if (s5_cached < 0)
		s5_cached = s5_lookup(f);
	return (uint8_t)s5_cached;
}

static void gas_write8(const struct acpi_gas *g, uint8_t v)
{
	if (g->space == 1 && g->address < 0x10000)
		outb((uint16_t)g->address, v);
	else if (g->space == 0 && g->address)
		mmio_write8(g->address, v);
}

void power_off(void)
{
	const struct acpi_fadt_info *f = acpi_fadt();

	if (acpi_rsdp()) {
		uint8_t typ = s5_type(f);
		if ((f->flags & ACPI_FADT_HW_REDUCED) && f->sleep_ctl.address) {
			gas_write8(&f->sleep_ctl, (uint8_t)((typ << 2) | HWR_SLP_EN));
		} else if (f->pm1a_cnt) {
			uint16_t v = inw((uint16_t)f->pm1a_cnt) & ~(7u << 10);
			outw((uint16_t)f->pm1a_cnt, (uint16_t)(v | typ << 10 | SLP_EN));
			if (f->pm1b_cnt)
				outw((uint16_t)f->pm1b_cnt, (uint16_t)(v | typ << 10 | SLP_EN));
		}
		clock_delay_us(100000);
		log_warn("power: ACPI S5 did not power off; trying isa-debug-exit");
	}
	outb(ISA_DEBUG_EXIT, 0);
	clock_delay_us(10000);
	log_error("power: no way to power off this VM; halted");
	cpu_halt_forever();
}
