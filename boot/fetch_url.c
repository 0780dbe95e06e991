/* URL splitting for the fetch layer (RFC 3986 s.3, RFC 3617 for tftp).
 * Pure: host tests and fuzz targets run it. */
#include <fetch.h>

/* A decimal number of 1 to 3 digits at most max; the digits used, 0 if none or too big. */
static size_t small_dec(const char *s, unsigned max, unsigned *v)
{
	size_t n = 0;

	*v = 0;
	while (n < 5 && s[n] >= '0' && s[n] <= '9')
		*v = *v * 10 + (unsigned)(s[n++] - '0');
	return n && *v <= max ? n : 0;
}

int fetch_url_parse(const char *name, struct fetch_url *u, const char **why)
{
	size_t i = 0;

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://" */
	while (name[i] && name[i] != ':' && name[i] != '/')
		i++;
	if (name[i] != ':' || name[i + 1] != '/' || name[i + 2] != '/')
		return 0;
	if (!i || i >= FETCH_SCHEME_LEN) {
		*why = i ? "URL scheme too long" : "URL without a scheme";
		return -1;
	}
	for (size_t k = 0; k < i; k++) {
		char ch = name[k];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		if (!((ch >= 'a' && ch <= 'z') || (k && ((ch >= '0' && ch <= '9') || ch == '+' ||
							  ch == '-' || ch == '.')))) {
			*why = "URL scheme has a character RFC 3986 does not allow";
			return -1;
		}
		u->scheme[k] = ch;
	}
	u->scheme[i] = '\0';

	const char *p = name + i + 3;
	uint32_t a = 0;
	for (int part = 0; part < 4; part++) {
		unsigned v;
		size_t n = small_dec(p, 255, &v);
		if (!n || (part < 3 && p[n] != '.')) {
			*why = "URL host is not a dotted IPv4 address (names need DNS, not there yet)";
			return -1;
		}
		a = a << 8 | v;
		p += n + (part < 3);
	}
	u->host = (a >> 24) | (a >> 8 & 0xff00) | (a << 8 & 0xff0000) | (a << 24);
	u->port = 0;
	if (*p == ':') {
		unsigned v;
		size_t n = small_dec(p + 1, 65535, &v);
		if (!n || !v) {
			*why = "URL port is not a number from 1 to 65535";
			return -1;
		}
		u->port = (uint16_t)v;
		p += n + 1;
	}
	if (*p != '/' || !p[1]) {
		*why = "URL names no file";
		return -1;
	}
	u->path = p + 1;
	return 1;
}
