/* EFI_PXE_BASE_CODE_PROTOCOL on the boot NIC (UEFI 2.10 s.24.3), backed by
 * our lwIP stack: Start, Stop, Dhcp, Discover, SetIpFilter, Arp,
 * SetParameters, SetStationIp, SetPackets here; Mtftp in pxe_bc_mtftp.c,
 * UdpWrite/UdpRead in pxe_bc_udp.c; Mode's pure parts in pxe_bc_mode.c.
 *
 * Dhcp hands back the boot-time exchange (the lease is still ours: the
 * boot manager ran it moments ago) instead of asking again; Discover asks
 * the boot server on port 4011 (PXE 2.1 s.2.2.5) for real. */
#include <string.h>
#include <clock.h>
#include <dhcp.h>
#include <efi_handle.h>
#include <efi_init.h>
#include <fetch.h>
#include <log.h>
#include <net.h>
#include <pxe.h>
#include <pxe_bc.h>
#include <random.h>
#include <smbios.h>
#include <snp.h>
#include <sysmem.h>
#include "lwip/etharp.h"
#include "lwip/udp.h"

struct pxe_bc pxe_bc_state;

static const EFI_GUID pxe_guid = EFI_PXE_BASE_CODE_PROTOCOL_GUID;
static const EFI_GUID load_file_guid = LOAD_FILE_PROTOCOL;
static const EFI_GUID callback_guid = EFI_PXE_BASE_CODE_CALLBACK_PROTOCOL_GUID;

static uint32_t mode_ip(const EFI_IP_ADDRESS *a)
{
	uint32_t v;

	memcpy(&v, &a->v4, 4);
	return v;
}

EFI_STATUS pxe_bc_enter(EFI_PXE_BASE_CODE_PROTOCOL *This, bool need_nic)
{
	struct pxe_bc *bc = &pxe_bc_state;

	if (!This || This != &bc->proto)
		return EFI_INVALID_PARAMETER;
	if (!bc->mode.Started)
		return EFI_NOT_STARTED;
	if (need_nic && !net_hold(bc->ni)) {
		log_warn("pxe_bc: the NIC is held by an EFI program; PXE Base Code cannot use it");
		return EFI_DEVICE_ERROR;
	}
	return EFI_SUCCESS;
}

bool pxe_bc_poll(EFI_PXE_BASE_CODE_FUNCTION fn)
{
	struct pxe_bc *bc = &pxe_bc_state;

	net_poll();
	if (!bc->mode.MakeCallbacks)
		return false;
	EFI_PXE_BASE_CODE_CALLBACK_PROTOCOL *cb = efi_protocol_find(bc->handle, &callback_guid);
	if (!cb || !cb->Callback)
		return false;
	/* An idle call: no packet (s.24.4). */
	return cb->Callback(cb, fn, FALSE, 0, NULL) == EFI_PXE_BASE_CODE_CALLBACK_STATUS_ABORT;
}

void pxe_bc_arp_to_mode(void)
{
	EFI_PXE_BASE_CODE_MODE *m = &pxe_bc_state.mode;
	UINT32 n = 0;

	for (size_t i = 0; i < ARP_TABLE_SIZE && n < EFI_PXE_BASE_CODE_MAX_ARP_ENTRIES; i++) {
		ip4_addr_t *ip;
		struct netif *nif;
		struct eth_addr *eth;
		if (!etharp_get_entry(i, &ip, &nif, &eth) || nif != &pxe_bc_state.ni->nif)
			continue;
		memset(&m->ArpCache[n], 0, sizeof(m->ArpCache[n]));
		uint32_t a = ip4_addr_get_u32(ip);
		memcpy(&m->ArpCache[n].IpAddr.v4, &a, 4);
		memcpy(m->ArpCache[n].MacAddr.Addr, eth->addr, 6);
		n++;
	}
	m->ArpCacheEntries = n;
}

