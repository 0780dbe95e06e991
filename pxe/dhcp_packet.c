/* DHCP (RFC 2131/2132) packets with PXE client options (RFC 4578, PXE 2.1
 * spec). Pure code over buffers. */
#include <string.h>
#include <dhcp.h>

#define OPT_PAD 0
#define OPT_MASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_VENDOR 43
#define OPT_REQ_IP 50
#define OPT_LEASE 51
#define OPT_OVERLOAD 52
#define OPT_MSG_TYPE 53
#define OPT_SERVER_ID 54
#define OPT_PARAMS 55
#define OPT_MAX_SIZE 57
#define OPT_CLASS_ID 60
#define OPT_TFTP_SERVER 66
#define OPT_BOOTFILE 67
#define OPT_ARCH 93
#define OPT_NDI 94
#define OPT_UUID 97
#define OPT_END 255

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	size_t n = strnlen((const char *)src, len);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* RFC 3396 s.6: a repeated option continues the one before it (options
 * area, then file, then sname). A name that no longer fits is refused: cut,
 * it would name another file. */
static int append_str(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	size_t have = strlen(dst), n = strnlen((const char *)src, len);

	if (have + n >= cap)
		return DHCP_E_NAME_TOO_LONG;
	memcpy(dst + have, src, n);
	dst[have + n] = '\0';
	return 0;
}

/* Apply one option; returns 0 or a DHCP_E_* reason. */
static int take_option(struct dhcp_info *d, uint8_t code, const uint8_t *v, uint8_t len)
{
	switch (code) {
	case OPT_MSG_TYPE:
		if (len != 1)
			return DHCP_E_BAD_OPTION;
		d->msg_type = v[0];
		break;
	case OPT_SERVER_ID:
		if (len != 4)
			return DHCP_E_BAD_OPTION;
		d->server_id = rd32(v);
		break;
	case OPT_MASK:
		if (len != 4)
			return DHCP_E_BAD_OPTION;
		d->mask = rd32(v);
		d->has_mask = true;
		break;
	case OPT_ROUTER:
	case OPT_DNS: {
		if (len % 4 || !len)
			return DHCP_E_BAD_OPTION;
		uint32_t *list = code == OPT_ROUTER ? d->routers : d->dns;
		uint8_t *n = code == OPT_ROUTER ? &d->nrouters : &d->ndns;
		for (uint8_t i = 0; i < len / 4 && *n < 4; i++)
			list[(*n)++] = rd32(v + 4 * i);
		break;
	}
	case OPT_LEASE:
		if (len != 4)
			return DHCP_E_BAD_OPTION;
		d->lease_secs = __builtin_bswap32(rd32(v));
		break;
	case OPT_TFTP_SERVER:
		copy_str(d->sname, sizeof(d->sname), v, len);
		break;
	case OPT_BOOTFILE:
		return append_str(d->file, sizeof(d->file), v, len);
	case OPT_CLASS_ID:
		copy_str(d->vendor_class, sizeof(d->vendor_class), v, len);
		d->is_pxe = len >= 9 && !memcmp(v, "PXEClient", 9);
		d->is_http = len >= 10 && !memcmp(v, "HTTPClient", 10);
		break;
	case OPT_VENDOR: {
		/* RFC 3396: a repeated option continues the previous one. */
		size_t room = sizeof(d->pxe_opts) - d->pxe_opts_len;
		size_t n = len < room ? len : room;
		memcpy(d->pxe_opts + d->pxe_opts_len, v, n);
		d->pxe_opts_len = (uint8_t)(d->pxe_opts_len + n);
		break;
	}
	default:
		break;
	}
	return 0;
}

/* Walk an option area; *overload gets option 52's value if seen. */
static int walk_options(struct dhcp_info *d, const uint8_t *p, size_t len, uint8_t *overload)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i++];
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return 0;
		if (i >= len)
			return DHCP_E_TRUNCATED;
		uint8_t olen = p[i++];
		if (olen > len - i)
			return DHCP_E_TRUNCATED;
		if (code == OPT_OVERLOAD && overload) {
			if (olen != 1)
				return DHCP_E_BAD_OPTION;
			*overload = p[i];
		} else {
			int rc = take_option(d, code, p + i, olen);
			if (rc)
				return rc;
		}
		i += olen;
	}
	return 0; /* a missing END is tolerated: many servers pad instead */
}

