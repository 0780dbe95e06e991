/* PXE DHCP client: DISCOVER, collect offers (address offers and proxyDHCP
 * offers, RFC 2131 s.4.4.1 and PXE 2.1 s.2.2), REQUEST, ACK. As a PXE
 * client or, with c->http, as a UEFI HTTP Boot client (UEFI 2.10
 * s.24.7.2: the same exchange, another vendor class; an offer whose
 * option 60 is HTTPClient carries a URL as its boot file). Jittered
 * exponential backoff and a fresh random xid per attempt, so VMs powered
 * on together spread out. */
#include <string.h>
#include <dhcp_client.h>

static bool has_boot_info(const struct dhcp_info *d)
{
	return d->file[0] || d->pxe_opts_len;
}

/* Retransmission interval with +-50% jitter, doubling up to the cap. */
static uint64_t next_interval(struct dhcp_client *c)
{
	uint32_t base = c->retry_ms;
	uint32_t jitter = c->rand() % (base + 1);

	c->retry_ms = base * 2 > DHCP_MAX_RETRY_MS ? DHCP_MAX_RETRY_MS : base * 2;
	return base / 2 + jitter;
}

/* True for an address one host can have: not 0/8, loopback, multicast,
 * reserved or broadcast (RFC 1122 s.3.2.1.3). Addresses are in network
 * byte order, so the first octet is the low byte. */
static bool is_host_address(uint32_t a)
{
	uint8_t first = (uint8_t)a;

	return first != 0 && first != 127 && first < 224;
}

/* An offered address is a host's, and not its subnet's own or broadcast
 * address under the mask named (RFC 1122 s.3.2.1.3; mask 0: none named;
 * /31 and /32 have no such addresses, RFC 3021). */
static bool address_ok(uint32_t a, uint32_t mask)
{
	uint32_t hostmask = ~mask, host = a & hostmask;

	if (!is_host_address(a))
		return false;
	if (!mask || !(hostmask & (hostmask - 1)))
		return true; /* no mask named, or /31, /32: one bit or none */
	return host && host != hostmask;
}

/* A reply the client will not use though it parsed: counted with the
 * malformed ones, so the log says what was ignored. */
static void refuse(struct dhcp_client *c, int why)
{
	c->malformed++;
	c->last_error = why;
}

/* Where a server's files are: its siaddr when that names a host, else the
 * server itself (its server id, already checked to be a host address). */
static uint32_t next_server(const struct dhcp_info *d)
{
	return is_host_address(d->siaddr) ? d->siaddr : d->server_id;
}

/* Where a proxyDHCP's boot server listens: its siaddr, else its server id. */
static uint32_t proxy_address(const struct dhcp_client *c)
{
	return next_server(&c->proxy);
}

static uint16_t secs_since_start(const struct dhcp_client *c, uint64_t now)
{
	uint64_t s = (now - c->start_ms) / 1000;
	return s > 0xffff ? 0xffff : (uint16_t)s;
}

static void send_msg(struct dhcp_client *c, uint64_t now, uint8_t type, struct dhcp_packet *keep)
{
	bool to_proxy = c->state == DHCP_PROXY_REQUESTING;
	struct dhcp_request r = {
		.type = type,
		.xid = c->xid,
		.secs = secs_since_start(c, now),
		.uuid = c->uuid,
		.arch = c->http ? DHCP_ARCH_X64_UEFI_HTTP : DHCP_ARCH_X64_UEFI,
		.http = c->http,
	};
	struct dhcp_packet tmp, *p = keep ? keep : &tmp;

	memcpy(r.mac, c->mac, 6);
	if (to_proxy) {
		/* With a boot menu, ask for its first item; without one (dnsmasq
		 * sends EFI clients here with none) a plain request gets the file. */
		r.ciaddr = c->ack.yiaddr;
		r.boot_item = dhcp_pxe_menu_type(c->proxy.pxe_opts, c->proxy.pxe_opts_len,
						 &r.boot_type);
	} else if (type == DHCP_REQUEST) {
		r.requested_ip = c->offer.yiaddr;
		r.server_id = c->offer.server_id;
	}
	p->len = dhcp_build(p->data, sizeof(p->data), &r);
	if (!p->len)
		return;
	if (to_proxy)
		c->send(c->ctx, p->data, p->len, proxy_address(c), PXE_BOOT_SERVER_PORT);
	else
		c->send(c->ctx, p->data, p->len, 0xffffffffu, DHCP_SERVER_PORT);
}

