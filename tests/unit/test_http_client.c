/* The HTTP client's pure part (httpboot/http_client.c): request text, and
 * whole GETs against a scripted server behind a fake transport: bodies by
 * Content-Length, chunked and close, bytes split at every boundary,
 * redirects (relative, absolute, loops, other schemes, too many), status
 * errors, keep-alive, resumes with Range (honoured, ignored, answered
 * wrongly, too many, counted only while they make no progress, a server
 * that is away for a while), bodies longer or shorter than announced,
 * stalls, a kept connection the server closed, files larger than memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <http.h>

#ifndef WB_VERSION
#define WB_VERSION "unknown" /* as http_client.c says without the build's version */
#endif

/* ---- a scripted server ---- */

#define MAX_STEPS 16

/* What the server does with one request: send wire (fed in pieces of
 * split bytes, 0: all at once), then end the connection as io says when
 * the client still waits. */
struct step {
	const uint8_t *wire;
	size_t len;
	enum http_io end;
	size_t split;
	bool heap; /* wire was malloc'd by the test */
};

struct fake {
	struct step steps[MAX_STEPS];
	size_t nsteps, next;
	char requests[MAX_STEPS][HTTP_REQUEST_MAX];
	size_t nreq;
	char hosts[MAX_STEPS][FETCH_HOST_LEN];
	uint16_t ports[MAX_STEPS];
	bool open_conn; /* a kept connection exists */
	char conn_host[FETCH_HOST_LEN];
	uint16_t conn_port;
	unsigned opens, fresh_opens, reuses, keeps, closes, aborts, grows;
	bool open_fails;
	unsigned away;		 /* opens refused (or timed out) before the server is back */
	enum fetch_err away_err; /* how: FETCH_REFUSED or FETCH_TIMEOUT */
	uint64_t clock, pauses;	 /* a fake clock in ms, moved by pauses and timeouts */
	char notes[8][256];
	size_t nnotes;
};

static struct fake F;

static int f_open(void *ctx, const struct fetch_url *u, bool fresh, bool *reused,
		  enum fetch_err *err, char *why, size_t cap)
{
	F.opens++;
	if (F.away && F.opens > 1) {
		F.away--;
		*err = F.away_err ? F.away_err : FETCH_REFUSED;
		if (*err == FETCH_TIMEOUT)
			F.clock += 10000; /* a connect that waited its whole bound */
		snprintf(why, cap, *err == FETCH_TIMEOUT ? "no answer" : "refused");
		return -1;
	}
	if (F.open_fails) {
		*err = FETCH_REFUSED;
		snprintf(why, cap, "refused");
		return -1;
	}
	uint16_t port = u->port ? u->port : 80;
	if (fresh)
		F.fresh_opens++;
	if (F.open_conn && !fresh && port == F.conn_port && !strcmp(u->host, F.conn_host)) {
		*reused = true;
		F.reuses++;
	}
	F.open_conn = true;
	snprintf(F.conn_host, sizeof(F.conn_host), "%s", u->host);
	F.conn_port = port;
	return 0;
}

static int f_send(void *ctx, const char *req, size_t len)
{
	assert_true(F.nreq < MAX_STEPS);
	assert_int_equal(strlen(req), len);
	snprintf(F.requests[F.nreq], sizeof(F.requests[0]), "%s", req);
	snprintf(F.hosts[F.nreq], sizeof(F.hosts[0]), "%s", F.conn_host);
	F.ports[F.nreq] = F.conn_port;
	F.nreq++;
	return 0;
}

static bool receiving(const struct http_rx *rx)
{
	return rx->state == HTTP_RX_HEAD || rx->state == HTTP_RX_BODY || rx->state == HTTP_RX_DRAIN;
}

static enum http_io f_run(void *ctx, struct http_rx *rx)
{
	if (F.next >= F.nsteps)
		fail_msg("the client sent request %zu; the script has %zu answers", F.next + 1,
			 F.nsteps);
	const struct step *s = &F.steps[F.next++];
	size_t off = 0;

	/* As the network glue does: every byte goes in, even after DONE. */
	while (off < s->len && rx->state != HTTP_RX_FAILED) {
		size_t n = s->split && s->split < s->len - off ? s->split : s->len - off;
		size_t used = http_rx_input(rx, s->wire + off, n);
		assert_true(used <= n);
		if (used < n)
			assert_int_equal(rx->state, HTTP_RX_FAILED);
		off += n;
	}
	return receiving(rx) ? s->end : HTTP_IO_DONE;
}

static void f_release(void *ctx, bool keep, bool abort)
{
	if (keep) {
		F.keeps++;
		return;
	}
	F.open_conn = false;
	if (abort)
		F.aborts++;
	else
		F.closes++;
}

static void f_note(void *ctx, const char *line)
{
	if (F.nnotes < 8)
		snprintf(F.notes[F.nnotes++], sizeof(F.notes[0]), "%s", line);
}

static uint64_t f_now(void *ctx)
{
	return F.clock;
}

static void f_pause(void *ctx, unsigned ms)
{
	F.pauses++;
	F.clock += ms;
}

static const struct http_transport T = {f_open, f_send, f_run, f_release,
					f_note, NULL,	f_now, f_pause};

