/* PXE Base Code's pure parts (pxe/pxe_bc_mode.c): Mode from a DHCP
 * exchange, UdpRead matching and filters, argument checks of UdpRead,
 * UdpWrite and Mtftp, TFTP failure statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <pxe_bc.h>

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static EFI_IP_ADDRESS eip(const char *s)
{
	EFI_IP_ADDRESS a;
	uint32_t v = ip(s);

	memset(&a, 0, sizeof(a));
	memcpy(&a.v4, &v, 4);
	return a;
}

static void test_mode_fill(void **state)
{
	static EFI_PXE_BASE_CODE_MODE m;
	uint8_t discover[300], ack[1600], proxy[400];
	(void)state;

	memset(discover, 1, sizeof(discover));
	memset(ack, 2, sizeof(ack));
	memset(proxy, 3, sizeof(proxy));
	memset(&m, 0xee, sizeof(m));
	struct pxe_bc_packets p = {
	    .discover = discover,
	    .discover_len = sizeof(discover),
	    .ack = ack,
	    .ack_len = sizeof(ack),
	    .proxy_offer = proxy,
	    .proxy_offer_len = sizeof(proxy),
	    .station = ip("192.168.77.111"),
	    .mask = ip("255.255.255.0"),
	    .router = ip("192.168.77.1"),
	};
	pxe_bc_mode_fill(&m, &p);
	assert_true(m.Started);
	assert_true(m.AutoArp);
	assert_int_equal(m.TTL, 64);
	assert_true(m.DhcpDiscoverValid);
	assert_true(m.DhcpAckReceived);
	assert_true(m.ProxyOfferReceived);
	assert_false(m.PxeReplyReceived);
	assert_false(m.UsingIpv6);
	assert_false(m.TftpErrorReceived);
	assert_memory_equal(m.DhcpDiscover.Raw, discover, sizeof(discover));
	assert_int_equal(m.DhcpDiscover.Raw[sizeof(discover)], 0); /* the rest zeroed */
	/* An ACK longer than the packet field is cut to its 1472 bytes. */
	assert_int_equal(m.DhcpAck.Raw[1471], 2);
	assert_int_equal(m.PxeReply.Raw[0], 0);
	uint32_t v;
	memcpy(&v, &m.StationIp.v4, 4);
	assert_int_equal(v, ip("192.168.77.111"));
	memcpy(&v, &m.SubnetMask.v4, 4);
	assert_int_equal(v, ip("255.255.255.0"));
	assert_int_equal(m.RouteTableEntries, 1);
	memcpy(&v, &m.RouteTable[0].GwAddr.v4, 4);
	assert_int_equal(v, ip("192.168.77.1"));
	memcpy(&v, &m.RouteTable[0].IpAddr.v4, 4);
	assert_int_equal(v, 0);
	assert_int_equal(m.ArpCacheEntries, 0);
	assert_int_equal(m.IpFilter.Filters, EFI_PXE_BASE_CODE_IP_FILTER_STATION_IP);

	/* No router: no route; no proxy: no proxy flag. */
	p.router = 0;
	p.proxy_offer = NULL;
	pxe_bc_mode_fill(&m, &p);
	assert_int_equal(m.RouteTableEntries, 0);
	assert_false(m.ProxyOfferReceived);

	pxe_bc_mode_clear(&m);
	assert_false(m.Started);
	assert_false(m.DhcpAckReceived);
	assert_int_equal(m.DhcpAck.Raw[0], 0);
}

/* A DHCPACK payload of len bytes (>= 244): BOOTP header with siaddr,
 * magic cookie, then opts (an option area ending in 255) and zeros. */
static void make_ack(uint8_t *pkt, size_t len, const char *siaddr, const uint8_t *opts,
		     size_t opts_len)
{
	static const uint8_t magic[4] = {99, 130, 83, 99};
	uint32_t si = ip(siaddr);

	memset(pkt, 0, len);
	pkt[0] = 2; /* BOOTREPLY */
	pkt[1] = 1;
	pkt[2] = 6;
	memcpy(pkt + 16, (const uint8_t[4]){192, 168, 77, 111}, 4); /* yiaddr */
	memcpy(pkt + 20, &si, 4);
	memcpy(pkt + 236, magic, 4);
	memcpy(pkt + 240, opts, opts_len);
}

