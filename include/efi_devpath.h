/* UEFI device paths (efi/core/devpath.c, devpath_text.c), UEFI 2.10 s.10.
 *
 * A device path is a packed list of nodes, each {Type, SubType, Length[2]}
 * followed by Length - 4 bytes, ended by the End Entire node (0x7F, 0xFF,
 * length 4). Nodes are byte-packed: nothing here reads a field through a
 * struct pointer, so a path may sit at any address.
 *
 * Paths from outside (a program, LoadImage) are hostile: every walk here is
 * bounded by a size, checks each node's length (>= 4, inside the size) and
 * stops at the end node; efi_devpath_size() is the one validator. A path
 * handed over without a size is bounded by EFI_DEVPATH_LIMIT.
 *
 * Builders write nodes through a struct efi_dp_builder, into a caller's
 * buffer or into pool memory (sysmem_zalloc; free with sysmem_free, which
 * is FreePool). The virtio-mmio node is a hardware vendor node (VenHw)
 * with WB_VIRTIO_MMIO_DP_GUID and the device's 64-bit base address. */
#ifndef WB_EFI_DEVPATH_H
#define WB_EFI_DEVPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <efi_types.h>

/* The most bytes a path passed without a size may span. */
#define EFI_DEVPATH_LIMIT (1u << 20)

/* wireboot's vendor GUID for a virtio-mmio transport node:
 * VenHw(C4A829E3-0FD3-4703-B517-BA1C8F245307,<base, 8 bytes little endian>). */
#define WB_VIRTIO_MMIO_DP_GUID                                                                     \
	{                                                                                          \
		0xc4a829e3, 0x0fd3, 0x4703,                                                        \
		{                                                                                  \
			0xb5, 0x17, 0xba, 0x1c, 0x8f, 0x24, 0x53, 0x07                             \
		}                                                                                  \
	}

/* Node lengths of the fixed-size nodes we build (UEFI 2.10 s.10.3). */
#define EFI_DP_LEN_END	  4
#define EFI_DP_LEN_PCI	  6
#define EFI_DP_LEN_ACPI	  12
#define EFI_DP_LEN_MEMMAP 24
#define EFI_DP_LEN_VENDOR 20 /* + vendor data */
#define EFI_DP_LEN_MAC	  37
#define EFI_DP_LEN_IPV4	  27 /* UEFI 2.x: with gateway and subnet mask */
#define EFI_DP_LEN_HD	  42

/* A node's type, subtype and length (the header is byte-packed). */
static inline uint8_t efi_dp_type(const EFI_DEVICE_PATH *n)
{
	return ((const uint8_t *)n)[0];
}
static inline uint8_t efi_dp_subtype(const EFI_DEVICE_PATH *n)
{
	return ((const uint8_t *)n)[1];
}
static inline size_t efi_dp_node_len(const EFI_DEVICE_PATH *n)
{
	const uint8_t *p = (const uint8_t *)n;
	return p[2] | (size_t)p[3] << 8;
}
/* True for either end node (entire path or one instance). */
static inline bool efi_dp_is_end(const EFI_DEVICE_PATH *n)
{
	return efi_dp_type(n) == END_DEVICE_PATH_TYPE;
}
static inline bool efi_dp_is_end_entire(const EFI_DEVICE_PATH *n)
{
	return efi_dp_is_end(n) && efi_dp_subtype(n) == END_ENTIRE_DEVICE_PATH_SUBTYPE;
}

/* Size of the path at dp (every instance, the final end node included) if
 * it is well formed inside limit bytes: every node >= 4 bytes and inside
 * the limit, an End Entire node of length 4 last. 0 when it is not (or dp
 * is NULL). Reads nothing past dp + limit and never loops. */
size_t efi_devpath_size(const EFI_DEVICE_PATH *dp, size_t limit);

static inline bool efi_devpath_valid(const EFI_DEVICE_PATH *dp, size_t limit)
{
	return efi_devpath_size(dp, limit) != 0;
}

/* Bytes before the first end node (of either kind) of a valid path: the
 * size of its first instance without the end node. */
size_t efi_devpath_instance_size(const EFI_DEVICE_PATH *dp);

/* If the first instance of prefix (a valid path) is, node for node, the
 * start of path's first instance (a valid path), its size in bytes: where
 * the remainder of path starts. -1 when it is not a prefix. */
long efi_devpath_prefix(const EFI_DEVICE_PATH *prefix, const EFI_DEVICE_PATH *path);

/* Pool copies (sysmem_zalloc). Each takes paths without a size, bounded by
 * EFI_DEVPATH_LIMIT, and returns NULL when an input is malformed or memory
 * is short. UEFI 2.10 s.10.5 (Device Path Utilities) semantics. */
EFI_DEVICE_PATH *efi_devpath_dup(const EFI_DEVICE_PATH *dp);
/* a without its final end node, then b. A NULL side counts as empty; both
 * NULL gives a lone end node. */
