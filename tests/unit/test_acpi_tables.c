/* Host tests for platform/acpi_tables.c: RSDP/SDT validation, FADT fields,
 * \_S5 in AML, MCFG, and QEMU's table-loader script run against a fake
 * fw_cfg. Every parser gets exactly sized heap copies, so ASan reports any
 * read past the buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <acpi_tables.h>
#include "acpi_loader_fake.h"

/* Make p[0..len) sum to zero by adjusting p[at]. */
static void set_checksum(uint8_t *p, size_t len, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)-acpi_checksum(p, len);
}

/* An exactly sized heap copy of p[0..len); the caller frees it. */
static uint8_t *exact(const void *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);
	assert_non_null(c);
	memcpy(c, p, len);
	return c;
}

static bool rsdp_valid_exact(const void *p, size_t len)
{
	uint8_t *c = exact(p, len);
	bool ok = acpi_rsdp_valid(c, len);
	free(c);
	return ok;
}

static bool sdt_valid_exact(const void *p, size_t len)
{
	uint8_t *c = exact(p, len);
	bool ok = acpi_sdt_valid(c, len);
	free(c);
	return ok;
}

/* An RSDP of 'rev' in r[0..size), its length field 'length'. */
static void make_rsdp(uint8_t *r, size_t size, uint8_t rev, uint32_t length)
{
	memset(r, 0, size);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "WBOOT ", 6);
	r[15] = rev;
	put32(r + 16, 0x7ffe0000);
	if (rev >= 2) {
		put32(r + 20, length);
		put64(r + 24, 0x7ffe0100);
		for (size_t i = 36; i < size; i++)
			r[i] = (uint8_t)(i * 7);
	}
	set_checksum(r, 20, 8);
	/* The extended checksum covers the first one too: it goes last. */
	if (rev >= 2)
		set_checksum(r, length <= size ? length : size, 32);
}

/* An SDT header for sig, length len; the body is the caller's. */
static void make_sdt(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	t[9] = 0;
	memcpy(t + 10, "WBOOT ", 6);
	memcpy(t + 16, "WBTABLE ", 8);
	put32(t + 24, 1);
	put32(t + 28, 0x57424f54);
	put32(t + 32, 1);
}

/* ---- checksums and validation ---- */

static void test_checksum_is_the_byte_sum(void **state)
{
	static const uint8_t b[] = {1, 2, 3, 250};
	uint8_t ff[300];

	memset(ff, 0xff, sizeof(ff));
	assert_int_equal(acpi_checksum(b, 0), 0);
	assert_int_equal(acpi_checksum(b, 3), 6);
	assert_int_equal(acpi_checksum(b, 4), 0); /* 256 wraps */
	assert_int_equal(acpi_checksum(ff, sizeof(ff)), (uint8_t)(300 * 0xff));
}

static void test_rsdp_v1_is_20_bytes(void **state)
{
	uint8_t r[36];

	make_rsdp(r, 20, 0, 0);
	assert_true(rsdp_valid_exact(r, 20));
	assert_false(rsdp_valid_exact(r, 19));
	assert_false(rsdp_valid_exact(r, 0));
	/* Revision 0 ignores whatever follows the first 20 bytes. */
	memset(r + 20, 0xee, 16);
	assert_true(rsdp_valid_exact(r, 36));
	r[19] ^= 1;
	assert_false(rsdp_valid_exact(r, 20));
	make_rsdp(r, 20, 0, 0);
	r[7] = '_';
	set_checksum(r, 20, 8);
	assert_false(rsdp_valid_exact(r, 20)); /* signature */
}

static void test_rsdp_v2_is_36_bytes_with_both_checksums(void **state)
{
	uint8_t r[40];

	make_rsdp(r, 36, 2, 36);
	assert_true(rsdp_valid_exact(r, 36));
	assert_false(rsdp_valid_exact(r, 35));
	assert_false(rsdp_valid_exact(r, 20)); /* revision 2 needs 36 bytes */

	/* The extended checksum covers bytes 20..35 too. */
	r[30] ^= 0x10;
	assert_false(rsdp_valid_exact(r, 36));
	make_rsdp(r, 36, 2, 36);
	r[32] ^= 1;
	assert_false(rsdp_valid_exact(r, 36));

	/* Its length field is bounded by the buffer and by the structure. */
	make_rsdp(r, 40, 2, 40);
	assert_true(rsdp_valid_exact(r, 40));
	assert_false(rsdp_valid_exact(r, 36));
	make_rsdp(r, 36, 2, 20);
	assert_false(rsdp_valid_exact(r, 36));
	make_rsdp(r, 36, 2, 0xffffffff);
	assert_false(rsdp_valid_exact(r, 36));
}