static uint8_t *f_grow(void *ctx, uint8_t *old, uint64_t used, uint64_t need, uint64_t *cap)
{
	uint8_t *b = malloc(need ? need : 1);

	F.grows++;
	if (old) {
		assert_true(used <= *cap);
		memcpy(b, old, used);
		free(old);
	}
	*cap = need;
	return b;
}

static void script(const void *wire, size_t len, enum http_io end, size_t split)
{
	assert_true(F.nsteps < MAX_STEPS);
	F.steps[F.nsteps++] = (struct step){wire, len, end, split, false};
}

/* A step from text with an optional binary body appended. */
static void script_msg(const char *head, const uint8_t *body, size_t blen, enum http_io end,
		       size_t split)
{
	size_t hl = strlen(head);
	uint8_t *w = malloc(hl + blen + 1);

	memcpy(w, head, hl);
	if (blen)
		memcpy(w + hl, body, blen);
	script(w, hl + blen, end, split);
	F.steps[F.nsteps - 1].heap = true;
}

static struct http_get G;

static int setup(void **state)
{
	memset(&F, 0, sizeof(F));
	memset(&G, 0, sizeof(G));
	G.t = &T;
	G.rx.max_size = 64 << 20;
	G.rx.grow = f_grow;
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < F.nsteps; i++)
		if (F.steps[i].heap)
			free((void *)F.steps[i].wire);
	free(G.rx.buf);
	return 0;
}

static uint8_t *make_file(size_t len)
{
	uint8_t *f = malloc(len ? len : 1);
	uint32_t r = (uint32_t)len * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		r = r * 1103515245u + 12345u;
		f[i] = (uint8_t)(r >> 16);
	}
	return f;
}

static char head_buf[MAX_STEPS][512];
static size_t nhead;

static const char *fmt_head(const char *fmt, ...)
{
	va_list ap;
	char *h = head_buf[nhead++ % MAX_STEPS];

	va_start(ap, fmt);
	vsnprintf(h, sizeof(head_buf[0]), fmt, ap);
	va_end(ap);
	return h;
}

static void assert_got(const uint8_t *file, size_t len)
{
	assert_int_equal(G.rx.have, len);
	if (len)
		assert_memory_equal(G.rx.buf, file, len);
}

static int get(const char *url)
{
	int rc = http_get_run(&G, url);
	if (rc)
		printf("  (http_get_run: %s)\n", G.why);
	return rc;
}

/* ---- the request ---- */

static void test_request_text(void **state)
{
	char buf[1024];
	long n = http_request_build(buf, sizeof(buf), "boot.lab", 0, "a/vmlinuz?x=1#frag", 0);

	assert_true(n > 0);
	assert_string_equal(buf, "GET /a/vmlinuz?x=1 HTTP/1.1\r\n"
				 "Host: boot.lab\r\n"
				 "User-Agent: wireboot/" WB_VERSION "\r\n"
				 "Accept: */*\r\n"
				 "Accept-Encoding: identity\r\n"
				 "\r\n");
	assert_int_equal(n, strlen(buf));
}

static void test_request_port_range_and_encoding(void **state)
{
	char buf[1024];
	long n = http_request_build(buf, sizeof(buf), "10.0.2.2", 8080, "my file\r\nX: y\x80",
				    123456789012ULL);

	assert_true(n > 0);
	assert_non_null(strstr(buf, "GET /my%20file%0D%0AX:%20y%80 HTTP/1.1\r\n"));
	assert_non_null(strstr(buf, "\r\nHost: 10.0.2.2:8080\r\n"));
	assert_non_null(strstr(buf, "\r\nRange: bytes=123456789012-\r\n"));
	/* Port 80 is the default: not written (RFC 9110 s.7.2). */
	http_request_build(buf, sizeof(buf), "h", 80, "x", 0);
	assert_non_null(strstr(buf, "\r\nHost: h\r\n"));
	assert_null(strstr(buf, "Range"));
}

static void test_request_too_long_is_refused(void **state)
{
	char buf[64];

	assert_int_equal(http_request_build(buf, sizeof(buf), "h", 0, "a-path-too-long-for-64", 0),
			 -1);
	assert_int_equal(http_request_build(buf, 0, "h", 0, "x", 0), -1);
}

/* ---- bodies ---- */

static void test_content_length_body_in_one_allocation(void **state)
{
	size_t len = 300000;
	uint8_t *file = make_file(len);

	script_msg(fmt_head("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len), file, len,
		   HTTP_IO_IDLE, 1460);
	assert_int_equal(get("http://192.168.77.1/vmlinuz"), 0);
	assert_got(file, len);
	assert_int_equal(F.grows, 1);
	assert_true(G.rx.total_known && G.rx.total == len);
	assert_int_equal(F.keeps, 1); /* HTTP/1.1: the connection stays */
	assert_non_null(strstr(F.requests[0], "GET /vmlinuz HTTP/1.1\r\nHost: 192.168.77.1\r\n"));
	free(file);
}

static void test_every_split_of_head_and_body(void **state)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";

	for (size_t split = 1; split < sizeof(msg); split++) {
		teardown(state);
		setup(state);
		script(msg, sizeof(msg) - 1, HTTP_IO_IDLE, split);
		assert_int_equal(get("http://h/f"), 0);
		assert_got((const uint8_t *)"hello world", 11);
	}
}

