/* lwIP netif over EFI_SIMPLE_NETWORK_PROTOCOL: frames go out with
 * Transmit (HeaderSize 0: lwIP built the Ethernet header) and come in with
 * Receive straight into a pbuf (SNP copies from the device's buffer: the
 * one copy before the destination's). A frame whose checksum the device
 * vouched for (snp_rx_csum_valid) skips lwIP's TCP/UDP check; every other
 * frame is checked. */
#include <string.h>
#include <clock.h>
#include <efi_event.h>
#include <efi_handle.h>
#include <efi_init.h>
#include <log.h>
#include <sysmem.h>
#include <net.h>
#include <snp.h>
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#define NET_MAX 8
#define TX_BUF_SIZE 1536
#define TX_WAIT_US 200000 /* how long a full transmit queue may hold us */

static struct net_if *ifs[NET_MAX];
static size_t nifs;
static const EFI_GUID snp_guid = EFI_SIMPLE_NETWORK_PROTOCOL_GUID;

/* True if buf is one of our transmit buffers and not already free. */
static bool tx_buf_taken(const struct net_if *ni, const void *buf)
{
	bool ours = false;

	for (size_t i = 0; i < ni->ntx_all && !ours; i++)
		ours = ni->tx_all[i] == buf;
	for (size_t i = 0; i < ni->ntx_free && ours; i++)
		ours = ni->tx_free[i] != buf;
	return ours;
}

/* Take back transmit buffers SNP has finished with. GetStatus hands back
 * whatever anyone transmitted: a program that had the NIC may have left its
 * own buffers (freed memory once it exits) in SNP's queue, and ours may
 * come back twice after a resume. Only our own, once each, are taken. */
static void recycle_tx(struct net_if *ni)
{
	for (;;) {
		VOID *buf = NULL;
		UINT32 irq;
		if (EFI_ERROR(ni->snp->GetStatus(ni->snp, &irq, &buf)) || !buf)
			return;
		if (tx_buf_taken(ni, buf))
			ni->tx_free[ni->ntx_free++] = buf;
		else
			ni->tx_foreign++;
	}
}

static err_t snpif_output(struct netif *nif, struct pbuf *p)
{
	struct net_if *ni = nif->state;
	uint64_t deadline = clock_us_since_entry() + TX_WAIT_US;

	if (p->tot_len > TX_BUF_SIZE)
		return ERR_VAL;
	if (!net_hold(ni))
		return ERR_IF; /* a program has the NIC */
	if (!ni->ntx_free)
		recycle_tx(ni);
	while (!ni->ntx_free) {
		if (clock_us_since_entry() > deadline) {
			log_warn("net %s: no transmit buffer came back in %u ms; frame dropped",
				 ni->desc, TX_WAIT_US / 1000);
			return ERR_MEM;
		}
		recycle_tx(ni);
	}
	uint8_t *buf = ni->tx_free[--ni->ntx_free];
	pbuf_copy_partial(p, buf, p->tot_len, 0);
	for (;;) {
		EFI_STATUS s = ni->snp->Transmit(ni->snp, 0, p->tot_len, buf, NULL, NULL, NULL);
		if (s == EFI_SUCCESS)
			return ERR_OK;
		if (s != EFI_NOT_READY || clock_us_since_entry() > deadline) {
			ni->tx_free[ni->ntx_free++] = buf;
			log_warn("net %s: transmit failed (%s); frame dropped", ni->desc,
				 s == EFI_NOT_READY ? "queue full" : "device error");
			return ERR_IF;
		}
		/* Full queue: wait for the device rather than drop the frame. */
		ni->tx_retries++;
		recycle_tx(ni);
	}
}

static err_t snpif_init(struct netif *nif)
{
	struct net_if *ni = nif->state;
	EFI_SIMPLE_NETWORK_MODE *m = ni->snp->Mode;

	nif->name[0] = 'e';
	nif->name[1] = (char)('0' + ni->index);
	nif->hwaddr_len = 6;
	memcpy(nif->hwaddr, m->CurrentAddress.Addr, 6);
	nif->mtu = (u16_t)m->MaxPacketSize;
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	nif->output = etharp_output;
	nif->linkoutput = snpif_output;
	return ERR_OK;
}

/* Start and initialize one SNP (whatever state a program left it in) and
 * set our receive filters; 0 or -1. */
