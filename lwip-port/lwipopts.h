/* lwIP configuration for wireboot: NO_SYS (polled, single-threaded, raw
 * API), memory from the firmware's pool, sized for fast boot transfers. */
#ifndef WB_LWIPOPTS_H
#define WB_LWIPOPTS_H

#include <stddef.h>

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0 /* no interrupts, no threads: nothing to protect */
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_TIMERS 1

/* Memory: heap and pools come from the firmware's pool allocator, so
 * lwIP's memory shows in the one memory map and nothing big sits in .bss. */
void *lwip_port_malloc(size_t size);
void *lwip_port_calloc(size_t n, size_t size);
void lwip_port_free(void *p);
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define mem_clib_malloc lwip_port_malloc
#define mem_clib_calloc lwip_port_calloc
#define mem_clib_free lwip_port_free
#define MEM_ALIGNMENT 16

/* Packet buffers: with MEMP_MEM_MALLOC the "pool" is a limit, not
 * preallocated memory. Enough for a 1 MiB TCP window or a burst of
 * fragmented 64 KiB TFTP blocks in flight. */
#define PBUF_POOL_SIZE 2048
#define PBUF_POOL_BUFSIZE 1600
#define MEMP_NUM_PBUF 256
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_TCP_PCB 16
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_TCP_SEG 2048
#define MEMP_NUM_REASSDATA 64
#define MEMP_NUM_FRAG_PBUF 64
#define MEMP_NUM_ARP_QUEUE 64
#define MEMP_NUM_SYS_TIMEOUT 16

/* Protocols. DHCP is wireboot's own (pxe/dhcp_client.c): lwIP 2.1.3's
 * client takes the first offer and cannot tell a proxyDHCP offer from a
 * real one, adds no PXE options, and waits a second on an ARP conflict
 * probe after every ACK (DHCP_DOES_ARP_CHECK). */
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ICMP 1 /* answers ping */
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 1
#define LWIP_ACD 0

/* Until our DHCP client configured an address, let DHCP replies to port 68
 * in (lwIP does this itself only when its own DHCP is on). */
#define LWIP_IP_ACCEPT_UDP_PORT(port) ((port) == PP_NTOHS(68))

/* IP reassembly: TFTP blocks up to 64 KiB arrive as ~45 fragments each, and
 * windowsize keeps several in flight. */
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 1024
#define IP_REASS_MAXAGE 3

/* ARP: answer at once, no gratuitous delays. */
#define ARP_TABLE_SIZE 16
#define ARP_QUEUEING 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0

/* TCP for HTTP boot (httpboot/http_net.c), tuned for one bulk receive:
 * - a 1 MiB window, announced with window scaling (RFC 7323 s.2; 2^5 units
 *   so 65535 << 5 = 2 MiB is the ceiling): a fast sender keeps ~700
 *   segments in flight. A peer that does not scale (QEMU's user network)
 *   gets 64 KiB and still works, slower.
 * - the window is backed: pbufs and segments come from the firmware's pool
 *   (MEMP_MEM_MALLOC above), so the *_POOL_SIZE / MEMP_NUM_* numbers are
 *   not limits; a full window in flight, in order or not, is ~1.2 MiB of
 *   pool. An announced window the receiver could not hold would drop
 *   segments and collapse the sender's window.
 * - out-of-order segments are queued (up to a full window of them) and
 *   SACKed (RFC 2018), so a loss costs one retransmission, not a window.
 * - MSS 1460: Ethernet's 1500 less the IPv4 and TCP headers.
 * - ACKs: lwIP acknowledges every second segment; the HTTP client
 *   stretches that to one per batch a poll reads (http_net.c). The window
 *   reopens as soon as the client has copied a segment out (tcp_recved),
 *   so the only copy is pbuf -> the file's pages. */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 5
#define TCP_WND (1024 * 1024)
#define TCP_SND_BUF (64 * 1024)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF) / TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_PBUFS 1024
#define LWIP_TCP_SACK_OUT 1
#define LWIP_TCP_MAX_SACK_NUM 4
#define TCP_TMR_INTERVAL 100
/* SYNs: the HTTP client backs them off itself from 500 ms (http_net.c),
 * so 7 fit in its 10 s connect bound; lwIP's default of 6 retransmissions
 * would abort the 7th with ERR_ABRT before that bound says "no answer". */
#define TCP_SYNMAXRTX 12

/* Checksums in software, but per netif (lwip-port/netif_snp.c): a
 * received frame whose checksum the virtio-net device vouched for
 * (VIRTIO_NET_F_GUEST_CSUM: DATA_VALID or NEEDS_CSUM, snp/snp_virtio.c)
 * skips lwIP's TCP/UDP check for that frame only; IP header checksums and
 * every other frame are checked, every checksum we send is computed. One
 * contiguous pbuf per transmitted frame, so the netif copies once. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
/* The sum itself: lwip-port/inet_sum.c, 32 bytes a step for TCG. */
#include <stdint.h>
uint16_t wb_inet_sum(const void *data, int len);
#define LWIP_CHKSUM wb_inet_sum
#define LWIP_NETIF_TX_SINGLE_PBUF 1
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_SINGLE_NETIF 0

#define LWIP_STATS 0
#define LWIP_PROVIDE_ERRNO 1
#define LWIP_DEBUG 0

#endif
