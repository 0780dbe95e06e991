/* HTTP/1.1 client (httpboot/). http_client.c is pure: the request text, a
 * response received into a file buffer (Content-Length, chunked or
 * close-delimited bodies; RFC 9112 s.6), and one GET followed through
 * redirects, resumes and stale kept-alive connections over a transport
 * given as callbacks. http_net.c is that transport on lwIP's raw TCP API,
 * with DNS, a connection cache keyed by host:port (so a kernel and its
 * initrds share one connection) and the progress lines. Errors: 0, or -1
 * with a fetch_err kind and a one-line reason. */
#ifndef WB_HTTP_H
#define WB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fetch.h>
#include <http_chunked.h>
#include <http_parse.h>

#define HTTP_PORT	     80
#define HTTP_MAX_REDIRECTS   8
#define HTTP_MAX_RESUMES     3		 /* Range requests in a row that brought little (below) */
#define HTTP_RESUME_PROGRESS (256 << 10) /* a resume that brought this much restarts the count */
#define HTTP_RESUME_WAIT_MS  30000	 /* a server gone mid-body: how long we wait for it back */
#define HTTP_RESUME_RETRY_MS 1000	 /* between connection attempts while it is away */
#define HTTP_IDLE_MS	     10000	 /* no byte for this long: the transfer stalled */
#define HTTP_CONNECT_MS	     10000	 /* SYN to established */
#define HTTP_DNS_MS	     10000	 /* a name to an address */
#define HTTP_DRAIN_MAX	     65536 /* a redirect's or an error's body read to keep the connection */
#define HTTP_FIRST_GROW	     (1 << 20) /* first buffer for a body of unknown length */
#define HTTP_URL_MAX	     2304      /* a URL we follow: a Location or a config's name */
#define HTTP_REQUEST_MAX     (3 * HTTP_URL_MAX + 512)
#define HTTP_WHY_LEN	     160

/* The `http` row of the fetch layer's scheme table (http_net.c): GET u
 * into pages of MEM_LOADER_DATA. out->where is "host:path" (with
 * "host:port:path" for a port other than 80). 0, or -1 with out->err and
 * out->reason set; prints progress, redirects, resumes and a summary. */
int http_fetch(const struct fetch_ctx *c, const struct fetch_url *u, struct fetched *out);

/* GET request text for path (the URL's part after the host's '/', query
 * kept, fragment dropped; bytes outside 0x21..0x7e percent-encoded) on
 * host:port, with Range: bytes=<range_from>- when range_from is not 0.
 * Returns its length, or -1 if it does not fit in cap. */
long http_request_build(char *buf, size_t cap, const char *host, uint16_t port, const char *path,
			uint64_t range_from);

/* ---- one response, received into the file buffer ---- */

enum http_rx_state {
	HTTP_RX_HEAD,	/* reading the status line and header fields */
	HTTP_RX_BODY,	/* storing the file's bytes */
	HTTP_RX_DRAIN,	/* reading a redirect's or an error's body, discarded */
	HTTP_RX_DONE,	/* the response is complete: see outcome */
	HTTP_RX_FAILED, /* err and why say what happened */
};

enum http_rx_outcome { HTTP_OUT_FILE, HTTP_OUT_REDIRECT, HTTP_OUT_STATUS };

enum http_rx_body { HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED, HTTP_BODY_CLOSE };

struct http_rx {
	/* Set by the caller once. */
	uint64_t max_size; /* a larger file is FETCH_TOO_LARGE */
	/* A buffer of at least need bytes holding the first used bytes of old
	 * (old may be NULL; the old one is given back); NULL when out of memory. */
	uint8_t *(*grow)(void *ctx, uint8_t *old, uint64_t used, uint64_t need, uint64_t *cap);
	void *ctx;

	/* The file, kept across the responses of one GET (resumes). */
	uint8_t *buf;
	uint64_t cap;
	uint64_t have; /* bytes of the file in buf, from its start */
	bool total_known;
	uint64_t total;
	unsigned restarts; /* a server ignored Range and sent it all again */

