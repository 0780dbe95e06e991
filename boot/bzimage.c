/* bzImage parsing and boot_params building (Linux boot protocol). */
#include <string.h>
#include <bzimage.h>

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)v); wr16(p + 2, (uint16_t)(v >> 16)); }
static void wr64(uint8_t *p, uint64_t v) { wr32(p, (uint32_t)v); wr32(p + 4, (uint32_t)(v >> 32)); }

int bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *o)
{
	memset(o, 0, sizeof(*o));
	if (len < 0x270)
		return BZ_E_SHORT;
	if (rd16(img + 0x1fe) != 0xaa55 || memcmp(img + 0x202, "HdrS", 4))
		return BZ_E_NOT_BZIMAGE;
	o->version = rd16(img + 0x206);
	if (o->version < BZ_MIN_VERSION)
		return BZ_E_TOO_OLD;
	uint8_t sects = img[0x1f1] ? img[0x1f1] : 4;
	o->setup_size = (uint32_t)(sects + 1) * 512;
	o->hdr_end = 0x202 + (size_t)img[0x201];
	if (o->setup_size >= len || o->hdr_end > o->setup_size || o->hdr_end > BOOT_PARAMS_SIZE)
		return BZ_E_BAD_SIZES;
	o->kernel_size = len - o->setup_size;
	o->xloadflags = o->version >= 0x020c ? rd16(img + 0x236) : 0;
	if (!(o->xloadflags & XLF_KERNEL_64))
		return BZ_E_NOT_64;
	o->initrd_addr_max = rd32(img + 0x22c);
	o->alignment = rd32(img + 0x230);
	o->relocatable = img[0x234];
	o->cmdline_size = o->version >= 0x0206 ? rd32(img + 0x238) : 255;
	o->pref_address = o->version >= 0x020a ? rd64(img + 0x258) : 0x100000;
	o->init_size = o->version >= 0x020a ? rd32(img + 0x260) : 0;
	if (!o->alignment || (o->alignment & (o->alignment - 1)) || o->alignment > (1u << 30))
		return BZ_E_BAD_ALIGN;
	if (o->init_size < o->kernel_size)
		o->init_size = (uint32_t)(o->kernel_size > 0xffffffffu ? 0xffffffffu : o->kernel_size);
	if (o->kernel_size > (1ULL << 31))
		return BZ_E_BAD_SIZES;
	return 0;
}

const char *bzimage_strerror(int err)
{
	switch (err) {
	case BZ_E_SHORT: return "too short to be a kernel";
	case BZ_E_NOT_BZIMAGE: return "not a bzImage (no setup header)";
	case BZ_E_TOO_OLD: return "boot protocol older than 2.06";
	case BZ_E_NOT_64: return "kernel has no 64-bit entry point";
	case BZ_E_BAD_SIZES: return "setup header sizes do not fit the file";
	case BZ_E_BAD_ALIGN: return "impossible kernel alignment";
	default: return "corrupt";
	}
}

static uint32_t e820_type(uint32_t t)
{
	switch (t) {
	case MEM_FREE:
	case MEM_LOADER_CODE:
	case MEM_LOADER_DATA:
	case MEM_BS_CODE:
	case MEM_BS_DATA:
		return E820_RAM;
	case MEM_ACPI_RECLAIM: return E820_ACPI;
	case MEM_ACPI_NVS: return E820_NVS;
	case MEM_UNUSABLE: return E820_UNUSABLE;
	case MEM_PERSISTENT: return E820_PMEM;
	default: return E820_RESERVED;
	}
}

size_t bzimage_e820(const struct memmap *m, struct e820_entry *out, size_t max, size_t *dropped)
{
	size_t n = 0;

	*dropped = 0;
	for (size_t i = 0; i < m->count; i++) {
		uint64_t base = m->r[i].base, size = m->r[i].pages << PAGE_SHIFT;
		uint32_t t = e820_type(m->r[i].type);
		if (n && out[n - 1].type == t && out[n - 1].addr + out[n - 1].size == base) {
			out[n - 1].size += size;
			continue;
		}
		if (n == max) {
			(*dropped)++;
			continue;
		}
		out[n++] = (struct e820_entry){ base, size, t };
	}
	return n;
}

void bzimage_boot_params(uint8_t *bp, const uint8_t *img, const struct bzimage_info *info,
			 const struct bzimage_load *ld)
{
	memset(bp, 0, BOOT_PARAMS_SIZE);
	/* The setup header, as the kernel's own image has it. */
	memcpy(bp + 0x1f1, img + 0x1f1, info->hdr_end - 0x1f1);
	bp[0x210] = 0xff; /* type_of_loader: undefined */
	bp[0x211] |= 0x01; /* loadflags: LOADED_HIGH */
	wr32(bp + 0x228, (uint32_t)ld->cmdline);
	wr32(bp + 0x0c8, (uint32_t)(ld->cmdline >> 32)); /* ext_cmd_line_ptr */
	wr32(bp + 0x218, (uint32_t)ld->ramdisk);
	wr32(bp + 0x21c, (uint32_t)ld->ramdisk_size);
	wr32(bp + 0x0c0, (uint32_t)(ld->ramdisk >> 32)); /* ext_ramdisk_image */
	wr32(bp + 0x0c4, (uint32_t)(ld->ramdisk_size >> 32));
	wr64(bp + 0x070, ld->rsdp); /* acpi_rsdp_addr (2.14+; ignored before) */
	size_t n = ld->e820_count > BZ_E820_MAX ? BZ_E820_MAX : ld->e820_count;
	bp[0x1e8] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = bp + 0x2d0 + 20 * i;
		wr64(e, ld->e820[i].addr);
		wr64(e + 8, ld->e820[i].size);
		wr32(e + 16, ld->e820[i].type);
	}
}
