/* PE/COFF parser and loader for the UEFI core: a pure function of the file's
 * bytes, so host unit tests and the fuzz target run it unchanged.
 *
 * References: Microsoft "PE Format" specification (learn.microsoft.com/
 * windows/win32/debug/pe-format), cited below by its headings; UEFI 2.10
 * s.2.1.1 "UEFI Images" (PE32+, machine and subsystem values) and s.7.4
 * "Image Services" (LoadImage/StartImage).
 *
 * Decisions where images in the wild differ from the letter of the spec:
 * - A section's VirtualAddress need not be a multiple of SectionAlignment and
 *   SizeOfImage need not be one either: systemd's own linuxx64.efi.stub has
 *   .sdmagic at 0x19100 with SectionAlignment 0x200 and SizeOfImage 0x19300.
 * - FileAlignment may be below 512 (iPXE's images use 0x20), as long as it is
 *   a power of two no larger than SectionAlignment.
 * - Sections need not be adjacent, only disjoint, inside SizeOfImage and
 *   above the headers.
 * - IMAGE_FILE_DLL is not refused (iPXE sets it); an entry point is what
 *   matters. AddressOfEntryPoint 0 is refused for every subsystem: StartImage
 *   calls the entry point of applications and drivers alike (UEFI s.7.4), so
 *   an image without one cannot run. The entry must lie inside a section.
 * - An image with no base relocation directory and IMAGE_FILE_RELOCS_STRIPPED
 *   clear (Linux's EFI stub) is position independent: it loads anywhere.
 * - VirtualSize 0 means SizeOfRawData (old linkers), as EDK2 reads it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pe.h>

/* "MS-DOS Stub (Image Only)": e_lfanew at 0x3c. */
#define DOS_HDR_SIZE 0x40
#define DOS_LFANEW   0x3c
/* "Signature (Image Only)" + "COFF File Header (Object and Image)". */
#define PE_SIG_SIZE   4
#define COFF_HDR_SIZE 20
/* "Optional Header (Image Only)": PE32+ fixed part, then data directories. */
#define OPT_MAGIC_PE32	   0x10b
#define OPT_MAGIC_PE32PLUS 0x20b
#define OPT_FIXED_SIZE	   112
#define OPT_DIR_RELOC	   5 /* "Optional Header Data Directories": Base Relocation Table */
/* "Section Table (Section Headers)". */
#define SECTION_HDR_SIZE 40
/* "Characteristics" of the COFF header. */
#define IMAGE_FILE_RELOCS_STRIPPED  0x0001
#define IMAGE_FILE_EXECUTABLE_IMAGE 0x0002
/* "Base Relocation Types". */
#define REL_BASED_ABSOLUTE 0
#define REL_BASED_HIGHLOW  3
#define REL_BASED_DIR64	   10

static uint16_t pe_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t pe_rd32(const uint8_t *p)
{
	return (uint32_t)pe_rd16(p) | (uint32_t)pe_rd16(p + 2) << 16;
}

static uint64_t pe_rd64(const uint8_t *p)
{
	return pe_rd32(p) | (uint64_t)pe_rd32(p + 4) << 32;
}

static void pe_wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void pe_wr64(uint8_t *p, uint64_t v)
{
	pe_wr32(p, (uint32_t)v);
	pe_wr32(p + 4, (uint32_t)(v >> 32));
}

static bool pe_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* The raw section header idx, read without checks (the caller bounded it). */
struct pe_shdr {
	uint32_t vsize, va, raw_size, raw_ptr, flags;
};

static struct pe_shdr pe_shdr_read(const uint8_t *file, uint32_t table, unsigned idx)
{
	const uint8_t *h = file + table + (size_t)idx * SECTION_HDR_SIZE;

	return (struct pe_shdr){pe_rd32(h + 8), pe_rd32(h + 12), pe_rd32(h + 16), pe_rd32(h + 20),
				pe_rd32(h + 36)};
}

