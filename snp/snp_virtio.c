/* EFI_SIMPLE_NETWORK_PROTOCOL over virtio-net (UEFI 2.10 s.24.1,
 * virtio 1.2 s.5.1). Every function uses the UEFI calling convention:
 * EFI programs (GRUB, iPXE snponly.efi) call them directly.
 *
 * Receive: a ring of 2 KiB buffers stays posted; frames the filters reject
 * are reposted at once, and reposted buffers reach the device in batches
 * (RX_KICK_BATCH, or as soon as the ring is drained). The one copy of a
 * frame is from that buffer into the caller's. With
 * VIRTIO_NET_F_GUEST_CSUM the device may hand over frames whose checksum
 * it has checked (DATA_VALID) or never computed (NEEDS_CSUM: it came from
 * the host's own stack); Receive completes the latter in software, except
 * for wireboot's own stack inside its snp_rx_csum_offload() bracket, which
 * learns per frame that it may skip the check. Transmit: each frame is copied to a bounce buffer
 * (so short frames are padded to 60 bytes without touching the caller's
 * memory); the caller's buffer comes back through GetStatus's TxBuf. */
#include <string.h>
#include <efi_devpath.h>
#include <efi_event.h>
#include <efi_handle.h>
#include <format.h>
#include <log.h>
#include <sysmem.h>
#include <snp.h>
#include <virtio.h>

#define VIRTIO_NET_F_GUEST_CSUM (1ULL << 1)
#define VIRTIO_NET_F_MAC (1ULL << 5)
#define VIRTIO_NET_F_MRG_RXBUF (1ULL << 15)
#define VIRTIO_NET_F_STATUS (1ULL << 16)
#define VIRTIO_NET_S_LINK_UP 1
/* virtio 1.2 s.5.1.6: struct virtio_net_hdr's flags and checksum fields. */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VNET_HDR_CSUM_START 6
#define VNET_HDR_CSUM_OFFSET 8
#define VNET_HDR_NUM_BUFFERS 10

#define RX_QUEUE 0
#define TX_QUEUE 1
#define QUEUE_MAX 256
#define BUF_SIZE 2048
#define ETH_HLEN 14
#define ETH_ZLEN 60
#define ETH_MTU 1500
#define SNP_MAX 8
#define RX_KICK_BATCH 32 /* reposted buffers per notification check */

struct tx_slot {
	void *caller_buf;
	uint8_t *bounce;
	bool busy;
};

struct snp_nic {
	EFI_SIMPLE_NETWORK_PROTOCOL snp; /* first: This points here */
	EFI_SIMPLE_NETWORK_MODE mode;
	struct virtio_dev *vdev;
	char desc[48];
	uint32_t hdr_len;
	bool mrg_rxbuf;
	bool guest_csum;    /* VIRTIO_NET_F_GUEST_CSUM negotiated */
	bool csum_offload;  /* inside wireboot's snp_rx_csum_offload() bracket */
	bool rx_csum_valid; /* the last frame Receive returned: device vouched */
	uint16_t rx_unkicked; /* reposted rx buffers the device was not told of */
	struct virtq rx, tx;
	uint8_t *rx_mem, *tx_mem;
	uint64_t rx_pages, tx_pages;
	struct tx_slot *slots;
	/* Completed transmits whose caller buffers GetStatus has not returned. */
	void **recycled;
	uint32_t rec_head, rec_count;
	/* A received frame Receive() could not hand over (buffer too small). */
	uint8_t *pend_buf;
	uint32_t pend_len;
	uint32_t irq; /* pending interrupt-status bits */
	EFI_NETWORK_STATISTICS stats;
	EFI_HANDLE handle;	/* the NIC's handle: device path + SNP */
	EFI_DEVICE_PATH *path; /* <virtio device>/MAC(mac,0x1) */
};

static struct snp_nic *nics[SNP_MAX];
static size_t nnics;

static struct snp_nic *nic_of(EFI_SIMPLE_NETWORK_PROTOCOL *This)
{
	return (struct snp_nic *)This;
}

static uint64_t wanted_features(void)
{
	return VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_NET_F_MRG_RXBUF |
	       VIRTIO_NET_F_GUEST_CSUM;
}

