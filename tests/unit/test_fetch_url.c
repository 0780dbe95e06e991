/* Host tests for boot/fetch_url.c: URLs the fetch layer accepts (names,
 * IPv4 and IPv6 literals, ports), plain paths it leaves to the boot
 * server's scheme, malformed URLs it refuses with a reason, and reference
 * resolution with RFC 3986 s.5.4's own examples. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
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

/* Parse a URL that must be accepted. */
static struct fetch_url parse_ok(const char *name)
{
	struct fetch_url u;
	const char *why = NULL;

	if (fetch_url_parse(name, &u, &why) != 1)
		fail_msg("refused: %s: %s", name, why ? why : "(no reason)");
	return u;
}

/* Parse a URL that must be refused; its reason. */
static const char *parse_bad(const char *name)
{
	struct fetch_url u;
	const char *why = NULL;

	if (fetch_url_parse(name, &u, &why) != -1)
		fail_msg("accepted: %s", name);
	if (!why || !*why)
		fail_msg("refused without a reason: %s", name);
	return why;
}

static void test_tftp_url_splits_into_scheme_host_and_path(void **state)
{
	struct fetch_url u = parse_ok("tftp://10.0.2.2/boot/vmlinuz");

	assert_string_equal(u.scheme, "tftp");
	assert_string_equal(u.host, "10.0.2.2");
	assert_int_equal(u.ipv4, ip4(10, 0, 2, 2));
	assert_false(u.ipv6);
	assert_int_equal(u.port, 0);
	assert_string_equal(u.path, "boot/vmlinuz"); /* RFC 3617: after the host's '/' */
	assert_int_equal(u.path_len, strlen("boot/vmlinuz"));
}

static void test_scheme_is_lowered_and_port_kept(void **state)
{
	struct fetch_url u = parse_ok("HTTP://192.168.77.1:8080/x.efi");

	assert_string_equal(u.scheme, "http");
	assert_int_equal(u.ipv4, ip4(192, 168, 77, 1));
	assert_int_equal(u.port, 8080);
	assert_string_equal(u.path, "x.efi");
}

static void test_host_names_are_lowered_and_have_no_ipv4(void **state)
{
	struct fetch_url u = parse_ok("http://Boot-1.Example.COM:65535/a/B%20c?x=1&y=%2F");

	assert_string_equal(u.host, "boot-1.example.com");
	assert_int_equal(u.ipv4, 0);
	assert_false(u.ipv6);
	assert_int_equal(u.port, 65535);
	/* percent-encoding and the query are kept as they are */
	assert_string_equal(u.path, "a/B%20c?x=1&y=%2F");
	assert_int_equal(u.path_len, strlen(u.path));

	u = parse_ok("http://localhost/vmlinuz");
	assert_string_equal(u.host, "localhost");
	u = parse_ok("http://boot.lab./x"); /* a trailing dot names the DNS root */
	assert_string_equal(u.host, "boot.lab.");
	u = parse_ok("http://1.2.3.4a/x"); /* not all digits: a name */
	assert_string_equal(u.host, "1.2.3.4a");
	assert_int_equal(u.ipv4, 0);
	u = parse_ok("http://255.255.255.255:1/x");
	assert_int_equal(u.ipv4, ip4(255, 255, 255, 255));
	assert_int_equal(u.port, 1);
}

static void test_fragment_is_not_part_of_the_path_sent(void **state)
{
	struct fetch_url u = parse_ok("http://h/dir/file?q=1#part");

	assert_string_equal(u.path, "dir/file?q=1#part");
	assert_int_equal(u.path_len, strlen("dir/file?q=1"));
}

