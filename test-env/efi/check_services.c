/* The system table and the miscellaneous boot services: Stall,
 * SetWatchdogTimer, GetNextMonotonicCount, CopyMem, SetMem,
 * CalculateCrc32, InstallConfigurationTable (UEFI 2.10 s.4, s.7.4, s.7.5). */
#include "efitest.h"

/* CRC-32 (ISO 3309, reflected 0xEDB88320), computed here so the
 * firmware's tables are checked against code that is not the firmware's. */
static UINT32 t_crc32(const void *data, UINTN len)
{
	const UINT8 *p = data;
	UINT32 crc = 0xffffffff;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

/* CRC32 of a table header as UEFI 2.10 s.4.2 defines it: over HeaderSize
 * bytes with the CRC32 field zero. */
static BOOLEAN t_table_crc_ok(EFI_TABLE_HEADER *hdr, UINT32 *want)
{
	UINT32 saved = hdr->CRC32, crc;

	hdr->CRC32 = 0;
	crc = t_crc32(hdr, hdr->HeaderSize);
	hdr->CRC32 = saved;
	*want = crc;
	return crc == saved;
}

/* The configuration table entry with this GUID, or NULL. */
static EFI_CONFIGURATION_TABLE *t_config_find(EFI_GUID *g)
{
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
		if (CompareMem(&ST->ConfigurationTable[i].VendorGuid, g, sizeof(*g)) == 0)
			return &ST->ConfigurationTable[i];
	return NULL;
}

#define T_NAME "systab"
/* s.4.3-4.5: signatures, revisions, header CRCs of the three tables, the
 * console handles, ACPI 2.0 and SMBIOS in the configuration tables. */
void check_systab(void)
{
	static EFI_GUID acpi20 = ACPI_20_TABLE_GUID, smbios3 = SMBIOS3_TABLE_GUID;
	static EFI_GUID smbios = SMBIOS_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	UINT32 want;

	T_REQUIRE(ST->Hdr.Signature == EFI_SYSTEM_TABLE_SIGNATURE, L"system table signature");
	T_REQUIRE(ST->Hdr.Revision >= (2 << 16), L"system table revision 0x%x", ST->Hdr.Revision);
	T_REQUIRE(ST->Hdr.HeaderSize >= sizeof(EFI_SYSTEM_TABLE), L"system table size %d",
		  ST->Hdr.HeaderSize);
	T_REQUIRE(t_table_crc_ok(&ST->Hdr, &want), L"system table CRC32 0x%x, computed 0x%x",
		  ST->Hdr.CRC32, want);
	T_REQUIRE(BS->Hdr.Signature == EFI_BOOT_SERVICES_SIGNATURE, L"boot services signature");
	T_REQUIRE(t_table_crc_ok(&BS->Hdr, &want), L"boot services CRC32 0x%x, computed 0x%x",
		  BS->Hdr.CRC32, want);
	T_REQUIRE(RT->Hdr.Signature == EFI_RUNTIME_SERVICES_SIGNATURE,
		  L"runtime services signature");
	T_REQUIRE(t_table_crc_ok(&RT->Hdr, &want), L"runtime services CRC32 0x%x, computed 0x%x",
		  RT->Hdr.CRC32, want);
	T_REQUIRE(ST->FirmwareVendor && ST->FirmwareVendor[0], L"no firmware vendor string");
	T_REQUIRE(ST->ConIn && ST->ConOut && ST->StdErr && ST->ConsoleInHandle &&
		      ST->ConsoleOutHandle && ST->StandardErrorHandle,
		  L"a console pointer or handle is NULL");
	/* Issue 8 claims the ACPI 2.0 GUID (an RSDP of revision 2 with an XSDT,
	 * as OVMF builds even where QEMU's own RSDP is revision 0). */
	T_REQUIRE(t_config_find(&acpi20),
		  L"no ACPI 2.0 RSDP in %ld configuration tables (ACPI 1.0 "
		  L"RSDP %a)",
		  ST->NumberOfTableEntries, t_config_find(&acpi10) ? "present" : "absent too");
	T_REQUIRE(t_config_find(&smbios3) || t_config_find(&smbios),
		  L"no SMBIOS table in the configuration tables");
	t_ok(T_NAME,
	     L"UEFI %d.%d, header CRCs of ST/BS/RT right, consoles set, %ld "
	     L"configuration tables with ACPI 2.0 and SMBIOS%a",
	     ST->Hdr.Revision >> 16, (ST->Hdr.Revision & 0xffff) / 10, ST->NumberOfTableEntries,
	     t_config_find(&smbios3) ? " 3" : "");
out:
	return;
}
#undef T_NAME

#define T_NAME "misc-services"
/* s.7.5: Stall, SetWatchdogTimer, GetNextMonotonicCount, CopyMem with
 * overlapping ranges in both directions, SetMem. */
void check_misc_services(void)
{
	UINT8 buf[64];
	UINT64 c1 = 0, c2 = 0, c3 = 0;
	EFI_STATUS st;

	T_OK(BS->Stall(10), "Stall(10 us)");
	T_OK(BS->Stall(20000), "Stall(20 ms)");
	T_OK(BS->SetWatchdogTimer(300, 0x10000, 0, NULL), "SetWatchdogTimer(300 s)");
	T_OK(BS->SetWatchdogTimer(0, 0, 0, NULL), "SetWatchdogTimer(0)");
	T_OK(BS->GetNextMonotonicCount(&c1), "GetNextMonotonicCount");
	T_OK(BS->GetNextMonotonicCount(&c2), "GetNextMonotonicCount");
	T_OK(BS->GetNextMonotonicCount(&c3), "GetNextMonotonicCount");
	T_REQUIRE(c2 > c1 && c3 > c2, L"monotonic count 0x%lx, 0x%lx, 0x%lx not increasing", c1, c2,
		  c3);
	st = BS->GetNextMonotonicCount(NULL);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"GetNextMonotonicCount(NULL) returned %r", st);

	for (UINTN i = 0; i < sizeof(buf); i++)
		buf[i] = (UINT8)i;
	BS->CopyMem(buf + 8, buf, 32); /* forward overlap: needs a backward copy */
	for (UINTN i = 0; i < 32; i++)
		T_REQUIRE(buf[8 + i] == i, L"CopyMem up by 8 over itself: byte %ld is %d", i,
			  buf[8 + i]);
	for (UINTN i = 0; i < sizeof(buf); i++)
		buf[i] = (UINT8)i;
	BS->CopyMem(buf, buf + 5, 40);
	for (UINTN i = 0; i < 40; i++)
		T_REQUIRE(buf[i] == i + 5, L"CopyMem down by 5 over itself: byte %ld is %d", i,
			  buf[i]);
	BS->SetMem(buf + 3, 17, 0xa5);
	T_REQUIRE(buf[2] == 7 && buf[3] == 0xa5 && buf[19] == 0xa5 && buf[20] == 25,
		  L"SetMem wrote outside or not all of its range");
	t_ok(T_NAME,
	     L"Stall, SetWatchdogTimer, monotonic count 0x%lx < 0x%lx < 0x%lx, CopyMem "
	     L"overlapping both ways, SetMem",
	     c1, c2, c3);
out:
	return;
}
#undef T_NAME

