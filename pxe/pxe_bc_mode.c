/* PXE Base Code's pure parts (UEFI 2.10 s.24.3): filling Mode from a DHCP
 * exchange, UdpRead's matching rules, argument checks, TFTP failure
 * statuses. No network, no allocation: host-tested. */
#include <stddef.h>
#include <string.h>
#include <pxe_bc.h>

/* Copy one DHCP payload into a Mode packet, cut to its 1472 bytes. */
static bool put_packet(EFI_PXE_BASE_CODE_PACKET *dst, const uint8_t *src, size_t len)
{
	memset(dst, 0, sizeof(*dst));
	if (!src || !len)
		return false;
	memcpy(dst->Raw, src, len < sizeof(dst->Raw) ? len : sizeof(dst->Raw));
	return true;
}

static void put_ip(EFI_IP_ADDRESS *a, uint32_t be)
{
	memset(a, 0, sizeof(*a));
	memcpy(&a->v4, &be, 4);
}

void pxe_bc_mode_clear(EFI_PXE_BASE_CODE_MODE *m)
{
	BOOLEAN v6s = m->Ipv6Supported, v6a = m->Ipv6Available;

	memset(m, 0, sizeof(*m));
	m->Ipv6Supported = v6s;
	m->Ipv6Available = v6a;
}

/* Option 52's value in a DHCP payload of len bytes (RFC 2132 s.9.3), 0 if
 * absent; every option's length is checked against len. */
static uint8_t ack_overload(const uint8_t *pkt, size_t len)
{
	const size_t start = 240; /* BOOTP header (236) + magic cookie */

	for (size_t i = start; i < len;) {
		uint8_t code = pkt[i];
		if (code == 255)
			break;
		if (code == 0) {
			i++;
			continue;
		}
		if (i + 1 >= len || i + 2 + pkt[i + 1] > len)
			break;
		if (code == 52 && pkt[i + 1] == 1)
			return pkt[i + 2];
		i += 2 + (size_t)pkt[i + 1];
	}
	return 0;
}

/* Copy NUL-terminated s into a BOOTP name field of n bytes if it fits with
 * its NUL (RFC 2131 s.2: sname 64, file 128), else leave the field. */
static void put_name(UINT8 *field, size_t n, const char *s)
{
	size_t l = s ? strnlen(s, n) : n;

	if (!s || !s[0] || l >= n)
		return;
	memset(field, 0, n);
	memcpy(field, s, l);
}

/* The boot information a proxyDHCP gave, into the ACK's BOOTP fields
 * (the ACK named no file, or the client would not have used the proxy).
 * Options that overload sname or file (RFC 2132 s.9.3) keep them. */
static void ack_merge_boot(EFI_PXE_BASE_CODE_PACKET *ack, size_t ack_len,
			   const struct pxe_bc_packets *p)
{
	EFI_PXE_BASE_CODE_DHCPV4_PACKET *d = &ack->Dhcpv4;
	size_t n = ack_len < sizeof(ack->Raw) ? ack_len : sizeof(ack->Raw);

	if (n < offsetof(EFI_PXE_BASE_CODE_DHCPV4_PACKET, DhcpMagik))
		return; /* no whole BOOTP header to write into */
	uint8_t overload = ack_overload(ack->Raw, n);
	memcpy(d->BootpSiAddr, &p->boot_server, 4);
	if (!(overload & 1))
		put_name(d->BootpBootFile, sizeof(d->BootpBootFile), p->boot_file);
	if (!(overload & 2))
		put_name(d->BootpSrvName, sizeof(d->BootpSrvName), p->boot_sname);
}

void pxe_bc_mode_fill(EFI_PXE_BASE_CODE_MODE *m, const struct pxe_bc_packets *p)
{
	pxe_bc_mode_clear(m);
	m->Started = TRUE;
	m->AutoArp = TRUE;
	m->TTL = PXE_BC_TTL;
	m->ToS = DEFAULT_ToS;
	m->DhcpDiscoverValid = put_packet(&m->DhcpDiscover, p->discover, p->discover_len);
	m->DhcpAckReceived = put_packet(&m->DhcpAck, p->ack, p->ack_len);
	if (m->DhcpAckReceived && p->boot_server)
		ack_merge_boot(&m->DhcpAck, p->ack_len, p);
	m->ProxyOfferReceived = put_packet(&m->ProxyOffer, p->proxy_offer, p->proxy_offer_len);
	m->PxeReplyReceived = put_packet(&m->PxeReply, p->pxe_reply, p->pxe_reply_len);
	put_ip(&m->StationIp, p->station);
	put_ip(&m->SubnetMask, p->mask);
	m->IpFilter.Filters = EFI_PXE_BASE_CODE_IP_FILTER_STATION_IP;
	if (p->router) {
		/* The default route: any address, mask 0, through the router. */
		put_ip(&m->RouteTable[0].GwAddr, p->router);
		m->RouteTableEntries = 1;
	}
}

