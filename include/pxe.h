/* Network boot steps (pxe/). Errors: 0 on success, -1 after one log line
 * with the reason. */
#ifndef WB_PXE_H
#define WB_PXE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dhcp_client.h>
#include <fetch.h>
#include <net.h>

/* The DHCP exchange that won, kept for PXE Base Code's Mode later. */
struct pxe_dhcp_result {
	struct net_if *ni;
	struct dhcp_lease lease;
	const struct dhcp_client *client; /* discover, offers, ack packets */
	void *mem;			  /* what pxe_dhcp_release gives back */
	char why[160]; /* pxe_dhcp failed: the reason, for the caller's line */
};

/* How to ask. */
struct pxe_dhcp_args {
	uint64_t timeout_ms;
	const uint8_t *uuid; /* 16 bytes for option 97, or NULL */
	bool http;	     /* as a UEFI HTTP Boot client (HTTPClient, arch 16) */
	bool address_only;   /* no boot file wanted: take the first address offer */
};

/* Run DHCP on every NIC at once; the first to be bound wins, its netif
 * gets the address. On failure out->why says why ("no DHCP offer on net0
 * in 10.0 s") and nothing is printed but debug lines: the caller says
 * what happens next in one line. */
int pxe_dhcp(struct pxe_dhcp_result *out, const struct pxe_dhcp_args *a);

/* Give back a result's client state (before another pxe_dhcp into it). */
void pxe_dhcp_release(struct pxe_dhcp_result *r);

/* The tftp row of the fetch layer's scheme table (pxe/tftp_net.c): fetch
 * u's path from its IPv4 host (port 0: 69) with c's blksize and window,
 * into pages of MEM_LOADER_DATA. 0, or -1 with out->err and out->reason
 * set; prints only progress and the transfer's summary line. */
int pxe_tftp_fetch(const struct fetch_ctx *c, const struct fetch_url *u, struct fetched *out);

/* The largest TFTP block whose datagram fits one frame of the interface
 * that reaches server (IPv4, network order): 1468 at MTU 1500; 0 when no
 * interface does. What a lossy transfer falls back to (pxe/tftp.c). */
uint16_t pxe_tftp_fit_blksize(uint32_t server_be);

/* "a.b.c.d" of an address in network byte order, into buf (16 bytes). */
const char *pxe_ip_str(uint32_t addr_be, char *buf);

#endif
