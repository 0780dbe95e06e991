/* HTTP/1.x response heads, byte by byte (RFC 9112 s.2-6, RFC 9110 for the
 * fields): lines are gathered whatever the split, then each line is
 * parsed whole. Pure: host tests and fuzz targets run it. */
#include <string.h>
#include <http_parse.h>
#include <numparse.h>

enum { HEAD_STATUS, HEAD_FIELDS, HEAD_DONE };

void http_head_init(struct http_head *h)
{
	memset(h, 0, sizeof(*h));
	h->state = HEAD_STATUS;
}

/* RFC 9110 s.5.6.2 tchar. */
static bool http_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

static char http_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* s[0..n) equals the lower-case word, ignoring case. */
static bool http_word(const char *s, size_t n, const char *word)
{
	size_t k = 0;

	for (; k < n && word[k]; k++)
		if (http_lower(s[k]) != word[k])
			return false;
	return k == n && !word[k];
}

/* One element of a comma-separated list (RFC 9110 s.5.6.1) from s[*at..n),
 * without its surrounding whitespace; false at the end of the list. */
static bool http_list_next(const char *s, size_t n, size_t *at, const char **e, size_t *elen)
{
	while (*at < n) {
		size_t start = *at, end = start;
		while (end < n && s[end] != ',')
			end++;
		*at = end + 1;
		while (start < end && (s[start] == ' ' || s[start] == '\t'))
			start++;
		while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
			end--;
		if (end > start) { /* empty elements are allowed and ignored */
			*e = s + start;
			*elen = end - start;
			return true;
		}
	}
	return false;
}

/* A decimal field value s[0..n) (RFC 9110 s.8.6): 0, or ebad when it is not
 * all digits, HTTP_E_LENGTH_OVERFLOW past 2^64-1. */
