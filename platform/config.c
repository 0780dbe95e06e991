/* key=value settings parser. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <config.h>

struct config_key {
	const char *name;
	bool multi; /* may appear several times; every value is kept */
};

/* Every key wireboot reads. docs/config.md documents each one. */
static const struct config_key known_keys[] = {
	{ "log", false },
	{ "dhcp_timeout", false },
	{ "net_wait", false },
	{ "tftp_blksize", false },
	{ "tftp_windowsize", false },
	{ "tftp_timeout", false },
	{ "cmdline", false },
	{ "linux_boot", false },
	{ "net_boot", false },
	{ "boot_url", false },
	{ "boot_order", false },
	{ "link_timeout", false },
	/* Linux's syntax for virtio-mmio devices; QEMU microvm and Firecracker
	 * put it on the command line, and we read it the same way. */
	{ "virtio_mmio.device", true },
};

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
}

static const struct config_key *lookup_key(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
		if (strlen(known_keys[i].name) == len && !strncmp(known_keys[i].name, name, len))
			return &known_keys[i];
	return NULL;
}

/* Copy len bytes into the store as a C string; NULL when full. */
static const char *store(struct config *c, const char *s, size_t len)
{
	if (len + 1 > sizeof(c->store) - c->used)
		return NULL;
	char *d = &c->store[c->used];
	memcpy(d, s, len);
	d[len] = '\0';
	c->used += len + 1;
	return d;
}

static void problem(struct config *c, const char *tok, size_t len, enum config_source src)
{
	if (c->n_problems == CONFIG_MAX_PROBLEMS) {
		c->more_problems++;
		return;
	}
	if (len > 64)
		len = 64;
	const char *s = store(c, tok, len);
	if (!s) {
		c->more_problems++;
		return;
	}
	c->problem_src[c->n_problems] = src;
	c->problem[c->n_problems++] = s;
}

static bool is_space(char ch)
{
	return isspace((unsigned char)ch);
}

/* Take one key=value token; returns false if it was a problem. */
static bool take(struct config *c, const char *tok, size_t len, const char *val, size_t vlen,
		 enum config_source src)
{
	const char *eq = memchr(tok, '=', len);
	if (!eq)
		return false;
	const struct config_key *k = lookup_key(tok, (size_t)(eq - tok));
	if (!k)
		return false;
	if (!k->multi) {
		for (size_t i = 0; i < c->n; i++) {
			if (c->e[i].key == k->name) {
				const char *v = store(c, val, vlen);
				if (!v)
					return false;
				c->e[i].value = v;
				c->e[i].source = src;
				return true;
			}
		}
	}
	if (c->n == CONFIG_MAX_ENTRIES)
		return false;
	const char *v = store(c, val, vlen);
	if (!v)
		return false;
	c->e[c->n++] = (struct config_entry){ k->name, v, src };
	return true;
}

size_t config_parse(struct config *c, const char *text, size_t len, enum config_source src)
{
	size_t before = c->n_problems + c->more_problems;
	size_t i = 0;

	while (i < len) {
		while (i < len && is_space(text[i]))
			i++;
		if (i >= len || text[i] == '\0')
			break;
		if (text[i] == '#') {
			while (i < len && text[i] != '\n' && text[i] != '\0')
				i++;
			continue;
		}
		size_t start = i, eq = 0;
		const char *val = NULL;
		size_t vlen = 0;
		while (i < len && !is_space(text[i]) && text[i] != '\0') {
			if (text[i] == '=' && !eq) {
				eq = i;
				if (i + 1 < len && text[i + 1] == '"') {
					/* Quoted value: up to the closing quote. */
					size_t q = i + 2;
					while (q < len && text[q] != '"' && text[q] != '\0')
						q++;
					val = &text[i + 2];
					vlen = q - (i + 2);
					i = q < len && text[q] == '"' ? q + 1 : q;
					continue;
				}
			}
			i++;
		}
		size_t tlen = i - start;
		if (eq && !val) {
			val = &text[eq + 1];
			vlen = i - eq - 1;
		}
		if (!eq || !take(c, &text[start], tlen, val, vlen, src))
			problem(c, &text[start], tlen, src);
	}
	return c->n_problems + c->more_problems - before;
}

const char *config_get(const struct config *c, const char *key)
{
	const char *v = NULL;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].key, key))
			v = c->e[i].value;
	return v;
}

const char *config_get_nth(const struct config *c, const char *key, size_t n)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].key, key) && n-- == 0)
			return c->e[i].value;
	return NULL;
}

enum config_source config_source_of(const struct config *c, const char *key)
{
	enum config_source s = CONFIG_SRC_CMDLINE;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].key, key))
			s = c->e[i].source;
	return s;
}

const char *config_source_name(enum config_source src)
{
	return src == CONFIG_SRC_FW_CFG ? "fw_cfg opt/wireboot/config" : "command line";
}

/* boot_order: a comma-separated list of "net" and "disk", each at most
 * once, no empty items. Unset: net,disk. */
size_t config_boot_order(const struct config *c, enum boot_step order[BOOT_STEPS])
{
	static const char *const names[BOOT_STEPS] = { "net", "disk" };
	const char *v = config_get(c, "boot_order");
	bool seen[BOOT_STEPS] = { false };
	size_t n = 0;

	if (!v) {
		order[0] = BOOT_STEP_NET;
		order[1] = BOOT_STEP_DISK;
		return 2;
	}
	for (const char *p = v;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		size_t k = 0;
		while (k < BOOT_STEPS && (strlen(names[k]) != len || strncmp(p, names[k], len)))
			k++;
		if (k == BOOT_STEPS || seen[k])
			return 0;
		seen[k] = true;
		order[n++] = (enum boot_step)k;
		if (!comma)
			return n;
		p = comma + 1;
	}
}

const char *config_boot_step_name(enum boot_step s)
{
	return s == BOOT_STEP_DISK ? "disk" : "net";
}
