/* EFI_DEVICE_PATH_TO_TEXT_PROTOCOL, UEFI 2.10 s.10.6: the text forms of
 * s.10.6.1.6 for the nodes wireboot builds and the common ones a loader
 * passes; anything else is Path(type,subtype,hex). Hex digits are upper
 * case as EDK2 prints them. Every field read is checked against the node's
 * length first: a node too short for its type prints in the generic form. */
#include <string.h>
#include <efi_devpath.h>
#include <sysmem.h>

/* A growing UCS-2 string in pool memory. */
struct text {
	CHAR16 *s;
	size_t len, cap;
	bool oom;
};

static void put_c(struct text *t, CHAR16 c)
{
	if (t->oom)
		return;
	if (t->len + 1 >= t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		CHAR16 *n = sysmem_zalloc(cap * sizeof(CHAR16));
		if (!n) {
			t->oom = true;
			return;
		}
		if (t->len)
			memcpy(n, t->s, t->len * sizeof(CHAR16));
		sysmem_free(t->s);
		t->s = n;
		t->cap = cap;
	}
	t->s[t->len++] = c;
	t->s[t->len] = 0;
}

static void put_a(struct text *t, const char *s)
{
	while (*s)
		put_c(t, (uint8_t)*s++);
}

static const char hexdig[] = "0123456789ABCDEF";

/* Hex without a prefix, at least width digits. */
static void put_hexw(struct text *t, uint64_t v, int width)
{
	char d[16];
	int n = 0;

	do {
		d[n++] = hexdig[v & 15];
		v >>= 4;
	} while (v && n < 16);
	while (width-- > n)
		put_c(t, '0');
	while (n)
		put_c(t, d[--n]);
}

static void put_hex(struct text *t, uint64_t v)
{
	put_a(t, "0x");
	put_hexw(t, v, 1);
}