static int http_decimal(const char *s, size_t n, uint64_t *v, int ebad)
{
	if (numparse_dec(s, n, v))
		return 0;
	for (size_t k = 0; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return ebad;
	return n ? HTTP_E_LENGTH_OVERFLOW : ebad;
}

/* RFC 9110 s.8.6 Content-Length: one value, or a list of the same value;
 * a second field must agree with the first. */
static int http_content_length(struct http_response *r, const char *s, size_t n)
{
	size_t at = 0, elen;
	const char *e;
	bool any = false;

	while (http_list_next(s, n, &at, &e, &elen)) {
		uint64_t v;
		int rc = http_decimal(e, elen, &v, HTTP_E_LENGTH);
		if (rc)
			return rc;
		if (r->has_length && r->length != v)
			return HTTP_E_LENGTH_CONFLICT;
		r->has_length = true;
		r->length = v;
		any = true;
	}
	return any ? 0 : HTTP_E_LENGTH;
}

/* RFC 9112 s.6.1 Transfer-Encoding: wireboot decodes chunked only, so the
 * codings, over every field, must be exactly one chunked. */
static int http_transfer_encoding(struct http_head *h, const char *s, size_t n)
{
	size_t at = 0, elen;
	const char *e;
	bool any = false;

	while (http_list_next(s, n, &at, &e, &elen)) {
		if (!http_word(e, elen, "chunked") || h->resp.chunked)
			return HTTP_E_CODING;
		h->resp.chunked = true;
		any = true;
	}
	h->te_seen = true;
	return any ? 0 : HTTP_E_CODING;
}

/* RFC 9110 s.7.6.1 Connection: the close and keep-alive options. */
static void http_connection(struct http_head *h, const char *s, size_t n)
{
	size_t at = 0, elen;
	const char *e;

	while (http_list_next(s, n, &at, &e, &elen)) {
		if (http_word(e, elen, "close"))
			h->conn_close = true;
		else if (http_word(e, elen, "keep-alive"))
			h->conn_keep_alive = true;
	}
}

/* RFC 9110 s.14.3 Accept-Ranges: does it list bytes. */
static void http_accept_ranges(struct http_response *r, const char *s, size_t n)
{
	size_t at = 0, elen;
	const char *e;

	while (http_list_next(s, n, &at, &e, &elen))
		if (http_word(e, elen, "bytes"))
			r->accept_ranges = true;
}

/* The digits at s[*at..n) up to the byte stop (or the end when stop is 0). */
static int http_range_num(const char *s, size_t n, size_t *at, char stop, uint64_t *v)
{
	size_t i = *at;

	while (i < n && s[i] != stop)
		i++;
	if ((stop && i == n) || http_decimal(s + *at, i - *at, v, HTTP_E_RANGE))
		return HTTP_E_RANGE;
	*at = i + 1;
	return 0;
}

/* RFC 9110 s.14.4 Content-Range: "bytes first-last/total", or with '*'
 * for an unknown total; an unsatisfied range ('*' then "/total", as a 416
 * carries) leaves has_range false. */
static int http_content_range(struct http_response *r, const char *s, size_t n)
{
	uint64_t first, last, total = UINT64_MAX;
	size_t at = 6;

	if (n < 7 || !http_word(s, 5, "bytes") || s[5] != ' ')
		return HTTP_E_RANGE;
	if (s[at] == '*') {
		if (at + 1 >= n || s[at + 1] != '/' || http_decimal(s + at + 2, n - at - 2, &total,
								    HTTP_E_RANGE))
			return HTTP_E_RANGE;
		return r->has_range ? HTTP_E_RANGE_CONFLICT : 0;
	}
	if (http_range_num(s, n, &at, '-', &first) || http_range_num(s, n, &at, '/', &last))
		return HTTP_E_RANGE;
	if (!(at == n - 1 && s[at] == '*') && http_range_num(s, n, &at, 0, &total))
		return HTTP_E_RANGE;
	if (first > last || (total != UINT64_MAX && last >= total))
		return HTTP_E_RANGE;
	if (r->has_range && (r->range_first != first || r->range_last != last ||
			     r->range_total != total))
		return HTTP_E_RANGE_CONFLICT;
	r->has_range = true;
	r->range_first = first;
	r->range_last = last;
	r->range_total = total;
	return 0;
}

/* RFC 9110 s.10.2.2 Location, kept as sent; a second one must agree. */
static int http_location(struct http_head *h, const char *s, size_t n)
{
	struct http_response *r = &h->resp;

	if (n >= HTTP_LOCATION_MAX)
		return HTTP_E_LOCATION_TOO_LONG;
	if (h->has_location)
		return strlen(r->location) == n && !memcmp(r->location, s, n)
			       ? 0
			       : HTTP_E_LOCATION_CONFLICT;
	memcpy(r->location, s, n);
	r->location[n] = '\0';
	h->has_location = true;
	return 0;
}

/* RFC 9112 s.5: field-line = field-name ":" OWS field-value OWS. */
static int http_field(struct http_head *h, const char *s, size_t n)
{
	size_t name = 0, v, end = n;

	while (name < n && http_tchar(s[name]))
		name++;
	if (!name || name == n || s[name] != ':')
		return HTTP_E_HEADER; /* no whitespace before the colon either (s.5.1) */
	v = name + 1;
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++;
	while (end > v && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	if (h->interim)
		return 0; /* a 1xx head's fields say nothing about the response */
	const char *val = s + v;
	size_t len = end - v;
	if (http_word(s, name, "content-length"))
		return http_content_length(&h->resp, val, len);
	if (http_word(s, name, "transfer-encoding"))
		return http_transfer_encoding(h, val, len);
	if (http_word(s, name, "location"))
		return http_location(h, val, len);
	if (http_word(s, name, "content-range"))
		return http_content_range(&h->resp, val, len);
	if (http_word(s, name, "connection"))
		http_connection(h, val, len);
	else if (http_word(s, name, "accept-ranges"))
		http_accept_ranges(&h->resp, val, len);
	return 0;
}

/* RFC 9112 s.4: status-line = HTTP-version SP status-code SP [ reason-phrase ];
 * a line that ends right after the code is taken too. */
static int http_status_line(struct http_head *h, const char *s, size_t n)
{
	struct http_response *r = &h->resp;

	if (n < 6 || memcmp(s, "HTTP/", 5) || s[5] < '0' || s[5] > '9')
		return HTTP_E_STATUS_LINE;
	if (s[5] != '1')
		return HTTP_E_VERSION;
	if (n < 12 || s[6] != '.' || s[7] < '0' || s[7] > '9' || s[8] != ' ')
		return HTTP_E_STATUS_LINE;
	for (int k = 9; k < 12; k++)
		if (s[k] < '0' || s[k] > '9')
			return HTTP_E_STATUS_LINE;
	if (n > 12 && s[12] != ' ')
		return HTTP_E_STATUS_LINE;
	r->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (r->status < 100 || r->status > 599)
		return HTTP_E_STATUS_CODE;
	r->minor = s[7] - '0';
	size_t k = 0;
	for (size_t i = 13; i < n && k + 1 < sizeof(r->reason); i++)
		r->reason[k++] = s[i] >= ' ' && s[i] < 0x7f ? s[i] : '?';
	r->reason[k] = '\0';
	h->interim = r->status < 200 && r->status != 101;
	h->state = HEAD_FIELDS;
	return HTTP_HEAD_MORE;
}

/* The empty line: a 1xx interim head starts over, a final one is done. */
static int http_head_end(struct http_head *h)
{
	struct http_response *r = &h->resp;

	if (h->interim) {
		size_t bytes = h->head_bytes;
		http_head_init(h);
		h->head_bytes = bytes;
		return HTTP_HEAD_MORE;
	}
	if (r->chunked && r->has_length) {
		/* RFC 9112 s.6.3 rule 3: chunked wins; the connection is not reused */
		r->has_length = false;
		r->length = 0;
		r->close = true;
	}
	if (h->te_seen && r->minor == 0)
		r->close = true; /* RFC 9112 s.6.1: faulty framing in HTTP/1.0 */
	if (h->conn_close || (r->minor == 0 && !h->conn_keep_alive))
		r->close = true;
	h->state = HEAD_DONE;
	return HTTP_HEAD_DONE;
}

/* One whole line, its CRLF or LF taken off. */
static int http_head_line(struct http_head *h, const char *s, size_t n)
{
	if (memchr(s, '\r', n))
		return HTTP_E_BARE_CR;
	if (memchr(s, '\0', n))
		return HTTP_E_NUL;
	if (h->state == HEAD_STATUS)
		return n ? http_status_line(h, s, n) : HTTP_HEAD_MORE; /* s.2.2: skip blank lines */
	if (!n)
		return http_head_end(h);
	if (s[0] == ' ' || s[0] == '\t')
		return HTTP_E_OBS_FOLD;
	return http_field(h, s, n);
}

int http_head_feed(struct http_head *h, const uint8_t *p, size_t len, size_t *used)
{
	*used = 0;
	if (h->err)
		return h->err;
	if (h->state == HEAD_DONE)
		return HTTP_HEAD_DONE;
	for (size_t i = 0; i < len; i++) {
		char c = (char)p[i];
		int rc = HTTP_HEAD_MORE;

		if (++h->head_bytes > HTTP_HEAD_MAX) {
			rc = HTTP_E_HEAD_TOO_LONG;
		} else if (c != '\n') {
			/* room for a CR after HTTP_LINE_MAX bytes, not for more */
			if (h->line_len > HTTP_LINE_MAX ||
			    (h->line_len == HTTP_LINE_MAX && c != '\r'))
				rc = HTTP_E_LINE_TOO_LONG;
			else
				h->line[h->line_len++] = c;
		} else {
			size_t n = h->line_len;
			if (n && h->line[n - 1] == '\r')
				n--;
			h->line_len = 0;
			if (n > HTTP_LINE_MAX)
				rc = HTTP_E_LINE_TOO_LONG;
			else
				rc = http_head_line(h, h->line, n);
		}
		if (rc != HTTP_HEAD_MORE) {
			*used = i + 1;
			if (rc < 0)
				h->err = rc;
			return rc;
		}
	}
	*used = len;
	return HTTP_HEAD_MORE;
}

const char *http_strerror(int err)
{
	switch (err) {
	case HTTP_E_STATUS_LINE:
		return "malformed status line (not HTTP/1.x, a 3-digit code, a reason)";
	case HTTP_E_VERSION:
		return "the server does not speak HTTP/1.x";
	case HTTP_E_STATUS_CODE:
		return "status code not from 100 to 599";
	case HTTP_E_LINE_TOO_LONG:
		return "a response head line longer than 8192 bytes";
	case HTTP_E_HEAD_TOO_LONG:
		return "response head longer than 65536 bytes";
	case HTTP_E_BARE_CR:
		return "a CR not followed by LF in the response head";
	case HTTP_E_NUL:
		return "a NUL byte in the response head";
	case HTTP_E_HEADER:
		return "a header line that is not 'name: value'";
	case HTTP_E_OBS_FOLD:
		return "a folded header line (obs-fold), refused";
	case HTTP_E_LENGTH:
		return "Content-Length is not a decimal number";
	case HTTP_E_LENGTH_OVERFLOW:
		return "Content-Length past 2^64-1";
	case HTTP_E_LENGTH_CONFLICT:
		return "two different Content-Length values";
	case HTTP_E_CODING:
		return "unsupported transfer coding (only one chunked is decoded)";
	case HTTP_E_LOCATION_TOO_LONG:
		return "Location longer than 2047 bytes";
	case HTTP_E_LOCATION_CONFLICT:
		return "two different Location values";
	case HTTP_E_RANGE:
		return "malformed Content-Range (not bytes first-last/total, "
		       "first <= last < total)";
	case HTTP_E_RANGE_CONFLICT:
		return "two different Content-Range values";
	case HTTP_E_CHUNK_SIZE:
		return "malformed chunk-size line (not hex digits, extensions, CRLF)";
	case HTTP_E_CHUNK_TOO_BIG:
		return "chunk size over 2^63";
	case HTTP_E_CHUNK_CRLF:
		return "chunk data not followed by CRLF";
	case HTTP_E_CHUNK_LINE_TOO_LONG:
		return "chunk-size line longer than 4096 bytes";
	case HTTP_E_TRAILER:
		return "a CR not followed by LF in the chunked trailer";
	case HTTP_E_TRAILER_TOO_LONG:
		return "chunked trailer line or section too long";
	}
	return "unknown HTTP parse error";
}
