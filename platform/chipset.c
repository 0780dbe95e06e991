/* Machine detection and the chipset set-up of the reset-vector path. */
#include <chipset.h>
#include <fw_cfg.h>
#include <log.h>
#include <pci.h>

#define Q35_MCH 0x29c08086u   /* 8086:29c0 */
#define I440FX 0x12378086u    /* 8086:1237 */
#define ICH9_LPC 0x29188086u  /* 8086:2918 at 00:1f.0 */
#define PIIX4_PM 0x71138086u  /* 8086:7113 at 00:01.3 */

#define Q35_PCIEXBAR 0x60
#define Q35_ECAM_BASE 0xb0000000u
#define ICH9_PMBASE 0x40
#define ICH9_ACPI_CNTL 0x44
#define ICH9_PM_IO 0x600
#define PIIX4_PMBASE 0x40
#define PIIX4_PMREGMISC 0x80
#define PIIX4_PM_IO 0xb000

enum machine chipset_detect(void)
{
	if (pci_present()) {
		uint32_t id = pci_read32(0, 0, 0, PCI_VENDOR);
		if (id == Q35_MCH)
			return MACHINE_Q35;
		if (id == I440FX)
			return MACHINE_PC;
		return MACHINE_UNKNOWN;
	}
	/* No PCI host bridge on the legacy ports but QEMU's fw_cfg: microvm. */
	return fw_cfg_present() ? MACHINE_MICROVM : MACHINE_UNKNOWN;
}

const char *chipset_name(enum machine m)
{
	switch (m) {
	case MACHINE_PC: return "pc (i440fx)";
	case MACHINE_Q35: return "q35";
	case MACHINE_MICROVM: return "microvm";
	default: return "unknown";
	}
}

void chipset_init(enum machine m)
{
	if (m == MACHINE_Q35) {
		/* 256 MiB ECAM window for buses 0-255, as SeaBIOS and OVMF place it. */
		pci_write32(0, 0, 0, Q35_PCIEXBAR + 4, 0);
		pci_write32(0, 0, 0, Q35_PCIEXBAR, Q35_ECAM_BASE | 1);
		if (pci_read32(0, 0x1f, 0, PCI_VENDOR) == ICH9_LPC) {
			pci_write32(0, 0x1f, 0, ICH9_PMBASE, ICH9_PM_IO | 1);
			pci_write8(0, 0x1f, 0, ICH9_ACPI_CNTL, 0x80);
		}
	} else if (m == MACHINE_PC) {
		if (pci_read32(0, 1, 3, PCI_VENDOR) == PIIX4_PM) {
			pci_write32(0, 1, 3, PIIX4_PMBASE, PIIX4_PM_IO | 1);
			pci_write8(0, 1, 3, PIIX4_PMREGMISC, 0x01);
		}
	}
}

uint64_t chipset_pci_mem_start(enum machine m, uint64_t low_ram_top)
{
	/* QEMU's DSDT: q35's hole starts above ECAM; i440fx's at the end of
	 * low RAM. Round up and stay above 3 GiB either way. */
	uint64_t start = (low_ram_top + 0xfffffff) & ~0xfffffffULL;
	if (m == MACHINE_Q35 && start < Q35_ECAM_BASE + 0x10000000ULL)
		start = Q35_ECAM_BASE + 0x10000000ULL;
	if (start < 0xc0000000ULL)
		start = 0xc0000000ULL;
	return start;
}
