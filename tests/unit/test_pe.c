/* Host tests for efi/pe.c, the PE/COFF parser and loader. Small PE32+
 * images are built here (DOS header, PE header, optional header, four
 * sections, a .reloc); Debian's own EFI binaries (systemd-boot, its Linux
 * stub, GRUB's network image, the kernel's EFI stub) are parsed and loaded
 * too, and must be present (scripts/deps.sh installs them).
 *
 * WB_PE_SEED_DIR=dir build/unit/test_pe writes the built images into dir
 * as fuzz seeds (tests/fuzz/corpus/fuzz_pe/) and runs no test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <cmocka.h>
#include <pe.h>
#include "le_bytes.h"

/* The built image: headers, .text, .data, .cmdline, .reloc. */
#define LFANEW	   0x80
#define COFF(x)	   (LFANEW + 4 + (x))
#define OPT_OFF	   (LFANEW + 24)
#define OPT(x)	   (OPT_OFF + (x))
#define OPT_SIZE   240
#define SEC_OFF	   (OPT_OFF + OPT_SIZE)
#define SEC(i, x)  (SEC_OFF + 40 * (i) + (x))
#define NSEC	   4
#define HDR_SIZE   0x400
#define FILE_LEN   0xe00
#define IMG_SIZE   0x6000
#define BASE	   0x10000000ULL
#define ENTRY	   0x1010
#define RELOC_FILE 0xc00
#define RELOC_RVA  0x5000
#define CAP	   0x4000 /* room for images the tests grow */

enum { S_TEXT, S_DATA, S_CMDLINE, S_RELOC };

static const struct {
	const char *name;
	uint32_t va, vsize, raw_ptr, raw_size, flags;
} sections[NSEC] = {
    /* SizeOfRawData above VirtualSize: only VirtualSize bytes are copied. */
    {".text", 0x1000, 0x300, 0x400, 0x400, 0x60000020},
    /* VirtualSize above SizeOfRawData: the rest is zero-filled. */
    {".data", 0x2000, 0x1800, 0x800, 0x200, 0xc0000040},
    {".cmdline", 0x4000, 0x20, 0xa00, 0x200, 0x40000040},
    {".reloc", RELOC_RVA, 0, RELOC_FILE, 0x200, 0x42000040},
};

static uint8_t img[CAP];

/* One base relocation block at p; returns its size. */
static uint32_t reloc_block(uint8_t *p, uint32_t page, const uint16_t *ents, unsigned n)
{
	put32(p, page);
	put32(p + 4, 8 + 2 * n);
	for (unsigned i = 0; i < n; i++)
		put16(p + 8 + 2 * i, ents[i]);
	return 8 + 2 * n;
}

/* Replace the relocation table (directory size and .reloc VirtualSize). */
static void set_relocs(const uint8_t *table, uint32_t size)
{
	memset(img + RELOC_FILE, 0, 0x200);
	memcpy(img + RELOC_FILE, table, size);
	put32(img + OPT(112 + 8 * 5 + 4), size);
	put32(img + SEC(S_RELOC, 8), size);
}

#define DIR64(off)   (uint16_t)(0xa000 | (off))
#define HIGHLOW(off) (uint16_t)(0x3000 | (off))
#define ABS	     0

/* The default image's table: DIR64 at 0x2000, 0x2008 and 0x1100, HIGHLOW
 * at 0x2010, with ABSOLUTE padding to 32-bit block boundaries. */
static void default_relocs(void)
{
	uint8_t t[64];
	uint32_t n = 0;

	n += reloc_block(t + n, 0x2000, (uint16_t[]){DIR64(0), DIR64(8), HIGHLOW(0x10), ABS}, 4);
	n += reloc_block(t + n, 0x1000, (uint16_t[]){DIR64(0x100), ABS}, 2);
	set_relocs(t, n);
}

/* Build the default image into img: a relocatable EFI application whose
 * ImageBase is BASE, with pointers to itself in .data and .text. */
static void make_image(void)
{
	memset(img, 0, sizeof(img));
	for (size_t i = HDR_SIZE; i < FILE_LEN; i++)
		img[i] = (uint8_t)(i * 7 + 3); /* no zero runs to hide a bad copy */
	img[0] = 'M';
	img[1] = 'Z';
	put32(img + 0x3c, LFANEW);
	memcpy(img + LFANEW, "PE\0\0", 4);
	put16(img + COFF(0), PE_MACHINE_X64);
	put16(img + COFF(2), NSEC);
	put16(img + COFF(16), OPT_SIZE);
	put16(img + COFF(18), 0x0206); /* EXECUTABLE_IMAGE, LINE_NUMS_STRIPPED, DEBUG_STRIPPED */
	put16(img + OPT(0), 0x20b);
	put32(img + OPT(16), ENTRY);
	put64(img + OPT(24), BASE);
	put32(img + OPT(32), 0x1000); /* SectionAlignment */
	put32(img + OPT(36), 0x200);  /* FileAlignment */
	put32(img + OPT(56), IMG_SIZE);
	put32(img + OPT(60), HDR_SIZE);
	put16(img + OPT(68), PE_SUBSYSTEM_EFI_APP);
	put16(img + OPT(70), 0x100); /* NX_COMPAT */
	put32(img + OPT(108), 16);
	for (int i = 0; i < NSEC; i++) {
		memcpy(img + SEC(i, 0), sections[i].name, strlen(sections[i].name));
		put32(img + SEC(i, 8), sections[i].vsize);
		put32(img + SEC(i, 12), sections[i].va);
		put32(img + SEC(i, 16), sections[i].raw_size);
		put32(img + SEC(i, 20), sections[i].raw_ptr);
		put32(img + SEC(i, 36), sections[i].flags);
	}
	put32(img + OPT(112 + 8 * 5), RELOC_RVA);
	memcpy(img + 0xa00, "console=ttyS0 quiet\0", 20);
	/* What the relocations patch: addresses inside the image. */
	put64(img + 0x800, BASE + ENTRY);
	put64(img + 0x808, BASE + 0x2100);
	put32(img + 0x810, (uint32_t)BASE + 0x4000);
	put64(img + 0x400 + 0x100, BASE + 0x4000);
	default_relocs();
}

