/* Identity page tables built from the memory map. */
#include <string.h>
#include <compiler.h>
#include <io.h>
#include <log.h>
#include <sysmem.h>
#include <paging.h>

#define PTE_P 0x001ULL
#define PTE_W 0x002ULL
#define PTE_PS 0x080ULL
#define PTE_ADDR 0x000ffffffffff000ULL

#define GIB (1ULL << 30)
#define MIB2 (1ULL << 21)

static uint64_t *pml4;
static int has_1g;

int paging_has_1g(void)
{
	return has_1g;
}

static uint64_t *new_table(void)
{
	uint64_t *t = sysmem_alloc_pages(1, MEM_BS_DATA, 0);

	if (t)
		memset(t, 0, PAGE_SIZE);
	return t;
}

/* Next-level table under entry e, created if missing. */
static uint64_t *table_at(uint64_t *e)
{
	if (*e & PTE_P)
		return (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	uint64_t *t = new_table();
	if (t)
		*e = (uintptr_t)t | PTE_P | PTE_W;
	return t;
}

/* Map the 1 GiB-aligned gigabyte at gb, with one 1 GiB page or 512 2 MiB pages. */
static int map_gib(uint64_t gb)
{
	uint64_t *pdpt = table_at(&pml4[(gb >> 39) & 511]);
	if (!pdpt)
		return -1;
	uint64_t *e = &pdpt[(gb >> 30) & 511];
	if (*e & PTE_P)
		return 0;
	if (has_1g) {
		*e = gb | PTE_P | PTE_W | PTE_PS;
		return 0;
	}
	uint64_t *pd = table_at(e);
	if (!pd)
		return -1;
	for (int i = 0; i < 512; i++)
		pd[i] = (gb + i * MIB2) | PTE_P | PTE_W | PTE_PS;
	return 0;
}

int paging_map(uint64_t base, uint64_t size)
{
	if (!pml4 || !size)
		return pml4 ? 0 : -1;
	uint64_t end = base + size;
	if (end < base || end > (1ULL << 47))
		return -1;
	for (uint64_t gb = base & ~(GIB - 1); gb < end; gb += GIB)
		if (map_gib(gb))
			return -1;
	barrier();
	write_cr3(read_cr3()); /* flush */
	return 0;
}

/* Make the 4 KiB page at addr not present, splitting the 1 GiB and 2 MiB
 * pages around it into smaller ones. 0 or -1. */
static int unmap_4k(uint64_t addr)
{
	uint64_t *pdpt = table_at(&pml4[(addr >> 39) & 511]);
	if (!pdpt)
		return -1;
	uint64_t *e = &pdpt[(addr >> 30) & 511];
	if ((*e & PTE_P) && (*e & PTE_PS)) {
		uint64_t gb = *e & ~(GIB - 1) & PTE_ADDR;
		uint64_t *pd = new_table();
		if (!pd)
			return -1;
		for (int i = 0; i < 512; i++)
			pd[i] = (gb + i * MIB2) | PTE_P | PTE_W | PTE_PS;
		*e = (uintptr_t)pd | PTE_P | PTE_W;
	}
	uint64_t *pd = table_at(e);
	if (!pd)
		return -1;
	e = &pd[(addr >> 21) & 511];
	if ((*e & PTE_P) && (*e & PTE_PS)) {
		uint64_t base = *e & ~(MIB2 - 1) & PTE_ADDR;
		uint64_t *pt = new_table();
		if (!pt)
			return -1;
		for (int i = 0; i < 512; i++)
			pt[i] = (base + i * PAGE_SIZE) | PTE_P | PTE_W;
		*e = (uintptr_t)pt | PTE_P | PTE_W;
	}
	uint64_t *pt = table_at(e);
	if (!pt)
		return -1;
	pt[(addr >> 12) & 511] = 0;
	return 0;
}

extern char boot_stack_guard[];

int paging_init(void)
{
	uint32_t a, b, c, d;

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		has_1g = (d >> 26) & 1;
	}
	uint64_t *root = new_table();
	if (!root) {
		log_error("paging: no memory for page tables; keeping the 4 GiB boot map");
		return -1;
	}
	pml4 = root;
	uint64_t end = memmap_ram_end(&sys_memmap);
	if (end < (4ULL << 30))
		end = 4ULL << 30;
	for (uint64_t gb = 0; gb < end; gb += GIB) {
		if (map_gib(gb)) {
			log_error("paging: out of memory mapping %#llx; keeping the boot map",
				  (unsigned long long)gb);
			pml4 = NULL;
			return -1;
		}
	}
	if (unmap_4k((uintptr_t)boot_stack_guard))
		log_warn("paging: no memory to split pages; the boot stack has no guard page");
	write_cr3((uintptr_t)pml4);
	log_debug("paging: identity map 0-%#llx with %s pages, stack guard at %p",
		  (unsigned long long)end, has_1g ? "1 GiB" : "2 MiB", (void *)boot_stack_guard);
	return 0;
}
