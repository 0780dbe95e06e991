/* Host tests for httpboot/http_parse.c: status lines, header fields and
 * their bounds, Content-Length, Transfer-Encoding, Connection, Location,
 * Content-Range, Accept-Ranges, 1xx interim heads, hostile heads, and the
 * same result whatever the split of the input across feeds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <http_parse.h>

static struct http_head head; /* 10 KiB: not on the stack */
static struct http_head head2;

/* A small deterministic generator for the random splits. */
static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Feed p[0..len) in pieces: step 0 all at once, step 1 byte by byte,
 * otherwise random pieces of 1..step bytes. The last result, and in
 * *used the bytes consumed over all feeds. */
static int feed_split(struct http_head *h, const void *p, size_t len, size_t step, uint32_t seed,
		      size_t *used)
{
	const uint8_t *b = p;
	size_t at = 0;
	int rc = HTTP_HEAD_MORE;

	http_head_init(h);
	*used = 0;
	while (at < len) {
		size_t n = len - at, u = 0;
		if (step == 1)
			n = 1;
		else if (step > 1 && n > 1 + rng_next(&seed) % step)
			n = 1 + seed % step;
		rc = http_head_feed(h, b + at, n, &u);
		assert_true(u <= n);
		*used += u;
		if (rc != HTTP_HEAD_MORE)
			return rc;
		assert_int_equal(u, n); /* MORE consumes everything given */
		at += n;
	}
	return rc;
}

/* The whole input at once; check that byte-by-byte and random splits give
 * the same result, consumed count and response. */
static int parse(const void *p, size_t len, size_t *used)
{
	int rc = feed_split(&head, p, len, 0, 0, used);

	for (size_t step = 1; step <= 64; step = step * 3 + 1) {
		for (uint32_t seed = 1; seed <= 3; seed++) {
			size_t used2;
			int rc2 = feed_split(&head2, p, len, step, seed * 2654435761u, &used2);
			if (rc2 != rc || used2 != *used)
				fail_msg("split %zu/%u gave %d after %zu bytes, whole %d after %zu",
					 step, seed, rc2, used2, rc, *used);
			if (rc == HTTP_HEAD_DONE)
				assert_memory_equal(&head.resp, &head2.resp, sizeof(head.resp));
			if (step == 1)
				break;
		}
	}
	return rc;
}

static int parse_str(const char *s)
{
	size_t used;
	int rc = parse(s, strlen(s), &used);

	if (rc == HTTP_HEAD_DONE)
		assert_int_equal(used, strlen(s)); /* these strings end with the head */
	return rc;
}

/* A head that must parse; its response. */
static const struct http_response *done(const char *s)
{
	int rc = parse_str(s);

	if (rc != HTTP_HEAD_DONE)
		fail_msg("%d (%s) for:\n%s", rc, rc < 0 ? http_strerror(rc) : "more", s);
	return &head.resp;
}

/* A head that must fail with err. */
static void refused(const char *s, int err)
{
	int rc = parse_str(s);

	if (rc != err)
		fail_msg("%d (%s), not %d (%s) for:\n%s", rc,
			 rc < 0 ? http_strerror(rc) : "not an error", err, http_strerror(err), s);
}

static void test_a_plain_200_with_a_length_leaves_the_body(void **state)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
				  "Server: nginx\r\n\r\nhello";
	size_t used;

	assert_int_equal(parse(msg, sizeof(msg) - 1, &used), HTTP_HEAD_DONE);
	assert_int_equal(used, sizeof(msg) - 1 - 5);
	assert_memory_equal(msg + used, "hello", 5);
	assert_int_equal(head.resp.status, 200);
	assert_int_equal(head.resp.minor, 1);
	assert_string_equal(head.resp.reason, "OK");
	assert_true(head.resp.has_length);
	assert_int_equal(head.resp.length, 5);
	assert_false(head.resp.chunked);
	assert_false(head.resp.close); /* HTTP/1.1: persistent by default */
	assert_string_equal(head.resp.location, "");
	assert_false(head.resp.has_range);
	assert_false(head.resp.accept_ranges);
}

