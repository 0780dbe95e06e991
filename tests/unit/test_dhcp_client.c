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
	unsigned discovers, requests; /* by type, since client_init */
	uint64_t first_request_ms;    /* when the first REQUEST went out */
};

static struct sent sent;
static uint32_t rng = 12345;
static uint64_t clock_now; /* the time of the current feed or tick */

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
	if (sent.type == DHCP_DISCOVER)
		sent.discovers++;
	if (sent.type == DHCP_REQUEST && !sent.requests++)
		sent.first_request_ms = clock_now;
}

/* A client asking as http (HTTPClient) or PXEClient, address_only or
 * not, started at time 0. */
static void client_init_as(struct dhcp_client *c, bool http, bool address_only)
{
	memset(c, 0, sizeof(*c));
	memset(&sent, 0, sizeof(sent));
	memcpy(c->mac, MAC, 6);
	c->timeout_ms = 30000;
	c->send = capture;
	c->rand = fake_rand;
	c->http = http;
	c->address_only = address_only;
	clock_now = 0;
	dhcp_client_start(c, 0);
}

static void client_init(struct dhcp_client *c)
{
	client_init_as(c, false, false);
}

static void feed(struct dhcp_client *c, uint64_t now, struct fake_reply *f)
{
	clock_now = now;
	dhcp_client_input(c, now, f->buf, f->len);
}

static void tick(struct dhcp_client *c, uint64_t now)
{
	clock_now = now;
	dhcp_client_tick(c, now);
}

/* Tick every 10 ms from `from` up to and including `to`, as the network
 * loop does (it ticks far more often), so every retransmission and window
 * end in between happens. */
static void tick_through(struct dhcp_client *c, uint64_t from, uint64_t to)
{
	for (uint64_t t = from; t <= to; t += 10)
		tick(c, t);
}

/* Tick every 10 ms from *t until the client sends one more packet; *t is
 * left at the time it went out. Fails the test after `limit` ms. */
static void tick_until_sent(struct dhcp_client *c, uint64_t *t, uint64_t limit)
{
	unsigned before = sent.count;
	uint64_t end = *t + limit;

	while (sent.count == before) {
		*t += 10;
		assert_true(*t <= end);
		tick(c, *t);
	}
}

/* An offer as a UEFI HTTP Boot server makes it (UEFI 2.10 s.24.7.2.2):
 * option 60 HTTPClient and the URL as option 67. */
static void http_offer(struct fake_reply *f, uint32_t xid, uint32_t yiaddr, uint32_t server,
		       const char *url)
{
	fake_begin(f, DHCP_OFFER, xid, MAC, yiaddr, 0, NULL);
	fake_opt32(f, 54, server);
	if (yiaddr)
		fake_opt32(f, 1, IP(255, 255, 255, 0));
	if (url)
		fake_opt(f, 67, url, (uint8_t)strlen(url));
	fake_opt(f, 60, "HTTPClient", 10);
	fake_end(f);
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
	tick_through(&c, 20, 1000);
	assert_int_equal(c.state, DHCP_SELECTING);
	assert_int_equal(sent.requests, 0);
	/* A second server offers an address and a boot file: it wins at once. */
	offer(&f, c.xid, IP(10, 0, 2, 99), IP(10, 0, 2, 7), "better.efi", false);
	feed(&c, 1005, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(sent.type, DHCP_REQUEST);
	assert_int_equal(sent.last.server_id, IP(10, 0, 2, 7));
	assert_int_equal(sent.first_request_ms, 1005);
	assert_int_equal(sent.requests, 1);
}

/* The offer without boot information that answers the first DISCOVER is
 * requested when the window ends, 1.5 s after it came, even though a
 * DISCOVER retransmission (due 0.5-1.5 s after the first) falls inside
 * the window: an offer held is not thrown away, and no DISCOVER is
 * retransmitted while one is held. */
static void test_window_end_requests_the_plain_offer(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;

	client_init(&c);
	uint32_t xid = c.xid;
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 10, &f);
	assert_true(c.next_tx_ms < 10 + DHCP_OFFER_WINDOW_MS); /* a retransmit was due */
	offer(&f, c.xid, ADDR, SERVER, NULL, false); /* duplicate: ignored */
	feed(&c, 11, &f);
	tick_through(&c, 20, 10 + DHCP_OFFER_WINDOW_MS - 10);
	assert_int_equal(c.state, DHCP_SELECTING);
	assert_int_equal(sent.discovers, 1);
	tick_through(&c, 10 + DHCP_OFFER_WINDOW_MS, 3000);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(sent.first_request_ms, 10 + DHCP_OFFER_WINDOW_MS);
	assert_int_equal(sent.discovers, 1);
	assert_int_equal(sent.last.server_id, SERVER);
	assert_int_equal(c.xid, xid);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
	feed(&c, 3005, &f);
	assert_int_equal(c.state, DHCP_BOUND);
	assert_int_equal(sent.requests, 2); /* one retransmission while the server was quiet */
	dhcp_client_lease(&c, &l);
	assert_int_equal(l.addr, ADDR);
	assert_string_equal(l.boot_file, "");
}

