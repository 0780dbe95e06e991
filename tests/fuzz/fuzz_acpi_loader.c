/* libFuzzer target for acpi_loader_run() (platform/acpi_tables.c), QEMU's
 * table-loader script, against the fake fw_cfg of the unit tests: files
 * load into an arena that ASan sees poisoned around every file, so a write
 * outside a file is caught. The fw_cfg files are slices of the input.
 *
 * Input: flags (bits 0-2: files - 1, bit 3: fw_cfg writes fail), a u16
 * size per file (low 12 bits), the files' bytes, then the script. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <acpi_tables.h>
#include "../unit/acpi_loader_fake.h"

static const char *const names[8] = {
    "etc/acpi/rsdp", "etc/acpi/tables", "etc/tpm/log", "etc/vmgenid_guid", "a", "b", "c", "d",
};

static void fail(const char *why)
{
	fprintf(stderr, "acpi_loader: %s\n", why);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_fw_cfg f;
	static struct acpi_loader l;

	if (size < 1)
		return 0;
	size_t nfiles = (data[0] & 7) + 1, at = 1 + 2 * nfiles;
	if (size < at)
		return 0;
	fake_reset(&f);
	f.any_name = true;
	f.fail_writes = data[0] & 8;
	for (size_t i = 0; i < nfiles; i++) {
		size_t want = (data[1 + 2 * i] | data[2 + 2 * i] << 8) & 0xfff;
		size_t len = want < size - at ? want : size - at;
		fake_add_file(&f, names[i], data + at, (uint32_t)len);
		at += len;
	}

	/* The script, exactly sized so a read past its end is caught. */
	size_t len = size - at;
	uint8_t *script = malloc(len ? len : 1);
	if (!script)
		abort();
	memcpy(script, data + at, len);
	struct acpi_loader_ops ops = fake_ops(&f);
	memset(&l, 0x5a, sizeof(l));
	int rc = acpi_loader_run(&l, script, len, &ops);
	free(script);

	if (rc != 0 && rc != -1)
		fail("returned neither 0 nor -1");
	if (!memchr(l.error, 0, sizeof(l.error)))
		fail("error not terminated");
	if ((rc == -1) != (l.error[0] != 0))
		fail("error set without failing, or failing without an error");
	if (l.nfiles > ACPI_LOADER_FILES)
		fail("more files than the table holds");
	uint64_t rsdp = 0;
	for (size_t i = 0; i < l.nfiles; i++) {
		const struct acpi_loader_file *lf = &l.file[i];
		if (!memchr(lf->name, 0, sizeof(lf->name)))
			fail("a file name without its NUL");
		if (!lf->data || lf->data < f.arena || lf->data + lf->size > f.arena + f.used)
			fail("a file outside what load() returned");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(l.file[j].name, lf->name))
				fail("a file allocated twice");
		if (!strcmp(lf->name, "etc/acpi/rsdp"))
			rsdp = (uintptr_t)lf->data;
	}
	if (l.rsdp != rsdp)
		fail("rsdp is not the etc/acpi/rsdp allocation");
	for (size_t i = 0; i < f.nwrites && i < FAKE_WRITES; i++)
		if (f.write[i].len != 1 && f.write[i].len != 2 && f.write[i].len != 4 &&
		    f.write[i].len != 8)
			fail("a pointer write of a size QEMU does not define");
	return 0;
}