/* DISCOVER; a fresh xid only when starting over, so a slow server's answer
 * to an earlier retransmission still counts. Offers belong to their xid:
 * they are forgotten only when the xid changes. */
static void discover(struct dhcp_client *c, uint64_t now, bool new_xid)
{
	c->state = DHCP_SELECTING;
	if (new_xid) {
		c->xid = c->rand();
		c->have_offer = false;
	}
	c->discovers++;
	send_msg(c, now, DHCP_DISCOVER, &c->discover_pkt);
	c->next_tx_ms = now + next_interval(c);
}

/* First REQUEST for the offer we hold (RFC 2131 s.4.4.1). */
static void request(struct dhcp_client *c, uint64_t now)
{
	c->state = DHCP_REQUESTING;
	c->requests++;
	c->offer_requests = 1;
	c->retry_ms = DHCP_FIRST_RETRY_MS;
	send_msg(c, now, DHCP_REQUEST, NULL);
	c->next_tx_ms = now + next_interval(c);
}

void dhcp_client_start(struct dhcp_client *c, uint64_t now)
{
	c->start_ms = now;
	c->retry_ms = DHCP_FIRST_RETRY_MS;
	c->discovers = c->requests = c->naks = c->malformed = c->proxy_requests = 0;
	c->have_proxy = c->have_proxy_ack = false;
	c->why[0] = '\0';
	discover(c, now, true);
}

static void fail(struct dhcp_client *c, const char *why)
{
	c->state = DHCP_FAILED;
	size_t n = strlen(why);
	if (n >= sizeof(c->why))
		n = sizeof(c->why) - 1;
	memcpy(c->why, why, n);
	c->why[n] = '\0';
}

static void keep(struct dhcp_packet *dst, const uint8_t *pkt, size_t len)
{
	dst->len = len < sizeof(dst->data) ? len : sizeof(dst->data);
	memcpy(dst->data, pkt, dst->len);
}

static void on_offer(struct dhcp_client *c, uint64_t now, const struct dhcp_info *d,
		     const uint8_t *pkt, size_t len)
{
	if (!d->yiaddr) {
		/* proxyDHCP: boot information only (PXE 2.1 s.2.2.2; UEFI 2.10
		 * s.24.7.2.2 for an HTTPClient one, which must name its URL).
		 * Keep the first. */
		bool boot_only = d->is_pxe || (d->is_http && d->file[0]);
		if (boot_only && !is_host_address(d->server_id)) {
			refuse(c, DHCP_E_BAD_SERVER);
		} else if (boot_only && !c->have_proxy) {
			c->proxy = *d;
			keep(&c->proxy_pkt, pkt, len);
			c->have_proxy = true;
		}
	} else if (c->state != DHCP_SELECTING) {
		/* An address offer while we request one: not needed. */
	} else if (!is_host_address(d->server_id)) {
		refuse(c, DHCP_E_BAD_SERVER);
	} else if (!address_ok(d->yiaddr, d->has_mask ? d->mask : 0)) {
		refuse(c, DHCP_E_BAD_ADDRESS);
	} else {
		/* Address offer: the first one, or a later one that also carries
		 * boot information when the one we hold does not. */
		if (!c->have_offer) {
			c->offer = *d;
			keep(&c->offer_pkt, pkt, len);
			c->have_offer = true;
			/* The window never runs past the deadline: an offer in
			 * its last 1.5 s is requested when it comes. */
			c->window_end_ms = now + DHCP_OFFER_WINDOW_MS;
			if (c->window_end_ms > c->start_ms + c->timeout_ms)
				c->window_end_ms = c->start_ms + c->timeout_ms;
		} else if (!has_boot_info(&c->offer) && has_boot_info(d)) {
			c->offer = *d;
			keep(&c->offer_pkt, pkt, len);
		}
	}
	if (c->state == DHCP_SELECTING && c->have_offer &&
	    (has_boot_info(&c->offer) || c->have_proxy || c->address_only))
		request(c, now);
}

