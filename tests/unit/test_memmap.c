/* Host tests for platform/memmap.c: e820 normalization, set/alloc/free,
 * and a randomized comparison against a page-by-page model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <memmap.h>
#include "memmap_check.h"

#define KIB (1ULL << 10)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define CAP 64

struct want {
	uint64_t base, end;
	uint32_t type;
};

static void dump_map(const struct memmap *m)
{
	for (size_t i = 0; i < m->count; i++)
		print_message("  [%#llx, %#llx) %s\n", (unsigned long long)m->r[i].base,
			      (unsigned long long)(m->r[i].base + (m->r[i].pages << PAGE_SHIFT)),
			      memmap_type_name(m->r[i].type));
}

static void assert_map_ok_at(const struct memmap *m, const char *file, int line)
{
	const char *why = memmap_broken(m);

	if (why) {
		dump_map(m);
		print_error("%s:%d: memory map invariant broken: %s\n", file, line, why);
		_fail(file, line);
	}
}
#define assert_map_ok(m) assert_map_ok_at((m), __FILE__, __LINE__)

/* The map holds exactly the ranges w[0..n), in order. */
static void assert_ranges_at(const struct memmap *m, const struct want *w, size_t n,
			     const char *file, int line)
{
	bool same = m->count == n;

	for (size_t i = 0; same && i < n; i++)
		same = m->r[i].base == w[i].base &&
		       m->r[i].base + (m->r[i].pages << PAGE_SHIFT) == w[i].end &&
		       m->r[i].type == w[i].type;
	if (!same) {
		print_error("%s:%d: map differs; it holds:\n", file, line);
		dump_map(m);
		print_error("expected:\n");
		for (size_t i = 0; i < n; i++)
			print_error("  [%#llx, %#llx) %s\n", (unsigned long long)w[i].base,
				    (unsigned long long)w[i].end, memmap_type_name(w[i].type));
		_fail(file, line);
	}
	assert_map_ok_at(m, file, line);
}
#define assert_ranges(m, ...)                                                                      \
	do {                                                                                       \
		const struct want w_[] = {__VA_ARGS__};                                            \
		assert_ranges_at((m), w_, sizeof(w_) / sizeof(w_[0]), __FILE__, __LINE__);         \
	} while (0)

/* A copy of the map's table, to prove a failed call changed nothing. */
struct snapshot {
	struct mem_range r[CAP];
	size_t count;
	uint64_t ram_bytes;
};

static void snap(const struct memmap *m, struct snapshot *s)
{
	assert_true(m->count <= CAP);
	memcpy(s->r, m->r, m->count * sizeof(m->r[0]));
	s->count = m->count;
	s->ram_bytes = m->ram_bytes;
}

static void assert_unchanged(const struct memmap *m, const struct snapshot *s)
{
	assert_int_equal(m->count, s->count);
	assert_memory_equal(m->r, s->r, s->count * sizeof(s->r[0]));
	assert_int_equal(m->ram_bytes, s->ram_bytes);
}

/* A map holding one free range [base, end). */
static void one_free(struct memmap *m, struct mem_range *st, size_t cap, uint64_t base,
		     uint64_t end)
{
	struct e820_entry e = {base, end - base, E820_RAM};

	memmap_init(m, st, cap);
	assert_int_equal(memmap_add_e820(m, &e, 1), MEMMAP_OK);
	assert_ranges(m, {base, end, MEM_FREE});
}

/* ---- e820 normalization ---- */

static void test_e820_unsorted_entries_come_out_sorted_and_merged(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const struct e820_entry e[] = {
	    {8 * MIB, 4 * MIB, E820_RAM},
	    {0, 0x9f000, E820_RAM},
	    {0xf0000, 0x10000, E820_RESERVED},
	    {1 * MIB, 7 * MIB, E820_RAM},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 4), MEMMAP_OK);
	assert_ranges(&m, {0, 0x9f000, MEM_FREE}, {0xf0000, 1 * MIB, MEM_RESERVED},
		      {1 * MIB, 12 * MIB, MEM_FREE});
	assert_int_equal(m.ram_bytes, 0x9f000 + 11 * MIB);
}

static void test_e820_reserved_beats_ram_in_every_order(void **state)
{
	const struct e820_entry e[3] = {
	    {0, 16 * MIB, E820_RAM},
	    {4 * MIB, 1 * MIB, E820_RESERVED},
	    {15 * MIB, 2 * MIB, E820_RESERVED}, /* straddles RAM's end */
	};
	static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					 {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

	for (int o = 0; o < 6; o++) {
		struct e820_entry in[3];
		struct mem_range st[CAP];
		struct memmap m;
		for (int i = 0; i < 3; i++)
			in[i] = e[orders[o][i]];
		memmap_init(&m, st, CAP);
		assert_int_equal(memmap_add_e820(&m, in, 3), MEMMAP_OK);
		assert_ranges(&m, {0, 4 * MIB, MEM_FREE}, {4 * MIB, 5 * MIB, MEM_RESERVED},
			      {5 * MIB, 15 * MIB, MEM_FREE}, {15 * MIB, 17 * MIB, MEM_RESERVED});
		assert_int_equal(m.ram_bytes, 14 * MIB);
	}
}

static void test_e820_acpi_and_nvs_beat_ram(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	/* NVS overlaps the ACPI tables too: the more restrictive NVS wins. */
	const struct e820_entry e[] = {
	    {0xe08000, 0x18000, E820_NVS},
	    {0xe00000, 0x10000, E820_ACPI},
	    {0, 16 * MIB, E820_RAM},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 3), MEMMAP_OK);
	assert_ranges(&m, {0, 0xe00000, MEM_FREE}, {0xe00000, 0xe08000, MEM_ACPI_RECLAIM},
		      {0xe08000, 0xe20000, MEM_ACPI_NVS}, {0xe20000, 16 * MIB, MEM_FREE});
}

