/* printf-style formatter: one implementation for the console and buffers. */
#include <stdint.h>
#include <stdbool.h>
#include <format.h>

struct fmt_out {
	format_sink sink;
	void *ctx;
	int count;
};

static void out_char(struct fmt_out *o, char c)
{
	o->sink(o->ctx, c);
	o->count++;
}

static void out_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

struct fmt_spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
};

/* Emit one integer with sign/prefix/padding handling. */
static void out_number(struct fmt_out *o, const struct fmt_spec *sp_in, uint64_t v, bool negative,
		       unsigned base, bool upper, bool is_signed)
{
	struct fmt_spec s = *sp_in, *sp = &s;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	/* Precision 0 with value 0 prints no digits, as in C. */
	if (n == 0 && sp->prec != 0)
		tmp[n++] = '0';

	/* C11 s.7.21.6.1: '#' with o raises the precision so the first digit is 0. */
	if (sp->alt && base == 8 && (n == 0 || tmp[n - 1] != '0') && sp->prec <= n)
		sp->prec = n + 1;

	const char *prefix = "";
	if (negative)
		prefix = "-";
	else if (is_signed && sp->plus)
		prefix = "+";
	else if (is_signed && sp->space)
		prefix = " ";
	if (sp->alt && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	int plen = 0;
	while (prefix[plen])
		plen++;

	int zeros = sp->prec > n ? sp->prec - n : 0;
	int total = plen + zeros + n;
	int pad = sp->width > total ? sp->width - total : 0;

	if (!sp->left && !(sp->zero && sp->prec < 0))
		out_pad(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		out_char(o, prefix[i]);
	if (!sp->left && sp->zero && sp->prec < 0)
		out_pad(o, '0', pad);
	out_pad(o, '0', zeros);
	while (n)
		out_char(o, tmp[--n]);
	if (sp->left)
		out_pad(o, ' ', pad);
}

static void out_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	int len = 0;
	while (s[len] && (sp->prec < 0 || len < sp->prec))
		len++;
	int pad = sp->width > len ? sp->width - len : 0;
	if (!sp->left)
		out_pad(o, ' ', pad);
	for (int i = 0; i < len; i++)
		out_char(o, s[i]);
	if (sp->left)
		out_pad(o, ' ', pad);
}

enum fmt_len { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX, LEN_PTRDIFF };

static int64_t arg_signed(va_list *ap, enum fmt_len len)
{
	switch (len) {
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return (int64_t)va_arg(*ap, size_t);
	case LEN_MAX: return va_arg(*ap, intmax_t);
	case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(va_list *ap, enum fmt_len len)
{
	switch (len) {
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	case LEN_MAX: return va_arg(*ap, uintmax_t);
	case LEN_PTRDIFF: return (uint64_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned);
	}
}

int format_cb(format_sink sink, void *ctx, const char *fmt, va_list ap_in)
{
	struct fmt_out o = { sink, ctx, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		struct fmt_spec sp = { .prec = -1 };
		for (;; p++) {
			char f = p[1];
			if (f == '-') sp.left = true;
			else if (f == '0') sp.zero = true;
			else if (f == '+') sp.plus = true;
			else if (f == ' ') sp.space = true;
			else if (f == '#') sp.alt = true;
			else break;
		}
		p++;
		if (*p == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				sp.width = sp.width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			sp.prec = 0;
			if (*p == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					sp.prec = sp.prec * 10 + (*p++ - '0');
			}
		}
		enum fmt_len len = LEN_INT;
		if (*p == 'h') {
			len = LEN_SHORT;
			if (*++p == 'h') {
				len = LEN_CHAR;
				p++;
			}
		} else if (*p == 'l') {
			len = LEN_LONG;
			if (*++p == 'l') {
				len = LEN_LLONG;
				p++;
			}
		} else if (*p == 'z') {
			len = LEN_SIZE;
			p++;
		} else if (*p == 'j') {
			len = LEN_MAX;
			p++;
		} else if (*p == 't') {
			len = LEN_PTRDIFF;
			p++;
		}
		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&ap, len);
			out_number(&o, &sp, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, true);
			break;
		}
		case 'u': out_number(&o, &sp, arg_unsigned(&ap, len), false, 10, false, false); break;
		case 'x': out_number(&o, &sp, arg_unsigned(&ap, len), false, 16, false, false); break;
		case 'X': out_number(&o, &sp, arg_unsigned(&ap, len), false, 16, true, false); break;
		case 'o': out_number(&o, &sp, arg_unsigned(&ap, len), false, 8, false, false); break;
		case 'p':
			sp.alt = true;
			out_number(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false, false);
			break;
		case 's': out_string(&o, &sp, va_arg(ap, const char *)); break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			int pad = sp.width > 1 ? sp.width - 1 : 0;
			if (!sp.left)
				out_pad(&o, ' ', pad);
			out_char(&o, c);
			if (sp.left)
				out_pad(&o, ' ', pad);
			break;
		}
		case '%': out_char(&o, '%'); break;
		case '\0':
			/* A lone '%' at the end: print it and stop. */
			out_char(&o, '%');
			va_end(ap);
			return o.count;
		default:
			/* Unknown conversion: print it verbatim so the bug is visible. */
			out_char(&o, '%');
			out_char(&o, *p);
			break;
		}
	}
	va_end(ap);
	return o.count;
}

struct buf_sink {
	char *buf;
	size_t size;
	size_t pos;
};

static void buf_put(void *ctx, char c)
{
	struct buf_sink *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int format_vbuf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = { buf, size, 0 };
	int n = format_cb(buf_put, &b, fmt, ap);

	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int format_buf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = format_vbuf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void format_size(char *buf, size_t n, uint64_t bytes)
{
	if (bytes >= (1 << 20))
		format_buf(buf, n, "%llu.%llu MiB", (unsigned long long)(bytes >> 20),
			   (unsigned long long)((bytes & 0xfffff) * 10 >> 20));
	else
		format_buf(buf, n, "%llu KiB", (unsigned long long)((bytes + 1023) >> 10));
}

void format_rate(char *buf, size_t n, uint64_t bytes, uint64_t ms)
{
	uint64_t kbps = ms ? bytes / ms : bytes; /* bytes per ms = kB/s */

	format_buf(buf, n, "%llu.%llu MB/s", (unsigned long long)(kbps / 1000),
		   (unsigned long long)(kbps % 1000 / 100));
}
