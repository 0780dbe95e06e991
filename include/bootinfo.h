/* What the VMM told us, normalized across entry points (platform/bootinfo.c). */
#ifndef WB_BOOTINFO_H
#define WB_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>
#include <memmap.h>

enum boot_entry { BOOT_ENTRY_PVH = 1, BOOT_ENTRY_ROM = 2 };

#define BOOTINFO_E820_MAX 128
#define BOOTINFO_CMDLINE_MAX 2048

struct bootinfo {
	enum boot_entry entry;
	char cmdline[BOOTINFO_CMDLINE_MAX];
	uint64_t rsdp; /* 0: not given by the loader */
	struct e820_entry e820[BOOTINFO_E820_MAX];
	size_t e820_count;
	const char *e820_source;
};

/* Fill bi from the PVH start info (entry == BOOT_ENTRY_PVH) or from fw_cfg
 * (reset vector). Copies everything out of loader memory. Returns 0, or -1
 * when no memory map could be found at all. */
int bootinfo_collect(struct bootinfo *bi, uint32_t entry, uint32_t start_info);

const char *bootinfo_entry_name(enum boot_entry e);

#endif