static void test_e820_pmem_unusable_and_unknown_types_beat_ram(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const struct e820_entry e[] = {
	    {0x10000, 0x10000, E820_PMEM}, {0x30000, 0x1000, E820_UNUSABLE},
	    {0x40000, 0x1000, 6}, /* undefined e820 type: treat as reserved */
	    {0x50000, 0x1000, 0},	   {0, 1 * MIB, E820_RAM},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 5), MEMMAP_OK);
	assert_ranges(&m, {0, 0x10000, MEM_FREE}, {0x10000, 0x20000, MEM_PERSISTENT},
		      {0x20000, 0x30000, MEM_FREE}, {0x30000, 0x31000, MEM_UNUSABLE},
		      {0x31000, 0x40000, MEM_FREE}, {0x40000, 0x41000, MEM_RESERVED},
		      {0x41000, 0x50000, MEM_FREE}, {0x50000, 0x51000, MEM_RESERVED},
		      {0x51000, 1 * MIB, MEM_FREE});
}

static void test_e820_unaligned_ram_shrinks_inward(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const struct e820_entry e = {0x1001, 0x5000, E820_RAM}; /* [0x1001, 0x6001) */

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, &e, 1), MEMMAP_OK);
	assert_ranges(&m, {0x2000, 0x6000, MEM_FREE});
	assert_int_equal(m.ram_bytes, 0x4000);
}

static void test_e820_unaligned_reserved_grows_outward(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const struct e820_entry e[] = {
	    {0, 0x10000, E820_RAM},
	    {0x3ff0, 0x20, E820_RESERVED}, /* touches two pages by 16 bytes each */
	    {0x8001, 0x1, E820_ACPI},	   /* a single byte */
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 3), MEMMAP_OK);
	assert_ranges(&m, {0, 0x3000, MEM_FREE}, {0x3000, 0x5000, MEM_RESERVED},
		      {0x5000, 0x8000, MEM_FREE}, {0x8000, 0x9000, MEM_ACPI_RECLAIM},
		      {0x9000, 0x10000, MEM_FREE});
	assert_int_equal(m.ram_bytes, 0x10000 - 0x3000);
}

static void test_e820_ram_within_one_page_vanishes(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const struct e820_entry e = {0x1001, 0xffe, E820_RAM};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, &e, 1), MEMMAP_OK);
	assert_int_equal(m.count, 0);
	assert_int_equal(m.ram_bytes, 0);
}

static void test_e820_zero_size_entries_are_ignored(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const struct e820_entry e[] = {
	    {0, 1 * MIB, E820_RAM},
	    {0x8000, 0, E820_RESERVED}, /* must not punch a page out of RAM */
	    {0x8fff, 0, E820_NVS},
	    {2 * MIB, 0, E820_RAM},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 4), MEMMAP_OK);
	assert_ranges(&m, {0, 1 * MIB, MEM_FREE});
	assert_int_equal(m.ram_bytes, 1 * MIB);
}

static void test_e820_entries_wrapping_past_2_64_are_clamped(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const uint64_t top = UINT64_MAX & ~(PAGE_SIZE - 1); /* highest representable end */
	const struct e820_entry e[] = {
	    {0xffffffff00000000ULL, 0x200000000ULL, E820_RAM},
	    {0xffffffff80000123ULL, UINT64_MAX, E820_RESERVED},
	    {UINT64_MAX - 10, 100, E820_RAM}, /* rounding up its start wraps */
	    {0, 1 * MIB, E820_RAM},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 4), MEMMAP_OK);
	assert_ranges(&m, {0, 1 * MIB, MEM_FREE},
		      {0xffffffff00000000ULL, 0xffffffff80000000ULL, MEM_FREE},
		      {0xffffffff80000000ULL, top, MEM_RESERVED});
	assert_int_equal(m.ram_bytes, 1 * MIB + 0x80000000ULL);
	assert_int_equal(memmap_type_at(&m, UINT64_MAX), -1);
	assert_int_equal(memmap_type_at(&m, top - 1), MEM_RESERVED);
}

static void test_e820_ram_bytes_counts_overlapping_ram_once(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const struct e820_entry ram[] = {
	    {0, 8 * MIB, E820_RAM},
	    {4 * MIB, 8 * MIB, E820_RAM},
	    {4 * MIB, 2 * MIB, E820_RAM},
	    {0, 8 * MIB, E820_RAM},
	};
	const struct e820_entry more[] = {
	    {0, 8 * MIB, E820_RAM},
	    {1 * MIB, 1 * MIB, E820_RESERVED}, /* carved out of RAM: not RAM */
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, ram, 4), MEMMAP_OK);
	assert_ranges(&m, {0, 12 * MIB, MEM_FREE});
	assert_int_equal(m.ram_bytes, 12 * MIB);

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, more, 2), MEMMAP_OK);
	assert_int_equal(m.ram_bytes, 7 * MIB);
	assert_int_equal(memmap_bytes_of(&m, MEM_FREE), 7 * MIB);
}

static void test_e820_full_table_returns_efull(void **state)
{
	struct mem_range st[4];
	struct memmap m;
	const struct e820_entry e[] = {
	    {0x0000, 0x1000, E820_RAM}, {0x2000, 0x1000, E820_RAM}, {0x4000, 0x1000, E820_RAM},
	    {0x6000, 0x1000, E820_RAM}, {0x8000, 0x1000, E820_RAM},
	};

	memmap_init(&m, st, 4);
	assert_int_equal(memmap_add_e820(&m, e, 5), MEMMAP_EFULL);
	assert_map_ok(&m);
	assert_true(m.count <= 4);
}

