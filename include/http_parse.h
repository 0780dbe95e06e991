/* HTTP/1.x response heads (httpboot/http_parse.c, pure: RFC 9112 s.2-6,
 * RFC 9110 for the fields). An incremental parser: feed it whatever bytes
 * arrived, split anywhere; any split gives the same result. Errors are the
 * negative HTTP_E_* codes below (the chunked decoder's too), each named by
 * http_strerror. Nothing is truncated: a line, head or field past its
 * bound is an error. */
#ifndef WB_HTTP_PARSE_H
#define WB_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_LINE_MAX	  8192	/* longest header line accepted, without its CRLF */
#define HTTP_HEAD_MAX	  65536 /* all heads of one response, 1xx interim ones included */
#define HTTP_LOCATION_MAX 2048	/* Location's value with its NUL */
#define HTTP_REASON_MAX	  64	/* the reason phrase kept, for messages (shortened) */

/* http_head_feed's results; errors are negative. */
#define HTTP_HEAD_MORE 0
#define HTTP_HEAD_DONE 1

enum http_err {
	HTTP_E_STATUS_LINE = -1,       /* not "HTTP/1.x SP 3DIGIT [SP reason]" */
	HTTP_E_VERSION = -2,	       /* HTTP/2, HTTP/0.9, ...: not 1.x */
	HTTP_E_STATUS_CODE = -3,       /* not 100-599 */
	HTTP_E_LINE_TOO_LONG = -4,     /* a head line past HTTP_LINE_MAX */
	HTTP_E_HEAD_TOO_LONG = -5,     /* the heads past HTTP_HEAD_MAX */
	HTTP_E_BARE_CR = -6,	       /* a CR not followed by LF (RFC 9112 s.2.2) */
	HTTP_E_NUL = -7,	       /* a NUL byte in the head (RFC 9110 s.5.5) */
	HTTP_E_HEADER = -8,	       /* a line that is not "name: value" */
	HTTP_E_OBS_FOLD = -9,	       /* a line starting with whitespace (RFC 9112 s.5.2) */
	HTTP_E_LENGTH = -10,	       /* Content-Length not digits */
	HTTP_E_LENGTH_OVERFLOW = -11,  /* Content-Length past 2^64-1 */
	HTTP_E_LENGTH_CONFLICT = -12,  /* two different Content-Length values */
	HTTP_E_CODING = -13,	       /* a transfer coding other than one final chunked */
	HTTP_E_LOCATION_TOO_LONG = -14, /* Location of HTTP_LOCATION_MAX or more */
	HTTP_E_LOCATION_CONFLICT = -15, /* two different Location values */
	HTTP_E_RANGE = -16,	       /* Content-Range not bytes a-b/total, a <= b < total */
	HTTP_E_RANGE_CONFLICT = -17,   /* two different Content-Range values */
	HTTP_E_CHUNK_SIZE = -18,       /* a chunk-size line that is not hex [ext] CRLF */
	HTTP_E_CHUNK_TOO_BIG = -19,    /* a chunk size over 2^63 */
	HTTP_E_CHUNK_CRLF = -20,       /* chunk data not followed by CRLF */
	HTTP_E_CHUNK_LINE_TOO_LONG = -21, /* a chunk-size line past HTTP_CHUNK_LINE_MAX */
	HTTP_E_TRAILER = -22,	       /* a trailer line with a bare CR */
	HTTP_E_TRAILER_TOO_LONG = -23, /* a trailer line or the trailers past their bound */
};

/* A final response's head, as http_head_feed leaves it on HTTP_HEAD_DONE. */
struct http_response {
	int status; /* 100..599 (101 is final: it is never asked for) */
	int minor;  /* HTTP/1.<minor> */
	char reason[HTTP_REASON_MAX]; /* printable ASCII, others as '?', shortened */
	bool has_length;
	uint64_t length; /* Content-Length (has_length false when chunked wins) */
	bool chunked;	 /* Transfer-Encoding: chunked */
	/* Connection: close, or HTTP/1.0 without keep-alive, or a head with both
	 * chunked and a length (RFC 9112 s.6.3 rule 3: the connection is suspect) */
	bool close;
	char location[HTTP_LOCATION_MAX]; /* Location as sent, "" if none */
	/* Content-Range: bytes first-last/total (total UINT64_MAX for '*') */
	bool has_range;
	uint64_t range_first, range_last, range_total;
	bool accept_ranges; /* Accept-Ranges lists bytes */
};

/* The parser's state; http_head_init sets it up. */
struct http_head {
	struct http_response resp;
	int state;	   /* status line, fields, done (http_parse.c) */
	int err;	   /* the first error, returned again by every later feed */
	bool interim;	   /* this head is a 1xx other than 101: skipped */
	bool conn_close, conn_keep_alive;
	bool has_location, te_seen;
	size_t head_bytes; /* bytes of every head so far */
	size_t line_len;
	char line[HTTP_LINE_MAX + 1]; /* the line so far, its CR included */
};

void http_head_init(struct http_head *h);

/* Feed bytes p[0..len). *used gets how many were consumed: all of them on
 * HTTP_HEAD_MORE; up to and including the final head's empty line on
 * HTTP_HEAD_DONE (the body starts at p + *used), h->resp then filled; up to
 * and including the offending byte on an error. 1xx interim heads (100
 * Continue, 103 Early Hints; not 101) are consumed and parsing goes on with
 * the next head. Once done or failed, every later call returns the same,
 * consuming nothing. */
int http_head_feed(struct http_head *h, const uint8_t *p, size_t len, size_t *used);

/* What an HTTP_E_* code means, in a few words ("chunk size over 2^63"). */
const char *http_strerror(int err);

#endif