EFI_DEVICE_PATH *efi_devpath_append(const EFI_DEVICE_PATH *a, const EFI_DEVICE_PATH *b);
/* path without its final end node, then one node (length >= 4), then an end. */
EFI_DEVICE_PATH *efi_devpath_append_node(const EFI_DEVICE_PATH *path, const EFI_DEVICE_PATH *node);

/* Builder: nodes appended one after another, then efi_dp_finish(). With a
 * caller buffer, nothing is written past cap; with buf NULL the builder
 * grows pool memory. Any failure (no room, no memory, bad argument) sticks
 * and makes efi_dp_finish() return NULL. */
struct efi_dp_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool pool;
	bool failed;
};

void efi_dp_init(struct efi_dp_builder *b, void *buf, size_t cap);
/* Append the End Entire node and return the path (buf, or the pool block
 * the caller frees with sysmem_free); NULL after any failure (a pool block
 * is freed then). */
EFI_DEVICE_PATH *efi_dp_finish(struct efi_dp_builder *b);

/* Copy every node of a valid path except its final end node. */
void efi_dp_add_path(struct efi_dp_builder *b, const EFI_DEVICE_PATH *path);
/* Any node: type, subtype and len - 4 bytes of data. */
void efi_dp_add_node(struct efi_dp_builder *b, uint8_t type, uint8_t subtype, const void *data,
		     size_t data_len);
/* ACPI PciRoot(uid) (PNP0A03) or, with pcie, PcieRoot(uid) (PNP0A08). s.10.3.3 */
void efi_dp_add_pci_root(struct efi_dp_builder *b, bool pcie, uint32_t uid);
/* Pci(dev,fn), s.10.3.2.1 */
void efi_dp_add_pci(struct efi_dp_builder *b, uint8_t dev, uint8_t fn);
/* MemoryMapped(type,start,end), s.10.3.2.3; end is the last byte. */
void efi_dp_add_memmap(struct efi_dp_builder *b, uint32_t mem_type, uint64_t start, uint64_t end);
/* VenHw / VenMsg / VenMedia (type 1, 3, 4; subtype 4, 10, 3) with data. */
void efi_dp_add_vendor(struct efi_dp_builder *b, uint8_t type, uint8_t subtype,
		       const EFI_GUID *guid, const void *data, size_t data_len);
/* VenHw(WB_VIRTIO_MMIO_DP_GUID, base): a virtio-mmio transport. */
void efi_dp_add_virtio_mmio(struct efi_dp_builder *b, uint64_t base);
/* MAC(addr,if_type), s.10.3.4.11: addr_len bytes (<= 32), zero padded. */
void efi_dp_add_mac(struct efi_dp_builder *b, const uint8_t *addr, size_t addr_len,
		    uint8_t if_type);

/* IPv4 node fields (addresses in network order), s.10.3.4.12. */
struct efi_dp_ipv4 {
	uint8_t local[4], remote[4];
	uint16_t local_port, remote_port;
	uint16_t protocol; /* 6 TCP, 17 UDP */
	bool static_ip;
	uint8_t gateway[4], mask[4];
};
void efi_dp_add_ipv4(struct efi_dp_builder *b, const struct efi_dp_ipv4 *ip);
/* Dns(a,b...), s.10.3.4.32: n IPv4 servers (network order), each stored
 * as a 16-byte EFI_IP_ADDRESS. */
#define EFI_DP_MSG_DNS 31
void efi_dp_add_dns4(struct efi_dp_builder *b, const uint32_t *servers, size_t n);
/* Uri(...), s.10.3.4.23: len bytes, no terminator. */
void efi_dp_add_uri(struct efi_dp_builder *b, const char *uri, size_t len);
/* A file path node, s.10.3.5.4: ASCII text to UCS-2 with a NUL; '/' becomes
 * '\'. Bytes >= 0x80 fail the builder (no guessing an encoding). */
void efi_dp_add_file(struct efi_dp_builder *b, const char *path);
/* HD(part,MBR|GPT,sig,start,size), s.10.3.5.1: sig_type 1 (MBR, 4 bytes of
 * sig used) or 2 (GPT, a 16-byte GUID); start and size in blocks. */
void efi_dp_add_hd(struct efi_dp_builder *b, uint32_t part, uint64_t start, uint64_t size,
		   const uint8_t sig[16], uint8_t mbr_type, uint8_t sig_type);

/* Device Path To Text (efi/core/devpath_text.c), UEFI 2.10 s.10.6: pool
 * UCS-2 strings, NULL on malformed input or no memory. The internal forms
 * take an explicit size; efi_devpath_text_node reads one node of at most
 * len bytes, efi_devpath_text a whole path inside size bytes. */
CHAR16 *efi_devpath_text_node(const EFI_DEVICE_PATH *node, size_t len);
CHAR16 *efi_devpath_text(const EFI_DEVICE_PATH *dp, size_t size);

/* The protocol instance to install (EFI_DEVICE_PATH_TO_TEXT_PROTOCOL_GUID).
 * DisplayOnly and AllowShortcuts are accepted and ignored: the full form
 * is always produced. */
extern EFI_DEVICE_PATH_TO_TEXT_PROTOCOL efi_devpath_to_text_protocol;

#endif
