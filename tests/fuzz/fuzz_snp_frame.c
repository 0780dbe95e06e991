/* Fuzz SNP's frame logic (snp/snp_frame.c): the receive filter, ReceiveFilters()
 * validation, statistics and the multicast IP-to-MAC mapping, as an EFI
 * program and the wire would drive them. The input is a mode header and
 * then operations, nothing else:
 *
 *   header: u8 ReceiveFilterMask (low 5 bits), u8 ReceiveFilterSetting
 *           (within the mask), 6 bytes of station address
 *   op 0 (ReceiveFilters): u32 enable, u32 disable (LE), u8 flags (bit 0
 *           reset the list, bit 1 a NULL list), u8 count, count x 6-byte MACs
 *   op 1 (filter a received frame): u16 length (LE), the frame
 *   op 2 (count a frame): u8 rx, u16 length (LE), the frame
 *   op 3 (multicast IP to MAC): u8 ipv6, 16 bytes of address
 *
 * The op byte is taken modulo 4; a length past the end of the input is cut.
 * Frames are copied to buffers of exactly their length, so a read past
 * the end is an ASan report. Each result is checked against the UEFI 2.10
 * s.24.1 rules it implements; a broken rule aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <snp.h>

static void check(bool ok)
{
	if (!ok)
		abort();
}

struct input {
	const uint8_t *p;
	size_t left;
};

static bool take(struct input *in, void *dst, size_t n)
{
	if (in->left < n)
		return false;
	memcpy(dst, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

/* A length-prefixed frame, cut at the end of the input, in its own buffer. */
static uint8_t *take_frame(struct input *in, size_t *len)
{
	uint16_t n = 0;

	if (!take(in, &n, 2))
		return NULL;
	*len = n < in->left ? n : in->left;
	uint8_t *f = malloc(*len ? *len : 1);
	if (f && *len)
		take(in, f, *len);
	return f;
}

static void fuzz_filters(EFI_SIMPLE_NETWORK_MODE *m, struct input *in)
{
	UINT32 enable, disable;
	uint8_t flags, count;
	static EFI_MAC_ADDRESS list[256];

	if (!take(in, &enable, 4) || !take(in, &disable, 4) || !take(in, &flags, 1) ||
	    !take(in, &count, 1))
		return;
	memset(list, 0, sizeof(list));
	for (unsigned i = 0; i < count; i++)
		if (!take(in, list[i].Addr, 6))
			break;
	/* An EFI program's list is as long as it says: copy it to a buffer of
	 * exactly that size, so reading past it is caught. */
	EFI_MAC_ADDRESS *mcast = NULL;
	if (!(flags & 2)) {
		mcast = malloc(sizeof(*mcast) * (count ? count : 1));
		if (!mcast)
			return;
		memcpy(mcast, list, sizeof(*mcast) * count);
	}
	EFI_SIMPLE_NETWORK_MODE before = *m;
	bool reset = flags & 1;
	EFI_STATUS s = snp_apply_filters(m, enable, disable, reset, count, mcast);
	if (s != EFI_SUCCESS) {
		check(s == EFI_INVALID_PARAMETER);
		check(!memcmp(&before, m, sizeof(*m))); /* a refused call changes nothing */
		free(mcast);
		return;
	}
	check(!((enable | disable) & ~before.ReceiveFilterMask));
	check(m->ReceiveFilterSetting == ((before.ReceiveFilterSetting | enable) & ~disable));
	check(m->MCastFilterCount <= m->MaxMCastFilterCount);
	if (reset) {
		check(m->MCastFilterCount == 0);
	} else if (count) {
		check(mcast && m->MCastFilterCount == count);
		for (unsigned i = 0; i < count; i++)
			check((mcast[i].Addr[0] & 1) && !memcmp(&m->MCastFilter[i], &mcast[i],
							       sizeof(*mcast)));
	} else {
		check(m->MCastFilterCount == before.MCastFilterCount);
	}
	free(mcast);
}

