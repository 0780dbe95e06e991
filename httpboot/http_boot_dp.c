/* The pure half of HTTP boot's device paths (include/http_boot.h): the
 * IPv4 node EDK2's HttpBootUpdateDevicePath writes, the paths built from
 * it, and the URL read back from a Uri node a program handed over. Host
 * tested (tests/unit/test_http_boot.c). */
#include <string.h>
#include <http_boot.h>

/* HttpBootUpdateDevicePath's IPv4 node: the lease, TCP, the port. */
void http_boot_ipv4_node(struct efi_dp_ipv4 *ip, uint32_t addr, uint32_t router, uint32_t mask,
			 uint16_t port)
{
	memset(ip, 0, sizeof(*ip));
	memcpy(ip->local, &addr, 4);
	memcpy(ip->gateway, &router, 4);
	memcpy(ip->mask, &mask, 4);
	ip->remote_port = port;
	ip->protocol = 6; /* TCP */
	ip->static_ip = false;
}

/* A Uri node's URL, checked byte by byte. */
int http_boot_uri_text(const EFI_DEVICE_PATH *node, size_t len, char *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)node;

	if (len < 4 || efi_dp_node_len(node) != len)
		return -1;
	size_t n = len - 4;
	if (n && p[4 + n - 1] == '\0')
		n--; /* EDK2 stores the URL with its NUL */
	if (!n || n >= cap)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[4 + i];
		if (c < 0x21 || c > 0x7e)
			return -1;
		out[i] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

/* <nic>/IPv4[/Dns][/Uri] through the pool builder. */
EFI_DEVICE_PATH *http_boot_path(const EFI_DEVICE_PATH *nic, const struct efi_dp_ipv4 *ip,
				const uint32_t *dns, size_t ndns, const char *url)
{
	struct efi_dp_builder b;

	efi_dp_init(&b, NULL, 0);
	efi_dp_add_path(&b, nic);
	efi_dp_add_ipv4(&b, ip);
	if (ndns)
		efi_dp_add_dns4(&b, dns, ndns > 4 ? 4 : ndns);
	if (url)
		efi_dp_add_uri(&b, url, strlen(url));
	return efi_dp_finish(&b);
}
