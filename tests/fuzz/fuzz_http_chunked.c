/* libFuzzer target for httpboot/http_chunked.c. The input's first byte
 * picks the span cap (1-4) of the split run, the next 4 seed its split;
 * the rest is the body as sent. The decoder runs over it twice: all at
 * once (8 spans a call), and in pieces of random sizes with the small cap.
 * Both must agree (data, bytes consumed, error, end); spans must lie inside
 * the piece given, be non-empty and no more than cap; a feed consumes no
 * more than given, and stops short only when its spans are full or the
 * body ended (on an LF); done and errors stay and consume nothing. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <http_chunked.h>

#define DATA_MAX (1 << 20)

struct result {
	uint8_t data[DATA_MAX];
	size_t data_len, used;
	int err;
	bool done;
	struct http_chunked c;
};

static struct result whole, split;

static void fail(const char *why)
{
	fprintf(stderr, "http_chunked: %s\n", why);
	abort();
}

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Decode p[0..len) in pieces of at most max bytes (0: all at once). */
static void run(struct result *r, const uint8_t *p, size_t len, uint32_t seed, size_t max,
		size_t cap)
{
	struct http_span spans[8];
	size_t at = 0;

	r->data_len = r->used = 0;
	r->err = 0;
	http_chunked_init(&r->c);
	while (at < len && !r->c.done) {
		size_t n = len - at, nout = 77;
		if (max && n > 1)
			n = 1 + rng_next(&seed) % (n < max ? n : max);
		long got = http_chunked_feed(&r->c, p + at, n, spans, cap, &nout);
		if (nout > cap)
			fail("more spans than cap");
		for (size_t k = 0; k < nout; k++) {
			if (!spans[k].len || spans[k].p < p + at ||
			    spans[k].p + spans[k].len > p + at + n)
				fail("a span empty or outside the piece given");
			if (r->data_len + spans[k].len > DATA_MAX)
				fail("more data than the input");
			memcpy(r->data + r->data_len, spans[k].p, spans[k].len);
			r->data_len += spans[k].len;
		}
		if (got < 0) {
			r->err = (int)got;
			if (r->c.err != r->err || r->c.done)
				fail("an error not kept");
			return;
		}
		if ((size_t)got > n)
			fail("consumed more than given");
		if ((size_t)got < n && !r->c.done && nout != cap)
			fail("stopped short with room for spans");
		if (r->c.done && (!got || p[at + (size_t)got - 1] != '\n'))
			fail("the body ended elsewhere than on an LF");
		if (!got && !r->c.done)
			fail("no progress");
		at += (size_t)got;
		r->used += (size_t)got;
	}
	if (r->c.total != r->data_len)
		fail("total is not the data handed out");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = 1;
	uint32_t seed = 1;

	if (size >= 5) {
		cap = 1 + data[0] % 4;
		memcpy(&seed, data + 1, 4);
		seed |= 1;
		data += 5;
		size -= 5;
	}
	run(&whole, data, size, 0, 0, 8);
	run(&split, data, size, seed, 1 + seed % 61, cap);
	if (whole.err != split.err || whole.done != split.done ||
	    whole.data_len != split.data_len || memcmp(whole.data, split.data, whole.data_len))
		fail("a split changed the result");
	if (!whole.err && whole.used != split.used)
		fail("a split changed the bytes consumed");
	if (whole.err && (!http_strerror(whole.err) || strstr(http_strerror(whole.err), "unknown")))
		fail("an error without its message");
	if (whole.done || whole.err) {
		struct http_span sp[1];
		size_t nout = 5;
		long again = http_chunked_feed(&whole.c, data, size, sp, 1, &nout);
		if (again != (whole.err ? whole.err : 0) || nout)
			fail("done or failed did not stay");
	}
	return 0;
}
