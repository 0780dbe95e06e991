/* The PXE DHCP client state machine (pxe/dhcp_client.c) driven by a
 * scripted server: offer selection, proxyDHCP, NAK, backoff, timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dhcp_client.h>
#include "dhcp_fake.h"

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint32_t SERVER = IP(10, 0, 2, 2), PROXY = IP(10, 0, 2, 5), ADDR = IP(10, 0, 2, 15);

struct sent {
	struct dhcp_info last; /* parsed as if it were a reply (op patched) */
	uint8_t type;
	uint32_t dst;
	uint16_t port;
	unsigned count;
	uint32_t ciaddr;
	bool has_boot_item;
};

static struct sent sent;
static uint32_t rng = 12345;

static uint32_t fake_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng;
}

static void capture(void *ctx, const uint8_t *pkt, size_t len, uint32_t dst, uint16_t port)
{
	uint8_t copy[DHCP_MAX_PACKET];
	memcpy(copy, pkt, len);
	copy[0] = 2; /* let the reply parser read our request */
	assert_int_equal(dhcp_parse(copy, len, &sent.last), 0);
	sent.type = sent.last.msg_type;
	sent.dst = dst;
	sent.port = port;
	sent.count++;
	memcpy(&sent.ciaddr, pkt + 12, 4);
	sent.has_boot_item = sent.last.pxe_opts_len >= 6 && sent.last.pxe_opts[0] == 71;
}

static void client_init(struct dhcp_client *c)
{
	memset(c, 0, sizeof(*c));
	memset(&sent, 0, sizeof(sent));
	memcpy(c->mac, MAC, 6);
	c->timeout_ms = 30000;
	c->send = capture;
	c->rand = fake_rand;
	dhcp_client_start(c, 0);
}

static void feed(struct dhcp_client *c, uint64_t now, struct fake_reply *f)
{
	dhcp_client_input(c, now, f->buf, f->len);
}

static void offer(struct fake_reply *f, uint32_t xid, uint32_t yiaddr, uint32_t server,
		  const char *file, bool pxe)
{
	fake_begin(f, DHCP_OFFER, xid, MAC, yiaddr, yiaddr ? 0 : server, NULL);
	fake_opt32(f, 54, server);
	if (yiaddr)
		fake_opt32(f, 1, IP(255, 255, 255, 0));
	if (file)
		fake_opt(f, 67, file, (uint8_t)strlen(file));
	if (pxe)
		fake_opt(f, 60, "PXEClient", 9);
	fake_end(f);
}

static void ack(struct fake_reply *f, uint8_t type, uint32_t xid, uint32_t yiaddr,
		uint32_t server, const char *file)
{
	fake_begin(f, type, xid, MAC, yiaddr, 0, file);
	fake_opt32(f, 54, server);
	fake_opt32(f, 1, IP(255, 255, 255, 0));
	fake_opt32(f, 3, IP(10, 0, 2, 1));
	fake_end(f);
}

static void test_offer_with_boot_file_is_requested_at_once(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;

	client_init(&c);
	assert_int_equal(c.state, DHCP_SELECTING);
	assert_int_equal(sent.type, DHCP_DISCOVER);
	assert_int_equal(sent.dst, 0xffffffffu);
	assert_int_equal(sent.port, 67);

	offer(&f, c.xid, ADDR, SERVER, "boot.efi", false);
	feed(&c, 5, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(sent.type, DHCP_REQUEST);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
	feed(&c, 6, &f);
	assert_int_equal(c.state, DHCP_BOUND);

	dhcp_client_lease(&c, &l);
	assert_int_equal(l.addr, ADDR);
	assert_int_equal(l.mask, IP(255, 255, 255, 0));
	assert_int_equal(l.router, IP(10, 0, 2, 1));
	assert_int_equal(l.server, SERVER);
	assert_string_equal(l.boot_file, "boot.efi");
	assert_int_equal(l.next_server, SERVER); /* no siaddr: the server itself */
	assert_false(l.boot_from_proxy);
	assert_true(c.discover_pkt.len >= 300);
}

static void test_offer_without_boot_info_waits_for_a_better_one(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;

	client_init(&c);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 10, &f);
	assert_int_equal(c.state, DHCP_SELECTING);
	dhcp_client_tick(&c, 10 + DHCP_OFFER_WINDOW_MS - 1);
	assert_int_equal(c.state, DHCP_SELECTING);
	unsigned before = sent.count;
	/* A second server offers an address and a boot file: it wins. */
	offer(&f, c.xid, IP(10, 0, 2, 99), IP(10, 0, 2, 7), "better.efi", false);
	feed(&c, 20, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(sent.last.server_id, IP(10, 0, 2, 7));
	assert_true(sent.count == before + 1);
}

static void test_window_end_requests_the_plain_offer(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;

	client_init(&c);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 10, &f);
	offer(&f, c.xid, ADDR, SERVER, NULL, false); /* duplicate: ignored */
	feed(&c, 11, &f);
	dhcp_client_tick(&c, 10 + DHCP_OFFER_WINDOW_MS);
	assert_int_equal(c.state, DHCP_REQUESTING);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
	feed(&c, 2000, &f);
	assert_int_equal(c.state, DHCP_BOUND);
	dhcp_client_lease(&c, &l);
	assert_string_equal(l.boot_file, "");
}

