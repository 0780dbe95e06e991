/* Fuzz the SMBIOS structure walk that finds the system UUID
 * (platform/smbios_parse.c). The input is the structure table as QEMU's
 * fw_cfg "etc/smbios/smbios-tables" hands it over, nothing else. A read
 * past the input is an ASan report; a UUID that is all zeros or all ones
 * ("not set", DSP0134 s.7.2.1), or one not taken from a type 1 structure
 * in the input, aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <smbios.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t uuid[16];
	static const uint8_t zeros[16], ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	memset(uuid, 0xa5, sizeof(uuid));
	if (!smbios_find_uuid(data, size, uuid))
		return 0;
	if (!memcmp(uuid, zeros, 16) || !memcmp(uuid, ones, 16))
		abort();
	/* The last 8 bytes are copied as they are: they must be in the input
	 * right after a type 1 header's first 16 bytes. */
	bool found = false;
	for (size_t i = 0; i + 0x19 <= size && !found; i++)
		found = data[i] == 1 && data[i + 1] >= 0x19 && !memcmp(data + i + 16, uuid + 8, 8) &&
			data[i + 8] == uuid[3] && data[i + 11] == uuid[0];
	if (!found)
		abort();
	return 0;
}