/* pe_parse on an exactly sized copy, so ASan sees any read past len. */
static int parse_len(size_t len, struct pe_info *pi)
{
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, img, len);
	memset(pi, 0x5a, sizeof(*pi));
	int rc = pe_parse(copy, len, pi);
	free(copy);
	return rc;
}

static int parse(struct pe_info *pi)
{
	return parse_len(FILE_LEN, pi);
}

static void assert_parse_error(int want)
{
	struct pe_info pi;
	int rc = parse(&pi);

	if (rc != want)
		fail_msg("pe_parse gave %d (%s), want %d (%s)", rc, pe_strerror(rc), want,
			 pe_strerror(want));
}

/* Parse and load img at load_addr into a fresh, exactly sized buffer that
 * starts dirty; *out gets it (free it). */
static int load_at(uint64_t load_addr, uint8_t **out)
{
	struct pe_info pi;
	uint8_t *copy = malloc(FILE_LEN);

	assert_non_null(copy);
	memcpy(copy, img, FILE_LEN);
	int rc = pe_parse(copy, FILE_LEN, &pi);
	if (rc)
		fail_msg("pe_parse: %s", pe_strerror(rc));
	uint8_t *dest = malloc(pi.size_of_image);
	assert_non_null(dest);
	memset(dest, 0xcc, pi.size_of_image);
	rc = pe_load(copy, FILE_LEN, &pi, dest, load_addr);
	free(copy);
	if (out)
		*out = dest;
	else
		free(dest);
	return rc;
}

static void assert_load_error(uint64_t load_addr, int want)
{
	int rc = load_at(load_addr, NULL);

	if (rc != want)
		fail_msg("pe_load gave %d (%s), want %d (%s)", rc, pe_strerror(rc), want,
			 pe_strerror(want));
}

/* ---- pe_parse on good images ---- */

static void test_good_image_parses(void **state)
{
	struct pe_info pi;

	make_image();
	assert_int_equal(parse(&pi), 0);
	assert_int_equal(pi.machine, PE_MACHINE_X64);
	assert_int_equal(pi.subsystem, PE_SUBSYSTEM_EFI_APP);
	assert_int_equal(pi.characteristics, 0x0206);
	assert_int_equal(pi.dll_characteristics, 0x100);
	assert_int_equal(pi.image_base, BASE);
	assert_int_equal(pi.size_of_image, IMG_SIZE);
	assert_int_equal(pi.size_of_headers, HDR_SIZE);
	assert_int_equal(pi.section_alignment, 0x1000);
	assert_int_equal(pi.file_alignment, 0x200);
	assert_int_equal(pi.entry_rva, ENTRY);
	assert_int_equal(pi.reloc_rva, RELOC_RVA);
	assert_int_equal(pi.reloc_size, 28);
	assert_int_equal(pi.nsections, NSEC);
	assert_false(pi.relocs_stripped);
	assert_int_equal(pi.section_table, SEC_OFF);
}

static void test_driver_subsystems_are_accepted(void **state)
{
	struct pe_info pi;

	make_image();
	put16(img + OPT(68), PE_SUBSYSTEM_EFI_BOOT_DRIVER);
	assert_int_equal(parse(&pi), 0);
	assert_int_equal(pi.subsystem, 11);
	put16(img + OPT(68), PE_SUBSYSTEM_EFI_RUNTIME_DRIVER);
	assert_int_equal(parse(&pi), 0);
	assert_int_equal(pi.subsystem, 12);
}

static void test_fewer_data_directories_mean_no_relocations(void **state)
{
	struct pe_info pi;

	/* Linux's stub has 6 directories; with 5 the relocation one is absent. */
	make_image();
	put32(img + OPT(108), 5);
	assert_int_equal(parse(&pi), 0);
	assert_int_equal(pi.reloc_rva, 0);
	assert_int_equal(pi.reloc_size, 0);
	/* With 6 the optional header can be 160 bytes; the table moves up. */
	put32(img + OPT(108), 6);
	put16(img + COFF(16), 112 + 6 * 8);
	memmove(img + OPT(112 + 6 * 8), img + SEC_OFF, 40 * NSEC);
	assert_int_equal(parse(&pi), 0);
	assert_int_equal(pi.section_table, OPT(112 + 6 * 8));
	assert_int_equal(pi.reloc_size, 28);
}

static void test_zero_virtual_size_means_raw_size(void **state)
{
	struct pe_section s;

	make_image();
	put32(img + SEC(S_CMDLINE, 8), 0);
	assert_int_equal(pe_find_section(img, FILE_LEN, ".cmdline", &s), 0);
	assert_int_equal(s.virtual_size, 0x200);
	assert_int_equal(s.file_size, 0x200);
}

/* ---- pe_load ---- */

