/* Linux bzImage header and boot_params (boot/bzimage.c): pure parsing and
 * building, host-tested and fuzzed. Linux boot protocol, Documentation/
 * arch/x86/boot.rst; wireboot needs 2.06+ and a 64-bit entry (2.12+
 * XLF_KERNEL_64). */
#ifndef WB_BZIMAGE_H
#define WB_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <memmap.h>

#define BZ_MIN_VERSION 0x0206
#define XLF_KERNEL_64 (1u << 0)
#define XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)
#define BOOT_PARAMS_SIZE 4096
#define BZ_E820_MAX 128

struct bzimage_info {
	uint16_t version;
	uint32_t setup_size;  /* bytes before the protected-mode kernel */
	uint64_t kernel_size; /* protected-mode kernel bytes in the file */
	uint32_t init_size;   /* memory the kernel needs from its load address */
	uint64_t alignment;
	uint64_t pref_address;
	bool relocatable;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size; /* longest command line, without the NUL */
	uint16_t xloadflags;
	size_t hdr_end; /* end of the setup header, to copy into boot_params */
};

enum {
	BZ_E_SHORT = -1,      /* too short for a setup header */
	BZ_E_NOT_BZIMAGE = -2, /* no 0xAA55 / "HdrS" */
	BZ_E_TOO_OLD = -3,    /* boot protocol before 2.06 */
	BZ_E_NOT_64 = -4,     /* no 64-bit entry point (XLF_KERNEL_64) */
	BZ_E_BAD_SIZES = -5,  /* setup or kernel sizes do not fit the file */
	BZ_E_BAD_ALIGN = -6,  /* kernel_alignment not a power of two, or huge */
};

/* Validate a bzImage in img[0..len) and describe it. 0 or BZ_E_*. */
int bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *out);
const char *bzimage_strerror(int err);

/* The e820 view of the memory map for Linux: boot services and loader
 * memory become RAM (the OS owns them after the jump), adjacent entries of
 * one type merged. Returns the number written (at most max); *dropped
 * counts entries that did not fit. */
size_t bzimage_e820(const struct memmap *m, struct e820_entry *out, size_t max, size_t *dropped);

/* Fill boot_params (4096 bytes, zeroed here) from the image's setup header
 * and the given addresses. */
struct bzimage_load {
	uint64_t cmdline, ramdisk, ramdisk_size, rsdp;
	const struct e820_entry *e820;
	size_t e820_count;
};
void bzimage_boot_params(uint8_t *bp, const uint8_t *img, const struct bzimage_info *info,
			 const struct bzimage_load *ld);

#endif
