/* PXE Base Code's UdpWrite and UdpRead (UEFI 2.10 s.24.3) on lwIP UDP.
 * Every port a program writes from or reads on gets a pcb of ours; what
 * arrives on it waits in a small queue (PXE_BC_RX_QUEUE datagrams, the
 * oldest dropped first) until a UdpRead takes it. A read with nothing
 * matching waits PXE_BC_UDP_TIMEOUT_MS, as OVMF does, then EFI_TIMEOUT.
 * Only what lwIP's IP layer accepts can be read (our address, broadcast):
 * the PROMISCUOUS filters widen the match, not the NIC. */
#include <string.h>
#include <clock.h>
#include <log.h>
#include <net.h>
#include <pxe_bc.h>
#include "lwip/ip.h"
#include "lwip/udp.h"

#define UDP_MAX_PAYLOAD 65507 /* 65535 - IP and UDP headers */

struct rx_dgram {
	struct pbuf *p;
	struct pxe_bc_dgram_addr a;
};

static struct udp_pcb *ports[PXE_BC_PORTS];
static struct rx_dgram rxq[PXE_BC_RX_QUEUE];
static size_t rxq_len;

static void rxq_drop(size_t i)
{
	pbuf_free(rxq[i].p);
	memmove(&rxq[i], &rxq[i + 1], (rxq_len - i - 1) * sizeof(rxq[0]));
	rxq_len--;
}

static void udp_in(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		   u16_t port)
{
	(void)arg;
	if (rxq_len == PXE_BC_RX_QUEUE)
		rxq_drop(0);
	struct rx_dgram *d = &rxq[rxq_len++];
	d->p = p;
	d->a.src = ip4_addr_get_u32(ip_2_ip4(addr));
	d->a.sport = port;
	d->a.dst = ip4_addr_get_u32(ip4_current_dest_addr());
	d->a.dport = pcb->local_port;
}

void pxe_bc_udp_reset(void)
{
	for (size_t i = 0; i < PXE_BC_PORTS; i++)
		if (ports[i]) {
			udp_remove(ports[i]);
			ports[i] = NULL;
		}
	while (rxq_len)
		rxq_drop(rxq_len - 1);
}

/* Our pcb on local port (0: a fresh ephemeral one), or NULL. */
static struct udp_pcb *port_pcb(uint16_t port)
{
	size_t free_slot = PXE_BC_PORTS;

	for (size_t i = 0; i < PXE_BC_PORTS; i++) {
		if (ports[i] && port && ports[i]->local_port == port)
			return ports[i];
		if (!ports[i] && free_slot == PXE_BC_PORTS)
			free_slot = i;
	}
	if (free_slot == PXE_BC_PORTS)
		return NULL;
	struct udp_pcb *pcb = udp_new();
	if (!pcb)
		return NULL;
	ip_set_option(pcb, SOF_BROADCAST);
	if (udp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
		udp_remove(pcb);
		return NULL;
	}
	udp_recv(pcb, udp_in, NULL);
	ports[free_slot] = pcb;
	return pcb;
}

static uint32_t ip4_of(const EFI_IP_ADDRESS *a)
{
	uint32_t v;

	memcpy(&v, &a->v4, 4);
	return v;
}

EFI_STATUS EFIAPI pxe_bc_udp_write(EFI_PXE_BASE_CODE_PROTOCOL *This, UINT16 OpFlags,
				   EFI_IP_ADDRESS *DestIp, UINT16 *DestPort,
				   EFI_IP_ADDRESS *GatewayIp, EFI_IP_ADDRESS *SrcIp,
				   UINT16 *SrcPort, UINTN *HeaderSize, VOID *HeaderPtr,
				   UINTN *BufferSize, VOID *BufferPtr)
{
	struct pxe_bc *bc = &pxe_bc_state;
	EFI_STATUS st = pxe_bc_enter(This, true);

	(void)SrcIp; /* we send from our station address */
	if (EFI_ERROR(st))
		return st;
	struct netif *nif = &bc->ni->nif;
	uint32_t station = ip4_addr_get_u32(netif_ip4_addr(nif));
	uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(nif));
	st = pxe_bc_udp_write_args(OpFlags, DestIp, DestPort, GatewayIp, SrcPort, HeaderSize,
				   HeaderPtr, BufferSize, BufferPtr, station, mask);
	if (EFI_ERROR(st))
		return st;
	size_t hlen = HeaderSize ? *HeaderSize : 0, total = hlen + *BufferSize;
	if (total > UDP_MAX_PAYLOAD ||
	    (!(OpFlags & EFI_PXE_BASE_CODE_UDP_OPFLAGS_MAY_FRAGMENT) && total > nif->mtu - 28u))
		return EFI_BAD_BUFFER_SIZE;
	uint16_t sport = (OpFlags & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT) ? 0 : *SrcPort;
	struct udp_pcb *pcb = port_pcb(sport);
	if (!pcb)
		return EFI_OUT_OF_RESOURCES;
	if (SrcPort)
		*SrcPort = pcb->local_port;
	uint32_t dst = ip4_of(DestIp);
	/* A unicast destination is resolved first (AutoArp), so the datagram
	 * has left when we return, as OVMF's does. */
	if (dst != 0xffffffffu && bc->mode.AutoArp) {
		st = pxe_bc_resolve(
		    GatewayIp && (dst & mask) != (station & mask) ? ip4_of(GatewayIp) : dst, NULL);
		if (EFI_ERROR(st))
			return st;
	}
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)total, PBUF_RAM);
	if (!p)
		return EFI_OUT_OF_RESOURCES;
	if (hlen)
		pbuf_take_at(p, HeaderPtr, (u16_t)hlen, 0);
	if (*BufferSize)
		pbuf_take_at(p, BufferPtr, (u16_t)*BufferSize, (u16_t)hlen);
	ip_addr_t to;
	ip_addr_set_ip4_u32(&to, dst);
	pcb->ttl = bc->mode.TTL;
	pcb->tos = bc->mode.ToS;
	err_t e = dst == 0xffffffffu
		      ? udp_sendto_if_src(pcb, p, IP4_ADDR_BROADCAST, *DestPort, nif, IP4_ADDR_ANY4)
		      : udp_sendto_if(pcb, p, &to, *DestPort, nif);
	pbuf_free(p);
	net_poll();
	return e == ERR_OK ? EFI_SUCCESS : EFI_DEVICE_ERROR;
}

