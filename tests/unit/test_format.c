/* Host tests for lib/format.c: every conversion compared with the host C
 * library's snprintf, plus truncation and the callback interface. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>
#include <format.h>

#define OUT_MAX 512

/* Fail unless ours and the C library's agree on length and bytes. */
static void check_same_at(const char *file, int line, const char *fmt, const char *ours, int n_ours,
			  const char *libc, int n_libc)
{
	if (n_ours == n_libc && n_ours < OUT_MAX && !memcmp(ours, libc, (size_t)n_ours + 1))
		return;
	print_error("%s:%d: format \"%s\"\n  ours (%d): \"%s\"\n  libc (%d): \"%s\"\n", file, line,
		    fmt, n_ours, ours, n_libc, libc);
	_fail(file, line);
}

/* Format the same arguments with format_buf and snprintf and compare. */
#define SAME(...)                                                                                  \
	do {                                                                                       \
		char ours_[OUT_MAX], libc_[OUT_MAX];                                               \
		int n_ours_ = format_buf(ours_, sizeof(ours_), __VA_ARGS__);                       \
		int n_libc_ = snprintf(libc_, sizeof(libc_), __VA_ARGS__);                         \
		check_same_at(__FILE__, __LINE__, #__VA_ARGS__, ours_, n_ours_, libc_, n_libc_);   \
	} while (0)

/* Ours alone, where the C library differs or the behaviour is ours. */
#define OURS(want, ...)                                                                            \
	do {                                                                                       \
		char ours_[OUT_MAX];                                                               \
		int n_ours_ = format_buf(ours_, sizeof(ours_), __VA_ARGS__);                       \
		check_same_at(__FILE__, __LINE__, #__VA_ARGS__, ours_, n_ours_, (want),            \
			      (int)strlen(want));                                                  \
	} while (0)

static void test_plain_text_and_percent(void **state)
{
	SAME("plain text");
	SAME("100%%");
	SAME("%%%d%%", 5);
	SAME("a=%d b=%s c=%x d=%c e=%%", -1, "two", 3u, '4');
}

static void test_signed_decimal(void **state)
{
	SAME("%d", 0);
	SAME("%d", 42);
	SAME("%d", -42);
	SAME("%i", INT_MAX);
	SAME("%i", INT_MIN);
	SAME("%d|%d|%d", 1, -2, 3);
}

static void test_unsigned_hex_octal(void **state)
{
	SAME("%u", 0u);
	SAME("%u", UINT_MAX);
	SAME("%x", 0u);
	SAME("%x", 0xdeadbeefu);
	SAME("%X", 0xdeadbeefu);
	SAME("%o", 0u);
	SAME("%o", 0777u);
	SAME("%o", UINT_MAX);
}

static void test_flags(void **state)
{
	SAME("%-6d|", 42);
	SAME("%-6d|", -42);
	SAME("%06d", 42);
	SAME("%06d", -42);
	SAME("%+d", 42);
	SAME("%+d", -42);
	SAME("%+d", 0);
	SAME("% d", 42);
	SAME("% d", -42);
	SAME("% 5d", 42);
	SAME("%+05d", 42);
	SAME("%#x", 0x1fu);
	SAME("%#X", 0x1fu);
	SAME("%#x", 0u);
	SAME("%#010x", 0xbeefu);
	SAME("%#10x|", 0xbeefu);
	SAME("%-#10x|", 0xbeefu);
	SAME("%08X", 0xbeefu);
}

/* Flag combinations C defines but compilers warn about. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
static void test_overridden_flags(void **state)
{
	SAME("%+ d", 42); /* '+' beats ' ' */
	SAME("% +d", 42);
	SAME("%0-8d|", 5);  /* '-' beats '0' */
	SAME("%08.5d", 42); /* a precision turns '0' off */
	SAME("%08.3x", 0xau);
	SAME("%-08x|", 0xbeefu);
}
#pragma GCC diagnostic pop

static void test_width_and_precision(void **state)
{
	SAME("%8d|", 42);
	SAME("%2d", 12345);
	SAME("%.5d", 42);
	SAME("%.5d", -42);
	SAME("%8.5d|", -42);
	SAME("%-8.5d|", 42);
	SAME("%.1d", 42);
	SAME("%.3o", 8u);
	SAME("%#.8x", 0x1fu);
	SAME("%#12.8x|", 0x1fu);
	SAME("%.16llx", 0xabcULL);
}

static void test_zero_with_precision_zero_prints_no_digits(void **state)
{
	SAME("[%.0d]", 0);
	SAME("[%5.0d]", 0);
	SAME("[%-5.0d]", 0);
	SAME("[%.0x]", 0u);
	SAME("[%#.0x]", 0u);
	SAME("[%.0u]", 0u);
	SAME("[%+.0d]", 0);
	SAME("[% .0d]", 0);
	SAME("[%.d]", 0);
	SAME("[%.0d]", 1);
}