static void test_bare_lf_ends_lines_and_blank_lines_before_the_status_are_skipped(void **state)
{
	const struct http_response *r = done("\r\n\nHTTP/1.1 404 Not Found\nContent-Length: 0\n\n");

	assert_int_equal(r->status, 404);
	assert_string_equal(r->reason, "Not Found");
	assert_true(r->has_length);
	assert_int_equal(r->length, 0);
}

static void test_status_lines(void **state)
{
	char longreason[200];

	assert_int_equal(done("HTTP/1.1 204\r\n\r\n")->status, 204); /* no reason, no SP */
	assert_string_equal(done("HTTP/1.1 204 \r\n\r\n")->reason, "");
	assert_string_equal(done("HTTP/1.0 500 Internal \x01 Error\r\n\r\n")->reason,
			    "Internal ? Error");
	assert_int_equal(done("HTTP/1.0 200 OK\r\n\r\n")->minor, 0);
	assert_int_equal(done("HTTP/1.9 599 X\r\n\r\n")->status, 599);
	snprintf(longreason, sizeof(longreason), "HTTP/1.1 200 %0150d\r\n\r\n", 7);
	assert_int_equal(strlen(done(longreason)->reason), HTTP_REASON_MAX - 1);

	refused("HTTP/1.1 20 OK\r\n\r\n", HTTP_E_STATUS_LINE);
	refused("HTTP/1.1 2000 OK\r\n\r\n", HTTP_E_STATUS_LINE);
	refused("HTTP/1.1  200 OK\r\n\r\n", HTTP_E_STATUS_LINE);
	refused("HTTP/1.1 200OK\r\n\r\n", HTTP_E_STATUS_LINE);
	refused("HTTP/1.1 2x0 OK\r\n\r\n", HTTP_E_STATUS_LINE);
	refused("HTTP/1.10 200 OK\r\n\r\n", HTTP_E_STATUS_LINE);
	refused("http/1.1 200 OK\r\n\r\n", HTTP_E_STATUS_LINE); /* HTTP-name is case-sensitive */
	refused("ICY 200 OK\r\n\r\n", HTTP_E_STATUS_LINE);
	refused("HTTP/1.1\r\n\r\n", HTTP_E_STATUS_LINE);
	refused("\x16\x03\x01\x02\x01\x01\xfc\x03\x03\n", HTTP_E_STATUS_LINE); /* TLS */
	refused("HTTP/2 200\r\n\r\n", HTTP_E_VERSION);
	refused("HTTP/2.0 200 OK\r\n\r\n", HTTP_E_VERSION);
	refused("HTTP/0.9 200 OK\r\n\r\n", HTTP_E_VERSION);
	refused("HTTP/1.1 099 Low\r\n\r\n", HTTP_E_STATUS_CODE);
	refused("HTTP/1.1 600 High\r\n\r\n", HTTP_E_STATUS_CODE);
}

static void test_field_names_ignore_case_and_values_lose_their_whitespace(void **state)
{
	const struct http_response *r =
		done("HTTP/1.1 200 OK\r\ncontent-LENGTH: \t 42 \t\r\nLOCATION:/x \r\n"
		     "X-Empty:\r\nX-Tab:\tv\r\n\r\n");

	assert_int_equal(r->length, 42);
	assert_string_equal(r->location, "/x");
}