static void test_rsdp2_built_from_a_revision_0_rsdp_and_rsdt(void **state)
{
	uint8_t old[20], rsdt[36 + 12], out[256];
	const uint64_t at = 0x7f000000;

	make_rsdp(old, sizeof(old), 0, 0);
	make_sdt(rsdt, "RSDT", sizeof(rsdt), 1);
	put32(rsdt + 36, 0x7ffe1000);
	put32(rsdt + 40, 0x7ffe2000);
	put32(rsdt + 44, 0xfffff000);
	set_checksum(rsdt, sizeof(rsdt), 9);
	size_t n = acpi_build_rsdp2((const struct acpi_rsdp *)old, rsdt, sizeof(rsdt), out,
				    sizeof(out), at);
	assert_int_equal(n, 48 + 36 + 24);
	assert_true(acpi_rsdp_valid(out, 36));
	const struct acpi_rsdp *r = (const void *)out;
	assert_int_equal(r->revision, 2);
	assert_int_equal(r->rsdt, 0x7ffe0000); /* the RSDT stays */
	assert_int_equal(r->xsdt, at + 48);
	assert_memory_equal(r->oem_id, "WBOOT ", 6);
	const uint8_t *x = out + 48;
	assert_true(acpi_sdt_valid(x, 36 + 24));
	assert_memory_equal(x, "XSDT", 4);
	assert_memory_equal(x + 10, "WBOOT ", 6);
	uint64_t e[3];
	memcpy(e, x + 36, sizeof(e));
	assert_int_equal(e[0], 0x7ffe1000);
	assert_int_equal(e[1], 0x7ffe2000);
	assert_int_equal(e[2], 0xfffff000); /* widened, not sign-extended */
	/* Malformed RSDTs and small buffers build nothing. */
	assert_int_equal(acpi_build_rsdp2((const void *)old, rsdt, 35, out, sizeof(out), at), 0);
	put32(rsdt + 4, sizeof(rsdt) - 2); /* entries not a whole number of 4 bytes */
	assert_int_equal(acpi_build_rsdp2((const void *)old, rsdt, sizeof(rsdt), out, sizeof(out),
					  at), 0);
	put32(rsdt + 4, sizeof(rsdt) + 4); /* longer than the bytes given */
	assert_int_equal(acpi_build_rsdp2((const void *)old, rsdt, sizeof(rsdt), out, sizeof(out),
					  at), 0);
	put32(rsdt + 4, sizeof(rsdt));
	assert_int_equal(acpi_build_rsdp2((const void *)old, rsdt, sizeof(rsdt), out, 100, at), 0);
	memcpy(rsdt, "XSDT", 4);
	assert_int_equal(acpi_build_rsdp2((const void *)old, rsdt, sizeof(rsdt), out, sizeof(out),
					  at), 0);
}

static void test_sdt_valid_needs_the_whole_checksummed_table(void **state)
{
	uint8_t t[64];

	memset(t, 0x5a, sizeof(t));
	make_sdt(t, "SSDT", 48, 2);
	set_checksum(t, 48, 9);
	assert_true(sdt_valid_exact(t, 48));
	assert_true(sdt_valid_exact(t, 64));  /* more buffer than table is fine */
	assert_false(sdt_valid_exact(t, 47)); /* length larger than the buffer */
	assert_false(sdt_valid_exact(t, 35));
	assert_false(sdt_valid_exact(t, 0));
	t[47] ^= 1;
	assert_false(sdt_valid_exact(t, 48));

	/* Too small to hold its own header. */
	make_sdt(t, "SSDT", 35, 2);
	set_checksum(t, 35, 9);
	assert_false(sdt_valid_exact(t, 64));
	make_sdt(t, "SSDT", 0, 2);
	set_checksum(t, 36, 9);
	assert_false(sdt_valid_exact(t, 64));
	/* Exactly a header. */
	make_sdt(t, "SSDT", 36, 2);
	set_checksum(t, 36, 9);
	assert_true(sdt_valid_exact(t, 36));
	/* A huge length. */
	make_sdt(t, "SSDT", 0xffffffff, 2);
	assert_false(sdt_valid_exact(t, 64));
}

/* ---- FADT ---- */

/* ACPI 6.5 s.5.2.9 Table 5.9 offsets. */
static void make_fadt(uint8_t f[276])
{
	static const struct acpi_gas reset = {1, 8, 0, 1, 0xcf9};
	static const struct acpi_gas x_pm1a = {1, 16, 0, 2, 0xb004};
	static const struct acpi_gas sleep = {0, 8, 0, 1, 0xfee00000};

	memset(f, 0, 276);
	make_sdt(f, "FACP", 276, 6);
	put32(f + 40, 0x12340000); /* DSDT */
	put32(f + 64, 0x604);	   /* PM1a_CNT_BLK */
	put32(f + 68, 0x704);	   /* PM1b_CNT_BLK */
	put32(f + 76, 0x608);	   /* PM_TMR_BLK */
	put32(f + 112, ACPI_FADT_HW_REDUCED | ACPI_FADT_RESET_REG_SUP);
	memcpy(f + 116, &reset, 12);	/* RESET_REG */
	f[128] = 6;			/* RESET_VALUE */
	put64(f + 140, 0x100005678ULL); /* X_DSDT */
	memcpy(f + 172, &x_pm1a, 12);	/* X_PM1a_CNT_BLK */
	memcpy(f + 244, &sleep, 12);	/* SLEEP_CONTROL_REG */
	set_checksum(f, 276, 9);
}

static void fadt_parse_exact(const uint8_t *f, size_t len, struct acpi_fadt_info *out)
{
	uint8_t *c = exact(f, len);
	memset(out, 0xee, sizeof(*out)); /* parse must clear what it does not set */
	acpi_fadt_parse(c, len, out);
	free(c);
}

static void test_fadt_fields_of_a_full_table(void **state)
{
	uint8_t f[276];
	struct acpi_fadt_info fi;

	make_fadt(f);
	fadt_parse_exact(f, sizeof(f), &fi);
	assert_int_equal(fi.dsdt, 0x100005678ULL); /* X_DSDT wins */
	assert_int_equal(fi.pm1a_cnt, 0xb004);	   /* X_PM1a_CNT_BLK (I/O) wins */
	assert_int_equal(fi.pm1b_cnt, 0x704);
	assert_int_equal(fi.pm_tmr, 0x608);
	assert_int_equal(fi.flags, ACPI_FADT_HW_REDUCED | ACPI_FADT_RESET_REG_SUP);
	assert_int_equal(fi.reset_reg.space, 1);
	assert_int_equal(fi.reset_reg.bit_width, 8);
	assert_int_equal(fi.reset_reg.address, 0xcf9);
	assert_int_equal(fi.reset_value, 6);
	assert_int_equal(fi.sleep_ctl.space, 0);
	assert_int_equal(fi.sleep_ctl.address, 0xfee00000);
}