/* Bytes a section occupies in memory: VirtualSize, or SizeOfRawData when
 * VirtualSize is 0 ("Section Table": VirtualSize is 0 in object files). */
static uint32_t pe_shdr_mem_size(const struct pe_shdr *s)
{
	return s->vsize ? s->vsize : s->raw_size;
}

/* Bytes of the section's content in the file: "If SizeOfRawData is greater
 * than VirtualSize, the remainder is padding" ("Section Table"). */
static uint32_t pe_shdr_file_size(const struct pe_shdr *s)
{
	uint32_t m = pe_shdr_mem_size(s);

	return s->raw_size < m ? s->raw_size : m;
}

/* DOS header, PE signature, COFF header: machine and section count. */
static int pe_parse_coff(const uint8_t *file, size_t len, struct pe_info *out, uint32_t *lfanew)
{
	if (len >= 2 && file[0] == 'V' && file[1] == 'Z')
		return PE_E_TE; /* UEFI PI spec vol. 1 "TE Image": no loader for it here */
	if (len >= 2 && (file[0] != 'M' || file[1] != 'Z'))
		return PE_E_NOT_MZ;
	if (len < DOS_HDR_SIZE)
		return PE_E_SHORT;
	uint64_t pe = pe_rd32(file + DOS_LFANEW);
	if (pe < DOS_HDR_SIZE || pe + PE_SIG_SIZE + COFF_HDR_SIZE > len)
		return PE_E_LFANEW;
	if (memcmp(file + pe, "PE\0\0", 4))
		return PE_E_NOT_PE;
	/* "COFF File Header": Machine, NumberOfSections, ...,
	 * SizeOfOptionalHeader at 16, Characteristics at 18. */
	const uint8_t *coff = file + pe + PE_SIG_SIZE;
	out->machine = pe_rd16(coff);
	out->nsections = pe_rd16(coff + 2);
	out->characteristics = pe_rd16(coff + 18);
	if (out->machine != PE_MACHINE_X64)
		return PE_E_MACHINE;
	*lfanew = (uint32_t)pe;
	return 0;
}

/* The optional header ("Optional Header Standard Fields", "Windows-Specific
 * Fields", "Data Directories"); sets *table to the section table's offset. */
static int pe_parse_optional(const uint8_t *file, size_t len, uint32_t lfanew, struct pe_info *out,
			     uint64_t *table)
{
	uint64_t opt_off = (uint64_t)lfanew + PE_SIG_SIZE + COFF_HDR_SIZE;
	uint32_t opt_size = pe_rd16(file + lfanew + PE_SIG_SIZE + 16);

	if (opt_size < 2 || opt_off + 2 > len)
		return PE_E_OPT_SIZE;
	const uint8_t *opt = file + opt_off;
	uint16_t magic = pe_rd16(opt);
	if (magic == OPT_MAGIC_PE32)
		return PE_E_PE32;
	if (magic != OPT_MAGIC_PE32PLUS)
		return PE_E_MAGIC;
	if (opt_size < OPT_FIXED_SIZE || opt_off + opt_size > len)
		return PE_E_OPT_SIZE;

	out->entry_rva = pe_rd32(opt + 16);
	out->image_base = pe_rd64(opt + 24);
	out->section_alignment = pe_rd32(opt + 32);
	out->file_alignment = pe_rd32(opt + 36);
	out->size_of_image = pe_rd32(opt + 56);
	out->size_of_headers = pe_rd32(opt + 60);
	out->subsystem = pe_rd16(opt + 68);
	out->dll_characteristics = pe_rd16(opt + 70);
	uint32_t ndirs = pe_rd32(opt + 108);
	if (OPT_FIXED_SIZE + 8 * (uint64_t)ndirs > opt_size)
		return PE_E_OPT_SIZE;
	if (ndirs > OPT_DIR_RELOC) {
		out->reloc_rva = pe_rd32(opt + OPT_FIXED_SIZE + 8 * OPT_DIR_RELOC);
		out->reloc_size = pe_rd32(opt + OPT_FIXED_SIZE + 8 * OPT_DIR_RELOC + 4);
		if (!out->reloc_size)
			out->reloc_rva = 0;
	}
	*table = opt_off + opt_size;
	return 0;
}