int dhcp_parse(const uint8_t *pkt, size_t len, struct dhcp_info *d)
{
	memset(d, 0, sizeof(*d));
	if (len < DHCP_FIXED_LEN + 4)
		return DHCP_E_SHORT;
	if (__builtin_bswap32(rd32(pkt + DHCP_FIXED_LEN)) != DHCP_MAGIC)
		return DHCP_E_MAGIC;
	d->op = pkt[0];
	if (d->op != 2)
		return DHCP_E_NOT_REPLY;
	d->xid = __builtin_bswap32(rd32(pkt + 4));
	d->yiaddr = rd32(pkt + 16);
	d->siaddr = rd32(pkt + 20);
	d->giaddr = rd32(pkt + 24);
	memcpy(d->chaddr, pkt + 28, 6);

	uint8_t overload = 0;
	int rc = walk_options(d, pkt + DHCP_FIXED_LEN + 4, len - DHCP_FIXED_LEN - 4, &overload);
	if (rc)
		return rc;
	/* RFC 2132 s.9.3: file (1), sname (2) or both (3) carry options. Option
	 * 66/67 already copied win over the header fields, as in PXE clients. */
	char file_opt[sizeof(d->file)], sname_opt[sizeof(d->sname)];
	memcpy(file_opt, d->file, sizeof(file_opt));
	memcpy(sname_opt, d->sname, sizeof(sname_opt));
	if (overload & 1) {
		if ((rc = walk_options(d, pkt + 108, 128, NULL)))
			return rc;
	}
	if (overload & 2) {
		if ((rc = walk_options(d, pkt + 44, 64, NULL)))
			return rc;
	}
	if (!file_opt[0] && !(overload & 1) && !d->file[0])
		copy_str(d->file, sizeof(d->file), pkt + 108, 128);
	if (!sname_opt[0] && !(overload & 2) && !d->sname[0])
		copy_str(d->sname, sizeof(d->sname), pkt + 44, 64);
	return 0;
}

bool dhcp_pxe_menu_type(const uint8_t *o, size_t len, uint16_t *type)
{
	for (size_t i = 0; i + 1 < len;) {
		uint8_t code = o[i], olen = o[i + 1];
		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END || olen > len - i - 2)
			return false;
		/* Boot menu entries: type (2), description length (1), description. */
		if (code == 9 && olen >= 3) {
			*type = (uint16_t)(o[i + 2] << 8 | o[i + 3]);
			return true;
		}
		i += 2 + (size_t)olen;
	}
	return false;
}

const char *dhcp_strerror(int err)
{
	switch (err) {
	case DHCP_E_SHORT: return "shorter than a DHCP header";
	case DHCP_E_MAGIC: return "no DHCP magic cookie";
	case DHCP_E_NOT_REPLY: return "not a BOOTREPLY";
	case DHCP_E_TRUNCATED: return "an option runs past the end of the packet";
	case DHCP_E_BAD_OPTION: return "an option has an impossible length";
	case DHCP_E_BAD_ADDRESS: return "an offered address no host can have";
	case DHCP_E_BAD_SERVER: return "a server identifier no host can have";
	case DHCP_E_NAME_TOO_LONG: return "a boot file name (option 67) longer than 255 bytes";
	default: return "malformed";
	}
}

/* Append one option; returns the new position or 0 if it does not fit. */
static size_t put_opt(uint8_t *buf, size_t pos, size_t cap, uint8_t code, const void *v,
		      uint8_t len)
{
	if (!pos || pos + 2 + len > cap)
		return 0;
	buf[pos] = code;
	buf[pos + 1] = len;
	memcpy(buf + pos + 2, v, len);
	return pos + 2 + len;
}

