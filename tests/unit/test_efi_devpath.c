/* UEFI device paths (efi/core/devpath.c, devpath_text.c): node bytes as
 * UEFI 2.10 s.10.3 lays them out, the validator on malformed paths, the
 * pool helpers, and the text forms of s.10.6. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <efi_devpath.h>

void *sysmem_zalloc(size_t size);
void sysmem_free(void *p);
static int allocs, fail_after = -1;
void *sysmem_zalloc(size_t size)
{
	if (fail_after >= 0 && allocs >= fail_after)
		return NULL;
	allocs++;
	return calloc(1, size);
}
void sysmem_free(void *p)
{
	free(p);
}

/* A pool UCS-2 string as ASCII (freed); '?' for anything else. */
static const char *narrow(CHAR16 *s)
{
	static char out[1024];
	size_t i = 0;

	assert_non_null(s);
	for (; s[i] && i < sizeof(out) - 1; i++)
		out[i] = s[i] < 0x80 ? (char)s[i] : '?';
	out[i] = 0;
	free(s);
	return out;
}

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const EFI_GUID part_guid = {
    0x4fbd0e1a, 0x1c2b, 0x4d5e, {0x9f, 0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76}};

static EFI_DEVICE_PATH *loader_path(void *buf, size_t cap)
{
	struct efi_dp_builder b;
	struct efi_dp_ipv4 ip = {
	    .local = {10, 0, 2, 15},
	    .remote = {10, 0, 2, 2},
	    .local_port = 68,
	    .remote_port = 69,
	    .protocol = 17,
	    .static_ip = false,
	    .gateway = {10, 0, 2, 2},
	    .mask = {255, 255, 255, 0},
	};
	const char *uri = "http://10.0.2.2/boot.efi";

	efi_dp_init(&b, buf, cap);
	efi_dp_add_pci_root(&b, false, 0);
	efi_dp_add_pci(&b, 2, 0);
	efi_dp_add_mac(&b, mac, 6, 1);
	efi_dp_add_ipv4(&b, &ip);
	efi_dp_add_uri(&b, uri, strlen(uri));
	efi_dp_add_hd(&b, 1, 0x800, 0x100000, (const uint8_t *)&part_guid,
		      MBR_TYPE_EFI_PARTITION_TABLE_HEADER, SIGNATURE_TYPE_GUID);
	efi_dp_add_file(&b, "/EFI/BOOT/BOOTX64.EFI");
	return efi_dp_finish(&b);
}

static void test_node_bytes(void **state)
{
	uint8_t buf[512];
	EFI_DEVICE_PATH *dp = loader_path(buf, sizeof(buf));
	const uint8_t *p = buf;

	assert_ptr_equal(dp, buf);
	/* ACPI PNP0A03, UID 0 */
	static const uint8_t acpi[] = {2, 1, 12, 0, 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0};
	assert_memory_equal(p, acpi, sizeof(acpi));
	p += 12;
	static const uint8_t pci[] = {1, 1, 6, 0, 0, 2}; /* function, then device */
	assert_memory_equal(p, pci, sizeof(pci));
	p += 6;
	assert_int_equal(p[0], 3);
	assert_int_equal(p[1], 11);
	assert_int_equal(p[2], 37);
	assert_memory_equal(p + 4, mac, 6);
	assert_int_equal(p[10], 0); /* padded to 32 bytes */
	assert_int_equal(p[36], 1); /* IfType Ethernet */
	p += 37;
	static const uint8_t ipv4[] = {3,  12, 27, 0, 10, 0,  2, 15, 10, 0,   2,   2,	68, 0,
				       69, 0,  17, 0, 0,  10, 0, 2,  2,	 255, 255, 255, 0};
	assert_memory_equal(p, ipv4, sizeof(ipv4));
	p += 27;
	assert_int_equal(p[1], 24);
	assert_int_equal(p[2], 4 + 24);
	assert_memory_equal(p + 4, "http://10.0.2.2/boot.efi", 24);
	p += 28;
	assert_int_equal(p[0], 4);
	assert_int_equal(p[1], 1);
	assert_int_equal(p[2], 42);
	assert_int_equal(p[4], 1);
	static const uint8_t start[8] = {0, 8}, size[8] = {0, 0, 0x10};
	assert_memory_equal(p + 8, start, 8);
	assert_memory_equal(p + 16, size, 8);
	assert_memory_equal(p + 24, &part_guid, 16);
	assert_int_equal(p[40], 2);
	assert_int_equal(p[41], 2);
	p += 42;
	assert_int_equal(p[1], 4);
	assert_int_equal(p[2], 4 + 2 * 22);
	assert_int_equal(p[4], '\\');
	assert_int_equal(p[5], 0);
	assert_int_equal(p[6], 'E');
	assert_int_equal(p[4 + 2 * 21], 0); /* the NUL */
	p += 48;
	static const uint8_t end[] = {0x7f, 0xff, 4, 0};
	assert_memory_equal(p, end, 4);
	assert_int_equal(efi_devpath_size(dp, sizeof(buf)), p + 4 - buf);
}