static void test_fadt_fields_of_short_tables(void **state)
{
	uint8_t f[276];
	struct acpi_fadt_info fi;

	make_fadt(f);
	/* ACPI 1.0: 116 bytes, up to and including the flags. */
	fadt_parse_exact(f, 116, &fi);
	assert_int_equal(fi.dsdt, 0x12340000);
	assert_int_equal(fi.pm1a_cnt, 0x604);
	assert_int_equal(fi.pm1b_cnt, 0x704);
	assert_int_equal(fi.pm_tmr, 0x608);
	assert_int_equal(fi.flags, ACPI_FADT_HW_REDUCED | ACPI_FADT_RESET_REG_SUP);
	assert_int_equal(fi.reset_reg.address, 0);
	assert_int_equal(fi.reset_value, 0);
	assert_int_equal(fi.sleep_ctl.address, 0);

	/* Up to RESET_VALUE, but not X_DSDT. */
	fadt_parse_exact(f, 147, &fi);
	assert_int_equal(fi.dsdt, 0x12340000);
	assert_int_equal(fi.reset_reg.address, 0xcf9);
	assert_int_equal(fi.reset_value, 6);

	/* X_DSDT, but not X_PM1a_CNT_BLK. */
	fadt_parse_exact(f, 183, &fi);
	assert_int_equal(fi.dsdt, 0x100005678ULL);
	assert_int_equal(fi.pm1a_cnt, 0x604);

	/* Everything but the sleep control register. */
	fadt_parse_exact(f, 255, &fi);
	assert_int_equal(fi.pm1a_cnt, 0xb004);
	assert_int_equal(fi.sleep_ctl.address, 0);

	/* Nothing at all. */
	fadt_parse_exact(f, 0, &fi);
	assert_int_equal(fi.dsdt, 0);
	assert_int_equal(fi.flags, 0);
	assert_int_equal(fi.reset_value, 0);
	fadt_parse_exact(f, 43, &fi);
	assert_int_equal(fi.dsdt, 0);
}

static void test_fadt_extended_fields_only_when_usable(void **state)
{
	uint8_t f[276];
	struct acpi_fadt_info fi;

	make_fadt(f);
	put64(f + 140, 0); /* no X_DSDT: keep the 32-bit DSDT */
	f[172] = 0;	   /* X_PM1a_CNT_BLK in memory space: not a port */
	fadt_parse_exact(f, sizeof(f), &fi);
	assert_int_equal(fi.dsdt, 0x12340000);
	assert_int_equal(fi.pm1a_cnt, 0x604);

	make_fadt(f);
	put64(f + 176, 0); /* X_PM1a_CNT_BLK address 0 */
	fadt_parse_exact(f, sizeof(f), &fi);
	assert_int_equal(fi.pm1a_cnt, 0x604);
	put64(f + 176, 0x12345); /* beyond the I/O space */
	fadt_parse_exact(f, sizeof(f), &fi);
	assert_int_equal(fi.pm1a_cnt, 0x604);
}

/* ---- \_S5 ---- */

static bool find_s5_exact(const uint8_t *aml, size_t len, uint8_t *typ)
{
	uint8_t *c = exact(aml, len);
	bool ok = acpi_find_s5(c, len, typ);
	free(c);
	return ok;
}

