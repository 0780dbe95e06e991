/* Host tests for boot/fetch_url.c: URLs the fetch layer accepts, plain
 * paths it leaves to the boot server's scheme, and malformed URLs it
 * refuses with a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <fetch.h>

/* The IPv4 address a.b.c.d in network order, as the parser stores it. */
static uint32_t ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t x[4] = { a, b, c, d };
	uint32_t v;

	memcpy(&v, x, 4);
	return v;
}

static void test_tftp_url_splits_into_scheme_host_and_path(void **state)
{
	struct fetch_url u;
	const char *why = NULL;

	assert_int_equal(fetch_url_parse("tftp://10.0.2.2/boot/vmlinuz", &u, &why), 1);
	assert_string_equal(u.scheme, "tftp");
	assert_int_equal(u.host, ip4(10, 0, 2, 2));
	assert_int_equal(u.port, 0);
	assert_string_equal(u.path, "boot/vmlinuz"); /* RFC 3617: after the host's '/' */
}

static void test_scheme_is_lowered_and_port_kept(void **state)
{
	struct fetch_url u;
	const char *why = NULL;

	assert_int_equal(fetch_url_parse("HTTP://192.168.77.1:8080/x.efi", &u, &why), 1);
	assert_string_equal(u.scheme, "http");
	assert_int_equal(u.host, ip4(192, 168, 77, 1));
	assert_int_equal(u.port, 8080);
	assert_string_equal(u.path, "x.efi");
}

static void test_plain_paths_are_not_urls(void **state)
{
	static const char *const paths[] = { "vmlinuz", "pxelinux.cfg/default", "/srv/x",
					     "a:b/c",	"dir/tftp://x",	      "" };
	struct fetch_url u;
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		assert_int_equal(fetch_url_parse(paths[i], &u, &why), 0);
}

static void test_malformed_urls_are_refused_with_a_reason(void **state)
{
	static const char *const bad[] = {
		"://10.0.2.2/x",	  /* no scheme */
		"verylongscheme://1.2.3.4/x",
		"1tftp://1.2.3.4/x",	  /* a scheme starts with a letter */
		"tf_tp://1.2.3.4/x",
		"tftp://server/x",	  /* names need DNS */
		"tftp://10.0.2/x",	  /* three parts */
		"tftp://10.0.2.256/x",	  /* a part past 255 */
		"tftp://10.0.2.2.5/x",
		"tftp://10.0.2.2:0/x",	  /* port 0 */
		"tftp://10.0.2.2:65536/x",
		"tftp://10.0.2.2:/x",
		"tftp://10.0.2.2",	  /* no file */
		"tftp://10.0.2.2/",
	};
	struct fetch_url u;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;
		if (fetch_url_parse(bad[i], &u, &why) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(why);
		assert_true(strlen(why) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tftp_url_splits_into_scheme_host_and_path),
	    cmocka_unit_test(test_scheme_is_lowered_and_port_kept),
	    cmocka_unit_test(test_plain_paths_are_not_urls),
	    cmocka_unit_test(test_malformed_urls_are_refused_with_a_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
