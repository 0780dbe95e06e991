/* Boot Loader Specification type 1 entries and loader.conf (UAPI.1, "Type
 * #1 Boot Loader Specification Entries" and "Sorting"), with the UAPI
 * Version Format Specification's comparison for versions. Pure: buffers
 * in, fixed-size structures out; every input is hostile. */
#include <stdint.h>
#include <string.h>
#include <bls.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A character the version format gives a meaning (the rest separate). */
static bool ver_char(char c)
{
	return is_digit(c) || is_letter(c) || c == '-' || c == '.' || c == '~' || c == '^';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

/* Case-insensitive compare of n bytes (ASCII letters only fold). */
static bool ieq_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/* Copy v (n bytes) with its NUL into dst of cap bytes; false when it does
 * not fit (dst is left as it was). */
static bool put(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		return false;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return true;
}

/* Copy as much of v as fits, always NUL-terminated (for the title). */
static void put_cut(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* ---- lines ---- */

typedef void (*line_fn)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen);

/* Split text into "key value" lines (spec: "The first word of a line is
 * used as key and is separated by one or more spaces from the value";
 * lines beginning with '#' are comments) and call fn for each. A NUL ends
 * the text; a CR before the newline and trailing blanks are dropped; a
 * value wholly in double quotes loses them (as systemd-boot does). Lines
 * without a value are skipped. */
static void for_each_line(const char *text, size_t len, line_fn fn, void *ctx)
{
	const char *nul = memchr(text, '\0', len);
	const char *p = text, *end = nul ? nul : text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *q = p;

		p = nl ? nl + 1 : end;
		while (q < le && is_blank(*q))
			q++;
		if (q == le || *q == '#')
			continue;
		const char *key = q;
		while (q < le && !is_blank(*q) && *q != '\r')
			q++;
		size_t klen = (size_t)(q - key);
		while (q < le && is_blank(*q))
			q++;
		const char *ve = le;
		while (ve > q && (is_blank(ve[-1]) || ve[-1] == '\r'))
			ve--;
		if (ve == q)
			continue;
		if (ve - q >= 2 && q[0] == '"' && ve[-1] == '"') {
			q++;
			ve--;
		}
		fn(ctx, key, klen, q, (size_t)(ve - q));
	}
}

static bool key_is(const char *key, size_t klen, const char *name)
{
	size_t n = strlen(name);
	return klen == n && !memcmp(key, name, n);
}

/* ---- entries ---- */

struct entry_ctx {
	struct bls_entry *e;
	bool other_arch;
	const char *bad; /* the first value that made the entry unbootable */
};

/* A path as the spec allows: printable ASCII, not empty. The firmware
 * turns it into a UCS-2 EFI path, so no byte may need an encoding. */
static bool path_ok(const char *v, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return false;
	return true;
}

static void set_path(struct entry_ctx *c, char *dst, const char *v, size_t n, const char *too_long,
		     const char *bad)
{
	if (!path_ok(v, n)) {
		if (!c->bad)
			c->bad = bad;
		return;
	}
	if (!put(dst, BLS_PATH_LEN, v, n) && !c->bad)
		c->bad = too_long;
}

