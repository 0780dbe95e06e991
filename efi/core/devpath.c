/* UEFI device paths, UEFI 2.10 s.10: the validator, size and prefix
 * helpers, pool copies and node builders. Fields are written and read
 * byte by byte (little endian): device paths are packed and unaligned. */
#include <string.h>
#include <efi_devpath.h>
#include <sysmem.h>

size_t efi_devpath_size(const EFI_DEVICE_PATH *dp, size_t limit)
{
	const uint8_t *p = (const uint8_t *)dp;
	size_t off = 0;

	if (!dp)
		return 0;
	/* Each round either returns or moves off forward by >= 4, and off never
	 * passes limit: the walk ends within limit / 4 rounds. */
	while (limit - off >= 4) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)(p + off);
		size_t len = efi_dp_node_len(n);

		if (len < 4 || len > limit - off)
			return 0;
		if (efi_dp_is_end_entire(n))
			return len == 4 ? off + len : 0;
		off += len;
	}
	return 0;
}

size_t efi_devpath_instance_size(const EFI_DEVICE_PATH *dp)
{
	const uint8_t *p = (const uint8_t *)dp;
	size_t off = 0;

	while (!efi_dp_is_end((const EFI_DEVICE_PATH *)(p + off)))
		off += efi_dp_node_len((const EFI_DEVICE_PATH *)(p + off));
	return off;
}

long efi_devpath_prefix(const EFI_DEVICE_PATH *prefix, const EFI_DEVICE_PATH *path)
{
	size_t n = efi_devpath_instance_size(prefix);

	/* Equal bytes mean equal node headers too, so a match ends on one of
	 * path's node boundaries. */
	if (n > efi_devpath_instance_size(path) || memcmp(prefix, path, n) != 0)
		return -1;
	return (long)n;
}

/* Pool copy of len bytes followed by, when end is set, an End Entire node. */
static EFI_DEVICE_PATH *pool_path(const void *a, size_t alen, const void *b, size_t blen, bool end)
{
	uint8_t *p = sysmem_zalloc(alen + blen + (end ? 4 : 0));

	if (!p)
		return NULL;
	if (alen)
		memcpy(p, a, alen);
	if (blen)
		memcpy(p + alen, b, blen);
	if (end) {
		p[alen + blen] = END_DEVICE_PATH_TYPE;
		p[alen + blen + 1] = END_ENTIRE_DEVICE_PATH_SUBTYPE;
		p[alen + blen + 2] = 4;
	}
	return (EFI_DEVICE_PATH *)p;
}

EFI_DEVICE_PATH *efi_devpath_dup(const EFI_DEVICE_PATH *dp)
{
	size_t n = efi_devpath_size(dp, EFI_DEVPATH_LIMIT);

	return n ? pool_path(dp, n, NULL, 0, false) : NULL;
}

EFI_DEVICE_PATH *efi_devpath_append(const EFI_DEVICE_PATH *a, const EFI_DEVICE_PATH *b)
{
	size_t an = 4, bn = 4;

	if (a && !(an = efi_devpath_size(a, EFI_DEVPATH_LIMIT)))
		return NULL;
	if (b && !(bn = efi_devpath_size(b, EFI_DEVPATH_LIMIT)))
		return NULL;
	if (!b)
		return pool_path(a, an - 4, NULL, 0, true);
	return pool_path(a, an - 4, b, bn, false);
}