static void test_proxy_offer_with_file_combines(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;

	client_init(&c);
	/* Proxy first, with a file; then the plain address offer. */
	offer(&f, c.xid, 0, PROXY, "proxy.efi", true);
	feed(&c, 3, &f);
	assert_int_equal(c.state, DHCP_SELECTING);
	assert_true(c.have_proxy);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 4, &f);
	assert_int_equal(c.state, DHCP_REQUESTING); /* no window wait: boot info is known */
	assert_int_equal(sent.last.server_id, SERVER);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
	feed(&c, 5, &f);
	assert_int_equal(c.state, DHCP_BOUND);
	dhcp_client_lease(&c, &l);
	assert_int_equal(l.addr, ADDR);
	assert_string_equal(l.boot_file, "proxy.efi");
	assert_true(l.boot_from_proxy);
	assert_int_equal(l.next_server, PROXY);
	assert_int_equal(l.proxy_server, PROXY);
}

static void test_proxy_last_within_window(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;

	client_init(&c);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 3, &f);
	assert_int_equal(c.state, DHCP_SELECTING);
	offer(&f, c.xid, 0, PROXY, "late.efi", true);
	feed(&c, 900, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	/* A proxy offer that is not PXEClient is no proxy. */
	struct dhcp_client c2;
	client_init(&c2);
	offer(&f, c2.xid, 0, PROXY, "x.efi", false);
	feed(&c2, 3, &f);
	assert_false(c2.have_proxy);
}

static void test_proxy_without_file_asks_boot_server(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;

	client_init(&c);
	offer(&f, c.xid, 0, PROXY, NULL, true);
	feed(&c, 1, &f);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 2, &f);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
	feed(&c, 3, &f);
	assert_int_equal(c.state, DHCP_PROXY_REQUESTING);
	dhcp_client_tick(&c, 3);
	assert_int_equal(sent.type, DHCP_REQUEST);
	assert_int_equal(sent.dst, PROXY); /* siaddr of the proxy offer */
	assert_int_equal(sent.port, PXE_BOOT_SERVER_PORT);
	assert_int_equal(sent.ciaddr, ADDR);
	assert_false(sent.has_boot_item); /* no menu offered: plain request */

	ack(&f, DHCP_ACK, c.xid, ADDR, PROXY, "bootx64.efi");
	feed(&c, 10, &f);
	assert_int_equal(c.state, DHCP_BOUND);
	dhcp_client_lease(&c, &l);
	assert_string_equal(l.boot_file, "bootx64.efi");
	assert_true(l.boot_from_proxy);
	assert_int_equal(l.next_server, PROXY);
	assert_int_equal(l.addr, ADDR);
}

static void test_silent_boot_server_still_binds(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;

	client_init(&c);
	offer(&f, c.xid, 0, PROXY, NULL, true);
	feed(&c, 1, &f);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 2, &f);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
	feed(&c, 3, &f);
	uint64_t t = 3;
	for (int i = 0; i < 100 && c.state == DHCP_PROXY_REQUESTING; i++, t += 500)
		dhcp_client_tick(&c, t);
	assert_int_equal(c.state, DHCP_BOUND);
	assert_int_equal(c.proxy_requests, DHCP_PROXY_TRIES);
	assert_true(t < 10000);
	dhcp_client_lease(&c, &l);
	assert_true(l.proxy_silent);
	assert_string_equal(l.boot_file, "");
}

