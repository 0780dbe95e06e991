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

/* The VM's UUID from QEMU's fw_cfg SMBIOS tables, or NULL. */
const uint8_t *smbios_system_uuid(void);

#endif