EFI_DEVICE_PATH *efi_devpath_append_node(const EFI_DEVICE_PATH *path, const EFI_DEVICE_PATH *node)
{
	size_t pn = 4, nn = 0;

	if (path && !(pn = efi_devpath_size(path, EFI_DEVPATH_LIMIT)))
		return NULL;
	if (node && (nn = efi_dp_node_len(node)) < 4)
		return NULL;
	return pool_path(path, pn - 4, node, nn, true);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

void efi_dp_init(struct efi_dp_builder *b, void *buf, size_t cap)
{
	b->buf = buf;
	b->cap = buf ? cap : 0;
	b->len = 0;
	b->pool = !buf;
	b->failed = false;
}

/* Room for len more bytes, growing a pool builder; false on failure. */
static bool reserve(struct efi_dp_builder *b, size_t len)
{
	if (b->failed)
		return false;
	if (len <= b->cap - b->len)
		return true;
	if (!b->pool || b->len + len > EFI_DEVPATH_LIMIT) {
		b->failed = true;
		return false;
	}
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + len)
		cap *= 2;
	uint8_t *n = sysmem_zalloc(cap);
	if (!n) {
		b->failed = true;
		return false;
	}
	if (b->len)
		memcpy(n, b->buf, b->len);
	sysmem_free(b->buf);
	b->buf = n;
	b->cap = cap;
	return true;
}

/* Start a node of len bytes (zeroed); its data pointer, or NULL. */
static uint8_t *node(struct efi_dp_builder *b, uint8_t type, uint8_t subtype, size_t len)
{
	if (len < 4 || len > 0xffff) {
		b->failed = true;
		return NULL;
	}
	if (!reserve(b, len))
		return NULL;
	uint8_t *p = b->buf + b->len;
	memset(p, 0, len);
	p[0] = type;
	p[1] = subtype;
	put16(p + 2, len);
	b->len += len;
	return p;
}

EFI_DEVICE_PATH *efi_dp_finish(struct efi_dp_builder *b)
{
	node(b, END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, 4);
	if (b->failed) {
		if (b->pool)
			sysmem_free(b->buf);
		b->buf = NULL;
		return NULL;
	}
	return (EFI_DEVICE_PATH *)b->buf;
}

void efi_dp_add_path(struct efi_dp_builder *b, const EFI_DEVICE_PATH *path)
{
	size_t n = efi_devpath_size(path, EFI_DEVPATH_LIMIT);

	if (!n) {
		b->failed = true;
		return;
	}
	if (n > 4 && reserve(b, n - 4)) {
		memcpy(b->buf + b->len, path, n - 4);
		b->len += n - 4;
	}
}

void efi_dp_add_node(struct efi_dp_builder *b, uint8_t type, uint8_t subtype, const void *data,
		     size_t data_len)
{
	uint8_t *p = data_len <= 0xffff - 4 ? node(b, type, subtype, 4 + data_len) : NULL;

	if (!p)
		b->failed = true;
	else if (data_len)
		memcpy(p + 4, data, data_len);
}

void efi_dp_add_pci_root(struct efi_dp_builder *b, bool pcie, uint32_t uid)
{
	uint8_t *p = node(b, ACPI_DEVICE_PATH, ACPI_DP, EFI_DP_LEN_ACPI);

	if (p) {
		put32(p + 4, EISA_PNP_ID(pcie ? 0x0a08 : 0x0a03));
		put32(p + 8, uid);
	}
}

void efi_dp_add_pci(struct efi_dp_builder *b, uint8_t dev, uint8_t fn)
{
	uint8_t *p = node(b, HARDWARE_DEVICE_PATH, HW_PCI_DP, EFI_DP_LEN_PCI);

	if (p) {
		p[4] = fn;
		p[5] = dev;
	}
}

void efi_dp_add_memmap(struct efi_dp_builder *b, uint32_t mem_type, uint64_t start, uint64_t end)
{
	uint8_t *p = node(b, HARDWARE_DEVICE_PATH, HW_MEMMAP_DP, EFI_DP_LEN_MEMMAP);

	if (p) {
		put32(p + 4, mem_type);
		put64(p + 8, start);
		put64(p + 16, end);
	}
}

