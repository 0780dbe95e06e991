/* SMBIOS structure walk (DSP0134 s.6.1.2). Pure. */
#include <string.h>
#include <smbios.h>

bool smbios_find_uuid(const uint8_t *t, size_t len, uint8_t uuid[16])
{
	size_t i = 0;

	while (i + 4 <= len) {
		uint8_t type = t[i], hlen = t[i + 1];
		if (hlen < 4 || hlen > len - i)
			return false;
		if (type == 1 && hlen >= 0x19) {
			const uint8_t *u = t + i + 8;
			bool zeros = true, ones = true;
			for (int k = 0; k < 16; k++) {
				zeros &= u[k] == 0x00;
				ones &= u[k] == 0xff;
			}
			if (zeros || ones)
				return false;
			/* time_low, time_mid, time_hi are little-endian in SMBIOS. */
			uuid[0] = u[3];
			uuid[1] = u[2];
			uuid[2] = u[1];
			uuid[3] = u[0];
			uuid[4] = u[5];
			uuid[5] = u[4];
			uuid[6] = u[7];
			uuid[7] = u[6];
			memcpy(uuid + 8, u + 8, 8);
			return true;
		}
		if (type == 127)
			return false; /* end of table */
		/* Skip the strings: they end with two NULs. */
		size_t j = i + hlen;
		while (j + 1 < len && (t[j] || t[j + 1]))
			j++;
		if (j + 1 >= len)
			return false;
		i = j + 2;
	}
	return false;
}
