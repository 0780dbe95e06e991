/* Host tests for httpboot/http_chunked.c: chunk sizes, extensions, the
 * CRLF after data, the last chunk and its trailers, hostile sizes and
 * lines, bytes after the end left alone, the span cap, and the same data
 * whatever the split of the input across feeds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <http_chunked.h>

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* What a run of feeds gave: the data, the consumed count, error and done. */
struct run {
	uint8_t data[1 << 17];
	size_t data_len;
	size_t used;
	int err;
	bool done;
};

static struct run whole, split;

/* Feed p[0..len) in pieces (step 0 all at once, 1 byte by byte, otherwise
 * random pieces of 1..step bytes) with at most cap spans a call, into r.
 * Checks that spans lie in the piece given and consumed <= given. */
static void run_feed(struct run *r, const void *p, size_t len, size_t step, uint32_t seed,
		     size_t cap)
{
	const uint8_t *b = p;
	struct http_chunked c;
	struct http_span spans[8];
	size_t at = 0;

	memset(r, 0, sizeof(*r));
	http_chunked_init(&c);
	while (at < len && !c.done) {
		size_t n = len - at, nout = 99;
		if (step == 1)
			n = 1;
		else if (step > 1 && n > 1 + rng_next(&seed) % step)
			n = 1 + seed % step;
		long got = http_chunked_feed(&c, b + at, n, spans, cap, &nout);
		assert_true(nout <= cap);
		for (size_t k = 0; k < nout; k++) {
			assert_true(spans[k].len > 0);
			assert_true(spans[k].p >= b + at);
			assert_true(spans[k].p + spans[k].len <= b + at + n);
			assert_true(r->data_len + spans[k].len <= sizeof(r->data));
			memcpy(r->data + r->data_len, spans[k].p, spans[k].len);
			r->data_len += spans[k].len;
		}
		if (got < 0) {
			r->err = (int)got;
			assert_int_equal(c.err, got);
			return;
		}
		assert_true((size_t)got <= n);
		if ((size_t)got < n && !c.done)
			assert_int_equal(nout, cap); /* it stops early only with the spans full */
		at += (size_t)got;
		r->used += (size_t)got;
	}
	r->done = c.done;
	assert_int_equal(c.total, r->data_len);
}

/* Decode all at once (cap 8), then check that byte-by-byte and random
 * splits with caps 1..3 give the same data, count, error and end. */
static struct run *decode(const void *p, size_t len)
{
	run_feed(&whole, p, len, 0, 0, 8);
	for (size_t step = 1; step <= 40; step = step * 3 + 1)
		for (size_t cap = 1; cap <= 3; cap++) {
			run_feed(&split, p, len, step, (uint32_t)(step * 7919 + cap), cap);
			if (split.err != whole.err || split.done != whole.done ||
			    split.data_len != whole.data_len ||
			    memcmp(split.data, whole.data, whole.data_len) ||
			    (!whole.err && split.used != whole.used))
				fail_msg("split %zu cap %zu: err %d done %d data %zu used %zu; "
					 "whole: err %d done %d data %zu used %zu",
					 step, cap, split.err, split.done, split.data_len,
					 split.used, whole.err, whole.done, whole.data_len,
					 whole.used);
		}
	return &whole;
}

static struct run *decode_str(const char *s)
{
	return decode(s, strlen(s));
}

/* A body that must decode to want, consuming all of s. */
static void decodes_to(const char *s, const char *want)
{
	struct run *r = decode_str(s);

	if (r->err)
		fail_msg("%s for %s", http_strerror(r->err), s);
	assert_true(r->done);
	assert_int_equal(r->used, strlen(s));
	assert_int_equal(r->data_len, strlen(want));
	assert_memory_equal(r->data, want, strlen(want));
}

static void refused(const char *s, int err)
{
	struct run *r = decode_str(s);

	if (r->err != err)
		fail_msg("%d (%s), not %d (%s) for %s", r->err,
			 r->err ? http_strerror(r->err) : "no error", err, http_strerror(err), s);
	assert_false(r->done);
}

static void test_chunks_decode_to_their_data(void **state)
{
	decodes_to("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world");
	decodes_to("0\r\n\r\n", "");
	decodes_to("a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij");
	decodes_to("00000005\r\nhello\r\n000\r\n\r\n", "hello"); /* leading zeros */
	decodes_to("1\r\n\r\r\n1\r\n\n\r\n0\r\n\r\n", "\r\n"); /* CR and LF as data */
}

static void test_bare_lf_ends_lines(void **state)
{
	decodes_to("5\nhello\n0\n\n", "hello");
	decodes_to("5\r\nhello\n0\n\r\n", "hello");
}