void efi_dp_add_vendor(struct efi_dp_builder *b, uint8_t type, uint8_t subtype,
		       const EFI_GUID *guid, const void *data, size_t data_len)
{
	uint8_t *p = data_len <= 0xffff - EFI_DP_LEN_VENDOR
			 ? node(b, type, subtype, EFI_DP_LEN_VENDOR + data_len)
			 : NULL;

	if (!p) {
		b->failed = true;
		return;
	}
	memcpy(p + 4, guid, sizeof(*guid));
	if (data_len)
		memcpy(p + EFI_DP_LEN_VENDOR, data, data_len);
}

void efi_dp_add_virtio_mmio(struct efi_dp_builder *b, uint64_t base)
{
	static const EFI_GUID g = WB_VIRTIO_MMIO_DP_GUID;
	uint8_t le[8];

	put64(le, base);
	efi_dp_add_vendor(b, HARDWARE_DEVICE_PATH, HW_VENDOR_DP, &g, le, sizeof(le));
}

void efi_dp_add_mac(struct efi_dp_builder *b, const uint8_t *addr, size_t addr_len, uint8_t if_type)
{
	if (addr_len > 32) {
		b->failed = true;
		return;
	}
	uint8_t *p = node(b, MESSAGING_DEVICE_PATH, MSG_MAC_ADDR_DP, EFI_DP_LEN_MAC);
	if (p) {
		memcpy(p + 4, addr, addr_len);
		p[36] = if_type;
	}
}

void efi_dp_add_ipv4(struct efi_dp_builder *b, const struct efi_dp_ipv4 *ip)
{
	uint8_t *p = node(b, MESSAGING_DEVICE_PATH, MSG_IPv4_DP, EFI_DP_LEN_IPV4);

	if (!p)
		return;
	memcpy(p + 4, ip->local, 4);
	memcpy(p + 8, ip->remote, 4);
	put16(p + 12, ip->local_port);
	put16(p + 14, ip->remote_port);
	put16(p + 16, ip->protocol);
	p[18] = ip->static_ip;
	memcpy(p + 19, ip->gateway, 4);
	memcpy(p + 23, ip->mask, 4);
}

void efi_dp_add_uri(struct efi_dp_builder *b, const char *uri, size_t len)
{
	efi_dp_add_node(b, MESSAGING_DEVICE_PATH, MSG_URI_DP, uri, len);
}

void efi_dp_add_dns4(struct efi_dp_builder *b, const uint32_t *servers, size_t n)
{
	uint8_t data[1 + 4 * 16];

	if (n > 4) {
		b->failed = true;
		return;
	}
	memset(data, 0, sizeof(data));
	data[0] = 0; /* IsIPv6: no */
	for (size_t i = 0; i < n; i++)
		memcpy(data + 1 + 16 * i, &servers[i], 4);
	efi_dp_add_node(b, MESSAGING_DEVICE_PATH, EFI_DP_MSG_DNS, data, 1 + 16 * n);
}

void efi_dp_add_file(struct efi_dp_builder *b, const char *path)
{
	size_t n = strnlen(path, 0x7ffe);
	uint8_t *p =
	    n < 0x7ffe ? node(b, MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP, 4 + 2 * (n + 1)) : NULL;

	if (!p) {
		b->failed = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)path[i];
		if (c >= 0x80) {
			b->failed = true;
			return;
		}
		put16(p + 4 + 2 * i, c == '/' ? '\\' : c);
	}
}

void efi_dp_add_hd(struct efi_dp_builder *b, uint32_t part, uint64_t start, uint64_t size,
		   const uint8_t sig[16], uint8_t mbr_type, uint8_t sig_type)
{
	uint8_t *p = node(b, MEDIA_DEVICE_PATH, MEDIA_HARDDRIVE_DP, EFI_DP_LEN_HD);

	if (!p)
		return;
	put32(p + 4, part);
	put64(p + 8, start);
	put64(p + 16, size);
	memcpy(p + 24, sig, sig_type == SIGNATURE_TYPE_MBR ? 4 : 16);
	p[40] = mbr_type;
	p[41] = sig_type;
}
