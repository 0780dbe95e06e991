/* The Simple Network Protocol on the NIC handle (UEFI 2.10 s.24.1): send a
 * real frame and receive the answer. On QEMU's user network the gateway
 * 10.0.2.2 answers an ARP request for it from 10.0.2.15. */
#include "efitest.h"

static EFI_GUID t_snp_guid = EFI_SIMPLE_NETWORK_PROTOCOL_GUID;
static const UINT8 t_our_ip[4] = {10, 0, 2, 15}, t_gw_ip[4] = {10, 0, 2, 2};

#define T_ETH_ARP 0x0806
#define T_FRAME	  60 /* minimum Ethernet frame without FCS */

/* An ARP request (RFC 826) for the gateway, after a 14-byte header SNP fills. */
static void t_arp_request(UINT8 *f, const EFI_MAC_ADDRESS *mac)
{
	static const UINT8 head[8] = {0, 1, 8, 0, 6, 4, 0, 1}; /* Ethernet, IPv4, request */

	SetMem(f, T_FRAME, 0);
	CopyMem(f + 14, (void *)head, 8);
	CopyMem(f + 22, (void *)mac->Addr, 6);
	CopyMem(f + 28, (void *)t_our_ip, 4);
	CopyMem(f + 38, (void *)t_gw_ip, 4);
}

/* True when f (len bytes, with its Ethernet header) is the gateway's ARP
 * reply to us. */
static BOOLEAN t_is_arp_reply(const UINT8 *f, UINTN len, const EFI_MAC_ADDRESS *mac)
{
	return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 2 &&
	       CompareMem((void *)(f + 28), (void *)t_gw_ip, 4) == 0 &&
	       CompareMem((void *)(f + 32), (void *)mac->Addr, 6) == 0 &&
	       CompareMem((void *)(f + 38), (void *)t_our_ip, 4) == 0;
}

/* Wait (bounded) until SNP hands back the transmit buffer tx. */
static EFI_STATUS t_tx_recycle(EFI_SIMPLE_NETWORK *snp, void *tx)
{
	for (UINTN i = 0; i < 1000; i++) {
		void *done = NULL;
		UINT32 irq = 0;
		EFI_STATUS st = snp->GetStatus(snp, &irq, &done);

		if (EFI_ERROR(st))
			return st;
		if (done == tx)
			return EFI_SUCCESS;
		BS->Stall(1000);
	}
	return EFI_TIMEOUT;
}

/* Connect every PCI device's drivers (as the Shell's "connect -r" does):
 * a firmware that connects only its boot device (OVMF booting from disk)
 * has no SNP handle before. Returns how many handles were connected. */
static UINTN t_connect_pci(void)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0, done = 0;

	if (BS->LocateHandleBuffer(ByProtocol, &gEfiPciIoProtocolGuid, NULL, &n, &hs) !=
	    EFI_SUCCESS)
		return 0;
	for (UINTN i = 0; i < n; i++)
		done += BS->ConnectController(hs[i], NULL, NULL, TRUE) == EFI_SUCCESS;
	BS->FreePool(hs);
	return done;
}

#define T_NAME "snp"
/* LocateHandleBuffer by the SNP GUID, Start/Initialize as the state needs,
 * Transmit an ARP request with SNP filling the media header, recycle the
 * buffer through GetStatus, Receive the reply within 3 s (resent every
 * 500 ms), check the header fields Receive reports. Runs at TPL_CALLBACK so
 * no other SNP user in the firmware (OVMF's MNP poll timer) takes the
 * reply. */