static int snp_ready(struct net_if *ni)
{
	EFI_SIMPLE_NETWORK_PROTOCOL *snp = ni->snp;
	EFI_STATUS s;

	s = snp->Mode->State == EfiSimpleNetworkStopped ? snp->Start(snp) : EFI_SUCCESS;
	if (EFI_ERROR(s)) {
		log_error("net %s: SNP Start failed (%#llx); NIC not used", ni->desc,
			  (unsigned long long)s);
		return -1;
	}
	s = snp->Mode->State == EfiSimpleNetworkStarted ? snp->Initialize(snp, 0, 0) : EFI_SUCCESS;
	if (EFI_ERROR(s)) {
		log_error("net %s: SNP Initialize failed (%#llx); NIC not used", ni->desc,
			  (unsigned long long)s);
		return -1;
	}
	s = snp->ReceiveFilters(snp, EFI_SIMPLE_NETWORK_RECEIVE_UNICAST |
					     EFI_SIMPLE_NETWORK_RECEIVE_BROADCAST,
				0, FALSE, 0, NULL);
	if (EFI_ERROR(s))
		log_warn("net %s: ReceiveFilters failed (%#llx)", ni->desc, (unsigned long long)s);
	return 0;
}

/* The release hook of our BY_DRIVER open (include/efi_handle.h): a program
 * wants the NIC. Take back what SNP has finished sending, stop touching
 * it, close. Never waits. */
static EFI_STATUS net_release(EFI_HANDLE controller, const EFI_GUID *proto, void *ctx)
{
	struct net_if *ni = ctx;

	recycle_tx(ni);
	ni->released = true;
	ni->takeovers++;
	efi_protocol_close(controller, proto, efi_firmware_handle(), controller);
	log_info("net%zu: an EFI program took the NIC; wireboot's stack pauses", ni->index);
	return EFI_SUCCESS;
}

/* Open SNP BY_DRIVER for the firmware with our release hook. */
static bool open_snp(struct net_if *ni)
{
	void *iface;
	EFI_STATUS s;

	if (!ni->handle)
		return true; /* no EFI handle: nobody else can have it */
	s = efi_protocol_open_driver(ni->handle, &snp_guid, efi_firmware_handle(), &iface,
				     net_release, ni);
	return s == EFI_SUCCESS || s == EFI_ALREADY_STARTED;
}

bool net_hold(struct net_if *ni)
{
	if (!ni->released)
		return true;
	if (!open_snp(ni))
		return false;
	ni->released = false;
	if (snp_ready(ni)) {
		/* Keep the open: the next hold will not retry a dead NIC forever. */
		log_warn("net%zu: the NIC came back unusable", ni->index);
		return false;
	}
	/* A program may have reset SNP or kept our buffers from GetStatus;
	 * SNP copies every frame it transmits, so they are all free now. What
	 * is still queued in SNP (the program's buffers among them) goes. */
	uint64_t foreign = ni->tx_foreign;
	recycle_tx(ni);
	if (ni->tx_foreign != foreign)
		log_debug("net%zu: dropped %llu transmit buffers the program left in SNP", ni->index,
			  (unsigned long long)(ni->tx_foreign - foreign));
	for (size_t i = 0; i < ni->ntx_all; i++)
		ni->tx_free[i] = ni->tx_all[i];
	ni->ntx_free = ni->ntx_all;
	log_info("net%zu: the EFI program let go of the NIC; wireboot's stack resumes", ni->index);
	return true;
}

/* Start and initialize one SNP and put a netif on it; 0 or -1. */
static int bring_up(struct net_if *ni)
{
	EFI_SIMPLE_NETWORK_PROTOCOL *snp = ni->snp;

	if (!open_snp(ni)) {
		log_error("net %s: SNP is held by someone else; NIC not used", ni->desc);
		return -1;
	}
	if (snp_ready(ni))
		return -1;
	for (size_t i = 0; i < NET_TX_BUFS; i++) {
		uint8_t *b = sysmem_zalloc(TX_BUF_SIZE);
		if (!b)
			break;
		ni->tx_free[ni->ntx_free++] = b;
		ni->tx_all[ni->ntx_all++] = b;
	}
	if (!ni->ntx_free)
		return -1;
	if (!netif_add(&ni->nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, ni, snpif_init,
		       ethernet_input)) {
		log_error("net %s: lwIP refused the interface", ni->desc);
		return -1;
	}
	netif_set_up(&ni->nif);
	if (snp->Mode->MediaPresent || !snp->Mode->MediaPresentSupported)
		netif_set_link_up(&ni->nif);
	return 0;
}

