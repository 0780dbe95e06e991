/* HTTP boot's device paths (httpboot/http_boot_dp.c): the IPv4 and Uri
 * nodes as OVMF writes them and as text (UEFI 2.10 s.10.3.4.12,
 * s.10.3.4.23, s.10.6), and the URL read back from a Uri node that a
 * program handed to LoadFile, hostile ones included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <http_boot.h>

void *sysmem_zalloc(size_t size);
void sysmem_free(void *p);
void *sysmem_zalloc(size_t size)
{
	return calloc(1, size);
}
void sysmem_free(void *p)
{
	free(p);
}

#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1) into pool memory. */
static EFI_DEVICE_PATH *nic_path(void)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	struct efi_dp_builder b;

	efi_dp_init(&b, NULL, 0);
	efi_dp_add_pci_root(&b, false, 0);
	efi_dp_add_pci(&b, 2, 0);
	efi_dp_add_mac(&b, mac, 6, 1);
	EFI_DEVICE_PATH *dp = efi_dp_finish(&b);
	assert_non_null(dp);
	return dp;
}

/* Text of a whole path, as ASCII. */
static const char *text(const EFI_DEVICE_PATH *dp)
{
	static char out[1024];
	size_t size = efi_devpath_size(dp, 4096), i = 0;
	CHAR16 *t = efi_devpath_text(dp, size);

	assert_non_null(t);
	for (; t[i] && i < sizeof(out) - 1; i++)
		out[i] = t[i] < 0x80 ? (char)t[i] : '?';
	out[i] = 0;
	free(t);
	return out;
}

static void test_paths_are_ovmfs(void **state)
{
	struct efi_dp_ipv4 ip;
	EFI_DEVICE_PATH *nic = nic_path();

	http_boot_ipv4_node(&ip, IP(10, 0, 2, 15), IP(10, 0, 2, 2), IP(255, 255, 255, 0), 8080);
	EFI_DEVICE_PATH *a = http_boot_path(nic, &ip, NULL, 0, NULL);
	EFI_DEVICE_PATH *b = http_boot_path(nic, &ip, NULL, 0, "http://10.0.2.2:8080/efi/boot.efi");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(text(a), "PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1)/"
				     "IPv4(0.0.0.0,TCP,DHCP,10.0.2.15,10.0.2.2,255.255.255.0)");
	assert_string_equal(text(b), "PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1)/"
				     "IPv4(0.0.0.0,TCP,DHCP,10.0.2.15,10.0.2.2,255.255.255.0)/"
				     "Uri(http://10.0.2.2:8080/efi/boot.efi)");
	/* The IPv4 node's bytes: remote port 8080, TCP, DHCP (not static). */
	const uint8_t *n = (const uint8_t *)b + efi_devpath_instance_size(nic);
	assert_int_equal(n[0], MESSAGING_DEVICE_PATH);
	assert_int_equal(n[1], MSG_IPv4_DP);
	assert_int_equal(n[2], EFI_DP_LEN_IPV4);
	assert_int_equal(n[14] | n[15] << 8, 8080);
	assert_int_equal(n[16] | n[17] << 8, 6);
	assert_int_equal(n[18], 0);
	/* The IPv4 handle's path is a prefix of the image's: LocateDevicePath
	 * on a program's Uri path reaches its LoadFile. */
	assert_int_equal(efi_devpath_prefix(a, b), (long)efi_devpath_instance_size(a));
	/* The Uri node holds the URL without a NUL. */
	const uint8_t *u = n + EFI_DP_LEN_IPV4;
	assert_int_equal(u[1], MSG_URI_DP);
	assert_int_equal(u[2] | u[3] << 8, 4 + strlen("http://10.0.2.2:8080/efi/boot.efi"));
	free(a);
	free(b);
	free(nic);
}

/* With DNS servers from the lease, a Dns node between IPv4 and Uri, as
 * EDK2's HttpBootUpdateDevicePath puts it: IsIPv6 0, 16 bytes a server. */
