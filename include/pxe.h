/* Network boot steps (pxe/). Errors: 0 on success, -1 after one log line
 * with the reason. */
#ifndef WB_PXE_H
#define WB_PXE_H

#include <stddef.h>
#include <stdint.h>
#include <dhcp_client.h>
#include <net.h>

/* The DHCP exchange that won, kept for PXE Base Code's Mode later. */
struct pxe_dhcp_result {
	struct net_if *ni;
	struct dhcp_lease lease;
	const struct dhcp_client *client; /* discover, offers, ack packets */
};

/* Run DHCP on every NIC at once; the first to be bound wins, its netif
 * gets the address. uuid: 16 bytes for option 97, or NULL. */
int pxe_dhcp(struct pxe_dhcp_result *out, uint64_t timeout_ms, const uint8_t *uuid);

/* A file fetched into memory (pages of MEM_LOADER_DATA). */
struct pxe_file {
	uint8_t *data;
	uint64_t size;
	uint64_t alloc_pages;
	uint64_t ms;
	int err_code;  /* failure: the server's TFTP error code, or -1 */
	char why[160]; /* failure: the reason */
};

struct pxe_tftp_opts {
	uint16_t blksize; /* 0: RFC 1350's 512 without asking */
	uint16_t window;  /* 1: lock-step */
};

/* Fetch file from server over TFTP. 0, or -1 with out->why set (the caller
 * says what happens next). */
int pxe_tftp_fetch(uint32_t server_be, const char *file, const struct pxe_tftp_opts *o,
		   struct pxe_file *out);

/* Give a fetched file's memory back. */
void pxe_file_free(struct pxe_file *f);

/* "a.b.c.d" of an address in network byte order, into buf (16 bytes). */
const char *pxe_ip_str(uint32_t addr_be, char *buf);

#endif
