/* The chunked transfer coding, byte by byte (RFC 9112 s.7.1): chunk-size
 * lines, data handed out in place as spans, the CRLF after each chunk, the
 * last chunk and the trailer section (bounded, ignored). Pure: host tests
 * and fuzz targets run it. */
#include <string.h>
#include <http_chunked.h>

enum {
	CH_SIZE,    /* hex digits */
	CH_SIZE_WS, /* whitespace after them (BWS before ';') */
	CH_EXT,	    /* chunk extensions, ignored (s.7.1.1) */
	CH_SIZE_LF, /* a CR seen, the LF next */
	CH_DATA,
	CH_DATA_CR, /* the CRLF after a chunk's data */
	CH_DATA_LF,
	CH_TRAILER, /* trailer lines until an empty one (s.7.1.2) */
};

void http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof(*c));
	c->state = CH_SIZE;
}

static int chunk_hex(uint8_t b)
{
	if (b >= '0' && b <= '9')
		return b - '0';
	if (b >= 'a' && b <= 'f')
		return b - 'a' + 10;
	if (b >= 'A' && b <= 'F')
		return b - 'A' + 10;
	return -1;
}

/* The chunk-size line ended: data next, or the trailer after the last chunk. */
static void chunk_line_end(struct http_chunked *c)
{
	c->left = c->size;
	c->state = c->size ? CH_DATA : CH_TRAILER;
	c->size = 0;
	c->digits = false;
	c->line_len = 0;
	c->cr = false;
}

/* One byte of a chunk-size line; 0 or an HTTP_E_* code. */
static int chunk_size_byte(struct http_chunked *c, uint8_t b)
{
	int hex = chunk_hex(b);

	if (b != '\r' && b != '\n' && ++c->line_len > HTTP_CHUNK_LINE_MAX)
		return HTTP_E_CHUNK_LINE_TOO_LONG;
	switch (c->state) {
	case CH_SIZE:
		if (hex >= 0) {
			if (c->size > (HTTP_CHUNK_SIZE_MAX - (uint64_t)hex) >> 4)
				return HTTP_E_CHUNK_TOO_BIG;
			c->size = c->size << 4 | (uint64_t)hex;
			c->digits = true;
			return 0;
		}
		if (!c->digits)
			return HTTP_E_CHUNK_SIZE;
		/* fall through - the first byte after the digits */
	case CH_SIZE_WS:
		if (b == ' ' || b == '\t')
			c->state = CH_SIZE_WS;
		else if (b == ';')
			c->state = CH_EXT;
		else if (b == '\r')
			c->state = CH_SIZE_LF;
		else if (b == '\n')
			chunk_line_end(c);
		else
			return HTTP_E_CHUNK_SIZE;
		return 0;
	case CH_EXT:
		if (b == '\r')
			c->state = CH_SIZE_LF;
		else if (b == '\n')
			chunk_line_end(c);
		return 0;
	default: /* CH_SIZE_LF */
		if (b != '\n')
			return HTTP_E_CHUNK_SIZE;
		chunk_line_end(c);
		return 0;
	}
}

/* One byte of the trailer section; 0, 1 at its end, or an HTTP_E_* code. */
static int chunk_trailer_byte(struct http_chunked *c, uint8_t b)
{
	if (b == '\n') {
		if (!c->line_len)
			return 1;
		c->line_len = 0;
		c->cr = false;
		return 0;
	}
	if (c->cr)
		return HTTP_E_TRAILER;
	if (b == '\r') {
		c->cr = true;
		return 0;
	}
	if (++c->line_len > HTTP_LINE_MAX || ++c->trailer_len > HTTP_HEAD_MAX)
		return HTTP_E_TRAILER_TOO_LONG;
	return 0;
}

long http_chunked_feed(struct http_chunked *c, const uint8_t *p, size_t len,
		       struct http_span *out, size_t cap, size_t *nout)
{
	size_t i = 0;
	int rc = 0;

	*nout = 0;
	if (c->err)
		return c->err;
	if (c->done)
		return 0;
	if (len > (size_t)-1 >> 1)
		len = (size_t)-1 >> 1; /* what a long can count */
	while (i < len) {
		uint8_t b = p[i];

		switch (c->state) {
		case CH_DATA: {
			if (*nout == cap)
				return (long)i;
			size_t n = len - i;
			if (n > c->left)
				n = (size_t)c->left;
			out[*nout].p = p + i;
			out[*nout].len = n;
			(*nout)++;
			c->left -= n;
			c->total += n;
			i += n;
			if (!c->left)
				c->state = CH_DATA_CR;
			continue;
		}
		case CH_DATA_CR:
			if (b == '\r')
				c->state = CH_DATA_LF;
			else if (b == '\n')
				c->state = CH_SIZE;
			else
				rc = HTTP_E_CHUNK_CRLF;
			break;
		case CH_DATA_LF:
			if (b == '\n')
				c->state = CH_SIZE;
			else
				rc = HTTP_E_CHUNK_CRLF;
			break;
		case CH_TRAILER:
			rc = chunk_trailer_byte(c, b);
			if (rc == 1) {
				c->done = true;
				return (long)(i + 1);
			}
			break;
		default:
			rc = chunk_size_byte(c, b);
			break;
		}
		if (rc) {
			c->err = rc;
			return rc;
		}
		i++;
	}
	return (long)i;
}
