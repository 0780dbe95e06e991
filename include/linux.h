/* Boot a Linux bzImage (boot/linux.c). */
#ifndef WB_LINUX_H
#define WB_LINUX_H

#include <stddef.h>
#include <pxe.h>

/* Place kernel, initrds (concatenated, each padded to 4 bytes), command line
 * and boot_params, reset every device, and jump to the 64-bit entry. Does
 * not return on success; -1 after one log line naming the reason (nothing
 * was changed that the boot manager cannot recover from). The kernel and
 * initrd files are the caller's to free on failure. */
int linux_boot(const char *name, struct pxe_file *kernel, struct pxe_file *initrds, size_t n,
	       const char *cmdline);

/* True if the buffer starts like a bzImage (a quick test for payload detection). */
int linux_is_bzimage(const uint8_t *p, size_t len);

#endif
