/* The firmware's memory (platform/sysmem.c): the system memory map and pool,
 * built from boot info. Every allocation in the firmware goes through here. */
#ifndef WB_SYSMEM_H
#define WB_SYSMEM_H

#include <stddef.h>
#include <stdint.h>
#include <bootinfo.h>
#include <memmap.h>
#include <pool.h>

extern struct memmap sys_memmap;
extern struct pool sys_pool;

/* Build the map from bi's e820, reserve the legacy hole and our own image.
 * Returns 0, or -1 if no usable RAM was found. */
int sysmem_init(const struct bootinfo *bi);

/* Pages of 'type' ending at or below max_end (0: anywhere), page aligned;
 * NULL when memory is exhausted. */
void *sysmem_alloc_pages(uint64_t pages, uint32_t type, uint64_t max_end);

/* Zeroed pool memory of the firmware's own (boot services data). */
void *sysmem_zalloc(size_t size);
void sysmem_free(void *p);

/* Keep a range the VMM handed us (ACPI tables, say) out of allocations. */
void sysmem_reserve(uint64_t base, uint64_t size, uint32_t type);

/* Memory left free for the OS's own start when a download sizes itself. */
#define SYSMEM_KEEP_FOR_OS (16ULL << 20)

/* A download's buffer, grown: new pages of loader data holding need bytes,
 * the used bytes of old copied over and old's *cap bytes freed; *cap gets
 * the new capacity. NULL when memory is short (old is kept then). The
 * transports' grow callback (ctx unused). */
uint8_t *sysmem_grow_pages(void *ctx, uint8_t *old, uint64_t used, uint64_t need, uint64_t *cap);

/* The largest free range less keep bytes: the biggest file that fits. */
uint64_t sysmem_largest_free(uint64_t keep);

#endif