	/* This response. */
	uint64_t asked_from; /* Range start asked for, 0: the whole file */
	enum http_rx_state state;
	enum http_rx_outcome outcome;
	enum http_rx_body body;
	uint64_t body_left;	/* HTTP_BODY_LENGTH: bytes still to come */
	uint64_t drained;	/* discarded body bytes */
	uint64_t wire;		/* bytes of this response seen (head and body) */
	bool keep;		/* the connection may carry the next request */
	bool cut;		/* FAILED because the connection ended inside the body */
	struct http_head head;	/* head.resp once the head is done */
	struct http_chunked ch; /* HTTP_BODY_CHUNKED */
	enum fetch_err err;
	char why[HTTP_WHY_LEN];
};

/* Begin a response to a request that asked from range_from (0: all). */
void http_rx_start(struct http_rx *rx, uint64_t range_from);
/* Feed bytes as they arrive (also after DONE: bytes past a response are
 * the server's error, which fails a file and ends keep-alive). Returns how
 * many were used: fewer than len only when rx FAILED. */
size_t http_rx_input(struct http_rx *rx, const uint8_t *p, size_t len);
/* The server closed the connection (FIN or RST, reset says which): the
 * end of a close-delimited body, else a failure (cut inside a body). */
void http_rx_eof(struct http_rx *rx, bool reset);
/* The kind of failure a status line is: 404/410 not found, 401/403
 * refused, anything else other. */
enum fetch_err http_status_kind(int status);

/* ---- one GET over a transport: redirects, resumes, stale connections ---- */

enum http_io {
	HTTP_IO_DONE,  /* rx stopped receiving (DONE or FAILED) */
	HTTP_IO_EOF,   /* the server closed the connection (FIN) */
	HTTP_IO_RESET, /* the connection was reset or broke */
	HTTP_IO_IDLE,  /* nothing arrived for the idle timeout */
	HTTP_IO_GAP,   /* the same on a connection that lost segments during this
			* response (out-of-order data seen): a sender backing off */
};

struct http_transport {
	/* Connect to u's host and port, or reuse a kept connection unless
	 * fresh. 0 with *reused set, or -1 with *err and why set. */
	int (*open)(void *ctx, const struct fetch_url *u, bool fresh, bool *reused,
		    enum fetch_err *err, char *why, size_t cap);
	/* Send the request on the open connection: 0, or -1 (broken). */
	int (*send)(void *ctx, const char *req, size_t len);
	/* Feed what arrives to rx (http_rx_input) until rx leaves HEAD, BODY
	 * and DRAIN, or the connection ends, or it idles too long. */
	enum http_io (*run)(void *ctx, struct http_rx *rx);
	/* Done with the connection: keep it for the next request, or close it
	 * (abort: cut it off, the server may still be sending). */
	void (*release)(void *ctx, bool keep, bool abort);
	/* One line for the console (redirects, resumes); may be NULL. */
	void (*note)(void *ctx, const char *line);
	void *ctx;
	/* Milliseconds on a clock that only goes forward, and a pause that
	 * keeps the network served: a resume whose server is away (refused,
	 * no answer) tries again until HTTP_RESUME_WAIT_MS. Either NULL: a
	 * resume that cannot connect fails at once. */
	uint64_t (*now)(void *ctx);
	void (*pause)(void *ctx, unsigned ms);
};

struct http_get {
	const struct http_transport *t;
	char url[HTTP_URL_MAX]; /* the URL being fetched (the last one after redirects) */
	struct fetch_url u;	/* url split; u.path points into url */
	char seen[HTTP_MAX_REDIRECTS + 1][HTTP_URL_MAX]; /* URLs visited: loops */
	unsigned redirects, fresh_retries;
	unsigned resumes;	/* in a row, each bringing under HTTP_RESUME_PROGRESS bytes */
	unsigned resumes_total; /* of this GET */
	uint64_t resumed_from;	/* rx.have when the last resume asked */
	struct http_rx rx;	/* the caller sets max_size, grow, ctx; buf is the file */
	enum fetch_err err;
	char why[HTTP_WHY_LEN];
};

/* GET url (an http:// URL) into g->rx.buf: 0 with rx.have bytes, or -1
 * with err and why set (rx.buf may still hold pages: the caller frees). */
int http_get_run(struct http_get *g, const char *url);

/* "http://host[:port]/path" for a parsed URL, into out: 0 or -1 (too long). */
int http_url_format(const struct fetch_url *u, char *out, size_t cap);

#endif
