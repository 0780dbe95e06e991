/* libFuzzer target for platform/memmap.c: an e820 table, then a sequence
 * of set/alloc/alloc_at/free/add_e820 operations, all driven by the input.
 * After every operation the map's invariants must hold; in "window" mode
 * (every address inside a 2 MiB window) each result is also checked page
 * by page against a model, in "wide" mode (raw 64-bit addresses, entries
 * that wrap) against the operation's own promises.
 *
 * Input: flags, n, n e820 entries, then 12-byte operations:
 *   flags: bits 0-2 table capacity, bit 3 wide mode
 *   window entry (6 bytes): u16 addr/32, u16 size/32, u8 type, u8 unaligned
 *   wide entry (17 bytes):  u64 addr, u64 size, u8 type
 *   operation: kind, type, pages, align, u16 base, u16 min, u16 max, skew, spare */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <memmap.h>
/* The model walks its 512 pages once or more per operation (up to 256 of
 * them per input), and its loops' comparison callbacks took most of the
 * target's time: it is compiled without coverage instrumentation. Coverage
 * is memmap.c's, which is what the fuzzer should be steered by; ASan and
 * UBSan still check the model (noinline: inlined into the target's
 * function, it would be instrumented again). */
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)
#pragma clang attribute push(__attribute__((noinline)), apply_to = function)
#include "../unit/memmap_check.h"
#pragma clang attribute pop
#pragma clang attribute pop

#define MAX_ENTRIES 16
#define MAX_OPS	    256
#define MAX_CAP	    (MODEL_PAGES + 2)

static const size_t caps[8] = {2, 3, 4, 6, 8, 16, 64, MAX_CAP};
static const uint32_t e820_types[8] = {E820_RAM,  E820_RAM, E820_RAM,	   E820_RESERVED,
				       E820_ACPI, E820_NVS, E820_UNUSABLE, E820_PMEM};

struct input {
	const uint8_t *p;
	size_t left;
};

