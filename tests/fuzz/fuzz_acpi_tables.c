/* libFuzzer target for the ACPI table parsers of platform/acpi_tables.c:
 * the input is one table (or RSDP, or AML) as the VMM might hand it over.
 * Every parser runs on it; what each says "valid" must really be so. */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <acpi_tables.h>

static void fail(const char *why)
{
	fprintf(stderr, "acpi_tables: %s\n", why);
	abort();
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void check_all(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	if (acpi_checksum(p, len) != sum)
		fail("checksum is not the byte sum");

	if (acpi_rsdp_valid(p, len)) {
		if (len < 20 || memcmp(p, "RSD PTR ", 8) || acpi_checksum(p, 20))
			fail("an RSDP taken with a bad signature or checksum");
		if (p[15] >= 2) {
			uint32_t l = rd32(p + 20);
			if (len < 36 || l < 36 || l > len || acpi_checksum(p, l))
				fail("a revision 2 RSDP taken with a bad length or checksum");
		}
	}

	if (acpi_sdt_valid(p, len)) {
		uint32_t l = rd32(p + 4);
		if (len < 36 || l < 36 || l > len || acpi_checksum(p, l))
			fail("a table taken with a bad length or checksum");
	}

	struct acpi_fadt_info fi, zero;
	memset(&zero, 0, sizeof(zero));
	memset(&fi, 0xa5, sizeof(fi));
	acpi_fadt_parse(p, len, &fi);
	if (len < 44 && memcmp(&fi, &zero, sizeof(fi)))
		fail("FADT fields from a table too short to hold them");

	uint8_t typ = 0xee;
	if (acpi_find_s5(p, len, &typ)) {
		if (len < 7 || !memmem(p, len, "_S5_", 4))
			fail("\\_S5 found where there is none");
	} else if (typ != 0xee) {
		fail("find_s5 wrote a value but said it found none");
	}

	struct acpi_mcfg_alloc a;
	if (acpi_mcfg_parse(p, len, &a)) {
		if (len < 60 || a.segment != 0 || !a.base || a.bus_end < a.bus_start)
			fail("an MCFG entry that is not a usable segment 0");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The input as given, exactly sized, then shifted by one byte so the
	 * parsers also see it at an odd address. */
	check_all(data, size);
	if (size > 1) {
		uint8_t *odd = malloc(size);
		if (!odd)
			abort();
		memcpy(odd, data, size);
		check_all(odd + 1, size - 1);
		free(odd);
	}
	return 0;
}
