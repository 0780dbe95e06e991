/* TFTP packets (RFC 1350 s.5): the read request with its options (RFC
 * 2347 s.2: blksize RFC 2348, tsize RFC 2349, windowsize RFC 7440, and
 * tftp-hpa's utimeout), the option acknowledgement's parser, and the
 * names of the error codes. pxe/tftp.c runs the transfer. */
#include <string.h>
#include <format.h>
#include <numparse.h>
#include <tftp.h>

static size_t put_str(uint8_t *buf, size_t pos, size_t cap, const char *s)
{
	size_t n = strlen(s) + 1;

	if (!pos || pos + n > cap)
		return 0;
	memcpy(buf + pos, s, n);
	return pos + n;
}

static size_t put_num(uint8_t *buf, size_t pos, size_t cap, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	char s[24];
	for (int i = 0; i < n; i++)
		s[i] = tmp[n - 1 - i];
	s[n] = '\0';
	return put_str(buf, pos, cap, s);
}

size_t tftp_build_rrq(uint8_t *buf, size_t cap, const char *file, uint16_t blksize, uint16_t window,
		      bool tsize)
{
	return tftp_build_rrq_ut(buf, cap, file, blksize, window, tsize, 0);
}

size_t tftp_build_rrq_ut(uint8_t *buf, size_t cap, const char *file, uint16_t blksize,
			 uint16_t window, bool tsize, uint32_t utimeout_us)
{
	if (cap < 2)
		return 0;
	buf[0] = 0;
	buf[1] = TFTP_OP_RRQ;
	size_t pos = put_str(buf, 2, cap, file);
	pos = put_str(buf, pos, cap, "octet");
	if (blksize) {
		pos = put_str(buf, pos, cap, "blksize");
		pos = put_num(buf, pos, cap, blksize);
	}
	if (tsize) {
		pos = put_str(buf, pos, cap, "tsize");
		pos = put_num(buf, pos, cap, 0);
	}
	if (window > 1) {
		pos = put_str(buf, pos, cap, "windowsize");
		pos = put_num(buf, pos, cap, window);
	}
	if (utimeout_us) {
		pos = put_str(buf, pos, cap, "utimeout");
		pos = put_num(buf, pos, cap, utimeout_us);
	}
	return pos;
}

int tftp_parse_oack(const uint8_t *p, size_t len, uint16_t *blksize, uint16_t *window,
		    uint64_t *tsize, bool *has_tsize)
{
	uint32_t ut = 0;

	return tftp_parse_oack_ut(p, len, blksize, window, tsize, has_tsize, &ut, NULL, 0);
}

/* A refused OACK: why (if given) says what was wrong; -1. */
static int oack_bad(char *why, size_t cap, const char *what, uint64_t v, unsigned lo, unsigned hi)
{
	if (why && cap) {
		if (hi)
			format_buf(why, cap, "%s %llu outside %u..%u", what, (unsigned long long)v,
				   lo, hi);
		else
			format_buf(why, cap, "%s", what);
	}
	return -1;
}

int tftp_parse_oack_ut(const uint8_t *p, size_t len, uint16_t *blksize, uint16_t *window,
		       uint64_t *tsize, bool *has_tsize, uint32_t *utimeout, char *why, size_t cap)
{
	size_t i = 0;
	uint16_t max_bs = *blksize, max_win = *window;
	uint32_t max_ut = *utimeout;

	/* RFC 2347: an option left out of the OACK was refused. */
	*blksize = 512;
	*window = 1;
	*utimeout = 0;
	while (i < len) {
		const char *key = (const char *)p + i;
		const uint8_t *z = memchr(p + i, 0, len - i);
		if (!z)
			return oack_bad(why, cap, "an option name without its NUL", 0, 0, 0);
		i = (size_t)(z - p) + 1;
		if (i >= len)
			return oack_bad(why, cap, "an option without a value", 0, 0, 0);
		const char *val = (const char *)p + i;
		z = memchr(p + i, 0, len - i);
		if (!z)
			return oack_bad(why, cap, "a value without its NUL", 0, 0, 0);
		i = (size_t)(z - p) + 1;
		uint64_t v;
		/* A decimal string of at most 20 digits; nothing else (RFC 2347). */
		if (!numparse_dec(val, strlen(val), &v))
			return oack_bad(why, cap, "a value that is not a decimal number under 2^64",
					0, 0, 0);
		if (!strcasecmp(key, "blksize")) {
			/* RFC 2348: the server may lower, never raise, the block size. */
			if (v < 8 || v > max_bs)
				return oack_bad(why, cap, "blksize", v, 8, max_bs);
			*blksize = (uint16_t)v;
		} else if (!strcasecmp(key, "windowsize")) {
			if (v < 1 || v > max_win)
				return oack_bad(why, cap, "windowsize", v, 1, max_win);
			*window = (uint16_t)v;
		} else if (!strcasecmp(key, "tsize")) {
			*tsize = v;
			*has_tsize = true;
		} else if (max_ut && !strcasecmp(key, "utimeout")) {
			/* tftp-hpa takes 10 ms and up; it may only lower what we asked. */
			if (v < 10000 || v > max_ut)
				return oack_bad(why, cap, "utimeout", v, 10000, max_ut);
			*utimeout = (uint32_t)v;
		} else {
			/* RFC 2347: only options we requested may come back. */
			return oack_bad(why, cap, "an option we did not ask for", 0, 0, 0);
		}
	}
	return 0;
}

const char *tftp_error_name(int code)
{
	switch (code) {
	case 0:
		return "not defined";
	case 1:
		return "file not found";
	case 2:
		return "access violation";
	case 3:
		return "disk full";
	case 4:
		return "illegal operation";
	case 5:
		return "unknown transfer id";
	case 6:
		return "file exists";
	case 7:
		return "no such user";
	case 8:
		return "option negotiation refused";
	default:
		return "unknown error";
	}
}