static bool take(struct input *in, void *out, size_t n)
{
	if (in->left < n)
		return false;
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

static uint16_t u16_at(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static void die(const struct memmap *m, const char *what, const char *why)
{
	fprintf(stderr, "memmap %s: %s\n", what, why);
	for (size_t i = 0; i < m->count; i++)
		fprintf(stderr, "  [%#llx +%llu pages) type %u\n", (unsigned long long)m->r[i].base,
			(unsigned long long)m->r[i].pages, m->r[i].type);
	abort();
}

static void check_invariants(const struct memmap *m, const char *what)
{
	const char *why = memmap_broken(m);
	if (why)
		die(m, what, why);
}

struct snapshot {
	struct mem_range r[MAX_CAP];
	size_t count;
	uint64_t ram_bytes;
};

static void snap(const struct memmap *m, struct snapshot *s)
{
	memcpy(s->r, m->r, m->count * sizeof(m->r[0]));
	s->count = m->count;
	s->ram_bytes = m->ram_bytes;
}

static bool unchanged(const struct memmap *m, const struct snapshot *s)
{
	return m->count == s->count && m->ram_bytes == s->ram_bytes &&
	       !memcmp(m->r, s->r, s->count * sizeof(s->r[0]));
}

static uint32_t e820_type(uint8_t b)
{
	return b < 0xf0 ? e820_types[b & 7] : b; /* now and then a type we do not know */
}

/* A result in window mode: the model's, or EFULL when the table is full. */
static void expect(const struct memmap *m, const struct snapshot *s, int rc, int want,
		   const char *what)
{
	char why[128];

	if (rc == MEMMAP_EFULL && want == MEMMAP_OK && s->count + 2 > m->cap) {
		if (!unchanged(m, s))
			die(m, what, "EFULL changed the map");
		return;
	}
	if (rc != want) {
		snprintf(why, sizeof(why), "returned %d, the model says %d", rc, want);
		die(m, what, why);
	}
	if (rc != MEMMAP_OK && !unchanged(m, s))
		die(m, what, "a failed call changed the map");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mem_range st[MAX_CAP];
	static struct memmap_model mm;
	static struct snapshot s;
	struct input in = {data, size};
	struct memmap m;
	uint8_t flags, n;

	if (!take(&in, &flags, 1) || !take(&in, &n, 1))
		return 0;
	bool wide = flags & 8;
	memmap_init(&m, st, caps[flags & 7]);
	model_init(&mm);

	/* The VMM's table. */
	struct e820_entry e[MAX_ENTRIES];
	size_t ne = 0;
	for (n %= MAX_ENTRIES + 1; ne < n; ne++) {
		if (wide) {
			uint8_t b[17];
			if (!take(&in, b, sizeof(b)))
				break;
			memcpy(&e[ne].addr, b, 8);
			memcpy(&e[ne].size, b + 8, 8);
			e[ne].type = e820_type(b[16]);
		} else {
			uint8_t b[6];
			if (!take(&in, b, sizeof(b)))
				break;
			uint64_t addr = (uint64_t)u16_at(b) * 32 + (b[5] & 31);
			uint64_t len = (uint64_t)u16_at(b + 2) * 32 + (b[5] >> 5);
			if (addr >= MODEL_END)
				addr = MODEL_END - 1;
			e[ne] = (struct e820_entry){
			    addr, len < MODEL_END - addr ? len : MODEL_END - addr, e820_type(b[4])};
		}
	}
	int rc = memmap_add_e820(&m, e, ne);
	check_invariants(&m, "add_e820");
	if (rc != MEMMAP_OK && rc != MEMMAP_EFULL)
		die(&m, "add_e820", "unexpected error");
	if (!wide) {
		model_add_e820(&mm, e, ne);
		if (rc == MEMMAP_EFULL)
			model_load(&mm, &m); /* partly applied: go on from what is there */
		const char *why = model_differs(&mm, &m);
		if (why)
			die(&m, "add_e820", why);
	}

	uint8_t op[12];
	for (int i = 0; i < MAX_OPS && take(&in, op, sizeof(op)); i++) {
		uint32_t type = op[1] % MEM_TYPE_COUNT;
		uint64_t pages = op[2] < 0xf8 ? op[2] : (UINT64_MAX >> (op[2] - 0xf8));
		uint64_t align = op[3] < 0xf0 ? PAGE_SIZE << (op[3] % 22) : (uint64_t)op[3] << 8;
		uint64_t base, min_base, max_end;
		if (wide) {
			base = ((uint64_t)u16_at(op + 4) << PAGE_SHIFT) | ((uint64_t)op[11] << 56);
			min_base = (uint64_t)u16_at(op + 6) << 24;
			max_end =
			    u16_at(op + 8) == 0xffff ? UINT64_MAX : (uint64_t)u16_at(op + 8) << 28;
		} else {
			base = (uint64_t)(u16_at(op + 4) % MODEL_PAGES) << PAGE_SHIFT;
			min_base = (uint64_t)(u16_at(op + 6) % (MODEL_PAGES + 1)) << PAGE_SHIFT;
			max_end = u16_at(op + 8) > 0xff00
				      ? UINT64_MAX
				      : (uint64_t)(u16_at(op + 8) % (MODEL_PAGES + 1))
					    << PAGE_SHIFT;
			if (pages > MODEL_PAGES && op[2] < 0xf8)
				pages = MODEL_PAGES;
		}
		if (op[10] & 0x80)
			base |= op[10] & 0x7f; /* misaligned: always refused */
		bool bad_range = !pages || (base & (PAGE_SIZE - 1)) ||
				 pages > (UINT64_MAX >> PAGE_SHIFT) ||
				 base + (pages << PAGE_SHIFT) <= base;
		uint64_t size = pages << PAGE_SHIFT;

		snap(&m, &s);
		switch (op[0] % 5) {
		case 0: { /* alloc */
			uint64_t got = 0, want = 0;
			bool bad = !pages || pages > (UINT64_MAX >> PAGE_SHIFT) ||
				   align < PAGE_SIZE || (align & (align - 1)) || type == MEM_FREE;
			rc = memmap_alloc(&m, pages, type, align, min_base, max_end, &got);
			check_invariants(&m, "alloc");
			if (!wide) {
				bool fits = !bad && model_alloc_where(&mm, pages, align, min_base,
								      max_end, &want);
				expect(&m, &s, rc,
				       bad    ? MEMMAP_EINVAL
				       : fits ? MEMMAP_OK
					      : MEMMAP_ENOMEM,
				       "alloc");
				if (rc == MEMMAP_OK) {
					if (got != want)
						die(&m, "alloc",
						    "placed where the model would not");
					model_set(&mm, want, pages, (int)type);
				}
			} else if (rc == MEMMAP_OK) {
				if (bad || (got & (align - 1)) || got < min_base ||
				    got + size > max_end || got + size < got ||
				    memmap_type_at(&m, got) != (int)type ||
				    memmap_type_at(&m, got + size - 1) != (int)type)
					die(&m, "alloc", "allocation breaks its promises");
			} else if (!unchanged(&m, &s)) {
				die(&m, "alloc", "a failed call changed the map");
			}
			break;
		}
		case 1: /* alloc_at */
			rc = memmap_alloc_at(&m, base, pages, type);
			check_invariants(&m, "alloc_at");
			if (!wide) {
				expect(&m, &s, rc,
				       bad_range || type == MEM_FREE	   ? MEMMAP_EINVAL
				       : model_all(&mm, base, pages, true) ? MEMMAP_OK
									   : MEMMAP_ENOTFOUND,
				       "alloc_at");
				if (rc == MEMMAP_OK)
					model_set(&mm, base, pages, (int)type);
			} else if (rc == MEMMAP_OK) {
				if (memmap_type_at(&m, base) != (int)type ||
				    memmap_type_at(&m, base + size - 1) != (int)type)
					die(&m, "alloc_at", "pages did not get the type");
			} else if (!unchanged(&m, &s)) {
				die(&m, "alloc_at", "a failed call changed the map");
			}
			break;
		case 2: /* free */
			rc = memmap_free(&m, base, pages);
			check_invariants(&m, "free");
			if (!wide) {
				expect(&m, &s, rc,
				       bad_range			    ? MEMMAP_EINVAL
				       : model_all(&mm, base, pages, false) ? MEMMAP_OK
									    : MEMMAP_ENOTFOUND,
				       "free");
				if (rc == MEMMAP_OK)
					model_set(&mm, base, pages, MEM_FREE);
			} else if (rc == MEMMAP_OK) {
				if (memmap_type_at(&m, base) != MEM_FREE ||
				    memmap_type_at(&m, base + size - 1) != MEM_FREE)
					die(&m, "free", "pages are not free");
			} else if (!unchanged(&m, &s)) {
				die(&m, "free", "a failed call changed the map");
			}
			break;
		case 3: /* set */
			if (!wide && !bad_range && base + size > MODEL_END)
				size = MODEL_END - base, pages = size >> PAGE_SHIFT;
			rc = memmap_set(&m, base, pages, type);
			check_invariants(&m, "set");
			if (!wide) {
				expect(&m, &s, rc, bad_range ? MEMMAP_EINVAL : MEMMAP_OK, "set");
				if (rc == MEMMAP_OK)
					model_set(&mm, base, pages, (int)type);
			} else if (rc == MEMMAP_OK) {
				if (memmap_type_at(&m, base) != (int)type ||
				    memmap_type_at(&m, base + size - 1) != (int)type)
					die(&m, "set", "pages did not get the type");
			} else if (!unchanged(&m, &s)) {
				die(&m, "set", "a failed call changed the map");
			}
			break;
		default: { /* one more e820 entry */
			struct e820_entry one = {base + (op[11] & 0xff),
						 (uint64_t)u16_at(op + 6) * 64, e820_type(op[1])};
			if (!wide && one.addr + one.size > MODEL_END)
				one.size = one.addr < MODEL_END ? MODEL_END - one.addr : 0;
			if (!wide && one.addr >= MODEL_END)
				one.size = 0;
			rc = memmap_add_e820(&m, &one, 1);
			check_invariants(&m, "add_e820 (one)");
			if (!wide) {
				if (rc == MEMMAP_OK || rc == MEMMAP_EFULL) {
					struct memmap_model before = mm;
					model_add_e820(&mm, &one, 1);
					if (rc == MEMMAP_EFULL) {
						mm = before;
						expect(&m, &s, rc, MEMMAP_OK, "add_e820 (one)");
					}
				} else {
					die(&m, "add_e820 (one)", "unexpected error");
				}
			} else if (rc != MEMMAP_OK && !unchanged(&m, &s)) {
				die(&m, "add_e820 (one)", "a failed call changed the map");
			}
			break;
		}
		}
		/* A failed call changed neither the model nor (expect() saw to
		 * it) the map, so they still agree as they did before it. */
		if (!wide && rc == MEMMAP_OK) {
			const char *why = model_differs(&mm, &m);
			if (why)
				die(&m, "after an operation", why);
		}
	}
	return 0;
}
