/* URLs for the fetch layer: splitting (RFC 3986 s.3, RFC 3617 for tftp)
 * and resolving references against a base (RFC 3986 s.5.2). Pure: host
 * tests and fuzz targets run it. */
#include <string.h>
#include <fetch.h>

#define URL_REG_NAME_MAX 253 /* RFC 1035 s.2.3.4, without the root's dot */
#define URL_LABEL_MAX	 63
#define URL_IPV6_TEXT_MAX 45 /* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" */

static bool url_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool url_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool url_hex(char c)
{
	return url_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char url_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* RFC 3986 s.2: a URL has no space and no control character. */
static bool url_bad_char(char c)
{
	return (unsigned char)c <= ' ' || c == 0x7f;
}

/* RFC 3986 s.3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
static bool url_scheme_ok(const char *s, size_t n)
{
	if (!n || !url_alpha(s[0]))
		return false;
	for (size_t k = 1; k < n; k++)
		if (!url_alpha(s[k]) && !url_digit(s[k]) && s[k] != '+' && s[k] != '-' &&
		    s[k] != '.')
			return false;
	return true;
}

/* RFC 3986 s.3.2.2 IPv4address: four dec-octets (0-255, no leading zero)
 * that are all of s[0..n). True with the address in network order. */
static bool url_ipv4(const char *s, size_t n, uint32_t *addr)
{
	uint8_t b[4];
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		size_t start = i;
		while (i < n && url_digit(s[i]) && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return false;
		if (part < 3 && (i >= n || s[i++] != '.'))
			return false;
		b[part] = (uint8_t)v;
	}
	if (i != n)
		return false;
	memcpy(addr, b, 4);
	return true;
}

/* RFC 3986 s.3.2.2 IPv6address: 8 groups of 1-4 hex digits, or fewer with
 * one "::" standing for the rest, the last two groups possibly a dotted
 * IPv4 address. */
static bool url_ipv6(const char *s, size_t n)
{
	size_t i = 0;
	unsigned groups = 0;
	bool gap = false;
	uint32_t v4;

	if (n > URL_IPV6_TEXT_MAX)
		return false;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = true;
		i = 2;
		if (i == n)
			return true;
	}
	for (;;) {
		size_t j = i;
		while (j < n && url_hex(s[j]) && j - i < 5)
			j++;
		if (j < n && s[j] == '.') {
			if (!url_ipv4(s + i, n - i, &v4))
				return false;
			groups += 2;
			break;
		}
		if (j == i || j - i > 4)
			return false;
		groups++;
		i = j;
		if (i == n)
			break;
		if (s[i++] != ':' || i == n)
			return false;
		if (s[i] == ':') {
			if (gap)
				return false;
			gap = true;
			if (++i == n)
				break;
		}
	}
	return gap ? groups <= 7 : groups == 8;
}

/* RFC 3986 s.3.2.2 reg-name, as DNS takes it (RFC 1123 s.2.1): labels of
 * 1-63 letters, digits and '-', not starting or ending with '-'. */
static const char *url_reg_name(const char *s, size_t n)
{
	size_t label = 0;

	if (n > URL_REG_NAME_MAX)
		return "URL host name is longer than 253 characters";
	for (size_t k = 0; k <= n; k++) {
		if (k == n || s[k] == '.') {
			if (!label)
				return "URL host name has an empty label (\"..\" or a leading dot)";
			if (s[k - 1] == '-')
				return "URL host name has a label ending in '-'";
			if (k + 1 == n)
				break; /* a trailing dot: the DNS root */
			label = 0;
			continue;
		}
		if (!url_alpha(s[k]) && !url_digit(s[k]) && s[k] != '-')
			return "URL host has a character other than letters, digits, '-' and '.'";
		if (!label && s[k] == '-')
			return "URL host name has a label starting with '-'";
		if (++label > URL_LABEL_MAX)
			return "URL host name has a label longer than 63 characters";
	}
	return NULL;
}

/* The host of an authority, s[0..n) ("[v6]", a.b.c.d or a name), into u;
 * NULL, or why it is refused. */
static const char *url_host(const char *s, size_t n, struct fetch_url *u)
{
	bool dotted = true;

	if (s[0] == '[') {
		if (n < 2 || s[n - 1] != ']')
			return "URL IPv6 literal is not closed by ']'";
		if (s[1] == 'v' || s[1] == 'V')
			return "URL host is an IPvFuture literal, not IPv6";
		if (!url_ipv6(s + 1, n - 2))
			return "URL IPv6 literal is not a valid IPv6 address";
		for (size_t k = 0; k < n - 2; k++)
			u->host[k] = url_lower(s[k + 1]);
		u->host[n - 2] = '\0';
		u->ipv6 = true;
		return NULL;
	}
	if (!n)
		return "URL has no host";
	for (size_t k = 0; k < n; k++)
		if (!url_digit(s[k]) && s[k] != '.')
			dotted = false;
	if (dotted) {
		if (!url_ipv4(s, n, &u->ipv4))
			return "URL host looks like an IPv4 address but is not four numbers "
			       "0-255 without leading zeros";
	} else {
		const char *why = url_reg_name(s, n);
		if (why)
			return why;
	}
	for (size_t k = 0; k < n; k++)
		u->host[k] = url_lower(s[k]);
	u->host[n] = '\0';
	return NULL;
}