static void test_mode_ack_names_proxy_boot(void **state)
{
	static EFI_PXE_BASE_CODE_MODE m;
	static const uint8_t opts[] = {53, 1, 5, 54, 4, 192, 168, 77, 1, 255};
	uint8_t ack[300], reply[300], want[300];
	(void)state;

	/* The address server's ACK: siaddr itself, no file. The boot file
	 * came from the proxy's boot server (PxeReply). */
	make_ack(ack, sizeof(ack), "192.168.77.1", opts, sizeof(opts));
	make_ack(reply, sizeof(reply), "192.168.77.2", opts, sizeof(opts));
	memcpy(reply + 108, "grubnetx64.efi", 15);
	struct pxe_bc_packets p = {
	    .ack = ack,
	    .ack_len = sizeof(ack),
	    .pxe_reply = reply,
	    .pxe_reply_len = sizeof(reply),
	    .station = ip("192.168.77.111"),
	    .mask = ip("255.255.255.0"),
	};

	/* Without boot_server the ACK is copied as it came (OVMF's Mode). */
	pxe_bc_mode_fill(&m, &p);
	assert_memory_equal(m.DhcpAck.Raw, ack, sizeof(ack));

	p.boot_server = ip("192.168.77.2");
	p.boot_file = "grubnetx64.efi";
	p.boot_sname = "";
	pxe_bc_mode_fill(&m, &p);
	memcpy(want, ack, sizeof(want));
	memcpy(want + 20, (const uint8_t[4]){192, 168, 77, 2}, 4);
	memcpy(want + 108, "grubnetx64.efi", 15);
	assert_memory_equal(m.DhcpAck.Raw, want, sizeof(want)); /* nothing else changed */
	assert_int_equal(m.DhcpAck.Raw[sizeof(ack)], 0);
	assert_memory_equal(m.DhcpAck.Dhcpv4.BootpSiAddr, ((const uint8_t[4]){192, 168, 77, 2}), 4);
	assert_string_equal((const char *)m.DhcpAck.Dhcpv4.BootpBootFile, "grubnetx64.efi");
	assert_int_equal(m.DhcpAck.Dhcpv4.BootpSrvName[0], 0);
	assert_true(m.PxeReplyReceived);
	assert_memory_equal(m.PxeReply.Raw, reply, sizeof(reply)); /* untouched */

	/* A server name is copied; one that does not fit with its NUL is not. */
	p.boot_sname = "tftp.example";
	pxe_bc_mode_fill(&m, &p);
	assert_string_equal((const char *)m.DhcpAck.Dhcpv4.BootpSrvName, "tftp.example");
	char longname[200], longsname[100];
	memset(longname, 'a', sizeof(longname));
	longname[128] = 0; /* 128 characters: no room for the NUL in file[128] */
	memset(longsname, 'b', sizeof(longsname));
	longsname[64] = 0; /* 64 characters: too long for sname[64] */
	p.boot_file = longname;
	p.boot_sname = longsname;
	pxe_bc_mode_fill(&m, &p);
	assert_int_equal(m.DhcpAck.Dhcpv4.BootpSrvName[0], 0);
	assert_int_equal(m.DhcpAck.Dhcpv4.BootpBootFile[0], 0);
	assert_memory_equal(m.DhcpAck.Dhcpv4.BootpSiAddr, ((const uint8_t[4]){192, 168, 77, 2}), 4);
	longname[127] = 0; /* 127 fits */
	p.boot_sname = "";
	pxe_bc_mode_fill(&m, &p);
	assert_int_equal(strlen((const char *)m.DhcpAck.Dhcpv4.BootpBootFile), 127);

	/* Option 52 overloads file and sname with options: they stay. */
	static const uint8_t ovl[] = {53, 1, 5, 52, 1, 3, 255};
	make_ack(ack, sizeof(ack), "192.168.77.1", ovl, sizeof(ovl));
	memcpy(ack + 108, (const uint8_t[]){67, 3, 'a', 'b', 'c', 255}, 6);
	memcpy(ack + 44, (const uint8_t[]){66, 1, 'x', 255}, 4);
	p.boot_file = "grubnetx64.efi";
	p.boot_sname = "s";
	pxe_bc_mode_fill(&m, &p);
	memcpy(want, ack, sizeof(want));
	memcpy(want + 20, (const uint8_t[4]){192, 168, 77, 2}, 4);
	assert_memory_equal(m.DhcpAck.Raw, want, sizeof(want));

	/* An option running past the end, or an ACK shorter than its BOOTP
	 * header: no read or write outside, the short one left as it came. */
	static const uint8_t bad[] = {53, 1, 5, 52, 200};
	make_ack(ack, 245, "192.168.77.1", bad, sizeof(bad));
	p.ack_len = 245;
	pxe_bc_mode_fill(&m, &p);
	assert_string_equal((const char *)m.DhcpAck.Dhcpv4.BootpBootFile, "grubnetx64.efi");
	assert_int_equal(m.DhcpAck.Raw[245], 0);
	p.ack_len = 100;
	pxe_bc_mode_fill(&m, &p);
	assert_memory_equal(m.DhcpAck.Raw, ack, 100);
	assert_int_equal(m.DhcpAck.Raw[100], 0);
	assert_int_equal(m.DhcpAck.Dhcpv4.BootpBootFile[0], 0);
}