/* An offer without boot information in the last 1.5 s before the deadline
 * is requested at the deadline, and its ACK still counts; a server that
 * then never ACKs fails DHCP_REQUEST_GRACE_MS later, not sooner. */
static void test_late_offer_is_requested_at_the_deadline(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;
	uint64_t at = 0;

	for (int answered = 1; answered >= 0; answered--) {
		client_init(&c);
		c.timeout_ms = 10000;
		at = c.timeout_ms - 200;
		tick_through(&c, 10, at - 10);
		assert_int_equal(c.state, DHCP_SELECTING);
		offer(&f, c.xid, ADDR, SERVER, NULL, false);
		feed(&c, at, &f);
		tick_through(&c, at + 10, c.timeout_ms - 10);
		assert_int_equal(c.state, DHCP_SELECTING);
		tick(&c, c.timeout_ms);
		assert_int_equal(c.state, DHCP_REQUESTING);
		assert_int_equal(sent.first_request_ms, c.timeout_ms);
		if (answered) {
			ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
			feed(&c, c.timeout_ms + 50, &f);
			assert_int_equal(c.state, DHCP_BOUND);
			dhcp_client_lease(&c, &l);
			assert_int_equal(l.addr, ADDR);
			continue;
		}
		tick_through(&c, c.timeout_ms + 10, c.timeout_ms + DHCP_REQUEST_GRACE_MS - 10);
		assert_int_equal(c.state, DHCP_REQUESTING);
		tick(&c, c.timeout_ms + DHCP_REQUEST_GRACE_MS);
		assert_int_equal(c.state, DHCP_FAILED);
		assert_string_equal(c.why, "no DHCPACK for our request");
	}
}

/* A server that offers at once and never ACKs, with a short deadline:
 * the REQUESTs run into the grace, and the client fails saying no ACK
 * came, not "no DHCP offer" after a restart past the deadline. */
static void test_unanswered_requests_past_the_deadline_fail_as_no_ack(void **state)
{
	unsigned restarts_due = 0;

	for (uint32_t seed = 1; seed <= 500; seed++) {
		struct dhcp_client c;
		struct fake_reply f;

		client_init(&c);
		c.timeout_ms = 3000;
		rng = seed * 2654435761u;
		offer(&f, c.xid, ADDR, SERVER, "boot.efi", false);
		feed(&c, 10, &f);
		assert_int_equal(c.state, DHCP_REQUESTING);
		uint64_t t = 10;
		while (c.state == DHCP_REQUESTING || c.state == DHCP_SELECTING) {
			t += 10;
			assert_true(t <= c.timeout_ms + DHCP_REQUEST_GRACE_MS);
			tick(&c, t);
		}
		assert_int_equal(c.state, DHCP_FAILED);
		assert_string_equal(c.why, "no DHCPACK for our request");
		restarts_due += t < c.timeout_ms + DHCP_REQUEST_GRACE_MS;
	}
	/* Some seeds sent their four REQUESTs before the grace ran out. */
	assert_true(restarts_due > 0);
}