/* ---- memmap_set ---- */

static void test_set_splits_a_range_in_three(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;

	one_free(&m, st, CAP, 0, 16 * MIB);
	assert_int_equal(memmap_set(&m, 4 * MIB, 256, MEM_LOADER_DATA), MEMMAP_OK);
	assert_ranges(&m, {0, 4 * MIB, MEM_FREE}, {4 * MIB, 5 * MIB, MEM_LOADER_DATA},
		      {5 * MIB, 16 * MIB, MEM_FREE});
	/* ram_bytes is what the VMM gave us: carving does not change it. */
	assert_int_equal(m.ram_bytes, 16 * MIB);
}

static void test_set_merges_equal_neighbours(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;

	one_free(&m, st, CAP, 0, 16 * MIB);
	assert_int_equal(memmap_set(&m, 4 * MIB, 256, MEM_BS_DATA), MEMMAP_OK);
	assert_int_equal(memmap_set(&m, 6 * MIB, 256, MEM_BS_DATA), MEMMAP_OK);
	assert_int_equal(m.count, 5);
	/* Filling the gap joins three ranges into one. */
	assert_int_equal(memmap_set(&m, 5 * MIB, 256, MEM_BS_DATA), MEMMAP_OK);
	assert_ranges(&m, {0, 4 * MIB, MEM_FREE}, {4 * MIB, 7 * MIB, MEM_BS_DATA},
		      {7 * MIB, 16 * MIB, MEM_FREE});
	/* Setting it back to free leaves one range again. */
	assert_int_equal(memmap_set(&m, 4 * MIB, 768, MEM_FREE), MEMMAP_OK);
	assert_ranges(&m, {0, 16 * MIB, MEM_FREE});
}

static void test_set_over_several_ranges_and_gaps(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const struct e820_entry e[] = {
	    {0, 1 * MIB, E820_RAM},
	    {2 * MIB, 1 * MIB, E820_RESERVED},
	    {4 * MIB, 4 * MIB, E820_RAM},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 3), MEMMAP_OK);
	/* [512K, 5M) covers part of a range, a gap, a whole range, a gap and
	 * part of another range. */
	assert_int_equal(memmap_set(&m, 512 * KIB, (4608 * KIB) >> PAGE_SHIFT, MEM_MMIO),
			 MEMMAP_OK);
	assert_ranges(&m, {0, 512 * KIB, MEM_FREE}, {512 * KIB, 5 * MIB, MEM_MMIO},
		      {5 * MIB, 8 * MIB, MEM_FREE});
	/* And beyond everything there was. */
	assert_int_equal(memmap_set(&m, 16 * MIB, 1, MEM_MMIO), MEMMAP_OK);
	assert_ranges(&m, {0, 512 * KIB, MEM_FREE}, {512 * KIB, 5 * MIB, MEM_MMIO},
		      {5 * MIB, 8 * MIB, MEM_FREE}, {16 * MIB, 16 * MIB + PAGE_SIZE, MEM_MMIO});
}

static void test_set_rejects_bad_arguments(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	struct snapshot s;

	one_free(&m, st, CAP, 0, 16 * MIB);
	snap(&m, &s);
	assert_int_equal(memmap_set(&m, 0x1001, 1, MEM_BS_DATA), MEMMAP_EINVAL);
	assert_int_equal(memmap_set(&m, 0x1000, 0, MEM_BS_DATA), MEMMAP_EINVAL);
	assert_int_equal(memmap_set(&m, 0xfffffffffffff000ULL, 1, MEM_BS_DATA), MEMMAP_EINVAL);
	assert_int_equal(memmap_set(&m, 0x1000, UINT64_MAX >> PAGE_SHIFT, MEM_BS_DATA),
			 MEMMAP_EINVAL);
	assert_int_equal(memmap_set(&m, 0x1000, UINT64_MAX, MEM_BS_DATA), MEMMAP_EINVAL);
	assert_unchanged(&m, &s);
}

static void test_set_on_full_table_changes_nothing(void **state)
{
	struct mem_range st[3];
	struct memmap m;
	struct snapshot s;

	one_free(&m, st, 3, 0, 16 * MIB);
	assert_int_equal(memmap_set(&m, 4 * MIB, 1, MEM_BS_DATA), MEMMAP_OK);
	assert_int_equal(m.count, 3);
	snap(&m, &s);
	/* Splitting the upper free range needs two more entries. */
	assert_int_equal(memmap_set(&m, 8 * MIB, 1, MEM_RT_DATA), MEMMAP_EFULL);
	assert_unchanged(&m, &s);
}

/* ---- memmap_alloc ---- */

static void test_alloc_takes_the_highest_free_pages(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	uint64_t a = 0, b = 0;

	one_free(&m, st, CAP, 1 * MIB, 16 * MIB);
	assert_int_equal(memmap_alloc(&m, 1, MEM_LOADER_DATA, PAGE_SIZE, 0, UINT64_MAX, &a),
			 MEMMAP_OK);
	assert_int_equal(a, 16 * MIB - PAGE_SIZE);
	assert_int_equal(memmap_alloc(&m, 2, MEM_LOADER_DATA, PAGE_SIZE, 0, UINT64_MAX, &b),
			 MEMMAP_OK);
	assert_int_equal(b, 16 * MIB - 3 * PAGE_SIZE);
	assert_ranges(&m, {1 * MIB, b, MEM_FREE}, {b, 16 * MIB, MEM_LOADER_DATA});
	assert_int_equal(memmap_bytes_of(&m, MEM_FREE), 15 * MIB - 3 * PAGE_SIZE);
}

