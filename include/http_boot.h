/* The UEFI side of HTTP boot (httpboot/http_load_file.c), UEFI 2.10
 * s.24.7.3: an EFI program fetched over HTTP has the device path OVMF
 * gives it, <NIC>/IPv4(...)/Uri(<url>), and LoadFile reads URLs for
 * LoadImage with a NULL SourceBuffer.
 *
 * Two handles, both with EFI_LOAD_FILE_PROTOCOL, hang off the boot NIC
 * the way EDK2's HttpBootDxe hangs its IPv4 child:
 *   <NIC>/IPv4(lease)            LoadFile of a remaining Uri(<url>) node
 *   <NIC>/IPv4(lease)/Uri(boot)  LoadFile of its own URL (remaining: end)
 * The IPv4 node carries the lease (station address, gateway, mask), TCP
 * and the URL's port, as HttpBootUpdateDevicePath fills it. A program
 * that swaps the Uri node of its own path for another URL and calls
 * LoadImage reaches the first handle, which fetches that URL. */
#ifndef WB_HTTP_BOOT_H
#define WB_HTTP_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <efi_types.h>
#include <efi_devpath.h>

struct pxe_dhcp_result;
struct fetch_ctx;

/* Remember the boot NIC and lease (both must outlive every program) and
 * the fetch context LoadFile fetches with. */
void http_boot_init(const struct pxe_dhcp_result *dhcp, const struct fetch_ctx *fc);

/* The IPv4 node of an HTTP boot (UEFI 2.10 s.10.3.4.12): the lease's
 * station address, gateway and mask, remote port port, TCP, DHCP. Pure. */
void http_boot_ipv4_node(struct efi_dp_ipv4 *ip, uint32_t addr_be, uint32_t router_be,
			 uint32_t mask_be, uint16_t port);

/* <nic>/IPv4(ip)[/Dns(servers)][/Uri(url)] as EDK2's
 * HttpBootUpdateDevicePath builds it: the Dns node when the lease named
 * DNS servers (ndns of them, at most 4), the Uri node (no NUL, as UEFI
 * 2.10 s.10.3.4.23 sizes it) when url is given; in pool memory, NULL when
 * memory is short or nic is malformed. Pure. */
EFI_DEVICE_PATH *http_boot_path(const EFI_DEVICE_PATH *nic, const struct efi_dp_ipv4 *ip,
				const uint32_t *dns, size_t ndns, const char *url);

/* The device path for an EFI program fetched from url (an http:// URL),
 * with both handles installed or their paths brought up to date. It stays
 * the module's (LoadImage copies it). NULL when there is no boot NIC with
 * a device path, or the URL is not http://. */
EFI_DEVICE_PATH *http_boot_image_path(const char *url);

/* The URL in a Uri node of len bytes (the node included), into out (cap
 * bytes with the NUL): a trailing NUL, as EDK2 writes one, is dropped;
 * an empty URL, one with a NUL or a control byte inside, or one too long
 * is refused. 0 or -1. Pure. */
int http_boot_uri_text(const EFI_DEVICE_PATH *node, size_t len, char *out, size_t cap);

#endif