/* Hand datagram i to the caller: header, then data; it leaves the queue
 * unless the buffer is too small. */
static EFI_STATUS deliver(size_t i, UINT16 op, EFI_IP_ADDRESS *DestIp, UINT16 *DestPort,
			  EFI_IP_ADDRESS *SrcIp, UINT16 *SrcPort, UINTN *HeaderSize,
			  VOID *HeaderPtr, UINTN *BufferSize, VOID *BufferPtr)
{
	struct rx_dgram *d = &rxq[i];
	size_t hlen = HeaderSize ? *HeaderSize : 0;
	size_t len = d->p->tot_len;

	if (len < hlen)
		return EFI_NOT_FOUND; /* cannot fill the header: not ours to take */
	if (len - hlen > *BufferSize) {
		*BufferSize = len - hlen;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (hlen)
		pbuf_copy_partial(d->p, HeaderPtr, (u16_t)hlen, 0);
	*BufferSize = len - hlen;
	if (*BufferSize)
		pbuf_copy_partial(d->p, BufferPtr, (u16_t)*BufferSize, (u16_t)hlen);
	/* s.24.3: the ANY_* fields come back with what arrived. */
	if (SrcIp && (op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_IP)) {
		memset(SrcIp, 0, sizeof(*SrcIp));
		memcpy(&SrcIp->v4, &d->a.src, 4);
	}
	if (SrcPort && (op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT))
		*SrcPort = d->a.sport;
	if (DestIp && (op & (EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_IP |
			     EFI_PXE_BASE_CODE_UDP_OPFLAGS_USE_FILTER))) {
		memset(DestIp, 0, sizeof(*DestIp));
		memcpy(&DestIp->v4, &d->a.dst, 4);
	}
	if (DestPort && (op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_PORT))
		*DestPort = d->a.dport;
	rxq_drop(i);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI pxe_bc_udp_read(EFI_PXE_BASE_CODE_PROTOCOL *This, UINT16 OpFlags,
				  EFI_IP_ADDRESS *DestIp, UINT16 *DestPort, EFI_IP_ADDRESS *SrcIp,
				  UINT16 *SrcPort, UINTN *HeaderSize, VOID *HeaderPtr,
				  UINTN *BufferSize, VOID *BufferPtr)
{
	struct pxe_bc *bc = &pxe_bc_state;
	EFI_STATUS st = pxe_bc_enter(This, true);

	if (EFI_ERROR(st))
		return st;
	st = pxe_bc_udp_read_args(OpFlags, DestIp, DestPort, SrcIp, SrcPort, HeaderSize, HeaderPtr,
				  BufferSize, BufferPtr);
	if (EFI_ERROR(st))
		return st;
	/* A named port starts listening now if nobody wrote from it yet. */
	if (!(OpFlags & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_PORT) && !port_pcb(*DestPort))
		return EFI_OUT_OF_RESOURCES;
	struct netif *nif = &bc->ni->nif;
	uint64_t end = clock_ms() + PXE_BC_UDP_TIMEOUT_MS;
	for (;;) {
		uint32_t station = ip4_addr_get_u32(netif_ip4_addr(nif));
		uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(nif));
		for (size_t i = 0; i < rxq_len; i++) {
			if (!pxe_bc_udp_accepts(OpFlags, DestIp, DestPort, SrcIp, SrcPort,
						&bc->mode.IpFilter, station, mask, &rxq[i].a))
				continue;
			st = deliver(i, OpFlags, DestIp, DestPort, SrcIp, SrcPort, HeaderSize,
				     HeaderPtr, BufferSize, BufferPtr);
			if (st != EFI_NOT_FOUND)
				return st;
		}
		if (clock_ms() >= end)
			return EFI_TIMEOUT;
		if (pxe_bc_poll(EFI_PXE_BASE_CODE_FUNCTION_UDP_READ))
			return EFI_ABORTED;
	}
}