static void test_malformed_field_lines_are_refused(void **state)
{
	refused("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", HTTP_E_OBS_FOLD);
	refused("HTTP/1.1 200 OK\r\nA: b\r\n\tc\r\n\r\n", HTTP_E_OBS_FOLD);
	refused("HTTP/1.1 200 OK\r\n X: y\r\n\r\n", HTTP_E_OBS_FOLD);
	refused("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", HTTP_E_HEADER);
	refused("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", HTTP_E_HEADER);
	refused("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", HTTP_E_HEADER);
	refused("HTTP/1.1 200 OK\r\nA(b): c\r\n\r\n", HTTP_E_HEADER);
	refused("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", HTTP_E_BARE_CR);
	refused("HTTP/1.1 200 OK\r\nA: b\r\r\n\r\n", HTTP_E_BARE_CR);
	refused("HTTP/1.1 200 OK\r\r\n\r\n", HTTP_E_BARE_CR);

	static const char nul[] = "HTTP/1.1 200 OK\r\nA: b\0c\r\n\r\n";
	size_t used;
	assert_int_equal(parse(nul, sizeof(nul) - 1, &used), HTTP_E_NUL);
	assert_int_equal(used, strlen("HTTP/1.1 200 OK\r\nA: b") + 4); /* to the LF */
}

static void test_content_length_rules(void **state)
{
	assert_int_equal(done("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n")
				 ->length,
			 UINT64_MAX);
	assert_int_equal(done("HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\n")->length, 7);
	/* identical duplicates, as fields or as a list, are one value */
	assert_int_equal(
		done("HTTP/1.1 200 OK\r\nContent-Length: 42\r\ncontent-length: 42\r\n\r\n")->length,
		42);
	assert_int_equal(done("HTTP/1.1 200 OK\r\nContent-Length: 42, 42\r\n\r\n")->length, 42);

	refused("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", HTTP_E_LENGTH);
	refused("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", HTTP_E_LENGTH);
	refused("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", HTTP_E_LENGTH);
	refused("HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", HTTP_E_LENGTH);
	refused("HTTP/1.1 200 OK\r\nContent-Length: 5.0\r\n\r\n", HTTP_E_LENGTH);
	refused("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", HTTP_E_LENGTH);
	refused("HTTP/1.1 200 OK\r\nContent-Length: ,\r\n\r\n", HTTP_E_LENGTH);
	refused("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n",
		HTTP_E_LENGTH_OVERFLOW);
	refused("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999\r\n\r\n",
		HTTP_E_LENGTH_OVERFLOW);
	refused("HTTP/1.1 200 OK\r\nContent-Length: 42\r\nContent-Length: 43\r\n\r\n",
		HTTP_E_LENGTH_CONFLICT);
	refused("HTTP/1.1 200 OK\r\nContent-Length: 42, 43\r\n\r\n", HTTP_E_LENGTH_CONFLICT);
}

static void test_transfer_encoding_takes_one_final_chunked_only(void **state)
{
	const struct http_response *r;

	r = done("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	assert_true(r->chunked);
	assert_false(r->has_length);
	assert_false(r->close);
	assert_true(done("HTTP/1.1 200 OK\r\nTransfer-Encoding: , Chunked ,\r\n\r\n")->chunked);

	/* RFC 9112 s.6.3 rule 3: chunked wins over a length, in either order, and
	 * the connection is not reused */
	r = done("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n");
	assert_true(r->chunked);
	assert_false(r->has_length);
	assert_true(r->close);
	r = done("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 10\r\n\r\n");
	assert_true(r->chunked);
	assert_false(r->has_length);
	assert_true(r->close);
	/* RFC 9112 s.6.1: in HTTP/1.0 it is faulty framing: never reused */
	assert_true(done("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n")
			    ->close);

	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", HTTP_E_CODING);
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", HTTP_E_CODING);
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", HTTP_E_CODING);
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
		HTTP_E_CODING);
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", HTTP_E_CODING);
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n", HTTP_E_CODING);
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", HTTP_E_CODING);
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n", HTTP_E_CODING);
}

static void test_connection_persistence(void **state)
{
	assert_true(done("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")->close);
	assert_true(done("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\n\r\n")->close);
	assert_false(done("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n")->close);
	assert_false(done("HTTP/1.1 200 OK\r\nConnection: closed\r\n\r\n")->close);
	assert_true(done("HTTP/1.0 200 OK\r\n\r\n")->close); /* 1.0 closes by default */
	assert_false(done("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n")->close);
	assert_true(done("HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n\r\n")->close);
}