static void test_alloc_honours_2mib_alignment(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	uint64_t a = 0;

	one_free(&m, st, CAP, 1 * MIB, 0xf01000);
	assert_int_equal(memmap_alloc(&m, 2, MEM_BS_CODE, 2 * MIB, 0, UINT64_MAX, &a), MEMMAP_OK);
	assert_int_equal(a, 0xe00000);
	assert_ranges(&m, {1 * MIB, 0xe00000, MEM_FREE}, {0xe00000, 0xe02000, MEM_BS_CODE},
		      {0xe02000, 0xf01000, MEM_FREE});
	/* A free range holding no 2 MiB boundary with room cannot serve it. */
	one_free(&m, st, CAP, 0x201000, 0x3ff000);
	assert_int_equal(memmap_alloc(&m, 1, MEM_BS_CODE, 2 * MIB, 0, UINT64_MAX, &a),
			 MEMMAP_ENOMEM);
}

static void test_alloc_honours_max_end(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	uint64_t a = 0;

	one_free(&m, st, CAP, 1 * MIB, 16 * MIB);
	/* An unaligned limit: the allocation must still end at or below it. */
	assert_int_equal(memmap_alloc(&m, 1, MEM_BS_DATA, PAGE_SIZE, 0, 8 * MIB + 123, &a),
			 MEMMAP_OK);
	assert_int_equal(a, 8 * MIB - PAGE_SIZE);
	assert_int_equal(memmap_alloc(&m, 4, MEM_BS_DATA, PAGE_SIZE, 0, 4 * MIB, &a), MEMMAP_OK);
	assert_int_equal(a, 4 * MIB - 4 * PAGE_SIZE);
	/* Nothing free below the limit. */
	assert_int_equal(memmap_alloc(&m, 1, MEM_BS_DATA, PAGE_SIZE, 0, 1 * MIB, &a),
			 MEMMAP_ENOMEM);
	assert_map_ok(&m);
}

static void test_alloc_honours_min_base(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	uint64_t a = 0;
	const struct e820_entry e[] = {
	    {1 * MIB, 1 * MIB, E820_RAM},
	    {8 * MIB, 16 * KIB, E820_RAM},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 2), MEMMAP_OK);
	/* 32 KiB does not fit in the upper range; the lower one serves it. */
	assert_int_equal(memmap_alloc(&m, 8, MEM_BS_DATA, PAGE_SIZE, 1536 * KIB, UINT64_MAX, &a),
			 MEMMAP_OK);
	assert_int_equal(a, 2 * MIB - 32 * KIB);
	/* It would only fit below min_base. */
	assert_int_equal(
	    memmap_alloc(&m, 8, MEM_BS_DATA, PAGE_SIZE, 2 * MIB - 48 * KIB, UINT64_MAX, &a),
	    MEMMAP_ENOMEM);
	/* min_base inside a range: at or above it. */
	assert_int_equal(
	    memmap_alloc(&m, 1, MEM_BS_DATA, PAGE_SIZE, 8 * MIB + 12 * KIB, UINT64_MAX, &a),
	    MEMMAP_OK);
	assert_int_equal(a, 8 * MIB + 12 * KIB);
	assert_int_equal(
	    memmap_alloc(&m, 1, MEM_BS_DATA, PAGE_SIZE, 8 * MIB + 12 * KIB, UINT64_MAX, &a),
	    MEMMAP_ENOMEM);
	/* An empty window. */
	assert_int_equal(
	    memmap_alloc(&m, 1, MEM_BS_DATA, PAGE_SIZE, 1 * MIB + 64 * KIB, 1 * MIB + 32 * KIB, &a),
	    MEMMAP_ENOMEM);
	assert_map_ok(&m);
}

static void test_alloc_skips_memory_that_is_not_free(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	uint64_t a = 0;
	const struct e820_entry e[] = {
	    {1 * MIB, 1 * MIB, E820_RAM},
	    {2 * MIB, 2 * MIB, E820_RESERVED},
	    {4 * MIB, 1 * MIB, E820_NVS},
	    {5 * MIB, 1 * MIB, E820_ACPI},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 4), MEMMAP_OK);
	assert_int_equal(memmap_alloc(&m, 1, MEM_BS_DATA, PAGE_SIZE, 0, UINT64_MAX, &a), MEMMAP_OK);
	assert_int_equal(a, 2 * MIB - PAGE_SIZE);
}

static void test_alloc_exhaustion_leaves_the_map_unchanged(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	struct snapshot s;
	uint64_t a = 0xdead;

	one_free(&m, st, CAP, 1 * MIB, 2 * MIB);
	assert_int_equal(memmap_set(&m, 1536 * KIB, 1, MEM_BS_DATA), MEMMAP_OK);
	snap(&m, &s);
	/* 1 MiB is free in total, but in two pieces. */
	assert_int_equal(memmap_alloc(&m, 256, MEM_BS_DATA, PAGE_SIZE, 0, UINT64_MAX, &a),
			 MEMMAP_ENOMEM);
	assert_int_equal(memmap_alloc(&m, 1ULL << 40, MEM_BS_DATA, PAGE_SIZE, 0, UINT64_MAX, &a),
			 MEMMAP_ENOMEM);
	assert_unchanged(&m, &s);
	assert_int_equal(a, 0xdead);
	/* Use it all up, page by page; the next one fails. */
	for (int i = 0; i < 255; i++)
		assert_int_equal(memmap_alloc(&m, 1, MEM_BS_DATA, PAGE_SIZE, 0, UINT64_MAX, &a),
				 MEMMAP_OK);
	assert_ranges(&m, {1 * MIB, 2 * MIB, MEM_BS_DATA});
	snap(&m, &s);
	assert_int_equal(memmap_alloc(&m, 1, MEM_BS_DATA, PAGE_SIZE, 0, UINT64_MAX, &a),
			 MEMMAP_ENOMEM);
	assert_unchanged(&m, &s);
}