static void fuzz_accepts(const EFI_SIMPLE_NETWORK_MODE *m, struct input *in)
{
	size_t len;
	uint8_t *f = take_frame(in, &len);

	if (!f)
		return;
	bool ok = snp_filter_accepts(m, f, len);
	UINT32 set = m->ReceiveFilterSetting;
	if (len < 14) {
		check(!ok);
	} else if (set & EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS) {
		check(ok);
	} else if (!memcmp(f, "\xff\xff\xff\xff\xff\xff", 6)) {
		check(ok == !!(set & EFI_SIMPLE_NETWORK_RECEIVE_BROADCAST));
	} else if (f[0] & 1) {
		bool listed = false;
		for (UINT32 i = 0; i < m->MCastFilterCount; i++)
			listed |= !memcmp(f, m->MCastFilter[i].Addr, 6);
		check(ok == ((set & EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS_MULTICAST) ||
			     ((set & EFI_SIMPLE_NETWORK_RECEIVE_MULTICAST) && listed)));
	} else {
		check(ok == ((set & EFI_SIMPLE_NETWORK_RECEIVE_UNICAST) &&
			     !memcmp(f, m->CurrentAddress.Addr, 6)));
	}
	free(f);
}

static void fuzz_count(struct input *in)
{
	static EFI_NETWORK_STATISTICS st;
	uint8_t rx;
	size_t len;

	if (!take(in, &rx, 1))
		return;
	uint8_t *f = take_frame(in, &len);
	if (!f)
		return;
	EFI_NETWORK_STATISTICS before = st;
	snp_count_frame(&st, rx & 1, f, len);
	if (rx & 1) {
		check(st.RxGoodFrames == before.RxGoodFrames + 1);
		check(st.RxBroadcastFrames + st.RxMulticastFrames + st.RxUnicastFrames ==
		      before.RxBroadcastFrames + before.RxMulticastFrames + before.RxUnicastFrames + 1);
	} else {
		check(st.TxTotalFrames == before.TxTotalFrames + 1);
		check(st.TxTotalBytes == before.TxTotalBytes + len);
		check(st.TxBroadcastFrames + st.TxMulticastFrames + st.TxUnicastFrames ==
		      before.TxBroadcastFrames + before.TxMulticastFrames + before.TxUnicastFrames + 1);
	}
	free(f);
}

static void fuzz_mcast(struct input *in)
{
	uint8_t v6;
	EFI_IP_ADDRESS ip;
	EFI_MAC_ADDRESS mac;

	memset(&ip, 0, sizeof(ip));
	if (!take(in, &v6, 1) || !take(in, ip.Addr, 16))
		return;
	EFI_STATUS s = snp_mcast_ip_to_mac(v6 & 1, &ip, &mac);
	if (v6 & 1) {
		check(s == EFI_SUCCESS && mac.Addr[0] == 0x33 && mac.Addr[1] == 0x33 &&
		      !memcmp(mac.Addr + 2, ip.v6.Addr + 12, 4));
		return;
	}
	const uint8_t *a = ip.v4.Addr;
	if ((a[0] & 0xf0) != 0xe0) {
		check(s == EFI_INVALID_PARAMETER);
		return;
	}
	check(s == EFI_SUCCESS && (mac.Addr[0] & 1));
	check(!memcmp(mac.Addr, "\x01\x00\x5e", 3) && mac.Addr[3] == (a[1] & 0x7f) &&
	      mac.Addr[4] == a[2] && mac.Addr[5] == a[3]);
	for (int i = 6; i < 32; i++)
		check(mac.Addr[i] == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	EFI_SIMPLE_NETWORK_MODE m;
	struct input in = { data, size };
	uint8_t mask, setting;

	/* The mode as snp/snp_virtio.c sets it up; the rest comes from the input. */
	memset(&m, 0, sizeof(m));
	if (!take(&in, &mask, 1) || !take(&in, &setting, 1) ||
	    !take(&in, m.CurrentAddress.Addr, 6))
		return 0;
	m.ReceiveFilterMask = mask & 0x1f;
	m.ReceiveFilterSetting = setting & m.ReceiveFilterMask;
	m.MaxMCastFilterCount = MAX_MCAST_FILTER_CNT;
	memset(m.BroadcastAddress.Addr, 0xff, 6);

	uint8_t op;
	while (take(&in, &op, 1)) {
		switch (op % 4) {
		case 0:
			fuzz_filters(&m, &in);
			break;
		case 1:
			fuzz_accepts(&m, &in);
			break;
		case 2:
			fuzz_count(&in);
			break;
		default:
			fuzz_mcast(&in);
			break;
		}
	}
	return 0;
}