static uint32_t ip4(const EFI_IP_ADDRESS *a)
{
	uint32_t v;

	memcpy(&v, &a->v4, 4);
	return v;
}

/* 224.0.0.0/4 (first octet 224..239), network order in memory. */
static bool is_multicast(uint32_t be)
{
	return (((const uint8_t *)&be)[0] & 0xf0) == 0xe0;
}

bool pxe_bc_mask_valid(uint32_t be)
{
	const uint8_t *b = (const uint8_t *)&be;
	uint32_t h = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];

	return h && ((~h + 1) & ~h) == 0; /* ~h is 0...01...1: ~h + 1 a power of two */
}

bool pxe_bc_ip_is_unicast(uint32_t be, uint32_t mask)
{
	if (!be || be == 0xffffffffu || is_multicast(be) || ((const uint8_t *)&be)[0] >= 240)
		return false;
	if (mask && mask != 0xffffffffu && ((be & ~mask) == 0 || (be | mask) == 0xffffffffu))
		return false;
	return true;
}

/* What a USE_FILTER read accepts as the destination address. */
static bool filter_accepts(const EFI_PXE_BASE_CODE_IP_FILTER *f, uint32_t station, uint32_t mask,
			   uint32_t dst)
{
	if (f->Filters & EFI_PXE_BASE_CODE_IP_FILTER_PROMISCUOUS)
		return true;
	if ((f->Filters & EFI_PXE_BASE_CODE_IP_FILTER_STATION_IP) && station && dst == station)
		return true;
	if ((f->Filters & EFI_PXE_BASE_CODE_IP_FILTER_BROADCAST) &&
	    (dst == 0xffffffffu || (mask && station && dst == (station | ~mask))))
		return true;
	if ((f->Filters & EFI_PXE_BASE_CODE_IP_FILTER_PROMISCUOUS_MULTICAST) && is_multicast(dst))
		return true;
	/* The list holds extra addresses (multicast ones, chiefly) when
	 * STATION_IP is set (s.24.3 SetIpFilter). */
	if (f->Filters & EFI_PXE_BASE_CODE_IP_FILTER_STATION_IP)
		for (unsigned i = 0; i < f->IpCnt && i < EFI_PXE_BASE_CODE_MAX_IPCNT; i++)
			if (ip4(&f->IpList[i]) == dst)
				return true;
	return false;
}

bool pxe_bc_udp_accepts(UINT16 op, const EFI_IP_ADDRESS *dest_ip, const UINT16 *dest_port,
			const EFI_IP_ADDRESS *src_ip, const UINT16 *src_port,
			const EFI_PXE_BASE_CODE_IP_FILTER *filter, uint32_t station, uint32_t mask,
			const struct pxe_bc_dgram_addr *a)
{
	if (!(op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_IP) && (!src_ip || ip4(src_ip) != a->src))
		return false;
	if (!(op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT) &&
	    (!src_port || *src_port != a->sport))
		return false;
	if (!(op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_PORT) &&
	    (!dest_port || *dest_port != a->dport))
		return false;
	if (op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_USE_FILTER)
		return filter && filter_accepts(filter, station, mask, a->dst);
	if (op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_IP)
		return true;
	return dest_ip && ip4(dest_ip) == a->dst;
}

/* A header pointer and its size come together, the size non-zero. */
static bool header_ok(const UINTN *size, const void *ptr)
{
	if (!size)
		return true;
	return ptr && *size;
}

