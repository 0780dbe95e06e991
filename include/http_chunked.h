/* The chunked transfer coding (httpboot/http_chunked.c, pure: RFC 9112
 * s.7.1): an incremental decoder fed the body's wire bytes, split anywhere,
 * that points at the data inside them rather than copying it. Errors are
 * http_parse.h's negative HTTP_E_* codes. */
#ifndef WB_HTTP_CHUNKED_H
#define WB_HTTP_CHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <http_parse.h>

#define HTTP_CHUNK_LINE_MAX 4096		 /* a chunk-size line with its extensions */
#define HTTP_CHUNK_SIZE_MAX (UINT64_C(1) << 63) /* larger chunk sizes are errors */

/* Data bytes found in the wire bytes given (a pointer into them). */
struct http_span {
	const uint8_t *p;
	size_t len;
};

/* The decoder's state; http_chunked_init sets it up. */
struct http_chunked {
	int state;	     /* size, extensions, data, CRLF, trailer (http_chunked.c) */
	int err;	     /* the first error, returned again by every later feed */
	bool done;	     /* the last chunk and the trailer section are read */
	bool cr;	     /* the byte before was a CR (in the trailer) */
	bool digits;	     /* the chunk-size line has a hex digit */
	uint64_t size;	     /* the chunk size being read */
	uint64_t left;	     /* data bytes left in the current chunk */
	size_t line_len;     /* bytes of the current chunk-size or trailer line */
	size_t trailer_len;  /* bytes of the trailer section so far */
	uint64_t total;	     /* data bytes reported so far */
};

void http_chunked_init(struct http_chunked *c);

/* Feed wire bytes p[0..len); the data bytes among them are reported as at
 * most cap spans (pointers into p) through out, their number in *nout.
 * Returns the bytes of p consumed (all of them unless the cap-th span was
 * given or the body ended: bytes after the last CRLF are never consumed),
 * or a negative HTTP_E_* (spans found before it are still in out/nout).
 * c->done turns true with the trailer section's empty line, and stays; a
 * feed after it or after an error consumes nothing. cap must be at least 1
 * for data to move. */
long http_chunked_feed(struct http_chunked *c, const uint8_t *p, size_t len,
		       struct http_span *out, size_t cap, size_t *nout);

#endif
