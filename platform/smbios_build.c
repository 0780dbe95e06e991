/* A minimal SMBIOS table for machines whose VMM gives none (QEMU's
 * microvm, VMMs without fw_cfg): type 0 (BIOS), type 1 (system), type 127,
 * DSP0134 3.6 s.7.1, s.7.2, s.7.46. Pure. */
#include <string.h>
#include <smbios.h>

/* Append s (if any) to the string set at *p; its number, 0 for none. */
static uint8_t add_str(uint8_t **p, const uint8_t *end, uint8_t *count, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n + 1 > (size_t)(end - *p))
		return 0;
	memcpy(*p, s, n + 1);
	*p += n + 1;
	return ++*count;
}

/* Close a structure's strings: one more NUL, two if it had none. */
static uint8_t *end_strings(uint8_t *p, uint8_t count)
{
	*p++ = 0;
	if (!count)
		*p++ = 0;
	return p;
}

size_t smbios_build_minimal(uint8_t *out, size_t cap, const struct smbios_ids *ids)
{
	/* The fixed parts, every string at its longest, the terminators. */
	size_t need = 0x1a + 0x1b + 4 + 6;
	const char *strs[] = {ids->bios_vendor, ids->bios_version, ids->sys_vendor, ids->product};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		need += (strs[i] ? strlen(strs[i]) : 0) + 1;
	if (cap < need)
		return 0;
	memset(out, 0, need);
	uint8_t *p = out, *end = out + cap, n = 0;

	/* Type 0, 3.1+ length: vendor, version; no release date. */
	p[0] = 0;
	p[1] = 0x1a;
	p[2] = 0; /* handle 0 */
	p[0x0a] = 0x08; /* characteristics: "not supported" (bit 3) */
	p[0x13] = 0x08 | 0x10; /* extension byte 2: UEFI, virtual machine */
	p[0x14] = p[0x15] = p[0x16] = p[0x17] = 0xff; /* no release numbers */
	uint8_t *s = p + 0x1a;
	p[4] = add_str(&s, end, &n, ids->bios_vendor);
	p[5] = add_str(&s, end, &n, ids->bios_version);
	p = end_strings(s, n);

	/* Type 1: manufacturer, product; UUID all zeros (present, not set). */
	n = 0;
	p[0] = 1;
	p[1] = 0x1b;
	p[2] = 1; /* handle 1 */
	p[0x18] = 6; /* wake-up type: power switch */
	s = p + 0x1b;
	p[4] = add_str(&s, end, &n, ids->sys_vendor);
	p[5] = add_str(&s, end, &n, ids->product);
	p = end_strings(s, n);

	/* Type 127: end of table. */
	p[0] = 127;
	p[1] = 4;
	p[2] = 2; /* handle 2 */
	p = end_strings(p + 4, 0);
	return (size_t)(p - out);
}

void smbios_entry3(uint8_t anchor[24], uint64_t table, uint32_t size)
{
	uint8_t sum = 0;

	memset(anchor, 0, 24);
	memcpy(anchor, "_SM3_", 5);
	anchor[6] = 24;	  /* entry point length */
	anchor[7] = 3;	  /* SMBIOS 3.0 */
	anchor[8] = 0;
	anchor[10] = 1;	  /* entry point revision */
	memcpy(anchor + 12, &size, 4);
	memcpy(anchor + 16, &table, 8);
	for (int i = 0; i < 24; i++)
		sum += anchor[i];
	anchor[5] = (uint8_t)-sum;
}
