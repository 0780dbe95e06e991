/* DHCP packets (pxe/dhcp_packet.c): building with PXE options, parsing
 * replies, and refusing malformed ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "dhcp_fake.h"

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* Find option code in a built packet; returns its value pointer and length. */
static const uint8_t *find_opt(const uint8_t *p, size_t len, uint8_t code, uint8_t *olen)
{
	for (size_t i = 240; i + 1 < len;) {
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (p[i] == 255)
			return NULL;
		if (p[i] == code) {
			*olen = p[i + 1];
			return p + i + 2;
		}
		i += 2 + (size_t)p[i + 1];
	}
	return NULL;
}

static void test_discover_carries_pxe_options(void **state)
{
	uint8_t buf[DHCP_MAX_PACKET];
	uint8_t uuid[16];
	memset(uuid, 0xab, 16);
	struct dhcp_request r = { .type = DHCP_DISCOVER, .xid = 0x11223344, .uuid = uuid, .arch = 7 };
	memcpy(r.mac, MAC, 6);

	size_t n = dhcp_build(buf, sizeof(buf), &r);
	assert_true(n >= 300);
	assert_int_equal(buf[0], 1);
	assert_memory_equal(buf + 4, "\x11\x22\x33\x44", 4);
	assert_memory_equal(buf + 28, MAC, 6);
	assert_int_equal(buf[10], 0x80); /* broadcast flag before we have an address */

	uint8_t len;
	const uint8_t *v = find_opt(buf, n, 53, &len);
	assert_non_null(v);
	assert_int_equal(v[0], DHCP_DISCOVER);
	v = find_opt(buf, n, 60, &len);
	assert_non_null(v);
	assert_int_equal(len, 32);
	assert_memory_equal(v, "PXEClient:Arch:00007:UNDI:003016", 32);
	v = find_opt(buf, n, 93, &len);
	assert_true(v && len == 2 && v[0] == 0 && v[1] == 7);
	v = find_opt(buf, n, 94, &len);
	assert_true(v && len == 3 && v[0] == 1 && v[1] == 3 && v[2] == 16);
	v = find_opt(buf, n, 97, &len);
	assert_true(v && len == 17 && v[0] == 0 && v[1] == 0xab && v[16] == 0xab);
	v = find_opt(buf, n, 57, &len);
	assert_true(v && len == 2 && (v[0] << 8 | v[1]) == DHCP_MAX_PACKET);
	v = find_opt(buf, n, 55, &len);
	assert_non_null(v);
	assert_non_null(memchr(v, 43, len));
	assert_non_null(memchr(v, 66, len));
	assert_non_null(memchr(v, 67, len));
	assert_null(find_opt(buf, n, 50, &len));
}

/* UEFI 2.10 s.24.7.2.1: an HTTP boot client says HTTPClient and arch 16;
 * an offer's option 60 HTTPClient is recognised as such, not as PXE. */
static void test_http_boot_client_identity(void **state)
{
	uint8_t buf[DHCP_MAX_PACKET];
	struct dhcp_request r = { .type = DHCP_DISCOVER,
				  .xid = 7,
				  .arch = DHCP_ARCH_X64_UEFI_HTTP,
				  .http = true };
	memcpy(r.mac, MAC, 6);

	size_t n = dhcp_build(buf, sizeof(buf), &r);
	assert_true(n >= 300);
	uint8_t len;
	const uint8_t *v = find_opt(buf, n, 60, &len);
	assert_non_null(v);
	assert_int_equal(len, 33);
	assert_memory_equal(v, "HTTPClient:Arch:00016:UNDI:003016", 33);
	v = find_opt(buf, n, 93, &len);
	assert_true(v && len == 2 && v[0] == 0 && v[1] == 16);

	struct fake_reply f;
	struct dhcp_info d;
	fake_begin(&f, DHCP_OFFER, 7, MAC, IP(10, 0, 2, 15), 0, NULL);
	fake_opt32(&f, 54, IP(10, 0, 2, 2));
	fake_opt(&f, 60, "HTTPClient", 10);
	fake_opt(&f, 67, "http://10.0.2.2/boot.efi", 24);
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), 0);
	assert_true(d.is_http);
	assert_false(d.is_pxe);
	assert_string_equal(d.file, "http://10.0.2.2/boot.efi");
	/* Cut short, or another word: not HTTPClient. */
	fake_begin(&f, DHCP_OFFER, 7, MAC, IP(10, 0, 2, 15), 0, NULL);
	fake_opt(&f, 60, "HTTPClien", 9);
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), 0);
	assert_false(d.is_http);
	fake_begin(&f, DHCP_OFFER, 7, MAC, IP(10, 0, 2, 15), 0, NULL);
	fake_opt(&f, 60, "PXEClient", 9);
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), 0);
	assert_false(d.is_http);
	assert_true(d.is_pxe);
}

