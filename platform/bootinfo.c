/* Boot info from PVH hvm_start_info or, on the reset-vector path, fw_cfg. */
#include <string.h>
#include <bootinfo.h>
#include <fw_cfg.h>
#include <io.h>
#include <log.h>

/* Xen public/arch-x86/hvm/start_info.h */
#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

/* Everything from the loader lives below 4 GiB: a pointer above it is a lie. */
static int paddr_ok(uint64_t p, uint64_t len)
{
	return p && p < (1ULL << 32) && len <= (1ULL << 32) - p;
}

static void copy_cmdline(struct bootinfo *bi, uint64_t paddr)
{
	if (!paddr_ok(paddr, 1))
		return;
	const char *s = (const char *)(uintptr_t)paddr;
	size_t n = strnlen(s, BOOTINFO_CMDLINE_MAX);
	if (n == BOOTINFO_CMDLINE_MAX) {
		log_warn("bootinfo: command line longer than %d bytes; truncated",
			 BOOTINFO_CMDLINE_MAX - 1);
		n--;
	}
	memcpy(bi->cmdline, s, n);
	bi->cmdline[n] = '\0';
}

/* etc/e820 from fw_cfg: packed {u64 addr, u64 size, u32 type} entries. */
static int e820_from_fw_cfg(struct bootinfo *bi)
{
	uint16_t sel;
	uint32_t size;

	if (fw_cfg_find("etc/e820", &sel, &size) || size < sizeof(struct e820_entry))
		return -1;
	size_t n = size / sizeof(struct e820_entry);
	if (n > BOOTINFO_E820_MAX) {
		log_warn("bootinfo: fw_cfg etc/e820 has %zu entries; using the first %d", n,
			 BOOTINFO_E820_MAX);
		n = BOOTINFO_E820_MAX;
	}
	fw_cfg_read(sel, bi->e820, (uint32_t)(n * sizeof(struct e820_entry)));
	bi->e820_count = n;
	bi->e820_source = "fw_cfg etc/e820";
	return 0;
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

/* Last resort: the RAM sizes QEMU-like VMMs keep in CMOS. */
static int e820_from_cmos(struct bootinfo *bi)
{
	uint64_t above16m = ((uint64_t)cmos_read(0x35) << 8 | cmos_read(0x34)) << 16;
	uint64_t above4g = ((uint64_t)cmos_read(0x5d) << 16 | (uint64_t)cmos_read(0x5c) << 8 |
			    cmos_read(0x5b)) << 16;
	if (!above16m)
		return -1;
	bi->e820[0] = (struct e820_entry){ 0, 0x9fc00, E820_RAM };
	bi->e820[1] = (struct e820_entry){ 0x100000, 0xf00000 + above16m, E820_RAM };
	bi->e820_count = 2;
	if (above4g)
		bi->e820[bi->e820_count++] = (struct e820_entry){ 1ULL << 32, above4g, E820_RAM };
	bi->e820_source = "cmos";
	return 0;
}

static void collect_pvh(struct bootinfo *bi, uint32_t start_info)
{
	if (!paddr_ok(start_info, sizeof(struct hvm_start_info))) {
		log_error("bootinfo: PVH entry without a start info pointer (ebx=%#x)", start_info);
		return;
	}
	const struct hvm_start_info *si = (const void *)(uintptr_t)start_info;
	if (si->magic != HVM_START_MAGIC) {
		log_error("bootinfo: PVH start info at %#x has magic %#x, expected %#x; ignored",
			  start_info, si->magic, HVM_START_MAGIC);
		return;
	}
	copy_cmdline(bi, si->cmdline_paddr);
	bi->rsdp = si->rsdp_paddr;
	if (si->version < 1 || !si->memmap_entries)
		return;
	size_t n = si->memmap_entries;
	if (n > BOOTINFO_E820_MAX) {
		log_warn("bootinfo: PVH memory map has %zu entries; using the first %d", n,
			 BOOTINFO_E820_MAX);
		n = BOOTINFO_E820_MAX;
	}
	if (!paddr_ok(si->memmap_paddr, n * sizeof(struct hvm_memmap_entry))) {
		log_error("bootinfo: PVH memory map address %#llx is out of range; ignored",
			  (unsigned long long)si->memmap_paddr);
		return;
	}
	const struct hvm_memmap_entry *mm = (const void *)(uintptr_t)si->memmap_paddr;
	for (size_t i = 0; i < n; i++)
		bi->e820[i] = (struct e820_entry){ mm[i].addr, mm[i].size, mm[i].type };
	bi->e820_count = n;
	bi->e820_source = "pvh start info";
}

int bootinfo_collect(struct bootinfo *bi, uint32_t entry, uint32_t start_info)
{
	memset(bi, 0, sizeof(*bi));
	bi->entry = entry == BOOT_ENTRY_PVH ? BOOT_ENTRY_PVH : BOOT_ENTRY_ROM;
	if (bi->entry == BOOT_ENTRY_PVH)
		collect_pvh(bi, start_info);
	if (!bi->e820_count && e820_from_fw_cfg(bi) && e820_from_cmos(bi)) {
		log_error("bootinfo: no memory map (no PVH memmap, no fw_cfg etc/e820, no CMOS sizes)");
		return -1;
	}
	return 0;
}

const char *bootinfo_entry_name(enum boot_entry e)
{
	return e == BOOT_ENTRY_PVH ? "pvh" : "reset-vector";
}
