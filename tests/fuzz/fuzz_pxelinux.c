/* libFuzzer target for pxe/pxelinux.c. The input is up to 8 files split
 * by the line "%%": the first is the config, the others are what INCLUDE
 * fetches. A name of digits ("2", "2.cfg" reads "2") is that file; any
 * other name picks a file by its hash, or none (a failed fetch). Each file
 * is served from an exactly sized copy so a read past its length is
 * caught. After parsing, every table, string and count must hold, and
 * pxecfg_choose, pxecfg_next, pxecfg_initrd and pxecfg_cmdline must keep
 * theirs. */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pxelinux.h>

#define MAX_FILES 8
#define SEP	  "\n%%\n"
#define IP	  "10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0"
#define BOOTIF	  "01-52-54-00-12-34-56"

static void fail(const char *why)
{
	fprintf(stderr, "pxelinux: %s\n", why);
	abort();
}

struct fuzz_io {
	const uint8_t *part[MAX_FILES];
	size_t len[MAX_FILES];
	size_t nparts;
	unsigned fetches, served, releases;
	char *live[PXECFG_MAX_INCLUDES + 1];
	size_t nlive;
};

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* The file an INCLUDE name stands for, or -1 for "not there". */
static int pick(const struct fuzz_io *io, const char *name)
{
	size_t k = 0, i = 0;

	while (name[i] >= '0' && name[i] <= '9' && i < 4)
		k = k * 10 + (size_t)(name[i++] - '0');
	if (i && (!name[i] || name[i] == '.'))
		return k < io->nparts ? (int)k : -1;
	k = fnv1a(name) % (io->nparts + 1);
	return k < io->nparts ? (int)k : -1;
}

static int fuzz_fetch(void *ctx, const char *name, const char **text, size_t *len)
{
	struct fuzz_io *io = ctx;

	if (!memchr(name, '\0', 256))
		fail("an INCLUDE name without its NUL");
	if (++io->fetches > PXECFG_MAX_INCLUDES)
		fail("more fetches than PXECFG_MAX_INCLUDES");
	int k = pick(io, name);
	if (k < 0)
		return -1;
	size_t n = io->len[k];
	char *copy = malloc(n ? n : 1);
	if (!copy)
		abort();
	memcpy(copy, io->part[k], n);
	io->live[io->nlive++] = copy;
	io->served++;
	*text = copy;
	*len = n;
	return 0;
}

static void fuzz_release(void *ctx, const char *text)
{
	struct fuzz_io *io = ctx;

	io->releases++;
	for (size_t i = 0; i < io->nlive; i++) {
		if (io->live[i] != text)
			continue;
		free(io->live[i]);
		io->live[i] = io->live[--io->nlive];
		return;
	}
	fail("release of a text that is not out");
}

static void check_str(const char *s, size_t cap, const char *what)
{
	if (!memchr(s, '\0', cap)) {
		fprintf(stderr, "pxelinux: %s not NUL-terminated\n", what);
		abort();
	}
}

/* buf[from..to) still holds the '#' it was filled with. */
static bool untouched(const char *buf, size_t from, size_t to)
{
	static char hashes[256];

	if (!hashes[0])
		memset(hashes, '#', sizeof(hashes));
	return to <= from || !memcmp(buf + from, hashes, to - from);
}

static bool ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
		if (x != y)
			return false;
	}
	return !*a && !*b;
}

static bool bootable(const struct pxecfg_entry *e)
{
	return e->localboot || (e->kernel[0] && !e->module);
}

static void check_entry(const struct pxecfg_entry *e)
{
	check_str(e->label, sizeof(e->label), "label");
	check_str(e->kernel, sizeof(e->kernel), "kernel");
	check_str(e->initrd, sizeof(e->initrd), "initrd");
	check_str(e->append, sizeof(e->append), "append");
	if (e->ipappend < 0)
		fail("a negative IPAPPEND");
}

/* The i-th initrd names, into buffers of a few sizes with guard bytes. */
static void check_initrds(const struct pxecfg_entry *e, size_t cap)
{
	char buf[64], big[600];
	bool more = true;
	size_t items = 0; /* non-empty items of the list */

	for (const char *q = e->initrd; *q;) {
		size_t n = strcspn(q, ",");
		items += n > 0;
		q += n + (q[n] == ',');
	}

	if (!e->initrd[0] && pxecfg_initrd(e, 0, buf, cap))
		fail("an initrd from an empty list");
	for (size_t i = 0; i <= 16 && e->initrd[0]; i++) {
		memset(buf, '#', sizeof(buf));
		bool got = pxecfg_initrd(e, i, buf, cap);
		if (!untouched(buf, cap, sizeof(buf)))
			fail("initrd name written past its buffer");
		if (got && !more)
			fail("an initrd after the end of the list");
		more = got;
		if (!got)
			continue;
		if (!memchr(buf, '\0', cap))
			fail("initrd name without its NUL");
		/* (An item of blanks, "INITRD a, ,b", comes back as "": a
		 * known bug, see test_initrd_list_blank_item_is_no_name.) */
		if (i >= items)
			fail("more initrd names than non-empty items");
		if (strchr(buf, ','))
			fail("an initrd name with a comma");
		/* A bigger buffer gives the same name, whole. */
		if (!pxecfg_initrd(e, i, big, sizeof(big)))
			fail("initrd depends on the buffer size");
		if (strncmp(big, buf, strlen(buf)))
			fail("a cut initrd name is not a prefix of the whole");
		if (!strstr(e->initrd, big))
			fail("an initrd name that is not in the list");
	}
}