/* One line of an entry file. */
static void entry_line(void *ctx, const char *key, size_t klen, const char *v, size_t n)
{
	struct entry_ctx *c = ctx;
	struct bls_entry *e = c->e;

	if (key_is(key, klen, "title")) {
		put_cut(e->title, sizeof(e->title), v, n);
	} else if (key_is(key, klen, "version")) {
		if (!put(e->version, sizeof(e->version), v, n) && !c->bad)
			c->bad = "version longer than 127 bytes";
	} else if (key_is(key, klen, "machine-id")) {
		if (!put(e->machine_id, sizeof(e->machine_id), v, n) && !c->bad)
			c->bad = "machine-id longer than 127 bytes";
	} else if (key_is(key, klen, "sort-key")) {
		if (!put(e->sort_key, sizeof(e->sort_key), v, n) && !c->bad)
			c->bad = "sort-key longer than 127 bytes";
	} else if (key_is(key, klen, "linux")) {
		set_path(c, e->kernel, v, n, "linux path longer than 255 bytes",
			 "linux path with a control or non-ASCII byte");
	} else if (key_is(key, klen, "efi")) {
		set_path(c, e->efi, v, n, "efi path longer than 255 bytes",
			 "efi path with a control or non-ASCII byte");
	} else if (key_is(key, klen, "initrd")) {
		if (e->n_initrds == BLS_MAX_INITRDS) {
			if (!c->bad)
				c->bad = "more than 8 initrd lines";
			return;
		}
		if (!path_ok(v, n) || n >= BLS_PATH_LEN) {
			if (!c->bad)
				c->bad = n >= BLS_PATH_LEN ? "initrd path longer than 255 bytes"
							   : "initrd path with a control or "
							     "non-ASCII byte";
			return;
		}
		put(e->initrd[e->n_initrds++], BLS_PATH_LEN, v, n);
	} else if (key_is(key, klen, "options")) {
		size_t have = strlen(e->options), sep = have ? 1 : 0;
		if (have + sep + n >= sizeof(e->options)) {
			if (!c->bad)
				c->bad = "options longer than 2047 bytes in all";
			return;
		}
		if (sep)
			e->options[have] = ' ';
		memcpy(e->options + have + sep, v, n);
		e->options[have + sep + n] = '\0';
	} else if (key_is(key, klen, "architecture")) {
		/* Spec: compared case-insensitively; the last line counts. */
		c->other_arch = !(n == strlen(BLS_ARCH) && ieq_n(v, BLS_ARCH, n));
	}
	/* devicetree, devicetree-overlay and unknown keys: ignored. */
}

