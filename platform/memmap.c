/* The one memory map: normalization from e820, page allocation, free. */
#include <stdbool.h>
#include <string.h>
#include <memmap.h>

void memmap_init(struct memmap *m, struct mem_range *storage, size_t cap)
{
	m->r = storage;
	m->count = 0;
	m->cap = cap;
	m->ram_bytes = 0;
}

static uint64_t range_end(const struct mem_range *r)
{
	return r->base + (r->pages << PAGE_SHIFT);
}

/* Remove entry i. */
static void remove_at(struct memmap *m, size_t i)
{
	memmove(&m->r[i], &m->r[i + 1], (m->count - i - 1) * sizeof(m->r[0]));
	m->count--;
}

/* Insert r at index i; the caller checked capacity. */
static void insert_at(struct memmap *m, size_t i, struct mem_range r)
{
	memmove(&m->r[i + 1], &m->r[i], (m->count - i) * sizeof(m->r[0]));
	m->r[i] = r;
	m->count++;
}

/* Merge entry i with equal-typed, touching neighbours. */
static void merge_around(struct memmap *m, size_t i)
{
	if (i + 1 < m->count && m->r[i + 1].type == m->r[i].type &&
	    range_end(&m->r[i]) == m->r[i + 1].base) {
		m->r[i].pages += m->r[i + 1].pages;
		remove_at(m, i + 1);
	}
	if (i > 0 && m->r[i - 1].type == m->r[i].type && range_end(&m->r[i - 1]) == m->r[i].base) {
		m->r[i - 1].pages += m->r[i].pages;
		remove_at(m, i);
	}
}

int memmap_set(struct memmap *m, uint64_t base, uint64_t pages, uint32_t type)
{
	if (!pages || (base & (PAGE_SIZE - 1)))
		return MEMMAP_EINVAL;
	uint64_t end = base + (pages << PAGE_SHIFT);
	if (end <= base || pages > (UINT64_MAX >> PAGE_SHIFT))
		return MEMMAP_EINVAL;

	/* Worst case: one range is split in two around the new one (+2). */
	if (m->count + 2 > m->cap)
		return MEMMAP_EFULL;

	size_t i = 0;
	while (i < m->count && range_end(&m->r[i]) <= base)
		i++;
	/* Split a range that starts before base and reaches past it. */
	if (i < m->count && m->r[i].base < base) {
		struct mem_range head = m->r[i];
		head.pages = (base - head.base) >> PAGE_SHIFT;
		m->r[i].pages -= head.pages;
		m->r[i].base = base;
		insert_at(m, i, head);
		i++;
	}
	/* Drop or trim ranges that overlap [base, end). */
	while (i < m->count && m->r[i].base < end) {
		if (range_end(&m->r[i]) <= end) {
			remove_at(m, i);
		} else {
			uint64_t cut = (end - m->r[i].base) >> PAGE_SHIFT;
			m->r[i].base = end;
			m->r[i].pages -= cut;
			break;
		}
	}
	insert_at(m, i, (struct mem_range){ base, pages, type });
	merge_around(m, i);
	return MEMMAP_OK;
}

/* Rank of an e820 type: a higher rank wins where entries overlap. */
static int e820_rank(uint32_t t)
{
	switch (t) {
	case E820_RAM: return 0;
	case E820_PMEM: return 1;
	case E820_ACPI: return 2;
	case E820_NVS: return 3;
	case E820_UNUSABLE: return 4;
	default: return 5; /* reserved and anything unknown */
	}
}

static uint32_t e820_to_mem(uint32_t t)
{
	switch (t) {
	case E820_RAM: return MEM_FREE;
	case E820_PMEM: return MEM_PERSISTENT;
	case E820_ACPI: return MEM_ACPI_RECLAIM;
	case E820_NVS: return MEM_ACPI_NVS;
	case E820_UNUSABLE: return MEM_UNUSABLE;
	default: return MEM_RESERVED;
	}
}

int memmap_add_e820(struct memmap *m, const struct e820_entry *e, size_t n)
{
	uint64_t free_before = memmap_bytes_of(m, MEM_FREE);

	/* Apply by rank, lowest first, so the most restrictive type ends on top
	 * whatever order the VMM listed the entries in. */
	for (int rank = 0; rank <= 5; rank++) {
		for (size_t i = 0; i < n; i++) {
			if (e820_rank(e[i].type) != rank || e[i].size == 0)
				continue;
			uint64_t start = e[i].addr;
			uint64_t end = e[i].addr + e[i].size;
			if (end < start)
				end = UINT64_MAX; /* clamp an entry that wraps */
			if (e[i].type == E820_RAM) {
				start = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
				end &= ~(PAGE_SIZE - 1);
				if (start < e[i].addr) /* rounding wrapped */
					continue;
			} else {
				start &= ~(PAGE_SIZE - 1);
				uint64_t up = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
				end = up < end ? (UINT64_MAX & ~(PAGE_SIZE - 1)) : up;
			}
			if (end <= start)
				continue;
			int rc = memmap_set(m, start, (end - start) >> PAGE_SHIFT, e820_to_mem(e[i].type));
			if (rc)
				return rc;
		}
	}
	/* RAM counted once however the entries overlapped, less what the VMM
	 * reserved on top of it. */
	m->ram_bytes += memmap_bytes_of(m, MEM_FREE) - free_before;
	return MEMMAP_OK;
}

