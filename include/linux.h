/* Boot a Linux bzImage (boot/linux.c). */
#ifndef WB_LINUX_H
#define WB_LINUX_H

#include <stddef.h>
#include <stdint.h>
#include <fetch.h>

/* Place kernel, initrds (concatenated, each padded to 4 bytes), command line
 * and boot_params, reset every device, and jump to the 64-bit entry. Does
 * not return on success; -1 after one log line naming the reason, with
 * everything it allocated given back. The kernel and initrds stay the
 * caller's: read, never freed. */
int linux_boot(const char *name, const struct fetched *kernel, const struct fetched *initrds,
	       size_t n, const char *cmdline);

/* Initrds as one buffer, each padded to 4 bytes as cpio concatenation
 * needs: pages of loader data ending at or below max_end, *size bytes
 * (free them with memmap_free of memmap_pages(*size), at least one page).
 * NULL when memory is short. */
uint8_t *linux_initrd_concat(const struct fetched *in, size_t n, uint64_t max_end, uint64_t *size);

/* True if the buffer starts like a bzImage (payload detection's probe). */
bool linux_is_bzimage(const uint8_t *p, size_t len);

#endif
