/* EFI_SIMPLE_NETWORK_PROTOCOL over virtio-net (snp/): one instance per
 * NIC, and the only way to a NIC for the rest of the firmware and for EFI
 * programs. */
#ifndef WB_SNP_H
#define WB_SNP_H

#include <stdbool.h>
#include <stddef.h>
#include <efi_types.h>

/* Create an SNP instance for every virtio-net device (state Stopped, MAC
 * and link known). Returns how many. */
size_t snp_probe_all(void);
size_t snp_count(void);
EFI_SIMPLE_NETWORK_PROTOCOL *snp_get(size_t i);
/* The NIC's EFI handle (device path + SNP) and its device path; NULL if
 * it has none. */
EFI_HANDLE snp_handle(size_t i);
EFI_DEVICE_PATH *snp_device_path(size_t i);
/* "pci 00:02.0 (pci-modern)" and the like, for logs. */
const char *snp_describe(size_t i);

/* Shut down every started instance and reset its device (hand-off). */
void snp_shutdown_all(void);

/* snp/snp_frame.c: pure helpers, host-tested. */

/* True if mode's receive filters accept this Ethernet frame. */
bool snp_filter_accepts(const EFI_SIMPLE_NETWORK_MODE *mode, const uint8_t *frame, size_t len);

/* UEFI 2.10 s.24.1: IPv4 224/4 -> 01:00:5e + low 23 bits; IPv6 -> 33:33 +
 * low 32 bits. EFI_INVALID_PARAMETER for a non-multicast IPv4 address. */
EFI_STATUS snp_mcast_ip_to_mac(bool ipv6, const EFI_IP_ADDRESS *ip, EFI_MAC_ADDRESS *mac);

/* Validate and apply a ReceiveFilters() call to mode. */
EFI_STATUS snp_apply_filters(EFI_SIMPLE_NETWORK_MODE *mode, UINT32 enable, UINT32 disable,
			     bool reset_mcast, UINTN mcast_count, const EFI_MAC_ADDRESS *mcast);

/* Count a frame into rx or tx statistics by destination kind. */
void snp_count_frame(EFI_NETWORK_STATISTICS *st, bool rx, const uint8_t *frame, size_t len);

/* True if frame (Ethernet) carries an IPv4 fragment (RFC 791: MF set or a
 * non-zero offset). */
bool snp_frame_is_ipv4_fragment(const uint8_t *frame, size_t len);

/* Finish a checksum a virtio-net device left partial
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM, virtio 1.2 s.5.1.6.4): the ones'-complement
 * sum of frame[start..len), whose checksum field at start + offset holds
 * the pseudo-header's sum, is stored there complemented. False (frame
 * untouched) if the field is not inside the frame. */
bool snp_csum_complete(uint8_t *frame, size_t len, size_t start, size_t offset);

/* Receive checksum offload for wireboot's own stack (lwip-port/), behind
 * SNP: between snp_rx_csum_offload(snp, true) and (snp, false), Receive
 * leaves a checksum the device left partial as it is (the device vouches
 * for the frame), and snp_rx_csum_valid says, after each Receive, whether
 * the device vouched for the frame it returned (VIRTIO_NET_HDR_F_DATA_VALID
 * or NEEDS_CSUM, on a frame that is not an IPv4 fragment), so the stack may
 * skip that frame's TCP/UDP checksum. Outside that bracket, and for every
 * other caller (EFI programs), Receive returns frames whose checksums are
 * complete. Only for instances from snp_get(). */
void snp_rx_csum_offload(EFI_SIMPLE_NETWORK_PROTOCOL *snp, bool on);
bool snp_rx_csum_valid(EFI_SIMPLE_NETWORK_PROTOCOL *snp);

#endif
