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

#endif