static void test_ipv6_literals_are_validated_and_kept_as_text(void **state)
{
	static const struct {
		const char *url, *host;
	} ok[] = {
		{ "http://[2001:db8::7]/c", "2001:db8::7" },
		{ "http://[::1]:8080/x", "::1" },
		{ "http://[::]/x", "::" },
		{ "http://[FE80::A:b]/x", "fe80::a:b" },
		{ "http://[1:2:3:4:5:6:7:8]/x", "1:2:3:4:5:6:7:8" },
		{ "http://[1:2:3:4:5:6:7::]/x", "1:2:3:4:5:6:7::" },
		{ "http://[::2:3:4:5:6:7:8]/x", "::2:3:4:5:6:7:8" },
		{ "http://[::ffff:192.0.2.1]/x", "::ffff:192.0.2.1" },
		{ "http://[1:2:3:4:5:6:10.0.0.1]/x", "1:2:3:4:5:6:10.0.0.1" },
		{ "http://[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]/x",
		  "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" },
	};
	static const char *const bad[] = {
		"http://[1:2:3:4:5:6:7:8:9]/x", /* nine groups */
		"http://[1:2:3:4:5:6:7]/x",	/* seven without "::" */
		"http://[1::2::3]/x",		/* "::" twice */
		"http://[12345::]/x",		/* five digits */
		"http://[::g]/x",
		"http://[:1::]/x",
		"http://[1:]/x",
		"http://[:::]/x",
		"http://[]/x",
		"http://[::1.2.3]/x",
		"http://[::1.2.3.4:5]/x",	/* IPv4 only at the end */
		"http://[::01.2.3.4]/x",
		"http://[1:2:3:4:5:6:7:1.2.3.4]/x", /* nine groups' worth */
		"http://[fe80::1%25eth0]/x",	/* zone ids (RFC 6874) are not taken */
		"http://[v1.fe]/x",		/* IPvFuture */
		"http://[::1/x",
		"http://[::1]x/y",
		"http://[::1]:/x",
		"http://[::1]:99999/x",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct fetch_url u = parse_ok(ok[i].url);
		assert_string_equal(u.host, ok[i].host);
		assert_true(u.ipv6);
		assert_int_equal(u.ipv4, 0);
	}
	assert_int_equal(parse_ok("http://[::1]:8080/x").port, 8080);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_bad(bad[i]);
	assert_non_null(strstr(parse_bad("http://[v1.fe]/x"), "IPvFuture"));
}

static void test_userinfo_is_refused_with_its_reason(void **state)
{
	assert_non_null(strstr(parse_bad("http://user:secret@10.0.2.2/x"), "user information"));
	assert_non_null(strstr(parse_bad("http://@h/x"), "user information"));
	assert_non_null(strstr(parse_bad("http://u@[::1]/x"), "user information"));
}

static void test_host_names_that_dns_cannot_take_are_refused(void **state)
{
	char longlabel[128], longname[300];

	assert_non_null(strstr(parse_bad("http://a..b/x"), "empty label"));
	assert_non_null(strstr(parse_bad("http://.a/x"), "empty label"));
	assert_non_null(strstr(parse_bad("http://-a.b/x"), "starting with '-'"));
	assert_non_null(strstr(parse_bad("http://a-.b/x"), "ending in '-'"));
	assert_non_null(strstr(parse_bad("http://a_b/x"), "character"));
	assert_non_null(strstr(parse_bad("http://%41b/x"), "character"));
	assert_non_null(strstr(parse_bad("http://a!b/x"), "character"));
	assert_non_null(strstr(parse_bad("http:///x"), "no host"));
	assert_non_null(strstr(parse_bad("http://:80/x"), "no host"));

	snprintf(longlabel, sizeof(longlabel), "http://%064d.lab/x", 0);
	assert_non_null(strstr(parse_bad(longlabel), "longer than 63"));
	snprintf(longlabel, sizeof(longlabel), "http://a%062d.lab/x", 0); /* 63: fine */
	parse_ok(longlabel);

	/* 4 labels of 63 and their dots: 255 characters, past 253 */
	snprintf(longname, sizeof(longname), "http://a%062d.a%062d.a%062d.a%062d/x", 0, 0, 0, 0);
	assert_non_null(strstr(parse_bad(longname), "longer than 253"));
	snprintf(longname, sizeof(longname), "http://a%062d.a%062d.a%062d.a%060d/x", 0, 0, 0, 0);
	assert_int_equal(strlen(parse_ok(longname).host), 253);
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
		"tftp://10.0.2/x",	  /* three parts */
		"tftp://10.0.2.256/x",	  /* a part past 255 */
		"tftp://10.0.2.2.5/x",
		"tftp://010.0.2.2/x",	  /* leading zeros (octal to some) */
		"tftp://10.0.2.2:0/x",	  /* port 0 */
		"tftp://10.0.2.2:65536/x",
		"tftp://10.0.2.2:123456/x",
		"tftp://10.0.2.2:8a/x",
		"tftp://10.0.2.2:/x",
		"tftp://10.0.2.2",	  /* no file */
		"tftp://10.0.2.2/",
		"http://h?x=1",
		"http://h/#frag",
		"http://h/a b",		  /* a space */
		"http://h/a\r\nX-Evil: 1", /* a header injected into a request */
		"http://h/a\x7f",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_bad(bad[i]);
	assert_non_null(strstr(parse_bad("http://h/a b"), "space"));
	assert_non_null(strstr(parse_bad("tftp://10.0.2.2:0/x"), "port"));
	assert_non_null(strstr(parse_bad("tftp://10.0.2.256/x"), "IPv4"));
}

