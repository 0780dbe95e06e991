/* Host tests for include/numparse.h, the one decimal parser of settings,
 * TFTP options and pxelinux configs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <numparse.h>

static void test_whole_string_numbers(void **state)
{
	uint64_t v = 7;

	assert_true(numparse_dec("0", 1, &v));
	assert_int_equal(v, 0);
	assert_true(numparse_dec("65464", 5, &v));
	assert_int_equal(v, 65464);
	assert_true(numparse_dec("18446744073709551615", 20, &v));
	assert_true(v == UINT64_MAX);
	/* Only n bytes count: the digits after them are not read. */
	assert_true(numparse_dec("12345", 2, &v));
	assert_int_equal(v, 12);
}

static void test_anything_else_is_refused_and_leaves_the_value(void **state)
{
	static const char *const bad[] = { "", "abc", "12a", " 1", "1 ", "-1", "+1", "0x10",
					   "18446744073709551616", "99999999999999999999" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 42;
		if (numparse_dec(bad[i], strlen(bad[i]), &v))
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(v, 42);
	}
}

static void test_prefix_counts_digits_and_holds_at_the_maximum(void **state)
{
	uint64_t v;

	assert_int_equal(numparse_dec_prefix("50 seconds", 10, &v), 2);
	assert_int_equal(v, 50);
	assert_int_equal(numparse_dec_prefix("x1", 2, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(numparse_dec_prefix("123", 2, &v), 2);
	assert_int_equal(v, 12);
	assert_int_equal(numparse_dec_prefix("184467440737095516160000", 24, &v), 24);
	assert_true(v == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_string_numbers),
	    cmocka_unit_test(test_anything_else_is_refused_and_leaves_the_value),
	    cmocka_unit_test(test_prefix_counts_digits_and_holds_at_the_maximum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