static void test_alloc_rejects_bad_arguments(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	struct snapshot s;
	uint64_t a;

	one_free(&m, st, CAP, 1 * MIB, 16 * MIB);
	snap(&m, &s);
	assert_int_equal(memmap_alloc(&m, 0, MEM_BS_DATA, PAGE_SIZE, 0, UINT64_MAX, &a),
			 MEMMAP_EINVAL);
	assert_int_equal(memmap_alloc(&m, 1, MEM_BS_DATA, 0, 0, UINT64_MAX, &a), MEMMAP_EINVAL);
	assert_int_equal(memmap_alloc(&m, 1, MEM_BS_DATA, 2048, 0, UINT64_MAX, &a), MEMMAP_EINVAL);
	assert_int_equal(memmap_alloc(&m, 1, MEM_BS_DATA, 3 * PAGE_SIZE, 0, UINT64_MAX, &a),
			 MEMMAP_EINVAL);
	assert_int_equal(memmap_alloc(&m, 1, MEM_FREE, PAGE_SIZE, 0, UINT64_MAX, &a),
			 MEMMAP_EINVAL);
	assert_int_equal(memmap_alloc(&m, UINT64_MAX, MEM_BS_DATA, PAGE_SIZE, 0, UINT64_MAX, &a),
			 MEMMAP_EINVAL);
	assert_unchanged(&m, &s);
}

static void test_alloc_on_full_table_returns_efull_and_changes_nothing(void **state)
{
	static const uint32_t types[] = {MEM_LOADER_DATA, MEM_BS_DATA, MEM_RT_DATA};
	struct mem_range st[5];
	struct memmap m;
	struct snapshot s;
	uint64_t a;
	int rc = MEMMAP_OK;

	one_free(&m, st, 5, 1 * MIB, 16 * MIB);
	/* Alternate types so no allocation merges with the one before. */
	for (int i = 0; i < 10 && rc == MEMMAP_OK; i++) {
		snap(&m, &s);
		rc = memmap_alloc(&m, 1, types[i % 3], PAGE_SIZE, 0, UINT64_MAX, &a);
		assert_map_ok(&m);
	}
	assert_int_equal(rc, MEMMAP_EFULL);
	assert_unchanged(&m, &s);
}

/* ---- memmap_alloc_at ---- */

static void test_alloc_at_takes_free_pages(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;

	one_free(&m, st, CAP, 1 * MIB, 16 * MIB);
	assert_int_equal(memmap_alloc_at(&m, 4 * MIB, 4, MEM_BS_CODE), MEMMAP_OK);
	assert_ranges(&m, {1 * MIB, 4 * MIB, MEM_FREE},
		      {4 * MIB, 4 * MIB + 4 * PAGE_SIZE, MEM_BS_CODE},
		      {4 * MIB + 4 * PAGE_SIZE, 16 * MIB, MEM_FREE});
	/* The very first and very last free pages. */
	assert_int_equal(memmap_alloc_at(&m, 1 * MIB, 1, MEM_BS_CODE), MEMMAP_OK);
	assert_int_equal(memmap_alloc_at(&m, 16 * MIB - PAGE_SIZE, 1, MEM_BS_CODE), MEMMAP_OK);
	assert_int_equal(memmap_type_at(&m, 1 * MIB), MEM_BS_CODE);
	assert_int_equal(memmap_type_at(&m, 16 * MIB - 1), MEM_BS_CODE);
	assert_map_ok(&m);
}

static void test_alloc_at_refuses_pages_that_are_not_free(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	struct snapshot s;
	const struct e820_entry e[] = {
	    {1 * MIB, 3 * MIB, E820_RAM},
	    {4 * MIB, 1 * MIB, E820_RESERVED},
	    {8 * MIB, 1 * MIB, E820_RAM},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 3), MEMMAP_OK);
	assert_int_equal(memmap_alloc_at(&m, 2 * MIB, 16, MEM_LOADER_CODE), MEMMAP_OK);
	snap(&m, &s);
	/* Already allocated, in part or in whole. */
	assert_int_equal(memmap_alloc_at(&m, 2 * MIB, 1, MEM_LOADER_CODE), MEMMAP_ENOTFOUND);
	assert_int_equal(memmap_alloc_at(&m, 2 * MIB - PAGE_SIZE, 2, MEM_BS_DATA),
			 MEMMAP_ENOTFOUND);
	/* Reserved, straddling free and reserved, in a hole, past the end. */
	assert_int_equal(memmap_alloc_at(&m, 4 * MIB, 1, MEM_BS_DATA), MEMMAP_ENOTFOUND);
	assert_int_equal(memmap_alloc_at(&m, 4 * MIB - PAGE_SIZE, 2, MEM_BS_DATA),
			 MEMMAP_ENOTFOUND);
	assert_int_equal(memmap_alloc_at(&m, 6 * MIB, 1, MEM_BS_DATA), MEMMAP_ENOTFOUND);
	assert_int_equal(memmap_alloc_at(&m, 9 * MIB - PAGE_SIZE, 2, MEM_BS_DATA),
			 MEMMAP_ENOTFOUND);
	assert_int_equal(memmap_alloc_at(&m, 0, 1, MEM_BS_DATA), MEMMAP_ENOTFOUND);
	/* Bad arguments. */
	assert_int_equal(memmap_alloc_at(&m, 8 * MIB + 1, 1, MEM_BS_DATA), MEMMAP_EINVAL);
	assert_int_equal(memmap_alloc_at(&m, 8 * MIB, 0, MEM_BS_DATA), MEMMAP_EINVAL);
	assert_int_equal(memmap_alloc_at(&m, 8 * MIB, 1, MEM_FREE), MEMMAP_EINVAL);
	assert_int_equal(memmap_alloc_at(&m, 0xfffffffffffff000ULL, 1, MEM_BS_DATA), MEMMAP_EINVAL);
	assert_unchanged(&m, &s);
}

