/* PE/COFF images for the UEFI core (efi/pe.c): a pure parser and loader,
 * host-tested and fuzzed. Only what UEFI runs on x86_64: PE32+ images for
 * machine 0x8664 with subsystem 10 (application), 11 (boot service driver)
 * or 12 (runtime driver) (UEFI 2.10 s.2.1.1, "UEFI Images"). The format is
 * Microsoft's "PE Format" specification; efi/pe.c cites it by heading.
 *
 * Errors: every function returns 0 or a negative PE_E_*; pe_strerror()
 * names the reason. When pe_parse refuses the machine or the subsystem,
 * out->machine / out->subsystem hold the value read and pe_machine_name() /
 * pe_subsystem_name() say what it is (an i386 PE32, an ARM64 image, an
 * EFI ROM ...). */
#ifndef WB_PE_H
#define WB_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PE_MACHINE_X64			0x8664
#define PE_SUBSYSTEM_EFI_APP		10
#define PE_SUBSYSTEM_EFI_BOOT_DRIVER	11
#define PE_SUBSYSTEM_EFI_RUNTIME_DRIVER 12

/* Limits wireboot sets (not the format's): a bigger image is refused. */
#define PE_MAX_IMAGE_SIZE    (1u << 30) /* SizeOfImage */
#define PE_MAX_SECTIONS	     96		/* the limit the PE spec gives for Windows */
#define PE_MAX_SECTION_ALIGN (1u << 21) /* a load address aligned to 2 MiB at most */

struct pe_info {
	uint16_t machine;	      /* PE_MACHINE_X64 */
	uint16_t subsystem;	      /* PE_SUBSYSTEM_EFI_* */
	uint16_t characteristics;     /* COFF file header flags */
	uint16_t dll_characteristics; /* 0x100 NX_COMPAT, ... */
	uint64_t image_base;	      /* preferred load address */
	uint32_t size_of_image;	      /* bytes pe_load writes */
	uint32_t size_of_headers;
	uint32_t section_alignment; /* the load address must be a multiple of it */
	uint32_t file_alignment;
	uint32_t entry_rva;		/* inside a section; never 0 */
	uint32_t reloc_rva, reloc_size; /* base relocation directory, 0/0 when none */
	uint16_t nsections;
	bool relocs_stripped;	/* loads only at image_base (IMAGE_FILE_RELOCS_STRIPPED) */
	uint32_t section_table; /* file offset of the section table */
};

/* One section header, bounded: file_offset/file_size are the bytes of its
 * content in the file (min(SizeOfRawData, VirtualSize)), rva/virtual_size
 * where it lies in the loaded image (virtual_size >= file_size; the rest is
 * zero-filled). */
struct pe_section {
	char name[9]; /* NUL-terminated */
	uint32_t file_offset, file_size;
	uint32_t rva, virtual_size;
	uint32_t characteristics; /* IMAGE_SCN_* */
};

enum {
	PE_E_SHORT = -1,	    /* shorter than a DOS header */
	PE_E_NOT_MZ = -2,	    /* no "MZ" */
	PE_E_TE = -3,		    /* a Terse Executable ("VZ") */
	PE_E_LFANEW = -4,	    /* e_lfanew outside the file */
	PE_E_NOT_PE = -5,	    /* no "PE\0\0" at e_lfanew */
	PE_E_MACHINE = -6,	    /* not x86_64: see out->machine */
	PE_E_PE32 = -7,		    /* a 32-bit PE32 optional header */
	PE_E_MAGIC = -8,	    /* an unknown optional header magic */
	PE_E_OPT_SIZE = -9,	    /* optional header too small or past the file */
	PE_E_NOT_EXEC = -10,	    /* IMAGE_FILE_EXECUTABLE_IMAGE clear */
	PE_E_SUBSYSTEM = -11,	    /* not an EFI subsystem: see out->subsystem */
	PE_E_ALIGN = -12,	    /* bad SectionAlignment / FileAlignment */
	PE_E_TOO_BIG = -13,	    /* SizeOfImage above PE_MAX_IMAGE_SIZE */
	PE_E_IMAGE_BASE = -14,	    /* ImageBase + SizeOfImage wraps */
	PE_E_NSECTIONS = -15,	    /* no sections, or more than PE_MAX_SECTIONS */
	PE_E_SECTION_TABLE = -16,   /* section table past the end of the file */
	PE_E_HEADERS = -17,	    /* SizeOfHeaders wrong */
	PE_E_SECTION_RAW = -18,	    /* raw data past the end of the file */
	PE_E_SECTION_IMAGE = -19,   /* a section past SizeOfImage */
	PE_E_SECTION_HEADERS = -20, /* a section over the headers */
	PE_E_OVERLAP = -21,	    /* two sections overlap */
	PE_E_NO_ENTRY = -22,	    /* AddressOfEntryPoint 0 */
	PE_E_ENTRY = -23,	    /* entry point outside every section */
	PE_E_RELOC_DIR = -24,	    /* relocation directory outside the image */
	PE_E_FIXED = -25,	    /* relocations stripped, load_addr != image_base */
	PE_E_LOAD_ADDR = -26,	    /* load_addr misaligned or wrapping */
	PE_E_RELOC_BLOCK = -27,	    /* a relocation block's size is bad */
	PE_E_RELOC_TARGET = -28,    /* a relocation patches outside the image */
	PE_E_RELOC_TYPE = -29,	    /* a relocation type we do not apply */
	PE_E_RELOC_HIGHLOW = -30,   /* a 32-bit relocation cannot reach load_addr */
	PE_E_INFO = -31,	    /* pe_info is not this file's */
	PE_E_NO_SECTION = -32,	    /* no section by that name */
	PE_E_LAST = PE_E_NO_SECTION,
};

/* Validate the PE32+ image in file[0..len) and describe it in *out.
 * 0 or PE_E_*; on error *out holds the fields read so far. */
int pe_parse(const uint8_t *file, size_t len, struct pe_info *out);

/* Copy headers and sections into dest (pi->size_of_image bytes, zero-filled
 * gaps), then apply base relocations for the address the image will run at
 * (load_addr, a multiple of pi->section_alignment; it need not be dest).
 * pi must come from pe_parse of the same file. 0 or PE_E_*; on error dest
 * holds a partial image that must not run. */
int pe_load(const uint8_t *file, size_t len, const struct pe_info *pi, uint8_t *dest,
	    uint64_t load_addr);

/* Section idx (0 .. pi->nsections - 1) of a parsed image. 0 or PE_E_*. */
int pe_section_get(const uint8_t *file, size_t len, const struct pe_info *pi, unsigned idx,
		   struct pe_section *out);

/* The first section named name (".linux", ".initrd", ".cmdline", ".sbat",
 * ...; image section names have at most 8 bytes) of a valid image.
 * 0, PE_E_NO_SECTION, or the image's pe_parse error. */
int pe_find_section(const uint8_t *file, size_t len, const char *name, struct pe_section *out);

/* One reason per PE_E_* code. */
const char *pe_strerror(int err);

/* What a machine type or a subsystem value is, for messages:
 * "x86_64", "i386", "ARM64", ..., "unknown"; "EFI application", ..., "unknown". */
const char *pe_machine_name(uint16_t machine);
const char *pe_subsystem_name(uint16_t subsystem);

#endif
