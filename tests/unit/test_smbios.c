/* SMBIOS walk (platform/smbios_parse.c): system UUID for DHCP option 97. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <smbios.h>

/* type 0 with two strings, then type 1 with the UUID, then type 127. */
static size_t build(uint8_t *t, const uint8_t raw_uuid[16])
{
	size_t n = 0;
	uint8_t t0[] = { 0, 0x18, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	memcpy(t + n, t0, sizeof(t0));
	n += sizeof(t0);
	memcpy(t + n, "QEMU\0vendor\0\0", 13);
	n += 13;
	uint8_t t1[0x1b] = { 1, 0x1b, 1, 0 };
	memcpy(t1 + 8, raw_uuid, 16);
	memcpy(t + n, t1, sizeof(t1));
	n += sizeof(t1);
	t[n++] = 0;
	t[n++] = 0;
	uint8_t end[] = { 127, 4, 2, 0, 0, 0 };
	memcpy(t + n, end, sizeof(end));
	return n + sizeof(end);
}

static void test_uuid_in_network_order(void **state)
{
	/* QEMU -uuid 12345678-9abc-def0-1122-334455667788, as SMBIOS stores it. */
	static const uint8_t raw[16] = { 0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
					 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	static const uint8_t want[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
					  0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	uint8_t t[256], uuid[16];
	size_t n = build(t, raw);

	assert_true(smbios_find_uuid(t, n, uuid));
	assert_memory_equal(uuid, want, 16);
	/* Truncated anywhere before the UUID's end: not found, no overread (ASan). */
	for (size_t cut = 0; cut < 24 + 13 + 8 + 16; cut++)
		assert_false(smbios_find_uuid(t, cut, uuid));
}

static void test_unset_uuid_is_absent(void **state)
{
	uint8_t t[256], uuid[16], raw[16];

	memset(raw, 0, 16);
	assert_false(smbios_find_uuid(t, build(t, raw), uuid));
	memset(raw, 0xff, 16);
	assert_false(smbios_find_uuid(t, build(t, raw), uuid));
}

static void test_hostile_lengths(void **state)
{
	uint8_t uuid[16];
	static const uint8_t tiny_len[] = { 0, 2, 0, 0, 0, 0 };
	static const uint8_t too_long[] = { 1, 0xf0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t no_string_end[] = { 0, 4, 0, 0, 'a', 'b', 'c' };

	assert_false(smbios_find_uuid(tiny_len, sizeof(tiny_len), uuid));
	assert_false(smbios_find_uuid(too_long, sizeof(too_long), uuid));
	assert_false(smbios_find_uuid(no_string_end, sizeof(no_string_end), uuid));
	assert_false(smbios_find_uuid(NULL, 0, uuid));
}

/* The structure at *off: its type, the formatted length, its strings
 * (up to 4) copied out; *off moves past it. -1 if malformed. */
static int next_struct(const uint8_t *t, size_t len, size_t *off, char strs[4][32])
{
	size_t i = *off;
	if (i + 4 > len || t[i + 1] < 4 || t[i + 1] > len - i)
		return -1;
	int type = t[i];
	size_t j = i + t[i + 1];
	memset(strs, 0, 4 * 32);
	for (int k = 0; j < len && t[j]; k++) {
		size_t n = strnlen((const char *)t + j, len - j);
		if (k < 4 && n < 32)
			memcpy(strs[k], t + j, n);
		j += n + 1;
	}
	if (j >= len)
		return -1;
	j++; /* the NUL closing the set */
	if (j == i + t[i + 1] + 1) /* no strings: a second NUL */
		j++;
	*off = j;
	return type;
}

static void test_minimal_table(void **state)
{
	uint8_t buf[512], anchor[24];
	char strs[4][32];
	const struct smbios_ids ids = {"wireboot", "v1-test", NULL, "microvm"};

	assert_int_equal(smbios_build_minimal(buf, 40, &ids), 0); /* too small */
	size_t n = smbios_build_minimal(buf, sizeof(buf), &ids);
	assert_true(n > 0 && n < sizeof(buf));
	size_t off = 0;
	assert_int_equal(next_struct(buf, n, &off, strs), 0);
	assert_int_equal(buf[1], 0x1a);
	assert_int_equal(buf[4], 1); /* vendor: string 1 */
	assert_int_equal(buf[5], 2); /* version: string 2 */
	assert_true(buf[0x13] & 0x08); /* UEFI is supported */
	assert_true(buf[0x13] & 0x10); /* a virtual machine */
	assert_string_equal(strs[0], "wireboot");
	assert_string_equal(strs[1], "v1-test");
	size_t t1 = off;
	assert_int_equal(next_struct(buf, n, &off, strs), 1);
	assert_int_equal(buf[t1 + 1], 0x1b);
	assert_int_equal(buf[t1 + 4], 0); /* no manufacturer */
	assert_int_equal(buf[t1 + 5], 1); /* product: string 1 */
	assert_string_equal(strs[0], "microvm");
	assert_int_equal(next_struct(buf, n, &off, strs), 127);
	assert_int_equal(off, n);
	uint8_t uuid[16];
	assert_false(smbios_find_uuid(buf, n, uuid)); /* all zeros: not set */

	smbios_entry3(anchor, 0x12345000, (uint32_t)n);
	uint8_t sum = 0;
	for (int i = 0; i < 24; i++)
		sum += anchor[i];
	assert_int_equal(sum, 0);
	assert_memory_equal(anchor, "_SM3_", 5);
	assert_int_equal(anchor[6], 24);
	assert_int_equal(anchor[7], 3);
	uint64_t at;
	uint32_t max;
	memcpy(&at, anchor + 16, 8);
	memcpy(&max, anchor + 12, 4);
	assert_int_equal(at, 0x12345000);
	assert_int_equal(max, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid_in_network_order),
		cmocka_unit_test(test_unset_uuid_is_absent),
		cmocka_unit_test(test_hostile_lengths),
		cmocka_unit_test(test_minimal_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