/* The image-wide fields: flags, subsystem, alignment, sizes. */
static int pe_check_image(const struct pe_info *pi)
{
	if (!(pi->characteristics & IMAGE_FILE_EXECUTABLE_IMAGE))
		return PE_E_NOT_EXEC;
	/* UEFI s.2.1.1: the subsystems UEFI defines for images it runs. */
	if (pi->subsystem != PE_SUBSYSTEM_EFI_APP &&
	    pi->subsystem != PE_SUBSYSTEM_EFI_BOOT_DRIVER &&
	    pi->subsystem != PE_SUBSYSTEM_EFI_RUNTIME_DRIVER)
		return PE_E_SUBSYSTEM;
	/* "Optional Header Windows-Specific Fields": SectionAlignment "must be
	 * greater than or equal to FileAlignment", FileAlignment a power of 2. */
	if (!pe_pow2(pi->section_alignment) || !pe_pow2(pi->file_alignment) ||
	    pi->file_alignment > pi->section_alignment ||
	    pi->section_alignment > PE_MAX_SECTION_ALIGN)
		return PE_E_ALIGN;
	if (pi->size_of_image > PE_MAX_IMAGE_SIZE)
		return PE_E_TOO_BIG;
	if (pi->image_base % pi->section_alignment ||
	    pi->image_base + pi->size_of_image < pi->image_base)
		return PE_E_IMAGE_BASE;
	return 0;
}

/* Each section bounded by the file and the image, clear of the headers and of
 * the others ("Section Table (Section Headers)"). */
static int pe_check_sections(const uint8_t *file, size_t len, const struct pe_info *pi)
{
	for (unsigned i = 0; i < pi->nsections; i++) {
		struct pe_shdr s = pe_shdr_read(file, pi->section_table, i);
		uint64_t mem = pe_shdr_mem_size(&s);

		if (s.raw_size && (uint64_t)s.raw_ptr + s.raw_size > len)
			return PE_E_SECTION_RAW;
		if (!mem)
			continue;
		if ((uint64_t)s.va + mem > pi->size_of_image)
			return PE_E_SECTION_IMAGE;
		if (s.va < pi->size_of_headers)
			return PE_E_SECTION_HEADERS;
		for (unsigned j = 0; j < i; j++) {
			struct pe_shdr t = pe_shdr_read(file, pi->section_table, j);
			uint64_t tmem = pe_shdr_mem_size(&t);

			if (tmem && s.va < (uint64_t)t.va + tmem && t.va < s.va + mem)
				return PE_E_OVERLAP;
		}
	}
	return 0;
}

/* The entry point lies inside a section ("Optional Header Standard Fields":
 * AddressOfEntryPoint, relative to the image base). */
static int pe_check_entry(const uint8_t *file, const struct pe_info *pi)
{
	if (!pi->entry_rva)
		return PE_E_NO_ENTRY;
	for (unsigned i = 0; i < pi->nsections; i++) {
		struct pe_shdr s = pe_shdr_read(file, pi->section_table, i);

		if (pi->entry_rva >= s.va && pi->entry_rva - s.va < pe_shdr_mem_size(&s))
			return 0;
	}
	return PE_E_ENTRY;
}

