/* The EFI system table and its configuration tables (UEFI 2.10 s.4.3,
 * s.4.6). The tables live in the firmware image, which the memory map
 * marks as runtime memory, so they outlive ExitBootServices as an OS
 * expects. */
#include <string.h>
#include <acpi.h>
#include <crc32.h>
#include <efi_core.h>
#include <efi_systab.h>
#include <log.h>
#include <sysmem.h>

#define EFI_MAX_CONFIG_TABLES 32

static EFI_SYSTEM_TABLE systab;
static EFI_CONFIGURATION_TABLE config_tables[EFI_MAX_CONFIG_TABLES];
static const CHAR16 vendor[] = u"wireboot";
static bool at_runtime;

void efi_table_crc(EFI_TABLE_HEADER *hdr)
{
	hdr->CRC32 = 0;
	hdr->CRC32 = crc32(0, hdr, hdr->HeaderSize);
}

bool efi_at_runtime(void)
{
	return at_runtime;
}

void efi_systab_enter_runtime(void)
{
	at_runtime = true;
	/* UEFI 2.10 s.7.4.6: after ExitBootServices these fields are gone. */
	systab.BootServices = NULL;
	efi_systab_set_console(NULL, NULL, NULL, NULL);
}

EFI_STATUS efi_install_config_table(const EFI_GUID *guid, VOID *table)
{
	if (!guid)
		return EFI_INVALID_PARAMETER;
	UINTN n = systab.NumberOfTableEntries, i = 0;
	while (i < n && memcmp(&config_tables[i].VendorGuid, guid, sizeof(*guid)))
		i++;
	if (!table) {
		if (i == n)
			return EFI_NOT_FOUND;
		memmove(&config_tables[i], &config_tables[i + 1],
			(n - i - 1) * sizeof(config_tables[0]));
		systab.NumberOfTableEntries = n - 1;
	} else if (i < n) {
		config_tables[i].VendorTable = table;
	} else {
		if (n == EFI_MAX_CONFIG_TABLES)
			return EFI_OUT_OF_RESOURCES;
		config_tables[n].VendorGuid = *guid;
		config_tables[n].VendorTable = table;
		systab.NumberOfTableEntries = n + 1;
	}
	efi_table_crc(&systab.Hdr);
	return EFI_SUCCESS;
}

/* The VMM's RSDP as the ACPI 1.0 table; as the ACPI 2.0 table either the
 * same RSDP (revision 2+: microvm) or, for QEMU's pc and q35, which build a
 * revision 0 RSDP with an RSDT only, a revision 2 copy with an XSDT beside
 * it, as OVMF does (UEFI 2.10 s.4.6: the 2.0 GUID names an ACPI 2.0+ RSDP). */
static void install_acpi(void)
{
	static const EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	uint64_t addr = acpi_rsdp();

	if (!addr)
		return;
	struct acpi_rsdp *r = (struct acpi_rsdp *)(uintptr_t)addr;
	efi_install_config_table(&acpi10, r);
	if (r->revision >= 2) {
		efi_install_config_table(&acpi20, r);
		return;
	}
	const struct acpi_sdt_hdr *rsdt = (const struct acpi_sdt_hdr *)(uintptr_t)r->rsdt;
	if (!r->rsdt || !acpi_sdt_valid(rsdt, rsdt->length))
		return;
	size_t cap = 64 + 2 * (size_t)rsdt->length;
	uint8_t *buf = sysmem_alloc_pages(memmap_pages(cap), MEM_ACPI_RECLAIM, 1ULL << 32);
	if (!buf)
		return;
	if (acpi_build_rsdp2(r, rsdt, rsdt->length, buf, cap, (uintptr_t)buf))
		efi_install_config_table(&acpi20, buf);
	else
		log_warn("efi: the RSDT is malformed; no ACPI 2.0 table for programs");
}

EFI_SYSTEM_TABLE *efi_systab_init(EFI_BOOT_SERVICES *bs, EFI_RUNTIME_SERVICES *rt)
{
	systab.Hdr.Signature = EFI_SYSTEM_TABLE_SIGNATURE;
	systab.Hdr.Revision = EFI_SYSTAB_REVISION_WB;
	systab.Hdr.HeaderSize = sizeof(systab);
	systab.FirmwareVendor = (CHAR16 *)vendor;
	systab.FirmwareRevision = 1;
	systab.BootServices = bs;
	systab.RuntimeServices = rt;
	systab.ConfigurationTable = config_tables;
	systab.NumberOfTableEntries = 0;

	install_acpi();
	efi_table_crc(&systab.Hdr);
	return &systab;
}

EFI_SYSTEM_TABLE *efi_systab(void)
{
	return &systab;
}

void efi_systab_set_console(EFI_HANDLE in_h, SIMPLE_INPUT_INTERFACE *in, EFI_HANDLE out_h,
			    SIMPLE_TEXT_OUTPUT_INTERFACE *out)
{
	systab.ConsoleInHandle = in_h;
	systab.ConIn = in;
	systab.ConsoleOutHandle = out_h;
	systab.ConOut = out;
	systab.StandardErrorHandle = out_h;
	systab.StdErr = out;
	efi_table_crc(&systab.Hdr);
}
