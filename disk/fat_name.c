/* FAT short (8.3) names: the basis name of a long name, numeric tails,
 * the LFN checksum, and a short entry's name as text (FAT spec s.6.1,
 * s.7.2, s.7.3). Names are UCS-2; only ASCII goes into a short name. */
#include <string.h>
#include "fat_priv.h"

/* s.6.1: characters a short name may hold besides letters and digits. */
static bool fat_short_char(uint16_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return c < 0x80 && c > 0x20 && strchr("!#$%&'()-@^_`{}~", (int)c);
}

static bool fat_is_lower(uint16_t c)
{
	return c >= 'a' && c <= 'z';
}

static bool fat_is_upper(uint16_t c)
{
	return c >= 'A' && c <= 'Z';
}

/* True when name[0..len) fits 8.3 as it is: one part of 1..8 valid
 * characters, an optional dot and 1..3 more, each part in one case. */
static bool fat_exact_83(const uint16_t *name, size_t len, uint8_t *ntres)
{
	size_t dot = len;
	bool lo[2] = {false, false}, up[2] = {false, false};

	for (size_t i = 0; i < len; i++) {
		if (name[i] != '.')
			continue;
		if (dot != len)
			return false;
		dot = i;
	}
	if (dot == 0 || dot > 8 || (dot < len && (len - dot - 1 < 1 || len - dot - 1 > 3)))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (i == dot)
			continue;
		if (!fat_short_char(name[i]))
			return false;
		lo[i > dot] |= fat_is_lower(name[i]);
		up[i > dot] |= fat_is_upper(name[i]);
	}
	if ((lo[0] && up[0]) || (lo[1] && up[1]))
		return false;
	*ntres = (uint8_t)((lo[0] ? FAT_CASE_LOWER_BASE : 0) | (lo[1] ? FAT_CASE_LOWER_EXT : 0));
	return true;
}

/* s.7.3: upper-case, drop spaces and leading dots, anything else a short
 * name cannot hold becomes '_'; base from before the last dot (8 at most),
 * extension from after it (3 at most). */
void fat_short_basis(const uint16_t *name, size_t len, uint8_t sn[11], bool *exact, uint8_t *ntres)
{
	size_t last_dot = len, b = 0, e = 0;

	memset(sn, ' ', 11);
	*ntres = 0;
	*exact = fat_exact_83(name, len, ntres);
	for (size_t i = 0; i < len; i++)
		if (name[i] == '.')
			last_dot = i;
	size_t start = 0;
	while (start < len && name[start] == '.')
		start++;
	if (last_dot < start)
		last_dot = len; /* only leading dots: no extension */
	for (size_t i = start; i < len; i++) {
		uint16_t c = name[i];

		if (c == ' ' || (c == '.' && i != last_dot))
			continue;
		if (i == last_dot)
			continue;
		c = fat_upcase(c);
		uint8_t o = fat_short_char(c) ? (uint8_t)c : '_';
		if (i < last_dot) {
			if (b < 8)
				sn[b++] = o;
		} else if (e < 3) {
			sn[8 + e++] = o;
		}
	}
	if (!b)
		sn[0] = '_';
}

void fat_short_tail(uint8_t sn[11], unsigned n)
{
	char tail[12];
	int t = 0;
	char digits[11];
	int d = 0;

	do {
		digits[d++] = (char)('0' + n % 10);
		n /= 10;
	} while (n && d < 7);
	tail[t++] = '~';
	while (d)
		tail[t++] = digits[--d];
	int blen = 8;
	while (blen > 0 && sn[blen - 1] == ' ')
		blen--;
	int at = blen + t > 8 ? 8 - t : blen;
	memcpy(sn + at, tail, (size_t)t);
	for (int i = at + t; i < 8; i++)
		sn[i] = ' ';
}

uint8_t fat_lfn_checksum(const uint8_t sn[11])
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sn[i]);
	return sum;
}

size_t fat_short_to_name(const uint8_t *de, uint16_t *out)
{
	size_t n = 0;
	int b = 8, e = 3;

	while (b > 0 && de[b - 1] == ' ')
		b--;
	while (e > 0 && de[8 + e - 1] == ' ')
		e--;
	for (int i = 0; i < b; i++) {
		uint16_t c = i == 0 && de[0] == 0x05 ? 0xe5 : de[i];
		if ((de[DE_NTRES] & FAT_CASE_LOWER_BASE) && fat_is_upper(c))
			c = (uint16_t)(c + 32);
		out[n++] = c;
	}
	if (e)
		out[n++] = '.';
	for (int i = 0; i < e; i++) {
		uint16_t c = de[8 + i];
		if ((de[DE_NTRES] & FAT_CASE_LOWER_EXT) && fat_is_upper(c))
			c = (uint16_t)(c + 32);
		out[n++] = c;
	}
	out[n] = 0;
	return n;
}
