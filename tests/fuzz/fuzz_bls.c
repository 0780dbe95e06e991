/* libFuzzer target for disk/bls.c. The input is files split by the line
 * "%%": the first is loader/loader.conf, each other one is an entry file
 * whose first line is its file name and the rest its text (up to 80, so
 * the 64-entry bound is reached). Each text is parsed from an exactly
 * sized copy. After sorting: every kept entry is bootable and its strings
 * terminated inside their fields, the order is a permutation with bad
 * entries last and sort-key entries first, the default is in range and
 * matches loader.conf's pattern when it says so, and the version
 * comparison is reflexive and antisymmetric over the first 32 distinct
 * strings of the entries' versions and names, and transitive over the
 * first 12. */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bls.h>

#define MAX_FILES 81
#define SEP	  "\n%%\n"

static void fail(const char *why)
{
	fprintf(stderr, "bls: %s\n", why);
	abort();
}

static void check_str(const char *s, size_t cap, const char *what)
{
	if (!memchr(s, '\0', cap))
		fail(what);
}

static void check_path(const char *p, bool may_be_empty)
{
	check_str(p, BLS_PATH_LEN, "a path without its NUL");
	if (!p[0] && !may_be_empty)
		fail("an empty path kept");
	for (const char *q = p; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e)
			fail("a path with a control or non-ASCII byte kept");
}

static void check_entry(const struct bls_entry *e)
{
	check_str(e->name, sizeof(e->name), "a name without its NUL");
	check_str(e->title, sizeof(e->title), "a title without its NUL");
	check_str(e->version, sizeof(e->version), "a version without its NUL");
	check_str(e->machine_id, sizeof(e->machine_id), "a machine-id without its NUL");
	check_str(e->sort_key, sizeof(e->sort_key), "a sort-key without its NUL");
	check_str(e->options, sizeof(e->options), "options without their NUL");
	if (!bls_name_ok(e->name))
		fail("an entry kept under a name bls_name_ok refuses");
	check_path(e->kernel, true);
	check_path(e->efi, true);
	if (!e->kernel[0] && !e->efi[0])
		fail("an entry kept with neither linux nor efi");
	if (e->n_initrds > BLS_MAX_INITRDS)
		fail("more initrds than BLS_MAX_INITRDS");
	for (size_t i = 0; i < e->n_initrds; i++)
		check_path(e->initrd[i], false);
	if (e->tries_left < -1 || e->tries_done < -1 || (e->tries_left < 0) != (e->tries_done < 0))
		fail("boot counters out of range");
}

static int sgn(int r)
{
	return (r > 0) - (r < 0);
}

/* FNV-1a of a string, to find repeated ones quickly. */
__attribute__((no_sanitize("coverage"), noinline)) static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* v without its repeats, in place; its new length. bls_vercmp is a pure
 * function of its two strings, so a repeat adds no pair to check. */
__attribute__((no_sanitize("coverage"), noinline)) static size_t unique(const char **v, size_t n)
{
	static uint32_t h[2 * BLS_MAX_ENTRIES];
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t hi = str_hash(v[i]);
		bool dup = false;
		for (size_t j = 0; j < m && !dup; j++)
			dup = h[j] == hi && !strcmp(v[j], v[i]);
		if (!dup) {
			h[m] = hi;
			v[m++] = v[i];
		}
	}
	return m;
}

/* Reflexivity and antisymmetry for each pair of the first VERCMP_PAIRS
 * distinct strings, transitivity for triples of the first 12. Each ordered
 * pair is compared once, into a table the three checks read. The checks
 * used to take every pair of all 128 strings, repeats included, four
 * bls_vercmp calls each: up to 65,000 calls per input, most of the
 * target's time. Any pair that breaks a rule can be among the first 32
 * (two entries are enough to show it), so the bound loses no case. */
#define VERCMP_PAIRS 32

