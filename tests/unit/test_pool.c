/* Host tests for platform/pool.c, over a memory map whose one RAM range is a
 * real host buffer, so the blocks it returns can be written and read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <memmap.h>
#include <pool.h>
#include "memmap_check.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define CAP 64
#define HDR 16 /* the pool's block header; blocks never start in another's */

struct fixture {
	uint8_t *mem;
	size_t size;
	struct mem_range st[CAP];
	struct memmap m;
	struct pool p;
};

/* A pool over 'size' bytes of host heap, added as one e820 RAM entry. */
static struct fixture *fixture_new(size_t size)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->mem = aligned_alloc(PAGE_SIZE, size);
	assert_non_null(f->mem);
	f->size = size;
	assert_true((uintptr_t)f->mem >= MIB); /* pool.c takes nothing below 1 MiB */
	struct e820_entry e = {(uintptr_t)f->mem, size, E820_RAM};
	memmap_init(&f->m, f->st, CAP);
	assert_int_equal(memmap_add_e820(&f->m, &e, 1), MEMMAP_OK);
	pool_init(&f->p, &f->m);
	return f;
}

static void fixture_free(struct fixture *f)
{
	free(f->mem);
	free(f);
}

static int setup_8mib(void **state)
{
	*state = fixture_new(8 * MIB);
	return 0;
}

static int teardown(void **state)
{
	fixture_free(*state);
	return 0;
}

static bool inside(const struct fixture *f, const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)f->mem;
	return a >= lo + HDR && a + len <= lo + f->size;
}

struct block {
	uint8_t *p;
	size_t size;
	uint32_t type;
};

static int by_address(const void *a, const void *b)
{
	const struct block *x = a, *y = b;
	return x->p < y->p ? -1 : x->p > y->p;
}

/* No two blocks (with their headers) overlap. */
static void assert_disjoint(struct block *b, size_t n)
{
	qsort(b, n, sizeof(b[0]), by_address);
	for (size_t i = 1; i < n; i++)
		if (b[i - 1].p + b[i - 1].size > b[i].p - HDR)
			fail_msg("block %p+%zu overlaps %p's header", (void *)b[i - 1].p,
				 b[i - 1].size, (void *)b[i].p);
}

static void assert_map_ok(const struct memmap *m)
{
	const char *why = memmap_broken(m);
	if (why)
		fail_msg("memory map invariant broken: %s", why);
}

static const size_t small_sizes[] = {0,	   1,	 15,   16,   17,   31,	 32,   33,   48,
				     63,   64,	 100,  127,  128,  200,	 255,  256,  500,
				     1000, 1024, 2000, 2047, 2048, 3000, 4000, 4079, 4080};
#define N_SMALL (sizeof(small_sizes) / sizeof(small_sizes[0]))

static void test_small_blocks_are_aligned_disjoint_and_writable(void **state)
{
	struct fixture *f = *state;
	struct block b[3 * N_SMALL];
	size_t n = 0;

	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < N_SMALL; i++, n++) {
			b[n] = (struct block){pool_alloc(&f->p, small_sizes[i], MEM_BS_DATA),
					      small_sizes[i], MEM_BS_DATA};
			assert_non_null(b[n].p);
			assert_int_equal((uintptr_t)b[n].p & 15, 0);
			assert_true(inside(f, b[n].p, b[n].size));
			memset(b[n].p, (int)(n + 1), b[n].size);
		}
	}
	/* Every block still holds what was written into it. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < b[i].size; j++)
			if (b[i].p[j] != (uint8_t)(i + 1))
				fail_msg("block %zu (%zu bytes) overwritten at %zu", i, b[i].size,
					 j);
	assert_disjoint(b, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pool_free(&f->p, b[i].p), 0);
	assert_map_ok(&f->m);
}

static void test_freed_small_blocks_are_reused(void **state)
{
	struct fixture *f = *state;
	void *b[200];

	void *p = pool_alloc(&f->p, 100, MEM_LOADER_DATA);
	assert_non_null(p);
	assert_int_equal(pool_free(&f->p, p), 0);
	assert_ptr_equal(pool_alloc(&f->p, 100, MEM_LOADER_DATA), p);
	assert_int_equal(pool_free(&f->p, p), 0);

	/* A second round of the same allocations takes no new pages. */
	for (int i = 0; i < 200; i++)
		assert_non_null(b[i] = pool_alloc(&f->p, 200, MEM_LOADER_DATA));
	uint64_t free_after_first = memmap_bytes_of(&f->m, MEM_FREE);
	for (int i = 0; i < 200; i++)
		assert_int_equal(pool_free(&f->p, b[i]), 0);
	for (int i = 0; i < 200; i++)
		assert_non_null(b[i] = pool_alloc(&f->p, 200, MEM_LOADER_DATA));
	assert_int_equal(memmap_bytes_of(&f->m, MEM_FREE), free_after_first);
	for (int i = 0; i < 200; i++)
		assert_int_equal(pool_free(&f->p, b[i]), 0);
}

