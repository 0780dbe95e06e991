/* Test helpers: hand-made DHCP replies, as servers send them. */
#ifndef WB_TEST_DHCP_FAKE_H
#define WB_TEST_DHCP_FAKE_H

#include <stdint.h>
#include <string.h>
#include <dhcp.h>

#define IP(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

struct fake_reply {
	uint8_t buf[DHCP_MAX_PACKET];
	size_t len;
};

/* A BOOTREPLY header; options are appended with fake_opt and closed with fake_end. */
static inline void fake_begin(struct fake_reply *r, uint8_t type, uint32_t xid,
			      const uint8_t mac[6], uint32_t yiaddr, uint32_t siaddr,
			      const char *file)
{
	memset(r, 0, sizeof(*r));
	r->buf[0] = 2;
	r->buf[1] = 1;
	r->buf[2] = 6;
	r->buf[4] = (uint8_t)(xid >> 24);
	r->buf[5] = (uint8_t)(xid >> 16);
	r->buf[6] = (uint8_t)(xid >> 8);
	r->buf[7] = (uint8_t)xid;
	memcpy(r->buf + 16, &yiaddr, 4);
	memcpy(r->buf + 20, &siaddr, 4);
	memcpy(r->buf + 28, mac, 6);
	if (file)
		strncpy((char *)r->buf + 108, file, 127);
	r->buf[236] = 0x63;
	r->buf[237] = 0x82;
	r->buf[238] = 0x53;
	r->buf[239] = 0x63;
	r->len = 240;
	r->buf[r->len++] = 53;
	r->buf[r->len++] = 1;
	r->buf[r->len++] = type;
}

static inline void fake_opt(struct fake_reply *r, uint8_t code, const void *v, uint8_t len)
{
	r->buf[r->len++] = code;
	r->buf[r->len++] = len;
	memcpy(r->buf + r->len, v, len);
	r->len += len;
}

static inline void fake_opt32(struct fake_reply *r, uint8_t code, uint32_t v)
{
	fake_opt(r, code, &v, 4);
}

static inline void fake_end(struct fake_reply *r)
{
	r->buf[r->len++] = 255;
}

#endif