static void test_extensions_are_ignored(void **state)
{
	decodes_to("5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello");
	decodes_to("5 ; a=\"q;\\\"x\" ;b\r\nhello\r\n0\t\r\n\r\n", "hello");
	decodes_to("3\t;x\r\nabc\r\n0 \r\n\r\n", "abc");
}

static void test_trailers_are_read_and_ignored(void **state)
{
	decodes_to("3\r\nabc\r\n0\r\nX-Checksum: 42\r\nY: z\r\n\r\n", "abc");
	decodes_to("3\r\nabc\r\n0\nX: 1\n\n", "abc");
}

static void test_bytes_after_the_end_are_not_consumed(void **state)
{
	const char *body = "3\r\nabc\r\n0\r\n\r\n";
	char msg[128];

	snprintf(msg, sizeof(msg), "%sHTTP/1.1 200 OK\r\n\r\n", body);
	struct run *r = decode_str(msg);
	assert_int_equal(r->err, 0);
	assert_true(r->done);
	assert_int_equal(r->used, strlen(body));

	/* done stays, and a later feed consumes nothing */
	struct http_chunked c;
	struct http_span sp[2];
	size_t nout = 9;
	http_chunked_init(&c);
	assert_int_equal(http_chunked_feed(&c, (const uint8_t *)msg, strlen(msg), sp, 2, &nout),
			 (long)strlen(body));
	assert_true(c.done);
	assert_int_equal(http_chunked_feed(&c, (const uint8_t *)"1\r\nx\r\n", 6, sp, 2, &nout), 0);
	assert_int_equal(nout, 0);
	assert_true(c.done);
}

static void test_malformed_size_lines_are_refused(void **state)
{
	refused("\r\nhello\r\n", HTTP_E_CHUNK_SIZE); /* no digits */
	refused(";x\r\n", HTTP_E_CHUNK_SIZE);
	refused(" 5\r\nhello\r\n", HTTP_E_CHUNK_SIZE);
	refused("g\r\n", HTTP_E_CHUNK_SIZE);
	refused("5x\r\nhello\r\n", HTTP_E_CHUNK_SIZE);
	refused("-5\r\n", HTTP_E_CHUNK_SIZE); /* a negative length */
	refused("0x5\r\n", HTTP_E_CHUNK_SIZE);
	refused("5 5\r\n", HTTP_E_CHUNK_SIZE);
	refused("5\rX", HTTP_E_CHUNK_SIZE);
	refused("5;x\rhello", HTTP_E_CHUNK_SIZE);
}

static void test_a_missing_crlf_after_data_is_refused(void **state)
{
	refused("5\r\nhelloX\r\n0\r\n\r\n", HTTP_E_CHUNK_CRLF); /* more data than the size */
	refused("5\r\nhello\rX", HTTP_E_CHUNK_CRLF);
	refused("5\r\nhello0\r\n\r\n", HTTP_E_CHUNK_CRLF);

	/* the data before the error was still handed out */
	struct run *r = decode_str("5\r\nhelloX");
	assert_int_equal(r->err, HTTP_E_CHUNK_CRLF);
	assert_int_equal(r->data_len, 5);
}

static void test_huge_chunk_sizes_are_refused(void **state)
{
	refused("FFFFFFFFFFFFFFFF\r\n", HTTP_E_CHUNK_TOO_BIG); /* 2^64-1 */
	refused("ffffffffffffffff;x\r\n", HTTP_E_CHUNK_TOO_BIG);
	refused("8000000000000001\r\n", HTTP_E_CHUNK_TOO_BIG); /* 2^63 + 1 */
	refused("10000000000000000\r\n", HTTP_E_CHUNK_TOO_BIG); /* 2^64: would wrap to 0 */
	refused("100000000000000000000000000000005\r\n", HTTP_E_CHUNK_TOO_BIG);

	/* 2^63 itself is a size (the memory check is the client's) */
	struct http_chunked c;
	struct http_span sp[1];
	size_t nout;
	const char *s = "8000000000000000\r\nabc";
	http_chunked_init(&c);
	assert_int_equal(http_chunked_feed(&c, (const uint8_t *)s, strlen(s), sp, 1, &nout),
			 (long)strlen(s));
	assert_int_equal(nout, 1);
	assert_int_equal(sp[0].len, 3);
	assert_int_equal(c.left, HTTP_CHUNK_SIZE_MAX - 3);
}