/* Validate the PE32+ image in file[0..len) and describe it. 0 or PE_E_*. */
int pe_parse(const uint8_t *file, size_t len, struct pe_info *out)
{
	uint32_t lfanew;
	uint64_t table;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pe_parse_coff(file, len, out, &lfanew);
	if (!rc)
		rc = pe_parse_optional(file, len, lfanew, out, &table);
	if (!rc)
		rc = pe_check_image(out);
	if (rc)
		return rc;
	out->relocs_stripped = out->characteristics & IMAGE_FILE_RELOCS_STRIPPED;

	if (!out->nsections || out->nsections > PE_MAX_SECTIONS)
		return PE_E_NSECTIONS;
	uint64_t table_end = table + (uint64_t)out->nsections * SECTION_HDR_SIZE;
	if (table_end > len)
		return PE_E_SECTION_TABLE;
	out->section_table = (uint32_t)table;
	/* "SizeOfHeaders: the combined size of an MS-DOS stub, PE header, and
	 * section headers rounded up to a multiple of FileAlignment." */
	if (out->size_of_headers < table_end || out->size_of_headers > len ||
	    out->size_of_headers > out->size_of_image)
		return PE_E_HEADERS;

	rc = pe_check_sections(file, len, out);
	if (!rc)
		rc = pe_check_entry(file, out);
	if (rc)
		return rc;
	/* "The .reloc Section (Image Only)": the directory is an RVA, read from
	 * the loaded image. */
	if (out->reloc_size && (uint64_t)out->reloc_rva + out->reloc_size > out->size_of_image)
		return PE_E_RELOC_DIR;
	return 0;
}

/* Section idx of a parsed image, bounded again by len. 0 or PE_E_*. */
int pe_section_get(const uint8_t *file, size_t len, const struct pe_info *pi, unsigned idx,
		   struct pe_section *out)
{
	memset(out, 0, sizeof(*out));
	if (idx >= pi->nsections ||
	    (uint64_t)pi->section_table + (uint64_t)(idx + 1) * SECTION_HDR_SIZE > len)
		return PE_E_INFO;
	struct pe_shdr s = pe_shdr_read(file, pi->section_table, idx);
	/* NUL-padded; bytes after a NUL are not part of the name. */
	memcpy(out->name, file + pi->section_table + (size_t)idx * SECTION_HDR_SIZE, 8);
	out->name[8] = 0;
	memset(out->name + strlen(out->name), 0, 9 - strlen(out->name));
	out->file_size = pe_shdr_file_size(&s);
	out->file_offset = out->file_size ? s.raw_ptr : 0;
	if ((uint64_t)out->file_offset + out->file_size > len)
		return PE_E_INFO;
	out->rva = s.va;
	out->virtual_size = pe_shdr_mem_size(&s);
	out->characteristics = s.flags;
	return 0;
}

/* The first section named name in a valid image. 0 or PE_E_*. */
int pe_find_section(const uint8_t *file, size_t len, const char *name, struct pe_section *out)
{
	struct pe_info pi;
	size_t n = strlen(name);
	int rc = pe_parse(file, len, &pi);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	/* "Section Table": an 8-byte, NUL-padded name; images have no string
	 * table for longer ones. What follows a NUL is not compared. */
	if (!n || n > 8)
		return PE_E_NO_SECTION;
	for (unsigned i = 0; i < pi.nsections; i++)
		if (!strncmp((const char *)file + pi.section_table + (size_t)i * SECTION_HDR_SIZE,
			     name, 8))
			return pe_section_get(file, len, &pi, i, out);
	return PE_E_NO_SECTION;
}

/* Apply one base relocation of the given type at rva, shifting by delta.
 * "Base Relocation Types": HIGHLOW adds the low 32 bits of the difference
 * to a 32-bit field, DIR64 the difference to a 64-bit field. */
static int pe_reloc_apply(uint8_t *dest, const struct pe_info *pi, unsigned type, uint64_t rva,
			  uint64_t delta)
{
	unsigned width = type == REL_BASED_DIR64 ? 8 : 4;

	if (type != REL_BASED_DIR64 && type != REL_BASED_HIGHLOW)
		return PE_E_RELOC_TYPE;
	if (rva + width > pi->size_of_image)
		return PE_E_RELOC_TARGET;
	/* A patch inside the table being walked would change what follows. */
	if (rva < (uint64_t)pi->reloc_rva + pi->reloc_size && pi->reloc_rva < rva + width)
		return PE_E_RELOC_TARGET;
	if (type == REL_BASED_DIR64) {
		pe_wr64(dest + rva, pe_rd64(dest + rva) + delta);
		return 0;
	}
	/* A 32-bit absolute address must still be one after the move. */
	uint64_t v = pe_rd32(dest + rva) + delta;
	if (v > UINT32_MAX)
		return PE_E_RELOC_HIGHLOW;
	pe_wr32(dest + rva, (uint32_t)v);
	return 0;
}