/* ---- memmap_free ---- */

static void test_free_merges_back_with_its_neighbours(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	uint64_t a, b, c;

	one_free(&m, st, CAP, 1 * MIB, 16 * MIB);
	assert_int_equal(memmap_alloc(&m, 4, MEM_LOADER_DATA, PAGE_SIZE, 0, UINT64_MAX, &a), 0);
	assert_int_equal(memmap_alloc(&m, 4, MEM_BS_DATA, PAGE_SIZE, 0, UINT64_MAX, &b), 0);
	assert_int_equal(memmap_alloc(&m, 4, MEM_LOADER_DATA, PAGE_SIZE, 0, UINT64_MAX, &c), 0);
	assert_int_equal(m.count, 4);
	/* The middle one: free between two allocated ranges. */
	assert_int_equal(memmap_free(&m, b, 4), MEMMAP_OK);
	assert_ranges(&m, {1 * MIB, c, MEM_FREE}, {c, b, MEM_LOADER_DATA}, {b, a, MEM_FREE},
		      {a, 16 * MIB, MEM_LOADER_DATA});
	/* The lowest one joins the free range below and the hole above. */
	assert_int_equal(memmap_free(&m, c, 4), MEMMAP_OK);
	assert_ranges(&m, {1 * MIB, a, MEM_FREE}, {a, 16 * MIB, MEM_LOADER_DATA});
	assert_int_equal(memmap_free(&m, a, 4), MEMMAP_OK);
	assert_ranges(&m, {1 * MIB, 16 * MIB, MEM_FREE});
	assert_int_equal(memmap_bytes_of(&m, MEM_FREE), 15 * MIB);
}

static void test_free_of_part_of_an_allocation_splits_it(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;

	one_free(&m, st, CAP, 1 * MIB, 16 * MIB);
	assert_int_equal(memmap_alloc_at(&m, 4 * MIB, 16, MEM_RT_DATA), MEMMAP_OK);
	assert_int_equal(memmap_free(&m, 4 * MIB + 4 * PAGE_SIZE, 4), MEMMAP_OK);
	assert_ranges(&m, {1 * MIB, 4 * MIB, MEM_FREE},
		      {4 * MIB, 4 * MIB + 4 * PAGE_SIZE, MEM_RT_DATA},
		      {4 * MIB + 4 * PAGE_SIZE, 4 * MIB + 8 * PAGE_SIZE, MEM_FREE},
		      {4 * MIB + 8 * PAGE_SIZE, 4 * MIB + 16 * PAGE_SIZE, MEM_RT_DATA},
		      {4 * MIB + 16 * PAGE_SIZE, 16 * MIB, MEM_FREE});
	/* Adjacent allocations of different types free together. */
	assert_int_equal(memmap_alloc_at(&m, 4 * MIB + 4 * PAGE_SIZE, 4, MEM_BS_CODE), MEMMAP_OK);
	assert_int_equal(memmap_free(&m, 4 * MIB, 16), MEMMAP_OK);
	assert_ranges(&m, {1 * MIB, 16 * MIB, MEM_FREE});
}

static void test_free_refuses_memory_that_is_not_allocated(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	struct snapshot s;
	const struct e820_entry e[] = {
	    {1 * MIB, 3 * MIB, E820_RAM},  {4 * MIB, 1 * MIB, E820_RESERVED},
	    {5 * MIB, 1 * MIB, E820_NVS},  {6 * MIB, 1 * MIB, E820_UNUSABLE},
	    {16 * MIB, 1 * MIB, E820_RAM},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 5), MEMMAP_OK);
	assert_int_equal(memmap_set(&m, 8 * MIB, 1, MEM_MMIO), MEMMAP_OK);
	assert_int_equal(memmap_alloc_at(&m, 2 * MIB, 4, MEM_BS_DATA), MEMMAP_OK);
	snap(&m, &s);
	assert_int_equal(memmap_free(&m, 4 * MIB, 1), MEMMAP_ENOTFOUND);  /* reserved */
	assert_int_equal(memmap_free(&m, 5 * MIB, 1), MEMMAP_ENOTFOUND);  /* NVS */
	assert_int_equal(memmap_free(&m, 6 * MIB, 1), MEMMAP_ENOTFOUND);  /* unusable */
	assert_int_equal(memmap_free(&m, 8 * MIB, 1), MEMMAP_ENOTFOUND);  /* MMIO */
	assert_int_equal(memmap_free(&m, 1 * MIB, 1), MEMMAP_ENOTFOUND);  /* free */
	assert_int_equal(memmap_free(&m, 12 * MIB, 1), MEMMAP_ENOTFOUND); /* hole */
	assert_int_equal(memmap_free(&m, 2 * MIB, 5), MEMMAP_ENOTFOUND);  /* runs into free */
	assert_int_equal(memmap_free(&m, 2 * MIB - PAGE_SIZE, 2), MEMMAP_ENOTFOUND);
	assert_int_equal(memmap_free(&m, 2 * MIB + 1, 1), MEMMAP_EINVAL);
	assert_int_equal(memmap_free(&m, 2 * MIB, 0), MEMMAP_EINVAL);
	assert_unchanged(&m, &s);
	/* A double free is refused too. */
	assert_int_equal(memmap_free(&m, 2 * MIB, 4), MEMMAP_OK);
	snap(&m, &s);
	assert_int_equal(memmap_free(&m, 2 * MIB, 4), MEMMAP_ENOTFOUND);
	assert_unchanged(&m, &s);
}