static void test_star_width_and_precision(void **state)
{
	SAME("%*d|", 6, 42);
	SAME("%*d|", -6, 42); /* a negative width means '-' */
	SAME("%-*d|", 6, 42);
	SAME("%*d|", 0, 42);
	SAME("%.*d", 4, 7);
	SAME("%.*d", -1, 7); /* a negative precision means none */
	SAME("%.*d", 0, 0);
	SAME("%*.*d|", 8, 4, -7);
	SAME("%*.*d|", -8, 4, -7);
	SAME("%.*s|", 3, "abcdef");
	SAME("%*s|", -5, "ab");
	SAME("%*x|%d", 4, 0xau, 99); /* the arguments after stay in step */
}

static void test_length_modifiers(void **state)
{
	SAME("%hhd", 300);
	SAME("%hhd", 200);
	SAME("%hhd", -128);
	SAME("%hhu", 300);
	SAME("%hhx", 0x1ff);
	SAME("%hd", 70000);
	SAME("%hd", -32768);
	SAME("%hu", 70000);
	SAME("%hx", -1);
	SAME("%ld", LONG_MIN);
	SAME("%ld", LONG_MAX);
	SAME("%lu", ULONG_MAX);
	SAME("%lx", 0x123456789abcdefUL);
	SAME("%lld", LLONG_MIN);
	SAME("%lld", LLONG_MAX);
	SAME("%llu", ULLONG_MAX);
	SAME("%llx", 0xfedcba9876543210ULL);
	SAME("%llX", 0xfedcba9876543210ULL);
	SAME("%llo", ULLONG_MAX);
	SAME("%lli", (long long)INT64_MIN);
	SAME("%zu", SIZE_MAX);
	SAME("%zx", (size_t)0x1234);
	SAME("%zd", (ssize_t)-5);
	SAME("%jd", INTMAX_MIN);
	SAME("%jd", INTMAX_MAX);
	SAME("%ju", UINTMAX_MAX);
	SAME("%jx", UINTMAX_MAX);
	SAME("%td", (ptrdiff_t)-12345);
	SAME("%td", PTRDIFF_MIN);
	SAME("%tx", (ptrdiff_t)0x7fff);
	/* A long after an int: the va_arg widths must match. */
	SAME("%d %lld %d %hhd %zu %d", 1, LLONG_MIN, 2, 3, (size_t)4, 5);
}

static void test_int64_min(void **state)
{
	SAME("%lld", (long long)INT64_MIN);
	SAME("%25lld|", (long long)INT64_MIN);
	SAME("%-25lld|", (long long)INT64_MIN);
	SAME("%025lld", (long long)INT64_MIN);
	SAME("%.22lld", (long long)INT64_MIN);
	SAME("%+lld", (long long)INT64_MIN);
	SAME("%jd", (intmax_t)INT64_MIN);
}

static void test_pointers(void **state)
{
	int local;

	SAME("%p", (void *)0x1234);
	SAME("%p", (void *)&local);
	SAME("%p", (void *)UINTPTR_MAX);
	SAME("%20p|", (void *)0xabc);
	SAME("%-20p|", (void *)0xabc);
	SAME("[%p][%p]", (void *)1, (void *)2);
	/* Not NULL: glibc prints "(nil)" for it, ours a number. */
}

static void test_strings(void **state)
{
	const char *volatile null_str = NULL;

	SAME("%s", "hello");
	SAME("[%s]", "");
	SAME("%10s|", "hi");
	SAME("%-10s|", "hi");
	SAME("%.2s", "hello");
	SAME("[%.0s]", "hello");
	SAME("%.10s", "hi");
	SAME("%5.2s|", "hello");
	SAME("%-5.2s|", "hello");
	SAME("%s", null_str);
	SAME("%10s|", null_str);
	OURS("(null)", "%s", null_str);
}

static void test_chars(void **state)
{
	SAME("%c", 'x');
	SAME("%3c|", 'x');
	SAME("%-3c|", 'x');
	SAME("%c", 0x141); /* converted to unsigned char */
	SAME("%c%c%c", 'a', 'b', 'c');
	/* A NUL character counts but ends the C string. */
	char buf[8];
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(format_buf(buf, sizeof(buf), "a%cb", 0), 3);
	assert_memory_equal(buf, "a\0b", 4);
}

static void test_malformed_formats_print_visibly(void **state)
{
	/* Not C: ours prints what it does not understand, so the bug shows. */
	const char *volatile lone = "50%";
	const char *volatile unknown = "[%y]";

	OURS("50%", lone, 0);
	OURS("[%y]", unknown, 0);
}

