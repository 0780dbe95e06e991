/* libFuzzer target for platform/config.c: the input is a command line and
 * an fw_cfg config file (the first byte says where to split), each parsed
 * from an exactly sized copy so a read past its length is caught. After
 * parsing, the config's own bookkeeping must hold. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <config.h>

static void fail(const char *why)
{
	fprintf(stderr, "config: %s\n", why);
	abort();
}

/* s is a NUL-terminated string inside c->store. */
static void check_stored(const struct config *c, const char *s)
{
	if (!s || s < c->store || s >= c->store + c->used)
		fail("a string outside the used store");
	if (!memchr(s, '\0', (size_t)(c->store + c->used - s)))
		fail("a stored string without its NUL");
}

/* Keys that keep every value (config.c's known_keys with multi set). */
static bool is_multi(const char *key)
{
	return !strcmp(key, "virtio_mmio.device");
}

static size_t parse_copy(struct config *c, const uint8_t *p, size_t len, enum config_source src)
{
	char *copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, p, len);
	size_t n = config_parse(c, copy, len, src);
	free(copy);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;

	if (size < 1)
		return 0;
	size_t split = data[0] < size ? data[0] : size - 1;
	config_init(&c);
	size_t n1 = parse_copy(&c, data + 1, split, CONFIG_SRC_CMDLINE);
	size_t n2 = parse_copy(&c, data + 1 + split, size - 1 - split, CONFIG_SRC_FW_CFG);

	if (c.n > CONFIG_MAX_ENTRIES || c.used > CONFIG_STORE || c.n_problems > CONFIG_MAX_PROBLEMS)
		fail("a count past its table");
	if (n1 + n2 != c.n_problems + c.more_problems)
		fail("returned problem counts do not add up");
	if (c.more_problems && c.n_problems < CONFIG_MAX_PROBLEMS && c.used + 65 <= CONFIG_STORE)
		fail("a problem was dropped while there was room for it");

	for (size_t i = 0; i < c.n; i++) {
		check_stored(&c, c.e[i].value);
		if (c.e[i].source != CONFIG_SRC_CMDLINE && c.e[i].source != CONFIG_SRC_FW_CFG)
			fail("an entry with no source");
		if (!config_get(&c, c.e[i].key))
			fail("config_get misses a stored key");
		/* A single-valued key has one entry, replaced in place. */
		if (!is_multi(c.e[i].key))
			for (size_t j = i + 1; j < c.n; j++)
				if (!strcmp(c.e[i].key, c.e[j].key))
					fail("a single-valued key stored twice");
	}
	for (size_t i = 0; i < c.n_problems; i++) {
		check_stored(&c, c.problem[i]);
		if (strlen(c.problem[i]) > 64)
			fail("a problem token longer than 64");
		if (c.problem_src[i] != CONFIG_SRC_CMDLINE && c.problem_src[i] != CONFIG_SRC_FW_CFG)
			fail("a problem with no source");
	}

	/* The getters agree with the table: every key's values, in order, and
	 * config_get gives the last of them. Each key once, at its first
	 * entry: for a later entry of the same key every check below is the
	 * same one again (and a single-valued key has no later entry), and
	 * repeating them made this loop cubic in the entries of a multi-valued
	 * key, most of the target's time. */
	for (size_t i = 0; i < c.n; i++) {
		const char *key = c.e[i].key, *last = NULL;
		size_t k = 0;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(c.e[j].key, key);
		if (seen)
			continue;
		for (size_t j = 0; j < c.n; j++) {
			if (strcmp(c.e[j].key, key))
				continue;
			if (config_get_nth(&c, key, k++) != c.e[j].value)
				fail("config_get_nth disagrees with the entries");
			last = c.e[j].value;
		}
		if (config_get_nth(&c, key, k) || config_get(&c, key) != last)
			fail("config_get disagrees with the entries");
		if (config_source_of(&c, key) != c.e[i].source && !is_multi(key))
			fail("config_source_of disagrees with the entry");
	}

	/* boot_order: 0, or 1-2 distinct known steps; and 0 exactly when the
	 * value is set and is not one of the four lists. */
	enum boot_step order[BOOT_STEPS];
	size_t no = config_boot_order(&c, order);
	const char *bo = config_get(&c, "boot_order");
	if (no > BOOT_STEPS)
		fail("boot_order: more steps than exist");
	if (no == 2 && order[0] == order[1])
		fail("boot_order: a step twice");
	for (size_t i = 0; i < no; i++)
		if (order[i] != BOOT_STEP_NET && order[i] != BOOT_STEP_DISK)
			fail("boot_order: an unknown step");
	bool valid = !bo || !strcmp(bo, "net") || !strcmp(bo, "disk") || !strcmp(bo, "net,disk") ||
		     !strcmp(bo, "disk,net");
	if (valid != (no != 0))
		fail("boot_order: accepted a bad list or refused a good one");
	return 0;
}