static void test_free_of_acpi_reclaim_memory_is_allowed(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const struct e820_entry e[] = {
	    {1 * MIB, 3 * MIB, E820_RAM},
	    {2 * MIB, 64 * KIB, E820_ACPI},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 2), MEMMAP_OK);
	assert_int_equal(memmap_free(&m, 2 * MIB, 16), MEMMAP_OK);
	assert_ranges(&m, {1 * MIB, 4 * MIB, MEM_FREE});
}

/* ---- queries ---- */

static void test_queries(void **state)
{
	struct mem_range st[CAP];
	struct memmap m;
	const struct e820_entry e[] = {
	    {0, 640 * KIB, E820_RAM},
	    {1 * MIB, 15 * MIB, E820_RAM},
	    {16 * MIB, 64 * KIB, E820_NVS},
	    {0xfec00000, 1 * MIB, E820_RESERVED},
	};

	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_ram_end(&m), 0);
	assert_int_equal(memmap_type_at(&m, 0), -1);
	assert_int_equal(memmap_add_e820(&m, e, 4), MEMMAP_OK);
	assert_int_equal(memmap_type_at(&m, 0), MEM_FREE);
	assert_int_equal(memmap_type_at(&m, 640 * KIB - 1), MEM_FREE);
	assert_int_equal(memmap_type_at(&m, 640 * KIB), -1);
	assert_int_equal(memmap_type_at(&m, 16 * MIB), MEM_ACPI_NVS);
	assert_int_equal(memmap_type_at(&m, 0xfec00000 + 1 * MIB - 1), MEM_RESERVED);
	assert_int_equal(memmap_type_at(&m, 0xfec00000 + 1 * MIB), -1);
	assert_int_equal(memmap_bytes_of(&m, MEM_FREE), 640 * KIB + 15 * MIB);
	assert_int_equal(memmap_bytes_of(&m, MEM_ACPI_NVS), 64 * KIB);
	assert_int_equal(memmap_bytes_of(&m, MEM_BS_DATA), 0);
	/* Reserved and MMIO are not RAM; NVS is. */
	assert_int_equal(memmap_ram_end(&m), 16 * MIB + 64 * KIB);
	assert_int_equal(memmap_set(&m, 4 * GIB, 1, MEM_MMIO), MEMMAP_OK);
	assert_int_equal(memmap_ram_end(&m), 16 * MIB + 64 * KIB);
	assert_int_equal(memmap_set(&m, 8 * GIB, 1, MEM_BS_DATA), MEMMAP_OK);
	assert_int_equal(memmap_ram_end(&m), 8 * GIB + PAGE_SIZE);

	assert_string_equal(memmap_type_name(MEM_FREE), "free");
	assert_string_equal(memmap_type_name(MEM_RESERVED), "reserved");
	assert_string_equal(memmap_type_name(MEM_PERSISTENT), "pmem");
	assert_string_equal(memmap_type_name(MEM_TYPE_COUNT), "unknown");
	assert_string_equal(memmap_type_name(0xffffffffu), "unknown");
}

/* ---- randomized, against the page model ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rng_below(uint64_t n)
{
	return n ? rng() % n : 0;
}

/* An address in the window, page-aligned half of the time. */
static uint64_t rng_addr(void)
{
	uint64_t a = rng_below(MODEL_END);
	return rng() & 1 ? a & ~(PAGE_SIZE - 1) : a;
}

static void check_against_model_at(const struct memmap_model *mm, const struct memmap *m,
				   uint64_t seed, int step, const char *what)
{
	const char *why = memmap_broken(m);

	if (!why)
		why = model_differs(mm, m);
	if (why) {
		dump_map(m);
		fail_msg("seed %llu step %d (%s): %s", (unsigned long long)seed, step, what, why);
	}
}