static void update_link(struct snp_nic *n)
{
	if (n->vdev->features & VIRTIO_NET_F_STATUS) {
		uint16_t st;
		virtio_cfg_read(n->vdev, 6, &st, 2);
		n->mode.MediaPresent = (st & VIRTIO_NET_S_LINK_UP) != 0;
	} else {
		n->mode.MediaPresent = TRUE;
	}
}

/* Checks shared by every function that needs an initialized NIC: a This
 * pointer, then the state (EDK2's answers for the wrong state). */
static EFI_STATUS need_initialized(EFI_SIMPLE_NETWORK_PROTOCOL *This)
{
	if (!This)
		return EFI_INVALID_PARAMETER;
	switch (nic_of(This)->mode.State) {
	case EfiSimpleNetworkInitialized: return EFI_SUCCESS;
	case EfiSimpleNetworkStarted: return EFI_DEVICE_ERROR;
	default: return EFI_NOT_STARTED;
	}
}

static void free_rings(struct snp_nic *n)
{
	virtq_free(&n->rx);
	virtq_free(&n->tx);
	if (n->rx_mem)
		memmap_free(&sys_memmap, (uintptr_t)n->rx_mem, n->rx_pages);
	if (n->tx_mem)
		memmap_free(&sys_memmap, (uintptr_t)n->tx_mem, n->tx_pages);
	sysmem_free(n->slots);
	sysmem_free(n->recycled);
	n->rx_mem = n->tx_mem = NULL;
	n->slots = NULL;
	n->recycled = NULL;
	n->rec_head = n->rec_count = 0;
	n->pend_buf = NULL;
	n->irq = 0;
	n->rx_unkicked = 0;
	n->rx_csum_valid = false;
}

/* Bring the device up: negotiate, build both queues, post every rx buffer. */
static EFI_STATUS device_up(struct snp_nic *n)
{
	struct virtio_dev *d = n->vdev;

	if (virtio_begin(d, wanted_features()))
		return EFI_DEVICE_ERROR;
	n->mrg_rxbuf = d->features & VIRTIO_NET_F_MRG_RXBUF;
	n->guest_csum = d->features & VIRTIO_NET_F_GUEST_CSUM;
	/* virtio 1.2 s.5.1.6: 12-byte header with VERSION_1 or MRG_RXBUF, else 10. */
	n->hdr_len = ((d->features & VIRTIO_F_VERSION_1) || n->mrg_rxbuf) ? 12 : 10;
	if (virtq_init(&n->rx, d, RX_QUEUE, QUEUE_MAX) || virtq_init(&n->tx, d, TX_QUEUE, QUEUE_MAX))
		goto fail;
	n->rx_pages = (uint64_t)n->rx.size * BUF_SIZE / PAGE_SIZE;
	n->tx_pages = (uint64_t)n->tx.size * BUF_SIZE / PAGE_SIZE;
	n->rx_mem = sysmem_alloc_pages(n->rx_pages ? n->rx_pages : 1, MEM_BS_DATA, 0);
	n->tx_mem = sysmem_alloc_pages(n->tx_pages ? n->tx_pages : 1, MEM_BS_DATA, 0);
	n->slots = sysmem_zalloc(sizeof(*n->slots) * n->tx.size);
	n->recycled = sysmem_zalloc(sizeof(void *) * n->tx.size);
	if (!n->rx_mem || !n->tx_mem || !n->slots || !n->recycled) {
		log_error("snp %s: no memory for %u+%u packet buffers", n->desc, n->rx.size,
			  n->tx.size);
		goto fail;
	}
	for (uint16_t i = 0; i < n->tx.size; i++)
		n->slots[i].bounce = n->tx_mem + (size_t)i * BUF_SIZE;
	for (uint16_t i = 0; i < n->rx.size; i++) {
		uint8_t *b = n->rx_mem + (size_t)i * BUF_SIZE;
		virtq_add(&n->rx, (uintptr_t)b, BUF_SIZE, true, b);
	}
	virtio_ready(d);
	virtq_kick(&n->rx);
	update_link(n);
	return EFI_SUCCESS;
fail:
	virtio_reset(d);
	free_rings(n);
	return EFI_DEVICE_ERROR;
}

