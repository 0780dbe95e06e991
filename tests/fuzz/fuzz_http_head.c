/* libFuzzer target for httpboot/http_parse.c. The input's first 4 bytes
 * seed the split, the rest is what the server sent. The head parser runs
 * over it twice: all at once, and in pieces of random sizes drawn from the
 * seed. Both must agree (result, bytes consumed, response); each feed must
 * consume no more than it was given, all of it while asking for more; a
 * finished head ends with an LF; done and errors stay and consume nothing;
 * a final response's fields must hold together. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <http_parse.h>

static struct http_head whole, split;

static void fail(const char *why)
{
	fprintf(stderr, "http_head: %s\n", why);
	abort();
}

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Feed p[0..len) in pieces of at most max bytes (0: all at once). */
static int run(struct http_head *h, const uint8_t *p, size_t len, uint32_t seed, size_t max,
	       size_t *used)
{
	size_t at = 0;
	int rc = HTTP_HEAD_MORE;

	http_head_init(h);
	*used = 0;
	do {
		size_t n = len - at, u = 12345;
		if (max && n > 1)
			n = 1 + rng_next(&seed) % (n < max ? n : max);
		rc = http_head_feed(h, p + at, n, &u);
		if (u > n)
			fail("consumed more than given");
		if (rc == HTTP_HEAD_MORE && u != n)
			fail("asked for more without consuming everything");
		*used += u;
		at += n;
	} while (rc == HTTP_HEAD_MORE && at < len);
	return rc;
}

static void check_response(const struct http_response *r)
{
	if (r->status < 100 || r->status > 599 || (r->status < 200 && r->status != 101))
		fail("a final status outside 101, 200-599");
	if (r->minor < 0 || r->minor > 9)
		fail("minor version not one digit");
	if (!memchr(r->reason, 0, sizeof(r->reason)) ||
	    !memchr(r->location, 0, sizeof(r->location)))
		fail("reason or location without its NUL");
	for (const char *c = r->reason; *c; c++)
		if (*c < ' ' || *c == 0x7f)
			fail("a control character in the reason");
	if (r->chunked && r->has_length)
		fail("both chunked and a length");
	if (r->chunked && r->minor == 0 && !r->close)
		fail("chunked HTTP/1.0 response kept open");
	if (r->has_range && (r->range_first > r->range_last ||
			     (r->range_total != UINT64_MAX && r->range_last >= r->range_total)))
		fail("a Content-Range out of order");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seed = 1;
	size_t used, used2;

	if (size >= 4) {
		memcpy(&seed, data, 4);
		seed |= 1;
		data += 4;
		size -= 4;
	}
	int rc = run(&whole, data, size, 0, 0, &used);
	int rc2 = run(&split, data, size, seed, 1 + seed % 67, &used2);
	if (rc != rc2 || used != used2)
		fail("a split changed the result");
	if (rc == HTTP_HEAD_MORE && used != size)
		fail("more wanted with bytes left over");
	if (rc == HTTP_HEAD_DONE) {
		if (memcmp(&whole.resp, &split.resp, sizeof(whole.resp)))
			fail("a split changed the response");
		if (!used || data[used - 1] != '\n')
			fail("a head that does not end with LF");
		check_response(&whole.resp);
	}
	if (rc < 0 && (!http_strerror(rc) || strstr(http_strerror(rc), "unknown")))
		fail("an error without its message");
	if (rc != HTTP_HEAD_MORE) {
		size_t u = 99;
		if (http_head_feed(&whole, data, size, &u) != rc || u)
			fail("done or failed did not stay");
	}
	return 0;
}
