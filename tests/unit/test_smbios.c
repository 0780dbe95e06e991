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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid_in_network_order),
		cmocka_unit_test(test_unset_uuid_is_absent),
		cmocka_unit_test(test_hostile_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