EFI_STATUS pxe_bc_resolve(uint32_t ip_be, EFI_MAC_ADDRESS *mac)
{
	struct netif *nif = &pxe_bc_state.ni->nif;
	ip4_addr_t dst, hop;

	ip4_addr_set_u32(&dst, ip_be);
	net_next_hop(nif, &dst, &hop);
	uint64_t end = clock_ms() + PXE_BC_ARP_TIMEOUT_MS, next = 0;
	for (;;) {
		struct eth_addr *eth;
		const ip4_addr_t *found;
		if (etharp_find_addr(nif, &hop, &eth, &found) >= 0) {
			if (mac) {
				memset(mac, 0, sizeof(*mac));
				memcpy(mac->Addr, eth->addr, 6);
			}
			pxe_bc_arp_to_mode();
			return EFI_SUCCESS;
		}
		uint64_t now = clock_ms();
		if (now >= end)
			return EFI_TIMEOUT;
		if (now >= next) {
			etharp_request(nif, &hop);
			next = now + 500;
		}
		if (pxe_bc_poll(EFI_PXE_BASE_CODE_FUNCTION_ARP))
			return EFI_ABORTED;
	}
}

/* Mode from the boot-time DHCP exchange. */
static void fill_from_lease(struct pxe_bc *bc)
{
	const struct dhcp_client *c = bc->dhcp->client;
	struct pxe_bc_packets p = {
	    .discover = c->discover_pkt.data,
	    .discover_len = c->discover_pkt.len,
	    .ack = c->ack_pkt.data,
	    .ack_len = c->ack_pkt.len,
	    .station = bc->dhcp->lease.addr,
	    .mask = bc->dhcp->lease.mask,
	    .router = bc->dhcp->lease.router,
	};

	if (c->have_proxy) {
		p.proxy_offer = c->proxy_pkt.data;
		p.proxy_offer_len = c->proxy_pkt.len;
	}
	if (c->have_proxy_ack) {
		p.pxe_reply = c->proxy_ack_pkt.data;
		p.pxe_reply_len = c->proxy_ack_pkt.len;
	}
	/* GRUB 2.06 takes its server only from DhcpAck: under a proxyDHCP
	 * that ACK (the address server's) must name the proxy's boot server. */
	const struct dhcp_lease *l = &bc->dhcp->lease;
	if (l->boot_from_proxy && l->next_server) {
		p.boot_server = l->next_server;
		p.boot_file = l->boot_file;
		p.boot_sname = l->tftp_server_name;
	}
	pxe_bc_mode_fill(&bc->mode, &p);
	pxe_bc_arp_to_mode();
}

/* Put Mode's station address and mask on our netif (the router stays). */
static void apply_station(struct pxe_bc *bc)
{
	ip4_addr_t a, m;

	ip4_addr_set_u32(&a, mode_ip(&bc->mode.StationIp));
	ip4_addr_set_u32(&m, mode_ip(&bc->mode.SubnetMask));
	netif_set_addr(&bc->ni->nif, &a, &m, netif_ip4_gw(&bc->ni->nif));
}