/* An offer that comes after a retransmission (same xid) is held, and the
 * window runs from its arrival. */
static void test_offer_after_a_retransmission_is_requested_at_window_end(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	uint64_t t = 0;

	client_init(&c);
	uint32_t xid = c.xid;
	tick_until_sent(&c, &t, 1500 + 10);
	assert_int_equal(sent.discovers, 2);
	assert_int_equal(c.xid, xid); /* retransmissions keep the xid */
	offer(&f, xid, ADDR, SERVER, NULL, false);
	uint64_t at = t + 100;
	tick_through(&c, t + 10, at - 10);
	feed(&c, at, &f);
	tick_through(&c, at + 10, at + DHCP_OFFER_WINDOW_MS - 10);
	assert_int_equal(c.state, DHCP_SELECTING);
	tick_through(&c, at + DHCP_OFFER_WINDOW_MS, at + DHCP_OFFER_WINDOW_MS + 100);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(sent.first_request_ms, at + DHCP_OFFER_WINDOW_MS);
	assert_int_equal(sent.discovers, 2);
	assert_int_equal(sent.last.server_id, SERVER);
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
	struct dhcp_lease l;

	client_init(&c);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 3, &f);
	tick_through(&c, 10, 1400);
	assert_int_equal(c.state, DHCP_SELECTING);
	/* Late in the window, after a retransmission would have been due. */
	offer(&f, c.xid, 0, PROXY, "late.efi", true);
	feed(&c, 1405, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(sent.first_request_ms, 1405);
	assert_int_equal(sent.discovers, 1);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
	feed(&c, 1410, &f);
	dhcp_client_lease(&c, &l);
	assert_string_equal(l.boot_file, "late.efi");
	assert_true(l.boot_from_proxy);
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

/* PXE 2.1 s.2.2.5: only the boot server we asked may answer on 4011. An ACK
 * with our xid but another server's id (a spoof, or a second boot server)
 * changes nothing; the boot server's own answer is then taken. */
static void test_boot_server_ack_from_another_server_is_ignored(void **state)
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
	tick(&c, 4);
	assert_int_equal(c.state, DHCP_PROXY_REQUESTING);
	assert_int_equal(sent.port, PXE_BOOT_SERVER_PORT);

	ack(&f, DHCP_ACK, c.xid, ADDR, IP(10, 0, 2, 66), "evil.efi");
	feed(&c, 5, &f);
	assert_int_equal(c.state, DHCP_PROXY_REQUESTING);
	assert_false(c.have_proxy_ack);
	/* The address server's id is not the boot server's either. */
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, "evil2.efi");
	feed(&c, 6, &f);
	assert_int_equal(c.state, DHCP_PROXY_REQUESTING);

	ack(&f, DHCP_ACK, c.xid, ADDR, PROXY, "bootx64.efi");
	feed(&c, 7, &f);
	assert_int_equal(c.state, DHCP_BOUND);
	dhcp_client_lease(&c, &l);
	assert_string_equal(l.boot_file, "bootx64.efi");
	assert_int_equal(l.next_server, PROXY);
}

/* RFC 2131 s.4.4.1: a REQUEST left unanswered is retransmitted; after
 * DHCP_MAX_REQUESTS the client starts over with a new xid and DISCOVER,
 * and the new conversation gets as many REQUESTs as the first. */