/* RFC 3986 s.3.2: authority = [ userinfo "@" ] host [ ":" port ], s[0..n). */
static const char *url_authority(const char *s, size_t n, struct fetch_url *u)
{
	size_t h = n;

	if (memchr(s, '@', n))
		return "URL has user information (user@host), which wireboot never sends";
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return "URL IPv6 literal is not closed by ']'";
		h = (size_t)(close - s) + 1;
		if (h < n && s[h] != ':')
			return "URL has text after the IPv6 literal's ']'";
	} else {
		const char *colon = memchr(s, ':', n);
		if (colon)
			h = (size_t)(colon - s);
	}
	const char *why = url_host(s, h, u);
	if (why)
		return why;
	if (h < n) {
		unsigned v = 0;
		size_t d = n - h - 1;
		for (size_t k = h + 1; k < n && d <= 5; k++) {
			if (!url_digit(s[k])) {
				d = 0;
				break;
			}
			v = v * 10 + (unsigned)(s[k] - '0');
		}
		if (!d || d > 5 || !v || v > 65535)
			return "URL port is not a number from 1 to 65535";
		u->port = (uint16_t)v;
	}
	return NULL;
}

int fetch_url_parse(const char *name, struct fetch_url *u, const char **why)
{
	size_t i = 0;

	while (name[i] && name[i] != ':' && name[i] != '/')
		i++;
	if (name[i] != ':' || name[i + 1] != '/' || name[i + 2] != '/')
		return 0;
	memset(u, 0, sizeof(*u));
	if (!i || i >= FETCH_SCHEME_LEN) {
		*why = i ? "URL scheme too long" : "URL without a scheme";
		return -1;
	}
	if (!url_scheme_ok(name, i)) {
		*why = "URL scheme has a character RFC 3986 does not allow";
		return -1;
	}
	for (size_t k = 0; k < i; k++)
		u->scheme[k] = url_lower(name[k]);
	u->scheme[i] = '\0';

	const char *p = name + i + 3;
	for (const char *q = p; *q; q++)
		if (url_bad_char(*q)) {
			*why = "URL has a space or a control character";
			return -1;
		}
	size_t a = 0;
	while (p[a] && p[a] != '/' && p[a] != '?' && p[a] != '#')
		a++;
	*why = url_authority(p, a, u);
	if (*why)
		return -1;
	p += a;
	if (*p == '/') {
		u->path = p + 1;
		const char *frag = strchr(u->path, '#');
		u->path_len = frag ? (size_t)(frag - u->path) : strlen(u->path);
	}
	if (!u->path_len) {
		*why = "URL names no file";
		return -1;
	}
	return 1;
}

/* A URI reference in its five parts (RFC 3986 s.5.2.1, Appendix B). */
struct url_ref {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_len, auth_len, path_len, query_len, frag_len;
	bool has_auth, has_query, has_frag;
};

/* Split s into r; NULL, or why it is not a URI reference. */
static const char *url_split(const char *s, struct url_ref *r)
{
	size_t i = 0;

	memset(r, 0, sizeof(*r));
	for (const char *q = s; *q; q++)
		if (url_bad_char(*q))
			return "URL has a space or a control character";
	while (s[i] && !strchr(":/?#", s[i]))
		i++;
	if (s[i] == ':') {
		if (!url_scheme_ok(s, i))
			return i ? "URL scheme has a character RFC 3986 does not allow"
				 : "URL without a scheme";
		r->scheme = s;
		r->scheme_len = i;
		s += i + 1;
	}
	if (s[0] == '/' && s[1] == '/') {
		s += 2;
		r->has_auth = true;
		r->auth = s;
		while (*s && !strchr("/?#", *s))
			s++;
		r->auth_len = (size_t)(s - r->auth);
	}
	r->path = s;
	while (*s && *s != '?' && *s != '#')
		s++;
	r->path_len = (size_t)(s - r->path);
	if (*s == '?') {
		r->has_query = true;
		r->query = ++s;
		while (*s && *s != '#')
			s++;
		r->query_len = (size_t)(s - r->query);
	}
	if (*s == '#') {
		r->has_frag = true;
		r->frag = s + 1;
		r->frag_len = strlen(r->frag);
	}
	return NULL;
}

/* The output of a resolution: nothing is written past cap; full says
 * something did not fit. */
struct url_out {
	char *b;
	size_t cap, len;
	bool full;
};

static void url_put(struct url_out *o, const char *s, size_t n)
{
	if (o->full || n >= o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->b + o->len, s, n);
	o->len += n;
}

/* The input of remove_dot_segments: a[0..an) then b[0..bn), read from i;
 * so s.5.2.3's merge of base and reference paths is never built. */
