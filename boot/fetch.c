/* The fetch layer: names and URLs to transports through one table
 * (iPXE's URI openers are the model), and the fetched buffers' owner API. */
#include <string.h>
#include <fetch.h>
#include <format.h>
#include <http.h>
#include <log.h>
#include <pxe.h>
#include <sysmem.h>

static const struct fetch_scheme schemes[] = {
	{ "tftp", pxe_tftp_fetch },
	{ "http", http_fetch },
};

static const struct fetch_scheme *scheme_find(const char *name)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strcmp(schemes[i].name, name))
			return &schemes[i];
	return NULL;
}

/* A failure found before any transport ran. */
static int fail_early(struct fetched *out, const char *name, enum fetch_err err, const char *why)
{
	out->scheme = "fetch";
	format_buf(out->where, sizeof(out->where), "%s", name);
	out->err = err;
	format_buf(out->reason, sizeof(out->reason), "%s", why);
	return -1;
}

/* A plain path as a URL of the context's scheme on the boot server. */
static void fetch_url_from_ctx(const struct fetch_ctx *c, const char *name, struct fetch_url *u)
{
	const uint8_t *a = (const uint8_t *)&c->server;

	memset(u, 0, sizeof(*u));
	format_buf(u->scheme, sizeof(u->scheme), "%s", c->scheme);
	format_buf(u->host, sizeof(u->host), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	u->ipv4 = c->server;
	u->path = name;
	u->path_len = strlen(name);
}

int fetch_file(const struct fetch_ctx *c, const char *name, struct fetched *out)
{
	struct fetch_url u;
	const char *why = NULL;
	const struct fetch_scheme *s;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = fetch_url_parse(name, &u, &why);
	if (rc < 0)
		return fail_early(out, name, FETCH_OTHER, why);
	if (rc == 0) {
		s = scheme_find(c->scheme);
		if (!s)
			return fail_early(out, name, FETCH_OTHER,
					  "the boot server's scheme has no fetcher");
		fetch_url_from_ctx(c, name, &u);
	} else {
		s = scheme_find(u.scheme);
		if (!s) {
			char why2[64];
			format_buf(why2, sizeof(why2), "%s:// is not supported yet (only tftp://)",
				   u.scheme);
			return fail_early(out, name, FETCH_OTHER, why2);
		}
	}
	rc = s->fetch(c, &u, out);
	out->scheme = s->name;
	if (rc && out->err == FETCH_OK)
		out->err = FETCH_OTHER; /* a fetcher must say why; never report success */
	return rc ? -1 : 0;
}

void fetch_report(const struct fetched *f, const char *then)
{
	log_error("%s: %s: %s; %s", f->scheme ? f->scheme : "fetch", f->where, f->reason, then);
}

void fetched_free(struct fetched *f)
{
	if (f->data)
		memmap_free(&sys_memmap, (uintptr_t)f->data, f->pages);
	f->data = NULL;
	f->size = 0;
	f->pages = 0;
}