static void test_large_blocks_come_from_pages_and_go_back(void **state)
{
	static const size_t sizes[] = {4081, 5000, 8192, 10000, 1 * MIB, 3 * MIB + 5};
	struct fixture *f = *state;
	struct block b[6];
	struct mem_range before[CAP];
	size_t count_before = f->m.count;
	uint64_t free_before = memmap_bytes_of(&f->m, MEM_FREE);

	memcpy(before, f->m.r, f->m.count * sizeof(before[0]));
	for (size_t i = 0; i < 6; i++) {
		uint64_t free_now = memmap_bytes_of(&f->m, MEM_FREE);
		uint64_t pages = (sizes[i] + HDR + PAGE_SIZE - 1) / PAGE_SIZE;
		b[i] =
		    (struct block){pool_alloc(&f->p, sizes[i], MEM_RT_DATA), sizes[i], MEM_RT_DATA};
		assert_non_null(b[i].p);
		assert_int_equal((uintptr_t)b[i].p & 15, 0);
		assert_true(inside(f, b[i].p, b[i].size));
		assert_int_equal(free_now - memmap_bytes_of(&f->m, MEM_FREE), pages * PAGE_SIZE);
		assert_int_equal(memmap_type_at(&f->m, (uintptr_t)b[i].p), MEM_RT_DATA);
		assert_int_equal(memmap_type_at(&f->m, (uintptr_t)b[i].p + b[i].size - 1),
				 MEM_RT_DATA);
		memset(b[i].p, 0xa5, b[i].size);
		assert_map_ok(&f->m);
	}
	assert_disjoint(b, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(pool_free(&f->p, b[i].p), 0);
	/* Every page is back, merged into the range it came from. */
	assert_int_equal(memmap_bytes_of(&f->m, MEM_FREE), free_before);
	assert_int_equal(f->m.count, count_before);
	assert_memory_equal(f->m.r, before, count_before * sizeof(before[0]));
}

static void test_double_free_is_refused(void **state)
{
	struct fixture *f = *state;

	void *s = pool_alloc(&f->p, 40, MEM_BS_DATA);
	void *l = pool_alloc(&f->p, 20000, MEM_BS_DATA);
	assert_non_null(s);
	assert_non_null(l);
	assert_int_equal(pool_free(&f->p, s), 0);
	assert_int_equal(pool_free(&f->p, s), -1);
	assert_int_equal(pool_free(&f->p, l), 0);
	uint64_t free_now = memmap_bytes_of(&f->m, MEM_FREE);
	assert_int_equal(pool_free(&f->p, l), -1);
	assert_int_equal(memmap_bytes_of(&f->m, MEM_FREE), free_now);
	/* Had the second free gone through, s would be handed out twice. */
	void *a = pool_alloc(&f->p, 40, MEM_BS_DATA);
	void *b = pool_alloc(&f->p, 40, MEM_BS_DATA);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_map_ok(&f->m);
}

static void test_stray_pointers_are_refused(void **state)
{
	struct fixture *f = *state;
	static _Alignas(16) uint8_t elsewhere[64];

	uint8_t *p = pool_alloc(&f->p, 200, MEM_BS_DATA);
	assert_non_null(p);
	memset(p, 0, 200);
	assert_int_equal(pool_free(&f->p, NULL), -1);
	assert_int_equal(pool_free(&f->p, p + 1), -1);	/* misaligned */
	assert_int_equal(pool_free(&f->p, p + 8), -1);	/* misaligned */
	assert_int_equal(pool_free(&f->p, p + 32), -1); /* inside the block */
	assert_int_equal(pool_free(&f->p, elsewhere + 16), -1);
	/* The block itself is still live and frees once. */
	assert_int_equal(pool_free(&f->p, p), 0);
	assert_int_equal(pool_free(&f->p, p), -1);
}

static void test_blocks_of_different_types_never_share_a_page(void **state)
{
	static const uint32_t types[] = {MEM_LOADER_DATA,  MEM_BS_DATA, MEM_RT_DATA,
					 MEM_ACPI_RECLAIM, MEM_BS_CODE, MEM_LOADER_CODE};
	static const size_t sizes[] = {24, 100, 1000, 4000, 6000, 16};
	struct fixture *f = *state;
	struct block b[6 * 6 * 4];
	size_t n = 0;

	for (int round = 0; round < 4; round++)
		for (size_t s = 0; s < 6; s++)
			for (size_t t = 0; t < 6; t++, n++) {
				b[n] = (struct block){pool_alloc(&f->p, sizes[s], types[t]),
						      sizes[s], types[t]};
				assert_non_null(b[n].p);
				/* Header and last byte lie in pages of the block's type. */
				assert_int_equal(memmap_type_at(&f->m, (uintptr_t)b[n].p - HDR),
						 types[t]);
				assert_int_equal(
				    memmap_type_at(&f->m, (uintptr_t)b[n].p + sizes[s] - 1),
				    types[t]);
			}
	for (size_t i = 0; i < n; i++) {
		uintptr_t i_lo = ((uintptr_t)b[i].p - HDR) / PAGE_SIZE;
		uintptr_t i_hi = ((uintptr_t)b[i].p + b[i].size - 1) / PAGE_SIZE;
		for (size_t j = 0; j < n; j++) {
			uintptr_t j_lo = ((uintptr_t)b[j].p - HDR) / PAGE_SIZE;
			uintptr_t j_hi = ((uintptr_t)b[j].p + b[j].size - 1) / PAGE_SIZE;
			if (b[i].type != b[j].type && i_lo <= j_hi && j_lo <= i_hi)
				fail_msg("%s block %p and %s block %p share a page",
					 memmap_type_name(b[i].type), (void *)b[i].p,
					 memmap_type_name(b[j].type), (void *)b[j].p);
		}
	}
	assert_disjoint(b, n);
	assert_map_ok(&f->m);
}

static void test_bad_types_and_sizes_are_refused(void **state)
{
	struct fixture *f = *state;
	struct mem_range before[CAP];
	size_t count = f->m.count;

	memcpy(before, f->m.r, count * sizeof(before[0]));
	assert_null(pool_alloc(&f->p, 100, MEM_FREE));
	assert_null(pool_alloc(&f->p, 100, MEM_TYPE_COUNT));
	assert_null(pool_alloc(&f->p, 100, 0x80000000u));
	assert_null(pool_alloc(&f->p, SIZE_MAX, MEM_BS_DATA));
	assert_null(pool_alloc(&f->p, SIZE_MAX - HDR + 1, MEM_BS_DATA));
	assert_null(pool_alloc(&f->p, SIZE_MAX - PAGE_SIZE, MEM_BS_DATA));
	assert_null(pool_alloc(&f->p, 9 * MIB, MEM_BS_DATA)); /* more than there is */
	assert_int_equal(f->m.count, count);
	assert_memory_equal(f->m.r, before, count * sizeof(before[0]));
}

static void test_exhaustion_returns_null_and_recovers(void **state)
{
	struct fixture *f = fixture_new(64 * 1024);
	void *b[1024];
	size_t n = 0;

	while (n < 1024 && (b[n] = pool_alloc(&f->p, 100, MEM_BS_DATA)))
		n++;
	/* 116-byte blocks take 128 bytes: at most 512 fit in 64 KiB, and at
	 * least half of the memory must end up in blocks. */
	assert_true(n >= 256 && n <= 512);
	if (memmap_bytes_of(&f->m, MEM_FREE) == 0)
		assert_null(pool_alloc(&f->p, 10, MEM_RT_DATA));
	assert_null(pool_alloc(&f->p, 64 * 1024, MEM_BS_DATA));
	assert_int_equal(pool_free(&f->p, b[7]), 0);
	assert_ptr_equal(pool_alloc(&f->p, 100, MEM_BS_DATA), b[7]);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pool_free(&f->p, b[i]), 0);
	assert_map_ok(&f->m);
	fixture_free(f);
}

