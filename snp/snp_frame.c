/* SNP frame logic that needs no device: receive filtering, multicast
 * mapping, filter settings, statistics, receive checksums. Pure,
 * host-tested. */
#include <string.h>
#include <snp.h>

static bool is_broadcast(const uint8_t *mac)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	return memcmp(mac, bc, 6) == 0;
}

bool snp_filter_accepts(const EFI_SIMPLE_NETWORK_MODE *m, const uint8_t *frame, size_t len)
{
	UINT32 f = m->ReceiveFilterSetting;

	if (len < 14)
		return false;
	if (f & EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS)
		return true;
	const uint8_t *dst = frame;
	if (is_broadcast(dst))
		return f & EFI_SIMPLE_NETWORK_RECEIVE_BROADCAST;
	if (dst[0] & 1) {
		if (f & EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS_MULTICAST)
			return true;
		if (!(f & EFI_SIMPLE_NETWORK_RECEIVE_MULTICAST))
			return false;
		for (UINT32 i = 0; i < m->MCastFilterCount && i < MAX_MCAST_FILTER_CNT; i++)
			if (!memcmp(dst, m->MCastFilter[i].Addr, 6))
				return true;
		return false;
	}
	return (f & EFI_SIMPLE_NETWORK_RECEIVE_UNICAST) && !memcmp(dst, m->CurrentAddress.Addr, 6);
}

EFI_STATUS snp_mcast_ip_to_mac(bool ipv6, const EFI_IP_ADDRESS *ip, EFI_MAC_ADDRESS *mac)
{
	if (!ip || !mac)
		return EFI_INVALID_PARAMETER;
	memset(mac, 0, sizeof(*mac));
	if (ipv6) {
		mac->Addr[0] = 0x33;
		mac->Addr[1] = 0x33;
		memcpy(&mac->Addr[2], &ip->v6.Addr[12], 4);
		return EFI_SUCCESS;
	}
	const UINT8 *a = ip->v4.Addr;
	if ((a[0] & 0xf0) != 0xe0)
		return EFI_INVALID_PARAMETER;
	mac->Addr[0] = 0x01;
	mac->Addr[1] = 0x00;
	mac->Addr[2] = 0x5e;
	mac->Addr[3] = a[1] & 0x7f;
	mac->Addr[4] = a[2];
	mac->Addr[5] = a[3];
	return EFI_SUCCESS;
}

EFI_STATUS snp_apply_filters(EFI_SIMPLE_NETWORK_MODE *m, UINT32 enable, UINT32 disable,
			     bool reset_mcast, UINTN count, const EFI_MAC_ADDRESS *mcast)
{
	if ((enable | disable) & ~m->ReceiveFilterMask)
		return EFI_INVALID_PARAMETER;
	if (!reset_mcast && count) {
		if (count > m->MaxMCastFilterCount || !mcast)
			return EFI_INVALID_PARAMETER;
		for (UINTN i = 0; i < count; i++)
			if (!(mcast[i].Addr[0] & 1))
				return EFI_INVALID_PARAMETER;
	}
	m->ReceiveFilterSetting = (m->ReceiveFilterSetting | enable) & ~disable;
	if (reset_mcast) {
		m->MCastFilterCount = 0;
		memset(m->MCastFilter, 0, sizeof(m->MCastFilter));
	} else if (count) {
		memset(m->MCastFilter, 0, sizeof(m->MCastFilter));
		memcpy(m->MCastFilter, mcast, count * sizeof(*mcast));
		m->MCastFilterCount = (UINT32)count;
	}
	return EFI_SUCCESS;
}

void snp_count_frame(EFI_NETWORK_STATISTICS *st, bool rx, const uint8_t *frame, size_t len)
{
	const uint8_t *dst = frame;
	bool bcast = len >= 6 && is_broadcast(dst);
	bool mcast = len >= 6 && !bcast && (dst[0] & 1);

	if (rx) {
		st->RxGoodFrames++;
		if (bcast)
			st->RxBroadcastFrames++;
		else if (mcast)
			st->RxMulticastFrames++;
		else
			st->RxUnicastFrames++;
	} else {
		st->TxTotalFrames++;
		st->TxTotalBytes += len;
		if (bcast)
			st->TxBroadcastFrames++;
		else if (mcast)
			st->TxMulticastFrames++;
		else
			st->TxUnicastFrames++;
	}
}

bool snp_frame_is_ipv4_fragment(const uint8_t *frame, size_t len)
{
	if (len < 14 + 20 || frame[12] != 0x08 || frame[13] != 0x00)
		return false;
	/* RFC 791 s.3.1: flags and fragment offset; MF is 0x2000. */
	uint16_t frag = (uint16_t)(frame[14 + 6] << 8 | frame[14 + 7]);
	return (frag & 0x3fff) != 0;
}

bool snp_csum_complete(uint8_t *frame, size_t len, size_t start, size_t offset)
{
	if (start > len || offset > len - start || len - start - offset < 2)
		return false;
	/* RFC 1071: the ones'-complement sum of 16-bit big-endian words; the
	 * field already holds the pseudo-header's sum, so it is summed too. */
	uint64_t sum = 0;
	size_t i = start;
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)(frame[i] << 8 | frame[i + 1]);
	if (i < len)
		sum += (uint32_t)frame[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t c = (uint16_t)~sum;
	if (!c)
		c = 0xffff; /* RFC 768: a computed 0 goes out as all ones (the same in TCP) */
	frame[start + offset] = (uint8_t)(c >> 8);
	frame[start + offset + 1] = (uint8_t)c;
	return true;
}
