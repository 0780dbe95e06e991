/* EFI_PXE_BASE_CODE_PROTOCOL and EFI_LOAD_FILE_PROTOCOL on the boot NIC's
 * handle (pxe/pxe_bc*.c, pxe/load_file.c), UEFI 2.10 s.24.3 and s.13.1.
 *
 * After DHCP the boot manager installs both on the handle of the NIC that
 * won the lease, with Mode filled from that exchange as OVMF fills it
 * (Started, the DHCP discover and ACK, a proxyDHCP offer, the boot
 * server's reply, station address, mask, the router, the ARP cache). A
 * chainloaded loader (shim, GRUB) reads its boot server and path there
 * and fetches its next stage with Mtftp, over our lwIP stack. Calls are
 * EFIAPI entry points that check every argument and answer with the
 * spec's status codes; every wait is bounded.
 *
 * The pure parts (pxe/pxe_bc_mode.c) fill Mode and decide what a UdpRead
 * accepts; they build on the host for tests/unit/test_pxe_bc.c. */
#ifndef WB_PXE_BC_H
#define WB_PXE_BC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <efi_types.h>

#define PXE_BC_TTL	      64   /* Mode->TTL after Start, as EDK2 */
#define PXE_BC_UDP_TIMEOUT_MS 3000 /* UdpRead with nothing to read: OVMF's 3 s */
#define PXE_BC_ARP_TIMEOUT_MS 2000 /* Arp, and UdpWrite's next-hop lookup */
#define PXE_BC_DISCOVER_MS    4000 /* Discover: requests at 0, 1 and 2 s */
#define PXE_BC_RX_QUEUE	      16   /* datagrams held for UdpRead */
#define PXE_BC_PORTS	      8	   /* UDP ports UdpWrite/UdpRead listen on */

struct pxe_dhcp_result;
struct fetch_ctx;

/* Install PXE Base Code and LoadFile on the handle of dhcp's NIC, Mode
 * filled from its exchange; fc says where and how the boot file and
 * Mtftp transfers go (both must outlive the program). 0, or -1 after one
 * log line. A second call refreshes Mode. */
int pxe_bc_install(const struct pxe_dhcp_result *dhcp, const struct fetch_ctx *fc);

/* The device path of the NIC PXE Base Code is on (the boot NIC), or NULL
 * before pxe_bc_install. */
EFI_DEVICE_PATH *pxe_bc_device_path(void);

/* ---- pxe/pxe_bc_mode.c: pure ---- */

/* The DHCP packets of one exchange, DHCP payloads (BOOTP header on). */
struct pxe_bc_packets {
	const uint8_t *discover, *ack, *proxy_offer, *pxe_reply;
	size_t discover_len, ack_len, proxy_offer_len, pxe_reply_len;
	uint32_t station, mask, router; /* network order; 0: none */
	/* The boot server, file and TFTP server name when they came from a
	 * proxyDHCP (its offer or its boot server's reply), the ACK naming
	 * none; boot_server 0: the ACK is copied as it came. */
	uint32_t boot_server;
	const char *boot_file, *boot_sname;
};

/* Mode as OVMF leaves it after its own DHCP: Started, AutoArp, TTL 64,
 * the packets that are there (each cut to EFI_PXE_BASE_CODE_PACKET's
 * 1472 bytes) with their Valid/Received flags, StationIp, SubnetMask, the
 * IP filter on the station address, and a default route through the
 * router. The ARP cache is left empty (the caller fills it).
 * One difference from OVMF: with boot_server set, DhcpAck's siaddr, sname
 * and file fields name the proxy's boot server and file (sname and file
 * only where the ACK does not overload them with options and the name
 * fits), as iPXE's DHCPACK does; loaders that read only DhcpAck (GRUB
 * 2.06) then find their server under a proxyDHCP too. */
void pxe_bc_mode_fill(EFI_PXE_BASE_CODE_MODE *m, const struct pxe_bc_packets *p);

/* Mode after Stop: every flag and packet cleared, Ipv6 fields kept. */
void pxe_bc_mode_clear(EFI_PXE_BASE_CODE_MODE *m);

/* A received UDP datagram's addresses (IPv4, network order; ports host). */
struct pxe_bc_dgram_addr {
	uint32_t src, dst;
	uint16_t sport, dport;
};

/* Does UdpRead(OpFlags, DestIp, DestPort, SrcIp, SrcPort) take datagram a?
 * (UEFI 2.10 s.24.3 UdpRead: an ANY_* flag matches any value; with
 * USE_FILTER the destination address goes through filter instead of
 * DestIp.) station and mask say what "our address" and the subnet
 * broadcast are. NULL pointers match only under their ANY_* flag. */
bool pxe_bc_udp_accepts(UINT16 op_flags, const EFI_IP_ADDRESS *dest_ip, const UINT16 *dest_port,
			const EFI_IP_ADDRESS *src_ip, const UINT16 *src_port,
			const EFI_PXE_BASE_CODE_IP_FILTER *filter, uint32_t station, uint32_t mask,
			const struct pxe_bc_dgram_addr *a);

/* Argument checks of UdpRead and UdpWrite as the spec lists them:
 * EFI_SUCCESS or EFI_INVALID_PARAMETER. */