#define T_NAME "crc32"
/* s.7.5.3 CalculateCrc32: the check value of "123456789" is 0xCBF43926. */
void check_crc32(void)
{
	static const char check[] = "123456789";
	static UINT8 big[3000];
	UINT32 crc = 0;
	EFI_STATUS st;

	T_OK(BS->CalculateCrc32((void *)check, 9, &crc), "CalculateCrc32");
	T_REQUIRE(crc == 0xcbf43926, L"CRC32(\"123456789\") = 0x%x, expected 0xcbf43926", crc);
	for (UINTN i = 0; i < sizeof(big); i++)
		big[i] = (UINT8)(i * 7 + 3);
	T_OK(BS->CalculateCrc32(big, sizeof(big), &crc), "CalculateCrc32(3000 bytes)");
	T_REQUIRE(crc == t_crc32(big, sizeof(big)), L"CRC32 of 3000 bytes 0x%x, expected 0x%x", crc,
		  t_crc32(big, sizeof(big)));
	st = BS->CalculateCrc32((void *)check, 0, &crc);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"CalculateCrc32 of 0 bytes returned %r", st);
	t_ok(T_NAME, L"0xcbf43926 for \"123456789\", 3000 bytes agree with a software CRC, size 0 "
		     L"refused");
out:
	return;
}
#undef T_NAME

#define T_NAME "config-table"
/* s.7.3.17 InstallConfigurationTable: add, replace, remove, remove an
 * absent one; the system table's CRC follows each change. */
void check_config_table(void)
{
	static EFI_GUID g = {
	    0x3e0f3c11, 0x2b2c, 0x4e6b, {0xa5, 0xd0, 0x6a, 0x17, 0x93, 0x0b, 0x48, 0xcc}};
	static UINT64 t1 = 1, t2 = 2;
	UINTN before = ST->NumberOfTableEntries;
	EFI_CONFIGURATION_TABLE *e;
	UINT32 want;
	EFI_STATUS st;

	T_OK(BS->InstallConfigurationTable(&g, &t1), "InstallConfigurationTable(add)");
	e = t_config_find(&g);
	T_REQUIRE(e && e->VendorTable == &t1 && ST->NumberOfTableEntries == before + 1,
		  L"added table not found or count %ld (was %ld)", ST->NumberOfTableEntries,
		  before);
	T_REQUIRE(t_table_crc_ok(&ST->Hdr, &want), L"system table CRC stale after adding a table");
	T_OK(BS->InstallConfigurationTable(&g, &t2), "InstallConfigurationTable(replace)");
	e = t_config_find(&g);
	T_REQUIRE(e && e->VendorTable == &t2 && ST->NumberOfTableEntries == before + 1,
		  L"replaced table wrong or count %ld", ST->NumberOfTableEntries);
	T_OK(BS->InstallConfigurationTable(&g, NULL), "InstallConfigurationTable(remove)");
	T_REQUIRE(!t_config_find(&g) && ST->NumberOfTableEntries == before,
		  L"removed table still listed or count %ld", ST->NumberOfTableEntries);
	T_REQUIRE(t_table_crc_ok(&ST->Hdr, &want),
		  L"system table CRC stale after removing a table");
	st = BS->InstallConfigurationTable(&g, NULL);
	T_REQUIRE(st == EFI_NOT_FOUND, L"removing an absent table returned %r", st);
	t_ok(T_NAME,
	     L"add, replace, remove (%ld tables again), remove-absent NOT_FOUND, system "
	     L"table CRC kept right",
	     before);
	return;
out:
	BS->InstallConfigurationTable(&g, NULL);
}
#undef T_NAME
