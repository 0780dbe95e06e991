/* Find, validate and index the VMM's ACPI tables. */
#include <string.h>
#include <acpi.h>
#include <fw_cfg.h>
#include <log.h>
#include <sysmem.h>

#define ACPI_MAX_TABLES 48

static uint64_t rsdp;
static const char *rsdp_source = "none";
static const struct acpi_sdt_hdr *tables[ACPI_MAX_TABLES];
static unsigned ntables;
static struct acpi_fadt_info fadt;

/* Search [base, base+len) on 16-byte boundaries for a valid RSDP. */
static uint64_t scan_rsdp(uint64_t base, uint64_t len)
{
	for (uint64_t a = base; a + 20 <= base + len; a += 16)
		if (acpi_rsdp_valid((const void *)(uintptr_t)a, base + len - a))
			return a;
	return 0;
}

/* Keep a table we depend on out of the allocator's reach. */
static void protect(uint64_t addr, uint64_t len)
{
	if (memmap_type_at(&sys_memmap, addr) == MEM_FREE)
		sysmem_reserve(addr, len, MEM_ACPI_RECLAIM);
}

/* fw_cfg table-loader callbacks: load a file into ACPI memory. */
static uint8_t *fw_load(void *ctx, const char *name, uint32_t align, uint8_t zone, uint32_t *size)
{
	uint16_t sel;
	uint32_t sz;

	if (fw_cfg_find(name, &sel, &sz) || !sz || sz > (64u << 20))
		return NULL;
	uint64_t pages = memmap_pages(sz);
	/* Zone "F-segment" asks for < 1 MiB for legacy scanners; we pass the
	 * RSDP explicitly to everything we boot, so anywhere below 4 GiB does. */
	uint8_t *p = sysmem_alloc_pages(pages, MEM_ACPI_RECLAIM, 1ULL << 32);
	if (!p)
		return NULL;
	memset(p, 0, pages * PAGE_SIZE);
	fw_cfg_read(sel, p, sz);
	*size = sz;
	return p;
}

static int fw_write(void *ctx, const char *name, uint32_t offset, const void *val, uint32_t len)
{
	uint16_t sel;
	uint32_t sz;

	if (fw_cfg_find(name, &sel, &sz) || offset > sz || len > sz - offset)
		return -1;
	return fw_cfg_write(sel, offset, val, len);
}

static uint64_t rsdp_from_loader(void)
{
	static struct acpi_loader loader;
	uint16_t sel;
	uint32_t size;

	if (fw_cfg_find("etc/table-loader", &sel, &size) || !size)
		return 0;
	uint8_t *cmds = sysmem_alloc_pages(memmap_pages(size), MEM_BS_DATA, 0);
	if (!cmds)
		return 0;
	fw_cfg_read(sel, cmds, size);
	struct acpi_loader_ops ops = { fw_load, fw_write, NULL };
	int rc = acpi_loader_run(&loader, cmds, size, &ops);
	memmap_free(&sys_memmap, (uintptr_t)cmds, memmap_pages(size));
	if (rc) {
		log_error("acpi: fw_cfg table-loader: %s; no ACPI tables", loader.error);
		return 0;
	}
	return loader.rsdp;
}

/* Add a table at addr if it validates; true if added. */
static bool add_table(uint64_t addr)
{
	if (!addr || addr >= (1ULL << 48))
		return false;
	const struct acpi_sdt_hdr *h = (const void *)(uintptr_t)addr;
	/* Peek the length first so validation reads only the table. */
	if (h->length < sizeof(*h) || h->length > (16u << 20) ||
	    !acpi_sdt_valid(h, h->length)) {
		log_warn("acpi: table at %#llx has a bad length or checksum; ignored",
			 (unsigned long long)addr);
		return false;
	}
	if (ntables == ACPI_MAX_TABLES) {
		log_warn("acpi: more than %d tables; %.4s ignored", ACPI_MAX_TABLES, h->sig);
		return false;
	}
	tables[ntables++] = h;
	protect(addr, h->length);
	return true;
}

static void index_tables(void)
{
	const struct acpi_rsdp *r = (const void *)(uintptr_t)rsdp;
	uint64_t root = r->revision >= 2 && r->xsdt ? r->xsdt : r->rsdt;
	size_t entry = r->revision >= 2 && r->xsdt ? 8 : 4;

	protect(rsdp, r->revision >= 2 ? r->length : 20);
	if (!add_table(root))
		return;
	const struct acpi_sdt_hdr *rt = tables[0];
	const uint8_t *p = (const uint8_t *)(rt + 1);
	size_t n = (rt->length - sizeof(*rt)) / entry;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = 0;
		memcpy(&a, p + i * entry, entry);
		add_table(a);
	}
	const struct acpi_sdt_hdr *f = acpi_find("FACP");
	if (f) {
		acpi_fadt_parse(f, f->length, &fadt);
		add_table(fadt.dsdt);
	}
}

void acpi_init(const struct bootinfo *bi)
{
	if (bi->rsdp && bi->rsdp < (1ULL << 32) &&
	    acpi_rsdp_valid((const void *)(uintptr_t)bi->rsdp, 36)) {
		rsdp = bi->rsdp;
		rsdp_source = "pvh start info";
	} else {
		if (bi->rsdp)
			log_warn("acpi: PVH RSDP pointer %#llx is not a valid RSDP; searching",
				 (unsigned long long)bi->rsdp);
		uint64_t ebda = (uint64_t)(*(volatile uint16_t *)0x40e) << 4;
		if (bi->entry == BOOT_ENTRY_PVH && ebda >= 0x80000 && ebda < 0xa0000)
			rsdp = scan_rsdp(ebda, 1024);
		if (!rsdp && bi->entry == BOOT_ENTRY_PVH)
			rsdp = scan_rsdp(0xe0000, 0x20000);
		if (rsdp)
			rsdp_source = "bios area";
		else if ((rsdp = rsdp_from_loader()))
			rsdp_source = "fw_cfg table-loader";
	}
	if (!rsdp) {
		log_warn("acpi: no RSDP (not from the loader, the BIOS area or fw_cfg); "
			 "continuing without ACPI");
		return;
	}
	index_tables();
}

uint64_t acpi_rsdp(void)
{
	return rsdp;
}

const char *acpi_source(void)
{
	return rsdp_source;
}

const struct acpi_sdt_hdr *acpi_find(const char *sig)
{
	for (unsigned i = 0; i < ntables; i++)
		if (!memcmp(tables[i]->sig, sig, 4))
			return tables[i];
	return NULL;
}

const struct acpi_fadt_info *acpi_fadt(void)
{
	return &fadt;
}

unsigned acpi_table_count(void)
{
	return ntables;
}
