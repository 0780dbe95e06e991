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
	const char *desc;
	uint8_t *tx_free[NET_TX_BUFS]; /* buffers SNP gave back */
	size_t ntx_free;
	uint64_t tx_retries; /* transmits that waited for a full queue */
};

/* lwip_init, then Start+Initialize every SNP and add its netif (up, no
 * address). Prints one line per NIC. Returns how many came up. */
size_t net_init(void);
size_t net_count(void);
struct net_if *net_get(size_t i);

/* Move received frames into lwIP and run lwIP's timers. Call often. */
void net_poll(void);

/* Shut every NIC down (SNP Shutdown + Stop): hand-off. */
void net_shutdown(void);

#endif
