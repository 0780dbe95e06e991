/* The Internet checksum's sum for lwIP (lwip-port/inet_sum.c) against a
 * plain RFC 1071 sum: every length up to 300 at every alignment, sums that
 * carry, and lwIP's convention (16-bit words in memory order, an odd last
 * byte as a word's low half). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

uint16_t wb_inet_sum(const void *data, int len);

/* One little-endian 16-bit word at a time, folded at every step. */
static uint16_t ref_sum(const uint8_t *p, int len)
{
	uint32_t sum = 0;

	for (int i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)(p[i] | p[i + 1] << 8);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1) {
		sum += p[len - 1];
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)sum;
}

static void test_matches_reference(void **state)
{
	static uint8_t buf[400];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (int off = 0; off < 8; off++)
		for (int len = 0; len <= 300; len++)
			assert_int_equal(wb_inet_sum(buf + off, len), ref_sum(buf + off, len));
	assert_int_equal(wb_inet_sum(buf, -1), 0);
}

static void test_carries(void **state)
{
	static uint8_t ones[65536];

	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(wb_inet_sum(ones, sizeof(ones)), 0xffff);
	assert_int_equal(wb_inet_sum(ones, 65535), ref_sum(ones, 65535));
	ones[0] = 0x01;
	ones[1] = 0x00;
	assert_int_equal(wb_inet_sum(ones, 4), 0x0001); /* 0x0001 + 0xffff wraps to 1 */
	/* RFC 1071 s.3's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (big-endian). */
	static const uint8_t rfc[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(wb_inet_sum(rfc, 8), 0xf2dd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_reference),
		cmocka_unit_test(test_carries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
