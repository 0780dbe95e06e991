/* ARP asked again with a sender's retransmissions. lwIP sends an ARP
 * request when a packet first needs an unknown address, then again only
 * once a second from its ARP timer, and drops what it queued after 5 s.
 * On a lossy LAN a lost request or reply holds every packet behind it for
 * whole seconds: at 20% frame loss each way a boot's first TFTP request
 * waited 1-2 s for the server's address in about half the boots, and in 2
 * of 40 the request's 7 s ran out behind it. A sender that retransmits
 * calls this as it sends: while the next hop is unresolved the request
 * goes out again, at most every ARP_NUDGE_MS (the first send is lwIP's
 * own). */
#include <clock.h>
#include <net.h>
#include "lwip/etharp.h"
#include "lwip/ip4.h"

#define ARP_NUDGE_MS 200

void net_next_hop(struct netif *nif, const ip4_addr_t *dst, ip4_addr_t *hop)
{
	/* Off our subnet, the router is the next hop. */
	if (!ip4_addr_isany_val(*netif_ip4_netmask(nif)) &&
	    !ip4_addr_netcmp(dst, netif_ip4_addr(nif), netif_ip4_netmask(nif)) &&
	    !ip4_addr_isany_val(*netif_ip4_gw(nif)))
		ip4_addr_copy(*hop, *netif_ip4_gw(nif));
	else
		ip4_addr_copy(*hop, *dst);
}

void net_arp_nudge(const ip_addr_t *dst, uint64_t *last_ms)
{
	const ip4_addr_t *to = ip_2_ip4(dst), *found;
	struct netif *nif = ip4_route(to);
	struct eth_addr *eth;
	ip4_addr_t hop;
	uint64_t now = clock_ms();

	if (!nif || ip4_addr_isbroadcast(to, nif) || ip4_addr_ismulticast(to))
		return;
	net_next_hop(nif, to, &hop);
	if (etharp_find_addr(nif, &hop, &eth, &found) >= 0)
		return;
	if (!*last_ms) {
		*last_ms = now ? now : 1; /* lwIP asks with the first packet */
		return;
	}
	if (now - *last_ms < ARP_NUDGE_MS)
		return;
	*last_ms = now;
	etharp_request(nif, &hop);
}
