/* System memory map and pool, set up from the VMM's e820. */
#include <string.h>
#include <log.h>
#include <sysmem.h>

#define MEMMAP_CAP 256
/* Allocations never go below 1 MiB: real-mode structures live there and
 * page 0 must stay unmapped-looking for NULL pointer bugs. */
#define ALLOC_MIN (1ULL << 20)

extern char __image_start[], __image_end[];

static struct mem_range sys_ranges[MEMMAP_CAP];
struct memmap sys_memmap;
struct pool sys_pool;

int sysmem_init(const struct bootinfo *bi)
{
	memmap_init(&sys_memmap, sys_ranges, MEMMAP_CAP);
	if (memmap_add_e820(&sys_memmap, bi->e820, bi->e820_count))
		log_warn("mem: memory map from %s has more ranges than the %d we keep; "
			 "using the part that fit", bi->e820_source, MEMMAP_CAP);
	/* VGA window, option ROMs and the BIOS area: never RAM to us, whatever
	 * the VMM's table says (QEMU's fw_cfg e820 lists 0-640K-1M as RAM). */
	memmap_set(&sys_memmap, 0xa0000, (0x100000 - 0xa0000) >> PAGE_SHIFT, MEM_RESERVED);

	uint64_t img = (uintptr_t)__image_start;
	uint64_t img_pages = memmap_pages((uintptr_t)__image_end - img);
	if (memmap_alloc_at(&sys_memmap, img, img_pages, MEM_BS_CODE)) {
		log_warn("mem: firmware image %#llx-%#llx is not in RAM the VMM listed; "
			 "marking it used anyway", (unsigned long long)img,
			 (unsigned long long)(img + (img_pages << PAGE_SHIFT)));
		memmap_set(&sys_memmap, img, img_pages, MEM_BS_CODE);
	}
	pool_init(&sys_pool, &sys_memmap);
	if (!memmap_bytes_of(&sys_memmap, MEM_FREE)) {
		log_error("mem: no usable RAM in the memory map from %s", bi->e820_source);
		return -1;
	}
	return 0;
}

void *sysmem_alloc_pages(uint64_t pages, uint32_t type, uint64_t max_end)
{
	uint64_t base;

	if (!max_end)
		max_end = UINT64_MAX;
	/* Below 4 GiB first, as other firmware does: 32-bit DMA and loaders
	 * that keep 32-bit pointers stay happy. */
	if (max_end > (1ULL << 32) &&
	    !memmap_alloc(&sys_memmap, pages, type, PAGE_SIZE, ALLOC_MIN, 1ULL << 32, &base))
		return (void *)(uintptr_t)base;
	if (memmap_alloc(&sys_memmap, pages, type, PAGE_SIZE, ALLOC_MIN, max_end, &base))
		return NULL;
	return (void *)(uintptr_t)base;
}

void *sysmem_zalloc(size_t size)
{
	void *p = pool_alloc(&sys_pool, size, MEM_BS_DATA);

	if (p)
		memset(p, 0, size);
	return p;
}

void sysmem_free(void *p)
{
	if (p && pool_free(&sys_pool, p))
		log_error("mem: free of %p, which is not a live pool block", p);
}

void sysmem_reserve(uint64_t base, uint64_t size, uint32_t type)
{
	uint64_t start = base & ~(PAGE_SIZE - 1);
	uint64_t end = (base + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if (size && end > start)
		memmap_set(&sys_memmap, start, (end - start) >> PAGE_SHIFT, type);
}

uint8_t *sysmem_grow_pages(void *ctx, uint8_t *old, uint64_t used, uint64_t need, uint64_t *cap)
{
	uint64_t pages = memmap_pages(need);
	uint8_t *b = sysmem_alloc_pages(pages, MEM_LOADER_DATA, 0);

	if (!b)
		return NULL;
	if (old) {
		memcpy(b, old, used);
		memmap_free(&sys_memmap, (uintptr_t)old, memmap_pages(*cap));
	}
	*cap = pages * PAGE_SIZE;
	return b;
}

uint64_t sysmem_largest_free(uint64_t keep)
{
	uint64_t best = 0;

	for (size_t i = 0; i < sys_memmap.count; i++)
		if (sys_memmap.r[i].type == MEM_FREE && sys_memmap.r[i].pages << PAGE_SHIFT > best)
			best = sys_memmap.r[i].pages << PAGE_SHIFT;
	return best > keep ? best - keep : 0;
}
