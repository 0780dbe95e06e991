/* Linux loader: bzImage -> memory -> 64-bit entry. */
#include <string.h>
#include <acpi.h>
#include <align.h>
#include <bzimage.h>
#include <clock.h>
#include <handoff.h>
#include <linux.h>
#include <log.h>
#include <sysmem.h>

void linux_jump64(uint64_t entry, uint64_t boot_params) __attribute__((noreturn));

bool linux_is_bzimage(const uint8_t *p, size_t len)
{
	return len >= 0x206 && p[0x1fe] == 0x55 && p[0x1ff] == 0xaa && !memcmp(p + 0x202, "HdrS", 4);
}

/* Where the protected-mode kernel goes: its preferred address if free,
 * else (relocatable) an aligned block below 4 GiB. 0 if neither. */
static uint64_t place_kernel(const struct bzimage_info *k)
{
	uint64_t pages = memmap_pages(k->init_size);
	uint64_t at;

	if (k->pref_address && !(k->pref_address & (PAGE_SIZE - 1)) &&
	    !memmap_alloc_at(&sys_memmap, k->pref_address, pages, MEM_LOADER_CODE))
		return k->pref_address;
	if (!k->relocatable)
		return 0;
	uint64_t align = k->alignment < PAGE_SIZE ? PAGE_SIZE : k->alignment;
	if (!memmap_alloc(&sys_memmap, pages, MEM_LOADER_CODE, align, 16ULL << 20, 1ULL << 32, &at) ||
	    !memmap_alloc(&sys_memmap, pages, MEM_LOADER_CODE, align, 1ULL << 20, UINT64_MAX, &at))
		return at;
	return 0;
}

/* One initrd in place when it already sits low enough; several are copied
 * into one buffer (*own_pages: its size, to free on failure), each padded
 * to 4 bytes as cpio concatenation needs. */
uint8_t *linux_initrd_concat(const struct fetched *in, size_t n, uint64_t max_end, uint64_t *size)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += align_up(in[i].size, 4);
	*size = total;
	uint8_t *buf = sysmem_alloc_pages(memmap_pages(total ? total : 1), MEM_LOADER_DATA, max_end);
	if (!buf)
		return NULL;
	uint64_t at = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(buf + at, in[i].data, in[i].size);
		memset(buf + at + in[i].size, 0, align_up(in[i].size, 4) - in[i].size);
		at += align_up(in[i].size, 4);
	}
	return buf;
}

static int place_initrds(const struct bzimage_info *k, const struct fetched *in, size_t n,
			 uint64_t *addr, uint64_t *size, uint64_t *own_pages)
{
	uint64_t limit = (uint64_t)k->initrd_addr_max + 1;

	*addr = *size = *own_pages = 0;
	if (!n)
		return 0;
	if (k->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G)
		limit = UINT64_MAX;
	if (n == 1 && (uintptr_t)in[0].data + in[0].size <= limit) {
		*addr = (uintptr_t)in[0].data;
		*size = in[0].size;
		return 0;
	}
	uint64_t total;
	uint8_t *buf = linux_initrd_concat(in, n, limit > (1ULL << 32) ? 1ULL << 32 : limit, &total);
	if (!buf)
		return -1;
	*addr = (uintptr_t)buf;
	*size = total;
	*own_pages = memmap_pages(total);
	return 0;
}

int linux_boot(const char *name, const struct fetched *kernel, const struct fetched *initrds,
	       size_t n, const char *cmdline)
{
	struct bzimage_info k;
	int rc = bzimage_parse(kernel->data, kernel->size, &k);

	if (rc) {
		log_error("linux: %s: %s", name, bzimage_strerror(rc));
		return -1;
	}
	uint64_t load = place_kernel(&k);
	if (!load) {
		log_error("linux: %s: no room for the kernel (%u KiB%s)", name, k.init_size >> 10,
			  k.relocatable ? "" : ", not relocatable");
		return -1;
	}
	uint64_t rd_addr, rd_size, rd_pages;
	if (place_initrds(&k, initrds, n, &rd_addr, &rd_size, &rd_pages)) {
		log_error("linux: %s: no room below %#x for the initrd", name, k.initrd_addr_max);
		memmap_free(&sys_memmap, load, memmap_pages(k.init_size));
		return -1;
	}
	size_t clen = strlen(cmdline);
	if (clen > k.cmdline_size) {
		log_warn("linux: %s: command line cut to the kernel's %u bytes", name, k.cmdline_size);
		clen = k.cmdline_size;
	}
	char *cl = sysmem_alloc_pages(memmap_pages(clen + 1), MEM_LOADER_DATA, 1ULL << 32);
	uint8_t *bp = sysmem_alloc_pages(1, MEM_LOADER_DATA, 1ULL << 32);
	static struct e820_entry e820[BZ_E820_MAX];
	if (!cl || !bp) {
		log_error("linux: %s: out of memory for boot_params", name);
		if (cl)
			memmap_free(&sys_memmap, (uintptr_t)cl, memmap_pages(clen + 1));
		if (bp)
			memmap_free(&sys_memmap, (uintptr_t)bp, 1);
		if (rd_pages)
			memmap_free(&sys_memmap, rd_addr, rd_pages);
		memmap_free(&sys_memmap, load, memmap_pages(k.init_size));
		return -1;
	}
	memcpy(cl, cmdline, clen);
	cl[clen] = '\0';
	memcpy((void *)(uintptr_t)load, kernel->data + k.setup_size, k.kernel_size);

	size_t dropped;
	size_t ne = bzimage_e820(&sys_memmap, e820, BZ_E820_MAX, &dropped);
	if (dropped)
		log_warn("linux: memory map has %zu more ranges than boot_params holds", dropped);
	for (size_t i = 0; i < ne; i++)
		log_debug("linux: e820 %#llx-%#llx type %u", (unsigned long long)e820[i].addr,
			  (unsigned long long)(e820[i].addr + e820[i].size - 1), e820[i].type);
	struct bzimage_load ld = { (uintptr_t)cl, rd_addr, rd_size, acpi_rsdp(), e820, ne };
	bzimage_boot_params(bp, kernel->data, &k, &ld);

	log_info("linux: booting %s (boot protocol %u.%02u, %llu KiB at %#llx, initrd %llu KiB at "
		 "%#llx) cmdline '%s'", name, k.version >> 8, k.version & 0xff,
		 (unsigned long long)(k.kernel_size >> 10), (unsigned long long)load,
		 (unsigned long long)(rd_size >> 10), (unsigned long long)rd_addr, cl);
	handoff_prepare();
	linux_jump64(load + 0x200, (uintptr_t)bp);
}
