/* ACPI table parsing (platform/acpi_tables.c): pure functions over
 * buffers, so host tests and fuzz targets run them unchanged. The tables
 * come from the VMM and are treated as untrusted input. */
#ifndef WB_ACPI_TABLES_H
#define WB_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acpi_sdt_hdr {
	char sig[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length; /* revision >= 2 from here */
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

/* ACPI 6.5 s.5.2.3.2 Generic Address Structure */
struct acpi_gas {
	uint8_t space; /* 0 memory, 1 I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));

/* Fields of the FADT wireboot uses; 0 where absent. */
struct acpi_fadt_info {
	uint64_t dsdt;
	uint32_t pm1a_cnt, pm1b_cnt; /* I/O ports */
	uint32_t pm_tmr;
	uint32_t flags;
	struct acpi_gas sleep_ctl; /* hardware-reduced platforms */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
};

#define ACPI_FADT_HW_REDUCED (1u << 20)
#define ACPI_FADT_RESET_REG_SUP (1u << 10)

/* Sum of bytes mod 256. */
uint8_t acpi_checksum(const void *p, size_t len);

/* True if p[0..avail) holds a valid RSDP (signature, checksums, length). */
bool acpi_rsdp_valid(const void *p, size_t avail);

/* A revision 2 RSDP for a revision 0 one (QEMU's pc and q35 build those):
 * the old RSDP's first 20 bytes, then an XSDT holding the RSDT's entries
 * widened to 64 bits, at out[16-aligned offset]. out_addr is where out
 * will live. Returns the bytes used, or 0 if the RSDT is malformed or cap
 * is too small. Pure. */
size_t acpi_build_rsdp2(const struct acpi_rsdp *old, const void *rsdt, size_t rsdt_len,
			uint8_t *out, size_t cap, uint64_t out_addr);

/* True if p[0..avail) starts with a whole, checksummed table. */
bool acpi_sdt_valid(const void *p, size_t avail);

/* Parse a validated FADT of len bytes. */
void acpi_fadt_parse(const void *fadt, size_t len, struct acpi_fadt_info *out);

/* Find the SLP_TYPa value of \_S5 in an AML table (DSDT/SSDT); true if found. */
bool acpi_find_s5(const void *aml, size_t len, uint8_t *slp_typ);

/* One MCFG allocation (PCI segment 0 only matters to us). */
struct acpi_mcfg_alloc {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

/* First MCFG entry for segment 0; true if found. */
bool acpi_mcfg_parse(const void *mcfg, size_t len, struct acpi_mcfg_alloc *out);

/* ---- QEMU's fw_cfg "etc/table-loader" (the BIOS linker/loader) ---- */

#define ACPI_LOADER_FILES 32
#define ACPI_LOADER_NAME 56

struct acpi_loader_file {
	char name[ACPI_LOADER_NAME];
	uint8_t *data;
	uint32_t size;
};

struct acpi_loader_ops {
	/* Load fw_cfg file 'name' into memory aligned to 'align' (a power of
	 * two); zone 1 = anywhere, 2 = below 1 MiB (F-segment). Returns the
	 * buffer and sets *size, or NULL. */
	uint8_t *(*load)(void *ctx, const char *name, uint32_t align, uint8_t zone,
			 uint32_t *size);
	/* Write 'len' bytes of val at offset of fw_cfg file 'name'. 0 or -1. */
	int (*write)(void *ctx, const char *name, uint32_t offset, const void *val, uint32_t len);
	void *ctx;
};

struct acpi_loader {
	struct acpi_loader_file file[ACPI_LOADER_FILES];
	size_t nfiles;
	uint64_t rsdp; /* address of the "etc/acpi/rsdp" allocation, if any */
	char error[96]; /* first error, "" if none */
};

/* Run the loader script cmds[0..len). Returns 0, or -1 with l->error set;
 * a failed command stops the script (tables would be half linked). */
int acpi_loader_run(struct acpi_loader *l, const uint8_t *cmds, size_t len,
		    const struct acpi_loader_ops *ops);

#endif