/* Walk the base relocation table in the loaded image and apply it.
 * "Base Relocation Block": Page RVA (4), Block Size (4, header included),
 * then 16-bit entries: type in the top 4 bits, offset in the low 12. */
static int pe_relocate(uint8_t *dest, const struct pe_info *pi, uint64_t delta)
{
	const uint8_t *dir = dest + pi->reloc_rva;
	uint32_t size = pi->reloc_size;

	for (uint32_t p = 0; p < size;) {
		if (size - p < 8)
			return PE_E_RELOC_BLOCK;
		uint32_t page = pe_rd32(dir + p);
		uint32_t bsize = pe_rd32(dir + p + 4);
		if (bsize < 8 || bsize % 2 || bsize > size - p)
			return PE_E_RELOC_BLOCK;
		for (uint32_t e = p + 8; e < p + bsize; e += 2) {
			uint16_t ent = pe_rd16(dir + e);
			unsigned type = ent >> 12;

			if (type == REL_BASED_ABSOLUTE) /* padding */
				continue;
			int rc =
			    pe_reloc_apply(dest, pi, type, (uint64_t)page + (ent & 0xfff), delta);
			if (rc)
				return rc;
		}
		p += bsize;
	}
	return 0;
}

/* Copy the headers and sections into dest, zero-filled, then relocate for
 * load_addr. 0 or PE_E_*. */
int pe_load(const uint8_t *file, size_t len, const struct pe_info *pi, uint8_t *dest,
	    uint64_t load_addr)
{
	struct pe_info me;
	int rc = pe_parse(file, len, &me);

	if (rc)
		return rc;
	/* dest was sized from pi: it must be this file's description. */
	if (pi->size_of_image != me.size_of_image || pi->section_table != me.section_table ||
	    pi->nsections != me.nsections || pi->image_base != me.image_base)
		return PE_E_INFO;
	if (load_addr % me.section_alignment || load_addr + me.size_of_image < load_addr)
		return PE_E_LOAD_ADDR;
	if (me.relocs_stripped && load_addr != me.image_base)
		return PE_E_FIXED;

	memset(dest, 0, me.size_of_image);
	memcpy(dest, file, me.size_of_headers);
	for (unsigned i = 0; i < me.nsections; i++) {
		struct pe_section s;

		rc = pe_section_get(file, len, &me, i, &s);
		if (rc)
			return rc;
		if (s.file_size)
			memcpy(dest + s.rva, file + s.file_offset, s.file_size);
	}
	/* Walked at every address, so a bad table is refused at every one. */
	return pe_relocate(dest, &me, load_addr - me.image_base);
}