static void test_location_is_reported_as_sent_and_bounded(void **state)
{
	char big[HTTP_LOCATION_MAX + 64];

	/* any scheme: the parser reports, the client decides */
	assert_string_equal(done("HTTP/1.1 302 Found\r\nLocation: ftp://evil/x\r\n\r\n")->location,
			    "ftp://evil/x");
	assert_string_equal(done("HTTP/1.1 301 Moved\r\nLocation: ../k?a=b\r\n"
				 "Location: ../k?a=b\r\n\r\n")
				    ->location,
			    "../k?a=b");
	refused("HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation: /b\r\n\r\n",
		HTTP_E_LOCATION_CONFLICT);

	int n = snprintf(big, sizeof(big), "HTTP/1.1 302 Found\r\nLocation: /%0*d\r\n\r\n",
			 HTTP_LOCATION_MAX - 2, 0); /* 2047 bytes: fits with its NUL */
	assert_true(n < (int)sizeof(big));
	assert_int_equal(strlen(done(big)->location), HTTP_LOCATION_MAX - 1);
	snprintf(big, sizeof(big), "HTTP/1.1 302 Found\r\nLocation: /%0*d\r\n\r\n",
		 HTTP_LOCATION_MAX - 1, 0);
	refused(big, HTTP_E_LOCATION_TOO_LONG);
}

static void test_content_range_and_accept_ranges(void **state)
{
	const struct http_response *r;

	r = done("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-199/1000\r\n"
		 "Accept-Ranges: bytes\r\n\r\n");
	assert_true(r->has_range);
	assert_int_equal(r->range_first, 100);
	assert_int_equal(r->range_last, 199);
	assert_int_equal(r->range_total, 1000);
	assert_true(r->accept_ranges);

	r = done("HTTP/1.1 206 Partial Content\r\nContent-Range: BYTES 5-5/*\r\n\r\n");
	assert_true(r->has_range);
	assert_int_equal(r->range_first, 5);
	assert_int_equal(r->range_total, UINT64_MAX);
	r = done("HTTP/1.1 206 Partial Content\r\n"
		 "Content-Range: bytes 0-18446744073709551614/18446744073709551615\r\n\r\n");
	assert_int_equal(r->range_last, UINT64_MAX - 1);
	r = done("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */1000\r\n\r\n");
	assert_false(r->has_range);
	assert_false(done("HTTP/1.1 200 OK\r\nAccept-Ranges: none\r\n\r\n")->accept_ranges);
	assert_true(done("HTTP/1.1 200 OK\r\nAccept-Ranges: none, Bytes\r\n\r\n")->accept_ranges);
	assert_true(done("HTTP/1.1 206 X\r\nContent-Range: bytes 1-2/3\r\n"
			 "Content-Range: bytes 1-2/3\r\n\r\n")
			    ->has_range);

	static const char *const bad[] = {
		"bytes 5-4/10",	 /* first past last */
		"bytes 0-10/10", /* last past the end */
		"bytes 0-1",	 "items 0-1/2", "bytes 0-1/",	"bytes -1/2",
		"bytes 0--1/2",	 "bytes 0-1/2x", "bytes  0-1/2", "bytes 0 - 1/2",
		"bytes 0-18446744073709551616/*", "bytes */", "bytes */x", "bytes", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char msg[128];
		snprintf(msg, sizeof(msg), "HTTP/1.1 206 X\r\nContent-Range: %s\r\n\r\n", bad[i]);
		refused(msg, HTTP_E_RANGE);
	}
	refused("HTTP/1.1 206 X\r\nContent-Range: bytes 1-2/3\r\n"
		"Content-Range: bytes 0-2/3\r\n\r\n",
		HTTP_E_RANGE_CONFLICT);
}