/* Parse a decimal counter of at most 6 digits at s[0..n); -1 if it is not. */
static int counter(const char *s, size_t n)
{
	int v = 0;

	if (!n || n > 6)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Boot counting (spec "Boot counting"): "+LEFT" or "+LEFT-DONE" right
 * before ".conf". */
static void boot_counter(struct bls_entry *e)
{
	size_t n = strlen(e->name) - 5; /* without ".conf" */
	const char *plus = NULL;

	e->tries_left = e->tries_done = -1;
	for (size_t i = 0; i < n; i++)
		if (e->name[i] == '+')
			plus = e->name + i;
	if (!plus)
		return;
	const char *s = plus + 1, *end = e->name + n;
	const char *dash = memchr(s, '-', (size_t)(end - s));
	int left = counter(s, (size_t)((dash ? dash : end) - s));
	int done = dash ? counter(dash + 1, (size_t)(end - dash - 1)) : 0;
	if (left < 0 || done < 0)
		return;
	e->tries_left = left;
	e->tries_done = done;
}

bool bls_name_ok(const char *name)
{
	size_t n = strnlen(name, BLS_NAME_LEN);

	if (n >= BLS_NAME_LEN || n < 6 || name[0] == '.' || !ieq_n(name + n - 5, ".conf", 5))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	return true;
}

enum bls_result bls_entry_parse(struct bls_entry *e, const char *name, const char *text, size_t len,
				const char **why)
{
	struct entry_ctx c = {e, false, NULL};
	const char *dummy;

	if (!why)
		why = &dummy;
	memset(e, 0, sizeof(*e));
	e->tries_left = e->tries_done = -1;
	if (!bls_name_ok(name)) {
		*why = "a file name that is not <name>.conf";
		return BLS_BAD_NAME;
	}
	memcpy(e->name, name, strlen(name) + 1);
	boot_counter(e);
	if (len > BLS_FILE_MAX) {
		*why = "larger than 16 KiB";
		return BLS_TOO_LARGE;
	}
	for_each_line(text, len, entry_line, &c);
	if (c.other_arch) {
		*why = "for another architecture";
		return BLS_OTHER_ARCH;
	}
	if (c.bad) {
		*why = c.bad;
		return BLS_BAD_VALUE;
	}
	if (!e->kernel[0] && !e->efi[0]) {
		*why = "no linux or efi line";
		return BLS_NOT_BOOTABLE;
	}
	*why = "ok";
	return BLS_OK;
}

const char *bls_result_str(enum bls_result r)
{
	switch (r) {
	case BLS_OK:
		return "ok";
	case BLS_NOT_BOOTABLE:
		return "no linux or efi line";
	case BLS_OTHER_ARCH:
		return "for another architecture";
	case BLS_TOO_LARGE:
		return "larger than 16 KiB";
	case BLS_BAD_VALUE:
		return "a value that does not fit or is not allowed";
	case BLS_BAD_NAME:
		return "a file name that is not <name>.conf";
	case BLS_NO_ROOM:
		return "no room: more than 64 entry files";
	}
	return "?";
}

/* ---- loader.conf ---- */

static void loader_line(void *ctx, const char *key, size_t klen, const char *v, size_t n)
{
	struct bls_loader *l = ctx;

	if (key_is(key, klen, "default")) {
		l->pattern_cut = !put(l->default_pattern, sizeof(l->default_pattern), v, n);
		if (l->pattern_cut)
			l->default_pattern[0] = '\0';
	} else if (key_is(key, klen, "timeout")) {
		put_cut(l->timeout, sizeof(l->timeout), v, n);
	}
}

void bls_loader_parse(struct bls_loader *l, const char *text, size_t len)
{
	memset(l, 0, sizeof(*l));
	if (len > BLS_FILE_MAX)
		len = BLS_FILE_MAX;
	for_each_line(text, len, loader_line, l);
}

/* ---- the set and its order ---- */

void bls_set_init(struct bls_set *s)
{
	s->n = 0;
	s->dropped = 0;
}

enum bls_result bls_set_add(struct bls_set *s, const char *name, const char *text, size_t len,
			    const char **why)
{
	if (s->n == BLS_MAX_ENTRIES) {
		s->dropped++;
		if (why)
			*why = "no room: more than 64 entry files";
		return BLS_NO_ROOM;
	}
	enum bls_result r = bls_entry_parse(&s->e[s->n], name, text, len, why);
	if (r != BLS_OK)
		return r;
	s->order[s->n] = s->n;
	s->n++;
	return BLS_OK;
}

/* One prefix character of the version format at a[*i] and b[*j] (c is
 * '~', '-', '^' or '.'): when only one side has it, that side sorts
 * lower (-1: a lower, 1: b lower); when both do, both step past it. */
static int ver_prefix(char c, const char *a, size_t an, size_t *i, const char *b, size_t bn,
		      size_t *j)
{
	bool pa = *i < an && a[*i] == c, pb = *j < bn && b[*j] == c;

	if (!pa && !pb)
		return 0;
	if (pa != pb)
		return pa ? -1 : 1;
	(*i)++;
	(*j)++;
	return 0;
}

static size_t run_of(const char *s, size_t n, size_t at, bool (*is)(char))
{
	size_t k = 0;

	while (at + k < n && is(s[at + k]))
		k++;
	return k;
}

/* The UAPI Version Format Specification's comparison of a[0..an) and
 * b[0..bn), with the checks in the order systemd's implementation makes
 * them (what `systemd-analyze compare-versions` prints, and what
 * systemd-boot sorts by): drop characters outside [0-9A-Za-z~^.-]; '~'
 * sorts lower than anything, even the end; then a string that ended sorts
 * lower; then '-' lower, then '^' lower, then '.' lower than whatever the
 * other string has there; a digit run beats a letter run and runs of
 * digits compare by value, runs of letters by byte ('A' < 'a'), a longer
 * one higher. Every pass consumes at least one character or returns. */
static int vercmp_n(const char *a, size_t an, const char *b, size_t bn)
{
	static const char prefixes[] = {'-', '^', '.'};
	size_t i = 0, j = 0;
	int r;

	for (;;) {
		while (i < an && !ver_char(a[i]))
			i++;
		while (j < bn && !ver_char(b[j]))
			j++;
		if ((r = ver_prefix('~', a, an, &i, b, bn, &j)))
			return r;
		if (i == an || j == bn)
			return (i < an) - (j < bn);
		for (size_t k = 0; k < sizeof(prefixes); k++)
			if ((r = ver_prefix(prefixes[k], a, an, &i, b, bn, &j)))
				return r;
		bool digits = (i < an && is_digit(a[i])) || (j < bn && is_digit(b[j]));
		size_t da = run_of(a, an, i, digits ? is_digit : is_letter);
		size_t db = run_of(b, bn, j, digits ? is_digit : is_letter);
		size_t ea = i + da, eb = j + db; /* where the runs end */
		if (digits) {
			if (!da != !db)
				return da ? 1 : -1;
			while (i < ea && a[i] == '0')
				i++;
			while (j < eb && b[j] == '0')
				j++;
			if (ea - i != eb - j)
				return ea - i < eb - j ? -1 : 1;
			r = memcmp(a + i, b + j, ea - i);
		} else {
			r = memcmp(a + i, b + j, da < db ? da : db);
			if (!r && da != db)
				r = da < db ? -1 : 1;
		}
		if (r)
			return r < 0 ? -1 : 1;
		i = ea;
		j = eb;
	}
}

int bls_vercmp(const char *a, const char *b)
{
	a = a ? a : "";
	b = b ? b : "";
	return vercmp_n(a, strlen(a), b, strlen(b));
}

/* strcmp's sign: the spec's "alphanumerical order" (strcmp on UTF-8). */
static int sign_strcmp(const char *a, const char *b)
{
	int r = strcmp(a, b);
	return (r > 0) - (r < 0);
}

/* <0 when a sorts before b (spec "Sorting"). */
static int entry_cmp(const struct bls_entry *a, const struct bls_entry *b)
{
	bool bad_a = a->tries_left == 0, bad_b = b->tries_left == 0;
	int r;

	if (bad_a != bad_b)
		return bad_a ? 1 : -1;
	if (a->sort_key[0] && b->sort_key[0]) {
		if ((r = sign_strcmp(a->sort_key, b->sort_key)))
			return r;
		if ((r = sign_strcmp(a->machine_id, b->machine_id)))
			return r;
		if ((r = bls_vercmp(a->version, b->version)))
			return -r;
	} else if (a->sort_key[0] != b->sort_key[0]) {
		return a->sort_key[0] ? -1 : 1;
	}
	/* Names end in ".conf" (bls_name_ok); compare without it. */
	r = vercmp_n(a->name, strlen(a->name) - 5, b->name, strlen(b->name) - 5);
	if (r)
		return -r;
	return sign_strcmp(a->name, b->name);
}

void bls_sort(struct bls_set *s)
{
	/* Insertion sort of at most BLS_MAX_ENTRIES indexes: stable, no recursion. */
	for (size_t i = 0; i < s->n; i++)
		s->order[i] = i;
	for (size_t i = 1; i < s->n; i++) {
		size_t k = s->order[i], j = i;
		while (j > 0 && entry_cmp(&s->e[k], &s->e[s->order[j - 1]]) < 0) {
			s->order[j] = s->order[j - 1];
			j--;
		}
		s->order[j] = k;
	}
}

/* ---- the default ---- */

/* One pattern item at *pp against c: '?', "\x", "[...]" or a literal.
 * Advances *pp past the item; false on no match or at the pattern's end. */
static bool glob_one(const char **pp, char c)
{
	const char *p = *pp;

	if (!*p)
		return false;
	if (*p == '?') {
		*pp = p + 1;
		return true;
	}
	if (*p == '\\' && p[1]) {
		*pp = p + 2;
		return lower(p[1]) == lower(c);
	}
	if (*p == '[') {
		const char *q = p + 1;
		bool neg = *q == '!' || *q == '^', hit = false;
		if (neg)
			q++;
		const char *first = q;
		while (*q && (*q != ']' || q == first)) {
			char lo = *q, hi = *q;
			if (q[1] == '-' && q[2] && q[2] != ']') {
				hi = q[2];
				q += 3;
			} else {
				q++;
			}
			if ((c >= lo && c <= hi) || (lower(c) >= lo && lower(c) <= hi) ||
			    (upper(c) >= lo && upper(c) <= hi))
				hit = true;
		}
		if (*q == ']') {
			*pp = q + 1;
			return hit != neg;
		}
		/* No closing ']': the '[' is a plain character. */
	}
	*pp = p + 1;
	return lower(*p) == lower(c);
}

bool bls_glob(const char *pat, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	while (*s) {
		if (*pat == '*') {
			star_p = ++pat;
			star_s = s;
			continue;
		}
		const char *next = pat;
		if (glob_one(&next, *s)) {
			pat = next;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		/* Let the last '*' take one more character and retry. */
		pat = star_p;
		s = ++star_s;
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

int bls_default(const struct bls_set *s, const struct bls_loader *l)
{
	char stem[BLS_NAME_LEN];

	if (!s->n)
		return -1;
	if (!l || !l->default_pattern[0])
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct bls_entry *e = &s->e[s->order[i]];
		size_t n = strlen(e->name) - 5;
		memcpy(stem, e->name, n);
		stem[n] = '\0';
		if (bls_glob(l->default_pattern, e->name) || bls_glob(l->default_pattern, stem))
			return (int)i;
	}
	return 0;
}
