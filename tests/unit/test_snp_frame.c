/* SNP frame logic (snp/snp_frame.c): receive filters, multicast mapping,
 * ReceiveFilters validation, statistics, IPv4 fragments, completing a
 * checksum a device left partial. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <snp.h>

static const uint8_t OURS[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void mode_init(EFI_SIMPLE_NETWORK_MODE *m)
{
	memset(m, 0, sizeof(*m));
	m->ReceiveFilterMask = 0x1f;
	m->MaxMCastFilterCount = MAX_MCAST_FILTER_CNT;
	memcpy(m->CurrentAddress.Addr, OURS, 6);
}

static void frame_to(uint8_t *f, const uint8_t dst[6])
{
	memset(f, 0, 64);
	memcpy(f, dst, 6);
	f[12] = 0x08;
}

static void test_filters(void **state)
{
	EFI_SIMPLE_NETWORK_MODE m;
	uint8_t f[64];
	static const uint8_t other[6] = { 0x52, 0x54, 0, 0, 0, 1 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 };

	mode_init(&m);
	frame_to(f, OURS);
	assert_false(snp_filter_accepts(&m, f, 60)); /* nothing enabled */
	m.ReceiveFilterSetting = EFI_SIMPLE_NETWORK_RECEIVE_UNICAST;
	assert_true(snp_filter_accepts(&m, f, 60));
	assert_false(snp_filter_accepts(&m, f, 13)); /* runt */
	frame_to(f, other);
	assert_false(snp_filter_accepts(&m, f, 60));
	frame_to(f, bcast);
	assert_false(snp_filter_accepts(&m, f, 60));
	m.ReceiveFilterSetting |= EFI_SIMPLE_NETWORK_RECEIVE_BROADCAST;
	assert_true(snp_filter_accepts(&m, f, 60));

	frame_to(f, mcast);
	assert_false(snp_filter_accepts(&m, f, 60));
	m.ReceiveFilterSetting |= EFI_SIMPLE_NETWORK_RECEIVE_MULTICAST;
	assert_false(snp_filter_accepts(&m, f, 60)); /* not in the list */
	memcpy(m.MCastFilter[0].Addr, mcast, 6);
	m.MCastFilterCount = 1;
	assert_true(snp_filter_accepts(&m, f, 60));
	m.MCastFilterCount = 0;
	m.ReceiveFilterSetting |= EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS_MULTICAST;
	assert_true(snp_filter_accepts(&m, f, 60));

	frame_to(f, other);
	assert_false(snp_filter_accepts(&m, f, 60));
	m.ReceiveFilterSetting = EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS;
	assert_true(snp_filter_accepts(&m, f, 60));
	/* A changed station address is what unicast matches against. */
	m.ReceiveFilterSetting = EFI_SIMPLE_NETWORK_RECEIVE_UNICAST;
	memcpy(m.CurrentAddress.Addr, other, 6);
	assert_true(snp_filter_accepts(&m, f, 60));
}

static void test_mcast_ip_to_mac(void **state)
{
	EFI_IP_ADDRESS ip;
	EFI_MAC_ADDRESS mac;

	memset(&ip, 0, sizeof(ip));
	memcpy(ip.v4.Addr, "\xe0\x81\x02\x03", 4); /* 224.129.2.3: bit 23 dropped */
	assert_int_equal(snp_mcast_ip_to_mac(false, &ip, &mac), EFI_SUCCESS);
	assert_memory_equal(mac.Addr, "\x01\x00\x5e\x01\x02\x03", 6);
	memcpy(ip.v4.Addr, "\xef\xff\xff\xff", 4);
	assert_int_equal(snp_mcast_ip_to_mac(false, &ip, &mac), EFI_SUCCESS);
	assert_memory_equal(mac.Addr, "\x01\x00\x5e\x7f\xff\xff", 6);
	memcpy(ip.v4.Addr, "\x0a\x00\x00\x01", 4);
	assert_int_equal(snp_mcast_ip_to_mac(false, &ip, &mac), EFI_INVALID_PARAMETER);
	memset(&ip, 0, sizeof(ip));
	ip.v6.Addr[0] = 0xff;
	memcpy(&ip.v6.Addr[12], "\x00\x00\x00\x01", 4);
	assert_int_equal(snp_mcast_ip_to_mac(true, &ip, &mac), EFI_SUCCESS);
	assert_memory_equal(mac.Addr, "\x33\x33\x00\x00\x00\x01", 6);
	assert_int_equal(snp_mcast_ip_to_mac(true, NULL, &mac), EFI_INVALID_PARAMETER);
}

