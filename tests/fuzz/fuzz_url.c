/* libFuzzer target for boot/fetch_url.c. The input is two strings split at
 * the first NUL byte (the second is empty without one): the first is
 * parsed as a URL and used as the base, the second as the reference
 * resolved against it. Checks: a parsed URL's fields are within bounds,
 * consistent, and parse again the same when put back together; a
 * resolution never writes past its cap, gives the same text with any cap
 * that holds it, and refuses with a reason otherwise. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fetch.h>

#define OUT_MAX 4096

static void fail(const char *why, const char *a, const char *b)
{
	fprintf(stderr, "fetch_url: %s\n  [%s]\n  [%s]\n", why, a, b ? b : "");
	abort();
}

static void check_parsed(const char *name, const struct fetch_url *u)
{
	size_t hl = strnlen(u->host, sizeof(u->host));
	size_t sl = strnlen(u->scheme, sizeof(u->scheme));

	if (hl == sizeof(u->host) || sl == sizeof(u->scheme) || !sl || !hl)
		fail("scheme or host empty or without its NUL", name, NULL);
	for (size_t k = 0; k < sl; k++)
		if (u->scheme[k] >= 'A' && u->scheme[k] <= 'Z')
			fail("scheme not lower-cased", name, u->scheme);
	for (size_t k = 0; k < hl; k++)
		if (u->host[k] >= 'A' && u->host[k] <= 'Z')
			fail("host not lower-cased", name, u->host);
	size_t nl = strlen(name);
	if (u->path <= name || u->path > name + nl || u->path[-1] != '/')
		fail("path not inside the name after a '/'", name, NULL);
	if (!u->path_len || u->path_len > strlen(u->path) ||
	    (u->path[u->path_len] && u->path[u->path_len] != '#'))
		fail("path_len wrong", name, u->path);
	if (memchr(u->path, '#', u->path_len))
		fail("path_len includes a fragment", name, u->path);
	if (u->ipv6 && u->ipv4)
		fail("both IPv4 and IPv6", name, u->host);
	if (u->ipv6 && !strchr(u->host, ':'))
		fail("an IPv6 host without ':'", name, u->host);
	if (!u->ipv6 && strspn(u->host, "abcdefghijklmnopqrstuvwxyz0123456789-.") != hl)
		fail("a host name with other characters", name, u->host);
	if (u->ipv4) {
		const uint8_t *a = (const uint8_t *)&u->ipv4;
		char dotted[16];
		snprintf(dotted, sizeof(dotted), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		if (strcmp(dotted, u->host))
			fail("ipv4 and host disagree", name, u->host);
	}
	for (const char *q = name; *q; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f)
			fail("a URL with a space or control character accepted", name, NULL);

	/* put it back together: it parses again to the same */
	static char again[OUT_MAX * 2];
	struct fetch_url v;
	const char *why = NULL;
	char port[8] = "";
	if (u->port)
		snprintf(port, sizeof(port), ":%u", u->port);
	snprintf(again, sizeof(again), "%s://%s%s%s%s/%s", u->scheme, u->ipv6 ? "[" : "", u->host,
		 u->ipv6 ? "]" : "", port, u->path);
	if (fetch_url_parse(again, &v, &why) != 1)
		fail("rebuilt URL refused", name, again);
	if (strcmp(v.scheme, u->scheme) || strcmp(v.host, u->host) || v.ipv4 != u->ipv4 ||
	    v.ipv6 != u->ipv6 || v.port != u->port || strcmp(v.path, u->path) ||
	    v.path_len != u->path_len)
		fail("rebuilt URL parses differently", name, again);
}

static void check_resolve(const char *base, const char *ref, size_t small)
{
	static char big[OUT_MAX], out[OUT_MAX + 64];
	const char *why = NULL, *why2 = NULL;
	int rc = fetch_url_resolve(base, ref, big, sizeof(big), &why);

	if (rc != 0 && rc != -1)
		fail("resolve returned neither 0 nor -1", base, ref);
	if (rc && (!why || !*why))
		fail("refused without a reason", base, ref);
	if (!rc && strnlen(big, sizeof(big)) == sizeof(big))
		fail("resolved without a NUL", base, ref);

	memset(out, 0x5a, sizeof(out));
	int rc2 = fetch_url_resolve(base, ref, out, small, &why2);
	for (size_t k = small; k < sizeof(out); k++)
		if ((unsigned char)out[k] != 0x5a)
			fail("wrote past cap", base, ref);
	if (!rc && strlen(big) < small) {
		if (rc2 || strcmp(out, big))
			fail("a cap that holds the result changed it", base, ref);
	} else if (!rc2) {
		fail("a cap too small for the result was not refused", base, ref);
	}
	if (rc)
		return;
	for (const char *q = big; *q; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f)
			fail("resolved to a space or control character", base, big);
	/* the result resolves to itself once its dots are gone: unless the
	 * base's path was taken as it is (s.5.2.2: an empty path, '?', '#') */
	static char twice[OUT_MAX];
	if (!*ref || *ref == '?' || *ref == '#')
		return;
	if (fetch_url_resolve(base, big, twice, sizeof(twice), &why) || strcmp(twice, big))
		fail("resolving the result again changed it", base, big);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char a[OUT_MAX], b[OUT_MAX];
	const uint8_t *nul = memchr(data, 0, size);
	size_t la = nul ? (size_t)(nul - data) : size;
	size_t lb = nul ? size - la - 1 : 0;
	struct fetch_url u;
	const char *why = NULL;

	if (la >= sizeof(a) || lb >= sizeof(b))
		return 0;
	memcpy(a, data, la);
	a[la] = '\0';
	if (lb)
		memcpy(b, nul + 1, lb);
	b[lb] = '\0';
	/* b may hold more NULs: it ends at the first */

	memset(&u, 0xa5, sizeof(u));
	int rc = fetch_url_parse(a, &u, &why);
	if (rc == 1)
		check_parsed(a, &u);
	else if (rc == -1 && (!why || !*why))
		fail("refused without a reason", a, NULL);
	else if (rc != 0 && rc != -1)
		fail("parse returned something else", a, NULL);
	check_resolve(a, b, size % 97);
	return 0;
}
