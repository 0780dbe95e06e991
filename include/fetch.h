/* Fetching files, whatever the transport (boot/fetch.c, ARCHITECTURE.md
 * rule 8): a name or URL goes in, a buffer comes out. A table maps URL
 * schemes to fetchers (tftp today; http, and file on a disk, later), so
 * the boot manager and the loaders never see a transport. Loaders take a
 * struct fetched and never free it: whoever fetched it does. */
#ifndef WB_FETCH_H
#define WB_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fetch_err {
	FETCH_OK,
	FETCH_NOT_FOUND, /* the server has no such file */
	FETCH_TIMEOUT,	 /* no answer, or the transfer stalled */
	FETCH_REFUSED,	 /* the server said no (access, options, ...) */
	FETCH_TOO_LARGE, /* more than the memory there is for it */
	FETCH_OTHER,	 /* anything else: the reason says what */
};

#define FETCH_WHERE_LEN 560 /* "host:path" as printed */

/* A fetched file: pages of MEM_LOADER_DATA, or on failure the reason. */
struct fetched {
	uint8_t *data; /* NULL for an empty file or a failure */
	uint64_t size;
	uint64_t pages;
	uint64_t ms;
	const char *scheme;	     /* "tftp", ... */
	char where[FETCH_WHERE_LEN]; /* "10.0.2.2:vmlinuz" */
	enum fetch_err err;
	char reason[160];
};

/* Where a name without a scheme comes from, and the transports' settings. */
struct fetch_ctx {
	const char *scheme;    /* the boot server's scheme: "tftp" */
	uint32_t server;       /* IPv4, network order */
	uint16_t tftp_blksize; /* 0: RFC 1350's 512 without asking */
	uint16_t tftp_window;  /* 1: lock-step */
	uint32_t tftp_wait_ms; /* a request unanswered this long fails (0: 7 s) */
};

/* A URL split into its parts (fetch_url.c, pure, RFC 3986 s.3):
 * scheme://host[:port]/path. */
#define FETCH_SCHEME_LEN 8
#define FETCH_HOST_LEN	 256 /* a reg-name is at most 253 (RFC 1035), an IPv6 text 45 */
struct fetch_url {
	char scheme[FETCH_SCHEME_LEN]; /* lower case */
	/* a reg-name lower-cased, an IPv4 dotted, or an IPv6 text without brackets */
	char host[FETCH_HOST_LEN];
	uint32_t ipv4;	  /* network order when host is an IPv4 literal, else 0 */
	bool ipv6;	  /* host was a bracketed IPv6 literal (parsed, not usable yet) */
	uint16_t port;	  /* 0: the scheme's own */
	const char *path; /* inside the name given, after the host's '/' (may hold ?query
			   * and #fragment); percent-encoding kept as it is */
	size_t path_len;  /* path's length without the #fragment: what a server gets */
};

/* Split "scheme://host[:port]/path" (RFC 3986 s.3.2: host a reg-name of
 * letters, digits, '-' and '.', a dotted IPv4 address, or a bracketed IPv6
 * literal; userinfo is refused). Returns 1 for a URL, 0 for a plain path
 * (no "://" before the first '/'), -1 for a malformed URL (with why set). */
int fetch_url_parse(const char *name, struct fetch_url *u, const char **why);

/* RFC 3986 s.5.2: resolve ref (an absolute URL, a network-path reference
 * "//host/x", an absolute path, or a relative path, with dot-segments
 * removed as s.5.2.4 says) against base, an absolute URL, into out (cap
 * bytes with the NUL). Returns 0, or -1 with why set (a base that is not
 * absolute, a space or control character, a result longer than cap). */
int fetch_url_resolve(const char *base, const char *ref, char *out, size_t cap, const char **why);

/* One row of the scheme table: fetch u (parsed; for a plain path the fetch
 * layer fills it from the context: its scheme, server and the path) into out. */
struct fetch_scheme {
	const char *name;
	int (*fetch)(const struct fetch_ctx *c, const struct fetch_url *u, struct fetched *out);
};

/* Fetch a URL, or a path from the context's server with its scheme.
 * Returns 0, or -1 with out->err and out->reason set; prints nothing
 * except a transport's progress lines. */
int fetch_file(const struct fetch_ctx *c, const char *name, struct fetched *out);

/* One error line: "<scheme>: <where>: <reason>; <then>". */
void fetch_report(const struct fetched *f, const char *then);

/* Give a fetched file's memory back (safe on a failed or freed one). */
void fetched_free(struct fetched *f);

#endif