size_t net_init(void)
{
	lwip_init();
	nifs = 0;
	for (size_t i = 0; i < snp_count() && nifs < NET_MAX; i++) {
		struct net_if *ni = sysmem_zalloc(sizeof(*ni));
		if (!ni)
			break;
		ni->snp = snp_get(i);
		ni->snp_index = i;
		ni->handle = snp_handle(i);
		ni->index = nifs;
		ni->desc = snp_describe(i);
		if (bring_up(ni)) {
			if (ni->handle)
				efi_protocol_close(ni->handle, &snp_guid, efi_firmware_handle(),
						   ni->handle);
			sysmem_free(ni);
			continue;
		}
		const uint8_t *mac = ni->snp->Mode->CurrentAddress.Addr;
		log_info("net%zu: %s mac %02x:%02x:%02x:%02x:%02x:%02x link %s", ni->index, ni->desc,
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
			 !ni->snp->Mode->MediaPresentSupported ? "unknown (assumed up)"
			 : ni->snp->Mode->MediaPresent	     ? "up"
							     : "down");
		ifs[nifs++] = ni;
	}
	return nifs;
}

bool net_link_up(struct net_if *ni)
{
	if (!net_hold(ni))
		return netif_is_link_up(&ni->nif);
	recycle_tx(ni); /* GetStatus: SNP reads the device's link state */
	bool up = ni->snp->Mode->MediaPresent || !ni->snp->Mode->MediaPresentSupported;
	if (up && !netif_is_link_up(&ni->nif))
		netif_set_link_up(&ni->nif);
	else if (!up && netif_is_link_up(&ni->nif))
		netif_set_link_down(&ni->nif);
	return up;
}

size_t net_count(void)
{
	return nifs;
}

struct net_if *net_get(size_t i)
{
	return i < nifs ? ifs[i] : NULL;
}

/* Hand one received frame to lwIP; a frame the device vouched for skips
 * the TCP and UDP checksum checks, for this frame only (lwIP checks
 * synchronously, inside input). */
static void input_one(struct net_if *ni, struct pbuf *p, bool csum_valid)
{
	if (csum_valid)
		NETIF_SET_CHECKSUM_CTRL(&ni->nif, NETIF_CHECKSUM_ENABLE_ALL &
							  ~(NETIF_CHECKSUM_CHECK_TCP |
							    NETIF_CHECKSUM_CHECK_UDP));
	if (ni->nif.input(p, &ni->nif) != ERR_OK)
		pbuf_free(p);
	if (csum_valid)
		NETIF_SET_CHECKSUM_CTRL(&ni->nif, NETIF_CHECKSUM_ENABLE_ALL);
}

/* Receive up to a ring's worth of frames into pbufs and hand them on. */
static void receive_all(struct net_if *ni)
{
	for (int budget = 0; budget < 256; budget++) {
		struct pbuf *p = pbuf_alloc(PBUF_RAW, PBUF_POOL_BUFSIZE, PBUF_POOL);
		if (!p)
			return;
		UINTN len = p->len;
		EFI_STATUS s = ni->snp->Receive(ni->snp, NULL, &len, p->payload, NULL, NULL, NULL);
		if (s == EFI_BUFFER_TOO_SMALL) {
			pbuf_free(p);
			p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
			if (!p)
				return;
			s = ni->snp->Receive(ni->snp, NULL, &len, p->payload, NULL, NULL, NULL);
		}
		if (s != EFI_SUCCESS) {
			pbuf_free(p);
			return;
		}
		pbuf_realloc(p, (u16_t)len);
		input_one(ni, p, snp_rx_csum_valid(ni->snp));
	}
}

/* Hand every waiting frame of one NIC to lwIP. WaitForPacket says whether
 * there is one, as it would for an EFI program. */
static void poll_one(struct net_if *ni)
{
	if (!net_hold(ni))
		return;
	if (efi_check_event(ni->snp->WaitForPacket) != EFI_SUCCESS)
		return;
	snp_rx_csum_offload(ni->snp, true);
	receive_all(ni);
	snp_rx_csum_offload(ni->snp, false);
}

void net_poll(void)
{
	for (size_t i = 0; i < nifs; i++)
		poll_one(ifs[i]);
	sys_check_timeouts();
}

void net_shutdown(void)
{
	for (size_t i = 0; i < nifs; i++) {
		netif_remove(&ifs[i]->nif);
		if (ifs[i]->released)
			continue; /* the program that has it hands it over as it likes */
		ifs[i]->snp->Shutdown(ifs[i]->snp);
		ifs[i]->snp->Stop(ifs[i]->snp);
	}
	nifs = 0;
}
