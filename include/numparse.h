/* Decimal numbers in text (settings, TFTP options, pxelinux configs): the
 * one home of decimal parsing. Header-only and pure, so host unit tests
 * and fuzz targets get it without linking anything. */
#ifndef WB_NUMPARSE_H
#define WB_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The decimal digits at the start of s[0..n): how many there are (0: none),
 * their value in *v, held at UINT64_MAX when it would be larger. */
static inline size_t numparse_dec_prefix(const char *s, size_t n, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		*v = *v > (UINT64_MAX - d) / 10 ? UINT64_MAX : *v * 10 + d;
	}
	return i;
}

/* s[0..n) is all decimal digits (at least one) and at most UINT64_MAX:
 * true and the value in *v; false (and *v untouched) otherwise. */
static inline bool numparse_dec(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

#endif
