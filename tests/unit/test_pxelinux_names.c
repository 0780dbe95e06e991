/* Host tests for pxe/pxelinux_names.c: the pxelinux.cfg/ names PXELINUX
 * tries, in its order (syslinux doc/pxelinux.txt). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <pxelinux.h>

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t ip[4] = { 10, 0, 2, 15 }; /* QEMU user net's guest */

/* Canary-filled so a missing NUL or a write past a name shows. */
static char names[PXECFG_MAX_NAMES + 1][PXECFG_NAME_LEN];

static void fill(void)
{
	memset(names, 0x7e, sizeof(names));
}

static void assert_names(size_t n, const char *const *want, size_t nwant)
{
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_string_equal(names[i], want[i]);
	for (size_t i = 0; i < PXECFG_NAME_LEN; i++)
		assert_int_equal(names[PXECFG_MAX_NAMES][i], 0x7e);
}

static void test_without_uuid_mac_then_hex_address_shrinking_then_default(void **state)
{
	static const char *const want[] = {
		"01-52-54-00-12-34-56", "0A00020F", "0A00020", "0A0002", "0A000",
		"0A00",			"0A0",	    "0A",      "0",	 "default",
	};

	fill();
	assert_names(pxecfg_lookup_names(NULL, mac, ip, names), want, 10);
}

static void test_uuid_comes_first_lower_case_with_dashes(void **state)
{
	static const uint8_t uuid[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
					  0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21 };
	static const char *const want[] = {
		"12345678-9abc-def0-0fed-cba987654321",
		"01-52-54-00-12-34-56",
		"0A00020F",
		"0A00020",
		"0A0002",
		"0A000",
		"0A00",
		"0A0",
		"0A",
		"0",
		"default",
	};

	fill();
	assert_names(pxecfg_lookup_names(uuid, mac, ip, names), want, PXECFG_MAX_NAMES);
}

/* syslinux's example: 192.168.2.91 is C0A8025B; the MAC's hex is lower
 * case, the address's upper case. */
static void test_hex_digits_take_the_case_pxelinux_uses(void **state)
{
	static const uint8_t m[6] = { 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd };
	static const uint8_t a[4] = { 192, 168, 2, 91 };

	fill();
	size_t n = pxecfg_lookup_names(NULL, m, a, names);
	assert_int_equal(n, 10);
	assert_string_equal(names[0], "01-88-99-aa-bb-cc-dd");
	assert_string_equal(names[1], "C0A8025B");
	assert_string_equal(names[4], "C0A80");
	assert_string_equal(names[8], "C");
}

static void test_all_ones_fill_every_name_to_its_length(void **state)
{
	static const uint8_t u[16] = { [0 ... 15] = 0xff };
	static const uint8_t m[6] = { [0 ... 5] = 0xff };
	static const uint8_t a[4] = { 255, 255, 255, 255 };

	fill();
	size_t n = pxecfg_lookup_names(u, m, a, names);
	assert_int_equal(n, PXECFG_MAX_NAMES);
	assert_int_equal(strlen(names[0]), PXECFG_NAME_LEN - 1);
	assert_string_equal(names[0], "ffffffff-ffff-ffff-ffff-ffffffffffff");
	assert_string_equal(names[1], "01-ff-ff-ff-ff-ff-ff");
	assert_string_equal(names[2], "FFFFFFFF");
	assert_string_equal(names[10], "default");
	for (size_t i = 0; i < PXECFG_NAME_LEN; i++)
		assert_int_equal(names[PXECFG_MAX_NAMES][i], 0x7e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_without_uuid_mac_then_hex_address_shrinking_then_default),
	    cmocka_unit_test(test_uuid_comes_first_lower_case_with_dashes),
	    cmocka_unit_test(test_hex_digits_take_the_case_pxelinux_uses),
	    cmocka_unit_test(test_all_ones_fill_every_name_to_its_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