static void test_memmap_and_virtio_mmio_nodes(void **state)
{
	uint8_t buf[128];
	struct efi_dp_builder b;

	efi_dp_init(&b, buf, sizeof(buf));
	efi_dp_add_memmap(&b, EfiMemoryMappedIO, 0xfeb00000, 0xfeb001ff);
	efi_dp_add_virtio_mmio(&b, 0xfeb00e00);
	EFI_DEVICE_PATH *dp = efi_dp_finish(&b);
	assert_non_null(dp);
	assert_int_equal(buf[2], 24);
	assert_int_equal(buf[4], EfiMemoryMappedIO);
	assert_int_equal(buf[8 + 2], 0xb0);
	assert_int_equal(buf[24 + 0], 1);
	assert_int_equal(buf[24 + 1], 4);
	assert_int_equal(buf[24 + 2], 28);
	static const EFI_GUID g = WB_VIRTIO_MMIO_DP_GUID;
	assert_memory_equal(buf + 28, &g, 16);
	assert_int_equal(buf[44 + 1], 0x0e);
	assert_string_equal(narrow(efi_devpath_text(dp, sizeof(buf))),
			    "MemoryMapped(0xB,0xFEB00000,0xFEB001FF)/"
			    "VenHw(C4A829E3-0FD3-4703-B517-BA1C8F245307,000EB0FE00000000)");
}

static void test_builder_bounds(void **state)
{
	uint8_t buf[64];
	struct efi_dp_builder b;

	/* Exactly enough room: 12 + 6 + 4. */
	memset(buf, 0xaa, sizeof(buf));
	efi_dp_init(&b, buf, 22);
	efi_dp_add_pci_root(&b, true, 1);
	efi_dp_add_pci(&b, 1, 0);
	assert_non_null(efi_dp_finish(&b));
	assert_int_equal(buf[22], 0xaa);
	assert_string_equal(narrow(efi_devpath_text((EFI_DEVICE_PATH *)buf, 22)),
			    "PcieRoot(0x1)/Pci(0x1,0x0)");
	/* One byte short: NULL, and nothing written past the end. */
	memset(buf, 0xaa, sizeof(buf));
	efi_dp_init(&b, buf, 21);
	efi_dp_add_pci_root(&b, true, 1);
	efi_dp_add_pci(&b, 1, 0);
	assert_null(efi_dp_finish(&b));
	assert_int_equal(buf[21], 0xaa);
	/* Failures stick; bad arguments fail. */
	efi_dp_init(&b, buf, sizeof(buf));
	efi_dp_add_mac(&b, mac, 33, 1);
	efi_dp_add_pci(&b, 1, 0);
	assert_null(efi_dp_finish(&b));
	efi_dp_init(&b, buf, sizeof(buf));
	efi_dp_add_file(&b, "caf\xc3\xa9");
	assert_null(efi_dp_finish(&b));
	efi_dp_init(&b, buf, sizeof(buf));
	efi_dp_add_node(&b, 1, 1, buf, 0x10000);
	assert_null(efi_dp_finish(&b));
	efi_dp_init(&b, buf, sizeof(buf));
	efi_dp_add_path(&b, (EFI_DEVICE_PATH *)"\x01\x01\x00\x00");
	assert_null(efi_dp_finish(&b));
}

