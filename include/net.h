/* The network stack (lwip-port/): one lwIP netif per SNP instance. lwIP
 * reaches the NIC only through EFI_SIMPLE_NETWORK_PROTOCOL. */
#ifndef WB_NET_H
#define WB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <efi_types.h>
#include "lwip/netif.h"

#define NET_TX_BUFS 32

struct net_if {
	struct netif nif;
	EFI_SIMPLE_NETWORK_PROTOCOL *snp;
	size_t index;
	size_t snp_index; /* snp_get(), snp_handle() */
	EFI_HANDLE handle; /* the NIC's EFI handle, or NULL */
	const char *desc;
	uint8_t *tx_free[NET_TX_BUFS]; /* buffers SNP gave back */
	size_t ntx_free;
	uint8_t *tx_all[NET_TX_BUFS]; /* every transmit buffer we own */
	size_t ntx_all;
	uint64_t tx_foreign; /* buffers GetStatus returned that were not ours */
	uint64_t tx_retries; /* transmits that waited for a full queue */
	bool released; /* an EFI program has the NIC: our stack keeps off it */
	unsigned takeovers; /* times a program took it */
};

/* lwip_init, then Start+Initialize every SNP and add its netif (up, no
 * address). Prints one line per NIC. Returns how many came up. */
size_t net_init(void);
size_t net_count(void);

/* Ask SNP for the link state now (GetStatus), tell lwIP, and return it;
 * a NIC that cannot report its link counts as up. */
bool net_link_up(struct net_if *ni);
struct net_if *net_get(size_t i);

/* Where a frame for dst goes on nif: dst itself on our subnet, else the
 * router (lwip-port/arp_nudge.c). */
void net_next_hop(struct netif *nif, const ip4_addr_t *dst, ip4_addr_t *hop);

/* Before sending to dst, from a sender that retransmits: while dst's next
 * hop has no ARP entry, ask for it again, at most every 200 ms (lwIP alone
 * asks once a second). *last_ms is the sender's own, 0 at its start
 * (lwip-port/arp_nudge.c). */
void net_arp_nudge(const ip_addr_t *dst, uint64_t *last_ms);

/* Move received frames into lwIP and run lwIP's timers. Call often. A
 * NIC an EFI program took is skipped, or taken back first if the program
 * has let go of it (net_hold). */
void net_poll(void);

/* Sharing the NIC with EFI programs (architecture rule 1). Our stack holds
 * each NIC's SNP open BY_DRIVER for the firmware's image, with a release
 * hook: a program that opens SNP EXCLUSIVE (GRUB), or disconnects the
 * controller to bind its own driver (iPXE's snponly), makes the hook run,
 * and our stack stops touching the NIC. When the program closes SNP or
 * exits (its opens are dropped), the next net_hold re-opens it, starts
 * and initializes SNP again if the program stopped it, and lwIP goes on.
 * True if the NIC is ours now. */
bool net_hold(struct net_if *ni);

/* Shut every NIC down (SNP Shutdown + Stop): hand-off. */
void net_shutdown(void);

#endif