size_t dhcp_build(uint8_t *buf, size_t cap, const struct dhcp_request *r)
{
	if (cap < DHCP_FIXED_LEN + 4 + 1)
		return 0;
	memset(buf, 0, cap < 300 ? cap : 300);
	buf[0] = 1; /* BOOTREQUEST */
	buf[1] = 1; /* Ethernet */
	buf[2] = 6;
	uint32_t xid = __builtin_bswap32(r->xid);
	memcpy(buf + 4, &xid, 4);
	buf[8] = (uint8_t)(r->secs >> 8);
	buf[9] = (uint8_t)r->secs;
	if (!r->ciaddr)
		buf[10] = 0x80; /* broadcast flag: we cannot take unicast before bound */
	memcpy(buf + 12, &r->ciaddr, 4);
	memcpy(buf + 28, r->mac, 6);
	uint32_t magic = __builtin_bswap32(DHCP_MAGIC);
	memcpy(buf + DHCP_FIXED_LEN, &magic, 4);

	size_t pos = DHCP_FIXED_LEN + 4;
	pos = put_opt(buf, pos, cap, OPT_MSG_TYPE, &r->type, 1);
	if (r->requested_ip)
		pos = put_opt(buf, pos, cap, OPT_REQ_IP, &r->requested_ip, 4);
	if (r->server_id)
		pos = put_opt(buf, pos, cap, OPT_SERVER_ID, &r->server_id, 4);
	uint8_t maxsz[2] = { DHCP_MAX_PACKET >> 8, DHCP_MAX_PACKET & 0xff };
	pos = put_opt(buf, pos, cap, OPT_MAX_SIZE, maxsz, 2);
	/* What a PXE client asks for (PXE 2.1 s.2.2.1), plus DNS and domain. */
	static const uint8_t params[] = { 1, 3, 6, 12, 15, 28, 43, 51, 54, 58, 59, 60, 66, 67,
					  97, 128, 129, 130, 131, 132, 133, 134, 135 };
	pos = put_opt(buf, pos, cap, OPT_PARAMS, params, sizeof(params));
	uint8_t arch[2] = { (uint8_t)(r->arch >> 8), (uint8_t)r->arch };
	pos = put_opt(buf, pos, cap, OPT_ARCH, arch, 2);
	static const uint8_t ndi[3] = { 1, 3, 16 }; /* UNDI 3.16 */
	pos = put_opt(buf, pos, cap, OPT_NDI, ndi, 3);
	if (r->boot_item) {
		/* PXE 2.1 s.2.2.5: boot server request, PXE_BOOT_ITEM (71): type, layer 0. */
		uint8_t item[7] = { 71, 4, (uint8_t)(r->boot_type >> 8), (uint8_t)r->boot_type, 0, 0,
				    255 };
		pos = put_opt(buf, pos, cap, OPT_VENDOR, item, sizeof(item));
	}
	if (r->uuid) {
		uint8_t u[17] = { 0 };
		memcpy(u + 1, r->uuid, 16);
		pos = put_opt(buf, pos, cap, OPT_UUID, u, 17);
	}
	/* "PXEClient:Arch:00007:UNDI:003016" (or HTTPClient for HTTP boot). */
	char cls[40];
	const char *prefix = r->http ? "HTTPClient:Arch:" : "PXEClient:Arch:";
	size_t n = strlen(prefix);
	memcpy(cls, prefix, n);
	unsigned v = r->arch;
	for (int i = 4; i >= 0; i--, v /= 10)
		cls[n + (size_t)i] = (char)('0' + v % 10);
	memcpy(cls + n + 5, ":UNDI:003016", 12);
	pos = put_opt(buf, pos, cap, OPT_CLASS_ID, cls, (uint8_t)(n + 17));
	if (!pos || pos + 1 > cap)
		return 0;
	buf[pos++] = OPT_END;
	/* Pad to the 300-byte BOOTP minimum some relays insist on. */
	while (pos < 300 && pos < cap)
		buf[pos++] = OPT_PAD;
	return pos;
}