static void test_pool_builder(void **state)
{
	struct efi_dp_builder b;
	char uri[300];

	memset(uri, 'a', sizeof(uri));
	efi_dp_init(&b, NULL, 0);
	efi_dp_add_pci_root(&b, false, 0);
	efi_dp_add_uri(&b, uri, sizeof(uri)); /* grows past the first block */
	EFI_DEVICE_PATH *dp = efi_dp_finish(&b);
	assert_non_null(dp);
	assert_int_equal(efi_devpath_size(dp, 1000), 12 + 304 + 4);
	free(dp);
	/* Out of memory: NULL, nothing leaked (ASan checks). */
	allocs = 0;
	fail_after = 1;
	efi_dp_init(&b, NULL, 0);
	efi_dp_add_pci_root(&b, false, 0);
	efi_dp_add_uri(&b, uri, sizeof(uri));
	assert_null(efi_dp_finish(&b));
	fail_after = -1;
}

static void test_validator_refuses_malformed_paths(void **state)
{
	uint8_t ok[] = {1, 1, 6, 0, 0, 2, 0x7f, 0xff, 4, 0};
	uint8_t zero_len[] = {1, 1, 0, 0, 0, 2, 0x7f, 0xff, 4, 0};
	uint8_t short_len[] = {1, 1, 3, 0, 0, 2, 0x7f, 0xff, 4, 0};
	uint8_t past_end[] = {1, 1, 0x20, 0, 0, 2, 0x7f, 0xff, 4, 0};
	uint8_t no_end[] = {1, 1, 6, 0, 0, 2, 1, 1, 4, 0};
	uint8_t long_end[] = {1, 1, 6, 0, 0, 2, 0x7f, 0xff, 5, 0, 0};
	uint8_t instances[] = {1, 1, 6, 0, 0, 2, 0x7f, 1, 4, 0, 1, 1, 6, 0, 1, 3, 0x7f, 0xff, 4, 0};

	assert_int_equal(efi_devpath_size((EFI_DEVICE_PATH *)ok, sizeof(ok)), 10);
	assert_int_equal(efi_devpath_size((EFI_DEVICE_PATH *)ok, 9), 0); /* end cut off */
	assert_int_equal(efi_devpath_size((EFI_DEVICE_PATH *)ok, 3), 0);
	assert_int_equal(efi_devpath_size((EFI_DEVICE_PATH *)ok, 0), 0);
	assert_int_equal(efi_devpath_size(NULL, 100), 0);
	assert_false(efi_devpath_valid((EFI_DEVICE_PATH *)zero_len, sizeof(zero_len)));
	assert_false(efi_devpath_valid((EFI_DEVICE_PATH *)short_len, sizeof(short_len)));
	assert_false(efi_devpath_valid((EFI_DEVICE_PATH *)past_end, sizeof(past_end)));
	assert_false(efi_devpath_valid((EFI_DEVICE_PATH *)no_end, sizeof(no_end)));
	assert_false(efi_devpath_valid((EFI_DEVICE_PATH *)long_end, sizeof(long_end)));
	assert_int_equal(efi_devpath_size((EFI_DEVICE_PATH *)instances, sizeof(instances)), 20);
	assert_int_equal(efi_devpath_instance_size((EFI_DEVICE_PATH *)instances), 6);
	/* The text converter refuses what the validator refuses. */
	assert_null(efi_devpath_text((EFI_DEVICE_PATH *)zero_len, sizeof(zero_len)));
	assert_null(efi_devpath_text((EFI_DEVICE_PATH *)no_end, sizeof(no_end)));
	assert_null(efi_devpath_text_node((EFI_DEVICE_PATH *)zero_len, sizeof(zero_len)));
	assert_null(efi_devpath_text_node((EFI_DEVICE_PATH *)past_end, sizeof(past_end)));
	assert_null(efi_devpath_text_node(NULL, 4));
	assert_string_equal(
	    narrow(efi_devpath_text((EFI_DEVICE_PATH *)instances, sizeof(instances))),
	    "Pci(0x2,0x0),Pci(0x3,0x1)");
}

