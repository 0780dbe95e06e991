/* Identity paging (arch/x86_64/paging.c). */
#ifndef WB_PAGING_H
#define WB_PAGING_H

#include <stdint.h>

/* Replace the entry code's 4 GiB map with one covering all RAM in the
 * memory map and the 32-bit MMIO hole; 1 GiB pages where the CPU has them.
 * Returns 0, or -1 (the early map stays) if page tables could not be had. */
int paging_init(void);

/* Make [base, base + size) identity mapped (64-bit BARs above RAM).
 * Returns 0 or -1. */
int paging_map(uint64_t base, uint64_t size);

/* True when the CPU supports 1 GiB pages. */
int paging_has_1g(void);

#endif
