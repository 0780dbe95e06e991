/* libFuzzer target for efi/pe.c. The input is a PE file, parsed from an
 * exactly sized copy so a read past its length is caught. A refused image
 * must give a PE_E_* code with a reason, and pe_find_section the same code.
 * An accepted one must describe itself within its limits; each section must
 * lie inside the file and the image; and when SizeOfImage is below
 * FUZZ_MAX_IMAGE it is loaded into an exactly sized buffer twice: at its
 * ImageBase, where the result must be the headers, each section's content
 * and zeros (relocations add nothing), and at another address taken from
 * the input's last bytes, where only the relocation and address errors may
 * differ from the first load. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pe.h>

#define FUZZ_MAX_IMAGE (16u << 20)

static void fail(const char *why)
{
	fprintf(stderr, "pe: %s\n", why);
	abort();
}

static void check_error(int rc)
{
	if (rc >= 0 || rc < PE_E_LAST)
		fail("an error code outside PE_E_*");
	const char *s = pe_strerror(rc);
	if (!s || !s[0] || !strcmp(s, "unknown PE error"))
		fail("an error without a reason");
}

/* The accepted description stays inside the file and wireboot's limits. */
static void check_info(const uint8_t *img, size_t size, const struct pe_info *pi)
{
	if (pi->machine != PE_MACHINE_X64)
		fail("a machine other than x86_64 accepted");
	if (pi->subsystem < PE_SUBSYSTEM_EFI_APP || pi->subsystem > PE_SUBSYSTEM_EFI_RUNTIME_DRIVER)
		fail("a non-EFI subsystem accepted");
	if (pi->size_of_image > PE_MAX_IMAGE_SIZE)
		fail("SizeOfImage above the cap accepted");
	if (!pi->nsections || pi->nsections > PE_MAX_SECTIONS)
		fail("a bad section count accepted");
	if (pi->size_of_headers > size || pi->size_of_headers > pi->size_of_image)
		fail("headers larger than the file or the image");
	if (!pi->section_alignment || pi->section_alignment & (pi->section_alignment - 1) ||
	    pi->file_alignment > pi->section_alignment)
		fail("a bad alignment accepted");
	if (!pi->entry_rva || pi->entry_rva >= pi->size_of_image)
		fail("an entry point outside the image accepted");
	if ((uint64_t)pi->reloc_rva + pi->reloc_size > pi->size_of_image)
		fail("a relocation directory outside the image accepted");
	bool entry_in = false;
	for (unsigned i = 0; i < pi->nsections; i++) {
		struct pe_section s;

		if (pe_section_get(img, size, pi, i, &s))
			fail("a section of an accepted image unreadable");
		if ((uint64_t)s.file_offset + s.file_size > size)
			fail("section data past the file");
		if (s.file_size > s.virtual_size)
			fail("more file data than the section holds");
		if (s.virtual_size && ((uint64_t)s.rva + s.virtual_size > pi->size_of_image ||
				       s.rva < pi->size_of_headers))
			fail("a section outside the image or over the headers");
		if (pi->entry_rva >= s.rva && pi->entry_rva - s.rva < s.virtual_size)
			entry_in = true;
		/* A section is found by its own name, or its first namesake is. */
		struct pe_section f, first = s;
		for (unsigned j = 0; j < i; j++) {
			struct pe_section t;

			pe_section_get(img, size, pi, j, &t);
			if (!strcmp(t.name, s.name)) {
				first = t;
				break;
			}
		}
		if (s.name[0] &&
		    (pe_find_section(img, size, s.name, &f) || strcmp(f.name, s.name) ||
		     f.rva != first.rva || f.file_offset != first.file_offset))
			fail("a section not found by its name");
	}
	if (!entry_in)
		fail("an entry point outside every section accepted");
}

/* The load at ImageBase is the file's bytes and zeros, exactly. */
static void check_base_load(const uint8_t *img, size_t size, const struct pe_info *pi,
			    const uint8_t *dest)
{
	uint8_t *want = calloc(pi->size_of_image, 1);

	if (!want)
		abort();
	memcpy(want, img, pi->size_of_headers);
	for (unsigned i = 0; i < pi->nsections; i++) {
		struct pe_section s;

		pe_section_get(img, size, pi, i, &s);
		memcpy(want + s.rva, img + s.file_offset, s.file_size);
	}
	if (memcmp(want, dest, pi->size_of_image))
		fail("the load at ImageBase is not the file's sections");
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pe_info pi;
	struct pe_section sec;
	uint8_t *img = malloc(size ? size : 1);

	if (!img)
		abort();
	memcpy(img, data, size);
	int rc = pe_parse(img, size, &pi);
	if (rc) {
		check_error(rc);
		if (pe_find_section(img, size, ".text", &sec) != rc)
			fail("pe_find_section and pe_parse disagree");
		free(img);
		return 0;
	}
	check_info(img, size, &pi);
	rc = pe_find_section(img, size, ".linux", &sec);
	if (rc && rc != PE_E_NO_SECTION)
		fail("pe_find_section refused an accepted image");

	if (pi.size_of_image <= FUZZ_MAX_IMAGE) {
		uint8_t *dest = malloc(pi.size_of_image);
		if (!dest)
			abort();
		memset(dest, 0xcc, pi.size_of_image);
		int base_rc = pe_load(img, size, &pi, dest, pi.image_base);
		if (base_rc) {
			check_error(base_rc);
			if (base_rc != PE_E_RELOC_BLOCK && base_rc != PE_E_RELOC_TARGET &&
			    base_rc != PE_E_RELOC_TYPE)
				fail("an accepted image not loadable at its ImageBase");
		} else {
			check_base_load(img, size, &pi, dest);
		}

		/* Another address from the input's tail, aligned as required. */
		uint64_t at = 0;
		for (size_t i = 0; i < 8 && i < size; i++)
			at = at << 8 | data[size - 1 - i];
		at &= ~(uint64_t)(pi.section_alignment - 1);
		memset(dest, 0xcc, pi.size_of_image);
		rc = pe_load(img, size, &pi, dest, at);
		if (rc) {
			check_error(rc);
			if (rc != base_rc && rc != PE_E_RELOC_HIGHLOW && rc != PE_E_FIXED &&
			    rc != PE_E_LOAD_ADDR)
				fail("a load elsewhere fails where the base load did not");
		} else if (base_rc) {
			fail("a table refused at ImageBase accepted elsewhere");
		}
		free(dest);
	}
	free(img);
	return 0;
}