/* What a load at load_addr must hold outside relocation sites. */
static void assert_loaded_copy(const uint8_t *dest)
{
	for (size_t i = 0; i < HDR_SIZE; i++)
		if (dest[i] != img[i])
			fail_msg("header byte %#zx is %#x, want %#x", i, dest[i], img[i]);
	size_t at = HDR_SIZE;
	for (int s = 0; s < NSEC; s++) {
		uint32_t vs = get32(img + SEC(s, 8));
		uint32_t copy = vs < sections[s].raw_size ? vs : sections[s].raw_size;

		for (; at < sections[s].va; at++)
			if (dest[at])
				fail_msg("gap byte %#zx is %#x, want 0", at, dest[at]);
		for (uint32_t i = 0; i < copy; i++, at++)
			if (dest[at] != img[sections[s].raw_ptr + i])
				fail_msg("%s byte %#x is %#x, want %#x", sections[s].name, i,
					 dest[at], img[sections[s].raw_ptr + i]);
		for (uint32_t i = copy; i < vs; i++, at++)
			if (dest[at])
				fail_msg("%s byte %#x past raw data is %#x, want 0",
					 sections[s].name, i, dest[at]);
	}
	for (; at < IMG_SIZE; at++)
		if (dest[at])
			fail_msg("tail byte %#zx is %#x, want 0", at, dest[at]);
}

static void test_load_at_image_base_copies_exactly(void **state)
{
	uint8_t *dest;

	make_image();
	assert_int_equal(load_at(BASE, &dest), 0);
	assert_loaded_copy(dest);
	assert_int_equal(get64(dest + 0x2000), BASE + ENTRY);
	/* .text's SizeOfRawData (0x400) passes its VirtualSize (0x300). */
	assert_int_equal(dest[0x1300], 0);
	assert_memory_equal(dest + 0x4000, "console=ttyS0 quiet", 20);
	free(dest);
}

/* Load at addr: every relocation site moved by addr - BASE, nothing else. */
static void check_relocated(uint64_t addr)
{
	uint8_t *dest;
	uint64_t d = addr - BASE;

	make_image();
	assert_int_equal(load_at(addr, &dest), 0);
	assert_int_equal(get64(dest + 0x2000), BASE + ENTRY + d);
	assert_int_equal(get64(dest + 0x2008), BASE + 0x2100 + d);
	assert_int_equal(get32(dest + 0x2010), (uint32_t)(BASE + 0x4000 + d));
	assert_int_equal(get64(dest + 0x1100), BASE + 0x4000 + d);
	/* Put the sites back and the rest must be the plain copy. */
	put64(dest + 0x2000, get64(img + 0x800));
	put64(dest + 0x2008, get64(img + 0x808));
	put32(dest + 0x2010, get32(img + 0x810));
	put64(dest + 0x1100, get64(img + 0x500));
	assert_loaded_copy(dest);
	free(dest);
}

static void test_relocations_applied_above_image_base(void **state)
{
	check_relocated(BASE + 0x23450000);
}

static void test_relocations_applied_below_image_base(void **state)
{
	check_relocated(0x1000);
	check_relocated(0);
}

static void test_dir64_reaches_above_4g(void **state)
{
	uint8_t t[32], *dest;
	const uint64_t addr = 0x7f1234567000ULL;

	make_image();
	uint32_t n = reloc_block(t, 0x2000, (uint16_t[]){DIR64(0), DIR64(8)}, 2);
	set_relocs(t, n);
	assert_int_equal(load_at(addr, &dest), 0);
	assert_int_equal(get64(dest + 0x2000), addr + ENTRY);
	assert_int_equal(get64(dest + 0x2008), addr + 0x2100);
	/* Not in the table: left alone. */
	assert_int_equal(get64(dest + 0x1100), BASE + 0x4000);
	free(dest);
}

static void test_highlow_cannot_reach_above_4g(void **state)
{
	make_image();
	assert_load_error(0x100000000ULL, PE_E_RELOC_HIGHLOW);
	/* Nor below 0. */
	put32(img + 0x810, 0x100);
	assert_load_error(0, PE_E_RELOC_HIGHLOW);
	/* The patched value 0x10004000 + delta: 0xffff4000 fits, 0x100001000 not. */
	make_image();
	assert_int_equal(load_at(0x100000000ULL - 0x10000, NULL), 0);
	assert_load_error(0x100000000ULL - 0x3000, PE_E_RELOC_HIGHLOW);
}

static void test_stripped_image_loads_only_at_its_base(void **state)
{
	struct pe_info pi;

	make_image();
	put16(img + COFF(18), 0x0207); /* + RELOCS_STRIPPED */
	assert_int_equal(parse(&pi), 0);
	assert_true(pi.relocs_stripped);
	assert_int_equal(load_at(BASE, NULL), 0);
	assert_load_error(BASE + 0x1000, PE_E_FIXED);
	assert_load_error(0, PE_E_FIXED);
}

static void test_image_without_relocations_loads_anywhere(void **state)
{
	uint8_t *dest;

	/* As Linux's EFI stub is: position independent, no .reloc, not stripped. */
	make_image();
	put32(img + OPT(112 + 8 * 5), 0);
	put32(img + OPT(112 + 8 * 5 + 4), 0);
	assert_int_equal(load_at(0x7f0000000000ULL, &dest), 0);
	assert_loaded_copy(dest);
	free(dest);
}

static void test_load_address_must_be_aligned(void **state)
{
	make_image();
	assert_load_error(BASE + 0x800, PE_E_LOAD_ADDR);
	assert_load_error(BASE + 1, PE_E_LOAD_ADDR);
	/* The image would pass 2^64. */
	assert_load_error(0xfffffffffffff000ULL, PE_E_LOAD_ADDR);
}

static void test_load_refuses_another_files_info(void **state)
{
	struct pe_info pi;
	uint8_t *dest = malloc(IMG_SIZE);

	make_image();
	assert_int_equal(pe_parse(img, FILE_LEN, &pi), 0);
	pi.size_of_image = 0x1000;
	assert_int_equal(pe_load(img, FILE_LEN, &pi, dest, BASE), PE_E_INFO);
	/* A file that no longer parses is refused with its own reason. */
	img[0] = 'X';
	assert_int_equal(pe_load(img, FILE_LEN, &pi, dest, BASE), PE_E_NOT_MZ);
	free(dest);
}