static void check_cmdline(const struct pxecfg *c, const struct pxecfg_entry *e, size_t cap)
{
	static char full[2400], cut[160];
	const char *ip = cap & 1 ? IP : NULL, *bootif = cap & 2 ? BOOTIF : NULL;

	pxecfg_cmdline(c, e, ip, bootif, full, sizeof(full));
	check_str(full, sizeof(full), "command line");
	/* syslinux's order: KERNEL's options first, then the APPEND. */
	const char *a = e->has_append ? e->append : c->global_append;
	const char *k = e->kernel_args;
	if (strncmp(full, k, strlen(k)))
		fail("the command line does not start with KERNEL's options");
	const char *rest = full + strlen(k);
	while (*k && *rest == ' ')
		rest++;
	if (strncmp(rest, a, strlen(a)))
		fail("the APPEND does not follow KERNEL's options");
	memset(cut, '#', sizeof(cut));
	pxecfg_cmdline(c, e, ip, bootif, cut, cap);
	if (!memchr(cut, '\0', cap))
		fail("a cut command line without its NUL");
	if (!untouched(cut, cap, sizeof(cut)))
		fail("command line written past its buffer");
	if (strncmp(full, cut, strlen(cut)))
		fail("a cut command line is not a prefix of the whole");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pxecfg c;
	static struct pxecfg_entry tmp;
	struct fuzz_io fio = {.nparts = 0};
	struct pxecfg_io io = {fuzz_fetch, fuzz_release, &fio};

	/* Split into files at each "\n%%\n". */
	const uint8_t *p = data, *end = data + size;
	while (fio.nparts < MAX_FILES) {
		const uint8_t *s = NULL;
		if (fio.nparts < MAX_FILES - 1)
			s = memmem(p, (size_t)(end - p), SEP, 4);
		fio.part[fio.nparts] = p;
		fio.len[fio.nparts++] = s ? (size_t)(s - p) : (size_t)(end - p);
		if (!s)
			break;
		p = s + 4;
	}
	uint32_t h = 0;
	for (size_t i = 0; i < size && i < 64; i++)
		h = h * 31 + data[i];

	char *text = malloc(fio.len[0] ? fio.len[0] : 1);
	if (!text)
		abort();
	memcpy(text, fio.part[0], fio.len[0]);
	pxecfg_parse(&c, text, fio.len[0], &io);
	free(text);

	if (fio.nlive)
		fail("an INCLUDE text never released");
	if (fio.releases != fio.served)
		fail("releases do not match successful fetches");
	if (c.includes != fio.fetches || c.includes > PXECFG_MAX_INCLUDES)
		fail("includes does not count the fetches");
	if (c.n > PXECFG_MAX_ENTRIES)
		fail("more entries than PXECFG_MAX_ENTRIES");
	if (c.skipped && c.n != PXECFG_MAX_ENTRIES)
		fail("entries skipped while there was room");
	check_str(c.default_cmd, sizeof(c.default_cmd), "default_cmd");
	check_str(c.ontimeout, sizeof(c.ontimeout), "ontimeout");
	check_str(c.menu_default, sizeof(c.menu_default), "menu_default");
	check_str(c.global_append, sizeof(c.global_append), "global_append");
	check_str(c.error, sizeof(c.error), "error");
	if (c.global_ipappend < 0)
		fail("a negative global IPAPPEND");
	bool any_bootable = false, found_menu_default = !c.menu_default[0];
	for (size_t i = 0; i < c.n; i++) {
		check_entry(&c.e[i]);
		any_bootable |= bootable(&c.e[i]);
		found_menu_default |= !strcmp(c.e[i].label, c.menu_default);
	}
	if (!found_menu_default)
		fail("MENU DEFAULT names no entry");

	/* Choice. */
	memset(&tmp, 0x5a, sizeof(tmp));
	const struct pxecfg_entry *e = pxecfg_choose(&c, &tmp);
	if (e == &tmp) {
		check_entry(&tmp);
		if (!tmp.kernel[0] || strcmp(tmp.label, "default"))
			fail("a temporary entry without a kernel");
		if (strncmp(c.default_cmd, tmp.kernel, strlen(tmp.kernel)))
			fail("the temporary entry's kernel is not DEFAULT's first word");
	} else if (e) {
		if (e < c.e || e >= c.e + c.n)
			fail("a chosen entry outside the table");
		if (!bootable(e) && !ieq(e->label, c.default_cmd))
			fail("an unbootable entry chosen by fallback");
	} else if (any_bootable) {
		fail("nothing chosen though an entry is bootable");
	}

	/* Fallback order. */
	const struct pxecfg_entry *prev = e == &tmp ? NULL : e;
	size_t steps = 0;
	for (const struct pxecfg_entry *n = pxecfg_next(&c, prev); n; n = pxecfg_next(&c, n)) {
		if (n < c.e || n >= c.e + c.n)
			fail("a next entry outside the table");
		if (prev && n <= prev)
			fail("next went backwards");
		if (!n->kernel[0] || n->module || n->localboot)
			fail("next gave an entry that is not a kernel");
		if (++steps > c.n)
			fail("next does not end");
		prev = n;
	}

	size_t cap = 1 + h % 96;
	for (size_t i = 0; i < c.n; i++) {
		check_initrds(&c.e[i], 1 + (h + i) % 40);
		check_cmdline(&c, &c.e[i], cap);
	}
	if (e == &tmp) {
		check_initrds(&tmp, 1 + h % 40);
		check_cmdline(&c, &tmp, cap);
	}
	return 0;
}