static void test_find_s5_byte_zero_and_one(void **state)
{
	/* Name (_S5, Package (0x04) { 0x05, 0x05, Zero, Zero }) */
	static const uint8_t byte[] = {0x08, '_',  'S',	 '5',  '_',  0x12, 0x08,
				       0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
	static const uint8_t zero[] = {0x08, '_',  'S',	 '5',  '_',  0x12,
				       0x06, 0x04, 0x00, 0x00, 0x00, 0x00};
	static const uint8_t one[] = {0x08, '_',  'S',	'5',  '_',  0x12,
				      0x06, 0x04, 0x01, 0x00, 0x00, 0x00};
	uint8_t typ = 0xee;

	assert_true(find_s5_exact(byte, sizeof(byte), &typ));
	assert_int_equal(typ, 5);
	typ = 0xee;
	assert_true(find_s5_exact(zero, sizeof(zero), &typ));
	assert_int_equal(typ, 0);
	assert_true(find_s5_exact(one, sizeof(one), &typ));
	assert_int_equal(typ, 1);
}

static void test_find_s5_with_root_prefix_and_surroundings(void **state)
{
	/* Scope and other names before it, as in a real DSDT. */
	/* clang-format off */
	static const uint8_t aml[] = {
		0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x04, 0x0a, 0x04, 0x00, 0x00, 0x00,
		0x10, 0x05, '_', 'S', '5', '_',                   /* ScopeOp, not a name */
		'_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x09, /* no NameOp */
		0x08, '_', 'S', '5', '_', 0x0a, 0x02,             /* not a package */
		0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x07, 0x00, 0x00, 0x00,
		0xa4, 0x00,
	};
	/* clang-format on */
	uint8_t typ = 0xee;

	assert_true(find_s5_exact(aml, sizeof(aml), &typ));
	assert_int_equal(typ, 7);
}

static void test_find_s5_with_long_package_length(void **state)
{
	/* PkgLength lead byte 0x4n: one more length byte follows. */
	static const uint8_t two[] = {0x08, '_',  'S',	'5',  '_',  0x12, 0x41,
				      0x01, 0x04, 0x0a, 0x03, 0x00, 0x00, 0x00};
	/* 0xCn: three more. */
	static const uint8_t four[] = {0x08, '_',  'S',	 '5',  '_',  0x12, 0xc1, 0x00,
				       0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
	uint8_t typ = 0xee;

	assert_true(find_s5_exact(two, sizeof(two), &typ));
	assert_int_equal(typ, 3);
	assert_true(find_s5_exact(four, sizeof(four), &typ));
	assert_int_equal(typ, 1);
}

static void test_find_s5_absent_or_not_a_small_integer(void **state)
{
	static const uint8_t none[] = {0x08, '_', 'S', '3', '_', 0x12, 0x06, 0x04, 0x0a, 0x05};
	static const uint8_t word[] = {0x08, '_',  'S',	 '5',  '_',  0x12, 0x07,
				       0x04, 0x0b, 0x05, 0x00, 0x00, 0x00};
	uint8_t typ = 0xee;

	assert_false(find_s5_exact(none, sizeof(none), &typ));
	assert_false(find_s5_exact(word, sizeof(word), &typ));
	assert_false(find_s5_exact(none, 0, &typ));
	assert_int_equal(typ, 0xee);
}

static void test_find_s5_truncated_returns_false_within_bounds(void **state)
{
	static const uint8_t aml[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x05};
	static const uint8_t longlen[] = {0x08, '_',  'S',  '5',  '_',	0x12, 0xc1,
					  0x00, 0x00, 0x00, 0x04, 0x0a, 0x02};
	uint8_t typ;

	/* Every cut short of the value byte fails, reading nothing past it. */
	for (size_t len = 0; len < sizeof(aml); len++)
		assert_false(find_s5_exact(aml, len, &typ));
	assert_true(find_s5_exact(aml, sizeof(aml), &typ));
	assert_int_equal(typ, 5);
	for (size_t len = 0; len < sizeof(longlen); len++)
		assert_false(find_s5_exact(longlen, len, &typ));
	assert_true(find_s5_exact(longlen, sizeof(longlen), &typ));
	assert_int_equal(typ, 2);
}

/* ---- MCFG ---- */

static void put_mcfg_entry(uint8_t *e, uint64_t base, uint16_t seg, uint8_t bus0, uint8_t bus1)
{
	memset(e, 0, 16);
	put64(e, base);
	e[8] = (uint8_t)seg;
	e[9] = (uint8_t)(seg >> 8);
	e[10] = bus0;
	e[11] = bus1;
}

static bool mcfg_parse_exact(const uint8_t *m, size_t len, struct acpi_mcfg_alloc *a)
{
	uint8_t *c = exact(m, len);
	bool ok = acpi_mcfg_parse(c, len, a);
	free(c);
	return ok;
}

static void test_mcfg_first_usable_segment_0_entry(void **state)
{
	uint8_t m[44 + 5 * 16];
	struct acpi_mcfg_alloc a;

	memset(m, 0, sizeof(m));
	make_sdt(m, "MCFG", sizeof(m), 1);
	put_mcfg_entry(m + 44, 0xc0000000, 1, 0, 255);	/* another segment */
	put_mcfg_entry(m + 60, 0, 0, 0, 255);		/* no base */
	put_mcfg_entry(m + 76, 0xd0000000, 0, 9, 8);	/* buses backwards */
	put_mcfg_entry(m + 92, 0xb0000000, 0, 0, 0x7f); /* this one */
	put_mcfg_entry(m + 108, 0xe0000000, 0, 0, 255); /* too late */
	set_checksum(m, sizeof(m), 9);

	assert_true(mcfg_parse_exact(m, sizeof(m), &a));
	assert_int_equal(a.base, 0xb0000000);
	assert_int_equal(a.segment, 0);
	assert_int_equal(a.bus_start, 0);
	assert_int_equal(a.bus_end, 0x7f);

	/* 256 segments apart is still not segment 0. */
	put_mcfg_entry(m + 92, 0xb0000000, 0x100, 0, 0x7f);
	assert_true(mcfg_parse_exact(m, sizeof(m), &a));
	assert_int_equal(a.base, 0xe0000000);
}

static void test_mcfg_without_whole_entries(void **state)
{
	uint8_t m[44 + 16];
	struct acpi_mcfg_alloc a = {0x1234, 7, 7, 7};

	memset(m, 0, sizeof(m));
	make_sdt(m, "MCFG", sizeof(m), 1);
	put_mcfg_entry(m + 44, 0xb0000000, 0, 0, 255);
	assert_false(mcfg_parse_exact(m, 44, &a));
	assert_false(mcfg_parse_exact(m, 59, &a));
	assert_false(mcfg_parse_exact(m, 10, &a));
	assert_false(mcfg_parse_exact(m, 0, &a));
	assert_int_equal(a.base, 0x1234); /* untouched */
	assert_true(mcfg_parse_exact(m, 60, &a));
}

/* ---- the table loader ---- */

/* Tables as QEMU builds them: offsets inside etc/acpi/tables. */
#define T_DSDT	   0
#define T_DSDT_LEN 47
#define T_FADT	   64
#define T_RSDT	   340
#define T_XSDT	   380
#define T_SIZE	   424

struct qemu_tables {
	uint8_t rsdp[36];
	uint8_t tables[T_SIZE];
	uint8_t guid[4096];
	struct loader_script s;
};

/* Unlinked tables with zero checksums, and the script that links them. */
static void make_qemu_tables(struct qemu_tables *q)
{
	static const uint8_t s5[] = {0x08, '_',	 'S',  '5',  '_',  0x12, 0x08,
				     0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
	uint8_t *t = q->tables;

	memset(q, 0, sizeof(*q));
	memcpy(q->rsdp, "RSD PTR ", 8);
	memcpy(q->rsdp + 9, "BOCHS ", 6);
	q->rsdp[15] = 2;
	put32(q->rsdp + 16, T_RSDT); /* offsets in the tables file, until linked */
	put32(q->rsdp + 20, 36);
	put64(q->rsdp + 24, T_XSDT);

	make_sdt(t + T_DSDT, "DSDT", T_DSDT_LEN, 2);
	memcpy(t + T_DSDT + 36, s5, 11);
	make_sdt(t + T_FADT, "FACP", 276, 6);
	put32(t + T_FADT + 40, T_DSDT);
	put32(t + T_FADT + 64, 0x604);
	put64(t + T_FADT + 140, T_DSDT);
	make_sdt(t + T_RSDT, "RSDT", 40, 1);
	put32(t + T_RSDT + 36, T_FADT);
	make_sdt(t + T_XSDT, "XSDT", 44, 1);
	put64(t + T_XSDT + 36, T_FADT);
	memset(q->guid, 0x47, sizeof(q->guid));

	struct loader_script *s = &q->s;
	s->len = 0;
	script_allocate(s, "etc/acpi/rsdp", 16, 2);
	script_allocate(s, "etc/acpi/tables", 64, 1);
	script_add_checksum(s, "etc/acpi/tables", T_DSDT + 9, T_DSDT, T_DSDT_LEN);
	script_add_pointer(s, "etc/acpi/tables", "etc/acpi/tables", T_FADT + 40, 4);
	script_add_pointer(s, "etc/acpi/tables", "etc/acpi/tables", T_FADT + 140, 8);
	script_add_checksum(s, "etc/acpi/tables", T_FADT + 9, T_FADT, 276);
	script_add_pointer(s, "etc/acpi/tables", "etc/acpi/tables", T_RSDT + 36, 4);
	script_add_checksum(s, "etc/acpi/tables", T_RSDT + 9, T_RSDT, 40);
	script_add_pointer(s, "etc/acpi/tables", "etc/acpi/tables", T_XSDT + 36, 8);
	script_add_checksum(s, "etc/acpi/tables", T_XSDT + 9, T_XSDT, 44);
	script_add_pointer(s, "etc/acpi/rsdp", "etc/acpi/tables", 16, 4);
	script_add_pointer(s, "etc/acpi/rsdp", "etc/acpi/tables", 24, 8);
	script_add_checksum(s, "etc/acpi/rsdp", 8, 0, 20);
	script_add_checksum(s, "etc/acpi/rsdp", 32, 0, 36);
	script_allocate(s, "etc/vmgenid_guid", 4096, 1);
	script_write_pointer(s, "etc/vmgenid_addr", "etc/vmgenid_guid", 0, 40, 8);
}

static void offer_qemu_files(struct fake_fw_cfg *f, const struct qemu_tables *q)
{
	fake_reset(f);
	fake_add_file(f, "etc/acpi/rsdp", q->rsdp, sizeof(q->rsdp));
	fake_add_file(f, "etc/acpi/tables", q->tables, sizeof(q->tables));
	fake_add_file(f, "etc/vmgenid_guid", q->guid, sizeof(q->guid));
}

static void test_loader_links_qemu_tables(void **state)
{
	static struct qemu_tables q;
	static struct fake_fw_cfg f;
	struct acpi_loader l;

	make_qemu_tables(&q);
	offer_qemu_files(&f, &q);
	struct acpi_loader_ops ops = fake_ops(&f);
	assert_int_equal(acpi_loader_run(&l, q.s.b, q.s.len, &ops), 0);
	assert_string_equal(l.error, "");
	assert_int_equal(l.nfiles, 3);

	uint8_t *rsdp = fake_find(&f, "etc/acpi/rsdp")->loaded;
	uint8_t *t = fake_find(&f, "etc/acpi/tables")->loaded;
	uint8_t *guid = fake_find(&f, "etc/vmgenid_guid")->loaded;
	assert_non_null(rsdp);
	assert_non_null(t);
	assert_non_null(guid);
	assert_int_equal(l.rsdp, (uintptr_t)rsdp);
	/* Alignment and zone reach the loader's load(). */
	assert_int_equal(fake_find(&f, "etc/acpi/rsdp")->align, 16);
	assert_int_equal(fake_find(&f, "etc/acpi/rsdp")->zone, 2);
	assert_int_equal(fake_find(&f, "etc/acpi/tables")->align, 64);
	assert_int_equal(fake_find(&f, "etc/acpi/tables")->zone, 1);
	assert_int_equal((uintptr_t)t % 64, 0);
	assert_int_equal((uintptr_t)guid % 4096, 0);

	/* Every table checksums and points where it should. */
	assert_true(acpi_rsdp_valid(rsdp, 36));
	assert_int_equal(get32(rsdp + 16), (uintptr_t)t + T_RSDT);
	assert_int_equal(get64(rsdp + 24), (uintptr_t)t + T_XSDT);
	assert_true(acpi_sdt_valid(t + T_RSDT, 40));
	assert_int_equal(get32(t + T_RSDT + 36), (uintptr_t)t + T_FADT);
	assert_true(acpi_sdt_valid(t + T_XSDT, 44));
	assert_int_equal(get64(t + T_XSDT + 36), (uintptr_t)t + T_FADT);
	assert_true(acpi_sdt_valid(t + T_FADT, 276));
	assert_true(acpi_sdt_valid(t + T_DSDT, T_DSDT_LEN));

	struct acpi_fadt_info fi;
	acpi_fadt_parse(t + T_FADT, 276, &fi);
	assert_int_equal(fi.dsdt, (uintptr_t)t + T_DSDT);
	assert_int_equal(fi.pm1a_cnt, 0x604);
	assert_int_equal(get32(t + T_FADT + 40), (uintptr_t)t + T_DSDT);
	uint8_t typ = 0;
	assert_true(acpi_find_s5(t + T_DSDT + 36, T_DSDT_LEN - 36, &typ));
	assert_int_equal(typ, 5);

	/* WRITE_POINTER tells fw_cfg where the GUID landed. */
	assert_int_equal(f.nwrites, 1);
	assert_string_equal(f.write[0].name, "etc/vmgenid_addr");
	assert_int_equal(f.write[0].offset, 0);
	assert_int_equal(f.write[0].len, 8);
	assert_int_equal(get64(f.write[0].val), (uintptr_t)guid + 40);
}

static void test_loader_skips_padding_unknown_commands_and_a_partial_tail(void **state)
{
	static struct fake_fw_cfg f;
	static uint8_t file[64];
	struct loader_script s = {.len = 0};
	struct acpi_loader l;

	fake_reset(&f);
	fake_add_file(&f, "etc/acpi/rsdp", file, sizeof(file));
	script_cmd(&s, 0);			     /* padding */
	memset(script_cmd(&s, 0x77) + 4, 0xff, 124); /* a command from the future */
	script_allocate(&s, "etc/acpi/rsdp", 8, 2);
	script_allocate(&s, "etc/not-there", 8, 1); /* the tail: 100 of 128 bytes */
	struct acpi_loader_ops ops = fake_ops(&f);
	assert_int_equal(acpi_loader_run(&l, s.b, s.len - 28, &ops), 0);
	assert_int_equal(l.nfiles, 1);
	assert_int_equal(f.loads, 1);
	assert_int_equal(l.rsdp, (uintptr_t)fake_find(&f, "etc/acpi/rsdp")->loaded);
	/* No script at all. */
	assert_int_equal(acpi_loader_run(&l, s.b, 0, &ops), 0);
	assert_int_equal(l.nfiles, 0);
	assert_int_equal(l.rsdp, 0);
}

static void test_loader_pointer_and_checksum_at_the_very_end(void **state)
{
	static struct fake_fw_cfg f;
	static uint8_t a[16], b[9];
	struct loader_script s = {.len = 0};
	struct acpi_loader l;

	memset(a, 0, sizeof(a));
	memset(b, 3, sizeof(b));
	a[8] = 0x10; /* points 16 bytes into b, i.e. just past its end */
	fake_reset(&f);
	fake_add_file(&f, "a", a, sizeof(a));
	fake_add_file(&f, "b", b, sizeof(b));
	fake_add_file(&f, "empty", b, 0);
	script_allocate(&s, "a", 1, 1);
	script_allocate(&s, "b", 4096, 1);
	script_allocate(&s, "empty", 1, 1);
	script_add_pointer(&s, "a", "b", 8, 8);
	script_add_checksum(&s, "b", 8, 0, 9);
	script_add_checksum(&s, "b", 0, 9, 0); /* empty range: changes nothing */
	script_write_pointer(&s, "x", "b", 0xfffffff0, 9, 4);
	script_write_pointer(&s, "x", "empty", 0, 0, 4);
	struct acpi_loader_ops ops = fake_ops(&f);
	assert_int_equal(acpi_loader_run(&l, s.b, s.len, &ops), 0);
	assert_string_equal(l.error, "");
	uint8_t *la = fake_find(&f, "a")->loaded, *lb = fake_find(&f, "b")->loaded;
	assert_int_equal(get64(la + 8), (uintptr_t)lb + 0x10);
	assert_int_equal(acpi_checksum(lb, 9), 0);
	assert_int_equal(f.nwrites, 2);
	assert_int_equal(f.write[0].offset, 0xfffffff0);
	assert_int_equal(get32(f.write[0].val), (uint32_t)((uintptr_t)lb + 9));
}

/* One hostile script: it must fail with an error naming the problem, and
 * (with the arena poisoned around every file) never write outside a file. */
struct hostile {
	const char *what;
	void (*build)(struct loader_script *s, struct fake_fw_cfg *f);
	const char *error_has; /* a word the error must contain */
};

static uint8_t h_tables[T_SIZE], h_small[8];

/* Every case starts from two allocated files. */
static void h_base(struct loader_script *s, struct fake_fw_cfg *f)
{
	fake_add_file(f, "etc/acpi/tables", h_tables, sizeof(h_tables));
	fake_add_file(f, "small", h_small, sizeof(h_small));
	fake_add_file(f, "spare", h_small, sizeof(h_small));
	script_allocate(s, "etc/acpi/tables", 64, 1);
	script_allocate(s, "small", 8, 1);
}

static void h_alloc_unterminated(struct loader_script *s, struct fake_fw_cfg *f)
{
	memset(script_cmd(s, 1) + 4, 'A', ACPI_LOADER_NAME);
}
static void h_alloc_unterminated_zone_after(struct loader_script *s, struct fake_fw_cfg *f)
{
	uint8_t *c = script_cmd(s, 1);
	memset(c + 4, 'A', 128 - 4); /* the name runs into align and zone */
}
static void h_pointer_dst_unterminated(struct loader_script *s, struct fake_fw_cfg *f)
{
	uint8_t *c = script_cmd(s, 2);
	memset(c + 4, 'B', ACPI_LOADER_NAME);
	put_name(c + 60, "small");
	c[120] = 4;
}
static void h_pointer_src_unterminated(struct loader_script *s, struct fake_fw_cfg *f)
{
	uint8_t *c = script_cmd(s, 2);
	put_name(c + 4, "small");
	memset(c + 60, 'C', ACPI_LOADER_NAME);
	c[120] = 4;
}
static void h_checksum_unterminated(struct loader_script *s, struct fake_fw_cfg *f)
{
	memset(script_cmd(s, 3) + 4, 'D', ACPI_LOADER_NAME);
}
static void h_write_dst_unterminated(struct loader_script *s, struct fake_fw_cfg *f)
{
	uint8_t *c = script_cmd(s, 4);
	memset(c + 4, 'E', ACPI_LOADER_NAME);
	put_name(c + 60, "small");
	c[124] = 8;
}
static void h_write_src_unterminated(struct loader_script *s, struct fake_fw_cfg *f)
{
	uint8_t *c = script_cmd(s, 4);
	put_name(c + 4, "etc/x");
	memset(c + 60, 'F', ACPI_LOADER_NAME);
	c[124] = 8;
}
static void h_pointer_at_size(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_pointer(s, "small", "etc/acpi/tables", 8, 1);
}
static void h_pointer_straddles_end(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_pointer(s, "small", "etc/acpi/tables", 4, 8);
}
static void h_pointer_offset_huge(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_pointer(s, "etc/acpi/tables", "small", 0xfffffffc, 8);
}
static void h_pointer_bad_size(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_pointer(s, "etc/acpi/tables", "small", 0, 3);
}
static void h_pointer_size_zero(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_pointer(s, "etc/acpi/tables", "small", 0, 0);
}
static void h_pointer_size_16(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_pointer(s, "etc/acpi/tables", "small", 0, 16);
}
static void h_pointer_does_not_fit_1(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_pointer(s, "etc/acpi/tables", "small", 0, 1);
}
static void h_pointer_does_not_fit_2(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_pointer(s, "etc/acpi/tables", "small", 0, 2);
}
static void h_pointer_to_unallocated(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_pointer(s, "etc/acpi/tables", "spare", 0, 8);
}
static void h_pointer_into_unallocated(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_pointer(s, "spare", "etc/acpi/tables", 0, 8);
}
static void h_checksum_offset_at_size(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_checksum(s, "small", 8, 0, 8);
}
static void h_checksum_start_past_end(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_checksum(s, "small", 0, 9, 0);
}
static void h_checksum_range_past_end(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_checksum(s, "small", 0, 4, 5);
}
static void h_checksum_length_huge(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_checksum(s, "small", 0, 1, 0xffffffff);
}
static void h_checksum_start_huge(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_checksum(s, "small", 0, 0xffffffff, 2);
}
static void h_checksum_offset_huge(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_checksum(s, "etc/acpi/tables", 0xffffffff, 0, 4);
}
static void h_checksum_unallocated(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_add_checksum(s, "spare", 0, 0, 8);
}
static void h_allocate_twice(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_allocate(s, "small", 8, 1);
}
static void h_align_zero(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_allocate(s, "spare", 0, 1);
}
static void h_align_three(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_allocate(s, "spare", 3, 1);
}
static void h_align_8k(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_allocate(s, "spare", 8192, 1);
}
static void h_align_2g(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_allocate(s, "spare", 0x80000000u, 1);
}
static void h_allocate_missing_file(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_allocate(s, "etc/acpi/missing", 8, 1);
}
static void h_too_many_files(struct loader_script *s, struct fake_fw_cfg *f)
{
	static char names[ACPI_LOADER_FILES][16];
	for (int i = 0; i < ACPI_LOADER_FILES - 2; i++) {
		snprintf(names[i], sizeof(names[i]), "f%d", i);
		fake_add_file(f, names[i], h_small, sizeof(h_small));
		script_allocate(s, names[i], 8, 1);
	}
	script_allocate(s, "spare", 8, 1); /* the 33rd */
}
static void h_write_src_unallocated(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_write_pointer(s, "etc/x", "spare", 0, 0, 8);
}
static void h_write_bad_size(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_write_pointer(s, "etc/x", "small", 0, 0, 3);
}
static void h_write_src_offset_past_end(struct loader_script *s, struct fake_fw_cfg *f)
{
	script_write_pointer(s, "etc/x", "small", 0, 9, 8);
}
static void h_write_fails(struct loader_script *s, struct fake_fw_cfg *f)
{
	f->fail_writes = true;
	script_write_pointer(s, "etc/x", "small", 0, 0, 8);
}

static const struct hostile hostile[] = {
    {"allocate: name without NUL", h_alloc_unterminated, "terminated"},
    {"allocate: name through the end", h_alloc_unterminated_zone_after, "terminated"},
    {"add-pointer: dest name without NUL", h_pointer_dst_unterminated, "terminated"},
    {"add-pointer: src name without NUL", h_pointer_src_unterminated, "terminated"},
    {"add-checksum: name without NUL", h_checksum_unterminated, "terminated"},
    {"write-pointer: dest name without NUL", h_write_dst_unterminated, "terminated"},
    {"write-pointer: src name without NUL", h_write_src_unterminated, "terminated"},
    {"add-pointer: offset at the end", h_pointer_at_size, "small"},
    {"add-pointer: straddles the end", h_pointer_straddles_end, "small"},
    {"add-pointer: offset near 2^32", h_pointer_offset_huge, "etc/acpi/tables"},
    {"add-pointer: size 3", h_pointer_bad_size, "etc/acpi/tables"},
    {"add-pointer: size 0", h_pointer_size_zero, "etc/acpi/tables"},
    {"add-pointer: size 16", h_pointer_size_16, "etc/acpi/tables"},
    {"add-pointer: address in 1 byte", h_pointer_does_not_fit_1, "fit"},
    {"add-pointer: address in 2 bytes", h_pointer_does_not_fit_2, "fit"},
    {"add-pointer: to an unallocated file", h_pointer_to_unallocated, "not allocated"},
    {"add-pointer: into an unallocated file", h_pointer_into_unallocated, "spare"},
    {"add-checksum: offset at the end", h_checksum_offset_at_size, "small"},
    {"add-checksum: start past the end", h_checksum_start_past_end, "small"},
    {"add-checksum: range past the end", h_checksum_range_past_end, "small"},
    {"add-checksum: length near 2^32", h_checksum_length_huge, "small"},
    {"add-checksum: start near 2^32", h_checksum_start_huge, "small"},
    {"add-checksum: offset near 2^32", h_checksum_offset_huge, "etc/acpi/tables"},
    {"add-checksum: unallocated file", h_checksum_unallocated, "spare"},
    {"allocate: twice", h_allocate_twice, "twice"},
    {"allocate: alignment 0", h_align_zero, "align"},
    {"allocate: alignment 3", h_align_three, "align"},
    {"allocate: alignment 8 KiB", h_align_8k, "align"},
    {"allocate: alignment 2 GiB", h_align_2g, "align"},
    {"allocate: no such fw_cfg file", h_allocate_missing_file, "etc/acpi/missing"},
    {"allocate: too many files", h_too_many_files, "too many"},
    {"write-pointer: unallocated source", h_write_src_unallocated, "etc/x"},
    {"write-pointer: size 3", h_write_bad_size, "etc/x"},
    {"write-pointer: source offset past the end", h_write_src_offset_past_end, "etc/x"},
    {"write-pointer: fw_cfg write fails", h_write_fails, "etc/x"},
};

static void test_loader_refuses_hostile_scripts(void **state)
{
	static struct fake_fw_cfg f;
	struct acpi_loader l;

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct loader_script s = {.len = 0};
		for (size_t j = 0; j < sizeof(h_tables); j++)
			h_tables[j] = (uint8_t)(j * 13);
		memset(h_small, 0x11, sizeof(h_small));
		fake_reset(&f);
		h_base(&s, &f);
		hostile[i].build(&s, &f);
		/* Anything after the bad command must not run. */
		script_allocate(&s, "spare", 8, 1);

		struct acpi_loader_ops ops = fake_ops(&f);
		memset(&l, 0x5a, sizeof(l));
		int rc = acpi_loader_run(&l, s.b, s.len, &ops);
		if (rc != -1 || !l.error[0] || !memchr(l.error, 0, sizeof(l.error)))
			fail_msg("%s: rc %d, error \"%.*s\"", hostile[i].what, rc,
				 (int)sizeof(l.error), l.error);
		if (!strstr(l.error, hostile[i].error_has))
			fail_msg("%s: error \"%s\" does not say \"%s\"", hostile[i].what, l.error,
				 hostile[i].error_has);
		if (fake_find(&f, "spare")->loaded)
			fail_msg("%s: the script went on after the failure", hostile[i].what);
		/* A refused command changed nothing in the loaded files. */
		assert_memory_equal(fake_find(&f, "etc/acpi/tables")->loaded, h_tables,
				    sizeof(h_tables));
		assert_memory_equal(fake_find(&f, "small")->loaded, h_small, sizeof(h_small));
	}
}

static void test_loader_stops_at_the_first_failure_and_keeps_its_error(void **state)
{
	static struct fake_fw_cfg f;
	static uint8_t a[16];
	struct loader_script s = {.len = 0};
	struct acpi_loader l;

	fake_reset(&f);
	fake_add_file(&f, "a", a, sizeof(a));
	fake_add_file(&f, "b", a, sizeof(a));
	script_allocate(&s, "a", 8, 1);
	script_add_checksum(&s, "a", 100, 0, 4);
	script_add_checksum(&s, "zzz", 0, 0, 4);
	script_allocate(&s, "b", 8, 1);
	struct acpi_loader_ops ops = fake_ops(&f);
	assert_int_equal(acpi_loader_run(&l, s.b, s.len, &ops), -1);
	assert_non_null(strstr(l.error, "out of bounds"));
	assert_int_equal(f.loads, 1);
	assert_int_equal(l.nfiles, 1);
	/* A new run starts clean. */
	s.len = 0;
	script_allocate(&s, "b", 8, 1);
	assert_int_equal(acpi_loader_run(&l, s.b, s.len, &ops), 0);
	assert_string_equal(l.error, "");
	assert_int_equal(l.nfiles, 1);
}

/* An address that does not fit the pointer's size must be refused, as
 * ADD_POINTER refuses it ("address does not fit"), not cut short.
 * Was a bug: platform/acpi_tables.c loader_write_pointer() never checks that
 * src address + src_offset fits in 'size' bytes: a WRITE_POINTER of size
 * 1, 2 or 4 for a file loaded above 255 B, 64 KiB or 4 GiB writes the
 * address's low bytes to fw_cfg and returns 0, so the VMM (vmgenid, for
 * one) is told a wrong address. Fixed; kept as a regression test. */
static void test_loader_write_pointer_refuses_an_address_that_does_not_fit(void **state)
{
	static struct fake_fw_cfg f;
	static uint8_t guid[16];
	struct loader_script s = {.len = 0};
	struct acpi_loader l;

	fake_reset(&f);
	fake_add_file(&f, "etc/vmgenid_guid", guid, sizeof(guid));
	script_allocate(&s, "etc/vmgenid_guid", 16, 1);
	script_write_pointer(&s, "etc/vmgenid_addr", "etc/vmgenid_guid", 0, 0, 1);
	struct acpi_loader_ops ops = fake_ops(&f);
	assert_true((uintptr_t)fake_arena() > 0xff);
	assert_int_equal(acpi_loader_run(&l, s.b, s.len, &ops), -1);
	assert_non_null(strstr(l.error, "fit"));
	assert_int_equal(f.nwrites, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checksum_is_the_byte_sum),
	    cmocka_unit_test(test_rsdp_v1_is_20_bytes),
	    cmocka_unit_test(test_rsdp_v2_is_36_bytes_with_both_checksums),
	    cmocka_unit_test(test_rsdp2_built_from_a_revision_0_rsdp_and_rsdt),
	    cmocka_unit_test(test_sdt_valid_needs_the_whole_checksummed_table),
	    cmocka_unit_test(test_fadt_fields_of_a_full_table),
	    cmocka_unit_test(test_fadt_fields_of_short_tables),
	    cmocka_unit_test(test_fadt_extended_fields_only_when_usable),
	    cmocka_unit_test(test_find_s5_byte_zero_and_one),
	    cmocka_unit_test(test_find_s5_with_root_prefix_and_surroundings),
	    cmocka_unit_test(test_find_s5_with_long_package_length),
	    cmocka_unit_test(test_find_s5_absent_or_not_a_small_integer),
	    cmocka_unit_test(test_find_s5_truncated_returns_false_within_bounds),
	    cmocka_unit_test(test_mcfg_first_usable_segment_0_entry),
	    cmocka_unit_test(test_mcfg_without_whole_entries),
	    cmocka_unit_test(test_loader_links_qemu_tables),
	    cmocka_unit_test(test_loader_skips_padding_unknown_commands_and_a_partial_tail),
	    cmocka_unit_test(test_loader_pointer_and_checksum_at_the_very_end),
	    cmocka_unit_test(test_loader_refuses_hostile_scripts),
	    cmocka_unit_test(test_loader_stops_at_the_first_failure_and_keeps_its_error),
	    cmocka_unit_test(test_loader_write_pointer_refuses_an_address_that_does_not_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