/* ---- bad headers ---- */

static void test_truncated_image_is_refused_at_every_length(void **state)
{
	struct pe_info pi;

	make_image();
	for (size_t len = 0; len < FILE_LEN; len++) {
		int rc = parse_len(len, &pi);
		if (rc >= 0)
			fail_msg("a %zu-byte prefix parsed", len);
	}
	assert_int_equal(parse_len(0, &pi), PE_E_SHORT);
	assert_int_equal(parse_len(1, &pi), PE_E_SHORT);
	assert_int_equal(parse_len(0x3f, &pi), PE_E_SHORT);
	assert_int_equal(parse_len(LFANEW + 23, &pi), PE_E_LFANEW);
	assert_int_equal(parse_len(OPT(111), &pi), PE_E_OPT_SIZE);
	assert_int_equal(parse_len(SEC(NSEC - 1, 39), &pi), PE_E_SECTION_TABLE);
	assert_int_equal(parse_len(HDR_SIZE - 1, &pi), PE_E_HEADERS);
	assert_int_equal(parse_len(FILE_LEN - 1, &pi), PE_E_SECTION_RAW);
}

static void test_not_a_pe_is_refused(void **state)
{
	make_image();
	memcpy(img, "\177ELF", 4);
	assert_parse_error(PE_E_NOT_MZ);
	make_image();
	img[0] = 'V';
	img[1] = 'Z';
	assert_parse_error(PE_E_TE);
	make_image();
	memcpy(img + LFANEW, "PE\0\1", 4);
	assert_parse_error(PE_E_NOT_PE);
	make_image();
	put32(img + 0x3c, 0x20); /* inside the DOS header */
	assert_parse_error(PE_E_LFANEW);
	put32(img + 0x3c, FILE_LEN - 23);
	assert_parse_error(PE_E_LFANEW);
	put32(img + 0x3c, 0xfffffff0);
	assert_parse_error(PE_E_LFANEW);
}

static void test_other_machines_are_named(void **state)
{
	struct pe_info pi;

	make_image();
	put16(img + COFF(0), 0x14c);
	put16(img + OPT(0), 0x10b);
	assert_int_equal(parse(&pi), PE_E_MACHINE);
	assert_int_equal(pi.machine, 0x14c);
	assert_string_equal(pe_machine_name(pi.machine), "i386");
	put16(img + COFF(0), 0xaa64);
	put16(img + OPT(0), 0x20b);
	assert_int_equal(parse(&pi), PE_E_MACHINE);
	assert_string_equal(pe_machine_name(pi.machine), "ARM64");
	put16(img + COFF(0), 0x5064);
	assert_int_equal(parse(&pi), PE_E_MACHINE);
	assert_string_equal(pe_machine_name(pi.machine), "RISC-V 64");
	assert_string_equal(pe_machine_name(0x1234), "unknown");
	assert_string_equal(pe_machine_name(PE_MACHINE_X64), "x86_64");
}

static void test_pe32_and_unknown_magic_are_refused(void **state)
{
	make_image();
	put16(img + OPT(0), 0x10b);
	assert_parse_error(PE_E_PE32);
	put16(img + OPT(0), 0x107); /* a ROM image */
	assert_parse_error(PE_E_MAGIC);
}

static void test_bad_optional_header_size_is_refused(void **state)
{
	make_image();
	put16(img + COFF(16), 100);
	assert_parse_error(PE_E_OPT_SIZE);
	put16(img + COFF(16), 0);
	assert_parse_error(PE_E_OPT_SIZE);
	/* 17 directories do not fit 240 bytes. */
	make_image();
	put32(img + OPT(108), 17);
	assert_parse_error(PE_E_OPT_SIZE);
	put32(img + OPT(108), 0xffffffff);
	assert_parse_error(PE_E_OPT_SIZE);
	/* An optional header past the end of the file. */
	make_image();
	put32(img + 0x3c, FILE_LEN - 0x80);
	memcpy(img + FILE_LEN - 0x80, "PE\0\0", 4);
	put16(img + FILE_LEN - 0x80 + 4, PE_MACHINE_X64);
	put16(img + FILE_LEN - 0x80 + 4 + 16, OPT_SIZE);
	put16(img + FILE_LEN - 0x80 + 24, 0x20b);
	assert_parse_error(PE_E_OPT_SIZE);
}

static void test_object_file_is_refused(void **state)
{
	make_image();
	put16(img + COFF(18), 0x0204);
	assert_parse_error(PE_E_NOT_EXEC);
}

static void test_other_subsystems_are_named(void **state)
{
	struct pe_info pi;

	make_image();
	put16(img + OPT(68), 3);
	assert_int_equal(parse(&pi), PE_E_SUBSYSTEM);
	assert_int_equal(pi.subsystem, 3);
	assert_string_equal(pe_subsystem_name(pi.subsystem), "Windows console");
	put16(img + OPT(68), 13);
	assert_int_equal(parse(&pi), PE_E_SUBSYSTEM);
	assert_string_equal(pe_subsystem_name(pi.subsystem), "EFI ROM");
	put16(img + OPT(68), 0);
	assert_int_equal(parse(&pi), PE_E_SUBSYSTEM);
	assert_string_equal(pe_subsystem_name(10), "EFI application");
	assert_string_equal(pe_subsystem_name(11), "EFI boot service driver");
	assert_string_equal(pe_subsystem_name(12), "EFI runtime driver");
}