static void test_prefix(void **state)
{
	uint8_t a[] = {2, 1, 12, 0, 0xd0, 0x41, 3, 0x0a, 0, 0, 0, 0, 0x7f, 0xff, 4, 0};
	uint8_t b[] = {2, 1, 12, 0, 0xd0, 0x41, 3, 0x0a, 0,    0, 0,
		       0, 1, 1,	 6, 0,	  0,	2, 0x7f, 0xff, 4, 0};
	uint8_t c[] = {2, 1, 12, 0, 0xd0, 0x41, 3, 0x0a, 1, 0, 0, 0, 0x7f, 0xff, 4, 0};
	uint8_t e[] = {0x7f, 0xff, 4, 0};

	assert_int_equal(efi_devpath_prefix((EFI_DEVICE_PATH *)a, (EFI_DEVICE_PATH *)b), 12);
	assert_int_equal(efi_devpath_prefix((EFI_DEVICE_PATH *)b, (EFI_DEVICE_PATH *)b), 18);
	assert_int_equal(efi_devpath_prefix((EFI_DEVICE_PATH *)b, (EFI_DEVICE_PATH *)a), -1);
	assert_int_equal(efi_devpath_prefix((EFI_DEVICE_PATH *)c, (EFI_DEVICE_PATH *)b), -1);
	assert_int_equal(efi_devpath_prefix((EFI_DEVICE_PATH *)e, (EFI_DEVICE_PATH *)b), 0);
}

static void test_dup_and_append(void **state)
{
	uint8_t a[] = {1, 1, 6, 0, 0, 2, 0x7f, 0xff, 4, 0};
	uint8_t b[] = {1, 1, 6, 0, 1, 3, 0x7f, 0xff, 4, 0};
	uint8_t bad[] = {1, 1, 0, 0, 0x7f, 0xff, 4, 0};
	EFI_DEVICE_PATH *r;

	r = efi_devpath_dup((EFI_DEVICE_PATH *)a);
	assert_memory_equal(r, a, sizeof(a));
	free(r);
	assert_null(efi_devpath_dup((EFI_DEVICE_PATH *)bad));
	assert_null(efi_devpath_dup(NULL));

	r = efi_devpath_append((EFI_DEVICE_PATH *)a, (EFI_DEVICE_PATH *)b);
	assert_string_equal(narrow(efi_devpath_text(r, 100)), "Pci(0x2,0x0)/Pci(0x3,0x1)");
	free(r);
	r = efi_devpath_append((EFI_DEVICE_PATH *)a, NULL);
	assert_memory_equal(r, a, sizeof(a));
	free(r);
	r = efi_devpath_append(NULL, (EFI_DEVICE_PATH *)b);
	assert_memory_equal(r, b, sizeof(b));
	free(r);
	r = efi_devpath_append(NULL, NULL);
	assert_int_equal(efi_devpath_size(r, 4), 4);
	free(r);
	assert_null(efi_devpath_append((EFI_DEVICE_PATH *)a, (EFI_DEVICE_PATH *)bad));
	assert_null(efi_devpath_append((EFI_DEVICE_PATH *)bad, (EFI_DEVICE_PATH *)a));

	r = efi_devpath_append_node((EFI_DEVICE_PATH *)a, (EFI_DEVICE_PATH *)b);
	assert_string_equal(narrow(efi_devpath_text(r, 100)), "Pci(0x2,0x0)/Pci(0x3,0x1)");
	free(r);
	r = efi_devpath_append_node(NULL, (EFI_DEVICE_PATH *)b);
	assert_memory_equal(r, b, sizeof(b));
	free(r);
	r = efi_devpath_append_node((EFI_DEVICE_PATH *)a, NULL);
	assert_memory_equal(r, a, sizeof(a));
	free(r);
	assert_null(efi_devpath_append_node((EFI_DEVICE_PATH *)a, (EFI_DEVICE_PATH *)bad));
}