static void test_foreign_and_malformed_replies_are_ignored(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;

	client_init(&c);
	offer(&f, c.xid + 1, ADDR, SERVER, "x", false); /* wrong xid */
	feed(&c, 1, &f);
	assert_false(c.have_offer);
	offer(&f, c.xid, ADDR, SERVER, "x", false);
	f.buf[28] ^= 1; /* someone else's MAC */
	feed(&c, 1, &f);
	assert_false(c.have_offer);
	offer(&f, c.xid, ADDR, SERVER, "x", false);
	f.buf[236] = 0; /* no magic */
	feed(&c, 1, &f);
	assert_int_equal(c.malformed, 1);
	assert_int_equal(c.last_error, DHCP_E_MAGIC);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL); /* ACK before any request */
	feed(&c, 2, &f);
	assert_int_equal(c.state, DHCP_SELECTING);
	/* An offer without a server id cannot be requested. */
	fake_begin(&f, DHCP_OFFER, c.xid, MAC, ADDR, 0, "x");
	fake_end(&f);
	feed(&c, 3, &f);
	assert_false(c.have_offer);
}

static void test_nak_restarts_then_fails(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	uint64_t t = 0;

	client_init(&c);
	for (int round = 0; round < DHCP_MAX_NAKS; round++) {
		uint32_t xid = c.xid;
		offer(&f, c.xid, ADDR, SERVER, "b", false);
		feed(&c, ++t, &f);
		assert_int_equal(c.state, DHCP_REQUESTING);
		ack(&f, DHCP_NAK, c.xid, 0, SERVER, NULL);
		feed(&c, ++t, &f);
		if (round < DHCP_MAX_NAKS - 1) {
			assert_int_equal(c.state, DHCP_SELECTING);
			assert_int_not_equal(c.xid, xid); /* a new conversation */
			assert_int_equal(sent.type, DHCP_DISCOVER);
		}
	}
	assert_int_equal(c.state, DHCP_FAILED);
	assert_non_null(strstr(c.why, "DHCPNAK"));
}

static void test_backoff_is_jittered_bounded_and_times_out(void **state)
{
	struct dhcp_client c;

	client_init(&c);
	c.timeout_ms = 60000;
	uint32_t xid = c.xid;
	uint64_t last_tx = 0, t;
	unsigned last_count = sent.count, gaps = 0;
	uint64_t gap[16];
	for (t = 0; t < 70000 && c.state == DHCP_SELECTING; t += 10) {
		dhcp_client_tick(&c, t);
		if (sent.count != last_count) {
			if (gaps < 16)
				gap[gaps++] = t - last_tx;
			last_tx = t;
			last_count = sent.count;
			assert_int_equal(c.xid, xid); /* retransmissions keep the xid */
		}
	}
	assert_int_equal(c.state, DHCP_FAILED);
	assert_string_equal(c.why, "no DHCP offer");
	assert_true(t >= 60000 && t <= 60010);
	/* First retransmit within 0.5..1.5 s; every gap at most 1.5 x the cap. */
	assert_true(gaps >= 5);
	assert_true(gap[0] >= DHCP_FIRST_RETRY_MS / 2 && gap[0] <= DHCP_FIRST_RETRY_MS * 3 / 2 + 10);
	for (unsigned i = 0; i < gaps; i++)
		assert_true(gap[i] <= DHCP_MAX_RETRY_MS * 3 / 2 + 10);
	assert_true(c.discovers <= 12);
}

static void test_two_clients_draw_different_xids(void **state)
{
	struct dhcp_client a, b;

	client_init(&a);
	client_init(&b);
	assert_int_not_equal(a.xid, b.xid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_with_boot_file_is_requested_at_once),
		cmocka_unit_test(test_offer_without_boot_info_waits_for_a_better_one),
		cmocka_unit_test(test_window_end_requests_the_plain_offer),
		cmocka_unit_test(test_proxy_offer_with_file_combines),
		cmocka_unit_test(test_proxy_last_within_window),
		cmocka_unit_test(test_proxy_without_file_asks_boot_server),
		cmocka_unit_test(test_silent_boot_server_still_binds),
		cmocka_unit_test(test_foreign_and_malformed_replies_are_ignored),
		cmocka_unit_test(test_nak_restarts_then_fails),
		cmocka_unit_test(test_backoff_is_jittered_bounded_and_times_out),
		cmocka_unit_test(test_two_clients_draw_different_xids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