static void test_bad_alignment_is_refused(void **state)
{
	static const uint32_t bad[][2] = {
	    {0x1800, 0x200}, /* SectionAlignment not a power of two */
	    {0x1000, 0x300}, /* FileAlignment not a power of two */
	    {0x1000, 0},       {0, 0x200},
	    {0x200, 0x1000}, /* FileAlignment above SectionAlignment */
	    {1u << 22, 0x200},
	};
	struct pe_info pi;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_image();
		put32(img + OPT(32), bad[i][0]);
		put32(img + OPT(36), bad[i][1]);
		assert_parse_error(PE_E_ALIGN);
	}
	/* Small and equal alignments, as iPXE's images have, are fine. */
	make_image();
	put32(img + OPT(32), 0x20);
	put32(img + OPT(36), 0x20);
	assert_int_equal(parse(&pi), 0);
}

static void test_huge_size_of_image_is_refused(void **state)
{
	make_image();
	put32(img + OPT(56), PE_MAX_IMAGE_SIZE + 1);
	assert_parse_error(PE_E_TOO_BIG);
	put32(img + OPT(56), 0xffffffff);
	assert_parse_error(PE_E_TOO_BIG);
	assert_string_equal(pe_strerror(PE_E_TOO_BIG), "SizeOfImage above 1 GiB");
}

static void test_bad_image_base_is_refused(void **state)
{
	make_image();
	put64(img + OPT(24), BASE + 0x800);
	assert_parse_error(PE_E_IMAGE_BASE);
	put64(img + OPT(24), 0xfffffffffffff000ULL);
	assert_parse_error(PE_E_IMAGE_BASE);
}

static void test_bad_section_count_is_refused(void **state)
{
	make_image();
	put16(img + COFF(2), 0);
	assert_parse_error(PE_E_NSECTIONS);
	put16(img + COFF(2), PE_MAX_SECTIONS + 1);
	assert_parse_error(PE_E_NSECTIONS);
	/* 90 headers run past the file's end. */
	put16(img + COFF(2), 90);
	assert_parse_error(PE_E_SECTION_TABLE);
	/* 20 fit the file but not SizeOfHeaders. */
	put16(img + COFF(2), 20);
	assert_parse_error(PE_E_HEADERS);
}

static void test_bad_size_of_headers_is_refused(void **state)
{
	make_image();
	put32(img + OPT(60), SEC(NSEC, 0) - 1);
	assert_parse_error(PE_E_HEADERS);
	put32(img + OPT(60), FILE_LEN + 0x200);
	assert_parse_error(PE_E_HEADERS);
	put32(img + OPT(56), 0x200);
	put32(img + OPT(60), 0x400);
	assert_parse_error(PE_E_HEADERS);
}

static void test_section_raw_data_past_file_is_refused(void **state)
{
	struct pe_info pi;

	make_image();
	put32(img + SEC(S_DATA, 20), FILE_LEN - 0x100);
	assert_parse_error(PE_E_SECTION_RAW);
	put32(img + SEC(S_DATA, 20), 0xffffff00);
	assert_parse_error(PE_E_SECTION_RAW);
	/* The whole SizeOfRawData counts, even past VirtualSize. */
	make_image();
	put32(img + SEC(S_RELOC, 16), 0x400);
	assert_parse_error(PE_E_SECTION_RAW);
	/* No raw data: its pointer is not read. */
	make_image();
	put32(img + SEC(S_DATA, 16), 0);
	put32(img + SEC(S_DATA, 20), 0xffffffff);
	assert_int_equal(parse(&pi), 0);
}

static void test_section_past_size_of_image_is_refused(void **state)
{
	make_image();
	put32(img + SEC(S_RELOC, 8), 0x1001);
	assert_parse_error(PE_E_SECTION_IMAGE);
	make_image();
	put32(img + SEC(S_CMDLINE, 12), 0xfffffff0);
	assert_parse_error(PE_E_SECTION_IMAGE);
	make_image();
	put32(img + SEC(S_CMDLINE, 12), IMG_SIZE);
	assert_parse_error(PE_E_SECTION_IMAGE);
}

static void test_section_over_headers_is_refused(void **state)
{
	make_image();
	put32(img + SEC(S_CMDLINE, 12), HDR_SIZE - 0x10);
	assert_parse_error(PE_E_SECTION_HEADERS);
}

static void test_overlapping_sections_are_refused(void **state)
{
	make_image();
	put32(img + SEC(S_DATA, 12), 0x12ff); /* .text ends at 0x1300 */
	assert_parse_error(PE_E_OVERLAP);
	make_image();
	put32(img + SEC(S_CMDLINE, 12), 0x1000);
	assert_parse_error(PE_E_OVERLAP);
	/* One inside another, listed first. */
	make_image();
	put32(img + SEC(S_TEXT, 12), 0x2800);
	put32(img + OPT(16), 0x2810);
	assert_parse_error(PE_E_OVERLAP);
	/* Touching is not overlapping. */
	make_image();
	struct pe_info pi;
	put32(img + SEC(S_DATA, 12), 0x1300);
	put32(img + SEC(S_DATA, 8), 0x100);
	assert_int_equal(parse(&pi), 0);
}

static void test_bad_entry_point_is_refused(void **state)
{
	make_image();
	put32(img + OPT(16), 0);
	assert_parse_error(PE_E_NO_ENTRY);
	put32(img + OPT(16), 0x1300); /* just past .text */
	assert_parse_error(PE_E_ENTRY);
	put32(img + OPT(16), 0x10); /* the headers */
	assert_parse_error(PE_E_ENTRY);
	put32(img + OPT(16), IMG_SIZE + 0x10);
	assert_parse_error(PE_E_ENTRY);
	put32(img + OPT(16), 0x12ff);
	struct pe_info pi;
	assert_int_equal(parse(&pi), 0);
}

