/* The system UUID from QEMU's fw_cfg SMBIOS tables (both entry paths). */
#include <fw_cfg.h>
#include <log.h>
#include <smbios.h>
#include <sysmem.h>

const uint8_t *smbios_system_uuid(void)
{
	static uint8_t uuid[16];
	uint16_t sel;
	uint32_t size;

	if (fw_cfg_find("etc/smbios/smbios-tables", &sel, &size) || !size || size > (1u << 20))
		return NULL;
	uint8_t *buf = sysmem_zalloc(size);
	if (!buf)
		return NULL;
	fw_cfg_read(sel, buf, size);
	bool ok = smbios_find_uuid(buf, size, uuid);
	sysmem_free(buf);
	return ok ? uuid : NULL;
}