static void check_vercmp(const char **v, size_t n)
{
	static signed char r[VERCMP_PAIRS][VERCMP_PAIRS];

	n = unique(v, n);
	if (n > VERCMP_PAIRS)
		n = VERCMP_PAIRS;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			r[i][j] = (signed char)sgn(bls_vercmp(v[i], v[j]));
	for (size_t i = 0; i < n; i++) {
		if (r[i][i])
			fail("a version that differs from itself");
		for (size_t j = 0; j < n; j++)
			if (r[i][j] != -r[j][i])
				fail("vercmp is not antisymmetric");
	}
	size_t m = n < 12 ? n : 12;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++)
			for (size_t k = 0; k < m; k++)
				if (r[i][j] <= 0 && r[j][k] <= 0 && r[i][k] > 0)
					fail("vercmp is not transitive");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bls_set s;
	static struct bls_loader l;
	static const char *strs[2 * BLS_MAX_ENTRIES];
	const uint8_t *part[MAX_FILES];
	size_t len[MAX_FILES], nparts = 0;
	const uint8_t *p = data, *end = data + size;

	while (nparts < MAX_FILES) {
		const uint8_t *sep =
		    nparts < MAX_FILES - 1 ? memmem(p, (size_t)(end - p), SEP, 4) : NULL;
		part[nparts] = p;
		len[nparts++] = sep ? (size_t)(sep - p) : (size_t)(end - p);
		if (!sep)
			break;
		p = sep + 4;
	}

	char *text = malloc(len[0] ? len[0] : 1);
	if (!text)
		abort();
	memcpy(text, part[0], len[0]);
	bls_loader_parse(&l, text, len[0]);
	free(text);
	check_str(l.default_pattern, sizeof(l.default_pattern), "a pattern without its NUL");
	check_str(l.timeout, sizeof(l.timeout), "a timeout without its NUL");

	bls_set_init(&s);
	size_t tried = 0, added = 0;
	for (size_t i = 1; i < nparts; i++) {
		const uint8_t *nl = memchr(part[i], '\n', len[i]);
		size_t nlen = nl ? (size_t)(nl - part[i]) : len[i];
		char name[300];
		if (nlen >= sizeof(name))
			nlen = sizeof(name) - 1;
		memcpy(name, part[i], nlen);
		name[nlen] = '\0';
		size_t tlen = nl ? len[i] - (size_t)(nl + 1 - part[i]) : 0;
		char *t = malloc(tlen ? tlen : 1);
		if (!t)
			abort();
		if (tlen)
			memcpy(t, nl + 1, tlen);
		size_t before = s.n;
		const char *why = NULL;
		enum bls_result r = bls_set_add(&s, name, t, tlen, &why);
		free(t);
		tried++;
		if (!why || !bls_result_str(r))
			fail("a result without a reason");
		if (r == BLS_OK) {
			added++;
			if (s.n != before + 1)
				fail("BLS_OK without a new entry");
		} else if (s.n != before) {
			fail("a refused entry changed the set");
		}
	}
	if (s.n > BLS_MAX_ENTRIES || s.n != added)
		fail("entry count wrong");
	if (s.dropped && s.n != BLS_MAX_ENTRIES)
		fail("entries dropped while there was room");
	if (s.n + s.dropped > tried)
		fail("more entries than files");

	bls_sort(&s);
	bool seen[BLS_MAX_ENTRIES] = {false};
	bool any_bad = false, any_plain = false;
	for (size_t i = 0; i < s.n; i++) {
		if (s.order[i] >= s.n || seen[s.order[i]])
			fail("the order is not a permutation");
		seen[s.order[i]] = true;
		const struct bls_entry *e = &s.e[s.order[i]];
		check_entry(e);
		bool bad = e->tries_left == 0;
		if (any_bad && !bad)
			fail("a good entry after a bad one");
		any_bad |= bad;
		if (!bad && !e->sort_key[0])
			any_plain = true;
		if (!bad && e->sort_key[0] && any_plain)
			fail("a sort-key entry after one without");
	}

	int d = bls_default(&s, &l);
	if (!s.n != (d < 0) || (s.n && (d < 0 || (size_t)d >= s.n)))
		fail("the default is out of range");
	if (d > 0) {
		const char *nm = s.e[s.order[d]].name;
		char stem[BLS_NAME_LEN];
		snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(nm) - 5), nm);
		if (!bls_glob(l.default_pattern, nm) && !bls_glob(l.default_pattern, stem))
			fail("a default that does not match the pattern");
		for (int i = 0; i < d; i++)
			if (bls_glob(l.default_pattern, s.e[s.order[i]].name))
				fail("an earlier entry matched the pattern too");
	}

	size_t n = 0;
	for (size_t i = 0; i < s.n; i++) {
		strs[n++] = s.e[i].version;
		strs[n++] = s.e[i].name;
	}
	check_vercmp(strs, n);
	return 0;
}