static void test_relocation_directory_outside_image_is_refused(void **state)
{
	make_image();
	put32(img + OPT(112 + 8 * 5), IMG_SIZE - 8);
	assert_parse_error(PE_E_RELOC_DIR);
	put32(img + OPT(112 + 8 * 5), 0xfffffff8);
	assert_parse_error(PE_E_RELOC_DIR);
}

/* ---- bad relocations ---- */

static void test_bad_relocation_block_sizes_are_refused(void **state)
{
	static const uint32_t sizes[] = {0, 4, 7, 13, 1000};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t t[32] = {0};

		make_image();
		put32(t, 0x2000);
		put32(t + 4, sizes[i]);
		set_relocs(t, 16);
		assert_load_error(BASE, PE_E_RELOC_BLOCK);
	}
	/* Four bytes left over after the last block. */
	uint8_t t[32] = {0};
	make_image();
	uint32_t n = reloc_block(t, 0x2000, (uint16_t[]){DIR64(0), ABS}, 2);
	set_relocs(t, n + 4);
	assert_load_error(BASE + 0x1000, PE_E_RELOC_BLOCK);
}

static void test_relocation_outside_image_is_refused(void **state)
{
	uint8_t t[32];

	/* The last 8 bytes of the image can be patched, not one byte more. */
	make_image();
	uint32_t n = reloc_block(t, IMG_SIZE - 0x1000, (uint16_t[]){DIR64(0xff8), ABS}, 2);
	set_relocs(t, n);
	assert_int_equal(load_at(BASE + 0x1000, NULL), 0);
	n = reloc_block(t, IMG_SIZE - 0x1000, (uint16_t[]){DIR64(0xff9), ABS}, 2);
	set_relocs(t, n);
	assert_load_error(BASE + 0x1000, PE_E_RELOC_TARGET);
	n = reloc_block(t, IMG_SIZE - 0x1000, (uint16_t[]){HIGHLOW(0xffd), ABS}, 2);
	set_relocs(t, n);
	assert_load_error(BASE + 0x1000, PE_E_RELOC_TARGET);
	n = reloc_block(t, 0xfffff000, (uint16_t[]){DIR64(0xff8), ABS}, 2);
	set_relocs(t, n);
	assert_load_error(BASE + 0x1000, PE_E_RELOC_TARGET);
	/* Refused at the preferred address too: the table is bad everywhere. */
	assert_load_error(BASE, PE_E_RELOC_TARGET);
	/* Padding entries (ABSOLUTE) point nowhere and are skipped. */
	n = reloc_block(t, 0xfffff000, (uint16_t[]){ABS, ABS}, 2);
	set_relocs(t, n);
	assert_int_equal(load_at(BASE + 0x1000, NULL), 0);
}

static void test_relocation_of_the_table_itself_is_refused(void **state)
{
	uint8_t t[32];

	make_image();
	uint32_t n = reloc_block(t, RELOC_RVA, (uint16_t[]){DIR64(0), ABS}, 2);
	set_relocs(t, n);
	assert_load_error(BASE + 0x1000, PE_E_RELOC_TARGET);
	/* Straddling its first byte from below. */
	n = reloc_block(t, RELOC_RVA - 0x1000, (uint16_t[]){DIR64(0xffc), ABS}, 2);
	set_relocs(t, n);
	assert_load_error(BASE + 0x1000, PE_E_RELOC_TARGET);
}

static void test_other_relocation_types_are_refused(void **state)
{
	static const uint16_t types[] = {1, 2, 4, 5, 9, 11, 15};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint8_t t[32];

		make_image();
		uint32_t n =
		    reloc_block(t, 0x2000, (uint16_t[]){(uint16_t)(types[i] << 12 | 0x20), ABS}, 2);
		set_relocs(t, n);
		assert_load_error(BASE + 0x1000, PE_E_RELOC_TYPE);
	}
}

/* ---- pe_find_section, pe_section_get, pe_strerror ---- */

static void test_find_section(void **state)
{
	struct pe_section s;

	make_image();
	assert_int_equal(pe_find_section(img, FILE_LEN, ".cmdline", &s), 0);
	assert_string_equal(s.name, ".cmdline");
	assert_int_equal(s.file_offset, 0xa00);
	assert_int_equal(s.file_size, 0x20); /* VirtualSize, not the padded raw size */
	assert_int_equal(s.rva, 0x4000);
	assert_int_equal(s.virtual_size, 0x20);
	assert_int_equal(s.characteristics, 0x40000040);
	assert_memory_equal(img + s.file_offset, "console=ttyS0 quiet", 20);

	assert_int_equal(pe_find_section(img, FILE_LEN, ".data", &s), 0);
	assert_int_equal(s.file_offset, 0x800);
	assert_int_equal(s.file_size, 0x200); /* raw data shorter than VirtualSize */
	assert_int_equal(s.virtual_size, 0x1800);

	assert_int_equal(pe_find_section(img, FILE_LEN, ".linux", &s), PE_E_NO_SECTION);
	assert_int_equal(pe_find_section(img, FILE_LEN, ".cmd", &s), PE_E_NO_SECTION);
	assert_int_equal(pe_find_section(img, FILE_LEN, ".cmdlinex", &s), PE_E_NO_SECTION);
	assert_int_equal(pe_find_section(img, FILE_LEN, "", &s), PE_E_NO_SECTION);
	/* Bytes after the NUL that ends a name are not part of it. */
	img[SEC(S_RELOC, 7)] = 1;
	assert_int_equal(pe_find_section(img, FILE_LEN, ".reloc", &s), 0);
	assert_string_equal(s.name, ".reloc");
	assert_int_equal(s.name[7], 0);
	assert_int_equal(s.rva, RELOC_RVA);
	/* An 8-byte name has no NUL. */
	memcpy(img + SEC(S_RELOC, 0), ".sdmagic", 8);
	assert_int_equal(pe_find_section(img, FILE_LEN, ".sdmagic", &s), 0);
	assert_string_equal(s.name, ".sdmagic");
	/* A bad image gives its parse error. */
	put32(img + OPT(16), 0);
	assert_int_equal(pe_find_section(img, FILE_LEN, ".cmdline", &s), PE_E_NO_ENTRY);
}