void dhcp_client_input(struct dhcp_client *c, uint64_t now, const uint8_t *pkt, size_t len)
{
	struct dhcp_info d;

	if (c->state != DHCP_SELECTING && c->state != DHCP_REQUESTING &&
	    c->state != DHCP_PROXY_REQUESTING)
		return;
	int rc = dhcp_parse(pkt, len, &d);
	if (rc) {
		c->malformed++;
		c->last_error = rc;
		return;
	}
	if (d.xid != c->xid || memcmp(d.chaddr, c->mac, 6))
		return; /* someone else's conversation */
	switch (d.msg_type) {
	case DHCP_OFFER:
		on_offer(c, now, &d, pkt, len);
		break;
	case DHCP_ACK:
		if (c->state == DHCP_PROXY_REQUESTING) {
			/* The boot server's answer (PXE 2.1 s.2.2.5). */
			if (d.server_id && d.server_id != c->proxy.server_id &&
			    d.server_id != proxy_address(c))
				return;
			c->proxy_ack = d;
			keep(&c->proxy_ack_pkt, pkt, len);
			c->have_proxy_ack = true;
			c->state = DHCP_BOUND;
			return;
		}
		if (c->state != DHCP_REQUESTING ||
		    (d.server_id && d.server_id != c->offer.server_id))
			return;
		uint32_t mask = d.has_mask ? d.mask : c->offer.has_mask ? c->offer.mask : 0;
		if (!address_ok(d.yiaddr, mask)) {
			refuse(c, DHCP_E_BAD_ADDRESS);
			return;
		}
		c->ack = d;
		keep(&c->ack_pkt, pkt, len);
		if (!d.file[0] && !c->offer.file[0] && c->have_proxy && !c->proxy.file[0]) {
			/* A proxy offered PXE service without naming a file: ask its
			 * boot server, once the caller has configured our address. */
			c->state = DHCP_PROXY_REQUESTING;
			c->proxy_requests = 0;
			c->retry_ms = DHCP_FIRST_RETRY_MS;
			c->next_tx_ms = now;
			return;
		}
		c->state = DHCP_BOUND;
		break;
	case DHCP_NAK:
		if (c->state != DHCP_REQUESTING ||
		    (d.server_id && d.server_id != c->offer.server_id))
			return;
		if (++c->naks >= DHCP_MAX_NAKS) {
			fail(c, "the server refused our request (DHCPNAK) three times");
			return;
		}
		c->retry_ms = DHCP_FIRST_RETRY_MS;
		discover(c, now, true);
		break;
	default:
		break;
	}
}