/* RFC 3986 s.5.4: each reference against "http://a/b/c/d;p?q". */
static const struct {
	const char *ref, *want;
} rfc3986_examples[] = {
	/* s.5.4.1 normal examples */
	{ "g:h", "g:h" },
	{ "g", "http://a/b/c/g" },
	{ "./g", "http://a/b/c/g" },
	{ "g/", "http://a/b/c/g/" },
	{ "/g", "http://a/g" },
	{ "//g", "http://g" },
	{ "?y", "http://a/b/c/d;p?y" },
	{ "g?y", "http://a/b/c/g?y" },
	{ "#s", "http://a/b/c/d;p?q#s" },
	{ "g#s", "http://a/b/c/g#s" },
	{ "g?y#s", "http://a/b/c/g?y#s" },
	{ ";x", "http://a/b/c/;x" },
	{ "g;x", "http://a/b/c/g;x" },
	{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
	{ "", "http://a/b/c/d;p?q" },
	{ ".", "http://a/b/c/" },
	{ "./", "http://a/b/c/" },
	{ "..", "http://a/b/" },
	{ "../", "http://a/b/" },
	{ "../g", "http://a/b/g" },
	{ "../..", "http://a/" },
	{ "../../", "http://a/" },
	{ "../../g", "http://a/g" },
	/* s.5.4.2 abnormal examples */
	{ "../../../g", "http://a/g" },
	{ "../../../../g", "http://a/g" },
	{ "/./g", "http://a/g" },
	{ "/../g", "http://a/g" },
	{ "g.", "http://a/b/c/g." },
	{ ".g", "http://a/b/c/.g" },
	{ "g..", "http://a/b/c/g.." },
	{ "..g", "http://a/b/c/..g" },
	{ "./../g", "http://a/b/g" },
	{ "./g/.", "http://a/b/c/g/" },
	{ "g/./h", "http://a/b/c/g/h" },
	{ "g/../h", "http://a/b/c/h" },
	{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
	{ "g;x=1/../y", "http://a/b/c/y" },
	{ "g?y/./x", "http://a/b/c/g?y/./x" },
	{ "g?y/../x", "http://a/b/c/g?y/../x" },
	{ "g#s/./x", "http://a/b/c/g#s/./x" },
	{ "g#s/../x", "http://a/b/c/g#s/../x" },
	{ "http:g", "http:g" }, /* a strict parser's answer */
};

static void test_resolve_gives_rfc3986_examples(void **state)
{
	for (size_t i = 0; i < sizeof(rfc3986_examples) / sizeof(rfc3986_examples[0]); i++) {
		char out[128];
		const char *why = NULL;
		memset(out, 'X', sizeof(out));
		if (fetch_url_resolve("http://a/b/c/d;p?q", rfc3986_examples[i].ref, out,
				      sizeof(out), &why))
			fail_msg("\"%s\" refused: %s", rfc3986_examples[i].ref, why);
		if (strcmp(out, rfc3986_examples[i].want))
			fail_msg("\"%s\" gave \"%s\", RFC 3986 s.5.4 says \"%s\"",
				 rfc3986_examples[i].ref, out, rfc3986_examples[i].want);
	}
}

/* Resolve and compare; the reason when refused. */
static void resolve_ok(const char *base, const char *ref, const char *want)
{
	char out[256];
	const char *why = NULL;

	if (fetch_url_resolve(base, ref, out, sizeof(out), &why))
		fail_msg("%s + %s refused: %s", base, ref, why);
	if (strcmp(out, want))
		fail_msg("%s + %s gave %s, not %s", base, ref, out, want);
}

static void test_resolve_config_paths_and_redirects(void **state)
{
	const char *cfg = "http://10.0.2.2:8080/pxe/pxelinux.cfg/default";

	/* a pxelinux config fetched over HTTP names its files relative to itself */
	resolve_ok(cfg, "vmlinuz", "http://10.0.2.2:8080/pxe/pxelinux.cfg/vmlinuz");
	resolve_ok(cfg, "../linux/initrd.img", "http://10.0.2.2:8080/pxe/linux/initrd.img");
	resolve_ok(cfg, "/boot/vmlinuz", "http://10.0.2.2:8080/boot/vmlinuz");
	resolve_ok(cfg, "//mirror.lab/k", "http://mirror.lab/k");
	resolve_ok(cfg, "http://[::1]:81/a/./b/../c", "http://[::1]:81/a/c");
	/* a redirect elsewhere is only resolved: the client decides what it takes */
	resolve_ok(cfg, "ftp://files/x", "ftp://files/x");
	resolve_ok(cfg, "tftp://10.0.2.2/x", "tftp://10.0.2.2/x");
	/* a base without a path: merge puts a '/' first (s.5.2.3) */
	resolve_ok("http://h", "x", "http://h/x");
	resolve_ok("http://h?q", "", "http://h?q");
	/* the base's fragment never carries over; percent-encoding is kept */
	resolve_ok("http://h/a/b#f", "c%20d", "http://h/a/c%20d");
	resolve_ok("http://h/a/b#f", "", "http://h/a/b");
	resolve_ok("http://h/a/b", "%2e%2e/x", "http://h/a/%2e%2e/x");
	/* without an authority a path must not start "//" (it would read as one) */
	resolve_ok("g:a", "/.//x", "g:/.//x");
	resolve_ok("g:a/b", "..//x", "g:/.//x");
}

static void test_resolve_refuses_with_a_reason(void **state)
{
	char out[64];
	const char *why;

	why = NULL;
	assert_int_equal(fetch_url_resolve("pxelinux.cfg/default", "x", out, sizeof(out), &why),
			 -1);
	assert_non_null(strstr(why, "not absolute"));
	why = NULL;
	assert_int_equal(fetch_url_resolve("http://h/a", "b c", out, sizeof(out), &why), -1);
	assert_non_null(strstr(why, "space"));
	why = NULL;
	assert_int_equal(fetch_url_resolve("http://h/a", "x\ny", out, sizeof(out), &why), -1);
	assert_non_null(why);
	why = NULL;
	assert_int_equal(fetch_url_resolve("http://h/a", "1x:y", out, sizeof(out), &why), -1);
	assert_non_null(strstr(why, "scheme"));
	why = NULL;
	assert_int_equal(fetch_url_resolve("http://h/a", ":y", out, sizeof(out), &why), -1);
	assert_non_null(why);
}

static void test_resolve_is_bounded_by_cap(void **state)
{
	const char *want = "http://h/d/f"; /* 12 characters and the NUL */
	char out[32];
	const char *why = NULL;

	for (size_t cap = 0; cap <= 13; cap++) {
		memset(out, '#', sizeof(out));
		why = NULL;
		int rc = fetch_url_resolve("http://h/d/e", "f", out, cap, &why);
		if (cap < 13) {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(why, "longer"));
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(out, want);
		}
		for (size_t k = cap; k < sizeof(out); k++)
			assert_int_equal(out[k], '#'); /* nothing written past cap */
	}
	/* only the result must fit: the merged path before its dot-segments
	 * are removed may be longer (http://h/ + aaaaaaaaaa/ + the ../ parts) */
	for (size_t cap = 9; cap <= 12; cap++) {
		memset(out, '#', sizeof(out));
		why = NULL;
		int rc = fetch_url_resolve("http://h/aaaaaaaaaa/b", "../../../../c/../x", out, cap,
					   &why);
		assert_int_equal(rc, cap >= 11 ? 0 : -1); /* "http://h/x" and its NUL: 11 */
		if (!rc)
			assert_string_equal(out, "http://h/x");
		for (size_t k = cap; k < sizeof(out); k++)
			assert_int_equal(out[k], '#');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tftp_url_splits_into_scheme_host_and_path),
	    cmocka_unit_test(test_scheme_is_lowered_and_port_kept),
	    cmocka_unit_test(test_host_names_are_lowered_and_have_no_ipv4),
	    cmocka_unit_test(test_fragment_is_not_part_of_the_path_sent),
	    cmocka_unit_test(test_ipv6_literals_are_validated_and_kept_as_text),
	    cmocka_unit_test(test_userinfo_is_refused_with_its_reason),
	    cmocka_unit_test(test_host_names_that_dns_cannot_take_are_refused),
	    cmocka_unit_test(test_plain_paths_are_not_urls),
	    cmocka_unit_test(test_malformed_urls_are_refused_with_a_reason),
	    cmocka_unit_test(test_resolve_gives_rfc3986_examples),
	    cmocka_unit_test(test_resolve_config_paths_and_redirects),
	    cmocka_unit_test(test_resolve_refuses_with_a_reason),
	    cmocka_unit_test(test_resolve_is_bounded_by_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