EFI_STATUS pxe_bc_udp_read_args(UINT16 op_flags, const EFI_IP_ADDRESS *dest_ip,
				const UINT16 *dest_port, const EFI_IP_ADDRESS *src_ip,
				const UINT16 *src_port, const UINTN *header_size,
				const void *header, const UINTN *buffer_size, const void *buffer);
EFI_STATUS pxe_bc_udp_write_args(UINT16 op_flags, const EFI_IP_ADDRESS *dest_ip,
				 const UINT16 *dest_port, const EFI_IP_ADDRESS *gateway,
				 const UINT16 *src_port, const UINTN *header_size,
				 const void *header, const UINTN *buffer_size, const void *buffer,
				 uint32_t station, uint32_t mask);

/* A usable host address: not 0, not 255.255.255.255, not 224/4 or above,
 * and (with mask non-zero) not the subnet's network or broadcast address. */
bool pxe_bc_ip_is_unicast(uint32_t ip_be, uint32_t mask_be);

/* A contiguous netmask (ones then zeros), not 0. */
bool pxe_bc_mask_valid(uint32_t mask_be);

/* Mtftp's argument checks (UEFI 2.10 s.24.3 Mtftp): EFI_SUCCESS,
 * EFI_INVALID_PARAMETER, or EFI_UNSUPPORTED for operations we do not do
 * (write, directories, multicast). */
EFI_STATUS pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_TFTP_OPCODE op, const void *buffer,
			     const UINT64 *buffer_size, const UINTN *block_size,
			     const EFI_IP_ADDRESS *server, const UINT8 *filename,
			     bool dont_use_buffer);

/* The EFI status of a failed TFTP transfer: a server ERROR is
 * EFI_TFTP_ERROR, a file larger than the buffer EFI_BUFFER_TOO_SMALL, no
 * answer EFI_TIMEOUT, anything else EFI_DEVICE_ERROR. */
EFI_STATUS pxe_bc_tftp_status(int server_error, bool too_small, bool timed_out);

/* ---- shared by pxe/pxe_bc.c, pxe_bc_udp.c, pxe_bc_mtftp.c ---- */

struct net_if;

struct pxe_bc {
	EFI_PXE_BASE_CODE_PROTOCOL proto;
	EFI_PXE_BASE_CODE_MODE mode;
	EFI_HANDLE handle;
	struct net_if *ni;
	const struct pxe_dhcp_result *dhcp;
	const struct fetch_ctx *fc;
	bool installed;
};

extern struct pxe_bc pxe_bc_state;

/* This is ours and Started: EFI_SUCCESS, else the status to return. The
 * NIC is ours again too (net_hold), else EFI_DEVICE_ERROR. */
EFI_STATUS pxe_bc_enter(EFI_PXE_BASE_CODE_PROTOCOL *This, bool need_nic);

/* Poll the network once and give a MakeCallbacks callback its idle call;
 * true if the callback asked to abort. */
bool pxe_bc_poll(EFI_PXE_BASE_CODE_FUNCTION fn);

/* Refresh Mode's ARP cache from lwIP's table. */
void pxe_bc_arp_to_mode(void);

/* Resolve next hop of ip (the router when off-subnet) within
 * PXE_BC_ARP_TIMEOUT_MS: EFI_SUCCESS (mac filled when not NULL),
 * EFI_TIMEOUT, or EFI_ABORTED by a callback. */
EFI_STATUS pxe_bc_resolve(uint32_t ip_be, EFI_MAC_ADDRESS *mac);

EFI_STATUS EFIAPI pxe_bc_mtftp(EFI_PXE_BASE_CODE_PROTOCOL *This,
			       EFI_PXE_BASE_CODE_TFTP_OPCODE Operation, VOID *BufferPtr,
			       BOOLEAN Overwrite, UINT64 *BufferSize, UINTN *BlockSize,
			       EFI_IP_ADDRESS *ServerIp, UINT8 *Filename,
			       EFI_PXE_BASE_CODE_MTFTP_INFO *Info, BOOLEAN DontUseBuffer);
EFI_STATUS EFIAPI pxe_bc_udp_write(EFI_PXE_BASE_CODE_PROTOCOL *This, UINT16 OpFlags,
				   EFI_IP_ADDRESS *DestIp, UINT16 *DestPort,
				   EFI_IP_ADDRESS *GatewayIp, EFI_IP_ADDRESS *SrcIp,
				   UINT16 *SrcPort, UINTN *HeaderSize, VOID *HeaderPtr,
				   UINTN *BufferSize, VOID *BufferPtr);
EFI_STATUS EFIAPI pxe_bc_udp_read(EFI_PXE_BASE_CODE_PROTOCOL *This, UINT16 OpFlags,
				  EFI_IP_ADDRESS *DestIp, UINT16 *DestPort, EFI_IP_ADDRESS *SrcIp,
				  UINT16 *SrcPort, UINTN *HeaderSize, VOID *HeaderPtr,
				  UINTN *BufferSize, VOID *BufferPtr);
/* Close every UDP port UdpWrite/UdpRead opened and drop queued datagrams
 * (Stop). */
void pxe_bc_udp_reset(void);

/* pxe/load_file.c: LoadFile on the same handle. */
EFI_LOAD_FILE_INTERFACE *pxe_load_file_protocol(void);

#endif