static void test_text_of_a_loader_path(void **state)
{
	uint8_t buf[512];
	EFI_DEVICE_PATH *dp = loader_path(buf, sizeof(buf));

	assert_string_equal(narrow(efi_devpath_text(dp, sizeof(buf))),
			    "PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1)/"
			    "IPv4(10.0.2.2,UDP,DHCP,10.0.2.15,10.0.2.2,255.255.255.0)/"
			    "Uri(http://10.0.2.2/boot.efi)/"
			    "HD(1,GPT,4FBD0E1A-1C2B-4D5E-9F10-213243546576,0x800,0x100000)/"
			    "\\EFI\\BOOT\\BOOTX64.EFI");
	/* Through the protocol, as a program calls it. */
	assert_string_equal(
	    narrow(efi_devpath_to_text_protocol.ConvertDeviceNodeToText(dp, FALSE, FALSE)),
	    "PciRoot(0x0)");
	CHAR16 *t = efi_devpath_to_text_protocol.ConvertDevicePathToText(dp, TRUE, TRUE);
	assert_int_equal(strncmp(narrow(t), "PciRoot(0x0)/Pci(0x2,0x0)/", 26), 0);
	assert_null(efi_devpath_to_text_protocol.ConvertDevicePathToText(NULL, FALSE, FALSE));
	assert_null(efi_devpath_to_text_protocol.ConvertDeviceNodeToText(NULL, FALSE, FALSE));
}

/* One node's text, built from raw bytes. */
static const char *node_text(const uint8_t *n)
{
	return narrow(efi_devpath_text_node((const EFI_DEVICE_PATH *)n, n[2] | n[3] << 8));
}

