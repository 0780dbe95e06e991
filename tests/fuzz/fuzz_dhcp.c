/* Fuzz the DHCP client state machine and its reply parser (pxe/dhcp_client.c,
 * pxe/dhcp_packet.c) with whole conversations. The input is a sequence of
 * records, and nothing else:
 *
 *   u16 time step in ms (little-endian), u8 flags, u16 length (LE), packet
 *
 * Time advances by the step, the packet (if length > 0) goes to
 * dhcp_client_input, then the client ticks. Flags: bit 0 sends the packet
 * as is; otherwise its xid and chaddr are set to the client's current ones,
 * so that most packets get past the "someone else's conversation" check.
 * Bit 1 skips the tick. A length past the end of the input is cut.
 *
 * Every packet the client sends must be a well-formed BOOTREQUEST of its
 * conversation; a crash, a sanitizer report or a broken invariant (below)
 * is a bug. With WB_FUZZ_STATS=1 the target prints, at exit, how many inputs
 * reached each part of the state machine (seeds: tests/fuzz/mkseeds.py). */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dhcp_client.h>

static struct {
	unsigned long inputs, offer_held, requested, proxy_held, proxy_asked, proxy_acked, naks,
		restarted, bound, bound_with_file, failed, malformed;
} stats;

/* What the current input made the client do. */
static struct {
	bool requested, proxy_asked, restarted;
	uint32_t first_xid; /* of the first DISCOVER */
} seen;

static uint32_t seed;

static uint32_t rnd(void)
{
	seed = seed * 1664525u + 1013904223u;
	return seed;
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* Every packet out must be one of the client's own requests. */
static void sink(void *ctx, const uint8_t *pkt, size_t len, uint32_t dst, uint16_t port)
{
	const struct dhcp_client *c = ctx;
	uint8_t copy[DHCP_MAX_PACKET];
	struct dhcp_info d;

	check(len >= 300 && len <= sizeof(copy) && pkt[0] == 1);
	memcpy(copy, pkt, len);
	copy[0] = 2; /* read it with the reply parser */
	check(dhcp_parse(copy, len, &d) == 0);
	check(d.xid == c->xid && !memcmp(d.chaddr, c->mac, 6));
	if (port == PXE_BOOT_SERVER_PORT) {
		/* The boot server request: unicast, from our new address. */
		check(c->state == DHCP_PROXY_REQUESTING && c->have_proxy);
		check(d.msg_type == DHCP_REQUEST && dst != 0xffffffffu && dst);
		seen.proxy_asked = true;
		return;
	}
	check(port == DHCP_SERVER_PORT && dst == 0xffffffffu);
	if (d.msg_type == DHCP_DISCOVER) {
		/* RFC 2131 s.4.1: no DISCOVER while an offer of this xid is held. */
		check(c->state == DHCP_SELECTING && !c->have_offer);
		if (c->discovers == 1)
			seen.first_xid = c->xid;
		else if (c->xid != seen.first_xid)
			seen.restarted = true;
	} else {
		check(d.msg_type == DHCP_REQUEST && c->state == DHCP_REQUESTING && c->have_offer);
		check(d.server_id == c->offer.server_id && c->offer.yiaddr);
		seen.requested = true;
	}
}

static void print_stats(void)
{
	fprintf(stderr,
		"fuzz_dhcp: %lu inputs: %lu held an address offer, %lu requested it, %lu held a "
		"proxy offer, %lu asked the boot server (4011), %lu got its ACK, %lu saw a NAK, "
		"%lu restarted with a new xid, %lu bound (%lu with a boot file), %lu failed, "
		"%lu had malformed replies\n",
		stats.inputs, stats.offer_held, stats.requested, stats.proxy_held, stats.proxy_asked,
		stats.proxy_acked, stats.naks, stats.restarted, stats.bound, stats.bound_with_file,
		stats.failed, stats.malformed);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *s = getenv("WB_FUZZ_STATS");

	if (s && *s && *s != '0')
		atexit(print_stats);
	return 0;
}

/* Account what this input reached, and check the lease of a bound client. */
static void finish(const struct dhcp_client *c, bool offer_held)
{
	stats.inputs++;
	stats.offer_held += offer_held;
	stats.requested += seen.requested;
	stats.proxy_held += c->have_proxy;
	stats.proxy_asked += seen.proxy_asked;
	stats.proxy_acked += c->have_proxy_ack;
	stats.naks += c->naks > 0;
	stats.restarted += seen.restarted;
	stats.failed += c->state == DHCP_FAILED;
	stats.malformed += c->malformed > 0;
	if (c->state == DHCP_FAILED)
		check(c->why[0] && strnlen(c->why, sizeof(c->why)) < sizeof(c->why));
	if (c->state != DHCP_BOUND)
		return;
	struct dhcp_lease l;
	dhcp_client_lease(c, &l);
	check(l.addr && l.addr == c->ack.yiaddr);
	check(strnlen(l.boot_file, sizeof(l.boot_file)) < sizeof(l.boot_file));
	check(strnlen(l.tftp_server_name, sizeof(l.tftp_server_name)) <
	      sizeof(l.tftp_server_name));
	check(!l.boot_from_proxy || (c->have_proxy && l.proxy_server == c->proxy.server_id));
	stats.bound++;
	stats.bound_with_file += l.boot_file[0] != 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dhcp_client c;
	static uint8_t pkt[DHCP_MAX_PACKET];
	bool offer_held = false;

	memset(&c, 0, sizeof(c));
	memset(&seen, 0, sizeof(seen));
	memcpy(c.mac, "\x52\x54\x00\x12\x34\x56", 6);
	c.timeout_ms = 30000;
	c.send = sink;
	c.rand = rnd;
	c.ctx = &c;
	seed = 1;
	dhcp_client_start(&c, 0);
	uint64_t now = 0;
	size_t i = 0;
	while (i + 5 <= size) {
		now += (uint16_t)(data[i] | data[i + 1] << 8);
		uint8_t flags = data[i + 2];
		size_t len = (size_t)(data[i + 3] | data[i + 4] << 8);
		i += 5;
		if (len > size - i)
			len = size - i;
		/* Longer replies are cut to what we advertise, as pxe/dhcp_net.c does. */
		size_t n = len < sizeof(pkt) ? len : sizeof(pkt);
		memcpy(pkt, data + i, n);
		i += len;
		if (n >= 34 && !(flags & 1)) {
			pkt[4] = (uint8_t)(c.xid >> 24);
			pkt[5] = (uint8_t)(c.xid >> 16);
			pkt[6] = (uint8_t)(c.xid >> 8);
			pkt[7] = (uint8_t)c.xid;
			memcpy(pkt + 28, c.mac, 6);
		}
		if (n)
			dhcp_client_input(&c, now, pkt, n);
		if (!(flags & 2))
			dhcp_client_tick(&c, now);
		check(c.state >= DHCP_SELECTING && c.state <= DHCP_FAILED);
		offer_held |= c.have_offer;
	}
	finish(&c, offer_held);
	return 0;
}