int memmap_alloc(struct memmap *m, uint64_t pages, uint32_t type, uint64_t align,
		 uint64_t min_base, uint64_t max_end, uint64_t *out)
{
	if (!pages || pages > (UINT64_MAX >> PAGE_SHIFT) || align < PAGE_SIZE ||
	    (align & (align - 1)) || type == MEM_FREE)
		return MEMMAP_EINVAL;
	uint64_t size = pages << PAGE_SHIFT;

	for (size_t i = m->count; i-- > 0;) {
		const struct mem_range *r = &m->r[i];
		if (r->type != MEM_FREE)
			continue;
		uint64_t end = range_end(r) < max_end ? range_end(r) : max_end;
		if (end < size)
			continue;
		uint64_t base = (end - size) & ~(align - 1);
		if (base < r->base || base < min_base || end <= r->base)
			continue;
		int rc = memmap_set(m, base, pages, type);
		if (rc)
			return rc;
		*out = base;
		return MEMMAP_OK;
	}
	return MEMMAP_ENOMEM;
}

/* True if [base, end) is covered, without gaps, by ranges whose type 'ok'
 * accepts (arg is passed along). */
static bool covered_by(const struct memmap *m, uint64_t base, uint64_t end,
		       bool (*ok)(uint32_t type, uint32_t arg), uint32_t arg)
{
	uint64_t at = base;

	for (size_t i = 0; i < m->count && at < end; i++) {
		const struct mem_range *r = &m->r[i];
		if (range_end(r) <= at)
			continue;
		if (r->base > at || !ok(r->type, arg))
			return false;
		at = range_end(r);
	}
	return at >= end;
}

static bool is_free(uint32_t t, uint32_t unused)
{
	return t == MEM_FREE;
}

static bool is_type(uint32_t t, uint32_t want)
{
	return t == want;
}

static bool is_allocated(uint32_t t, uint32_t unused)
{
	return t == MEM_LOADER_CODE || t == MEM_LOADER_DATA || t == MEM_BS_CODE ||
	       t == MEM_BS_DATA || t == MEM_RT_CODE || t == MEM_RT_DATA || t == MEM_ACPI_RECLAIM;
}

static int check_range(uint64_t base, uint64_t pages, uint64_t *end)
{
	if (!pages || (base & (PAGE_SIZE - 1)) || pages > (UINT64_MAX >> PAGE_SHIFT))
		return MEMMAP_EINVAL;
	*end = base + (pages << PAGE_SHIFT);
	return *end <= base ? MEMMAP_EINVAL : MEMMAP_OK;
}

int memmap_alloc_at(struct memmap *m, uint64_t base, uint64_t pages, uint32_t type)
{
	uint64_t end;
	int rc = check_range(base, pages, &end);

	if (rc)
		return rc;
	if (type == MEM_FREE)
		return MEMMAP_EINVAL;
	if (!covered_by(m, base, end, is_free, 0))
		return MEMMAP_ENOTFOUND;
	return memmap_set(m, base, pages, type);
}

int memmap_free(struct memmap *m, uint64_t base, uint64_t pages)
{
	uint64_t end;
	int rc = check_range(base, pages, &end);

	if (rc)
		return rc;
	if (!covered_by(m, base, end, is_allocated, 0))
		return MEMMAP_ENOTFOUND;
	return memmap_set(m, base, pages, MEM_FREE);
}

int memmap_free_typed(struct memmap *m, uint64_t base, uint64_t pages, uint32_t type)
{
	uint64_t end;
	int rc = check_range(base, pages, &end);

	if (rc)
		return rc;
	if (type == MEM_FREE)
		return MEMMAP_EINVAL;
	if (!covered_by(m, base, end, is_type, type))
		return MEMMAP_ENOTFOUND;
	return memmap_set(m, base, pages, MEM_FREE);
}

int memmap_type_at(const struct memmap *m, uint64_t addr)
{
	for (size_t i = 0; i < m->count; i++)
		if (addr >= m->r[i].base && addr < range_end(&m->r[i]))
			return (int)m->r[i].type;
	return -1;
}

uint64_t memmap_bytes_of(const struct memmap *m, uint32_t type)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->count; i++)
		if (m->r[i].type == type)
			sum += m->r[i].pages << PAGE_SHIFT;
	return sum;
}

uint64_t memmap_ram_end(const struct memmap *m)
{
	for (size_t i = m->count; i-- > 0;) {
		uint32_t t = m->r[i].type;
		if (t != MEM_RESERVED && t != MEM_MMIO && t != MEM_MMIO_PORT && t != MEM_UNUSABLE)
			return range_end(&m->r[i]);
	}
	return 0;
}

const char *memmap_type_name(uint32_t type)
{
	static const char *const names[MEM_TYPE_COUNT] = {
		"reserved", "loader-code", "loader-data", "bs-code", "bs-data",
		"rt-code", "rt-data", "free", "unusable", "acpi", "acpi-nvs",
		"mmio", "mmio-port", "pal", "pmem",
	};
	return type < MEM_TYPE_COUNT ? names[type] : "unknown";
}