static void test_four_unanswered_requests_start_over(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	uint64_t t = 0;

	client_init(&c);
	c.timeout_ms = 120000;
	for (int round = 0; round < 2; round++) {
		uint32_t xid = c.xid;
		unsigned discovers = sent.discovers, requests = sent.requests;
		offer(&f, xid, ADDR, SERVER, "b.efi", false);
		feed(&c, t += 10, &f);
		assert_int_equal(c.state, DHCP_REQUESTING);
		for (int i = 1; i < DHCP_MAX_REQUESTS; i++) {
			tick_until_sent(&c, &t, 13000);
			assert_int_equal(sent.type, DHCP_REQUEST);
			assert_int_equal(sent.last.xid, xid);
		}
		assert_int_equal(sent.requests - requests, DHCP_MAX_REQUESTS);
		tick_until_sent(&c, &t, 13000);
		assert_int_equal(sent.type, DHCP_DISCOVER);
		assert_int_equal(sent.discovers, discovers + 1);
		assert_int_equal(sent.requests - requests, DHCP_MAX_REQUESTS);
		assert_int_equal(c.state, DHCP_SELECTING);
		assert_int_not_equal(c.xid, xid);
		assert_int_equal(sent.last.xid, c.xid);
		assert_false(c.have_offer);
		/* The old conversation's late ACK no longer counts. */
		ack(&f, DHCP_ACK, xid, ADDR, SERVER, NULL);
		feed(&c, t, &f);
		assert_int_equal(c.state, DHCP_SELECTING);
	}
	assert_true(t < c.timeout_ms);
}

/* Option 43 (PXE vendor options, PXE 2.1 s.2.2.4) is boot information:
 * an address offer with it is requested at once, with no window wait. */
