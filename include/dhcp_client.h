/* The PXE DHCP client state machine (pxe/dhcp_client.c). Pure: time and
 * received packets go in, packets to send come out through a callback, so
 * host tests drive it with fake servers. pxe/dhcp_net.c runs it on lwIP. */
#ifndef WB_DHCP_CLIENT_H
#define WB_DHCP_CLIENT_H

#include <dhcp.h>

enum dhcp_state {
	DHCP_IDLE,
	DHCP_SELECTING,
	DHCP_REQUESTING,
	DHCP_PROXY_REQUESTING, /* address bound; asking the proxyDHCP on port 4011 */
	DHCP_BOUND,
	DHCP_FAILED,
};

struct dhcp_packet {
	uint8_t data[DHCP_MAX_PACKET];
	size_t len;
};

/* How long to wait for a better offer when the first address offer
 * carries no boot information (a proxyDHCP may still answer). */
#define DHCP_OFFER_WINDOW_MS 1500
#define DHCP_FIRST_RETRY_MS 1000
#define DHCP_MAX_RETRY_MS 2000
#define DHCP_MAX_NAKS 3
#define DHCP_REQUEST_GRACE_MS 2000 /* past timeout_ms, for the ACK of a late offer */
#define DHCP_MAX_REQUESTS 4 /* REQUESTs for one offer before starting over */
#define DHCP_PROXY_TRIES 3 /* boot server requests to port 4011: at 0, 1, 3 s */

struct dhcp_client {
	/* Set by the caller before dhcp_client_start. */
	uint8_t mac[6];
	const uint8_t *uuid; /* 16 bytes or NULL */
	uint64_t timeout_ms;
	/* Ask as a UEFI HTTP Boot client (UEFI 2.10 s.24.7.2.1): vendor class
	 * HTTPClient:Arch:00016 and option 93 = 16, instead of PXEClient and 7. */
	bool http;
	/* The boot file comes from elsewhere (the boot_url setting): request
	 * the first address offer at once, without waiting for a better one. */
	bool address_only;
	/* dst 0xffffffff: broadcast to port 67; else unicast to dst:port. */
	void (*send)(void *ctx, const uint8_t *pkt, size_t len, uint32_t dst_be, uint16_t port);
	uint32_t (*rand)(void);
	void *ctx;

	enum dhcp_state state;
	uint32_t xid;
	uint64_t start_ms, next_tx_ms, window_end_ms;
	uint32_t retry_ms;
	unsigned discovers, requests, naks, proxy_requests; /* totals */
	unsigned offer_requests; /* REQUESTs sent for the offer held now */
	unsigned malformed; /* replies that failed to parse */
	int last_error;     /* dhcp_parse's code for the last malformed reply */

	bool have_offer, have_proxy;
	bool have_proxy_ack;
	struct dhcp_info offer, proxy, ack, proxy_ack;
	struct dhcp_packet discover_pkt, offer_pkt, proxy_pkt, ack_pkt, proxy_ack_pkt;
	char why[96]; /* DHCP_FAILED: the reason */
};

void dhcp_client_start(struct dhcp_client *c, uint64_t now_ms);
void dhcp_client_input(struct dhcp_client *c, uint64_t now_ms, const uint8_t *pkt, size_t len);
void dhcp_client_tick(struct dhcp_client *c, uint64_t now_ms);

/* The lease, once BOUND (or PROXY_REQUESTING): address facts from the ACK,
 * boot facts from the first of ACK, address offer, proxy offer, proxy's
 * port-4011 ACK that names a boot file. */
struct dhcp_lease {
	uint32_t addr, mask, router, dns[2], server;
	uint32_t lease_secs;
	uint32_t next_server; /* TFTP server for the boot file */
	char boot_file[256];
	char tftp_server_name[65];
	bool boot_from_proxy;
	bool boot_http_class; /* the offer naming it said option 60 HTTPClient */
	uint32_t proxy_server;
	bool proxy_silent; /* a proxy offered, but its boot server never answered */
};

void dhcp_client_lease(const struct dhcp_client *c, struct dhcp_lease *out);

#endif
