/* The one memory map (platform/memmap.c): every allocation in wireboot
 * comes from it, and the UEFI GetMemoryMap and Linux e820 views are
 * derived from it. Pure code over a caller-owned table, so host tests and
 * fuzz targets run it unchanged.
 *
 * The map is a sorted list of non-overlapping, page-granular ranges with
 * UEFI memory types; adjacent ranges of one type are merged.
 * Errors: functions return 0 on success or a negative MEMMAP_E* code. */
#ifndef WB_MEMMAP_H
#define WB_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096ULL
#define PAGE_SHIFT 12

/* UEFI 2.10 s.7.2 EFI_MEMORY_TYPE values. */
enum mem_type {
	MEM_RESERVED = 0,
	MEM_LOADER_CODE = 1,
	MEM_LOADER_DATA = 2,
	MEM_BS_CODE = 3,
	MEM_BS_DATA = 4,
	MEM_RT_CODE = 5,
	MEM_RT_DATA = 6,
	MEM_FREE = 7, /* EfiConventionalMemory */
	MEM_UNUSABLE = 8,
	MEM_ACPI_RECLAIM = 9,
	MEM_ACPI_NVS = 10,
	MEM_MMIO = 11,
	MEM_MMIO_PORT = 12,
	MEM_PAL_CODE = 13,
	MEM_PERSISTENT = 14,
	MEM_TYPE_COUNT
};

/* E820 types as VMMs report them. */
enum e820_type {
	E820_RAM = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,
	E820_NVS = 4,
	E820_UNUSABLE = 5,
	E820_PMEM = 7,
};

/* Pages needed to hold bytes. */
static inline uint64_t memmap_pages(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

struct mem_range {
	uint64_t base;
	uint64_t pages;
	uint32_t type;
};

struct memmap {
	struct mem_range *r;
	size_t count;
	size_t cap;
	uint64_t ram_bytes; /* RAM the VMM gave us, before any carving */
};

enum {
	MEMMAP_OK = 0,
	MEMMAP_ENOMEM = -1, /* no free range fits */
	MEMMAP_EFULL = -2,  /* the table has no room for another range */
	MEMMAP_EINVAL = -3, /* bad arguments (zero size, overflow, misaligned) */
	MEMMAP_ENOTFOUND = -4, /* the range is not (entirely) of the expected type */
};

/* Use storage[cap] for the table; the map starts empty. */
void memmap_init(struct memmap *m, struct mem_range *storage, size_t cap);

/* Normalize a VMM's e820 table (unsorted, overlapping, unaligned) into m:
 * RAM is shrunk to whole pages, other types grown to whole pages, and where
 * entries overlap the more restrictive type wins. Returns 0 or MEMMAP_EFULL. */
int memmap_add_e820(struct memmap *m, const struct e820_entry *e, size_t n);

/* Give [base, base + pages) type 'type', whatever it had before. */
int memmap_set(struct memmap *m, uint64_t base, uint64_t pages, uint32_t type);

/* Allocate 'pages' free pages of 'type', aligned to 'align' bytes (a power
 * of two, at least PAGE_SIZE), ending at or below 'max_end', as high as
 * possible and never below 'min_base'. *out gets the base. */
int memmap_alloc(struct memmap *m, uint64_t pages, uint32_t type, uint64_t align,
		 uint64_t min_base, uint64_t max_end, uint64_t *out);

/* Allocate exactly [base, base + pages), which must be free. */
int memmap_alloc_at(struct memmap *m, uint64_t base, uint64_t pages, uint32_t type);

/* Return [base, base + pages), which must be entirely allocated (not free,
 * reserved, MMIO or ACPI NVS), to free memory. */
int memmap_free(struct memmap *m, uint64_t base, uint64_t pages);

/* Return [base, base + pages), which must be entirely of 'type' (any
 * type but free), to free memory: the pool's way back for blocks of types
 * memmap_free refuses (ACPI NVS, reserved, ...). */
int memmap_free_typed(struct memmap *m, uint64_t base, uint64_t pages, uint32_t type);

/* Type of the page holding addr, or -1 if no range covers it. */
int memmap_type_at(const struct memmap *m, uint64_t addr);

/* Sum of bytes of the given type. */
uint64_t memmap_bytes_of(const struct memmap *m, uint32_t type);

/* End of the highest range that is backed by RAM (any type but reserved,
 * MMIO, unusable). */
uint64_t memmap_ram_end(const struct memmap *m);

/* Short name of a memory type, for logs. */
const char *memmap_type_name(uint32_t type);

#endif