static void test_dns_node_between_ipv4_and_uri(void **state)
{
	struct efi_dp_ipv4 ip;
	EFI_DEVICE_PATH *nic = nic_path();
	const uint32_t dns[2] = { IP(10, 0, 2, 3), IP(192, 168, 1, 53) };

	http_boot_ipv4_node(&ip, IP(10, 0, 2, 15), IP(10, 0, 2, 2), IP(255, 255, 255, 0), 80);
	EFI_DEVICE_PATH *a = http_boot_path(nic, &ip, dns, 1, NULL);
	EFI_DEVICE_PATH *b = http_boot_path(nic, &ip, dns, 2, "http://boot.example/x.efi");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(text(a), "PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1)/"
				     "IPv4(0.0.0.0,TCP,DHCP,10.0.2.15,10.0.2.2,255.255.255.0)/"
				     "Dns(10.0.2.3)");
	assert_string_equal(text(b), "PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1)/"
				     "IPv4(0.0.0.0,TCP,DHCP,10.0.2.15,10.0.2.2,255.255.255.0)/"
				     "Dns(10.0.2.3,192.168.1.53)/Uri(http://boot.example/x.efi)");
	const uint8_t *n = (const uint8_t *)b + efi_devpath_instance_size(nic) + EFI_DP_LEN_IPV4;
	assert_int_equal(n[0], MESSAGING_DEVICE_PATH);
	assert_int_equal(n[1], 31);
	assert_int_equal(n[2] | n[3] << 8, 5 + 2 * 16);
	assert_int_equal(n[4], 0);
	free(a);
	free(b);
	free(nic);
}

/* A Uri node of len bytes holding data (dlen bytes). */
static const EFI_DEVICE_PATH *uri_node(uint8_t *buf, const void *data, size_t dlen)
{
	buf[0] = MESSAGING_DEVICE_PATH;
	buf[1] = MSG_URI_DP;
	buf[2] = (uint8_t)(dlen + 4);
	buf[3] = (uint8_t)((dlen + 4) >> 8);
	memcpy(buf + 4, data, dlen);
	return (const EFI_DEVICE_PATH *)buf;
}

static void test_uri_text_from_a_program(void **state)
{
	uint8_t buf[600];
	char out[64];
	const char *url = "http://boot.lab/x.efi";

	/* As the UEFI spec sizes it, and as EDK2 writes it (with its NUL). */
	assert_int_equal(
	    http_boot_uri_text(uri_node(buf, url, strlen(url)), 4 + strlen(url), out, sizeof(out)),
	    0);
	assert_string_equal(out, url);
	memset(out, 'x', sizeof(out));
	assert_int_equal(http_boot_uri_text(uri_node(buf, url, strlen(url) + 1),
					    4 + strlen(url) + 1, out, sizeof(out)),
			 0);
	assert_string_equal(out, url);
	/* Empty, a NUL or control byte or space inside, 8-bit bytes. */
	assert_int_equal(http_boot_uri_text(uri_node(buf, "", 0), 4, out, sizeof(out)), -1);
	assert_int_equal(http_boot_uri_text(uri_node(buf, "\0", 1), 5, out, sizeof(out)), -1);
	assert_int_equal(
	    http_boot_uri_text(uri_node(buf, "http://a/\0b", 11), 15, out, sizeof(out)), -1);
	assert_int_equal(http_boot_uri_text(uri_node(buf, "http://a/ b", 11), 15, out, sizeof(out)),
			 -1);
	assert_int_equal(
	    http_boot_uri_text(uri_node(buf, "http://a/\x1b", 10), 14, out, sizeof(out)), -1);
	assert_int_equal(
	    http_boot_uri_text(uri_node(buf, "http://a/\xe9", 10), 14, out, sizeof(out)), -1);
	/* The node's own length must be the length given; shorter than a
	 * header is nothing. */
	uri_node(buf, url, strlen(url));
	assert_int_equal(
	    http_boot_uri_text((const EFI_DEVICE_PATH *)buf, 3 + strlen(url), out, sizeof(out)),
	    -1);
	buf[2] = 3;
	buf[3] = 0;
	assert_int_equal(http_boot_uri_text((const EFI_DEVICE_PATH *)buf, 3, out, sizeof(out)), -1);
	/* Too long for the caller: refused, nothing written past cap. */
	char small[8];
	memset(small, 'z', sizeof(small));
	assert_int_equal(http_boot_uri_text(uri_node(buf, url, strlen(url)), 4 + strlen(url), small,
					    sizeof(small)),
			 -1);
	char exact[22];
	assert_int_equal(http_boot_uri_text(uri_node(buf, url, 21), 25, exact, sizeof(exact)), 0);
	assert_int_equal(http_boot_uri_text(uri_node(buf, url, 21), 25, exact, 21), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths_are_ovmfs),
	    cmocka_unit_test(test_dns_node_between_ipv4_and_uri),
	    cmocka_unit_test(test_uri_text_from_a_program),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