static void test_udp_accepts(void **state)
{
	EFI_PXE_BASE_CODE_IP_FILTER f = {.Filters = EFI_PXE_BASE_CODE_IP_FILTER_STATION_IP};
	uint32_t me = ip("10.0.2.15"), mask = ip("255.255.255.0");
	struct pxe_bc_dgram_addr a = {ip("10.0.2.2"), me, 69, 2000};
	EFI_IP_ADDRESS src = eip("10.0.2.2"), dst = eip("10.0.2.15"), other = eip("10.0.2.3");
	UINT16 sport = 69, dport = 2000, wrong = 2001;
	(void)state;

	assert_true(pxe_bc_udp_accepts(0, &dst, &dport, &src, &sport, &f, me, mask, &a));
	assert_false(pxe_bc_udp_accepts(0, &dst, &dport, &other, &sport, &f, me, mask, &a));
	assert_false(pxe_bc_udp_accepts(0, &dst, &wrong, &src, &sport, &f, me, mask, &a));
	assert_false(pxe_bc_udp_accepts(0, &dst, &dport, &src, &wrong, &f, me, mask, &a));
	assert_true(pxe_bc_udp_accepts(EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_IP |
					   EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT,
				       &dst, &dport, NULL, NULL, &f, me, mask, &a));
	assert_true(pxe_bc_udp_accepts(EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_PORT, &dst, NULL,
				       &src, &sport, &f, me, mask, &a));
	/* NULL without its ANY flag never matches. */
	assert_false(pxe_bc_udp_accepts(0, &dst, &dport, NULL, &sport, &f, me, mask, &a));

	/* USE_FILTER: the filter, not DestIp, judges the destination. */
	const UINT16 uf = EFI_PXE_BASE_CODE_UDP_OPFLAGS_USE_FILTER;
	assert_true(pxe_bc_udp_accepts(uf, &other, &dport, &src, &sport, &f, me, mask, &a));
	struct pxe_bc_dgram_addr bcast = {ip("10.0.2.2"), ip("255.255.255.255"), 67, 68};
	struct pxe_bc_dgram_addr subnet = {ip("10.0.2.2"), ip("10.0.2.255"), 67, 68};
	struct pxe_bc_dgram_addr mcast = {ip("10.0.2.2"), ip("239.1.2.3"), 67, 68};
	UINT16 p68 = 68, p67 = 67;
	assert_false(pxe_bc_udp_accepts(uf, NULL, &p68, &src, &p67, &f, me, mask, &bcast));
	f.Filters |= EFI_PXE_BASE_CODE_IP_FILTER_BROADCAST;
	assert_true(pxe_bc_udp_accepts(uf, NULL, &p68, &src, &p67, &f, me, mask, &bcast));
	assert_true(pxe_bc_udp_accepts(uf, NULL, &p68, &src, &p67, &f, me, mask, &subnet));
	assert_false(pxe_bc_udp_accepts(uf, NULL, &p68, &src, &p67, &f, me, mask, &mcast));
	f.IpList[0] = eip("239.1.2.3");
	f.IpCnt = 1;
	assert_true(pxe_bc_udp_accepts(uf, NULL, &p68, &src, &p67, &f, me, mask, &mcast));
	f.IpCnt = 0;
	f.Filters = EFI_PXE_BASE_CODE_IP_FILTER_PROMISCUOUS_MULTICAST;
	assert_true(pxe_bc_udp_accepts(uf, NULL, &p68, &src, &p67, &f, me, mask, &mcast));
	assert_false(pxe_bc_udp_accepts(uf, NULL, &p68, &src, &p67, &f, me, mask, &bcast));
	f.Filters = EFI_PXE_BASE_CODE_IP_FILTER_PROMISCUOUS;
	assert_true(pxe_bc_udp_accepts(uf, NULL, &p68, &src, &p67, &f, me, mask, &subnet));
}

