/* ACPI tables as the VMM provides them (platform/acpi.c): found through
 * PVH's RSDP pointer, the BIOS area, or built from fw_cfg's table-loader. */
#ifndef WB_ACPI_H
#define WB_ACPI_H

#include <stdint.h>
#include <acpi_tables.h>
#include <bootinfo.h>

void acpi_init(const struct bootinfo *bi);

/* RSDP address (0: none) and where it came from. */
uint64_t acpi_rsdp(void);
const char *acpi_source(void);

/* A validated table by signature (the first one), or NULL. */
const struct acpi_sdt_hdr *acpi_find(const char *sig);

/* The FADT's fields; zeros if there is no FADT. */
const struct acpi_fadt_info *acpi_fadt(void);

/* Number of tables found (for the banner). */
unsigned acpi_table_count(void);

#endif