struct url_in {
	const char *a, *b;
	size_t an, bn, i;
};

static size_t url_in_left(const struct url_in *in)
{
	return in->an + in->bn - in->i;
}

static char url_in_at(const struct url_in *in, size_t k)
{
	k += in->i;
	return k < in->an ? in->a[k] : in->b[k - in->an];
}

/* The input starts with what (whole: it is all of the input). */
static bool url_in_is(const struct url_in *in, const char *what, bool whole)
{
	size_t k = strlen(what);

	if (url_in_left(in) < k || (whole && url_in_left(in) != k))
		return false;
	for (size_t j = 0; j < k; j++)
		if (url_in_at(in, j) != what[j])
			return false;
	return true;
}

/* RFC 3986 s.5.2.4 remove_dot_segments, from in onto o. A segment that
 * does not fit is counted instead of written, so that a later ".." can
 * take it back: the result is refused only when it does not fit itself. */
static void url_remove_dots(struct url_in *in, struct url_out *o)
{
	size_t start = o->len, over = 0;

	while (url_in_left(in)) {
		bool pop = false, push_slash = false;
		if (url_in_is(in, "../", false)) {
			in->i += 3; /* A */
		} else if (url_in_is(in, "./", false) || url_in_is(in, "/./", false)) {
			in->i += 2; /* A, B */
		} else if (url_in_is(in, "/.", true)) {
			push_slash = true; /* B: the input becomes "/", which E moves */
		} else if (url_in_is(in, "/../", false)) {
			in->i += 3; /* C */
			pop = true;
		} else if (url_in_is(in, "/..", true)) {
			pop = push_slash = true;
		} else if (url_in_is(in, ".", true) || url_in_is(in, "..", true)) {
			break; /* D */
		} else {
			size_t j = url_in_at(in, 0) == '/'; /* E: the first segment moves out */
			while (j < url_in_left(in) && url_in_at(in, j) != '/')
				j++;
			if (over || o->full || j >= o->cap - o->len) {
				over++;
			} else {
				for (size_t k = 0; k < j; k++)
					o->b[o->len++] = url_in_at(in, k);
			}
			in->i += j;
		}
		if (pop && over) {
			over--; /* the last segment was one not written */
		} else if (pop) {
			while (o->len > start && o->b[o->len - 1] != '/')
				o->len--;
			if (o->len > start)
				o->len--;
		}
		if (push_slash) {
			url_put(o, "/", 1);
			break;
		}
	}
	if (over)
		o->full = true;
}

int fetch_url_resolve(const char *base, const char *ref, char *out, size_t cap, const char **why)
{
	struct url_ref b, r;
	struct url_out o = { out, cap, 0, cap == 0 };
	const struct url_ref *auth = &r, *query = &r;

	*why = url_split(base, &b);
	if (!*why && !b.scheme)
		*why = "the base URL is not absolute (it has no scheme)";
	if (!*why)
		*why = url_split(ref, &r);
	if (*why)
		return -1;

	/* RFC 3986 s.5.2.2: the target's scheme, authority and path */
	if (r.scheme)
		url_put(&o, r.scheme, r.scheme_len);
	else
		url_put(&o, b.scheme, b.scheme_len);
	url_put(&o, ":", 1);
	if (!r.scheme && !r.has_auth) {
		auth = &b;
		if (!r.path_len && !r.has_query)
			query = &b;
	}
	if (auth->has_auth) {
		url_put(&o, "//", 2);
		url_put(&o, auth->auth, auth->auth_len);
	}
	size_t path_at = o.len;
	if (!r.scheme && !r.has_auth && !r.path_len) {
		url_put(&o, b.path, b.path_len);
	} else {
		struct url_in in = { "", r.path, 0, r.path_len, 0 };
		if (!r.scheme && !r.has_auth && r.path[0] != '/') {
			/* s.5.2.3 merge: the base path up to its last '/', or "/" */
			for (size_t k = 0; k < b.path_len; k++)
				if (b.path[k] == '/') {
					in.a = b.path;
					in.an = k + 1;
				}
			if (!in.an && b.has_auth) {
				in.a = "/";
				in.an = 1;
			}
		}
		url_remove_dots(&in, &o);
		/* without an authority, a path starting "//" would read as one:
		 * "/." keeps it a path (as WHATWG URL does) */
		if (!o.full && !auth->has_auth && o.len - path_at >= 2 && out[path_at] == '/' &&
		    out[path_at + 1] == '/') {
			url_put(&o, "..", 2);
			if (!o.full) {
				memmove(out + path_at + 2, out + path_at, o.len - 2 - path_at);
				memcpy(out + path_at, "/.", 2);
			}
		}
	}
	if (query->has_query) {
		url_put(&o, "?", 1);
		url_put(&o, query->query, query->query_len);
	}
	if (r.has_frag) {
		url_put(&o, "#", 1);
		url_put(&o, r.frag, r.frag_len);
	}
	if (o.full) {
		*why = "the resolved URL is longer than its buffer";
		return -1;
	}
	out[o.len] = '\0';
	return 0;
}
