/* The HTTP/1.1 client's pure part: request text, a response received
 * into the file buffer, and one GET through redirects, resumes and stale
 * kept-alive connections over a transport of callbacks (http_net.c runs
 * it on lwIP; tests/unit/test_http_client.c on a scripted server).
 * RFC 9110 (semantics), RFC 9112 (message syntax). */
#include <string.h>
#include <format.h>
#include <http.h>

#ifndef WB_VERSION
#define WB_VERSION "unknown"
#endif

/* ---- the request ---- */

struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n >= o->cap) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void putu(struct out *o, uint64_t v)
{
	char d[24];
	size_t n = sizeof(d);

	do
		d[--n] = (char)('0' + v % 10);
	while (v /= 10);
	put(o, d + n, sizeof(d) - n);
}

/* The path as a request-target (RFC 9112 s.3.2.1, origin-form): '/' then
 * the path and query, the fragment dropped (RFC 3986 s.3.5: never sent),
 * anything that is not visible ASCII percent-encoded so that no byte of a
 * name can end the request line or start a header. */
static void put_target(struct out *o, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";

	put(o, "/", 1);
	for (const unsigned char *s = (const unsigned char *)path; *s && *s != '#'; s++) {
		if (*s > 0x20 && *s < 0x7f) {
			put(o, (const char *)s, 1);
		} else {
			char e[3] = {'%', hex[*s >> 4], hex[*s & 15]};
			put(o, e, 3);
		}
	}
}

long http_request_build(char *buf, size_t cap, const char *host, uint16_t port, const char *path,
			uint64_t range_from)
{
	struct out o = {buf, cap, 0, false};

	if (!cap)
		return -1;
	buf[0] = '\0';
	puts_(&o, "GET ");
	put_target(&o, path);
	/* RFC 9110 s.7.2: Host is the authority, its port only if not the default. */
	puts_(&o, " HTTP/1.1\r\nHost: ");
	bool v6 = strchr(host, ':') != NULL;
	if (v6)
		puts_(&o, "[");
	puts_(&o, host);
	if (v6)
		puts_(&o, "]");
	if (port && port != HTTP_PORT) {
		puts_(&o, ":");
		putu(&o, port);
	}
	/* identity: a compressed config or kernel would be useless to us. */
	puts_(&o, "\r\nUser-Agent: wireboot/" WB_VERSION "\r\nAccept: */*\r\n"
		  "Accept-Encoding: identity\r\n");
	if (range_from) {
		/* RFC 9110 s.14.2: from byte range_from to the end. */
		puts_(&o, "Range: bytes=");
		putu(&o, range_from);
		puts_(&o, "-\r\n");
	}
	puts_(&o, "\r\n");
	return o.full ? -1 : (long)o.len;
}