/* format_buf truncates like snprintf for every buffer size. */
static void check_truncation(const char *fmt, ...)
{
	char full[OUT_MAX];
	va_list ap;

	va_start(ap, fmt);
	int len = vsnprintf(full, sizeof(full), fmt, ap);
	va_end(ap);
	assert_true(len >= 0 && len + 3 < OUT_MAX);
	for (size_t size = 0; size <= (size_t)len + 2; size++) {
		char ours[OUT_MAX], libc[OUT_MAX];
		memset(ours, 0x5a, sizeof(ours));
		memset(libc, 0x5a, sizeof(libc));
		va_start(ap, fmt);
		int n_ours = format_vbuf(ours, size, fmt, ap);
		va_end(ap);
		va_start(ap, fmt);
		int n_libc = vsnprintf(libc, size, fmt, ap);
		va_end(ap);
		if (n_ours != n_libc || memcmp(ours, libc, sizeof(ours)))
			fail_msg("format \"%s\" into %zu bytes: ours %d \"%.*s\", libc %d \"%.*s\"",
				 fmt, size, n_ours, (int)size, ours, n_libc, (int)size, libc);
	}
}

static void test_truncation_matches_snprintf_for_every_size(void **state)
{
	check_truncation("%s", "hello world");
	check_truncation("%d", INT_MIN);
	check_truncation("%#018llx|%-6s|%c", 0x1234ULL, "ab", 'q');
	check_truncation("%8.3d%%", -7);
	check_truncation("");
}

static void test_truncation_semantics(void **state)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(format_buf(buf, 5, "%s", "hello world"), 11);
	assert_string_equal(buf, "hell");
	assert_int_equal(buf[5], 'x'); /* nothing past size */

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(format_buf(buf, 1, "%d", 12345), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(format_buf(buf, 0, "%d", 12345), 5);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'x');
	assert_int_equal(format_buf(NULL, 0, "%s%d", "abc", 42), 5);

	/* Exactly enough room, and one byte short. */
	assert_int_equal(format_buf(buf, 6, "%s", "hello"), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(format_buf(buf, 5, "%s", "hello"), 5);
	assert_string_equal(buf, "hell");
}

struct sink_buf {
	char s[OUT_MAX];
	size_t n;
};

static void sink(void *ctx, char c)
{
	struct sink_buf *b = ctx;
	if (b->n < sizeof(b->s))
		b->s[b->n] = c;
	b->n++;
}

static int via_cb(struct sink_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = format_cb(sink, b, fmt, ap);
	va_end(ap);
	return n;
}

static void test_callback_gets_every_character(void **state)
{
	struct sink_buf b = {.n = 0};
	char want[OUT_MAX];

	int n = via_cb(&b, "%-5s|%+04d|%#x|%c|%%", "ab", 7, 255u, 'z');
	int w = snprintf(want, sizeof(want), "%-5s|%+04d|%#x|%c|%%", "ab", 7, 255u, 'z');
	assert_int_equal(n, w);
	assert_int_equal(b.n, (size_t)w);
	assert_memory_equal(b.s, want, (size_t)w);

	/* A long output is not cut: the sink sees it all. */
	b.n = 0;
	assert_int_equal(via_cb(&b, "%300d", 1), 300);
	assert_int_equal(b.n, 300);
	assert_int_equal(b.s[299], '1');
}

/* C11 s.7.21.6.1: '+' and ' ' apply to signed conversions only; "%+u" of 5
 * is "5". Was a bug: lib/format.c out_number() applies them to %u, %x, %X and %o
 * too: format_buf("%+u", 5u) gives "+5" and "% x" of 5 gives " 5". Skipped
 * until format.c is fixed. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
static void test_plus_and_space_do_not_apply_to_unsigned(void **state)
{
	SAME("%+u", 5u);
	SAME("% u", 5u);
	SAME("%+x", 5u);
	SAME("% X", 5u);
	SAME("%+o", 5u);
	SAME("%+5u|", 5u);
}
#pragma GCC diagnostic pop

/* C11 s.7.21.6.1: for o, '#' raises the precision so the first digit is
 * 0: "%#o" of 8 is "010". Was a bug: lib/format.c out_number() handles '#' for
 * base 16 only, so format_buf("%#o", 8u) gave "10". Fixed; kept as a
 * regression test. */
static void test_alternate_octal_starts_with_zero(void **state)
{
	SAME("%#o", 8u);
	SAME("%#o", 0u);
	SAME("%#6o|", 8u);
	SAME("%#.3o", 8u);
	SAME("%#llo", ULLONG_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_text_and_percent),
	    cmocka_unit_test(test_signed_decimal),
	    cmocka_unit_test(test_unsigned_hex_octal),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_overridden_flags),
	    cmocka_unit_test(test_width_and_precision),
	    cmocka_unit_test(test_zero_with_precision_zero_prints_no_digits),
	    cmocka_unit_test(test_star_width_and_precision),
	    cmocka_unit_test(test_length_modifiers),
	    cmocka_unit_test(test_int64_min),
	    cmocka_unit_test(test_pointers),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_chars),
	    cmocka_unit_test(test_malformed_formats_print_visibly),
	    cmocka_unit_test(test_truncation_matches_snprintf_for_every_size),
	    cmocka_unit_test(test_truncation_semantics),
	    cmocka_unit_test(test_callback_gets_every_character),
	    cmocka_unit_test(test_plus_and_space_do_not_apply_to_unsigned),
	    cmocka_unit_test(test_alternate_octal_starts_with_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
