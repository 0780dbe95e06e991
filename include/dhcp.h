/* DHCP packets (pxe/dhcp_packet.c) and the PXE client (pxe/dhcp_client.c).
 * Packet code is pure: it builds and parses buffers and runs in host tests
 * and fuzz targets. Addresses are kept in network byte order. */
#ifndef WB_DHCP_H
#define WB_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_DISCOVER 1
#define DHCP_OFFER 2
#define DHCP_REQUEST 3
#define DHCP_DECLINE 4
#define DHCP_ACK 5
#define DHCP_NAK 6

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define PXE_BOOT_SERVER_PORT 4011
#define DHCP_MAX_PACKET 1472 /* what we accept and advertise (option 57) */
#define DHCP_FIXED_LEN 236
#define DHCP_MAGIC 0x63825363u

/* Client architectures for option 93 (RFC 4578 s.2.1, IANA's Processor
 * Architecture Types): x64 UEFI with PXE, and x64 UEFI HTTP boot. */
#define DHCP_ARCH_X64_UEFI 7
#define DHCP_ARCH_X64_UEFI_HTTP 16

/* What a parsed DHCP message says. Strings are NUL-terminated copies. */
struct dhcp_info {
	uint8_t op;
	uint32_t xid;
	uint8_t chaddr[6];
	uint32_t yiaddr, siaddr, giaddr;
	uint8_t msg_type; /* option 53, 0 if absent (BOOTP) */
	uint32_t server_id;
	uint32_t mask;
	bool has_mask;
	uint32_t routers[4];
	uint8_t nrouters;
	uint32_t dns[4];
	uint8_t ndns;
	uint32_t lease_secs;
	char sname[65];     /* header field, or option 66 (TFTP server name) */
	char file[256];     /* header field, or option 67 (boot file name) */
	char vendor_class[64]; /* option 60 */
	uint8_t pxe_opts[255]; /* option 43, raw (PXE vendor options) */
	uint8_t pxe_opts_len;
	bool is_pxe;  /* option 60 starts with "PXEClient" */
	bool is_http; /* option 60 starts with "HTTPClient" (UEFI 2.10 s.24.7.2) */
};

/* Parse a BOOTREPLY. Returns 0, or a negative DHCP_E* reason. Every option
 * length is checked against the packet; option 52 (overload) is honoured. */
int dhcp_parse(const uint8_t *pkt, size_t len, struct dhcp_info *out);

enum {
	DHCP_E_SHORT = -1,    /* shorter than the fixed header + magic */
	DHCP_E_MAGIC = -2,    /* no DHCP magic cookie */
	DHCP_E_NOT_REPLY = -3,
	DHCP_E_TRUNCATED = -4, /* an option runs past the end of its area */
	DHCP_E_BAD_OPTION = -5, /* a known option with an impossible length */
	/* Refused by the client (pxe/dhcp_client.c), not by the parser: */
	DHCP_E_BAD_ADDRESS = -6, /* yiaddr 0/8, loopback, multicast, broadcast, the
				  * subnet's own or broadcast address */
	DHCP_E_BAD_SERVER = -7,	 /* option 54 not a host address */
	DHCP_E_NAME_TOO_LONG = -8, /* option 67, its RFC 3396 pieces joined, past 255 */
};

const char *dhcp_strerror(int err);

/* First boot server type in PXE vendor options (option 43, sub-option 9,
 * the boot menu: PXE 2.1 s.2.2.4). Returns true and *type if there is one. */
bool dhcp_pxe_menu_type(const uint8_t *opts, size_t len, uint16_t *type);

/* What the client asks with. */
struct dhcp_request {
	uint8_t type; /* DHCP_DISCOVER or DHCP_REQUEST */
	uint32_t xid;
	uint16_t secs;
	uint8_t mac[6];
	uint32_t requested_ip; /* option 50, REQUEST only; 0: absent */
	uint32_t server_id;    /* option 54, REQUEST only; 0: absent */
	uint32_t ciaddr;       /* our address, once we have one */
	bool boot_item;        /* option 43 PXE_BOOT_ITEM (port 4011) ... */
	uint16_t boot_type;    /* ... with this boot server type, layer 0 */
	const uint8_t *uuid;   /* 16 bytes for option 97, or NULL */
	uint16_t arch;         /* option 93: DHCP_ARCH_X64_UEFI or DHCP_ARCH_X64_UEFI_HTTP */
	bool http;             /* vendor class HTTPClient instead of PXEClient */
};

/* Build a BOOTREQUEST with the PXE client options (60, 93, 94, 97, 55,
 * 57): vendor class "PXEClient:Arch:<arch>:UNDI:003016", or with http
 * "HTTPClient:Arch:<arch>:UNDI:003016" (UEFI 2.10 s.24.7.2.1). Returns its
 * length, or 0 if cap is too small. */
size_t dhcp_build(uint8_t *buf, size_t cap, const struct dhcp_request *r);

#endif
