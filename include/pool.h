/* Pool allocator over the memory map (platform/pool.c): small blocks for
 * UEFI AllocatePool and the firmware's own structures. Pure code; blocks
 * are 16-byte aligned and tagged with their memory type. */
#ifndef WB_POOL_H
#define WB_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <memmap.h>

#define POOL_CLASSES 8 /* 32 B .. 4 KiB blocks, header included */

struct pool {
	struct memmap *map;
	void *free[MEM_TYPE_COUNT][POOL_CLASSES];
};

void pool_init(struct pool *p, struct memmap *map);

/* A block of at least size bytes of memory type 'type', or NULL. */
void *pool_alloc(struct pool *p, size_t size, uint32_t type);

/* Free a block from pool_alloc. Returns 0, or -1 if ptr is not a live
 * pool block (double free, stray pointer). */
int pool_free(struct pool *p, void *ptr);

#endif
