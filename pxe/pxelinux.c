/* pxelinux-style configuration parser (syslinux's doc/syslinux.txt,
 * doc/menu.txt). Unknown keywords are ignored, as PXELINUX does. */
#include <ctype.h>
#include <string.h>
#include <numparse.h>
#include <pxelinux.h>

static bool is_space(char ch)
{
	return isspace((unsigned char)ch);
}

/* s[0..n) equals b, ignoring ASCII case. */
static bool ieq_n(const char *a, size_t n, const char *b)
{
	return strlen(b) == n && !strncasecmp(a, b, n);
}

static bool ieq(const char *a, const char *b)
{
	return !strcasecmp(a, b);
}

/* Copy s[0..n) into dst (cap bytes), cut to fit, then trailing space
 * trimmed (so a copy of a copy is the same string). */
static void set_str(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	while (n && is_space(s[n - 1]))
		n--;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static bool ends_with_c32(const char *s, size_t n)
{
	return n >= 4 && ieq_n(s + n - 4, 4, ".c32");
}

/* A menu module named without its extension: PXELINUX tries ".c32" and
 * finds menu.c32 for "DEFAULT menu" (Foreman writes that). */
static bool is_menu_module(const char *s, size_t n)
{
	size_t b = n;
	while (b && s[b - 1] != '/')
		b--;
	return ends_with_c32(s, n) || ieq_n(s + b, n - b, "menu") || ieq_n(s + b, n - b, "vesamenu");
}

/* The leading digits of s[0..n), held at 10^9 (so it fits an int). */
static unsigned parse_uint(const char *s, size_t n)
{
	uint64_t v;

	numparse_dec_prefix(s, n, &v);
	return v > 1000000000u ? 1000000000u : (unsigned)v;
}

struct parse_state {
	struct pxecfg *c;
	const struct pxecfg_io *io;
	struct pxecfg_entry *cur; /* the LABEL being filled, or NULL */
	bool skipping;            /* inside a LABEL that did not fit */
	bool in_text;             /* inside TEXT HELP ... ENDTEXT */
};

static void parse_text(struct parse_state *st, const char *text, size_t len, unsigned depth);

static void include(struct parse_state *st, const char *name, size_t n, unsigned depth)
{
	struct pxecfg *c = st->c;
	char file[256];

	set_str(file, sizeof(file), name, n);
	/* INCLUDE may name a menu tag after the file: keep the first word. */
	for (char *p = file; *p; p++)
		if (is_space(*p))
			*p = '\0';
	if (!file[0] || !st->io)
		return;
	if (depth >= PXECFG_MAX_DEPTH || c->includes >= PXECFG_MAX_INCLUDES) {
		if (!c->error[0]) {
			const char *why = depth >= PXECFG_MAX_DEPTH ? "INCLUDE nested deeper than 8 (a loop?): "
								    : "more than 32 INCLUDEs (a loop?): ";
			size_t k = strlen(why);
			memcpy(c->error, why, k);
			set_str(c->error + k, sizeof(c->error) - k, file, strlen(file));
		}
		return;
	}
	c->includes++;
	const char *t;
	size_t tl;
	if (st->io->fetch(st->io->ctx, file, &t, &tl)) {
		if (!c->error[0]) {
			memcpy(c->error, "cannot fetch INCLUDE ", 21);
			set_str(c->error + 21, sizeof(c->error) - 21, file, strlen(file));
		}
		return;
	}
	parse_text(st, t, tl, depth + 1);
	if (st->io->release)
		st->io->release(st->io->ctx, t);
}

/* initrd=a,b inside the APPEND line a (the entry's own or the global
 * one): the initrds when INITRD is absent. */
static void initrd_from_append(struct pxecfg_entry *e, const char *a)
{
	for (const char *p = a; (p = strstr(p, "initrd=")); p++) {
		if (p != a && !is_space(p[-1]))
			continue;
		const char *v = p + 7;
		size_t n = 0;
		while (v[n] && !is_space(v[n]))
			n++;
		size_t have = strlen(e->initrd);
		if (have && have + 1 < sizeof(e->initrd))
			e->initrd[have++] = ',';
		set_str(e->initrd + have, sizeof(e->initrd) - have, v, n);
	}
}

/* Keywords that belong to the LABEL they follow. */
static bool label_scoped(const char *kw, size_t kn)
{
	static const char *const kws[] = { "kernel", "linux", "com32", "config", "boot", "bss",
					   "pxe", "fdimage", "initrd", "append", "ipappend",
					   "sysappend", "localboot" };
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (ieq_n(kw, kn, kws[i]))
			return true;
	return false;
}

static void keyword(struct parse_state *st, const char *kw, size_t kn, const char *arg, size_t an,
		    unsigned depth)
{
	struct pxecfg *c = st->c;
	struct pxecfg_entry *e = st->cur;

	/* Lines of a LABEL past PXECFG_MAX_ENTRIES are that label's, not global. */
	if (st->skipping && label_scoped(kw, kn))
		return;

	if (ieq_n(kw, kn, "label")) {
		if (c->n == PXECFG_MAX_ENTRIES) {
			c->skipped++;
			st->cur = NULL;
			st->skipping = true;
			return;
		}
		st->skipping = false;
		e = st->cur = &c->e[c->n++];
		memset(e, 0, sizeof(*e));
		set_str(e->label, sizeof(e->label), arg, an);
	} else if (ieq_n(kw, kn, "kernel") || ieq_n(kw, kn, "linux") || ieq_n(kw, kn, "com32") ||
		   ieq_n(kw, kn, "config") || ieq_n(kw, kn, "boot") || ieq_n(kw, kn, "bss") ||
		   ieq_n(kw, kn, "pxe") || ieq_n(kw, kn, "fdimage")) {
		if (!e)
			return;
		/* KERNEL may carry options after the file name (syslinux allows it). */
		size_t fn = 0;
		while (fn < an && !is_space(arg[fn]))
			fn++;
		set_str(e->kernel, sizeof(e->kernel), arg, fn);
		e->module = !ieq_n(kw, kn, "kernel") && !ieq_n(kw, kn, "linux");
		e->module |= ends_with_c32(arg, fn);
		/* syslinux puts KERNEL's options on the command line, before APPEND. */
		while (fn < an && is_space(arg[fn]))
			fn++;
		set_str(e->kernel_args, sizeof(e->kernel_args), arg + fn, an - fn);
	} else if (ieq_n(kw, kn, "initrd")) {
		if (e)
			set_str(e->initrd, sizeof(e->initrd), arg, an);
	} else if (ieq_n(kw, kn, "append")) {
		bool none = an == 1 && arg[0] == '-';
		if (e) {
			set_str(e->append, sizeof(e->append), arg, none ? 0 : an);
			e->has_append = true;
		} else {
			set_str(c->global_append, sizeof(c->global_append), arg, none ? 0 : an);
		}
	} else if (ieq_n(kw, kn, "ipappend") || ieq_n(kw, kn, "sysappend")) {
		int v = (int)parse_uint(arg, an);
		if (e) {
			e->ipappend = v;
			e->has_ipappend = true;
		} else {
			c->global_ipappend = v;
		}
	} else if (ieq_n(kw, kn, "localboot")) {
		if (e)
			e->localboot = true;
	} else if (ieq_n(kw, kn, "default")) {
		set_str(c->default_cmd, sizeof(c->default_cmd), arg, an);
	} else if (ieq_n(kw, kn, "ontimeout")) {
		set_str(c->ontimeout, sizeof(c->ontimeout), arg, an);
	} else if (ieq_n(kw, kn, "timeout")) {
		c->timeout = parse_uint(arg, an);
	} else if (ieq_n(kw, kn, "include")) {
		include(st, arg, an, depth);
	} else if (ieq_n(kw, kn, "text")) {
		st->in_text = true; /* TEXT HELP ... ENDTEXT */
	} else if (ieq_n(kw, kn, "menu")) {
		size_t sn = 0;
		while (sn < an && !is_space(arg[sn]))
			sn++;
		const char *rest = arg + sn;
		size_t rn = an - sn;
		while (rn && is_space(*rest)) {
			rest++;
			rn--;
		}
		if (ieq_n(arg, sn, "default") && e)
			set_str(c->menu_default, sizeof(c->menu_default), e->label, strlen(e->label));
		else if (ieq_n(arg, sn, "include"))
			include(st, rest, rn, depth);
	}
	/* Everything else (UI, PROMPT, PATH, SAY, DISPLAY, SERIAL, F1...,
	 * MENU TITLE/LABEL/BEGIN/END...) only matters to a person at a menu. */
}

static void parse_text(struct parse_state *st, const char *text, size_t len, unsigned depth)
{
	size_t i = 0;

	while (i < len && text[i]) {
		size_t start = i;
		while (i < len && text[i] && text[i] != '\n')
			i++;
		const char *line = text + start;
		size_t n = i - start;
		if (i < len && text[i] == '\n')
			i++;
		while (n && is_space(*line)) {
			line++;
			n--;
		}
		if (st->in_text) {
			if (n >= 7 && ieq_n(line, 7, "endtext"))
				st->in_text = false;
			continue;
		}
		if (!n || line[0] == '#')
			continue;
		size_t kn = 0;
		while (kn < n && !is_space(line[kn]))
			kn++;
		const char *arg = line + kn;
		size_t an = n - kn;
		while (an && is_space(*arg)) {
			arg++;
			an--;
		}
		while (an && is_space(arg[an - 1]))
			an--;
		keyword(st, line, kn, arg, an, depth);
	}
}

void pxecfg_parse(struct pxecfg *c, const char *text, size_t len, const struct pxecfg_io *io)
{
	struct parse_state st = { .c = c, .io = io };

	memset(c, 0, sizeof(*c));
	parse_text(&st, text, len, 0);
	for (size_t i = 0; i < c->n; i++) {
		if (c->e[i].initrd[0])
			continue;
		initrd_from_append(&c->e[i], c->e[i].kernel_args);
		initrd_from_append(&c->e[i], c->e[i].has_append ? c->e[i].append : c->global_append);
	}
}

static const struct pxecfg_entry *by_label(const struct pxecfg *c, const char *label)
{
	if (!label[0])
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (ieq(c->e[i].label, label))
			return &c->e[i];
	return NULL;
}

static bool bootable(const struct pxecfg_entry *e)
{
	return e && (e->localboot || (e->kernel[0] && !e->module));
}

const struct pxecfg_entry *pxecfg_choose(const struct pxecfg *c, struct pxecfg_entry *tmp)
{
	const struct pxecfg_entry *e;
	const char *d = c->default_cmd;
	size_t dn = 0;

	while (d[dn] && !is_space(d[dn]))
		dn++;
	if (d[0]) {
		if ((e = by_label(c, d)))
			return e;
		if (!is_menu_module(d, dn) && !ends_with_c32(d, dn)) {
			/* DEFAULT as a command line: kernel and options. */
			memset(tmp, 0, sizeof(*tmp));
			set_str(tmp->label, sizeof(tmp->label), "default", 7);
			set_str(tmp->kernel, sizeof(tmp->kernel), d, dn);
			const char *rest = d + dn;
			while (is_space(*rest))
				rest++;
			if (*rest) {
				set_str(tmp->append, sizeof(tmp->append), rest, strlen(rest));
				tmp->has_append = true;
			}
			initrd_from_append(tmp, tmp->append);
			return tmp;
		}
	}
	if ((e = by_label(c, c->menu_default)) && bootable(e))
		return e;
	if ((e = by_label(c, c->ontimeout)) && bootable(e))
		return e;
	for (size_t i = 0; i < c->n; i++)
		if (bootable(&c->e[i]))
			return &c->e[i];
	return NULL;
}

const struct pxecfg_entry *pxecfg_next(const struct pxecfg *c, const struct pxecfg_entry *e)
{
	size_t i = 0;

	if (e >= c->e && e < c->e + c->n)
		i = (size_t)(e - c->e) + 1;
	for (; i < c->n; i++)
		if (c->e[i].kernel[0] && !c->e[i].module && !c->e[i].localboot)
			return &c->e[i];
	return NULL;
}

bool pxecfg_initrd(const struct pxecfg_entry *e, size_t idx, char *buf, size_t cap)
{
	const char *p = e->initrd;
	size_t i = 0; /* index among the non-empty items */

	while (*p) {
		size_t n = 0;
		while (p[n] && p[n] != ',')
			n++;
		size_t lead = 0;
		while (lead < n && is_space(p[lead]))
			lead++;
		size_t len = n - lead;
		while (len && is_space(p[lead + len - 1]))
			len--;
		if (len) { /* blank items ("a, ,b") name no file */
			if (i == idx) {
				set_str(buf, cap, p + lead, len);
				return true;
			}
			i++;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

static void append_word(char *out, size_t cap, const char *w)
{
	size_t have = strlen(out), n = strlen(w);

	if (!n)
		return;
	if (have && have + 1 < cap)
		out[have++] = ' ';
	if (have + n >= cap)
		n = cap - have - 1;
	memcpy(out + have, w, n);
	out[have + n] = '\0';
}

void pxecfg_cmdline(const struct pxecfg *c, const struct pxecfg_entry *e, const char *ip,
		    const char *bootif, char *out, size_t cap)
{
	out[0] = '\0';
	append_word(out, cap, e->kernel_args);
	append_word(out, cap, e->has_append ? e->append : c->global_append);
	int ipa = e->has_ipappend ? e->ipappend : c->global_ipappend;
	if ((ipa & 1) && ip) {
		append_word(out, cap, "ip=");
		size_t n = strlen(out);
		/* "ip=" then the value, no space between. */
		if (n && out[n - 1] == '=') {
			size_t k = strlen(ip);
			if (n + k >= cap)
				k = cap - n - 1;
			memcpy(out + n, ip, k);
			out[n + k] = '\0';
		}
	}
	if ((ipa & 2) && bootif) {
		append_word(out, cap, "BOOTIF=");
		size_t n = strlen(out);
		size_t k = strlen(bootif);
		if (n + k >= cap)
			k = cap - n - 1;
		memcpy(out + n, bootif, k);
		out[n + k] = '\0';
	}
}
