/* Fuzz the DHCP reply parser and the client state machine: the input is a
 * sequence of [u16 time step][u16 length][packet] records fed to a client,
 * interleaved with timer ticks. Any crash, sanitizer report or broken
 * invariant (a lease with no address, a state out of range) is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dhcp_client.h>

static uint32_t seed;

static uint32_t rnd(void)
{
	seed = seed * 1664525u + 1013904223u;
	return seed;
}

static void sink(void *ctx, const uint8_t *pkt, size_t len, uint32_t dst, uint16_t port)
{
	if (len < 240 || len > DHCP_MAX_PACKET)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_info info;
	static struct dhcp_client c;

	dhcp_parse(data, size, &info);

	memset(&c, 0, sizeof(c));
	memcpy(c.mac, "\x52\x54\x00\x12\x34\x56", 6);
	c.timeout_ms = 20000;
	c.send = sink;
	c.rand = rnd;
	seed = 1;
	dhcp_client_start(&c, 0);
	uint64_t now = 0;
	size_t i = 0;
	while (i + 4 <= size) {
		now += (uint16_t)(data[i] | data[i + 1] << 8);
		size_t len = (size_t)(data[i + 2] | data[i + 3] << 8);
		i += 4;
		if (len > size - i)
			len = size - i;
		uint8_t pkt[DHCP_MAX_PACKET + 64];
		size_t n = len < sizeof(pkt) ? len : sizeof(pkt);
		memcpy(pkt, data + i, n);
		/* Let most packets carry the client's own xid and MAC so the state
		 * machine gets past its first check. */
		if (n >= 34 && !(data[i] & 0x80)) {
			pkt[4] = (uint8_t)(c.xid >> 24);
			pkt[5] = (uint8_t)(c.xid >> 16);
			pkt[6] = (uint8_t)(c.xid >> 8);
			pkt[7] = (uint8_t)c.xid;
			memcpy(pkt + 28, c.mac, 6);
		}
		dhcp_client_input(&c, now, pkt, n);
		dhcp_client_tick(&c, now);
		i += len;
		if (c.state > DHCP_FAILED)
			abort();
	}
	if (c.state == DHCP_BOUND) {
		struct dhcp_lease l;
		dhcp_client_lease(&c, &l);
		if (!l.addr || strnlen(l.boot_file, sizeof(l.boot_file)) == sizeof(l.boot_file))
			abort();
	}
	return 0;
}