static void test_chunked_body_grows_by_doubling(void **state)
{
	size_t len = 5u << 20, pos = 0, csize = 70001;
	uint8_t *file = make_file(len);
	size_t cap = len + len / 8 + 4096, n = 0;
	uint8_t *w = malloc(cap);

	n += (size_t)sprintf((char *)w, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	while (pos < len) {
		size_t k = len - pos < csize ? len - pos : csize;
		n += (size_t)sprintf((char *)w + n, "%zx\r\n", k);
		memcpy(w + n, file + pos, k);
		n += k;
		memcpy(w + n, "\r\n", 2);
		n += 2;
		pos += k;
	}
	n += (size_t)sprintf((char *)w + n, "0\r\n\r\n");
	script(w, n, HTTP_IO_IDLE, 1448);
	F.steps[0].heap = true;
	assert_int_equal(get("http://h/initrd"), 0);
	assert_got(file, len);
	/* 1 MiB, 2, 4, 8: one copy per doubling, never one per packet. */
	assert_int_equal(F.grows, 4);
	assert_int_equal(F.keeps, 1);
	free(file);
}

static void test_close_delimited_body(void **state)
{
	static const char msg[] = "HTTP/1.0 200 OK\r\n\r\nuntil the end";

	script(msg, sizeof(msg) - 1, HTTP_IO_EOF, 5);
	assert_int_equal(get("http://h/f"), 0);
	assert_got((const uint8_t *)"until the end", 13);
	assert_int_equal(F.keeps, 0);
}

static void test_empty_body(void **state)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

	script(msg, sizeof(msg) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/empty"), 0);
	assert_int_equal(G.rx.have, 0);
	assert_int_equal(F.keeps, 1);
}

static void test_connection_close_is_honoured(void **state)
{
	static const char msg[] =
	    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";

	script(msg, sizeof(msg) - 1, HTTP_IO_EOF, 0);
	assert_int_equal(get("http://h/f"), 0);
	assert_int_equal(F.keeps, 0);
	assert_int_equal(F.closes, 1);
}

static void test_kept_connection_serves_the_next_file(void **state)
{
	static const char a[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA";
	static const char b[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB";

	script(a, sizeof(a) - 1, HTTP_IO_IDLE, 0);
	script(b, sizeof(b) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/kernel"), 0);
	free(G.rx.buf);
	G.rx.buf = NULL;
	G.rx.cap = 0;
	assert_int_equal(get("http://h/initrd"), 0);
	assert_got((const uint8_t *)"B", 1);
	assert_int_equal(F.reuses, 1);
}

static void test_longer_body_than_announced_fails(void **state)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n1234567";

	script(msg, sizeof(msg) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.err, FETCH_OTHER);
	assert_non_null(strstr(G.why, "more than the 4 bytes it announced"));
	assert_int_equal(F.keeps, 0);
}

static void test_longer_chunked_content_range_fails(void **state)
{
	/* A 206 whose chunked body runs past its Content-Range. */
	static const char cut[] = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n1234";
	static const char more[] = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4-7/8\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n6\r\n5678xx\r\n0\r\n\r\n";

	script(cut, sizeof(cut) - 1, HTTP_IO_EOF, 0);
	script(more, sizeof(more) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_non_null(strstr(G.why, "more than the 8 bytes"));
}

static void test_file_larger_than_memory_is_too_large(void **state)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nContent-Length: 67108865\r\n\r\n";

	script(msg, sizeof(msg) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/huge"), -1);
	assert_int_equal(G.err, FETCH_TOO_LARGE);
	assert_int_equal(F.grows, 0);
	assert_int_equal(F.aborts, 1);
}

static void test_chunked_past_memory_is_too_large(void **state)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "7fffffffffff\r\nabc";

	G.rx.max_size = 3 << 20;
	script(msg, sizeof(msg) - 1, HTTP_IO_IDLE, 0);
	/* The decoder hands data over as it comes: 3 bytes fit. Then no more
	 * arrive, so it idles; the size check is exercised with a long body. */
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.err, FETCH_TIMEOUT);

	teardown(state);
	setup(state);
	G.rx.max_size = 3 << 20;
	size_t len = 4u << 20;
	uint8_t *file = make_file(len);
	script_msg("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400000\r\n", file, len,
		   HTTP_IO_IDLE, 65536);
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.err, FETCH_TOO_LARGE);
	free(file);
}

static void test_bad_head_fails_with_the_parser_reason(void **state)
{
	static const char msg[] = "HTTX/1.1 200 OK\r\n\r\n";

	script(msg, sizeof(msg) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.err, FETCH_OTHER);
	assert_non_null(strstr(G.why, "bad response: "));
}

/* ---- status lines ---- */

static void test_status_errors_keep_their_line_and_kind(void **state)
{
	static const struct {
		const char *msg;
		enum fetch_err kind;
		const char *why;
	} cases[] = {
	    {"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot here.", FETCH_NOT_FOUND,
	     "404 Not Found"},
	    {"HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n", FETCH_NOT_FOUND, "410 Gone"},
	    {"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", FETCH_REFUSED, "403 Forbidden"},
	    {"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", FETCH_REFUSED,
	     "401 Unauthorized"},
	    {"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
	     "3\r\nerr\r\n0\r\n\r\n",
	     FETCH_OTHER, "500 Internal Server Error"},
	    {"HTTP/1.1 300 Multiple Choices\r\nContent-Length: 0\r\n\r\n", FETCH_OTHER,
	     "300 Multiple Choices"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		teardown(state);
		setup(state);
		script(cases[i].msg, strlen(cases[i].msg), HTTP_IO_IDLE, 7);
		assert_int_equal(get("http://h/f"), -1);
		assert_int_equal(G.err, cases[i].kind);
		assert_string_equal(G.why, cases[i].why);
		/* A short error body is read, so the connection stays. */
		assert_int_equal(F.keeps, 1);
		assert_null(G.rx.buf);
	}
}

static void test_long_error_body_closes_instead_of_draining(void **state)
{
	static const char msg[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 10000000\r\n\r\nxx";

	script(msg, sizeof(msg) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.err, FETCH_NOT_FOUND);
	assert_int_equal(F.keeps, 0);
}

/* ---- redirects ---- */

static void test_redirect_chain_relative_and_absolute(void **state)
{
	static const char r1[] =
	    "HTTP/1.1 302 Found\r\nLocation: ../b/x\r\nContent-Length: 0\r\n\r\n";
	static const char r2[] = "HTTP/1.1 301 Moved Permanently\r\nLocation: /c\r\n"
				 "Content-Length: 5\r\n\r\nmoved";
	static const char r3[] = "HTTP/1.1 307 Temporary Redirect\r\n"
				 "Location: http://Other.Lab:8080/d?q\r\nContent-Length: 0\r\n\r\n";
	static const char r4[] = "HTTP/1.1 308 Permanent Redirect\r\nLocation: //third/e\r\n"
				 "Content-Length: 0\r\n\r\n";
	static const char r5[] = "HTTP/1.1 303 See Other\r\nLocation: f\r\n"
				 "Content-Length: 0\r\n\r\n";
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone";

	script(r1, sizeof(r1) - 1, HTTP_IO_IDLE, 0);
	script(r2, sizeof(r2) - 1, HTTP_IO_IDLE, 0);
	script(r3, sizeof(r3) - 1, HTTP_IO_IDLE, 0);
	script(r4, sizeof(r4) - 1, HTTP_IO_IDLE, 0);
	script(r5, sizeof(r5) - 1, HTTP_IO_IDLE, 0);
	script(ok, sizeof(ok) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/a/y"), 0);
	assert_got((const uint8_t *)"done", 4);
	assert_int_equal(G.redirects, 5);
	assert_string_equal(G.url, "http://third/f");
	assert_non_null(strstr(F.requests[1], "GET /b/x HTTP/1.1\r\nHost: h\r\n"));
	assert_non_null(strstr(F.requests[2], "GET /c HTTP/1.1\r\nHost: h\r\n"));
	assert_non_null(strstr(F.requests[3], "GET /d?q HTTP/1.1\r\nHost: other.lab:8080\r\n"));
	assert_int_equal(F.ports[3], 8080);
	assert_non_null(strstr(F.requests[4], "GET /e HTTP/1.1\r\nHost: third\r\n"));
	assert_non_null(strstr(F.requests[5], "GET /f HTTP/1.1\r\nHost: third\r\n"));
	assert_string_equal(F.hosts[5], "third");
	/* The same host's redirects shared the connection. */
	assert_true(F.reuses >= 2);
	assert_true(F.nnotes >= 5);
	assert_non_null(strstr(F.notes[0], "302 Found: redirected to http://h/b/x"));
}

static void test_redirect_loop_is_an_error(void **state)
{
	static const char a[] = "HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n";
	static const char b[] = "HTTP/1.1 302 Found\r\nLocation: http://h/a\r\n"
				"Content-Length: 0\r\n\r\n";

	script(a, sizeof(a) - 1, HTTP_IO_IDLE, 0);
	script(b, sizeof(b) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/a"), -1);
	assert_int_equal(G.err, FETCH_OTHER);
	assert_non_null(strstr(G.why, "redirect loop"));
	assert_int_equal(F.nreq, 2);
}

static void test_redirect_to_itself_is_a_loop(void **state)
{
	static const char a[] = "HTTP/1.1 301 Moved\r\nLocation: a\r\nContent-Length: 0\r\n\r\n";

	script(a, sizeof(a) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/a"), -1);
	assert_non_null(strstr(G.why, "redirect loop"));
}

static void test_too_many_redirects(void **state)
{
	static char msgs[HTTP_MAX_REDIRECTS + 1][128];

	for (int i = 0; i <= HTTP_MAX_REDIRECTS; i++) {
		snprintf(msgs[i], sizeof(msgs[i]),
			 "HTTP/1.1 302 Found\r\nLocation: /r%d\r\nContent-Length: 0\r\n\r\n",
			 i + 1);
		script(msgs[i], strlen(msgs[i]), HTTP_IO_IDLE, 0);
	}
	assert_int_equal(get("http://h/r0"), -1);
	assert_non_null(strstr(G.why, "more than 8 redirects"));
	assert_int_equal(F.nreq, HTTP_MAX_REDIRECTS + 1);
}

static void test_redirect_to_other_schemes_and_without_location(void **state)
{
	static const char https[] = "HTTP/1.1 301 Moved\r\nLocation: https://h/x\r\n"
				    "Content-Length: 0\r\n\r\n";
	static const char tftp[] = "HTTP/1.1 302 Found\r\nLocation: tftp://10.0.0.1/x\r\n"
				   "Content-Length: 0\r\n\r\n";
	static const char none[] = "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n";

	script(https, sizeof(https) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/a"), -1);
	assert_non_null(strstr(G.why, "redirect to https://h/x: only http:// is supported"));

	teardown(state);
	setup(state);
	script(tftp, sizeof(tftp) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/a"), -1);
	assert_non_null(strstr(G.why, "only http:// is supported"));

	teardown(state);
	setup(state);
	script(none, sizeof(none) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/a"), -1);
	assert_non_null(strstr(G.why, "without a Location"));
}

static void test_ipv6_and_other_urls_are_refused(void **state)
{
	assert_int_equal(get("http://[fe80::1]/x"), -1);
	assert_non_null(strstr(G.why, "IPv6"));
	assert_int_equal(get("tftp://1.2.3.4/x"), -1);
	assert_int_equal(F.opens, 0);
}

/* ---- resumes ---- */

static void test_cut_mid_body_resumes_with_range(void **state)
{
	size_t len = 100000, cut = 30000, cut2 = 70000;
	uint8_t *file = make_file(len);

	script_msg(fmt_head("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len), file, cut,
		   HTTP_IO_EOF, 1000);
	script_msg(fmt_head("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %zu-%zu/%zu\r\n"
			    "Content-Length: %zu\r\n\r\n",
			    cut, len - 1, len, len - cut),
		   file + cut, cut2 - cut, HTTP_IO_RESET, 999);
	script_msg(fmt_head("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %zu-%zu/%zu\r\n"
			    "Content-Length: %zu\r\n\r\n",
			    cut2, len - 1, len, len - cut2),
		   file + cut2, len - cut2, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/big"), 0);
	assert_got(file, len);
	assert_int_equal(G.resumes, 2);
	assert_int_equal(F.grows, 1); /* the same buffer throughout */
	assert_null(strstr(F.requests[0], "Range"));
	assert_non_null(strstr(F.requests[1], "\r\nRange: bytes=30000-\r\n"));
	assert_non_null(strstr(F.requests[2], "\r\nRange: bytes=70000-\r\n"));
	assert_int_equal(F.fresh_opens, 2); /* each resume on a new connection */
	assert_non_null(strstr(F.notes[0], "resuming from byte 30000 (1 of 3)"));
	free(file);
}

static void test_cut_chunked_body_resumes(void **state)
{
	static const char a[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				"a\r\n0123456789\r\n5\r\nab";
	static const char b[] = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 12-15/16\r\n"
				"Transfer-Encoding: chunked\r\n\r\n4\r\ncdef\r\n0\r\n\r\n";

	script(a, sizeof(a) - 1, HTTP_IO_EOF, 0);
	script(b, sizeof(b) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), 0);
	assert_got((const uint8_t *)"0123456789abcdef", 16);
	assert_non_null(strstr(F.requests[1], "Range: bytes=12-"));
}

static void test_server_ignoring_range_starts_over(void **state)
{
	size_t len = 50000;
	uint8_t *file = make_file(len);
	const char *h = fmt_head("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len);

	script_msg(h, file, 20000, HTTP_IO_EOF, 0);
	script_msg(h, file, len, HTTP_IO_IDLE, 3000);
	assert_int_equal(get("http://h/f"), 0);
	assert_got(file, len);
	assert_int_equal(G.rx.restarts, 1);
	assert_int_equal(F.grows, 1);
	free(file);
}

static void test_server_ignoring_range_with_another_size_fails(void **state)
{
	uint8_t *file = make_file(1000);

	script_msg("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", file, 10, HTTP_IO_EOF, 0);
	script_msg("HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n", file, 999, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_non_null(strstr(G.why, "ignored Range and the file changed size"));
	free(file);
}

static void test_wrong_content_range_fails(void **state)
{
	static const char *const answers[] = {
	    "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-9/10\r\n"
	    "Content-Length: 5\r\n\r\n",
	    "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4-9/11\r\n"
	    "Content-Length: 6\r\n\r\n",
	    "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4-8/10\r\n"
	    "Content-Length: 5\r\n\r\n",
	    "HTTP/1.1 206 Partial Content\r\nContent-Length: 6\r\n\r\n",
	    "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4-9/10\r\n"
	    "Content-Length: 7\r\n\r\n",
	    "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\n\r\n",
	};
	static const char *const whys[] = {
	    "does not answer Range: bytes=4-",
	    "the file changed size",
	    "not at the end",
	    "without a Content-Range",
	    "does not match Content-Range",
	    "416 Range Not Satisfiable",
	};
	static const char first[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123";

	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		teardown(state);
		setup(state);
		script(first, sizeof(first) - 1, HTTP_IO_RESET, 0);
		script(answers[i], strlen(answers[i]), HTTP_IO_IDLE, 0);
		assert_int_equal(get("http://h/f"), -1);
		if (!strstr(G.why, whys[i]))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, G.why, whys[i]);
	}
}

static void test_206_without_range_asked_fails(void **state)
{
	static const char msg[] = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1/2\r\n"
				  "Content-Length: 2\r\n\r\nab";

	script(msg, sizeof(msg) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_non_null(strstr(G.why, "206 Partial Content to a request without Range"));
}

static void test_resumes_are_bounded(void **state)
{
	uint8_t *file = make_file(100);

	script_msg("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", file, 10, HTTP_IO_EOF, 0);
	for (int i = 1; i <= HTTP_MAX_RESUMES; i++)
		script_msg(fmt_head("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %d-99/100"
				    "\r\nContent-Length: %d\r\n\r\n",
				    i * 10, 100 - i * 10),
			   file + i * 10, 10, HTTP_IO_EOF, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.resumes, HTTP_MAX_RESUMES);
	assert_non_null(strstr(G.why, "closed after 40 of 100 bytes (after 3 resumes)"));
	assert_int_equal(F.nreq, HTTP_MAX_RESUMES + 1);
	free(file);
}

/* Cut n times, each resume bringing step bytes, then the rest. */
static void script_cuts(const uint8_t *file, size_t len, size_t step, int n)
{
	script_msg(fmt_head("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len), file, step,
		   HTTP_IO_EOF, 0);
	for (int i = 1; i <= n; i++) {
		size_t from = (size_t)i * step, part = i < n ? step : len - from;
		script_msg(
		    fmt_head("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %zu-%zu/%zu"
			     "\r\nContent-Length: %zu\r\n\r\n",
			     from, len - 1, len, len - from),
		    file + from, part, i < n ? HTTP_IO_RESET : HTTP_IO_IDLE, 0);
	}
}

static void test_resumes_that_make_progress_are_not_abandoned(void **state)
{
	/* A lossy network or a server restarted again and again: 8 cuts,
	 * each resume bringing HTTP_RESUME_PROGRESS bytes. */
	size_t step = HTTP_RESUME_PROGRESS, len = 9 * step + 123;
	uint8_t *file = make_file(len);

	script_cuts(file, len, step, 8);
	assert_int_equal(get("http://h/f"), 0);
	assert_got(file, len);
	assert_int_equal(G.resumes_total, 8);
	assert_int_equal(F.nreq, 9);
	assert_non_null(strstr(F.requests[8], "Range: bytes=2097152-"));
	free(file);
}

static void test_resumes_just_short_of_progress_are_bounded(void **state)
{
	/* One byte short of progress each time: the budget runs out. */
	size_t step = HTTP_RESUME_PROGRESS - 1, len = 9 * step;
	uint8_t *file = make_file(len);

	script_cuts(file, len, step, 8);
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.resumes_total, HTTP_MAX_RESUMES);
	assert_int_equal(F.nreq, HTTP_MAX_RESUMES + 1);
	assert_non_null(strstr(G.why, "(after 3 resumes)"));
	free(file);
}

static void test_resume_waits_for_a_server_that_comes_back(void **state)
{
	size_t len = 5000;
	uint8_t *file = make_file(len);

	script_cuts(file, len, 2000, 1);
	F.away = 4; /* refused 4 times: a server restarting */
	assert_int_equal(get("http://h/f"), 0);
	assert_got(file, len);
	assert_int_equal(F.opens, 6);
	assert_int_equal(F.pauses, 4);
	assert_int_equal(F.clock, 4 * HTTP_RESUME_RETRY_MS);
	assert_non_null(strstr(F.notes[0], "the connection closed after 2000 of 5000 bytes; "
					   "resuming from byte 2000 (1 of 3)"));
	assert_string_equal(F.notes[1], "refused; waiting up to 30 s for the server to come back");
	assert_string_equal(F.notes[2],
			    "the server answered again 4000 ms after the cut (from byte 2000)");
	assert_non_null(strstr(F.requests[1], "Range: bytes=2000-"));
	free(file);
}

static void test_resume_taken_and_reset_before_any_answer_waits(void **state)
{
	/* A server going down: its listening socket still takes the
	 * connection, then resets it unanswered; the resume waits. */
	size_t len = 5000;
	uint8_t *file = make_file(len);

	script_msg(fmt_head("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len), file, 1000,
		   HTTP_IO_EOF, 0);
	script("", 0, HTTP_IO_RESET, 0);
	script("", 0, HTTP_IO_EOF, 0);
	script_msg(fmt_head("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1000-4999/5000"
			    "\r\nContent-Length: 4000\r\n\r\n"),
		   file + 1000, 4000, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), 0);
	assert_got(file, len);
	assert_int_equal(F.pauses, 2);
	assert_int_equal(G.resumes_total, 1);
	assert_string_equal(F.notes[1], "the connection was reset before any answer; waiting up "
					"to 30 s for the server to come back");
	assert_non_null(strstr(F.requests[3], "Range: bytes=1000-"));
	free(file);
}

static void test_resume_gives_up_on_a_server_that_stays_away(void **state)
{
	static const enum fetch_err how[] = {FETCH_REFUSED, FETCH_TIMEOUT};
	static const uint64_t opens[] = {1 + 1 + HTTP_RESUME_WAIT_MS / HTTP_RESUME_RETRY_MS, 1 + 3};

	for (size_t i = 0; i < 2; i++) {
		teardown(state);
		setup(state);
		uint8_t *file = make_file(5000);
		script_cuts(file, 5000, 2000, 1);
		F.away = 1000;
		F.away_err = how[i];
		assert_int_equal(get("http://h/f"), -1);
		assert_int_equal(G.err, how[i]);
		assert_int_equal(F.opens, opens[i]);
		assert_true(F.clock >= HTTP_RESUME_WAIT_MS);
		assert_true(F.clock < HTTP_RESUME_WAIT_MS + 10000 + HTTP_RESUME_RETRY_MS);
		assert_non_null(strstr(G.why, "the server went away after 2000 of 5000 bytes and "
					      "was not back in 30 s ("));
		free(file);
	}
}

static void test_first_connection_refused_fails_at_once(void **state)
{
	/* Not a resume: the server was never there; no waiting. */
	F.away = 1000;
	F.opens = 1; /* f_open refuses from the second open on */
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.err, FETCH_REFUSED);
	assert_int_equal(F.pauses, 0);
	assert_int_equal(F.opens, 2);
}

static void test_close_delimited_206_is_bounded_by_content_range(void **state)
{
	static const char first[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123";
	static const char part[] = "HTTP/1.0 206 Partial Content\r\nContent-Range: bytes 4-9/10\r\n"
				   "\r\n45";
	static const char rest[] = "HTTP/1.0 206 Partial Content\r\nContent-Range: bytes 6-9/10\r\n"
				   "\r\n6789";

	/* Closed after 2 of the 6 bytes its Content-Range promised: a cut, not
	 * the end of a close-delimited body. */
	script(first, sizeof(first) - 1, HTTP_IO_EOF, 0);
	script(part, sizeof(part) - 1, HTTP_IO_EOF, 0);
	script(rest, sizeof(rest) - 1, HTTP_IO_EOF, 0);
	assert_int_equal(get("http://h/f"), 0);
	assert_got((const uint8_t *)"0123456789", 10);
	assert_int_equal(G.resumes, 2);
	assert_non_null(strstr(F.requests[2], "Range: bytes=6-"));
}

/* ---- connections ---- */

static void test_stall_is_a_timeout(void **state)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123";

	script(msg, sizeof(msg) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.err, FETCH_TIMEOUT);
	assert_non_null(strstr(G.why, "no data for 10 s (after 4 bytes)"));
	assert_int_equal(F.aborts, 1);
}

static void test_stall_after_progress_resumes_on_a_new_connection(void **state)
{
	/* HTTP_RESUME_PROGRESS bytes, then silence: a sender backing off
	 * on a lossy network; resumed once, and a resume that stalls
	 * before making progress is the timeout line. */
	size_t len = 2 * HTTP_RESUME_PROGRESS;
	uint8_t *file = make_file(len);

	script_msg(fmt_head("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len), file,
		   HTTP_RESUME_PROGRESS, HTTP_IO_IDLE, 0);
	script_msg(fmt_head("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %zu-%zu/%zu"
			    "\r\nContent-Length: %zu\r\n\r\n",
			    (size_t)HTTP_RESUME_PROGRESS, len - 1, len, len - HTTP_RESUME_PROGRESS),
		   file + HTTP_RESUME_PROGRESS, 1000, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.err, FETCH_TIMEOUT);
	assert_int_equal(G.resumes_total, 1);
	assert_int_equal(F.fresh_opens, 1);
	assert_int_equal(F.aborts, 2); /* each stalled connection is cut off */
	assert_string_equal(F.notes[0], "no data for 10 s after 262144 bytes; resuming from byte "
					"262144 (1 of 3)");
	assert_non_null(strstr(F.requests[1], "Range: bytes=262144-"));
	assert_string_equal(G.why, "no data for 10 s (after 263144 bytes)");
	free(file);
}

static void test_stall_after_progress_then_the_rest(void **state)
{
	size_t len = 3 * HTTP_RESUME_PROGRESS;
	uint8_t *file = make_file(len);

	script_cuts(file, len, HTTP_RESUME_PROGRESS, 2);
	F.steps[0].end = HTTP_IO_IDLE;
	F.steps[1].end = HTTP_IO_IDLE;
	assert_int_equal(get("http://h/f"), 0);
	assert_got(file, len);
	assert_int_equal(G.resumes_total, 2);
	free(file);
}

static void test_stall_on_a_lossy_connection_resumes_at_once(void **state)
{
	/* Little arrived, on a connection that was losing segments: a
	 * sender backing off, not a server stall. */
	size_t len = 50000;
	uint8_t *file = make_file(len);

	script_cuts(file, len, 1000, 1);
	F.steps[0].end = HTTP_IO_GAP;
	assert_int_equal(get("http://h/f"), 0);
	assert_got(file, len);
	assert_int_equal(G.resumes_total, 1);
	assert_string_equal(F.notes[0], "no data for 10 s after 1000 bytes (segments were being "
					"lost); resuming from byte 1000 (1 of 3)");
	free(file);
}

static void test_stall_after_range_ignored_is_not_progress(void **state)
{
	/* The resume's answer starts over (Range ignored) and stalls before
	 * it is back where the cut was: no progress, so the line. */
	size_t len = 600000;
	uint8_t *file = make_file(len);
	const char *h = fmt_head("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len);

	script_msg(h, file, 300000, HTTP_IO_EOF, 0);
	script_msg(h, file, 1000, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_string_equal(G.why, "no data for 10 s (after 1000 bytes)");
	assert_int_equal(F.nreq, 2);
	free(file);
}

static void test_no_answer_is_asked_again_once(void **state)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

	script("", 0, HTTP_IO_IDLE, 0);
	script(ok, sizeof(ok) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), 0);
	assert_got((const uint8_t *)"ok", 2);
	assert_int_equal(F.fresh_opens, 1);
	assert_int_equal(F.aborts, 1);
	assert_string_equal(F.notes[0], "no answer for 10 s; asking again on a new connection");

	/* Twice: the line. */
	teardown(state);
	setup(state);
	script("", 0, HTTP_IO_IDLE, 0);
	script("", 0, HTTP_IO_GAP, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.err, FETCH_TIMEOUT);
	assert_string_equal(G.why, "no data for 10 s (after 0 bytes)");
	assert_int_equal(F.nreq, 2);
}

static void test_stale_kept_connection_is_retried_once_on_a_new_one(void **state)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

	F.open_conn = true; /* a connection kept from an earlier fetch */
	snprintf(F.conn_host, sizeof(F.conn_host), "h");
	F.conn_port = 80;
	script("", 0, HTTP_IO_EOF, 0);
	script(ok, sizeof(ok) - 1, HTTP_IO_IDLE, 0);
	assert_int_equal(get("http://h/f"), 0);
	assert_int_equal(F.reuses, 1);
	assert_int_equal(F.fresh_opens, 1);
	assert_int_equal(G.fresh_retries, 1);
}

static void test_new_connection_closed_before_answer_fails(void **state)
{
	/* A new connection closed before any byte: nothing to resume, and
	 * no stale connection to blame: one line, no retry. */
	script("", 0, HTTP_IO_EOF, 0);
	assert_int_equal(get("http://h/f"), -1);
	assert_non_null(strstr(G.why, "closed before any answer"));
	assert_int_equal(F.nreq, 1);
}

static void test_open_failure_is_reported(void **state)
{
	F.open_fails = true;
	assert_int_equal(get("http://h/f"), -1);
	assert_int_equal(G.err, FETCH_REFUSED);
	assert_string_equal(G.why, "refused");
}

static void test_status_kinds(void **state)
{
	assert_int_equal(http_status_kind(404), FETCH_NOT_FOUND);
	assert_int_equal(http_status_kind(410), FETCH_NOT_FOUND);
	assert_int_equal(http_status_kind(401), FETCH_REFUSED);
	assert_int_equal(http_status_kind(403), FETCH_REFUSED);
	assert_int_equal(http_status_kind(500), FETCH_OTHER);
	assert_int_equal(http_status_kind(418), FETCH_OTHER);
}

static void test_url_format(void **state)
{
	struct fetch_url u;
	const char *why;
	char out[64];

	assert_int_equal(fetch_url_parse("http://Boot.Lab:8080/a/b?c", &u, &why), 1);
	assert_int_equal(http_url_format(&u, out, sizeof(out)), 0);
	assert_string_equal(out, "http://boot.lab:8080/a/b?c");
	assert_int_equal(fetch_url_parse("http://1.2.3.4:80/x", &u, &why), 1);
	assert_int_equal(http_url_format(&u, out, sizeof(out)), 0);
	assert_string_equal(out, "http://1.2.3.4/x");
	assert_int_equal(http_url_format(&u, out, 8), -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_request_text),
	    T(test_request_port_range_and_encoding),
	    T(test_request_too_long_is_refused),
	    T(test_content_length_body_in_one_allocation),
	    T(test_every_split_of_head_and_body),
	    T(test_chunked_body_grows_by_doubling),
	    T(test_close_delimited_body),
	    T(test_empty_body),
	    T(test_connection_close_is_honoured),
	    T(test_kept_connection_serves_the_next_file),
	    T(test_longer_body_than_announced_fails),
	    T(test_longer_chunked_content_range_fails),
	    T(test_file_larger_than_memory_is_too_large),
	    T(test_chunked_past_memory_is_too_large),
	    T(test_bad_head_fails_with_the_parser_reason),
	    T(test_status_errors_keep_their_line_and_kind),
	    T(test_long_error_body_closes_instead_of_draining),
	    T(test_redirect_chain_relative_and_absolute),
	    T(test_redirect_loop_is_an_error),
	    T(test_redirect_to_itself_is_a_loop),
	    T(test_too_many_redirects),
	    T(test_redirect_to_other_schemes_and_without_location),
	    T(test_ipv6_and_other_urls_are_refused),
	    T(test_cut_mid_body_resumes_with_range),
	    T(test_cut_chunked_body_resumes),
	    T(test_server_ignoring_range_starts_over),
	    T(test_server_ignoring_range_with_another_size_fails),
	    T(test_wrong_content_range_fails),
	    T(test_206_without_range_asked_fails),
	    T(test_resumes_are_bounded),
	    T(test_resumes_that_make_progress_are_not_abandoned),
	    T(test_resumes_just_short_of_progress_are_bounded),
	    T(test_resume_waits_for_a_server_that_comes_back),
	    T(test_resume_taken_and_reset_before_any_answer_waits),
	    T(test_resume_gives_up_on_a_server_that_stays_away),
	    T(test_first_connection_refused_fails_at_once),
	    T(test_close_delimited_206_is_bounded_by_content_range),
	    T(test_stall_is_a_timeout),
	    T(test_stall_after_progress_resumes_on_a_new_connection),
	    T(test_stall_after_progress_then_the_rest),
	    T(test_stall_on_a_lossy_connection_resumes_at_once),
	    T(test_stall_after_range_ignored_is_not_progress),
	    T(test_no_answer_is_asked_again_once),
	    T(test_stale_kept_connection_is_retried_once_on_a_new_one),
	    T(test_new_connection_closed_before_answer_fails),
	    T(test_open_failure_is_reported),
	    T(test_status_kinds),
	    T(test_url_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