static void test_apply_filters_validates(void **state)
{
	EFI_SIMPLE_NETWORK_MODE m;
	EFI_MAC_ADDRESS list[MAX_MCAST_FILTER_CNT + 1];

	mode_init(&m);
	memset(list, 0, sizeof(list));
	for (int i = 0; i <= MAX_MCAST_FILTER_CNT; i++) {
		list[i].Addr[0] = 0x01;
		list[i].Addr[5] = (UINT8)i;
	}
	assert_int_equal(snp_apply_filters(&m, 0x20, 0, false, 0, NULL), EFI_INVALID_PARAMETER);
	m.ReceiveFilterMask = 0x07;
	assert_int_equal(snp_apply_filters(&m, EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS, 0, false, 0,
					   NULL), EFI_INVALID_PARAMETER);
	mode_init(&m);
	assert_int_equal(snp_apply_filters(&m, 0x02, 0, false, MAX_MCAST_FILTER_CNT + 1, list),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(snp_apply_filters(&m, 0x02, 0, false, 2, NULL), EFI_INVALID_PARAMETER);
	list[1].Addr[0] = 0x02; /* a unicast address in a multicast list */
	assert_int_equal(snp_apply_filters(&m, 0x02, 0, false, 2, list), EFI_INVALID_PARAMETER);
	assert_int_equal(m.ReceiveFilterSetting, 0); /* failures change nothing */
	list[1].Addr[0] = 0x01;
	assert_int_equal(snp_apply_filters(&m, 0x07, 0, false, 2, list), EFI_SUCCESS);
	assert_int_equal(m.ReceiveFilterSetting, 0x07);
	assert_int_equal(m.MCastFilterCount, 2);
	assert_memory_equal(m.MCastFilter[1].Addr, list[1].Addr, 6);
	assert_int_equal(snp_apply_filters(&m, 0, 0x02, true, 0, NULL), EFI_SUCCESS);
	assert_int_equal(m.ReceiveFilterSetting, 0x05);
	assert_int_equal(m.MCastFilterCount, 0);
}

static void test_count_frames(void **state)
{
	EFI_NETWORK_STATISTICS st;
	uint8_t f[64];
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };

	memset(&st, 0, sizeof(st));
	frame_to(f, OURS);
	snp_count_frame(&st, true, f, 60);
	frame_to(f, bcast);
	snp_count_frame(&st, true, f, 60);
	snp_count_frame(&st, false, f, 60);
	frame_to(f, mcast);
	snp_count_frame(&st, false, f, 42);
	assert_int_equal(st.RxGoodFrames, 2);
	assert_int_equal(st.RxUnicastFrames, 1);
	assert_int_equal(st.RxBroadcastFrames, 1);
	assert_int_equal(st.TxTotalFrames, 2);
	assert_int_equal(st.TxBroadcastFrames, 1);
	assert_int_equal(st.TxMulticastFrames, 1);
	assert_int_equal(st.TxTotalBytes, 102);
}

/* The RFC 1071 sum of len bytes, folded, not complemented (the reference). */
static uint16_t ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i < len; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* An Ethernet + IPv4 + UDP frame with an odd payload; the UDP checksum
 * field holds only the pseudo-header's sum, as a device leaves it. */
static size_t udp_frame(uint8_t *f, uint16_t frag)
{
	static const uint8_t src[4] = { 192, 168, 77, 1 }, dst[4] = { 192, 168, 77, 111 };
	size_t plen = 8 + 301, len = 14 + 20 + plen;

	memset(f, 0, len);
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 2] = (uint8_t)((20 + plen) >> 8);
	f[14 + 3] = (uint8_t)(20 + plen);
	f[14 + 6] = (uint8_t)(frag >> 8);
	f[14 + 7] = (uint8_t)frag;
	f[14 + 9] = 17;
	memcpy(f + 14 + 12, src, 4);
	memcpy(f + 14 + 16, dst, 4);
	uint8_t *u = f + 34;
	u[0] = 0x10; /* ports 4096 -> 69 */
	u[3] = 69;
	u[4] = (uint8_t)(plen >> 8);
	u[5] = (uint8_t)plen;
	for (size_t i = 8; i < plen; i++)
		u[i] = (uint8_t)(i * 7 + 3);
	uint8_t pseudo[12] = { 0 };
	memcpy(pseudo, src, 4);
	memcpy(pseudo + 4, dst, 4);
	pseudo[9] = 17;
	pseudo[10] = (uint8_t)(plen >> 8);
	pseudo[11] = (uint8_t)plen;
	uint16_t ps = ref_sum(pseudo, 12, 0);
	u[6] = (uint8_t)(ps >> 8);
	u[7] = (uint8_t)ps;
	return len;
}

static void test_csum_complete(void **state)
{
	uint8_t f[400];
	size_t len = udp_frame(f, 0);

	assert_true(snp_csum_complete(f, len, 34, 6));
	/* A whole checksum verifies: pseudo-header + segment sums to 0xffff. */
	uint8_t pseudo[12] = { 192, 168, 77, 1, 192, 168, 77, 111, 0, 17, 0, 0 };
	pseudo[10] = (uint8_t)((8 + 301) >> 8);
	pseudo[11] = (uint8_t)(8 + 301);
	uint16_t total = ref_sum(f + 34, len - 34, ref_sum(pseudo, 12, 0));
	assert_int_equal(total, 0xffff);
	assert_false(f[40] == 0 && f[41] == 0);

	/* A field outside the frame: refused, nothing written. */
	uint8_t copy[400];
	memcpy(copy, f, len);
	assert_false(snp_csum_complete(f, len, 34, len - 34 - 1));
	assert_false(snp_csum_complete(f, len, len + 1, 0));
	assert_false(snp_csum_complete(f, len, 34, SIZE_MAX - 10));
	assert_memory_equal(f, copy, len);
	assert_true(snp_csum_complete(f, len, 34, len - 34 - 2)); /* the last two bytes */
}

static void test_ipv4_fragment(void **state)
{
	uint8_t f[400];
	size_t len = udp_frame(f, 0x4000); /* DF only */

	assert_false(snp_frame_is_ipv4_fragment(f, len));
	udp_frame(f, 0x2000); /* MF: the first fragment */
	assert_true(snp_frame_is_ipv4_fragment(f, len));
	udp_frame(f, 0x00b9); /* a later fragment, MF clear: the last */
	assert_true(snp_frame_is_ipv4_fragment(f, len));
	assert_false(snp_frame_is_ipv4_fragment(f, 33)); /* too short for IPv4 */
	f[12] = 0x86; /* not IPv4 */
	f[13] = 0xdd;
	assert_false(snp_frame_is_ipv4_fragment(f, len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_mcast_ip_to_mac),
		cmocka_unit_test(test_apply_filters_validates),
		cmocka_unit_test(test_count_frames),
		cmocka_unit_test(test_csum_complete),
		cmocka_unit_test(test_ipv4_fragment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