static void put_dec(struct text *t, uint64_t v)
{
	char d[20];
	int n = 0;

	do {
		d[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		put_c(t, d[--n]);
}

static void put_bytes(struct text *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_hexw(t, p[i], 2);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* A GUID as 8-4-4-4-12 hex digits from its 16 stored bytes. */
static void put_guid(struct text *t, const uint8_t *g)
{
	put_hexw(t, get32(g), 8);
	put_c(t, '-');
	put_hexw(t, get16(g + 4), 4);
	put_c(t, '-');
	put_hexw(t, get16(g + 6), 4);
	put_c(t, '-');
	put_bytes(t, g + 8, 2);
	put_c(t, '-');
	put_bytes(t, g + 10, 6);
}

static void put_ipv4(struct text *t, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			put_c(t, '.');
		put_dec(t, a[i]);
	}
}

/* Path(type,subtype[,data]): the generic form, s.10.6.1.6. */
static void generic(struct text *t, const uint8_t *p, size_t len)
{
	put_a(t, "Path(");
	put_dec(t, p[0]);
	put_c(t, ',');
	put_dec(t, p[1]);
	if (len > 4) {
		put_c(t, ',');
		put_bytes(t, p + 4, len - 4);
	}
	put_c(t, ')');
}

/* name(GUID[,data]) for the three vendor node kinds. */
static void vendor(struct text *t, const char *name, const uint8_t *p, size_t len)
{
	put_a(t, name);
	put_c(t, '(');
	put_guid(t, p + 4);
	if (len > EFI_DP_LEN_VENDOR) {
		put_c(t, ',');
		put_bytes(t, p + EFI_DP_LEN_VENDOR, len - EFI_DP_LEN_VENDOR);
	}
	put_c(t, ')');
}

/* Nodes whose text is Name(field,...) from little-endian integers at
 * fixed offsets, and whose length is fixed: s.10.6.1.6's forms. */
struct fixed_field {
	uint8_t off, size; /* size 1, 2, 4 or 8 bytes */
	char fmt;	   /* 'd' decimal, 'x' 0x hex */
};

struct fixed_node {
	uint8_t type, sub, len;
	const char *name;
	struct fixed_field f[3]; /* up to the first with size 0 */
};

static const struct fixed_node fixed_nodes[] = {
    {HARDWARE_DEVICE_PATH, HW_PCI_DP, EFI_DP_LEN_PCI, "Pci", {{5, 1, 'x'}, {4, 1, 'x'}}},
    {HARDWARE_DEVICE_PATH,
     HW_MEMMAP_DP,
     EFI_DP_LEN_MEMMAP,
     "MemoryMapped",
     {{4, 4, 'x'}, {8, 8, 'x'}, {16, 8, 'x'}}},
    {HARDWARE_DEVICE_PATH, HW_CONTROLLER_DP, 8, "Ctrl", {{4, 4, 'x'}}},
    {MESSAGING_DEVICE_PATH, MSG_VLAN_DP, 6, "Vlan", {{4, 2, 'd'}}},
    {MESSAGING_DEVICE_PATH, MSG_SCSI_DP, 8, "Scsi", {{4, 2, 'x'}, {6, 2, 'x'}}},
    {MESSAGING_DEVICE_PATH, MSG_SATA_DP, 10, "Sata", {{4, 2, 'x'}, {6, 2, 'x'}, {8, 2, 'x'}}},
    {MESSAGING_DEVICE_PATH, MSG_USB_DP, 6, "USB", {{4, 1, 'x'}, {5, 1, 'x'}}},
    {MEDIA_DEVICE_PATH, MEDIA_CDROM_DP, 24, "CDROM", {{4, 4, 'x'}, {8, 8, 'x'}, {16, 8, 'x'}}},
    {MEDIA_DEVICE_PATH, MEDIA_RELATIVE_OFFSET_RANGE_DP, 24, "Offset", {{8, 8, 'x'}, {16, 8, 'x'}}},
};

static uint64_t get_field(const uint8_t *p, uint8_t size)
{
	return size == 1 ? p[0] : size == 2 ? get16(p) : size == 4 ? get32(p) : get64(p);
}

/* A node of fixed_nodes: true when p is one (of its length) and printed. */
static bool fixed(struct text *t, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < sizeof(fixed_nodes) / sizeof(fixed_nodes[0]); i++) {
		const struct fixed_node *n = &fixed_nodes[i];
		if (n->type != p[0] || n->sub != p[1])
			continue;
		if (len != n->len)
			return false;
		put_a(t, n->name);
		put_c(t, '(');
		for (size_t j = 0; j < 3 && n->f[j].size; j++) {
			if (j)
				put_c(t, ',');
			uint64_t v = get_field(p + n->f[j].off, n->f[j].size);
			if (n->f[j].fmt == 'd')
				put_dec(t, v);
			else
				put_hex(t, v);
		}
		put_c(t, ')');
		return true;
	}
	return false;
}

/* s.10.6.1.6 ACPI: PciRoot, PcieRoot, the PNP ids EDK2 names, else Acpi(). */
static bool acpi(struct text *t, const uint8_t *p, size_t len)
{
	if (p[1] != ACPI_DP || len != EFI_DP_LEN_ACPI)
		return false;
	uint32_t hid = get32(p + 4), uid = get32(p + 8);
	if ((hid & PNP_EISA_ID_MASK) == PNP_EISA_ID_CONST) {
		switch (EISA_ID_TO_NUM(hid)) {
		case 0x0a03:
			put_a(t, "PciRoot(");
			break;
		case 0x0a08:
			put_a(t, "PcieRoot(");
			break;
		case 0x0604:
			put_a(t, "Floppy(");
			break;
		case 0x0501:
			put_a(t, "Serial(");
			break;
		default:
			put_a(t, "Acpi(PNP");
			put_hexw(t, EISA_ID_TO_NUM(hid), 4);
			put_c(t, ',');
			goto uid;
		}
	} else {
		put_a(t, "Acpi(");
		put_hexw(t, hid, 8);
		put_c(t, ',');
	}
uid:
	put_hex(t, uid);
	put_c(t, ')');
	return true;
}

static bool hardware(struct text *t, const uint8_t *p, size_t len)
{
	if (fixed(t, p, len))
		return true;
	switch (p[1]) {
	case HW_VENDOR_DP:
		if (len < EFI_DP_LEN_VENDOR)
			return false;
		vendor(t, "VenHw", p, len);
		return true;
	}
	return false;
}

static void ip_protocol(struct text *t, uint16_t proto)
{
	if (proto == 6)
		put_a(t, "TCP");
	else if (proto == 17)
		put_a(t, "UDP");
	else
		put_hex(t, proto);
}

static bool messaging(struct text *t, const uint8_t *p, size_t len)
{
	if (fixed(t, p, len))
		return true;
	switch (p[1]) {
	case MSG_MAC_ADDR_DP: {
		if (len != EFI_DP_LEN_MAC)
			return false;
		/* Ethernet (IfType 0 or 1) shows its 6 bytes, others all 32. */
		uint8_t if_type = p[36];
		put_a(t, "MAC(");
		put_bytes(t, p + 4, if_type <= 1 ? 6 : 32);
		put_c(t, ',');
		put_hex(t, if_type);
		put_c(t, ')');
		return true;
	}
	case MSG_IPv4_DP:
		/* UEFI 1.x nodes are 19 bytes; 2.x adds gateway and mask. */
		if (len != 19 && len != EFI_DP_LEN_IPV4)
			return false;
		put_a(t, "IPv4(");
		put_ipv4(t, p + 8);
		put_c(t, ',');
		ip_protocol(t, get16(p + 16));
		put_a(t, p[18] ? ",Static," : ",DHCP,");
		put_ipv4(t, p + 4);
		if (len == EFI_DP_LEN_IPV4) {
			put_c(t, ',');
			put_ipv4(t, p + 19);
			put_c(t, ',');
			put_ipv4(t, p + 23);
		}
		put_c(t, ')');
		return true;
	case MSG_URI_DP:
		put_a(t, "Uri(");
		for (size_t i = 4; i < len && p[i]; i++)
			put_c(t, p[i]);
		put_c(t, ')');
		return true;
	case EFI_DP_MSG_DNS:
		/* IsIPv6, then 16-byte addresses; only IPv4 is shown. */
		if (len < 5 + 16 || (len - 5) % 16 || p[4])
			return false;
		put_a(t, "Dns(");
		for (size_t i = 5; i < len; i += 16) {
			if (i > 5)
				put_c(t, ',');
			put_ipv4(t, p + i);
		}
		put_c(t, ')');
		return true;
	case MSG_VENDOR_DP:
		if (len < EFI_DP_LEN_VENDOR)
			return false;
		vendor(t, "VenMsg", p, len);
		return true;
	}
	return false;
}

static bool media(struct text *t, const uint8_t *p, size_t len)
{
	if (fixed(t, p, len))
		return true;
	switch (p[1]) {
	case MEDIA_HARDDRIVE_DP:
		if (len != EFI_DP_LEN_HD)
			return false;
		put_a(t, "HD(");
		put_dec(t, get32(p + 4));
		if (p[41] == SIGNATURE_TYPE_MBR) {
			put_a(t, ",MBR,0x");
			put_hexw(t, get32(p + 24), 8);
		} else if (p[41] == SIGNATURE_TYPE_GUID) {
			put_a(t, ",GPT,");
			put_guid(t, p + 24);
		} else {
			put_c(t, ',');
			put_dec(t, p[41]);
			put_a(t, ",0");
		}
		put_c(t, ',');
		put_hex(t, get64(p + 8));
		put_c(t, ',');
		put_hex(t, get64(p + 16));
		put_c(t, ')');
		return true;
	case MEDIA_VENDOR_DP:
		if (len < EFI_DP_LEN_VENDOR)
			return false;
		vendor(t, "VenMedia", p, len);
		return true;
	case MEDIA_FILEPATH_DP:
		/* UCS-2 up to its NUL or the node's end; an odd last byte is
		 * ignored. */
		for (size_t i = 4; i + 1 < len; i += 2) {
			CHAR16 c = get16(p + i);
			if (!c)
				break;
			put_c(t, c);
		}
		return true;
	case MEDIA_PROTOCOL_DP:
		if (len != 20)
			return false;
		put_a(t, "Media(");
		put_guid(t, p + 4);
		put_c(t, ')');
		return true;
	case MEDIA_PIWG_FW_FILE_DP:
	case MEDIA_PIWG_FW_VOL_DP:
		if (len != 20)
			return false;
		put_a(t, p[1] == MEDIA_PIWG_FW_FILE_DP ? "FvFile(" : "Fv(");
		put_guid(t, p + 4);
		put_c(t, ')');
		return true;
	}
	return false;
}

/* One node of len bytes (>= 4, all readable) into t. */
static void node_text(struct text *t, const uint8_t *p, size_t len)
{
	bool done;

	switch (p[0]) {
	case HARDWARE_DEVICE_PATH:
		done = hardware(t, p, len);
		break;
	case ACPI_DEVICE_PATH:
		done = acpi(t, p, len);
		break;
	case MESSAGING_DEVICE_PATH:
		done = messaging(t, p, len);
		break;
	case MEDIA_DEVICE_PATH:
		done = media(t, p, len);
		break;
	default:
		done = false;
	}
	if (!done)
		generic(t, p, len);
}

/* The finished string, or NULL (and nothing left allocated) on failure. */
static CHAR16 *text_done(struct text *t)
{
	if (!t->oom && !t->s) {
		/* An empty string still needs a buffer. */
		t->s = sysmem_zalloc(sizeof(CHAR16));
		t->oom = !t->s;
	}
	if (t->oom) {
		sysmem_free(t->s);
		return NULL;
	}
	return t->s;
}

CHAR16 *efi_devpath_text_node(const EFI_DEVICE_PATH *n, size_t len)
{
	struct text t = {0};

	if (!n || len < 4 || efi_dp_node_len(n) < 4 || efi_dp_node_len(n) > len)
		return NULL;
	if (efi_dp_is_end(n))
		put_a(&t, efi_dp_subtype(n) == END_ENTIRE_DEVICE_PATH_SUBTYPE ? "" : ",");
	else
		node_text(&t, (const uint8_t *)n, efi_dp_node_len(n));
	return text_done(&t);
}

CHAR16 *efi_devpath_text(const EFI_DEVICE_PATH *dp, size_t size)
{
	size_t total = efi_devpath_size(dp, size);
	const uint8_t *p = (const uint8_t *)dp;
	struct text t = {0};
	bool sep = false;

	if (!total)
		return NULL;
	for (size_t off = 0; off < total - 4;) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)(p + off);
		size_t len = efi_dp_node_len(n);
		if (efi_dp_is_end(n)) {
			/* The end of one instance: instances are comma separated. */
			put_c(&t, ',');
			sep = false;
		} else {
			if (sep)
				put_c(&t, '/');
			node_text(&t, p + off, len);
			sep = true;
		}
		off += len;
	}
	return text_done(&t);
}

static CHAR16 *EFIAPI to_text_node(CONST EFI_DEVICE_PATH_PROTOCOL *node, BOOLEAN display_only,
				   BOOLEAN allow_shortcuts)
{
	return node ? efi_devpath_text_node(node, efi_dp_node_len(node)) : NULL;
}

static CHAR16 *EFIAPI to_text_path(CONST EFI_DEVICE_PATH_PROTOCOL *path, BOOLEAN display_only,
				   BOOLEAN allow_shortcuts)
{
	return efi_devpath_text(path, EFI_DEVPATH_LIMIT);
}

EFI_DEVICE_PATH_TO_TEXT_PROTOCOL efi_devpath_to_text_protocol = {
    .ConvertDeviceNodeToText = to_text_node,
    .ConvertDevicePathToText = to_text_path,
};