static void test_endless_lines_are_refused_at_their_bound(void **state)
{
	static char buf[HTTP_HEAD_MAX + HTTP_LINE_MAX * 2];
	struct run *r;

	/* leading zeros forever */
	memset(buf, '0', HTTP_CHUNK_LINE_MAX);
	memcpy(buf + HTTP_CHUNK_LINE_MAX, "\r\n\r\n", 4);
	r = decode(buf, HTTP_CHUNK_LINE_MAX + 4);
	assert_int_equal(r->err, 0); /* exactly the bound: the last chunk */
	assert_true(r->done);
	memset(buf, '0', HTTP_CHUNK_LINE_MAX + 1);
	memcpy(buf + HTTP_CHUNK_LINE_MAX + 1, "\r\n\r\n", 4);
	assert_int_equal(decode(buf, HTTP_CHUNK_LINE_MAX + 5)->err, HTTP_E_CHUNK_LINE_TOO_LONG);

	/* an extension without end */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "5;", 2);
	assert_int_equal(decode(buf, sizeof(buf))->err, HTTP_E_CHUNK_LINE_TOO_LONG);

	/* a trailer line without end */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "0\r\nX: ", 6);
	assert_int_equal(decode(buf, sizeof(buf))->err, HTTP_E_TRAILER_TOO_LONG);

	/* endless trailer lines */
	size_t n = 3;
	memcpy(buf, "0\r\n", 3);
	while (n + 16 < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X-Again: 12\r\n");
	r = decode(buf, n);
	assert_int_equal(r->err, HTTP_E_TRAILER_TOO_LONG);
	refused("0\r\nX: 1\ry\r\n\r\n", HTTP_E_TRAILER);
	refused("0\r\n\r\r\n", HTTP_E_TRAILER);
}

static void test_the_span_cap_stops_a_feed_and_the_next_goes_on(void **state)
{
	const char *s = "1\r\na\r\n2\r\nbc\r\n3\r\ndef\r\n0\r\n\r\n";
	struct http_chunked c;
	struct http_span sp[1];
	size_t nout, at = 0;
	char got[8] = { 0 };
	size_t g = 0;

	http_chunked_init(&c);
	for (int calls = 0; !c.done; calls++) {
		assert_true(calls < 5);
		long n = http_chunked_feed(&c, (const uint8_t *)s + at, strlen(s) - at, sp, 1,
					   &nout);
		assert_true(n > 0);
		assert_int_equal(nout, 1);
		memcpy(got + g, sp[0].p, sp[0].len);
		g += sp[0].len;
		at += (size_t)n;
	}
	assert_string_equal(got, "abcdef");
	assert_int_equal(at, strlen(s));

	/* cap 0: no data moves, nothing past it is consumed */
	http_chunked_init(&c);
	assert_int_equal(http_chunked_feed(&c, (const uint8_t *)s, strlen(s), sp, 0, &nout), 3);
	assert_int_equal(nout, 0);
}

static void test_errors_are_sticky(void **state)
{
	struct http_chunked c;
	struct http_span sp[1];
	size_t nout;

	http_chunked_init(&c);
	assert_int_equal(http_chunked_feed(&c, (const uint8_t *)"zz", 2, sp, 1, &nout),
			 HTTP_E_CHUNK_SIZE);
	assert_int_equal(http_chunked_feed(&c, (const uint8_t *)"0\r\n\r\n", 5, sp, 1, &nout),
			 HTTP_E_CHUNK_SIZE);
	assert_false(c.done);
	assert_int_equal(nout, 0);
}

static void test_random_bodies_split_anywhere_agree(void **state)
{
	static const char *const parts[] = {
		"5\r\nhello\r\n", "1\nx\n", "3;e=1\r\nabc\r\n", "0\r\n", "\r\n", "X: y\r\n",
		"a\r\n0123456789\r\n", "f", "\r", "\n", "zz", "2 \r\nab\r\n", "0;z\n\n",
	};
	uint32_t seed = 777;
	char buf[512];

	for (int round = 0; round < 400; round++) {
		size_t n = 0;
		int k = 1 + (int)(rng_next(&seed) % 10);
		for (int j = 0; j < k; j++) {
			const char *s = parts[rng_next(&seed) % (sizeof(parts) / sizeof(parts[0]))];
			memcpy(buf + n, s, strlen(s));
			n += strlen(s);
		}
		decode(buf, n); /* fails the test if the splits disagree */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chunks_decode_to_their_data),
	    cmocka_unit_test(test_bare_lf_ends_lines),
	    cmocka_unit_test(test_extensions_are_ignored),
	    cmocka_unit_test(test_trailers_are_read_and_ignored),
	    cmocka_unit_test(test_bytes_after_the_end_are_not_consumed),
	    cmocka_unit_test(test_malformed_size_lines_are_refused),
	    cmocka_unit_test(test_a_missing_crlf_after_data_is_refused),
	    cmocka_unit_test(test_huge_chunk_sizes_are_refused),
	    cmocka_unit_test(test_endless_lines_are_refused_at_their_bound),
	    cmocka_unit_test(test_the_span_cap_stops_a_feed_and_the_next_goes_on),
	    cmocka_unit_test(test_errors_are_sticky),
	    cmocka_unit_test(test_random_bodies_split_anywhere_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