/* One reason per PE_E_* code. */
const char *pe_strerror(int err)
{
	static const char *const why[] = {
	    [-PE_E_SHORT] = "file too short for a DOS header (truncated?)",
	    [-PE_E_NOT_MZ] = "no MZ signature: not a PE/COFF image",
	    [-PE_E_TE] = "a TE (Terse Executable) image: not supported",
	    [-PE_E_LFANEW] = "e_lfanew points outside the file (truncated?)",
	    [-PE_E_NOT_PE] = "no PE signature at e_lfanew (a DOS program?)",
	    [-PE_E_MACHINE] = "machine is not x86_64",
	    [-PE_E_PE32] = "a 32-bit PE32 image: only PE32+ runs on x86_64",
	    [-PE_E_MAGIC] = "unknown optional header magic (not PE32+)",
	    [-PE_E_OPT_SIZE] = "optional header too small for PE32+ and its data directories, "
			       "or past the end of the file",
	    [-PE_E_NOT_EXEC] = "not marked executable (an object file or a linker error)",
	    [-PE_E_SUBSYSTEM] = "subsystem is not an EFI application, boot service driver "
				"or runtime driver",
	    [-PE_E_ALIGN] = "SectionAlignment or FileAlignment not a power of two, "
			    "FileAlignment above SectionAlignment, or SectionAlignment above 2 MiB",
	    [-PE_E_TOO_BIG] = "SizeOfImage above 1 GiB",
	    [-PE_E_IMAGE_BASE] = "ImageBase not a multiple of SectionAlignment, or ImageBase + "
				 "SizeOfImage past 2^64",
	    [-PE_E_NSECTIONS] = "no sections, or more than 96",
	    [-PE_E_SECTION_TABLE] = "section table past the end of the file (truncated?)",
	    [-PE_E_HEADERS] = "SizeOfHeaders does not cover the section table, or exceeds the "
			      "file or SizeOfImage",
	    [-PE_E_SECTION_RAW] = "a section's raw data lies past the end of the file (truncated?)",
	    [-PE_E_SECTION_IMAGE] = "a section lies past SizeOfImage",
	    [-PE_E_SECTION_HEADERS] = "a section overlaps the headers",
	    [-PE_E_OVERLAP] = "two sections overlap",
	    [-PE_E_NO_ENTRY] = "no entry point (AddressOfEntryPoint 0: a DLL or a data image)",
	    [-PE_E_ENTRY] = "entry point outside every section",
	    [-PE_E_RELOC_DIR] = "base relocation directory outside the image",
	    [-PE_E_FIXED] = "relocations stripped: the image runs only at its ImageBase",
	    [-PE_E_LOAD_ADDR] = "load address not a multiple of SectionAlignment, or the image "
				"would pass 2^64",
	    [-PE_E_RELOC_BLOCK] = "a base relocation block's size is below 8, odd, or past "
				  "the directory",
	    [-PE_E_RELOC_TARGET] = "a base relocation patches outside the image or the "
				   "relocation table",
	    [-PE_E_RELOC_TYPE] = "a base relocation type other than ABSOLUTE, HIGHLOW, DIR64",
	    [-PE_E_RELOC_HIGHLOW] = "a 32-bit HIGHLOW relocation cannot reach the load address "
				    "(above 4 GiB?)",
	    [-PE_E_INFO] = "image description does not match the file (loader bug)",
	    [-PE_E_NO_SECTION] = "no section by that name",
	};

	if (err == 0)
		return "no error";
	if (err < PE_E_LAST || err > 0 || !why[-err])
		return "unknown PE error";
	return why[-err];
}

/* "Machine Types" of the COFF header, for messages. */
const char *pe_machine_name(uint16_t machine)
{
	switch (machine) {
	case 0x8664:
		return "x86_64";
	case 0x014c:
		return "i386";
	case 0xaa64:
		return "ARM64";
	case 0x01c0:
	case 0x01c2:
	case 0x01c4:
		return "32-bit ARM";
	case 0x0200:
		return "Itanium";
	case 0x0ebc:
		return "EFI byte code";
	case 0x5032:
		return "RISC-V 32";
	case 0x5064:
		return "RISC-V 64";
	case 0x6232:
		return "LoongArch 32";
	case 0x6264:
		return "LoongArch 64";
	default:
		return "unknown";
	}
}

/* "Windows Subsystem" values of the optional header, for messages. */
const char *pe_subsystem_name(uint16_t subsystem)
{
	switch (subsystem) {
	case 1:
		return "native Windows";
	case 2:
		return "Windows GUI";
	case 3:
		return "Windows console";
	case PE_SUBSYSTEM_EFI_APP:
		return "EFI application";
	case PE_SUBSYSTEM_EFI_BOOT_DRIVER:
		return "EFI boot service driver";
	case PE_SUBSYSTEM_EFI_RUNTIME_DRIVER:
		return "EFI runtime driver";
	case 13:
		return "EFI ROM";
	case 16:
		return "Windows boot application";
	default:
		return "unknown";
	}
}