static EFI_STATUS EFIAPI bc_start(EFI_PXE_BASE_CODE_PROTOCOL *This, BOOLEAN UseIpv6)
{
	struct pxe_bc *bc = &pxe_bc_state;

	if (!This || This != &bc->proto)
		return EFI_INVALID_PARAMETER;
	if (bc->mode.Started)
		return EFI_ALREADY_STARTED;
	if (UseIpv6)
		return EFI_UNSUPPORTED; /* Ipv6Supported is FALSE */
	pxe_bc_mode_clear(&bc->mode);
	bc->mode.Started = TRUE;
	bc->mode.AutoArp = TRUE;
	bc->mode.TTL = PXE_BC_TTL;
	bc->mode.ToS = DEFAULT_ToS;
	bc->mode.IpFilter.Filters = EFI_PXE_BASE_CODE_IP_FILTER_STATION_IP;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI bc_stop(EFI_PXE_BASE_CODE_PROTOCOL *This)
{
	EFI_STATUS st = pxe_bc_enter(This, false);

	if (EFI_ERROR(st))
		return st;
	pxe_bc_udp_reset();
	pxe_bc_mode_clear(&pxe_bc_state.mode);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI bc_dhcp(EFI_PXE_BASE_CODE_PROTOCOL *This, BOOLEAN SortOffers)
{
	struct pxe_bc *bc = &pxe_bc_state;
	EFI_STATUS st = pxe_bc_enter(This, true);

	(void)SortOffers; /* one exchange, already chosen */
	if (EFI_ERROR(st))
		return st;
	/* The boot-time lease is fresh (the boot manager took it just now):
	 * its packets are the answer, as a second exchange would give. */
	fill_from_lease(bc);
	apply_station(bc);
	return EFI_SUCCESS;
}

/* The default boot server: the proxyDHCP's (PXE 2.1 s.2.2.5), else the
 * next server of the ACK. */
static uint32_t default_boot_server(const struct pxe_bc *bc)
{
	const struct dhcp_lease *l = &bc->dhcp->lease;

	if (l->boot_from_proxy && l->proxy_server)
		return l->proxy_server;
	if (bc->dhcp->client->have_proxy)
		return bc->dhcp->client->proxy.siaddr ? bc->dhcp->client->proxy.siaddr
						      : bc->dhcp->client->proxy.server_id;
	return l->next_server ? l->next_server : l->server;
}

struct discover_wait {
	uint32_t xid;
	bool got;
	struct dhcp_packet reply;
};

static void discover_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			  u16_t port)
{
	struct discover_wait *w = arg;
	struct dhcp_info d;

	(void)pcb;
	(void)addr;
	(void)port;
	if (!w->got && p->tot_len <= sizeof(w->reply.data)) {
		w->reply.len = pbuf_copy_partial(p, w->reply.data, p->tot_len, 0);
		if (!dhcp_parse(w->reply.data, w->reply.len, &d) && d.xid == w->xid &&
		    d.msg_type == DHCP_ACK)
			w->got = true;
	}
	pbuf_free(p);
}

/* PXE_BOOT_ITEM (option 43, sub-option 71): type and layer of a reply. */
static bool reply_layer(const struct dhcp_info *d, uint16_t *layer)
{
	for (size_t i = 0; i + 1 < d->pxe_opts_len;) {
		uint8_t tag = d->pxe_opts[i], len = d->pxe_opts[i + 1];
		if (tag == 255)
			break;
		if (tag == 0) {
			i++;
			continue;
		}
		if (tag == 71 && len == 4 && i + 6 <= d->pxe_opts_len) {
			*layer = (uint16_t)(d->pxe_opts[i + 4] << 8 | d->pxe_opts[i + 5]);
			return true;
		}
		i += 2 + (size_t)len;
	}
	return false;
}

static EFI_STATUS EFIAPI bc_discover(EFI_PXE_BASE_CODE_PROTOCOL *This, UINT16 Type, UINT16 *Layer,
				     BOOLEAN UseBis, EFI_PXE_BASE_CODE_DISCOVER_INFO *Info)
{
	struct pxe_bc *bc = &pxe_bc_state;
	EFI_STATUS st = pxe_bc_enter(This, true);

	if (EFI_ERROR(st))
		return st;
	if (!Layer || UseBis || (*Layer & EFI_PXE_BASE_CODE_BOOT_LAYER_MASK) != *Layer)
		return EFI_INVALID_PARAMETER; /* BisSupported is FALSE */
	uint32_t servers[8];
	size_t ns = 0;
	if (Info && Info->UseUCast) {
		if (Info->IpCnt > 8)
			return EFI_INVALID_PARAMETER;
		for (UINT16 i = 0; i < Info->IpCnt; i++)
			if (Info->SrvList[i].Type == Type || Info->SrvList[i].AcceptAnyResponse)
				servers[ns++] = mode_ip(&Info->SrvList[i].IpAddr);
		if (!ns && Info->MustUseList)
			return EFI_INVALID_PARAMETER;
	}
	if (!ns)
		servers[ns++] = default_boot_server(bc);
	if (!mode_ip(&bc->mode.StationIp))
		return EFI_NOT_STARTED; /* no address to ask from */

	static struct discover_wait w;
	memset(&w, 0, sizeof(w));
	w.xid = random_u32();
	struct dhcp_request r = {
	    .type = DHCP_REQUEST,
	    .xid = w.xid,
	    .ciaddr = mode_ip(&bc->mode.StationIp),
	    .boot_item = true,
	    .boot_type = Type,
	    .uuid = smbios_system_uuid(),
	    .arch = 7,
	};
	memcpy(r.mac, bc->ni->nif.hwaddr, 6);
	uint8_t req[DHCP_MAX_PACKET];
	size_t len = dhcp_build(req, sizeof(req), &r);
	struct udp_pcb *pcb = udp_new();
	if (!len || !pcb)
		return EFI_OUT_OF_RESOURCES;
	if (udp_bind(pcb, IP4_ADDR_ANY, DHCP_CLIENT_PORT) != ERR_OK) {
		udp_remove(pcb);
		return EFI_DEVICE_ERROR;
	}
	udp_recv(pcb, discover_recv, &w);
	bool aborted = false;
	uint64_t t0 = clock_ms(), next = t0;
	while (!w.got && clock_ms() - t0 < PXE_BC_DISCOVER_MS && !aborted) {
		if (clock_ms() >= next && next - t0 <= 2000) {
			for (size_t i = 0; i < ns; i++) {
				struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
				ip_addr_t to;
				if (!p)
					break;
				memcpy(p->payload, req, len);
				ip_addr_set_ip4_u32(&to, servers[i]);
				udp_sendto_if(pcb, p, &to, PXE_BOOT_SERVER_PORT, &bc->ni->nif);
				pbuf_free(p);
			}
			next += 1000;
		}
		aborted = pxe_bc_poll(EFI_PXE_BASE_CODE_FUNCTION_DISCOVER);
	}
	udp_remove(pcb);
	memset(&bc->mode.PxeDiscover, 0, sizeof(bc->mode.PxeDiscover));
	memcpy(bc->mode.PxeDiscover.Raw, req, len < sizeof(req) ? len : sizeof(req));
	bc->mode.PxeDiscoverValid = TRUE;
	if (aborted)
		return EFI_ABORTED;
	if (!w.got)
		return EFI_TIMEOUT;
	struct dhcp_info d;
	dhcp_parse(w.reply.data, w.reply.len, &d);
	memset(&bc->mode.PxeReply, 0, sizeof(bc->mode.PxeReply));
	memcpy(bc->mode.PxeReply.Raw, w.reply.data, w.reply.len);
	bc->mode.PxeReplyReceived = TRUE;
	uint16_t layer;
	if (reply_layer(&d, &layer))
		*Layer = layer;
	pxe_bc_arp_to_mode();
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI bc_set_ip_filter(EFI_PXE_BASE_CODE_PROTOCOL *This,
					  EFI_PXE_BASE_CODE_IP_FILTER *NewFilter)
{
	struct pxe_bc *bc = &pxe_bc_state;
	EFI_STATUS st = pxe_bc_enter(This, false);
	const UINT8 known = EFI_PXE_BASE_CODE_IP_FILTER_STATION_IP |
			    EFI_PXE_BASE_CODE_IP_FILTER_BROADCAST |
			    EFI_PXE_BASE_CODE_IP_FILTER_PROMISCUOUS |
			    EFI_PXE_BASE_CODE_IP_FILTER_PROMISCUOUS_MULTICAST;

	if (EFI_ERROR(st))
		return st;
	if (!NewFilter || (NewFilter->Filters & ~known) ||
	    NewFilter->IpCnt > EFI_PXE_BASE_CODE_MAX_IPCNT)
		return EFI_INVALID_PARAMETER;
	/* The list is of addresses to receive on: no broadcast. */
	for (UINT8 i = 0; i < NewFilter->IpCnt; i++)
		if (mode_ip(&NewFilter->IpList[i]) == 0xffffffffu)
			return EFI_INVALID_PARAMETER;
	bc->mode.IpFilter = *NewFilter;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI bc_arp(EFI_PXE_BASE_CODE_PROTOCOL *This, EFI_IP_ADDRESS *IpAddr,
				EFI_MAC_ADDRESS *MacAddr)
{
	EFI_STATUS st = pxe_bc_enter(This, true);

	if (EFI_ERROR(st))
		return st;
	if (!IpAddr || !pxe_bc_ip_is_unicast(mode_ip(IpAddr), 0))
		return EFI_INVALID_PARAMETER;
	return pxe_bc_resolve(mode_ip(IpAddr), MacAddr);
}

static EFI_STATUS EFIAPI bc_set_parameters(EFI_PXE_BASE_CODE_PROTOCOL *This, BOOLEAN *NewAutoArp,
					   BOOLEAN *NewSendGUID, UINT8 *NewTTL, UINT8 *NewToS,
					   BOOLEAN *NewMakeCallback)
{
	struct pxe_bc *bc = &pxe_bc_state;
	EFI_STATUS st = pxe_bc_enter(This, false);

	if (EFI_ERROR(st))
		return st;
	if (NewSendGUID && *NewSendGUID && !smbios_system_uuid())
		return EFI_INVALID_PARAMETER; /* no GUID to send */
	if (NewMakeCallback && *NewMakeCallback && !efi_protocol_has(bc->handle, &callback_guid))
		return EFI_INVALID_PARAMETER; /* s.24.3: a callback protocol must be there */
	if (NewAutoArp)
		bc->mode.AutoArp = *NewAutoArp;
	if (NewSendGUID)
		bc->mode.SendGUID = *NewSendGUID;
	if (NewTTL)
		bc->mode.TTL = *NewTTL;
	if (NewToS)
		bc->mode.ToS = *NewToS;
	if (NewMakeCallback)
		bc->mode.MakeCallbacks = *NewMakeCallback;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI bc_set_station_ip(EFI_PXE_BASE_CODE_PROTOCOL *This,
					   EFI_IP_ADDRESS *NewStationIp,
					   EFI_IP_ADDRESS *NewSubnetMask)
{
	struct pxe_bc *bc = &pxe_bc_state;
	EFI_STATUS st = pxe_bc_enter(This, false);

	if (EFI_ERROR(st))
		return st;
	uint32_t mask = NewSubnetMask ? mode_ip(NewSubnetMask) : mode_ip(&bc->mode.SubnetMask);
	if (NewSubnetMask && !pxe_bc_mask_valid(mask))
		return EFI_INVALID_PARAMETER;
	if (NewStationIp && !pxe_bc_ip_is_unicast(mode_ip(NewStationIp), mask))
		return EFI_INVALID_PARAMETER;
	if (NewStationIp)
		bc->mode.StationIp = *NewStationIp;
	if (NewSubnetMask)
		bc->mode.SubnetMask = *NewSubnetMask;
	apply_station(bc);
	return EFI_SUCCESS;
}

static void set_packet(BOOLEAN *flag, const BOOLEAN *new_flag, EFI_PXE_BASE_CODE_PACKET *pkt,
		       const EFI_PXE_BASE_CODE_PACKET *new_pkt)
{
	if (new_flag)
		*flag = *new_flag;
	if (new_pkt)
		*pkt = *new_pkt;
}

static EFI_STATUS EFIAPI bc_set_packets(
    EFI_PXE_BASE_CODE_PROTOCOL *This, BOOLEAN *NewDhcpDiscoverValid, BOOLEAN *NewDhcpAckReceived,
    BOOLEAN *NewProxyOfferReceived, BOOLEAN *NewPxeDiscoverValid, BOOLEAN *NewPxeReplyReceived,
    BOOLEAN *NewPxeBisReplyReceived, EFI_PXE_BASE_CODE_PACKET *NewDhcpDiscover,
    EFI_PXE_BASE_CODE_PACKET *NewDhcpAck, EFI_PXE_BASE_CODE_PACKET *NewProxyOffer,
    EFI_PXE_BASE_CODE_PACKET *NewPxeDiscover, EFI_PXE_BASE_CODE_PACKET *NewPxeReply,
    EFI_PXE_BASE_CODE_PACKET *NewPxeBisReply)
{
	EFI_PXE_BASE_CODE_MODE *m = &pxe_bc_state.mode;
	EFI_STATUS st = pxe_bc_enter(This, false);

	if (EFI_ERROR(st))
		return st;
	set_packet(&m->DhcpDiscoverValid, NewDhcpDiscoverValid, &m->DhcpDiscover, NewDhcpDiscover);
	set_packet(&m->DhcpAckReceived, NewDhcpAckReceived, &m->DhcpAck, NewDhcpAck);
	set_packet(&m->ProxyOfferReceived, NewProxyOfferReceived, &m->ProxyOffer, NewProxyOffer);
	set_packet(&m->PxeDiscoverValid, NewPxeDiscoverValid, &m->PxeDiscover, NewPxeDiscover);
	set_packet(&m->PxeReplyReceived, NewPxeReplyReceived, &m->PxeReply, NewPxeReply);
	set_packet(&m->PxeBisReplyReceived, NewPxeBisReplyReceived, &m->PxeBisReply,
		   NewPxeBisReply);
	return EFI_SUCCESS;
}

int pxe_bc_install(const struct pxe_dhcp_result *dhcp, const struct fetch_ctx *fc)
{
	struct pxe_bc *bc = &pxe_bc_state;

	if (!dhcp || !dhcp->ni || !dhcp->client || !dhcp->ni->handle) {
		log_warn("pxe_bc: the boot NIC has no EFI handle; no PXE Base Code for loaders");
		return -1;
	}
	bc->ni = dhcp->ni;
	bc->dhcp = dhcp;
	bc->fc = fc;
	bc->handle = dhcp->ni->handle;
	bc->proto = (EFI_PXE_BASE_CODE_PROTOCOL){
	    .Revision = EFI_PXE_BASE_CODE_PROTOCOL_REVISION,
	    .Start = bc_start,
	    .Stop = bc_stop,
	    .Dhcp = bc_dhcp,
	    .Discover = bc_discover,
	    .Mtftp = pxe_bc_mtftp,
	    .UdpWrite = pxe_bc_udp_write,
	    .UdpRead = pxe_bc_udp_read,
	    .SetIpFilter = bc_set_ip_filter,
	    .Arp = bc_arp,
	    .SetParameters = bc_set_parameters,
	    .SetStationIp = bc_set_station_ip,
	    .SetPackets = bc_set_packets,
	    .Mode = &bc->mode,
	};
	fill_from_lease(bc);
	if (bc->installed)
		return 0;
	EFI_HANDLE h = bc->handle;
	if (EFI_ERROR(efi_protocol_install(&h, &pxe_guid, &bc->proto))) {
		log_warn("pxe_bc: cannot install PXE Base Code on net%zu", bc->ni->index);
		return -1;
	}
	if (EFI_ERROR(efi_protocol_install(&h, &load_file_guid, pxe_load_file_protocol()))) {
		log_warn("pxe_bc: cannot install LoadFile on net%zu", bc->ni->index);
		efi_protocol_uninstall(h, &pxe_guid, &bc->proto);
		return -1;
	}
	bc->installed = true;
	log_debug("pxe_bc: PXE Base Code and LoadFile on net%zu", bc->ni->index);
	return 0;
}

EFI_DEVICE_PATH *pxe_bc_device_path(void)
{
	return pxe_bc_state.installed ? snp_device_path(pxe_bc_state.ni->snp_index) : NULL;
}
