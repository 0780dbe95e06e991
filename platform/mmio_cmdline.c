/* Linux's virtio_mmio.device=<size>[KMG]@<base>:<irq>[:<id>] syntax. Pure. */
#include <mmio_devices.h>

/* Unsigned number in C syntax (0x.., 0.., decimal); advances *s. */
static bool parse_num(const char **s, uint64_t *out)
{
	const char *p = *s;
	unsigned base = 10;
	uint64_t v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1] >= '0' && p[1] <= '7') {
		base = 8;
	}
	const char *start = p;
	for (;; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (p == start)
		return false;
	*s = p;
	*out = v;
	return true;
}

bool mmio_parse_device(const char *s, uint64_t *size, uint64_t *base, uint32_t *irq)
{
	uint64_t sz, b, i;

	if (!parse_num(&s, &sz))
		return false;
	unsigned shift = 0;
	if (*s == 'K' || *s == 'k')
		shift = 10;
	else if (*s == 'M' || *s == 'm')
		shift = 20;
	else if (*s == 'G' || *s == 'g')
		shift = 30;
	if (shift) {
		if (sz >> (64 - shift))
			return false;
		sz <<= shift;
		s++;
	}
	if (*s++ != '@' || !parse_num(&s, &b) || *s++ != ':' || !parse_num(&s, &i))
		return false;
	if (*s == ':') {
		uint64_t id;
		s++;
		if (!parse_num(&s, &id))
			return false;
	}
	if (*s || !sz || b + sz < b || i > 0xffffffffu)
		return false;
	*size = sz;
	*base = b;
	*irq = (uint32_t)i;
	return true;
}
