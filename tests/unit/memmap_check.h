/* Checks for platform/memmap.c shared by the unit tests and the fuzz
 * target: the map's invariants, and a page-by-page model of the map over a
 * small window of the address space -- the simplest thing that can be
 * right -- to compare memmap.c against. Header-only: each test program
 * includes it once. */
#ifndef WB_TEST_MEMMAP_CHECK_H
#define WB_TEST_MEMMAP_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <memmap.h>

/* NULL if m holds its invariants, else what is broken: ranges sorted,
 * non-overlapping, non-empty, page-aligned, not wrapping, of a known type,
 * and no two touching ranges with equal type. */
static inline const char *memmap_broken(const struct memmap *m)
{
	if (m->count > m->cap)
		return "count exceeds capacity";
	for (size_t i = 0; i < m->count; i++) {
		const struct mem_range *r = &m->r[i];
		if (r->pages == 0)
			return "empty range";
		if (r->base & (PAGE_SIZE - 1))
			return "range base not page-aligned";
		if (r->pages > (UINT64_MAX >> PAGE_SHIFT) ||
		    r->base + (r->pages << PAGE_SHIFT) <= r->base)
			return "range wraps past 2^64";
		if (r->type >= MEM_TYPE_COUNT)
			return "unknown memory type";
		if (i == 0)
			continue;
		const struct mem_range *p = &m->r[i - 1];
		uint64_t p_end = p->base + (p->pages << PAGE_SHIFT);
		if (p_end > r->base)
			return "ranges unsorted or overlapping";
		if (p_end == r->base && p->type == r->type)
			return "touching ranges of equal type not merged";
	}
	return NULL;
}

/* ---- The model: one type per page over [0, MODEL_PAGES pages) ---- */

#define MODEL_PAGES 512
#define MODEL_END   ((uint64_t)MODEL_PAGES << PAGE_SHIFT)
#define MODEL_NONE  (-1) /* no range covers the page */

struct memmap_model {
	int type[MODEL_PAGES];
	uint64_t ram_bytes;
};

static inline void model_init(struct memmap_model *mm)
{
	for (size_t i = 0; i < MODEL_PAGES; i++)
		mm->type[i] = MODEL_NONE;
	mm->ram_bytes = 0;
}

/* Rebuild the model from the map (after a partial failure). */
static inline void model_load(struct memmap_model *mm, const struct memmap *m)
{
	for (size_t i = 0; i < MODEL_PAGES; i++)
		mm->type[i] = memmap_type_at(m, (uint64_t)i << PAGE_SHIFT);
	mm->ram_bytes = m->ram_bytes;
}

static inline size_t model_count(const struct memmap_model *mm, int type)
{
	size_t n = 0;

	for (size_t i = 0; i < MODEL_PAGES; i++)
		n += mm->type[i] == type;
	return n;
}

/* The e820 types in the order they win, as the header promises:
 * anything more restrictive beats RAM; unknown types count as reserved. */
static inline int model_e820_rank(uint32_t t)
{
	switch (t) {
	case E820_RAM:
		return 0;
	case E820_PMEM:
		return 1;
	case E820_ACPI:
		return 2;
	case E820_NVS:
		return 3;
	case E820_UNUSABLE:
		return 4;
	default:
		return 5;
	}
}

static inline int model_e820_type(uint32_t t)
{
	switch (t) {
	case E820_RAM:
		return MEM_FREE;
	case E820_PMEM:
		return MEM_PERSISTENT;
	case E820_ACPI:
		return MEM_ACPI_RECLAIM;
	case E820_NVS:
		return MEM_ACPI_NVS;
	case E820_UNUSABLE:
		return MEM_UNUSABLE;
	default:
		return MEM_RESERVED;
	}
}

/* True if entry e covers page pg: RAM only for whole pages inside it,
 * other types for every page they touch. Entries must lie in the window. */
static inline bool model_e820_covers(const struct e820_entry *e, uint64_t pg)
{
	uint64_t lo = pg << PAGE_SHIFT, hi = lo + PAGE_SIZE;
	uint64_t end = e->addr + e->size;

	if (e->size == 0)
		return false;
	if (e->type == E820_RAM)
		return lo >= e->addr && hi <= end;
	return hi > e->addr && lo < end;
}