void dhcp_client_tick(struct dhcp_client *c, uint64_t now)
{
	if (c->state == DHCP_PROXY_REQUESTING) {
		if (now < c->next_tx_ms)
			return;
		if (c->proxy_requests == DHCP_PROXY_TRIES) {
			/* Bound all the same: the address is good, only boot info is missing. */
			c->state = DHCP_BOUND;
			return;
		}
		c->proxy_requests++;
		send_msg(c, now, DHCP_REQUEST, NULL);
		c->next_tx_ms = now + c->retry_ms;
		c->retry_ms *= 2;
		return;
	}
	if (c->state != DHCP_SELECTING && c->state != DHCP_REQUESTING)
		return;
	if (c->state == DHCP_SELECTING && c->have_offer) {
		/* An offer is held: DISCOVER is retransmitted only while nothing
		 * answered (RFC 2131 s.4.1), so the window alone decides when
		 * to request it (at the deadline at the latest). */
		if (now >= c->window_end_ms)
			request(c, now);
		return;
	}
	/* A REQUEST under way gets DHCP_REQUEST_GRACE_MS past the deadline
	 * for its ACK: an offer that came late is not lost to the clock. */
	uint64_t limit = c->timeout_ms + (c->state == DHCP_REQUESTING ? DHCP_REQUEST_GRACE_MS : 0);
	if (now - c->start_ms >= limit) {
		fail(c, c->have_offer ? "no DHCPACK for our request"
		     : c->malformed ? "only malformed replies"
				    : "no DHCP offer");
		return;
	}
	if (now < c->next_tx_ms)
		return;
	if (c->state == DHCP_SELECTING) {
		discover(c, now, false);
	} else if (c->offer_requests >= DHCP_MAX_REQUESTS) {
		/* The offering server went quiet: start over, unless the
		 * deadline has passed (the grace was for this REQUEST). */
		if (now - c->start_ms >= c->timeout_ms) {
			fail(c, "no DHCPACK for our request");
			return;
		}
		c->retry_ms = DHCP_FIRST_RETRY_MS;
		discover(c, now, true);
	} else {
		c->requests++;
		c->offer_requests++;
		send_msg(c, now, DHCP_REQUEST, NULL);
		c->next_tx_ms = now + next_interval(c);
	}
}

/* Class-based mask for a server that sent none (RFC 2132 s.3.3 says
 * servers should; some do not). */
static uint32_t default_mask(uint32_t addr_be)
{
	uint8_t first = (uint8_t)addr_be;

	if (first < 128)
		return 0x000000ffu;
	if (first < 192)
		return 0x0000ffffu;
	return 0x00ffffffu;
}

void dhcp_client_lease(const struct dhcp_client *c, struct dhcp_lease *l)
{
	const struct dhcp_info *a = &c->ack;

	memset(l, 0, sizeof(*l));
	l->addr = a->yiaddr;
	l->mask = a->has_mask ? a->mask : c->offer.has_mask ? c->offer.mask : default_mask(a->yiaddr);
	l->router = a->nrouters ? a->routers[0] : c->offer.nrouters ? c->offer.routers[0] : 0;
	const struct dhcp_info *dn = a->ndns ? a : &c->offer;
	for (uint8_t i = 0; i < dn->ndns && i < 2; i++)
		l->dns[i] = dn->dns[i];
	l->server = a->server_id ? a->server_id : c->offer.server_id;
	l->lease_secs = a->lease_secs ? a->lease_secs : c->offer.lease_secs;

	const struct dhcp_info *boot = NULL;
	if (a->file[0])
		boot = a;
	else if (c->offer.file[0])
		boot = &c->offer;
	else if (c->have_proxy && c->proxy.file[0])
		boot = &c->proxy;
	else if (c->have_proxy_ack && c->proxy_ack.file[0])
		boot = &c->proxy_ack;
	if (!boot) {
		l->proxy_silent = c->have_proxy && !c->have_proxy_ack && c->proxy_requests;
		if (c->have_proxy)
			l->proxy_server = c->proxy.server_id;
		return;
	}
	memcpy(l->boot_file, boot->file, sizeof(l->boot_file));
	memcpy(l->tftp_server_name, boot->sname, sizeof(l->tftp_server_name));
	l->next_server = next_server(boot);
	if (boot == &c->proxy_ack && !is_host_address(boot->siaddr))
		l->next_server = proxy_address(c);
	else if (!l->next_server)
		l->next_server = l->server; /* an ACK without siaddr or server id */
	l->boot_from_proxy = boot == &c->proxy || boot == &c->proxy_ack;
	l->boot_http_class = boot->is_http;
	if (l->boot_from_proxy)
		l->proxy_server = c->proxy.server_id;
}