static void test_interim_heads_are_skipped_but_101_is_final(void **state)
{
	static const char msg[] = "HTTP/1.1 100 Continue\r\n\r\n"
				  "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n"
				  "Content-Length: garbage\r\n\r\n"
				  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
	size_t used;

	assert_int_equal(parse(msg, sizeof(msg) - 1, &used), HTTP_HEAD_DONE);
	assert_int_equal(used, sizeof(msg) - 1 - 3);
	assert_int_equal(head.resp.status, 200);
	assert_int_equal(head.resp.length, 3);

	assert_int_equal(done("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n")->status,
			 101);
	refused("HTTP/1.1 100 Continue\r\n\r\nHTTP/2 200\r\n\r\n", HTTP_E_VERSION);
}

static void test_endless_interim_heads_end_in_an_error(void **state)
{
	static char buf[HTTP_HEAD_MAX + 64];
	const char *one = "HTTP/1.1 100 Continue\r\n\r\n";
	size_t n = 0, used;

	while (n + strlen(one) < sizeof(buf)) {
		memcpy(buf + n, one, strlen(one));
		n += strlen(one);
	}
	assert_int_equal(parse(buf, n, &used), HTTP_E_HEAD_TOO_LONG);
	assert_int_equal(used, HTTP_HEAD_MAX + 1); /* stopped at the first byte too many */
}

