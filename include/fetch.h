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
};

/* A URL split into its parts (fetch_url.c, pure): scheme://host[:port]/path. */
#define FETCH_SCHEME_LEN 8
struct fetch_url {
	char scheme[FETCH_SCHEME_LEN]; /* lower case */
	uint32_t host;		       /* IPv4, network order */
	uint16_t port;		       /* 0: the scheme's own */
	const char *path;	       /* inside the name given, after the host's '/' */
};

/* Split "scheme://a.b.c.d[:port]/path" (RFC 3986; a dotted IPv4 host, no
 * names yet). Returns 1 for a URL, 0 for a plain path (no "://"), -1 for a
 * malformed URL (with why set). */
int fetch_url_parse(const char *name, struct fetch_url *u, const char **why);

/* One row of the scheme table: fetch path from host:port into out. */
struct fetch_scheme {
	const char *name;
	int (*fetch)(const struct fetch_ctx *c, uint32_t host, uint16_t port, const char *path,
		     struct fetched *out);
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
