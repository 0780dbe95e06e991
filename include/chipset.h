/* Which machine we run on, and the chipset set-up a BIOS would have done
 * (platform/chipset.c). */
#ifndef WB_CHIPSET_H
#define WB_CHIPSET_H

#include <stdint.h>

enum machine { MACHINE_UNKNOWN, MACHINE_PC, MACHINE_Q35, MACHINE_MICROVM };

enum machine chipset_detect(void);
const char *chipset_name(enum machine m);

/* Reset-vector path only: enable ECAM (q35) and the ACPI PM I/O block, so
 * that the ACPI tables QEMU builds afterwards describe them. */
void chipset_init(enum machine m);

/* Start of the 32-bit PCI memory window QEMU's ACPI tables declare. */
uint64_t chipset_pci_mem_start(enum machine m, uint64_t low_ram_top);

#endif