static void test_pool_prefers_memory_below_4gib(void **state)
{
	void *low = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	uint8_t *high = aligned_alloc(PAGE_SIZE, 2 * MIB);

	if (low == MAP_FAILED || (uintptr_t)high < 4 * GIB || (uintptr_t)low < MIB) {
		free(high);
		if (low != MAP_FAILED)
			munmap(low, 2 * MIB);
		skip(); /* the host gives no memory on both sides of 4 GiB */
	}
	struct mem_range st[CAP];
	struct memmap m;
	struct pool p;
	struct e820_entry e[] = {
	    {(uintptr_t)low, 2 * MIB, E820_RAM},
	    {(uintptr_t)high, 2 * MIB, E820_RAM},
	};
	memmap_init(&m, st, CAP);
	assert_int_equal(memmap_add_e820(&m, e, 2), MEMMAP_OK);
	pool_init(&p, &m);

	uint8_t *s = pool_alloc(&p, 64, MEM_BS_DATA);
	uint8_t *l = pool_alloc(&p, 64 * 1024, MEM_BS_DATA);
	assert_non_null(s);
	assert_non_null(l);
	assert_true((uintptr_t)s < 4 * GIB);
	assert_true((uintptr_t)l < 4 * GIB);
	/* What no longer fits below 4 GiB comes from above. */
	uint8_t *h = pool_alloc(&p, 2 * MIB - 64 * 1024, MEM_BS_DATA);
	assert_non_null(h);
	assert_true(h >= high && h + 2 * MIB - 64 * 1024 <= high + 2 * MIB);
	munmap(low, 2 * MIB);
	free(high);
}