EFI_STATUS pxe_bc_udp_read_args(UINT16 op, const EFI_IP_ADDRESS *dest_ip, const UINT16 *dest_port,
				const EFI_IP_ADDRESS *src_ip, const UINT16 *src_port,
				const UINTN *header_size, const void *header,
				const UINTN *buffer_size, const void *buffer)
{
	const UINT16 known =
	    EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_IP | EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT |
	    EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_IP |
	    EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_PORT | EFI_PXE_BASE_CODE_UDP_OPFLAGS_USE_FILTER;

	if (op & ~known)
		return EFI_INVALID_PARAMETER;
	if (!(op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_IP) && !src_ip)
		return EFI_INVALID_PARAMETER;
	if (!(op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT) && !src_port)
		return EFI_INVALID_PARAMETER;
	if (!(op & (EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_IP |
		    EFI_PXE_BASE_CODE_UDP_OPFLAGS_USE_FILTER)) &&
	    !dest_ip)
		return EFI_INVALID_PARAMETER;
	if (!(op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_PORT) && !dest_port)
		return EFI_INVALID_PARAMETER;
	if (!header_ok(header_size, header) || (!header_size && header))
		return EFI_INVALID_PARAMETER;
	if (!buffer_size || (*buffer_size && !buffer))
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

EFI_STATUS pxe_bc_udp_write_args(UINT16 op, const EFI_IP_ADDRESS *dest_ip, const UINT16 *dest_port,
				 const EFI_IP_ADDRESS *gateway, const UINT16 *src_port,
				 const UINTN *header_size, const void *header,
				 const UINTN *buffer_size, const void *buffer, uint32_t station,
				 uint32_t mask)
{
	const UINT16 known =
	    EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT | EFI_PXE_BASE_CODE_UDP_OPFLAGS_MAY_FRAGMENT;

	if (op & ~known)
		return EFI_INVALID_PARAMETER;
	if (!dest_ip || !dest_port)
		return EFI_INVALID_PARAMETER;
	if (!(op & EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT) && !src_port)
		return EFI_INVALID_PARAMETER;
	if (gateway && !pxe_bc_ip_is_unicast(ip4(gateway), 0))
		return EFI_INVALID_PARAMETER;
	if (gateway && mask && station && (ip4(gateway) & mask) != (station & mask))
		return EFI_INVALID_PARAMETER; /* a gateway must be on our subnet */
	if (!header_ok(header_size, header) || (!header_size && header))
		return EFI_INVALID_PARAMETER;
	if (!buffer_size || (*buffer_size && !buffer))
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

EFI_STATUS pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_TFTP_OPCODE op, const void *buffer,
			     const UINT64 *buffer_size, const UINTN *block_size,
			     const EFI_IP_ADDRESS *server, const UINT8 *filename,
			     bool dont_use_buffer)
{
	switch (op) {
	case EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE:
	case EFI_PXE_BASE_CODE_TFTP_READ_FILE:
		break;
	case EFI_PXE_BASE_CODE_TFTP_WRITE_FILE:
	case EFI_PXE_BASE_CODE_TFTP_READ_DIRECTORY:
	case EFI_PXE_BASE_CODE_MTFTP_GET_FILE_SIZE:
	case EFI_PXE_BASE_CODE_MTFTP_READ_FILE:
	case EFI_PXE_BASE_CODE_MTFTP_READ_DIRECTORY:
		return EFI_UNSUPPORTED;
	default:
		return EFI_INVALID_PARAMETER;
	}
	if (!buffer_size || !server || !filename || !filename[0])
		return EFI_INVALID_PARAMETER;
	/* s.24.3 Mtftp: BlockSize below 512 is refused. */
	if (block_size && (*block_size < 512 || *block_size > 65464))
		return EFI_INVALID_PARAMETER;
	uint32_t ip = ip4(server);
	if (!pxe_bc_ip_is_unicast(ip, 0))
		return EFI_INVALID_PARAMETER;
	if (op == EFI_PXE_BASE_CODE_TFTP_READ_FILE && !dont_use_buffer && !buffer && *buffer_size)
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

EFI_STATUS pxe_bc_tftp_status(int server_error, bool too_small, bool timed_out)
{
	if (too_small)
		return EFI_BUFFER_TOO_SMALL;
	if (server_error >= 0)
		return EFI_TFTP_ERROR;
	if (timed_out)
		return EFI_TIMEOUT;
	return EFI_DEVICE_ERROR;
}