/* Apply an e820 table whose entries all lie inside the window. */
static inline void model_add_e820(struct memmap_model *mm, const struct e820_entry *e, size_t n)
{
	size_t free_before = model_count(mm, MEM_FREE);

	for (uint64_t pg = 0; pg < MODEL_PAGES; pg++) {
		int best = -1;
		for (size_t i = 0; i < n; i++)
			if (model_e820_covers(&e[i], pg) &&
			    (best < 0 ||
			     model_e820_rank(e[i].type) >= model_e820_rank(e[best].type)))
				best = (int)i;
		if (best >= 0)
			mm->type[pg] = model_e820_type(e[best].type);
	}
	mm->ram_bytes += ((uint64_t)model_count(mm, MEM_FREE) - free_before) << PAGE_SHIFT;
}

static inline void model_set(struct memmap_model *mm, uint64_t base, uint64_t pages, int type)
{
	for (uint64_t pg = base >> PAGE_SHIFT; pg < (base >> PAGE_SHIFT) + pages; pg++)
		mm->type[pg] = type;
}

static inline bool model_is_allocated(int t)
{
	return t == MEM_LOADER_CODE || t == MEM_LOADER_DATA || t == MEM_BS_CODE ||
	       t == MEM_BS_DATA || t == MEM_RT_CODE || t == MEM_RT_DATA || t == MEM_ACPI_RECLAIM;
}

/* True if every page of [base, base + pages) is in the window and free
 * (want_free) or allocated (!want_free). */
static inline bool model_all(const struct memmap_model *mm, uint64_t base, uint64_t pages,
			     bool want_free)
{
	uint64_t first = base >> PAGE_SHIFT;

	if (first >= MODEL_PAGES || pages > MODEL_PAGES - first)
		return false;
	for (uint64_t pg = first; pg < first + pages; pg++) {
		int t = mm->type[pg];
		if (want_free ? t != MEM_FREE : !model_is_allocated(t))
			return false;
	}
	return true;
}

/* Where memmap_alloc must place 'pages' pages: the highest aligned base
 * with every page free, base >= min_base and end <= max_end. */
static inline bool model_alloc_where(const struct memmap_model *mm, uint64_t pages, uint64_t align,
				     uint64_t min_base, uint64_t max_end, uint64_t *out)
{
	uint64_t size = pages << PAGE_SHIFT;
	uint64_t top = max_end < MODEL_END ? max_end : MODEL_END;

	if (pages > MODEL_PAGES || top < size)
		return false;
	for (uint64_t b = (top - size) & ~(align - 1);; b -= align) {
		if (b < min_base)
			return false;
		if (model_all(mm, b, pages, true)) {
			*out = b;
			return true;
		}
		if (b < align)
			return false;
	}
}

/* NULL if the map says exactly what the model says, page by page, and
 * holds nothing beyond the window; else what differs. */
static inline const char *model_differs(const struct memmap_model *mm, const struct memmap *m)
{
	static char why[96];
	size_t ri = 0;

	/* One walk over pages and ranges together: the fuzz target calls this
	 * after every operation. */
	for (size_t pg = 0; pg < MODEL_PAGES; pg++) {
		uint64_t addr = (uint64_t)pg << PAGE_SHIFT;
		while (ri < m->count && m->r[ri].base + (m->r[ri].pages << PAGE_SHIFT) <= addr)
			ri++;
		int t = ri < m->count && m->r[ri].base <= addr ? (int)m->r[ri].type : MODEL_NONE;
		if (t != mm->type[pg]) {
			snprintf(why, sizeof(why), "page %#zx: map says %d, model %d", pg, t,
				 mm->type[pg]);
			return why;
		}
	}
	if (m->count &&
	    m->r[m->count - 1].base + (m->r[m->count - 1].pages << PAGE_SHIFT) > MODEL_END)
		return "map holds a range beyond the model's window";
	if (m->ram_bytes != mm->ram_bytes)
		return "ram_bytes differs from the model";
	return NULL;
}

#endif