int http_url_format(const struct fetch_url *u, char *out, size_t cap)
{
	char port[8] = "";

	if (u->port && u->port != HTTP_PORT)
		format_buf(port, sizeof(port), ":%u", u->port);
	int n = format_buf(out, cap, "http://%s%s%s%s/%s", u->ipv6 ? "[" : "", u->host,
			   u->ipv6 ? "]" : "", port, u->path);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* ---- one response ---- */

enum fetch_err http_status_kind(int status)
{
	if (status == 404 || status == 410)
		return FETCH_NOT_FOUND;
	if (status == 401 || status == 403)
		return FETCH_REFUSED;
	return FETCH_OTHER;
}

static void rx_fail(struct http_rx *rx, enum fetch_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void rx_fail(struct http_rx *rx, enum fetch_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_vbuf(rx->why, sizeof(rx->why), fmt, ap);
	va_end(ap);
	rx->err = err;
	rx->state = HTTP_RX_FAILED;
	rx->keep = false;
}

void http_rx_start(struct http_rx *rx, uint64_t range_from)
{
	rx->asked_from = range_from;
	rx->state = HTTP_RX_HEAD;
	rx->outcome = HTTP_OUT_FILE;
	rx->body = HTTP_BODY_NONE;
	rx->body_left = 0;
	rx->drained = 0;
	rx->wire = 0;
	rx->keep = false;
	rx->cut = false;
	rx->err = FETCH_OK;
	rx->why[0] = '\0';
	http_head_init(&rx->head);
}

/* Make room for need bytes of file: exactly need when the size is known,
 * else by doubling (one copy per growth: linear overall). 0 or -1. */
static int rx_reserve(struct http_rx *rx, uint64_t need, bool exact)
{
	uint64_t want;

	if (need <= rx->cap)
		return 0;
	if (need > rx->max_size) {
		rx_fail(rx, FETCH_TOO_LARGE,
			"the file is larger than the memory available for it (%llu MiB)",
			(unsigned long long)(rx->max_size >> 20));
		return -1;
	}
	want = need;
	if (!exact) {
		want = rx->cap ? rx->cap : HTTP_FIRST_GROW;
		while (want < need && want <= UINT64_MAX / 2)
			want *= 2;
		if (want > rx->max_size)
			want = rx->max_size;
		if (want < need)
			want = need;
	}
	uint64_t cap = rx->cap;
	uint8_t *b = rx->grow(rx->ctx, rx->buf, rx->have, want, &cap);
	if (!b && want > need) /* doubling asked too much: try what is needed */
		b = rx->grow(rx->ctx, rx->buf, rx->have, want = need, &cap);
	if (!b) {
		rx_fail(rx, FETCH_TOO_LARGE, "out of memory for the file (%llu MiB)",
			(unsigned long long)(need >> 20));
		return -1;
	}
	rx->buf = b;
	rx->cap = cap;
	return 0;
}

/* Store file bytes at rx->have; 0 or -1. */
static int rx_store(struct http_rx *rx, const uint8_t *p, size_t n)
{
	if (!n)
		return 0;
	if (rx->total_known && n > rx->total - rx->have) {
		rx_fail(rx, FETCH_OTHER, "the server sent more than the %llu bytes it announced",
			(unsigned long long)rx->total);
		return -1;
	}
	if (rx->have + n > rx->cap && rx_reserve(rx, rx->have + n, false))
		return -1;
	memcpy(rx->buf + rx->have, p, n);
	rx->have += n;
	return 0;
}

/* A redirect's or error's body: read and dropped while it is short, so
 * the connection stays usable; a long one ends the response (the
 * connection is closed instead). */
static void rx_drain_begin(struct http_rx *rx)
{
	rx->state = HTTP_RX_DRAIN;
	if (rx->body == HTTP_BODY_NONE || (rx->body == HTTP_BODY_LENGTH && !rx->body_left)) {
		rx->state = HTTP_RX_DONE;
	} else if (rx->body == HTTP_BODY_CLOSE ||
		   (rx->body == HTTP_BODY_LENGTH && rx->body_left > HTTP_DRAIN_MAX)) {
		rx->state = HTTP_RX_DONE;
		rx->keep = false;
	}
}

static bool is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* A 206's Content-Range against what we asked and know (RFC 9110
 * s.14.4, s.15.3.7). 0, or -1 with rx failed. */
static int rx_check_range(struct http_rx *rx, const struct http_response *r)
{
	if (!rx->asked_from) {
		rx_fail(rx, FETCH_OTHER, "206 Partial Content to a request without Range");
		return -1;
	}
	if (!r->has_range) {
		rx_fail(rx, FETCH_OTHER, "206 Partial Content without a Content-Range");
		return -1;
	}
	bool total = r->range_total != UINT64_MAX;
	if (r->range_first != rx->asked_from || r->range_last < r->range_first ||
	    (total && r->range_last >= r->range_total)) {
		rx_fail(rx, FETCH_OTHER,
			"Content-Range bytes %llu-%llu does not answer Range: bytes=%llu-",
			(unsigned long long)r->range_first, (unsigned long long)r->range_last,
			(unsigned long long)rx->asked_from);
		return -1;
	}
	if (total && rx->total_known && r->range_total != rx->total) {
		rx_fail(rx, FETCH_OTHER, "the file changed size (%llu bytes, now %llu)",
			(unsigned long long)rx->total, (unsigned long long)r->range_total);
		return -1;
	}
	if (total && r->range_last != r->range_total - 1) {
		rx_fail(rx, FETCH_OTHER, "Content-Range ends at %llu of %llu bytes, not at the end",
			(unsigned long long)r->range_last, (unsigned long long)r->range_total);
		return -1;
	}
	uint64_t len = r->range_last - r->range_first + 1;
	if (r->has_length && !r->chunked && r->length != len) {
		rx_fail(rx, FETCH_OTHER,
			"Content-Length %llu does not match Content-Range %llu-%llu",
			(unsigned long long)r->length, (unsigned long long)r->range_first,
			(unsigned long long)r->range_last);
		return -1;
	}
	if (total) {
		rx->total_known = true;
		rx->total = r->range_total;
	}
	return 0;
}

/* The head is complete: decide how the body is framed (RFC 9112 s.6.3)
 * and what the response means. */
static void rx_head_done(struct http_rx *rx)
{
	const struct http_response *r = &rx->head.resp;

	rx->keep = !r->close;
	if (r->status == 204 || r->status == 304) {
		rx->body = HTTP_BODY_NONE;
	} else if (r->chunked) {
		rx->body = HTTP_BODY_CHUNKED;
		http_chunked_init(&rx->ch);
	} else if (r->has_length) {
		rx->body = HTTP_BODY_LENGTH;
		rx->body_left = r->length;
	} else {
		rx->body = HTTP_BODY_CLOSE;
		rx->keep = false;
	}

	if (is_redirect(r->status)) {
		rx->outcome = HTTP_OUT_REDIRECT;
		if (!r->location[0]) {
			rx_fail(rx, FETCH_OTHER, "%d %s without a Location", r->status, r->reason);
			return;
		}
		rx_drain_begin(rx);
		return;
	}
	if (r->status < 200 || r->status >= 300) {
		rx->outcome = HTTP_OUT_STATUS;
		rx_drain_begin(rx);
		return;
	}

	rx->outcome = HTTP_OUT_FILE;
	if (r->status == 206) {
		if (rx_check_range(rx, r))
			return;
		rx->have = rx->asked_from;
		if (rx->body == HTTP_BODY_NONE || rx->body == HTTP_BODY_CLOSE) {
			/* Content-Range bounds it: read to its end. */
			rx->body = HTTP_BODY_LENGTH;
			rx->body_left = r->range_last - r->range_first + 1;
			rx->keep = rx->keep && r->has_length;
		}
	} else {
		if (rx->asked_from) {
			/* RFC 9110 s.14.2: a server may ignore Range and send it
			 * all: start over into the same buffer. */
			if (r->has_length && !r->chunked && rx->total_known &&
			    r->length != rx->total) {
				rx_fail(rx, FETCH_OTHER,
					"the server ignored Range and the file changed size "
					"(%llu bytes, now %llu)",
					(unsigned long long)rx->total,
					(unsigned long long)r->length);
				return;
			}
			rx->restarts++;
		}
		rx->have = 0;
		if (rx->body == HTTP_BODY_LENGTH) {
			rx->total_known = true;
			rx->total = r->length;
		} else if (rx->body == HTTP_BODY_NONE) {
			rx->total_known = true;
			rx->total = 0;
		}
	}
	if (rx->total_known && rx_reserve(rx, rx->total, true))
		return;
	rx->state = HTTP_RX_BODY;
	if (rx->body == HTTP_BODY_NONE || (rx->body == HTTP_BODY_LENGTH && !rx->body_left))
		rx->state = HTTP_RX_DONE;
}

/* A body complete by its framing: a known total must be all there. */
static void rx_body_end(struct http_rx *rx)
{
	if (rx->total_known && rx->have != rx->total) {
		rx_fail(rx, FETCH_OTHER, "the body ended after %llu of the %llu bytes announced",
			(unsigned long long)rx->have, (unsigned long long)rx->total);
		return;
	}
	rx->state = HTTP_RX_DONE;
}

/* Chunked wire bytes; spans of data are stored (or dropped when draining). */
static size_t rx_chunked(struct http_rx *rx, const uint8_t *p, size_t len)
{
	size_t used = 0;

	while (used < len && !rx->ch.done) {
		struct http_span sp[16];
		size_t ns = 0;
		long n = http_chunked_feed(&rx->ch, p + used, len - used, sp, 16, &ns);
		if (n < 0) {
			rx_fail(rx, FETCH_OTHER, "bad chunked body: %s", http_strerror((int)n));
			return used;
		}
		for (size_t i = 0; i < ns; i++) {
			if (rx->state == HTTP_RX_DRAIN) {
				rx->drained += sp[i].len;
			} else if (rx_store(rx, sp[i].p, sp[i].len)) {
				return used + (size_t)n;
			}
		}
		if (!n && !ns)
			break; /* the decoder wants more than there is: never, but no spin */
		used += (size_t)n;
	}
	if (rx->ch.done) {
		if (rx->state == HTTP_RX_DRAIN)
			rx->state = HTTP_RX_DONE;
		else
			rx_body_end(rx);
	} else if (rx->state == HTTP_RX_DRAIN && rx->drained > HTTP_DRAIN_MAX) {
		rx->state = HTTP_RX_DONE; /* too long to drain: close instead */
		rx->keep = false;
	}
	return used;
}

size_t http_rx_input(struct http_rx *rx, const uint8_t *p, size_t len)
{
	size_t used = 0;

	while (used < len) {
		size_t n = 0;
		switch (rx->state) {
		case HTTP_RX_HEAD: {
			int rc = http_head_feed(&rx->head, p + used, len - used, &n);
			if (rc < 0) {
				rx_fail(rx, FETCH_OTHER, "bad response: %s", http_strerror(rc));
				n = 0;
			} else if (rc == HTTP_HEAD_DONE) {
				rx->wire += n;
				used += n;
				rx_head_done(rx);
				continue;
			} else if (!n) {
				rx_fail(rx, FETCH_OTHER, "bad response: the head parser stalled");
			}
			break;
		}
		case HTTP_RX_BODY:
		case HTTP_RX_DRAIN:
			if (rx->body == HTTP_BODY_CHUNKED) {
				n = rx_chunked(rx, p + used, len - used);
				break;
			}
			n = len - used;
			if (rx->body == HTTP_BODY_LENGTH && n > rx->body_left)
				n = (size_t)rx->body_left;
			if (rx->state == HTTP_RX_DRAIN) {
				rx->drained += n;
			} else if (rx_store(rx, p + used, n)) {
				n = 0;
				break;
			}
			if (rx->body == HTTP_BODY_LENGTH) {
				rx->body_left -= n;
				if (!rx->body_left) {
					if (rx->state == HTTP_RX_DRAIN)
						rx->state = HTTP_RX_DONE;
					else
						rx_body_end(rx);
				}
			}
			break;
		case HTTP_RX_DONE:
			/* We never pipeline: bytes past the response are the
			 * server's mistake (RFC 9112 s.6.3: a longer body). */
			if (rx->outcome == HTTP_OUT_FILE)
				rx_fail(rx, FETCH_OTHER,
					"the server sent more than the %llu bytes it announced",
					(unsigned long long)rx->have);
			rx->keep = false;
			return len;
		default:
			return used;
		}
		rx->wire += n;
		used += n;
		if (rx->state == HTTP_RX_FAILED)
			break;
	}
	return used;
}

void http_rx_eof(struct http_rx *rx, bool reset)
{
	const char *how = reset ? "was reset" : "closed";

	switch (rx->state) {
	case HTTP_RX_HEAD:
		if (rx->wire || rx->head.resp.status)
			rx_fail(rx, FETCH_OTHER, "the connection %s inside the response head", how);
		else
			rx_fail(rx, FETCH_OTHER, "the connection %s before any answer", how);
		break;
	case HTTP_RX_BODY:
		if (rx->body == HTTP_BODY_CLOSE && !reset) {
			rx_body_end(rx);
			break;
		}
		if (rx->total_known)
			rx_fail(rx, FETCH_OTHER, "the connection %s after %llu of %llu bytes", how,
				(unsigned long long)rx->have, (unsigned long long)rx->total);
		else
			rx_fail(rx, FETCH_OTHER, "the connection %s after %llu bytes", how,
				(unsigned long long)rx->have);
		rx->cut = true;
		break;
	case HTTP_RX_DRAIN:
		rx->state = HTTP_RX_DONE; /* the body we drop was cut: nothing lost */
		rx->keep = false;
		break;
	default:
		break;
	}
	rx->keep = false;
}

/* ---- one GET ---- */

static void note(struct http_get *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct http_get *g, const char *fmt, ...)
{
	char line[HTTP_URL_MAX + 128];
	va_list ap;

	if (!g->t->note)
		return;
	va_start(ap, fmt);
	format_vbuf(line, sizeof(line), fmt, ap);
	va_end(ap);
	g->t->note(g->t->ctx, line);
}

static int get_fail(struct http_get *g, enum fetch_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int get_fail(struct http_get *g, enum fetch_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_vbuf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
	g->err = err;
	return -1;
}

/* Take url as the one to fetch: parsed, http only, host usable. */
static int get_target(struct http_get *g, const char *url)
{
	const char *why = NULL;

	if (strlen(url) >= sizeof(g->url))
		return get_fail(g, FETCH_OTHER, "URL longer than %d bytes", HTTP_URL_MAX - 1);
	memmove(g->url, url, strlen(url) + 1);
	int rc = fetch_url_parse(g->url, &g->u, &why);
	if (rc <= 0)
		return get_fail(g, FETCH_OTHER, "%s", rc < 0 && why ? why : "not a URL");
	if (strcmp(g->u.scheme, "http"))
		return get_fail(g, FETCH_OTHER, "%s:// is not http://", g->u.scheme);
	if (g->u.ipv6)
		return get_fail(g, FETCH_OTHER, "IPv6 hosts are not supported yet ([%s])",
				g->u.host);
	return 0;
}

/* A redirect: the next URL, resolved against the current one (RFC 9110
 * s.10.2.2, RFC 3986 s.5.2), bounded and checked for loops. */
static int get_redirect(struct http_get *g)
{
	const struct http_response *r = &g->rx.head.resp;
	char next[HTTP_URL_MAX];
	const char *why = NULL;
	struct fetch_url nu;

	if (g->redirects >= HTTP_MAX_REDIRECTS)
		return get_fail(g, FETCH_OTHER, "more than %d redirects (last %d to %.60s)",
				HTTP_MAX_REDIRECTS, r->status, r->location);
	if (fetch_url_resolve(g->url, r->location, next, sizeof(next), &why))
		return get_fail(g, FETCH_OTHER, "%d redirect to a bad Location (%s)", r->status,
				why ? why : "unresolvable");
	if (fetch_url_parse(next, &nu, &why) != 1)
		return get_fail(g, FETCH_OTHER, "%d redirect to a bad Location (%s)", r->status,
				why ? why : "not a URL");
	if (strcmp(nu.scheme, "http"))
		return get_fail(g, FETCH_OTHER, "%d redirect to %.80s: only http:// is supported",
				r->status, next);
	memcpy(g->seen[g->redirects], g->url, sizeof(g->url));
	g->redirects++;
	for (unsigned i = 0; i < g->redirects; i++)
		if (!strcmp(g->seen[i], next))
			return get_fail(g, FETCH_OTHER, "redirect loop: %d back to %.100s",
					r->status, next);
	note(g, "%d %s: redirected to %s", r->status, r->reason, next);
	return get_target(g, next);
}

/* A resume could not connect (err, why): the server may be restarting.
 * While it refuses or does not answer, pause and let the caller try again,
 * up to HTTP_RESUME_WAIT_MS from the cut (cut_ms). 0: try again; -1 with
 * g failed. */
static int get_wait_for_server(struct http_get *g, enum fetch_err err, const char *why, bool *away,
			       uint64_t cut_ms)
{
	const struct http_transport *t = g->t;
	const struct http_rx *rx = &g->rx;

	if ((err != FETCH_REFUSED && err != FETCH_TIMEOUT) || !t->now || !t->pause)
		return get_fail(g, err, "%s (resuming from byte %llu)", why,
				(unsigned long long)rx->have);
	uint64_t now = t->now(t->ctx);
	if (!*away) {
		*away = true;
		note(g, "%s; waiting up to %d s for the server to come back", why,
		     HTTP_RESUME_WAIT_MS / 1000);
	}
	if (now - cut_ms >= HTTP_RESUME_WAIT_MS) {
		char of[32] = "";
		if (rx->total_known)
			format_buf(of, sizeof(of), " of %llu", (unsigned long long)rx->total);
		return get_fail(g, err,
				"the server went away after %llu%s bytes and was not back in %d s "
				"(%s)",
				(unsigned long long)rx->have, of, HTTP_RESUME_WAIT_MS / 1000, why);
	}
	t->pause(t->ctx, HTTP_RESUME_RETRY_MS);
	return 0;
}

int http_get_run(struct http_get *g, const char *url)
{
	const struct http_transport *t = g->t;
	static char req[HTTP_REQUEST_MAX];
	bool fresh = false, resuming = false, away = false, asked_again = false;
	uint64_t cut_ms = 0;

	g->redirects = g->resumes = g->resumes_total = g->fresh_retries = 0;
	g->resumed_from = 0;
	g->err = FETCH_OK;
	g->why[0] = '\0';
	g->rx.have = 0;
	g->rx.total_known = false;
	g->rx.total = 0;
	g->rx.restarts = 0;
	if (get_target(g, url))
		return -1;
	for (;;) {
		bool reused = false;
		enum fetch_err err = FETCH_OTHER;
		char why[HTTP_WHY_LEN] = "";
		uint64_t from = g->rx.have;

		if (t->open(t->ctx, &g->u, fresh, &reused, &err, why, sizeof(why))) {
			if (!resuming)
				return get_fail(g, err, "%s", why);
			if (get_wait_for_server(g, err, why, &away, cut_ms))
				return -1;
			continue;
		}
		fresh = false;
		long n =
		    http_request_build(req, sizeof(req), g->u.host, g->u.port, g->u.path, from);
		if (n < 0) {
			t->release(t->ctx, true, false);
			return get_fail(g, FETCH_OTHER, "request longer than %d bytes",
					HTTP_REQUEST_MAX);
		}
		http_rx_start(&g->rx, from);
		enum http_io io =
		    t->send(t->ctx, req, (size_t)n) ? HTTP_IO_RESET : t->run(t->ctx, &g->rx);
		struct http_rx *rx = &g->rx;
		if (io == HTTP_IO_EOF || io == HTTP_IO_RESET)
			http_rx_eof(rx, io == HTTP_IO_RESET);
		bool live = io == HTTP_IO_DONE && rx->state == HTTP_RX_DONE;
		t->release(t->ctx, live && rx->keep, !live);

		if (resuming && !rx->wire && (io == HTTP_IO_EOF || io == HTTP_IO_RESET)) {
			/* Taken and closed before any answer: a server going
			 * down (its listening socket's backlog reset) or not
			 * up yet. */
			if (get_wait_for_server(g, FETCH_REFUSED, rx->why, &away, cut_ms))
				return -1;
			fresh = true;
			continue;
		}
		if (away && rx->wire)
			note(g, "the server answered again %llu ms after the cut (from byte %llu)",
			     (unsigned long long)(t->now(t->ctx) - cut_ms),
			     (unsigned long long)from);
		resuming = away = false;
		bool idle = io == HTTP_IO_IDLE || io == HTTP_IO_GAP;
		if (idle && rx->state == HTTP_RX_BODY &&
		    (io == HTTP_IO_GAP ||
		     (rx->have > from && rx->have - from >= HTTP_RESUME_PROGRESS))) {
			/* A body that stopped on a connection that was losing
			 * segments, or after it flowed: the sender may be
			 * waiting out a retransmission timer it doubled after
			 * each loss in a row (RFC 6298 s.5.5: 6.4 s after five
			 * from 200 ms, more when the round trip varies), and
			 * it stays doubled while its retransmissions' ACKs are
			 * lost. A new connection starts with a fresh timer;
			 * resume on it. A server that stalls early on a clean
			 * path still gets the line below. */
			rx_fail(rx, FETCH_TIMEOUT, "no data for %d s after %llu bytes%s",
				HTTP_IDLE_MS / 1000, (unsigned long long)rx->have,
				io == HTTP_IO_GAP ? " (segments were being lost)" : "");
			rx->cut = true;
		} else if (idle && !rx->wire && !asked_again) {
			/* No answer at all: on a lossy network the answer and
			 * its retransmissions may all have been lost to a
			 * sender whose timer started at 3 s after a lost
			 * SYN-ACK (RFC 6298 s.5.7). A GET is idempotent (RFC
			 * 9110 s.9.2.2): ask once more on a new connection. */
			asked_again = fresh = true;
			note(g, "no answer for %d s; asking again on a new connection",
			     HTTP_IDLE_MS / 1000);
			continue;
		} else if (idle) {
			return get_fail(g, FETCH_TIMEOUT, "no data for %d s (after %llu bytes)",
					HTTP_IDLE_MS / 1000, (unsigned long long)rx->have);
		}
		if (rx->state == HTTP_RX_FAILED) {
			/* RFC 9112 s.9.3.1: a kept connection the server closed
			 * meanwhile; a GET may be retried on a new one. */
			if (reused && !rx->wire && !g->fresh_retries) {
				g->fresh_retries++;
				fresh = true;
				continue;
			}
			/* The budget counts resumes in a row that brought little:
			 * one that brought HTTP_RESUME_PROGRESS bytes starts it
			 * again, so a long transfer on a lossy network, or a
			 * server restarted more than once, is not abandoned
			 * while it makes progress; one that makes none is. */
			if (rx->have > g->resumed_from &&
			    rx->have - g->resumed_from >= HTTP_RESUME_PROGRESS)
				g->resumes = 0;
			if (rx->cut && g->resumes < HTTP_MAX_RESUMES) {
				g->resumes++;
				g->resumes_total++;
				g->resumed_from = rx->have;
				note(g, "%s; resuming from byte %llu (%u of %d)", rx->why,
				     (unsigned long long)rx->have, g->resumes, HTTP_MAX_RESUMES);
				fresh = resuming = true;
				cut_ms = t->now ? t->now(t->ctx) : 0;
				continue;
			}
			if (rx->cut && g->resumes_total)
				return get_fail(g, rx->err, "%s (after %u resumes)", rx->why,
						g->resumes_total);
			return get_fail(g, rx->err, "%s", rx->why);
		}
		const struct http_response *r = &rx->head.resp;
		switch (rx->outcome) {
		case HTTP_OUT_FILE:
			return 0;
		case HTTP_OUT_STATUS:
			if (r->reason[0])
				return get_fail(g, http_status_kind(r->status), "%d %s", r->status,
						r->reason);
			return get_fail(g, http_status_kind(r->status), "%d", r->status);
		case HTTP_OUT_REDIRECT:
			if (get_redirect(g))
				return -1;
			break;
		}
	}
}