static void device_down(struct snp_nic *n)
{
	virtio_reset(n->vdev);
	free_rings(n);
}

static EFI_STATUS EFIAPI snp_start(EFI_SIMPLE_NETWORK_PROTOCOL *This)
{
	struct snp_nic *n = nic_of(This);

	if (!This)
		return EFI_INVALID_PARAMETER;
	if (n->mode.State != EfiSimpleNetworkStopped)
		return EFI_ALREADY_STARTED;
	n->mode.State = EfiSimpleNetworkStarted;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI snp_stop(EFI_SIMPLE_NETWORK_PROTOCOL *This)
{
	struct snp_nic *n = nic_of(This);

	if (!This)
		return EFI_INVALID_PARAMETER;
	if (n->mode.State == EfiSimpleNetworkStopped)
		return EFI_NOT_STARTED;
	if (n->mode.State == EfiSimpleNetworkInitialized)
		return EFI_DEVICE_ERROR;
	n->mode.State = EfiSimpleNetworkStopped;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI snp_initialize(EFI_SIMPLE_NETWORK_PROTOCOL *This, UINTN ExtraRx,
					UINTN ExtraTx)
{
	struct snp_nic *n = nic_of(This);

	if (!This)
		return EFI_INVALID_PARAMETER;
	if (n->mode.State == EfiSimpleNetworkStopped)
		return EFI_NOT_STARTED;
	if (n->mode.State == EfiSimpleNetworkInitialized)
		return EFI_DEVICE_ERROR;
	EFI_STATUS s = device_up(n);
	if (EFI_ERROR(s))
		return s;
	n->mode.State = EfiSimpleNetworkInitialized;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI snp_reset(EFI_SIMPLE_NETWORK_PROTOCOL *This, BOOLEAN Extended)
{
	struct snp_nic *n = nic_of(This);

	EFI_STATUS s = need_initialized(This);
	if (EFI_ERROR(s))
		return s;
	device_down(n);
	s = device_up(n);
	if (EFI_ERROR(s))
		n->mode.State = EfiSimpleNetworkStarted;
	return s;
}

static EFI_STATUS EFIAPI snp_shutdown(EFI_SIMPLE_NETWORK_PROTOCOL *This)
{
	struct snp_nic *n = nic_of(This);

	EFI_STATUS s = need_initialized(This);
	if (EFI_ERROR(s))
		return s;
	device_down(n);
	n->mode.State = EfiSimpleNetworkStarted;
	n->mode.MCastFilterCount = 0;
	n->mode.ReceiveFilterSetting = 0;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI snp_receive_filters(EFI_SIMPLE_NETWORK_PROTOCOL *This, UINT32 Enable,
					     UINT32 Disable, BOOLEAN ResetMCast, UINTN MCastCnt,
					     EFI_MAC_ADDRESS *MCast)
{
	struct snp_nic *n = nic_of(This);

	EFI_STATUS s = need_initialized(This);
	if (EFI_ERROR(s))
		return s;
	/* The device delivers everything (QEMU's virtio-net starts promiscuous
	 * and we negotiate no control queue); filtering happens in Receive. */
	return snp_apply_filters(&n->mode, Enable, Disable, ResetMCast, MCastCnt, MCast);
}

static EFI_STATUS EFIAPI snp_station_address(EFI_SIMPLE_NETWORK_PROTOCOL *This, BOOLEAN Reset,
					     EFI_MAC_ADDRESS *New)
{
	struct snp_nic *n = nic_of(This);

	EFI_STATUS s = need_initialized(This);
	if (EFI_ERROR(s))
		return s;
	if (Reset) {
		n->mode.CurrentAddress = n->mode.PermanentAddress;
		return EFI_SUCCESS;
	}
	if (!New || (New->Addr[0] & 1))
		return EFI_INVALID_PARAMETER;
	memset(&n->mode.CurrentAddress, 0, sizeof(n->mode.CurrentAddress));
	memcpy(n->mode.CurrentAddress.Addr, New->Addr, 6);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI snp_statistics(EFI_SIMPLE_NETWORK_PROTOCOL *This, BOOLEAN Reset,
					UINTN *Size, EFI_NETWORK_STATISTICS *Table)
{
	struct snp_nic *n = nic_of(This);

	EFI_STATUS s = need_initialized(This);
	if (EFI_ERROR(s))
		return s;
	if (!Size && Table)
		return EFI_INVALID_PARAMETER;
	s = EFI_SUCCESS;
	if (Size) {
		if (*Size < sizeof(n->stats)) {
			if (Table)
				memcpy(Table, &n->stats, *Size);
			s = EFI_BUFFER_TOO_SMALL;
		} else if (Table) {
			memcpy(Table, &n->stats, sizeof(n->stats));
		}
		*Size = sizeof(n->stats);
	}
	if (Reset && s == EFI_SUCCESS)
		memset(&n->stats, 0, sizeof(n->stats));
	return s;
}

static EFI_STATUS EFIAPI snp_mcast_ip_to_mac_fn(EFI_SIMPLE_NETWORK_PROTOCOL *This, BOOLEAN IPv6,
						EFI_IP_ADDRESS *IP, EFI_MAC_ADDRESS *MAC)
{
	EFI_STATUS s = need_initialized(This);
	if (EFI_ERROR(s))
		return s;
	return snp_mcast_ip_to_mac(IPv6, IP, MAC);
}

static EFI_STATUS EFIAPI snp_nvdata(EFI_SIMPLE_NETWORK_PROTOCOL *This, BOOLEAN ReadWrite,
				    UINTN Offset, UINTN BufferSize, VOID *Buffer)
{
	EFI_STATUS s = need_initialized(This);
	if (EFI_ERROR(s))
		return s;
	return EFI_UNSUPPORTED; /* NvRamSize is 0: virtio-net has no NVRAM */
}

/* Collect finished transmits: free their slots, queue caller buffers for TxBuf. */
static void reap_tx(struct snp_nic *n)
{
	uint32_t len;
	struct tx_slot *slot;

	while ((slot = virtq_get(&n->tx, &len))) {
		slot->busy = false;
		n->stats.TxGoodFrames++;
		n->irq |= EFI_SIMPLE_NETWORK_TRANSMIT_INTERRUPT;
		if (n->rec_count < n->tx.size) {
			n->recycled[(n->rec_head + n->rec_count) % n->tx.size] = slot->caller_buf;
			n->rec_count++;
		}
	}
}

/* Give an rx buffer back to the device; it hears of them in batches. */
static void repost_rx(struct snp_nic *n, uint8_t *buf)
{
	virtq_add(&n->rx, (uintptr_t)buf, BUF_SIZE, true, buf);
	if (++n->rx_unkicked >= RX_KICK_BATCH) {
		virtq_kick(&n->rx);
		n->rx_unkicked = 0;
	}
}

/* Tell the device of every reposted buffer (the ring is drained: it may
 * be waiting for them). */
static void flush_rx(struct snp_nic *n)
{
	if (n->rx_unkicked) {
		virtq_kick(&n->rx);
		n->rx_unkicked = 0;
	}
}

/* Next frame the filters accept, into n->pend_buf/pend_len; false if none. */
static bool next_rx(struct snp_nic *n)
{
	uint32_t len;
	uint8_t *buf;

	if (n->pend_buf)
		return true;
	while ((buf = virtq_get(&n->rx, &len))) {
		n->stats.RxTotalFrames++;
		n->stats.RxTotalBytes += len > n->hdr_len ? len - n->hdr_len : 0;
		uint16_t nbufs = 1;
		if (n->mrg_rxbuf)
			memcpy(&nbufs, buf + VNET_HDR_NUM_BUFFERS, 2);
		if (len > BUF_SIZE || nbufs != 1) {
			n->stats.RxOversizeFrames++;
		} else if (len < n->hdr_len + ETH_HLEN) {
			n->stats.RxUndersizeFrames++;
		} else if (!snp_filter_accepts(&n->mode, buf + n->hdr_len, len - n->hdr_len)) {
			n->stats.RxDroppedFrames++;
		} else {
			n->pend_buf = buf;
			n->pend_len = len - n->hdr_len;
			return true;
		}
		repost_rx(n, buf);
	}
	flush_rx(n);
	return false;
}

/* The checksum state of the pending frame, now copied to frame: whether
 * the device vouched for it, and a partial checksum completed unless our
 * own stack asked to skip it (virtio 1.2 s.5.1.6.4). */
static bool rx_csum(struct snp_nic *n, uint8_t *frame, size_t len)
{
	const uint8_t *hdr = n->pend_buf;

	if (!n->guest_csum)
		return false;
	if (hdr[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint16_t start, off;
		memcpy(&start, hdr + VNET_HDR_CSUM_START, 2);
		memcpy(&off, hdr + VNET_HDR_CSUM_OFFSET, 2);
		/* A fragment cannot be vouched for alone: its datagram is
		 * checked once reassembled, so its sum must be whole. */
		if (n->csum_offload && !snp_frame_is_ipv4_fragment(frame, len) &&
		    (size_t)start + off + 2 <= len)
			return true;
		snp_csum_complete(frame, len, start, off);
		return false;
	}
	return (hdr[0] & VIRTIO_NET_HDR_F_DATA_VALID) && !snp_frame_is_ipv4_fragment(frame, len);
}

/* WaitForPacket's notify: signal when a frame the filters accept is waiting. */
static VOID EFIAPI snp_wait_notify(EFI_EVENT event, VOID *ctx)
{
	struct snp_nic *n = ctx;

	if (n->mode.State == EfiSimpleNetworkInitialized && next_rx(n))
		efi_signal_event(event);
}

static EFI_STATUS EFIAPI snp_get_status(EFI_SIMPLE_NETWORK_PROTOCOL *This, UINT32 *IrqStatus,
					VOID **TxBuf)
{
	struct snp_nic *n = nic_of(This);

	EFI_STATUS s = need_initialized(This);
	if (EFI_ERROR(s))
		return s;
	reap_tx(n);
	update_link(n);
	if (IrqStatus) {
		if (next_rx(n))
			n->irq |= EFI_SIMPLE_NETWORK_RECEIVE_INTERRUPT;
		*IrqStatus = n->irq;
		n->irq = 0;
	}
	if (TxBuf) {
		/* NULL when nothing is left to recycle (iPXE and GRUB rely on it). */
		*TxBuf = NULL;
		if (n->rec_count) {
			*TxBuf = n->recycled[n->rec_head];
			n->rec_head = (n->rec_head + 1) % n->tx.size;
			n->rec_count--;
		}
	}
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI snp_transmit(EFI_SIMPLE_NETWORK_PROTOCOL *This, UINTN HeaderSize,
				      UINTN BufferSize, VOID *Buffer, EFI_MAC_ADDRESS *Src,
				      EFI_MAC_ADDRESS *Dst, UINT16 *Protocol)
{
	struct snp_nic *n = nic_of(This);

	EFI_STATUS s = need_initialized(This);
	if (EFI_ERROR(s))
		return s;
	if (!Buffer)
		return EFI_INVALID_PARAMETER;
	if (HeaderSize) {
		if (HeaderSize != n->mode.MediaHeaderSize || !Dst || !Protocol)
			return EFI_INVALID_PARAMETER;
	}
	if (BufferSize < n->mode.MediaHeaderSize)
		return EFI_BUFFER_TOO_SMALL;
	if (BufferSize > n->mode.MaxPacketSize + n->mode.MediaHeaderSize)
		return EFI_INVALID_PARAMETER;

	reap_tx(n);
	struct tx_slot *slot = NULL;
	for (uint16_t i = 0; i < n->tx.size && !slot; i++)
		if (!n->slots[i].busy)
			slot = &n->slots[i];
	if (!slot || !n->tx.num_free)
		return EFI_NOT_READY; /* the caller retries; nothing is lost */
	uint8_t *frame = Buffer;
	if (HeaderSize) {
		/* The media header is written into the caller's buffer, as the spec says. */
		memcpy(frame, Dst->Addr, 6);
		memcpy(frame + 6, (Src ? Src : &n->mode.CurrentAddress)->Addr, 6);
		frame[12] = (uint8_t)(*Protocol >> 8);
		frame[13] = (uint8_t)*Protocol;
	}
	size_t flen = BufferSize < ETH_ZLEN ? ETH_ZLEN : BufferSize;
	memset(slot->bounce, 0, n->hdr_len);
	memcpy(slot->bounce + n->hdr_len, frame, BufferSize);
	memset(slot->bounce + n->hdr_len + BufferSize, 0, flen - BufferSize);
	slot->caller_buf = Buffer;
	slot->busy = true;
	virtq_add(&n->tx, (uintptr_t)slot->bounce, (uint32_t)(n->hdr_len + flen), false, slot);
	virtq_kick(&n->tx);
	snp_count_frame(&n->stats, false, frame, BufferSize);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI snp_receive(EFI_SIMPLE_NETWORK_PROTOCOL *This, UINTN *HeaderSize,
				     UINTN *BufferSize, VOID *Buffer, EFI_MAC_ADDRESS *Src,
				     EFI_MAC_ADDRESS *Dst, UINT16 *Protocol)
{
	struct snp_nic *n = nic_of(This);

	EFI_STATUS s = need_initialized(This);
	if (EFI_ERROR(s))
		return s;
	if (!BufferSize || !Buffer)
		return EFI_INVALID_PARAMETER;
	n->rx_csum_valid = false;
	if (!next_rx(n))
		return EFI_NOT_READY;
	const uint8_t *frame = n->pend_buf + n->hdr_len;
	if (*BufferSize < n->pend_len) {
		*BufferSize = n->pend_len; /* keep the frame for a bigger buffer */
		return EFI_BUFFER_TOO_SMALL;
	}
	memcpy(Buffer, frame, n->pend_len);
	n->rx_csum_valid = rx_csum(n, Buffer, n->pend_len);
	*BufferSize = n->pend_len;
	if (HeaderSize)
		*HeaderSize = n->mode.MediaHeaderSize;
	if (Dst) {
		memset(Dst, 0, sizeof(*Dst));
		memcpy(Dst->Addr, frame, 6);
	}
	if (Src) {
		memset(Src, 0, sizeof(*Src));
		memcpy(Src->Addr, frame + 6, 6);
	}
	if (Protocol)
		*Protocol = (UINT16)(frame[12] << 8 | frame[13]);
	snp_count_frame(&n->stats, true, frame, n->pend_len);
	uint8_t *buf = n->pend_buf;
	n->pend_buf = NULL;
	repost_rx(n, buf);
	return EFI_SUCCESS;
}

/* Read MAC and link with a short negotiation, then leave the device reset
 * until Initialize(). Returns 0 or -1. */
static int snp_attach(struct snp_nic *n, struct virtio_dev *d)
{
	n->vdev = d;
	format_buf(n->desc, sizeof(n->desc), "%s (%s)", d->name, virtio_transport_name(d->transport));
	if (virtio_begin(d, wanted_features()))
		return -1;
	EFI_SIMPLE_NETWORK_MODE *m = &n->mode;
	m->State = EfiSimpleNetworkStopped;
	m->HwAddressSize = 6;
	m->MediaHeaderSize = ETH_HLEN;
	m->MaxPacketSize = ETH_MTU;
	m->ReceiveFilterMask = EFI_SIMPLE_NETWORK_RECEIVE_UNICAST |
			       EFI_SIMPLE_NETWORK_RECEIVE_MULTICAST |
			       EFI_SIMPLE_NETWORK_RECEIVE_BROADCAST |
			       EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS |
			       EFI_SIMPLE_NETWORK_RECEIVE_PROMISCUOUS_MULTICAST;
	m->MaxMCastFilterCount = MAX_MCAST_FILTER_CNT;
	m->IfType = 1; /* RFC 1700 ARP hardware type: Ethernet */
	m->MacAddressChangeable = TRUE;
	m->MultipleTxSupported = TRUE;
	m->MediaPresentSupported = (d->features & VIRTIO_NET_F_STATUS) != 0;
	memset(m->BroadcastAddress.Addr, 0xff, 6);
	if (d->features & VIRTIO_NET_F_MAC) {
		virtio_cfg_read(d, 0, m->PermanentAddress.Addr, 6);
	} else {
		/* Locally administered, unicast, stable per device slot. */
		static const uint8_t fallback[6] = { 0x02, 0x57, 0x42, 0x00, 0x00, 0x00 };
		memcpy(m->PermanentAddress.Addr, fallback, 6);
		m->PermanentAddress.Addr[5] = (uint8_t)nnics;
		log_warn("snp %s: device has no MAC address; using a local one", n->desc);
	}
	m->CurrentAddress = m->PermanentAddress;
	update_link(n);
	virtio_reset(d);

	EFI_SIMPLE_NETWORK_PROTOCOL *p = &n->snp;
	p->Revision = EFI_SIMPLE_NETWORK_PROTOCOL_REVISION;
	p->Start = snp_start;
	p->Stop = snp_stop;
	p->Initialize = snp_initialize;
	p->Reset = snp_reset;
	p->Shutdown = snp_shutdown;
	p->ReceiveFilters = snp_receive_filters;
	p->StationAddress = snp_station_address;
	p->Statistics = snp_statistics;
	p->MCastIpToMac = snp_mcast_ip_to_mac_fn;
	p->NvData = snp_nvdata;
	p->GetStatus = snp_get_status;
	p->Transmit = snp_transmit;
	p->Receive = snp_receive;
	p->Mode = m;
	if (EFI_ERROR(efi_create_event(EVT_NOTIFY_WAIT, TPL_NOTIFY, snp_wait_notify, n,
				       &p->WaitForPacket))) {
		log_error("snp %s: cannot create the WaitForPacket event", n->desc);
		return -1;
	}
	return 0;
}

/* Give the NIC its EFI handle: the device path a loader compares with its
 * own (PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1), as OVMF's) and
 * SNP. A NIC without one still boots through our own stack. */
static void snp_publish(struct snp_nic *n)
{
	static const EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL, snp_guid = EFI_SIMPLE_NETWORK_PROTOCOL_GUID;
	struct efi_dp_builder b;

	efi_dp_init(&b, NULL, 0);
	virtio_device_path(n->vdev, &b);
	efi_dp_add_mac(&b, n->mode.CurrentAddress.Addr, n->mode.HwAddressSize, n->mode.IfType);
	n->path = efi_dp_finish(&b);
	if (!n->path || EFI_ERROR(efi_protocol_install(&n->handle, &dp_guid, n->path)) ||
	    EFI_ERROR(efi_protocol_install(&n->handle, &snp_guid, &n->snp)))
		log_warn("snp %s: no EFI handle (out of memory); EFI programs will not see it",
			 n->desc);
}

size_t snp_probe_all(void)
{
	nnics = 0;
	for (size_t i = 0; i < virtio_count(); i++) {
		struct virtio_dev *d = virtio_get(i);
		if (d->type != VIRTIO_ID_NET)
			continue;
		if (nnics == SNP_MAX) {
			log_warn("snp: more than %d NICs; %s ignored", SNP_MAX, d->name);
			continue;
		}
		struct snp_nic *n = sysmem_zalloc(sizeof(*n));
		if (!n || snp_attach(n, d)) {
			log_error("snp %s: cannot attach; NIC not used", d->name);
			sysmem_free(n);
			continue;
		}
		snp_publish(n);
		nics[nnics++] = n;
	}
	return nnics;
}

size_t snp_count(void)
{
	return nnics;
}

EFI_SIMPLE_NETWORK_PROTOCOL *snp_get(size_t i)
{
	return i < nnics ? &nics[i]->snp : NULL;
}

EFI_HANDLE snp_handle(size_t i)
{
	return i < nnics ? nics[i]->handle : NULL;
}

EFI_DEVICE_PATH *snp_device_path(size_t i)
{
	return i < nnics ? nics[i]->path : NULL;
}

const char *snp_describe(size_t i)
{
	return i < nnics ? nics[i]->desc : "?";
}

void snp_rx_csum_offload(EFI_SIMPLE_NETWORK_PROTOCOL *snp, bool on)
{
	nic_of(snp)->csum_offload = on;
	nic_of(snp)->rx_csum_valid = false;
}

bool snp_rx_csum_valid(EFI_SIMPLE_NETWORK_PROTOCOL *snp)
{
	return nic_of(snp)->rx_csum_valid;
}

void snp_shutdown_all(void)
{
	for (size_t i = 0; i < nnics; i++) {
		if (nics[i]->mode.State == EfiSimpleNetworkInitialized)
			snp_shutdown(&nics[i]->snp);
	}
}