static void test_request_and_boot_server_request(void **state)
{
	uint8_t buf[DHCP_MAX_PACKET];
	struct dhcp_request r = { .type = DHCP_REQUEST, .xid = 1, .arch = 7,
				  .requested_ip = IP(10, 0, 2, 15), .server_id = IP(10, 0, 2, 2) };
	memcpy(r.mac, MAC, 6);
	size_t n = dhcp_build(buf, sizeof(buf), &r);
	uint8_t len;
	const uint8_t *v = find_opt(buf, n, 50, &len);
	assert_true(v && len == 4 && !memcmp(v, "\x0a\x00\x02\x0f", 4));
	v = find_opt(buf, n, 54, &len);
	assert_true(v && len == 4 && !memcmp(v, "\x0a\x00\x02\x02", 4));
	assert_null(find_opt(buf, n, 43, &len));

	/* Port 4011 request: ciaddr set, no broadcast flag, boot item in option 43. */
	struct dhcp_request b = { .type = DHCP_REQUEST, .xid = 2, .arch = 7,
				  .ciaddr = IP(10, 0, 2, 15), .boot_item = true, .boot_type = 0x8001 };
	memcpy(b.mac, MAC, 6);
	n = dhcp_build(buf, sizeof(buf), &b);
	assert_int_equal(buf[10], 0);
	assert_memory_equal(buf + 12, "\x0a\x00\x02\x0f", 4);
	v = find_opt(buf, n, 43, &len);
	assert_true(v && len == 7);
	assert_memory_equal(v, "\x47\x04\x80\x01\x00\x00\xff", 7);
}

static void test_build_refuses_small_buffer(void **state)
{
	uint8_t buf[260];
	struct dhcp_request r = { .type = DHCP_DISCOVER, .arch = 7 };
	assert_int_equal(dhcp_build(buf, 100, &r), 0);
	assert_int_equal(dhcp_build(buf, sizeof(buf), &r), 0); /* options do not fit */
}

static void test_parse_offer(void **state)
{
	struct fake_reply f;
	struct dhcp_info d;

	fake_begin(&f, DHCP_OFFER, 0xdeadbeef, MAC, IP(10, 0, 2, 15), IP(10, 0, 2, 4), "hdr.efi");
	fake_opt32(&f, 54, IP(10, 0, 2, 2));
	fake_opt32(&f, 1, IP(255, 255, 255, 0));
	uint32_t routers[2] = { IP(10, 0, 2, 1), IP(10, 0, 2, 9) };
	fake_opt(&f, 3, routers, 8);
	fake_opt32(&f, 6, IP(10, 0, 2, 3));
	uint32_t lease = __builtin_bswap32(3600);
	fake_opt(&f, 51, &lease, 4);
	fake_opt(&f, 60, "PXEClient", 9);
	fake_opt(&f, 66, "tftp.example", 12);
	fake_opt(&f, 67, "opt.efi", 7);
	fake_opt(&f, 43, "\x06\x01\x08", 3);
	fake_opt(&f, 43, "\xff", 1); /* RFC 3396: continues the first */
	fake_end(&f);

	assert_int_equal(dhcp_parse(f.buf, f.len, &d), 0);
	assert_int_equal(d.msg_type, DHCP_OFFER);
	assert_int_equal(d.xid, 0xdeadbeef);
	assert_int_equal(d.yiaddr, IP(10, 0, 2, 15));
	assert_int_equal(d.siaddr, IP(10, 0, 2, 4));
	assert_int_equal(d.server_id, IP(10, 0, 2, 2));
	assert_true(d.has_mask);
	assert_int_equal(d.mask, IP(255, 255, 255, 0));
	assert_int_equal(d.nrouters, 2);
	assert_int_equal(d.routers[1], IP(10, 0, 2, 9));
	assert_int_equal(d.ndns, 1);
	assert_int_equal(d.lease_secs, 3600);
	assert_true(d.is_pxe);
	assert_string_equal(d.sname, "tftp.example");
	assert_string_equal(d.file, "opt.efi"); /* option 67 wins over the header */
	assert_int_equal(d.pxe_opts_len, 4);
	assert_memory_equal(d.pxe_opts, "\x06\x01\x08\xff", 4);
	assert_memory_equal(d.chaddr, MAC, 6);
}

