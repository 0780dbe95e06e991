/* The file names PXELINUX looks for under pxelinux.cfg/ (syslinux
 * doc/pxelinux.txt, "configuration file"). Pure. */
#include <pxelinux.h>

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

/* Append the n bytes of p as hex digits to out at *pos, a dash before the
 * bytes whose bit is set in dashes (bit i: before byte i). */
static void put_hex(char *out, size_t *pos, const uint8_t *p, size_t n, uint32_t dashes,
		    const char *digits)
{
	for (size_t i = 0; i < n; i++) {
		if (dashes & (1u << i))
			out[(*pos)++] = '-';
		out[(*pos)++] = digits[p[i] >> 4];
		out[(*pos)++] = digits[p[i] & 15];
	}
	out[*pos] = '\0';
}

size_t pxecfg_lookup_names(const uint8_t *uuid, const uint8_t mac[6], const uint8_t ip[4],
			   char names[PXECFG_MAX_NAMES][PXECFG_NAME_LEN])
{
	size_t n = 0, pos;

	if (uuid) {
		/* 8-4-4-4-12: dashes before bytes 4, 6, 8 and 10. */
		pos = 0;
		put_hex(names[n++], &pos, uuid, 16, 1u << 4 | 1u << 6 | 1u << 8 | 1u << 10,
			hex_lower);
	}
	/* "01" is the ARP hardware type of Ethernet, then the MAC. */
	names[n][0] = '0';
	names[n][1] = '1';
	pos = 2;
	put_hex(names[n++], &pos, mac, 6, 0x3f, hex_lower);

	char full[9];
	pos = 0;
	put_hex(full, &pos, ip, 4, 0, hex_upper);
	for (size_t k = 8; k >= 1; k--) {
		for (size_t i = 0; i < k; i++)
			names[n][i] = full[i];
		names[n++][k] = '\0';
	}
	const char def[] = "default";
	for (size_t i = 0; i < sizeof(def); i++)
		names[n][i] = def[i];
	return n + 1;
}