static void test_addresses(void **state)
{
	uint32_t m24 = ip("255.255.255.0");
	(void)state;

	assert_true(pxe_bc_mask_valid(m24));
	assert_true(pxe_bc_mask_valid(ip("255.255.255.255")));
	assert_true(pxe_bc_mask_valid(ip("128.0.0.0")));
	assert_false(pxe_bc_mask_valid(0));
	assert_false(pxe_bc_mask_valid(ip("255.0.255.0")));
	assert_false(pxe_bc_mask_valid(ip("0.255.255.255")));
	assert_true(pxe_bc_ip_is_unicast(ip("10.0.2.15"), m24));
	assert_false(pxe_bc_ip_is_unicast(0, m24));
	assert_false(pxe_bc_ip_is_unicast(ip("255.255.255.255"), 0));
	assert_false(pxe_bc_ip_is_unicast(ip("224.0.0.1"), 0));
	assert_false(pxe_bc_ip_is_unicast(ip("240.0.0.1"), 0));
	assert_false(pxe_bc_ip_is_unicast(ip("10.0.2.255"), m24));
	assert_false(pxe_bc_ip_is_unicast(ip("10.0.2.0"), m24));
	assert_true(pxe_bc_ip_is_unicast(ip("10.0.2.0"), 0));
}

