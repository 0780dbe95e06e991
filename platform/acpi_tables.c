/* ACPI table parsing: RSDP/SDT validation, FADT fields, \_S5, MCFG, and
 * QEMU's table-loader script. Every length is bounded by the buffer. */
#include <string.h>
#include <acpi_tables.h>
#include <format.h>

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum;
}

bool acpi_rsdp_valid(const void *p, size_t avail)
{
	const struct acpi_rsdp *r = p;

	if (avail < 20 || memcmp(r->sig, "RSD PTR ", 8) || acpi_checksum(p, 20))
		return false;
	if (r->revision < 2)
		return true;
	if (avail < sizeof(*r) || r->length < sizeof(*r) || r->length > avail)
		return false;
	return acpi_checksum(p, r->length) == 0;
}

bool acpi_sdt_valid(const void *p, size_t avail)
{
	const struct acpi_sdt_hdr *h = p;

	if (avail < sizeof(*h) || h->length < sizeof(*h) || h->length > avail)
		return false;
	return acpi_checksum(p, h->length) == 0;
}

static uint32_t rd32(const uint8_t *p);

size_t acpi_build_rsdp2(const struct acpi_rsdp *old, const void *rsdt, size_t rsdt_len,
			uint8_t *out, size_t cap, uint64_t out_addr)
{
	const struct acpi_sdt_hdr *h = rsdt;

	if (rsdt_len < sizeof(*h) || h->length < sizeof(*h) || h->length > rsdt_len ||
	    memcmp(h->sig, "RSDT", 4) || (h->length - sizeof(*h)) % 4)
		return 0;
	size_t n = (h->length - sizeof(*h)) / 4;
	size_t xsdt_off = (sizeof(struct acpi_rsdp) + 15) & ~(size_t)15;
	size_t xsdt_len = sizeof(*h) + 8 * n;
	if (xsdt_off + xsdt_len > cap || xsdt_len > UINT32_MAX)
		return 0;
	memset(out, 0, xsdt_off + xsdt_len);
	/* The XSDT: the RSDT's header and entries, each widened to 64 bits. */
	struct acpi_sdt_hdr *x = (struct acpi_sdt_hdr *)(out + xsdt_off);
	memcpy(x, h, sizeof(*h));
	memcpy(x->sig, "XSDT", 4);
	x->length = (uint32_t)xsdt_len;
	x->revision = 1;
	const uint8_t *e = (const uint8_t *)rsdt + sizeof(*h);
	for (size_t i = 0; i < n; i++) {
		uint64_t a = rd32(e + 4 * i);
		memcpy((uint8_t *)(x + 1) + 8 * i, &a, 8);
	}
	x->checksum = 0;
	x->checksum = (uint8_t)-acpi_checksum(x, xsdt_len);
	/* ACPI 6.5 s.5.2.5.3: revision 2, the RSDT kept, the XSDT added. */
	struct acpi_rsdp *r = (struct acpi_rsdp *)out;
	memcpy(r, old, 20);
	r->revision = 2;
	r->length = sizeof(*r);
	r->xsdt = out_addr + xsdt_off;
	r->checksum = 0;
	r->checksum = (uint8_t)-acpi_checksum(r, 20);
	r->ext_checksum = 0;
	r->ext_checksum = (uint8_t)-acpi_checksum(r, sizeof(*r));
	return xsdt_off + xsdt_len;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

void acpi_fadt_parse(const void *fadt, size_t len, struct acpi_fadt_info *out)
{
	const uint8_t *f = fadt;

	memset(out, 0, sizeof(*out));
	/* ACPI 6.5 s.5.2.9, Table 5.9: field offsets. */
	if (len >= 44)
		out->dsdt = rd32(f + 40);
	if (len >= 68)
		out->pm1a_cnt = rd32(f + 64);
	if (len >= 72)
		out->pm1b_cnt = rd32(f + 68);
	if (len >= 80)
		out->pm_tmr = rd32(f + 76);
	if (len >= 116)
		out->flags = rd32(f + 112);
	if (len >= 129) {
		memcpy(&out->reset_reg, f + 116, sizeof(out->reset_reg));
		out->reset_value = f[128];
	}
	if (len >= 148 && rd64(f + 140))
		out->dsdt = rd64(f + 140);
	if (len >= 184) {
		struct acpi_gas g;
		memcpy(&g, f + 172, sizeof(g));
		if (g.space == 1 && g.address && g.address < 0x10000)
			out->pm1a_cnt = (uint32_t)g.address;
	}
	if (len >= 256)
		memcpy(&out->sleep_ctl, f + 244, sizeof(out->sleep_ctl));
}

/* AML integer data object at p: ZeroOp, OneOp, BytePrefix n. */
static bool aml_small_int(const uint8_t *p, const uint8_t *end, uint8_t *v)
{
	if (p >= end)
		return false;
	if (p[0] == 0x00 || p[0] == 0x01) {
		*v = p[0];
		return true;
	}
	if (p[0] == 0x0a && p + 1 < end) {
		*v = p[1];
		return true;
	}
	return false;
}

bool acpi_find_s5(const void *aml, size_t len, uint8_t *slp_typ)
{
	const uint8_t *b = aml, *end = b + len;

	/* ACPI 6.5 s.20.2.5.1: NameOp '_S5_' PackageOp PkgLength NumElements
	 * elements..., optionally with the root prefix '\' before the name. */
	for (size_t i = 1; i + 4 < len; i++) {
		if (memcmp(b + i, "_S5_", 4))
			continue;
		if (!(b[i - 1] == 0x08 || (b[i - 1] == '\\' && i >= 2 && b[i - 2] == 0x08)))
			continue;
		size_t at = i + 4;
		if (at >= len || b[at] != 0x12)
			continue;
		at++;
		if (at >= len)
			return false;
		/* PkgLength: lead byte + 0..3 more bytes, then NumElements. */
		size_t skip = 1 + (size_t)(b[at] >> 6) + 1;
		if (skip >= len - at)
			return false;
		at += skip;
		if (aml_small_int(b + at, end, slp_typ))
			return true;
	}
	return false;
}

bool acpi_mcfg_parse(const void *mcfg, size_t len, struct acpi_mcfg_alloc *out)
{
	const uint8_t *m = mcfg;

	/* Header (36) + 8 reserved, then 16-byte allocation entries. */
	for (size_t off = 44; off + 16 <= len; off += 16) {
		struct acpi_mcfg_alloc a = { rd64(m + off), (uint16_t)(m[off + 8] | m[off + 9] << 8),
					     m[off + 10], m[off + 11] };
		if (a.segment == 0 && a.base && a.bus_end >= a.bus_start) {
			*out = a;
			return true;
		}
	}
	return false;
}

/* QEMU hw/acpi/bios-linker-loader.c: 128-byte commands. */
#define LOADER_CMD_SIZE 128
#define LOADER_ALLOCATE 1
#define LOADER_ADD_POINTER 2
#define LOADER_ADD_CHECKSUM 3
#define LOADER_WRITE_POINTER 4

static void loader_fail(struct acpi_loader *l, const char *fmt, const char *name)
{
	if (!l->error[0])
		format_buf(l->error, sizeof(l->error), fmt, name);
}

/* Copy a fixed-size name field; false if it has no terminating NUL. */
static bool loader_name(const uint8_t *field, char *out)
{
	if (!memchr(field, 0, ACPI_LOADER_NAME))
		return false;
	memcpy(out, field, ACPI_LOADER_NAME);
	return true;
}

static struct acpi_loader_file *loader_file(struct acpi_loader *l, const char *name)
{
	for (size_t i = 0; i < l->nfiles; i++)
		if (!strcmp(l->file[i].name, name))
			return &l->file[i];
	return NULL;
}

static int loader_allocate(struct acpi_loader *l, const uint8_t *c,
			   const struct acpi_loader_ops *ops)
{
	char name[ACPI_LOADER_NAME];
	uint32_t align = rd32(c + 4 + ACPI_LOADER_NAME);
	uint8_t zone = c[4 + ACPI_LOADER_NAME + 4];

	if (!loader_name(c + 4, name))
		return loader_fail(l, "allocate: file name not terminated%s", ""), -1;
	if (align == 0 || (align & (align - 1)) || align > 4096)
		return loader_fail(l, "allocate %s: bad alignment", name), -1;
	if (loader_file(l, name))
		return loader_fail(l, "allocate %s: file allocated twice", name), -1;
	if (l->nfiles == ACPI_LOADER_FILES)
		return loader_fail(l, "allocate %s: too many files", name), -1;
	struct acpi_loader_file *f = &l->file[l->nfiles];
	f->data = ops->load(ops->ctx, name, align, zone, &f->size);
	if (!f->data)
		return loader_fail(l, "allocate %s: cannot load it", name), -1;
	memcpy(f->name, name, sizeof(name));
	l->nfiles++;
	if (!strcmp(name, "etc/acpi/rsdp"))
		l->rsdp = (uintptr_t)f->data;
	return 0;
}

static int loader_add_pointer(struct acpi_loader *l, const uint8_t *c)
{
	char dst_name[ACPI_LOADER_NAME], src_name[ACPI_LOADER_NAME];

	if (!loader_name(c + 4, dst_name) || !loader_name(c + 4 + ACPI_LOADER_NAME, src_name))
		return loader_fail(l, "add-pointer: file name not terminated%s", ""), -1;
	uint32_t off = rd32(c + 4 + 2 * ACPI_LOADER_NAME);
	uint8_t size = c[4 + 2 * ACPI_LOADER_NAME + 4];
	struct acpi_loader_file *dst = loader_file(l, dst_name), *src = loader_file(l, src_name);
	if (!dst || !src)
		return loader_fail(l, "add-pointer into %s: file not allocated", dst_name), -1;
	if (!(size == 1 || size == 2 || size == 4 || size == 8) || off > dst->size ||
	    size > dst->size - off)
		return loader_fail(l, "add-pointer into %s: out of bounds", dst_name), -1;
	uint64_t v = 0;
	memcpy(&v, dst->data + off, size);
	v += (uintptr_t)src->data;
	if (size < 8 && (v >> (size * 8)))
		return loader_fail(l, "add-pointer into %s: address does not fit", dst_name), -1;
	memcpy(dst->data + off, &v, size);
	return 0;
}

static int loader_add_checksum(struct acpi_loader *l, const uint8_t *c)
{
	char name[ACPI_LOADER_NAME];

	if (!loader_name(c + 4, name))
		return loader_fail(l, "add-checksum: file name not terminated%s", ""), -1;
	uint32_t off = rd32(c + 4 + ACPI_LOADER_NAME);
	uint32_t start = rd32(c + 8 + ACPI_LOADER_NAME);
	uint32_t length = rd32(c + 12 + ACPI_LOADER_NAME);
	struct acpi_loader_file *f = loader_file(l, name);
	if (!f)
		return loader_fail(l, "add-checksum on %s: file not allocated", name), -1;
	if (off >= f->size || start > f->size || length > f->size - start)
		return loader_fail(l, "add-checksum on %s: out of bounds", name), -1;
	f->data[off] -= acpi_checksum(f->data + start, length);
	return 0;
}

static int loader_write_pointer(struct acpi_loader *l, const uint8_t *c,
				const struct acpi_loader_ops *ops)
{
	char dst_name[ACPI_LOADER_NAME], src_name[ACPI_LOADER_NAME];

	if (!loader_name(c + 4, dst_name) || !loader_name(c + 4 + ACPI_LOADER_NAME, src_name))
		return loader_fail(l, "write-pointer: file name not terminated%s", ""), -1;
	uint32_t dst_off = rd32(c + 4 + 2 * ACPI_LOADER_NAME);
	uint32_t src_off = rd32(c + 8 + 2 * ACPI_LOADER_NAME);
	uint8_t size = c[12 + 2 * ACPI_LOADER_NAME];
	struct acpi_loader_file *src = loader_file(l, src_name);
	if (!src || !(size == 1 || size == 2 || size == 4 || size == 8) || src_off > src->size)
		return loader_fail(l, "write-pointer to %s: bad source", dst_name), -1;
	uint64_t v = (uintptr_t)src->data + src_off;
	if (size < 8 && (v >> (size * 8)))
		return loader_fail(l, "write-pointer to %s: address does not fit", dst_name), -1;
	if (ops->write(ops->ctx, dst_name, dst_off, &v, size))
		return loader_fail(l, "write-pointer to %s: fw_cfg write failed", dst_name), -1;
	return 0;
}

int acpi_loader_run(struct acpi_loader *l, const uint8_t *cmds, size_t len,
		    const struct acpi_loader_ops *ops)
{
	memset(l, 0, sizeof(*l));
	for (size_t off = 0; off + LOADER_CMD_SIZE <= len; off += LOADER_CMD_SIZE) {
		const uint8_t *c = cmds + off;
		int rc = 0;
		switch (rd32(c)) {
		case 0:
			break; /* padding */
		case LOADER_ALLOCATE: rc = loader_allocate(l, c, ops); break;
		case LOADER_ADD_POINTER: rc = loader_add_pointer(l, c); break;
		case LOADER_ADD_CHECKSUM: rc = loader_add_checksum(l, c); break;
		case LOADER_WRITE_POINTER: rc = loader_write_pointer(l, c, ops); break;
		default:
			/* Commands we do not know are optional by QEMU's design. */
			break;
		}
		if (rc)
			return -1;
	}
	return 0;
}
