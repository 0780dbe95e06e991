/* SMBIOS (platform/smbios.c): the system UUID for DHCP option 97. */
#ifndef WB_SMBIOS_H
#define WB_SMBIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Find the type 1 (System Information) UUID in a run of SMBIOS structures
 * and return it in RFC 4122 network byte order (SMBIOS 2.6+ stores the
 * first three fields little-endian, s.7.2.1). False if absent, all zeros
 * or all ones ("not set"). Pure; bounded by len. */
bool smbios_find_uuid(const uint8_t *tables, size_t len, uint8_t uuid[16]);

/* The strings of a minimal table; any may be NULL. */
struct smbios_ids {
	const char *bios_vendor, *bios_version, *sys_vendor, *product;
};

/* Types 0, 1 and 127 into out (platform/smbios_build.c): their bytes, or 0
 * when cap is too small. Pure. */
size_t smbios_build_minimal(uint8_t *out, size_t cap, const struct smbios_ids *ids);

/* A 64-bit (SMBIOS 3.0) entry point for size bytes of structures at table,
 * checksum filled (DSP0134 3.6 s.5.2.2). Pure. */
void smbios_entry3(uint8_t anchor[24], uint64_t table, uint32_t size);

/* The VM's UUID from QEMU's fw_cfg SMBIOS tables, or NULL. */
const uint8_t *smbios_system_uuid(void);

#endif