/* Memory types pool_alloc accepts must free too. UEFI 2.10 s.7.2
 * AllocatePool takes EfiACPIMemoryNVS (and every type but conventional
 * and persistent memory), and FreePool must give such a block back.
 * Was a bug: pool_free of a large (> 4080 bytes) block of type MEM_ACPI_NVS
 * returns -1: memmap_free refuses ACPI NVS (and reserved, unusable, MMIO,
 * PAL, pmem) pages, pool_free has already cleared the magic, and the pages
 * stay allocated for ever. Fixed; kept as a regression test. */
static void test_large_blocks_of_every_allocatable_type_free(void **state)
{
	struct fixture *f = *state;
	uint64_t free_before = memmap_bytes_of(&f->m, MEM_FREE);

	void *p = pool_alloc(&f->p, 8192, MEM_ACPI_NVS);
	assert_non_null(p);
	assert_int_equal(memmap_type_at(&f->m, (uintptr_t)p), MEM_ACPI_NVS);
	assert_int_equal(pool_free(&f->p, p), 0);
	assert_int_equal(memmap_bytes_of(&f->m, MEM_FREE), free_before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_small_blocks_are_aligned_disjoint_and_writable,
					    setup_8mib, teardown),
	    cmocka_unit_test_setup_teardown(test_freed_small_blocks_are_reused, setup_8mib,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_large_blocks_come_from_pages_and_go_back,
					    setup_8mib, teardown),
	    cmocka_unit_test_setup_teardown(test_double_free_is_refused, setup_8mib, teardown),
	    cmocka_unit_test_setup_teardown(test_stray_pointers_are_refused, setup_8mib, teardown),
	    cmocka_unit_test_setup_teardown(test_blocks_of_different_types_never_share_a_page,
					    setup_8mib, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_types_and_sizes_are_refused, setup_8mib,
					    teardown),
	    cmocka_unit_test(test_exhaustion_returns_null_and_recovers),
	    cmocka_unit_test(test_pool_prefers_memory_below_4gib),
	    cmocka_unit_test_setup_teardown(test_large_blocks_of_every_allocatable_type_free,
					    setup_8mib, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