static void test_random_operations_match_the_page_model(void **state)
{
	static const uint32_t types[] = {MEM_LOADER_CODE, MEM_LOADER_DATA, MEM_BS_CODE,
					 MEM_BS_DATA,	  MEM_RT_DATA,	   MEM_ACPI_RECLAIM};
	static const uint32_t e820_types[] = {E820_RAM,	 E820_RAM, E820_RAM,	  E820_RESERVED,
					      E820_ACPI, E820_NVS, E820_UNUSABLE, E820_PMEM,
					      0,	 9};
	static struct mem_range st[MODEL_PAGES + 2];
	struct memmap m;
	struct memmap_model mm;

	for (uint64_t seed = 1; seed <= 1000; seed++) {
		rng_state = seed * 0x9e3779b97f4a7c15ULL;
		memmap_init(&m, st, MODEL_PAGES + 2);
		model_init(&mm);

		struct e820_entry e[16];
		size_t n = 1 + rng_below(16);
		for (size_t i = 0; i < n; i++) {
			e[i].addr = rng_addr();
			e[i].size = rng_below(MODEL_END - e[i].addr + 1) / (1 + rng_below(4));
			e[i].type = e820_types[rng_below(10)];
		}
		assert_int_equal(memmap_add_e820(&m, e, n), MEMMAP_OK);
		model_add_e820(&mm, e, n);
		check_against_model_at(&mm, &m, seed, 0, "add_e820");

		for (int step = 1; step <= 200; step++) {
			uint64_t pages = 1 + rng_below(rng() & 1 ? 4 : 64);
			uint64_t base = rng_addr() & ~(PAGE_SIZE - 1);
			uint32_t type = types[rng_below(6)];
			int rc;

			switch (rng_below(5)) {
			case 0: {
				uint64_t align = PAGE_SIZE << rng_below(8);
				uint64_t min_base = rng() & 1 ? rng_addr() : 0;
				uint64_t max_end = rng() & 1 ? rng_addr() : UINT64_MAX;
				uint64_t want = 0, got = 0;
				bool fits =
				    model_alloc_where(&mm, pages, align, min_base, max_end, &want);
				rc = memmap_alloc(&m, pages, type, align, min_base, max_end, &got);
				if (rc != (fits ? MEMMAP_OK : MEMMAP_ENOMEM) ||
				    (fits && got != want))
					fail_msg(
					    "seed %llu step %d: alloc %llu pages align %#llx "
					    "in [%#llx, %#llx): rc %d at %#llx, model %s %#llx",
					    (unsigned long long)seed, step,
					    (unsigned long long)pages, (unsigned long long)align,
					    (unsigned long long)min_base,
					    (unsigned long long)max_end, rc,
					    (unsigned long long)got, fits ? "at" : "none",
					    (unsigned long long)want);
				if (fits)
					model_set(&mm, want, pages, (int)type);
				check_against_model_at(&mm, &m, seed, step, "alloc");
				break;
			}
			case 1: {
				bool ok = model_all(&mm, base, pages, true);
				rc = memmap_alloc_at(&m, base, pages, type);
				assert_int_equal(rc, ok ? MEMMAP_OK : MEMMAP_ENOTFOUND);
				if (ok)
					model_set(&mm, base, pages, (int)type);
				check_against_model_at(&mm, &m, seed, step, "alloc_at");
				break;
			}
			case 2:
			case 3: {
				/* Free something allocated most of the time. */
				for (int t = 0; t < 20 && !model_all(&mm, base, pages, false);
				     t++) {
					base = rng_addr() & ~(PAGE_SIZE - 1);
					pages = 1 + rng_below(8);
				}
				bool ok = model_all(&mm, base, pages, false);
				rc = memmap_free(&m, base, pages);
				assert_int_equal(rc, ok ? MEMMAP_OK : MEMMAP_ENOTFOUND);
				if (ok)
					model_set(&mm, base, pages, MEM_FREE);
				check_against_model_at(&mm, &m, seed, step, "free");
				break;
			}
			default:
				if (base + (pages << PAGE_SHIFT) > MODEL_END)
					pages = (MODEL_END - base) >> PAGE_SHIFT;
				type = (uint32_t)rng_below(MEM_TYPE_COUNT);
				assert_int_equal(memmap_set(&m, base, pages, type), MEMMAP_OK);
				model_set(&mm, base, pages, (int)type);
				check_against_model_at(&mm, &m, seed, step, "set");
				break;
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_e820_unsorted_entries_come_out_sorted_and_merged),
	    cmocka_unit_test(test_e820_reserved_beats_ram_in_every_order),
	    cmocka_unit_test(test_e820_acpi_and_nvs_beat_ram),
	    cmocka_unit_test(test_e820_pmem_unusable_and_unknown_types_beat_ram),
	    cmocka_unit_test(test_e820_unaligned_ram_shrinks_inward),
	    cmocka_unit_test(test_e820_unaligned_reserved_grows_outward),
	    cmocka_unit_test(test_e820_ram_within_one_page_vanishes),
	    cmocka_unit_test(test_e820_zero_size_entries_are_ignored),
	    cmocka_unit_test(test_e820_entries_wrapping_past_2_64_are_clamped),
	    cmocka_unit_test(test_e820_ram_bytes_counts_overlapping_ram_once),
	    cmocka_unit_test(test_e820_full_table_returns_efull),
	    cmocka_unit_test(test_set_splits_a_range_in_three),
	    cmocka_unit_test(test_set_merges_equal_neighbours),
	    cmocka_unit_test(test_set_over_several_ranges_and_gaps),
	    cmocka_unit_test(test_set_rejects_bad_arguments),
	    cmocka_unit_test(test_set_on_full_table_changes_nothing),
	    cmocka_unit_test(test_alloc_takes_the_highest_free_pages),
	    cmocka_unit_test(test_alloc_honours_2mib_alignment),
	    cmocka_unit_test(test_alloc_honours_max_end),
	    cmocka_unit_test(test_alloc_honours_min_base),
	    cmocka_unit_test(test_alloc_skips_memory_that_is_not_free),
	    cmocka_unit_test(test_alloc_exhaustion_leaves_the_map_unchanged),
	    cmocka_unit_test(test_alloc_rejects_bad_arguments),
	    cmocka_unit_test(test_alloc_on_full_table_returns_efull_and_changes_nothing),
	    cmocka_unit_test(test_alloc_at_takes_free_pages),
	    cmocka_unit_test(test_alloc_at_refuses_pages_that_are_not_free),
	    cmocka_unit_test(test_free_merges_back_with_its_neighbours),
	    cmocka_unit_test(test_free_of_part_of_an_allocation_splits_it),
	    cmocka_unit_test(test_free_refuses_memory_that_is_not_allocated),
	    cmocka_unit_test(test_free_of_acpi_reclaim_memory_is_allowed),
	    cmocka_unit_test(test_queries),
	    cmocka_unit_test(test_random_operations_match_the_page_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