static void test_parse_header_file_and_overload(void **state)
{
	struct fake_reply f;
	struct dhcp_info d;

	fake_begin(&f, DHCP_ACK, 1, MAC, IP(10, 0, 0, 5), 0, "from-header.efi");
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), 0);
	assert_string_equal(d.file, "from-header.efi");

	/* Option 52 = 1: the file field holds options, including 67. */
	fake_begin(&f, DHCP_ACK, 1, MAC, IP(10, 0, 0, 5), 0, NULL);
	fake_opt(&f, 52, "\x01", 1);
	fake_end(&f);
	static const uint8_t in_file[] = { 67, 9, 'o', 'v', 'l', '.', 'e', 'f', 'i', 0, 0, 255 };
	memcpy(f.buf + 108, in_file, sizeof(in_file));
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), 0);
	assert_string_equal(d.file, "ovl.efi");

	/* An overloaded field with a truncated option is refused. */
	f.buf[108 + 126] = 6;
	f.buf[108 + 127] = 40;
	memset(f.buf + 108 + 9 + 2, 0, 100);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), DHCP_E_TRUNCATED);
}

static void test_parse_rejects_malformed(void **state)
{
	struct fake_reply f;
	struct dhcp_info d;

	fake_begin(&f, DHCP_OFFER, 1, MAC, IP(1, 2, 3, 4), 0, NULL);
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, 200, &d), DHCP_E_SHORT);
	f.buf[236] = 0;
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), DHCP_E_MAGIC);

	fake_begin(&f, DHCP_OFFER, 1, MAC, IP(1, 2, 3, 4), 0, NULL);
	f.buf[0] = 1;
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), DHCP_E_NOT_REPLY);

	/* Option 43 claims 200 bytes; the packet ends after 3. */
	fake_begin(&f, DHCP_OFFER, 1, MAC, IP(1, 2, 3, 4), 0, NULL);
	f.buf[f.len++] = 43;
	f.buf[f.len++] = 200;
	f.buf[f.len++] = 1;
	f.buf[f.len++] = 2;
	f.buf[f.len++] = 3;
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), DHCP_E_TRUNCATED);

	/* A code byte with no length byte. */
	fake_begin(&f, DHCP_OFFER, 1, MAC, IP(1, 2, 3, 4), 0, NULL);
	f.buf[f.len++] = 66;
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), DHCP_E_TRUNCATED);

	/* Server id of 3 bytes; router list not a multiple of 4. */
	fake_begin(&f, DHCP_OFFER, 1, MAC, IP(1, 2, 3, 4), 0, NULL);
	fake_opt(&f, 54, "\x01\x02\x03", 3);
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), DHCP_E_BAD_OPTION);
	fake_begin(&f, DHCP_OFFER, 1, MAC, IP(1, 2, 3, 4), 0, NULL);
	fake_opt(&f, 3, "\x01\x02\x03\x04\x05", 5);
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), DHCP_E_BAD_OPTION);
	assert_string_equal(dhcp_strerror(DHCP_E_BAD_OPTION), "an option has an impossible length");
}