static void test_text_of_other_nodes(void **state)
{
	static const uint8_t ip1x[19] = {3, 12, 19, 0, 192, 168, 1, 5, 192, 168,
					 1, 1,	0,  0, 0,   0,	 6, 0, 1};
	static const uint8_t venmedia[22] = {4,	   3,	 22,   0,    0x78, 0x56, 0x34, 0x12,
					     0x34, 0x12, 0x78, 0x56, 1,	   2,	 3,    4,
					     5,	   6,	 7,    8,    0xab, 0xcd};
	static const uint8_t hd_mbr[42] = {4, 1, 42, 0, 2,    0,    0,	  0,	0,	  8,
					   0, 0, 0,  0, 0,    0,    1,	  0,	0,	  0,
					   0, 0, 0,  0, 0xef, 0xbe, 0xad, 0xde, [40] = 1, 1};
	static const uint8_t unknown[7] = {0x20, 7, 7, 0, 0xde, 0xad, 0x01};
	static const uint8_t short_pci[5] = {1, 1, 5, 0, 9};
	static const uint8_t acpi_other[12] = {2, 1, 12, 0, 0xd0, 0x41, 0x01, 0x05, 3, 0, 0, 0};
	static const uint8_t acpi_nonpnp[12] = {2, 1, 12, 0, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0};
	static const uint8_t mac_other[37] = {3, 11, 37, 0, 0xaa, [36] = 6};
	static const uint8_t ctrl[8] = {1, 5, 8, 0, 2, 0, 0, 0};
	static const uint8_t vlan[6] = {3, 20, 6, 0, 100, 0};
	static const uint8_t scsi[8] = {3, 2, 8, 0, 1, 0, 2, 0};
	static const uint8_t sata[10] = {3, 18, 10, 0, 3, 0, 0xff, 0xff, 0, 0};
	static const uint8_t usb[6] = {3, 5, 6, 0, 1, 2};
	static const uint8_t cdrom[24] = {4, 2, 24, 0, 1, 0, 0, 0, 0x10, [16] = 0x20};
	static const uint8_t offset[24] = {4, 8, 24, 0, [8] = 0x34, 0x12, [16] = 0xff, 0xff};
	static const uint8_t long_usb[7] = {3, 5, 7, 0, 1, 2, 3};
	static const uint8_t end_inst[4] = {0x7f, 1, 4, 0};
	static const uint8_t end_all[4] = {0x7f, 0xff, 4, 0};
	static const uint8_t file_odd[9] = {4, 4, 9, 0, 'a', 0, 'b', 0, 'c'};

	assert_string_equal(node_text(ip1x), "IPv4(192.168.1.1,TCP,Static,192.168.1.5)");
	assert_string_equal(node_text(venmedia),
			    "VenMedia(12345678-1234-5678-0102-030405060708,ABCD)");
	assert_string_equal(node_text(hd_mbr), "HD(2,MBR,0xDEADBEEF,0x800,0x1)");
	assert_string_equal(node_text(unknown), "Path(32,7,DEAD01)");
	assert_string_equal(node_text(short_pci), "Path(1,1,09)"); /* too short for Pci() */
	assert_string_equal(node_text(acpi_other), "Serial(0x3)");
	assert_string_equal(node_text(acpi_nonpnp), "Acpi(44332211,0x0)");
	assert_string_equal(node_text(mac_other),
			    "MAC(AA00000000000000000000000000000000000000000000000000000000000000,"
			    "0x6)");
	assert_string_equal(node_text(ctrl), "Ctrl(0x2)");
	assert_string_equal(node_text(vlan), "Vlan(100)");
	assert_string_equal(node_text(scsi), "Scsi(0x1,0x2)");
	assert_string_equal(node_text(sata), "Sata(0x3,0xFFFF,0x0)");
	assert_string_equal(node_text(usb), "USB(0x1,0x2)");
	assert_string_equal(node_text(cdrom), "CDROM(0x1,0x10,0x20)");
	assert_string_equal(node_text(offset), "Offset(0x1234,0xFFFF)");
	assert_string_equal(node_text(long_usb), "Path(3,5,010203)"); /* not USB's length */
	assert_string_equal(node_text(end_inst), ",");
	assert_string_equal(node_text(end_all), "");
	assert_string_equal(node_text(file_odd), "ab");
	/* A node longer than the bytes the caller vouches for is refused. */
	assert_null(efi_devpath_text_node((const EFI_DEVICE_PATH *)venmedia, 21));
}

static void test_text_out_of_memory(void **state)
{
	uint8_t buf[512];
	EFI_DEVICE_PATH *dp = loader_path(buf, sizeof(buf));

	/* Every allocation point fails in turn: NULL, never a partial string
	 * or a leak. */
	for (int n = 0; n < 8; n++) {
		allocs = 0;
		fail_after = n;
		CHAR16 *t = efi_devpath_text(dp, sizeof(buf));
		fail_after = -1;
		if (t) {
			assert_true(n > 0);
			free(t);
		}
	}
	allocs = 0;
	fail_after = 0;
	assert_null(efi_devpath_text_node(dp, 12));
	fail_after = -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_node_bytes),
	    cmocka_unit_test(test_memmap_and_virtio_mmio_nodes),
	    cmocka_unit_test(test_builder_bounds),
	    cmocka_unit_test(test_pool_builder),
	    cmocka_unit_test(test_validator_refuses_malformed_paths),
	    cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_dup_and_append),
	    cmocka_unit_test(test_text_of_a_loader_path),
	    cmocka_unit_test(test_text_of_other_nodes),
	    cmocka_unit_test(test_text_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