static void test_section_get_bounds_its_index(void **state)
{
	struct pe_info pi;
	struct pe_section s;

	make_image();
	assert_int_equal(pe_parse(img, FILE_LEN, &pi), 0);
	for (unsigned i = 0; i < NSEC; i++) {
		assert_int_equal(pe_section_get(img, FILE_LEN, &pi, i, &s), 0);
		assert_string_equal(s.name, sections[i].name);
		assert_int_equal(s.rva, sections[i].va);
	}
	assert_int_equal(pe_section_get(img, FILE_LEN, &pi, NSEC, &s), PE_E_INFO);
	/* A description of a longer file does not read past this one. */
	assert_int_equal(pe_section_get(img, SEC(2, 0), &pi, 2, &s), PE_E_INFO);
	assert_int_equal(pe_section_get(img, 0x900, &pi, S_DATA, &s), PE_E_INFO);
}

static void test_every_error_has_its_own_reason(void **state)
{
	for (int e = PE_E_LAST; e < 0; e++) {
		const char *s = pe_strerror(e);

		assert_non_null(s);
		assert_true(strlen(s) > 10);
		assert_string_not_equal(s, "unknown PE error");
		for (int f = e + 1; f < 0; f++)
			assert_string_not_equal(s, pe_strerror(f));
	}
	assert_string_equal(pe_strerror(PE_E_LAST - 1), "unknown PE error");
	assert_string_equal(pe_strerror(1), "unknown PE error");
	assert_string_equal(pe_strerror(0), "no error");
}

/* ---- real images ---- */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("%s is missing: scripts/deps.sh installs it", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static uint8_t *load_real(const uint8_t *f, size_t len, const struct pe_info *pi, uint64_t at)
{
	uint8_t *dest = malloc(pi->size_of_image);

	assert_non_null(dest);
	memset(dest, 0xcc, pi->size_of_image);
	int rc = pe_load(f, len, pi, dest, at);
	if (rc)
		fail_msg("pe_load at %#llx: %s", (unsigned long long)at, pe_strerror(rc));
	return dest;
}

/* Parse path, find section and check its first bytes, then load it at its
 * ImageBase and at two other addresses: the base load is the file's bytes
 * and zeros; the others differ from it only at relocation sites, each moved
 * by its load's distance from ImageBase. At least min_sites DIR64 sites. */
static void check_real_image(const char *path, const char *section, const char *starts,
			     size_t min_sites)
{
	size_t len;
	uint8_t *f = read_file(path, &len);
	struct pe_info pi;
	struct pe_section s;
	int rc = pe_parse(f, len, &pi);

	if (rc)
		fail_msg("%s: %s", path, pe_strerror(rc));
	assert_int_equal(pi.machine, PE_MACHINE_X64);
	assert_int_equal(pi.subsystem, PE_SUBSYSTEM_EFI_APP);
	rc = pe_find_section(f, len, section, &s);
	if (rc)
		fail_msg("%s: section %s: %s", path, section, pe_strerror(rc));
	assert_true(s.file_size >= strlen(starts));
	assert_memory_equal(f + s.file_offset, starts, strlen(starts));

	uint8_t *base = load_real(f, len, &pi, pi.image_base);
	const uint64_t at[2] = {0x10000000, 0x7f1234400000ULL};
	uint8_t *moved[2] = {load_real(f, len, &pi, at[0]), load_real(f, len, &pi, at[1])};

	/* At ImageBase: the headers, each section's content, zeros elsewhere. */
	uint8_t *want = calloc(pi.size_of_image, 1);
	assert_non_null(want);
	memcpy(want, f, pi.size_of_headers);
	for (unsigned i = 0; i < pi.nsections; i++) {
		assert_int_equal(pe_section_get(f, len, &pi, i, &s), 0);
		memcpy(want + s.rva, f + s.file_offset, s.file_size);
	}
	for (size_t i = 0; i < pi.size_of_image; i++)
		if (base[i] != want[i])
			fail_msg("%s at ImageBase: byte %#zx is %#x, want %#x", path, i, base[i],
				 want[i]);

	/* The relocation sites, from the table as loaded. */
	uint8_t *site = calloc(pi.size_of_image, 1);
	assert_non_null(site);
	size_t nsites = 0;
	for (uint32_t p = 0; p < pi.reloc_size;) {
		uint32_t page = get32(base + pi.reloc_rva + p);
		uint32_t bsize = get32(base + pi.reloc_rva + p + 4);
		assert_true(bsize >= 8 && p + bsize <= pi.reloc_size);
		for (uint32_t e = 8; e < bsize; e += 2) {
			uint16_t ent = get16(base + pi.reloc_rva + p + e);
			uint32_t r = page + (ent & 0xfff);
			if (ent >> 12 == 0)
				continue;
			assert_int_equal(ent >> 12, 10); /* x86_64 images use DIR64 only */
			memset(site + r, 1, 8);
			nsites++;
			for (int k = 0; k < 2; k++)
				assert_int_equal(get64(moved[k] + r) - get64(base + r),
						 at[k] - pi.image_base);
		}
		p += bsize;
	}
	if (nsites < min_sites)
		fail_msg("%s: %zu relocation sites, want at least %zu", path, nsites, min_sites);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < pi.size_of_image; i++)
			if (moved[k][i] != base[i] && !site[i])
				fail_msg("%s at %#llx: byte %#zx differs outside relocation sites",
					 path, (unsigned long long)at[k], i);
	print_message("%s: %u sections, %#x bytes, %zu relocation sites\n", path, pi.nsections,
		      pi.size_of_image, nsites);
	free(site);
	free(want);
	free(moved[0]);
	free(moved[1]);
	free(base);
	free(f);
}

