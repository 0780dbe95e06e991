/* Pool allocator: power-of-two size classes carved from 16 KiB page runs,
 * large blocks straight from pages. Memory of one type never mixes with
 * another's, so the memory map stays true for GetMemoryMap. */
#include <string.h>
#include <pool.h>

#define POOL_MAGIC_LIVE 0x6c6f6f50u /* "Pool" */
#define POOL_MAGIC_FREE 0x65657246u /* "Free" */
#define POOL_ARENA_PAGES 4
#define POOL_MIN_SHIFT 5
#define POOL_LARGE 0xffu
#define POOL_MIN_ADDR (1ULL << 20) /* as mem.c: nothing below 1 MiB */

struct pool_hdr {
	uint32_t magic;
	uint8_t type;
	uint8_t cls; /* size class, or POOL_LARGE */
	uint16_t unused;
	uint64_t pages; /* POOL_LARGE: pages of this allocation */
};

_Static_assert(sizeof(struct pool_hdr) == 16, "pool header keeps 16-byte alignment");

void pool_init(struct pool *p, struct memmap *map)
{
	memset(p, 0, sizeof(*p));
	p->map = map;
}

static size_t class_size(unsigned cls)
{
	return (size_t)1 << (cls + POOL_MIN_SHIFT);
}

/* Cut a fresh run of pages into blocks of class cls. */
static int pool_refill(struct pool *p, uint32_t type, unsigned cls)
{
	uint64_t base;

	if (memmap_alloc(p->map, POOL_ARENA_PAGES, type, PAGE_SIZE, POOL_MIN_ADDR, 1ULL << 32, &base) &&
	    memmap_alloc(p->map, POOL_ARENA_PAGES, type, PAGE_SIZE, POOL_MIN_ADDR, UINT64_MAX, &base))
		return -1;
	size_t bs = class_size(cls);
	for (size_t off = 0; off + bs <= POOL_ARENA_PAGES * PAGE_SIZE; off += bs) {
		struct pool_hdr *h = (struct pool_hdr *)(uintptr_t)(base + off);
		h->magic = POOL_MAGIC_FREE;
		h->type = (uint8_t)type;
		h->cls = (uint8_t)cls;
		*(void **)(h + 1) = p->free[type][cls];
		p->free[type][cls] = h;
	}
	return 0;
}

void *pool_alloc(struct pool *p, size_t size, uint32_t type)
{
	/* UEFI 2.10 s.7.2: any type but conventional and persistent memory. */
	if (type >= MEM_TYPE_COUNT || type == MEM_FREE || type == MEM_PERSISTENT)
		return NULL;
	size_t need = size + sizeof(struct pool_hdr);
	if (need < size)
		return NULL;

	unsigned cls = 0;
	while (cls < POOL_CLASSES && class_size(cls) < need)
		cls++;
	if (cls == POOL_CLASSES) {
		uint64_t pages = memmap_pages(need), base;
		if (need > UINT64_MAX - PAGE_SIZE)
			return NULL;
		if (memmap_alloc(p->map, pages, type, PAGE_SIZE, POOL_MIN_ADDR, 1ULL << 32, &base) &&
		    memmap_alloc(p->map, pages, type, PAGE_SIZE, POOL_MIN_ADDR, UINT64_MAX, &base))
			return NULL;
		struct pool_hdr *h = (struct pool_hdr *)(uintptr_t)base;
		*h = (struct pool_hdr){ POOL_MAGIC_LIVE, (uint8_t)type, POOL_LARGE, 0, pages };
		return h + 1;
	}
	if (!p->free[type][cls] && pool_refill(p, type, cls))
		return NULL;
	struct pool_hdr *h = p->free[type][cls];
	p->free[type][cls] = *(void **)(h + 1);
	h->magic = POOL_MAGIC_LIVE;
	return h + 1;
}

int pool_free(struct pool *p, void *ptr)
{
	if (!ptr || ((uintptr_t)ptr & 15))
		return -1;
	struct pool_hdr *h = (struct pool_hdr *)ptr - 1;
	if (h->magic != POOL_MAGIC_LIVE || h->type >= MEM_TYPE_COUNT)
		return -1;
	if (h->cls == POOL_LARGE) {
		if (memmap_free_typed(p->map, (uintptr_t)h, h->pages, h->type))
			return -1;
		h->magic = 0;
		return 0;
	}
	if (h->cls >= POOL_CLASSES)
		return -1;
	h->magic = POOL_MAGIC_FREE;
	*(void **)(h + 1) = p->free[h->type][h->cls];
	p->free[h->type][h->cls] = h;
	return 0;
}