static void test_offer_with_pxe_vendor_options_is_requested_at_once(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	/* PXE_DISCOVERY_CONTROL 8 (use the boot file), then END. */
	static const uint8_t vendor[] = { 6, 1, 8, 255 };

	client_init(&c);
	fake_begin(&f, DHCP_OFFER, c.xid, MAC, ADDR, 0, NULL);
	fake_opt32(&f, 54, SERVER);
	fake_opt32(&f, 1, IP(255, 255, 255, 0));
	fake_opt(&f, 60, "PXEClient", 9);
	fake_opt(&f, 43, vendor, sizeof(vendor));
	fake_end(&f);
	feed(&c, 10, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(sent.first_request_ms, 10);
	assert_int_equal(sent.last.server_id, SERVER);
}

/* A boot file named only in an ACK that has neither siaddr nor a server
 * id is fetched from the server whose offer we took. */
static void test_file_from_an_ack_without_server_id(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;

	client_init(&c);
	offer(&f, c.xid, ADDR, SERVER, "first.efi", false);
	feed(&c, 1, &f);
	fake_begin(&f, DHCP_ACK, c.xid, MAC, ADDR, 0, "from-ack.efi");
	fake_end(&f);
	feed(&c, 2, &f);
	assert_int_equal(c.state, DHCP_BOUND);
	dhcp_client_lease(&c, &l);
	assert_string_equal(l.boot_file, "from-ack.efi");
	assert_int_equal(l.server, SERVER);
	assert_int_equal(l.next_server, SERVER);
}

/* An ACK or offer with a mask (0 for none) and a router (0 for none). */
static void reply_with(struct fake_reply *f, uint8_t type, uint32_t xid, uint32_t yiaddr,
		       uint32_t mask, uint32_t router, uint32_t lease_secs)
{
	fake_begin(f, type, xid, MAC, yiaddr, 0, type == DHCP_OFFER ? "b.efi" : NULL);
	fake_opt32(f, 54, SERVER);
	if (mask)
		fake_opt32(f, 1, mask);
	if (router)
		fake_opt32(f, 3, router);
	if (lease_secs)
		fake_opt32(f, 51, __builtin_bswap32(lease_secs));
	fake_end(f);
}

static void bind_with(struct dhcp_client *c, uint32_t yiaddr, uint32_t offer_mask,
		      uint32_t ack_mask, struct dhcp_lease *l)
{
	struct fake_reply f;

	client_init(c);
	reply_with(&f, DHCP_OFFER, c->xid, yiaddr, offer_mask, IP(10, 9, 9, 9), 7200);
	feed(c, 1, &f);
	reply_with(&f, DHCP_ACK, c->xid, yiaddr, ack_mask, 0, 0);
	feed(c, 2, &f);
	assert_int_equal(c->state, DHCP_BOUND);
	dhcp_client_lease(c, l);
	assert_int_equal(l->addr, yiaddr);
}

/* RFC 2132 s.3.3: servers should send a mask; when the ACK has none the
 * offer's is used, and when neither has one, the address class's. Router
 * and lease time fall back to the offer the same way. */
static void test_mask_falls_back_to_the_offer_then_the_class(void **state)
{
	struct dhcp_client c;
	struct dhcp_lease l;

	bind_with(&c, ADDR, IP(255, 255, 255, 128), IP(255, 255, 254, 0), &l);
	assert_int_equal(l.mask, IP(255, 255, 254, 0)); /* the ACK's wins */
	bind_with(&c, ADDR, IP(255, 255, 255, 128), 0, &l);
	assert_int_equal(l.mask, IP(255, 255, 255, 128));
	assert_int_equal(l.router, IP(10, 9, 9, 9));
	assert_int_equal(l.lease_secs, 7200);
	bind_with(&c, ADDR, 0, 0, &l);
	assert_int_equal(l.mask, IP(255, 0, 0, 0));
	bind_with(&c, IP(172, 16, 5, 5), 0, 0, &l);
	assert_int_equal(l.mask, IP(255, 255, 0, 0));
	bind_with(&c, IP(192, 168, 1, 5), 0, 0, &l);
	assert_int_equal(l.mask, IP(255, 255, 255, 0));
}

/* The boot server is asked DHCP_PROXY_TRIES times (at 0, 1 and 3 s); when
 * it stays silent the client binds without a boot file and says so. */
static void test_silent_boot_server_still_binds(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;
	uint64_t asked[DHCP_PROXY_TRIES + 1];
	unsigned n = 0;

	client_init(&c);
	offer(&f, c.xid, 0, PROXY, NULL, true);
	feed(&c, 1, &f);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 2, &f);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
	feed(&c, 3, &f);
	uint64_t t;
	for (t = 3; t < 20000 && c.state == DHCP_PROXY_REQUESTING; t += 10) {
		unsigned before = sent.count;
		tick(&c, t);
		if (sent.count != before) {
			assert_int_equal(sent.port, PXE_BOOT_SERVER_PORT);
			assert_true(n < DHCP_PROXY_TRIES);
			asked[n++] = t;
		}
	}
	assert_int_equal(c.state, DHCP_BOUND);
	assert_int_equal(n, DHCP_PROXY_TRIES);
	assert_int_equal(asked[0], 3);
	assert_int_equal(asked[1], 1003);
	assert_int_equal(asked[2], 3003);
	assert_int_equal(t - 10, 7003); /* bound when the third request's wait ends */
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

/* An address that no host can have (0/8, loopback, multicast, broadcast)
 * is never taken as ours or as a server's: an offer naming one is ignored,
 * and a proxy's siaddr that is one leaves the boot server at its server id
 * (found by fuzz_dhcp: the 4011 request went to 255.255.255.255). */
static void test_offers_naming_no_host_address_are_ignored(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	static const uint32_t bad[] = { IP(0, 1, 2, 3), IP(127, 0, 0, 1), IP(224, 0, 0, 5),
					IP(240, 0, 0, 1), IP(255, 255, 255, 255) };

	client_init(&c);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		offer(&f, c.xid, bad[i], SERVER, "b.efi", false);
		feed(&c, 1, &f);
		offer(&f, c.xid, ADDR, bad[i], "b.efi", false);
		feed(&c, 1, &f);
		offer(&f, c.xid, 0, bad[i], NULL, true);
		feed(&c, 1, &f);
	}
	assert_false(c.have_offer);
	assert_false(c.have_proxy);
	assert_int_equal(c.state, DHCP_SELECTING);

	/* A proxy whose siaddr is the broadcast address: ask its server id. */
	offer(&f, c.xid, 0, PROXY, NULL, true);
	memcpy(f.buf + 20, &bad[4], 4);
	feed(&c, 2, &f);
	assert_true(c.have_proxy);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 3, &f);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
	feed(&c, 4, &f);
	tick(&c, 5);
	assert_int_equal(sent.port, PXE_BOOT_SERVER_PORT);
	assert_int_equal(sent.dst, PROXY);
	/* An ACK for a broadcast address binds nothing. */
	client_init(&c);
	offer(&f, c.xid, ADDR, SERVER, "b.efi", false);
	feed(&c, 1, &f);
	ack(&f, DHCP_ACK, c.xid, bad[4], SERVER, NULL);
	feed(&c, 2, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	/* Each refusal is counted, with its reason, for the log line. */
	assert_int_equal(c.malformed, 1);
	assert_int_equal(c.last_error, DHCP_E_BAD_ADDRESS);
}