static void test_udp_args(void **state)
{
	EFI_IP_ADDRESS d = eip("10.0.2.2"), gw = eip("10.0.2.2"), far_gw = eip("10.9.9.9");
	UINT16 port = 69;
	UINTN size = 4, hsize = 2, zero = 0;
	char buf[4], hdr[2];
	uint32_t me = ip("10.0.2.15"), mask = ip("255.255.255.0");
	(void)state;

	assert_int_equal(
	    pxe_bc_udp_write_args(0, &d, &port, NULL, &port, NULL, NULL, &size, buf, me, mask),
	    EFI_SUCCESS);
	assert_int_equal(
	    pxe_bc_udp_write_args(0, NULL, &port, NULL, &port, NULL, NULL, &size, buf, me, mask),
	    EFI_INVALID_PARAMETER);
	assert_int_equal(
	    pxe_bc_udp_write_args(0, &d, &port, NULL, NULL, NULL, NULL, &size, buf, me, mask),
	    EFI_INVALID_PARAMETER); /* no SrcPort and no ANY_SRC_PORT */
	assert_int_equal(pxe_bc_udp_write_args(EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT, &d,
					       &port, &gw, NULL, &hsize, hdr, &size, buf, me, mask),
			 EFI_SUCCESS);
	assert_int_equal(
	    pxe_bc_udp_write_args(0, &d, &port, &far_gw, &port, NULL, NULL, &size, buf, me, mask),
	    EFI_INVALID_PARAMETER); /* gateway off our subnet */
	assert_int_equal(pxe_bc_udp_write_args(EFI_PXE_BASE_CODE_UDP_OPFLAGS_USE_FILTER, &d, &port,
					       NULL, &port, NULL, NULL, &size, buf, me, mask),
			 EFI_INVALID_PARAMETER); /* a read-only flag */
	assert_int_equal(
	    pxe_bc_udp_write_args(0, &d, &port, NULL, &port, &hsize, NULL, &size, buf, me, mask),
	    EFI_INVALID_PARAMETER); /* header size without header */
	assert_int_equal(
	    pxe_bc_udp_write_args(0, &d, &port, NULL, &port, NULL, NULL, &size, NULL, me, mask),
	    EFI_INVALID_PARAMETER);
	assert_int_equal(
	    pxe_bc_udp_write_args(0, &d, &port, NULL, &port, NULL, NULL, &zero, NULL, me, mask),
	    EFI_SUCCESS); /* an empty datagram */

	assert_int_equal(pxe_bc_udp_read_args(0, &d, &port, &d, &port, NULL, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(pxe_bc_udp_read_args(0, NULL, &port, &d, &port, NULL, NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(pxe_bc_udp_read_args(EFI_PXE_BASE_CODE_UDP_OPFLAGS_USE_FILTER, NULL, &port,
					      &d, &port, NULL, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(pxe_bc_udp_read_args(0x3f, NULL, NULL, NULL, NULL, NULL, NULL, &size, buf),
			 EFI_INVALID_PARAMETER); /* MAY_FRAGMENT is not a read flag */
	assert_int_equal(pxe_bc_udp_read_args(0x1f, NULL, NULL, NULL, NULL, NULL, NULL, NULL, buf),
			 EFI_INVALID_PARAMETER);
}

static void test_mtftp_args(void **state)
{
	EFI_IP_ADDRESS s = eip("10.0.2.2"), bcast = eip("255.255.255.255");
	UINT64 size = 100, none = 0;
	UINTN bs = 512, small = 511;
	char buf[100];
	const UINT8 *name = (const UINT8 *)"grubx64.efi";
	(void)state;

	assert_int_equal(
	    pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &size, &bs, &s, name, false),
	    EFI_SUCCESS);
	assert_int_equal(pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &size, &small, &s,
					   name, false),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &size, NULL,
					   &bcast, name, false),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
	    pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_TFTP_READ_FILE, NULL, &size, NULL, &s, name, false),
	    EFI_INVALID_PARAMETER);
	/* No buffer and size 0: the size comes back with BUFFER_TOO_SMALL. */
	assert_int_equal(
	    pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_TFTP_READ_FILE, NULL, &none, NULL, &s, name, false),
	    EFI_SUCCESS);
	assert_int_equal(
	    pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_TFTP_READ_FILE, NULL, &size, NULL, &s, name, true),
	    EFI_SUCCESS);
	assert_int_equal(pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, &size, NULL,
					   &s, (const UINT8 *)"", false),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
	    pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_TFTP_WRITE_FILE, buf, &size, NULL, &s, name, false),
	    EFI_UNSUPPORTED);
	assert_int_equal(
	    pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_MTFTP_READ_FILE, buf, &size, NULL, &s, name, false),
	    EFI_UNSUPPORTED);
	assert_int_equal(
	    pxe_bc_mtftp_args(EFI_PXE_BASE_CODE_MTFTP_LAST, buf, &size, NULL, &s, name, false),
	    EFI_INVALID_PARAMETER);

	assert_int_equal(pxe_bc_tftp_status(1, false, false), EFI_TFTP_ERROR);
	assert_int_equal(pxe_bc_tftp_status(0, false, false), EFI_TFTP_ERROR);
	assert_int_equal(pxe_bc_tftp_status(-1, true, false), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(pxe_bc_tftp_status(-1, false, true), EFI_TIMEOUT);
	assert_int_equal(pxe_bc_tftp_status(-1, false, false), EFI_DEVICE_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mode_fill),	cmocka_unit_test(test_mode_ack_names_proxy_boot),
	    cmocka_unit_test(test_udp_accepts), cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_udp_args),	cmocka_unit_test(test_mtftp_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