static void test_an_endless_header_ends_in_an_error(void **state)
{
	static char buf[HTTP_HEAD_MAX * 2];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\n"), used;

	while (n + 16 < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X-Again: 123\r\n");
	assert_int_equal(parse(buf, n, &used), HTTP_E_HEAD_TOO_LONG);
	assert_int_equal(used, HTTP_HEAD_MAX + 1);
	/* the error stays, and nothing more is consumed */
	assert_int_equal(http_head_feed(&head, (const uint8_t *)"\r\n", 2, &used),
			 HTTP_E_HEAD_TOO_LONG);
	assert_int_equal(used, 0);
}

static void test_a_line_without_end_is_refused_at_its_bound(void **state)
{
	static char buf[HTTP_LINE_MAX + 128];
	size_t pre = strlen("HTTP/1.1 200 OK\r\nX: "), used;

	/* exactly HTTP_LINE_MAX bytes before the CRLF: taken */
	memcpy(buf, "HTTP/1.1 200 OK\r\nX: ", pre);
	memset(buf + pre, 'a', HTTP_LINE_MAX - 3);
	memcpy(buf + pre + HTTP_LINE_MAX - 3, "\r\n\r\n", 4);
	assert_int_equal(parse(buf, pre + HTTP_LINE_MAX - 3 + 4, &used), HTTP_HEAD_DONE);
	/* the same with bare LF */
	memcpy(buf + pre + HTTP_LINE_MAX - 3, "\n\n", 2);
	assert_int_equal(parse(buf, pre + HTTP_LINE_MAX - 3 + 2, &used), HTTP_HEAD_DONE);
	/* one more: refused at that byte, whatever follows */
	memset(buf + pre, 'a', sizeof(buf) - pre);
	assert_int_equal(parse(buf, sizeof(buf), &used), HTTP_E_LINE_TOO_LONG);
	assert_int_equal(used, strlen("HTTP/1.1 200 OK\r\n") + HTTP_LINE_MAX + 1);
	memcpy(buf + pre + HTTP_LINE_MAX - 2, "\r\n\r\n", 4);
	assert_int_equal(parse(buf, pre + HTTP_LINE_MAX - 2 + 4, &used), HTTP_E_LINE_TOO_LONG);
	/* a status line too */
	memset(buf, 'H', sizeof(buf));
	assert_int_equal(parse(buf, sizeof(buf), &used), HTTP_E_LINE_TOO_LONG);
}

static void test_done_is_sticky_and_consumes_nothing_more(void **state)
{
	const char *msg = "HTTP/1.1 200 OK\r\n\r\n";
	size_t used;

	http_head_init(&head);
	assert_int_equal(http_head_feed(&head, (const uint8_t *)msg, strlen(msg), &used),
			 HTTP_HEAD_DONE);
	assert_int_equal(used, strlen(msg));
	assert_int_equal(http_head_feed(&head, (const uint8_t *)msg, strlen(msg), &used),
			 HTTP_HEAD_DONE);
	assert_int_equal(used, 0);
	assert_int_equal(head.resp.status, 200);
	/* an empty feed before the end asks for more */
	http_head_init(&head);
	assert_int_equal(http_head_feed(&head, NULL, 0, &used), HTTP_HEAD_MORE);
	assert_int_equal(used, 0);
}

static void test_random_heads_split_anywhere_agree(void **state)
{
	static const char *const parts[] = {
		"HTTP/1.1 200 OK\r\n", "HTTP/1.0 302 F\n", "Content-Length: 12\r\n",
		"Transfer-Encoding: chunked\r\n", "Connection: close\n", "Location: /a/b\r\n",
		"Content-Range: bytes 1-2/9\r\n", "Accept-Ranges: bytes\r\n", "X: \r\n",
		"HTTP/1.1 100 Continue\r\n", "\r\n", "\n", " fold\r\n", "bad\r\n", "\r", "Y:\0\n",
		"Content-Length: 13\r\n",
	};
	uint32_t seed = 12345;
	char buf[512];

	for (int round = 0; round < 400; round++) {
		size_t n = 0, used;
		int k = 1 + (int)(rng_next(&seed) % 8);
		for (int j = 0; j < k; j++) {
			const char *s = parts[rng_next(&seed) % (sizeof(parts) / sizeof(parts[0]))];
			size_t l = s[0] == 'Y' ? 4 : strlen(s); /* "Y:\0\n" holds a NUL */
			memcpy(buf + n, s, l);
			n += l;
		}
		parse(buf, n, &used); /* parse() fails the test if the splits disagree */
		assert_true(used <= n);
	}
}

static void test_every_error_has_its_own_message(void **state)
{
	for (int e = HTTP_E_STATUS_LINE; e >= HTTP_E_TRAILER_TOO_LONG; e--) {
		const char *m = http_strerror(e);
		assert_non_null(m);
		assert_null(strstr(m, "unknown"));
		for (int f = HTTP_E_STATUS_LINE; f > e; f--)
			assert_string_not_equal(m, http_strerror(f));
	}
	assert_non_null(strstr(http_strerror(-999), "unknown"));
	assert_non_null(strstr(http_strerror(HTTP_E_LENGTH_OVERFLOW), "Content-Length"));
	assert_non_null(strstr(http_strerror(HTTP_E_CHUNK_TOO_BIG), "2^63"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_plain_200_with_a_length_leaves_the_body),
	    cmocka_unit_test(test_bare_lf_ends_lines_and_blank_lines_before_the_status_are_skipped),
	    cmocka_unit_test(test_status_lines),
	    cmocka_unit_test(test_field_names_ignore_case_and_values_lose_their_whitespace),
	    cmocka_unit_test(test_malformed_field_lines_are_refused),
	    cmocka_unit_test(test_content_length_rules),
	    cmocka_unit_test(test_transfer_encoding_takes_one_final_chunked_only),
	    cmocka_unit_test(test_connection_persistence),
	    cmocka_unit_test(test_location_is_reported_as_sent_and_bounded),
	    cmocka_unit_test(test_content_range_and_accept_ranges),
	    cmocka_unit_test(test_interim_heads_are_skipped_but_101_is_final),
	    cmocka_unit_test(test_endless_interim_heads_end_in_an_error),
	    cmocka_unit_test(test_an_endless_header_ends_in_an_error),
	    cmocka_unit_test(test_a_line_without_end_is_refused_at_its_bound),
	    cmocka_unit_test(test_done_is_sticky_and_consumes_nothing_more),
	    cmocka_unit_test(test_random_heads_split_anywhere_agree),
	    cmocka_unit_test(test_every_error_has_its_own_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