/* The subnet's broadcast address or its own under the offer's mask is no
 * host's either (10.0.2.0/24: .255 and .0); /31 has no such addresses. A
 * refused offer leaves the way open for the next, and says why. */
static void test_subnet_broadcast_offer_is_refused(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;

	client_init(&c);
	offer(&f, c.xid, IP(10, 0, 2, 255), SERVER, "b.efi", false);
	feed(&c, 1, &f);
	offer(&f, c.xid, IP(10, 0, 2, 0), SERVER, "b.efi", false);
	feed(&c, 1, &f);
	assert_false(c.have_offer);
	assert_int_equal(c.malformed, 2);
	assert_int_equal(c.last_error, DHCP_E_BAD_ADDRESS);
	offer(&f, c.xid, ADDR, IP(255, 255, 255, 255), "b.efi", false);
	feed(&c, 1, &f);
	assert_int_equal(c.last_error, DHCP_E_BAD_SERVER);
	offer(&f, c.xid, ADDR, SERVER, "b.efi", false);
	feed(&c, 2, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(c.offer.yiaddr, ADDR);
	/* The ACK is held to the offer's mask when it names none. */
	fake_begin(&f, DHCP_ACK, c.xid, MAC, IP(10, 0, 2, 255), 0, NULL);
	fake_opt32(&f, 54, SERVER);
	fake_end(&f);
	feed(&c, 3, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);

	client_init(&c);
	fake_begin(&f, DHCP_OFFER, c.xid, MAC, IP(10, 0, 2, 255), 0, NULL);
	fake_opt32(&f, 54, SERVER);
	fake_opt32(&f, 1, IP(255, 255, 255, 254));
	fake_opt(&f, 67, "b.efi", 5);
	fake_end(&f);
	feed(&c, 1, &f);
	assert_true(c.have_offer);
	assert_int_equal(c.malformed, 0);
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
	/* Over 60 s the gaps (0.5..1.5 x the cap once doubled up to it) give
	 * between 60 / 1.5cap and 60 / 0.5cap DISCOVERs, plus the first few. */
	assert_true(c.discovers >= 60000 / (DHCP_MAX_RETRY_MS * 3 / 2));
	assert_true(c.discovers <= 3 + 60000 / (DHCP_MAX_RETRY_MS / 2));
}

/* As an HTTP boot client: every DISCOVER and REQUEST says HTTPClient and
 * arch 16; an offer with a URL is requested at once and the lease says
 * where it came from. */
static void test_http_client_takes_a_url_offer_at_once(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;

	client_init_as(&c, true, false);
	assert_int_equal(sent.type, DHCP_DISCOVER);
	assert_true(sent.last.is_http);
	assert_string_equal(sent.last.vendor_class, "HTTPClient:Arch:00016:UNDI:003016");
	http_offer(&f, c.xid, ADDR, SERVER, "http://10.0.2.2/boot/uki.efi");
	feed(&c, 5, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(sent.type, DHCP_REQUEST);
	assert_true(sent.last.is_http);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, "http://10.0.2.2/boot/uki.efi");
	feed(&c, 6, &f);
	assert_int_equal(c.state, DHCP_BOUND);
	dhcp_client_lease(&c, &l);
	assert_string_equal(l.boot_file, "http://10.0.2.2/boot/uki.efi");
	assert_false(l.boot_from_proxy);
	/* The ACK named the file; it has no option 60: the class is the ACK's. */
	assert_false(l.boot_http_class);
	/* A PXE client keeps saying PXEClient and 7. */
	client_init(&c);
	assert_false(sent.last.is_http);
	assert_string_equal(sent.last.vendor_class, "PXEClient:Arch:00007:UNDI:003016");
}

/* An HTTPClient proxy offer (yiaddr 0) with a URL is boot information
 * like a PXE proxy's; one without a URL is not (there is no port-4011
 * step for HTTP boot), so the plain offer still waits its window. */
static void test_http_proxy_offer_needs_a_url(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;
	struct dhcp_lease l;

	client_init_as(&c, true, false);
	http_offer(&f, c.xid, 0, PROXY, "http://10.0.2.5/x.efi");
	feed(&c, 3, &f);
	assert_true(c.have_proxy);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 4, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	ack(&f, DHCP_ACK, c.xid, ADDR, SERVER, NULL);
	feed(&c, 5, &f);
	assert_int_equal(c.state, DHCP_BOUND); /* no port-4011 request */
	assert_int_equal(c.proxy_requests, 0);
	dhcp_client_lease(&c, &l);
	assert_string_equal(l.boot_file, "http://10.0.2.5/x.efi");
	assert_true(l.boot_from_proxy);
	assert_true(l.boot_http_class);

	client_init_as(&c, true, false);
	http_offer(&f, c.xid, 0, PROXY, NULL);
	feed(&c, 3, &f);
	assert_false(c.have_proxy);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 4, &f);
	assert_int_equal(c.state, DHCP_SELECTING);
	tick_through(&c, 10, 4 + DHCP_OFFER_WINDOW_MS + 10);
	assert_int_equal(c.state, DHCP_REQUESTING);
}