void check_snp(void)
{
	static UINT8 tx[T_FRAME], rx[2048];
	EFI_HANDLE *handles = NULL;
	EFI_SIMPLE_NETWORK *snp;
	EFI_MAC_ADDRESS src, dst, gw_mac;
	UINT16 proto = T_ETH_ARP;
	UINTN n = 0, frames = 0, sent = 0, waited = 0, connected = 0;
	UINT32 state0,
	    need = EFI_SIMPLE_NETWORK_RECEIVE_UNICAST | EFI_SIMPLE_NETWORK_RECEIVE_BROADCAST;
	EFI_TPL old = 0;
	BOOLEAN raised = FALSE, got = FALSE, started = FALSE, inited = FALSE;
	EFI_STATUS st;

	st = BS->LocateHandleBuffer(ByProtocol, &t_snp_guid, NULL, &n, &handles);
	if (st == EFI_NOT_FOUND) {
		connected = t_connect_pci();
		st = BS->LocateHandleBuffer(ByProtocol, &t_snp_guid, NULL, &n, &handles);
	}
	T_REQUIRE(st == EFI_SUCCESS,
		  L"LocateHandleBuffer(SNP) returned %r (%ld PCI devices "
		  L"connected first)",
		  st, connected);
	T_REQUIRE(n >= 1, L"no SNP handle");
	T_OK(BS->HandleProtocol(handles[0], &t_snp_guid, (void **)&snp), "HandleProtocol(SNP)");
	EFI_SIMPLE_NETWORK_MODE *m = snp->Mode;
	T_REQUIRE(m && m->HwAddressSize == 6 && m->MediaHeaderSize == 14 &&
		      m->MaxPacketSize >= 1500 && m->IfType == 1,
		  L"SNP mode: hw %d header %d max %d type %d", m ? m->HwAddressSize : 0,
		  m ? m->MediaHeaderSize : 0, m ? m->MaxPacketSize : 0, m ? m->IfType : 0);
	state0 = m->State;
	if (m->State == EfiSimpleNetworkStopped) {
		T_OK(snp->Start(snp), "SNP Start");
		started = TRUE;
	}
	if (m->State == EfiSimpleNetworkStarted) {
		T_OK(snp->Initialize(snp, 0, 0), "SNP Initialize");
		inited = TRUE;
	}
	T_REQUIRE(m->State == EfiSimpleNetworkInitialized, L"SNP state %d after Start/Initialize",
		  m->State);
	if ((m->ReceiveFilterSetting & need) != need)
		T_OK(snp->ReceiveFilters(snp, need, 0, FALSE, 0, NULL),
		     "ReceiveFilters(unicast|broadcast)");
	T_REQUIRE(!m->MediaPresentSupported || m->MediaPresent, L"no link");

	old = BS->RaiseTPL(TPL_CALLBACK);
	raised = TRUE;
	/* Drop whatever waits in the receive queue. */
	for (UINTN i = 0; i < 256; i++) {
		UINTN len = sizeof(rx);

		if (snp->Receive(snp, NULL, &len, rx, NULL, NULL, NULL) != EFI_SUCCESS)
			break;
	}
	for (waited = 0; waited < 3000 && !got; waited++) {
		if (waited % 500 == 0) {
			t_arp_request(tx, &m->CurrentAddress);
			st = snp->Transmit(snp, 14, T_FRAME, tx, &m->CurrentAddress,
					   &m->BroadcastAddress, &proto);
			T_REQUIRE(st == EFI_SUCCESS, L"Transmit returned %r", st);
			T_OK(t_tx_recycle(snp, tx), "GetStatus until the buffer is recycled");
			sent++;
		}
		for (;;) {
			UINTN hdr = 0, len = sizeof(rx);
			UINT16 p = 0;

			st = snp->Receive(snp, &hdr, &len, rx, &src, &dst, &p);
			if (st == EFI_NOT_READY)
				break;
			T_REQUIRE(st == EFI_SUCCESS, L"Receive returned %r", st);
			frames++;
			if (!t_is_arp_reply(rx, len, &m->CurrentAddress))
				continue;
			T_REQUIRE(hdr == 14 && p == T_ETH_ARP &&
				      CompareMem(&dst, &m->CurrentAddress, 6) == 0 &&
				      CompareMem(&src, rx + 22, 6) == 0,
				  L"Receive reported header %ld, protocol 0x%x, or addresses that "
				  L"differ from the frame",
				  hdr, p);
			CopyMem(&gw_mac, rx + 22, 6);
			got = TRUE;
			break;
		}
		if (!got)
			BS->Stall(1000);
	}
	BS->RestoreTPL(old);
	raised = FALSE;
	T_REQUIRE(got, L"no ARP reply from 10.0.2.2 in 3 s (%ld requests sent, %ld other frames)",
		  sent, frames);
	t_ok(T_NAME,
	     L"%ld SNP handle(s)%a, state %d, MAC %02x:%02x:%02x:%02x:%02x:%02x; ARP reply "
	     L"from 10.0.2.2 at %02x:%02x:%02x:%02x:%02x:%02x after %ld request(s), ~%ld ms",
	     n, connected ? " after ConnectController" : "", state0, m->CurrentAddress.Addr[0],
	     m->CurrentAddress.Addr[1], m->CurrentAddress.Addr[2], m->CurrentAddress.Addr[3],
	     m->CurrentAddress.Addr[4], m->CurrentAddress.Addr[5], gw_mac.Addr[0], gw_mac.Addr[1],
	     gw_mac.Addr[2], gw_mac.Addr[3], gw_mac.Addr[4], gw_mac.Addr[5], sent, waited);
out:
	if (raised)
		BS->RestoreTPL(old);
	/* Leave the NIC as we found it. */
	if (inited)
		snp->Shutdown(snp);
	if (started)
		snp->Stop(snp);
	if (handles)
		BS->FreePool(handles);
}
#undef T_NAME