static void test_real_linux_efi_stub(void **state)
{
	check_real_image("/usr/lib/systemd/boot/efi/linuxx64.efi.stub", ".sbat", "sbat,1,", 0);
}

static void test_real_systemd_boot(void **state)
{
	check_real_image("/usr/lib/systemd/boot/efi/systemd-bootx64.efi", ".sdmagic",
			 "#### LoaderInfo: systemd-boot", 0);
}

static void test_real_grub_net(void **state)
{
	check_real_image("/usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi", ".sbat", "sbat,1,",
			 1);
}

static void test_real_debian_kernel(void **state)
{
	glob_t g;

	if (glob("/boot/vmlinuz-*-amd64", 0, NULL, &g) || !g.gl_pathc)
		fail_msg("no /boot/vmlinuz-*-amd64: scripts/deps.sh installs Debian's kernel");
	/* x86 Linux's .compat entry: type 1 (IA32), 8 bytes, machine 0x14c. */
	check_real_image(g.gl_pathv[0], ".compat", "\x01\x08\x4c\x01", 0);
	globfree(&g);
}

/* ---- fuzz seeds ---- */

static void write_seed(const char *dir, const char *name, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(img, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

/* The built images as fuzz seeds: the default one and its variants. */
static void write_seeds(const char *dir)
{
	uint8_t t[32];

	make_image();
	write_seed(dir, "good", FILE_LEN);
	put16(img + COFF(18), 0x0207);
	write_seed(dir, "stripped", FILE_LEN);
	make_image();
	put32(img + OPT(112 + 8 * 5), 0);
	put32(img + OPT(112 + 8 * 5 + 4), 0);
	put16(img + OPT(68), PE_SUBSYSTEM_EFI_RUNTIME_DRIVER);
	write_seed(dir, "no-relocs-runtime", FILE_LEN);
	make_image();
	uint32_t n = reloc_block(t, 0x2000, (uint16_t[]){DIR64(0), DIR64(8)}, 2);
	n += reloc_block(t + n, IMG_SIZE - 0x1000, (uint16_t[]){DIR64(0xff8), ABS}, 2);
	set_relocs(t, n);
	write_seed(dir, "dir64-edge", FILE_LEN);
	make_image();
	put32(img + OPT(32), 0x20);
	put32(img + OPT(36), 0x20);
	put32(img + SEC(S_CMDLINE, 8), 0);
	write_seed(dir, "small-align", FILE_LEN);
}

int main(void)
{
	const char *seeds = getenv("WB_PE_SEED_DIR");

	if (seeds) {
		write_seeds(seeds);
		return 0;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_image_parses),
	    cmocka_unit_test(test_driver_subsystems_are_accepted),
	    cmocka_unit_test(test_fewer_data_directories_mean_no_relocations),
	    cmocka_unit_test(test_zero_virtual_size_means_raw_size),
	    cmocka_unit_test(test_load_at_image_base_copies_exactly),
	    cmocka_unit_test(test_relocations_applied_above_image_base),
	    cmocka_unit_test(test_relocations_applied_below_image_base),
	    cmocka_unit_test(test_dir64_reaches_above_4g),
	    cmocka_unit_test(test_highlow_cannot_reach_above_4g),
	    cmocka_unit_test(test_stripped_image_loads_only_at_its_base),
	    cmocka_unit_test(test_image_without_relocations_loads_anywhere),
	    cmocka_unit_test(test_load_address_must_be_aligned),
	    cmocka_unit_test(test_load_refuses_another_files_info),
	    cmocka_unit_test(test_truncated_image_is_refused_at_every_length),
	    cmocka_unit_test(test_not_a_pe_is_refused),
	    cmocka_unit_test(test_other_machines_are_named),
	    cmocka_unit_test(test_pe32_and_unknown_magic_are_refused),
	    cmocka_unit_test(test_bad_optional_header_size_is_refused),
	    cmocka_unit_test(test_object_file_is_refused),
	    cmocka_unit_test(test_other_subsystems_are_named),
	    cmocka_unit_test(test_bad_alignment_is_refused),
	    cmocka_unit_test(test_huge_size_of_image_is_refused),
	    cmocka_unit_test(test_bad_image_base_is_refused),
	    cmocka_unit_test(test_bad_section_count_is_refused),
	    cmocka_unit_test(test_bad_size_of_headers_is_refused),
	    cmocka_unit_test(test_section_raw_data_past_file_is_refused),
	    cmocka_unit_test(test_section_past_size_of_image_is_refused),
	    cmocka_unit_test(test_section_over_headers_is_refused),
	    cmocka_unit_test(test_overlapping_sections_are_refused),
	    cmocka_unit_test(test_bad_entry_point_is_refused),
	    cmocka_unit_test(test_relocation_directory_outside_image_is_refused),
	    cmocka_unit_test(test_bad_relocation_block_sizes_are_refused),
	    cmocka_unit_test(test_relocation_outside_image_is_refused),
	    cmocka_unit_test(test_relocation_of_the_table_itself_is_refused),
	    cmocka_unit_test(test_other_relocation_types_are_refused),
	    cmocka_unit_test(test_find_section),
	    cmocka_unit_test(test_section_get_bounds_its_index),
	    cmocka_unit_test(test_every_error_has_its_own_reason),
	    cmocka_unit_test(test_real_linux_efi_stub),
	    cmocka_unit_test(test_real_systemd_boot),
	    cmocka_unit_test(test_real_grub_net),
	    cmocka_unit_test(test_real_debian_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