/* With a boot URL from the settings the client wants an address only: the
 * first address offer is requested at once, boot information or not. */
static void test_address_only_requests_the_first_offer_at_once(void **state)
{
	struct dhcp_client c;
	struct fake_reply f;

	client_init_as(&c, false, true);
	offer(&f, c.xid, ADDR, SERVER, NULL, false);
	feed(&c, 7, &f);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(sent.first_request_ms, 7);
	assert_int_equal(sent.discovers, 1);
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
		cmocka_unit_test(test_late_offer_is_requested_at_the_deadline),
		cmocka_unit_test(test_unanswered_requests_past_the_deadline_fail_as_no_ack),
		cmocka_unit_test(test_offer_after_a_retransmission_is_requested_at_window_end),
		cmocka_unit_test(test_offer_with_pxe_vendor_options_is_requested_at_once),
		cmocka_unit_test(test_mask_falls_back_to_the_offer_then_the_class),
		cmocka_unit_test(test_file_from_an_ack_without_server_id),
		cmocka_unit_test(test_proxy_offer_with_file_combines),
		cmocka_unit_test(test_proxy_last_within_window),
		cmocka_unit_test(test_proxy_without_file_asks_boot_server),
		cmocka_unit_test(test_boot_server_ack_from_another_server_is_ignored),
		cmocka_unit_test(test_four_unanswered_requests_start_over),
		cmocka_unit_test(test_silent_boot_server_still_binds),
		cmocka_unit_test(test_foreign_and_malformed_replies_are_ignored),
		cmocka_unit_test(test_offers_naming_no_host_address_are_ignored),
		cmocka_unit_test(test_subnet_broadcast_offer_is_refused),
		cmocka_unit_test(test_nak_restarts_then_fails),
		cmocka_unit_test(test_backoff_is_jittered_bounded_and_times_out),
		cmocka_unit_test(test_two_clients_draw_different_xids),
		cmocka_unit_test(test_http_client_takes_a_url_offer_at_once),
		cmocka_unit_test(test_http_proxy_offer_needs_a_url),
		cmocka_unit_test(test_address_only_requests_the_first_offer_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