static void test_parse_overlong_strings_are_cut(void **state)
{
	struct fake_reply f;
	struct dhcp_info d;
	char big[255];

	memset(big, 'x', sizeof(big));
	fake_begin(&f, DHCP_OFFER, 1, MAC, IP(1, 2, 3, 4), 0, NULL);
	fake_opt(&f, 66, big, 255);
	fake_opt(&f, 60, big, 255);
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), 0);
	assert_int_equal(strlen(d.sname), sizeof(d.sname) - 1);
	assert_int_equal(strlen(d.vendor_class), sizeof(d.vendor_class) - 1);
	assert_false(d.is_pxe);
}

/* RFC 3396: option 67 in pieces is one name, the pieces joined in order
 * (options area, then an overloaded file field); a joined name longer than
 * 255 bytes is refused, not cut to the name of another file. */
static void test_boot_file_in_pieces_is_joined(void **state)
{
	struct fake_reply f;
	struct dhcp_info d;
	char big[255];

	fake_begin(&f, DHCP_OFFER, 1, MAC, IP(1, 2, 3, 4), 0, NULL);
	fake_opt(&f, 67, "hostile/", 8);
	fake_opt(&f, 54, "\x01\x02\x03\x04", 4);
	fake_opt(&f, 67, "split.cfg", 9);
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), 0);
	assert_string_equal(d.file, "hostile/split.cfg");

	fake_begin(&f, DHCP_OFFER, 1, MAC, IP(1, 2, 3, 4), 0, NULL);
	fake_opt(&f, 67, "a/", 2);
	fake_opt(&f, 52, "\x01", 1);
	fake_end(&f);
	static const uint8_t in_file[] = { 67, 5, 'b', '.', 'c', 'f', 'g', 255 };
	memcpy(f.buf + 108, in_file, sizeof(in_file));
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), 0);
	assert_string_equal(d.file, "a/b.cfg");

	memset(big, 'x', sizeof(big));
	fake_begin(&f, DHCP_OFFER, 1, MAC, IP(1, 2, 3, 4), 0, NULL);
	fake_opt(&f, 67, big, 255);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), 0); /* 255 bytes fit */
	assert_int_equal(strlen(d.file), 255);
	fake_opt(&f, 67, "y", 1);
	fake_end(&f);
	assert_int_equal(dhcp_parse(f.buf, f.len, &d), DHCP_E_NAME_TOO_LONG);
	assert_string_equal(dhcp_strerror(DHCP_E_NAME_TOO_LONG),
			    "a boot file name (option 67) longer than 255 bytes");
}

static void test_pxe_menu_type(void **state)
{
	uint16_t type = 0;
	/* Discovery control, then a boot menu: type 0x8000, "wireboot". */
	static const uint8_t opts[] = { 6, 1, 3, 9, 11, 0x80, 0x00, 8, 'w', 'i', 'r', 'e',
					'b', 'o', 'o', 't', 255 };
	assert_true(dhcp_pxe_menu_type(opts, sizeof(opts), &type));
	assert_int_equal(type, 0x8000);
	assert_false(dhcp_pxe_menu_type(opts, 3, &type));
	static const uint8_t lying[] = { 9, 50, 0x80, 0x00 };
	assert_false(dhcp_pxe_menu_type(lying, sizeof(lying), &type));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover_carries_pxe_options),
		cmocka_unit_test(test_http_boot_client_identity),
		cmocka_unit_test(test_request_and_boot_server_request),
		cmocka_unit_test(test_build_refuses_small_buffer),
		cmocka_unit_test(test_parse_offer),
		cmocka_unit_test(test_parse_header_file_and_overload),
		cmocka_unit_test(test_parse_rejects_malformed),
		cmocka_unit_test(test_parse_overlong_strings_are_cut),
		cmocka_unit_test(test_boot_file_in_pieces_is_joined),
		cmocka_unit_test(test_pxe_menu_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
