/* Runs the DHCP client on lwIP UDP, one client per NIC, all at once. */
#include <string.h>
#include <clock.h>
#include <format.h>
#include <log.h>
#include <pxe.h>
#include <random.h>
#include <sysmem.h>
#include "lwip/dns.h"
#include "lwip/udp.h"

struct dhcp_nic {
	struct dhcp_client c;
	struct net_if *ni;
	bool configured;
	enum dhcp_state logged; /* last state shown in the debug log */
	bool had_proxy;
};

static const char *state_name(enum dhcp_state s)
{
	static const char *const names[] = { "idle", "selecting", "requesting",
					     "asking proxyDHCP boot server", "bound", "failed" };
	return s <= DHCP_FAILED ? names[s] : "?";
}

/* Debug trace of the exchange: state changes and the proxy's offer. */
static void trace(struct dhcp_nic *dn)
{
	if (dn->c.state != dn->logged) {
		log_debug("dhcp: net%zu %s (xid %#x, %u discovers, %u requests)", dn->ni->index,
			  state_name(dn->c.state), dn->c.xid, dn->c.discovers, dn->c.requests);
		dn->logged = dn->c.state;
	}
	if (dn->c.have_proxy && !dn->had_proxy) {
		char a[16];
		log_debug("dhcp: net%zu proxyDHCP offer from %s", dn->ni->index,
			  pxe_ip_str(dn->c.proxy.server_id, a));
		dn->had_proxy = true;
	}
}

/* One UDP port 68 for every NIC: replies are told apart by the interface
 * they came in on, requests go out on a chosen interface. */
static struct udp_pcb *pcb;
static struct dhcp_nic *clients;
static size_t nclients;

const char *pxe_ip_str(uint32_t a, char *buf)
{
	const uint8_t *b = (const uint8_t *)&a;

	format_buf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

static void dhcp_send(void *ctx, const uint8_t *pkt, size_t len, uint32_t dst, uint16_t port)
{
	struct dhcp_nic *dn = ctx;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);

	if (!p)
		return;
	memcpy(p->payload, pkt, len);
	if (dst == 0xffffffffu) {
		udp_sendto_if_src(pcb, p, IP4_ADDR_BROADCAST, port, &dn->ni->nif, IP4_ADDR_ANY4);
	} else {
		ip_addr_t to;
		ip_addr_set_ip4_u32(&to, dst);
		udp_sendto_if(pcb, p, &to, port, &dn->ni->nif);
	}
	pbuf_free(p);
}

static void dhcp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		      u16_t port)
{
	static uint8_t buf[DHCP_MAX_PACKET];
	struct netif *inp = ip_current_input_netif();
	struct dhcp_nic *dn = NULL;

	for (size_t i = 0; i < nclients; i++)
		if (&clients[i].ni->nif == inp)
			dn = &clients[i];
	if (!dn) {
		pbuf_free(p);
		return;
	}
	/* Longer replies are cut to what we advertised (option 57). */
	u16_t len = p->tot_len < sizeof(buf) ? p->tot_len : sizeof(buf);
	pbuf_copy_partial(p, buf, len, 0);
	pbuf_free(p);
	dhcp_client_input(&dn->c, clock_ms(), buf, len);
}

static void configure(struct net_if *ni, const struct dhcp_lease *l)
{
	ip4_addr_t a, m, g;

	ip4_addr_set_u32(&a, l->addr);
	ip4_addr_set_u32(&m, l->mask);
	ip4_addr_set_u32(&g, l->router);
	netif_set_addr(&ni->nif, &a, &m, &g);
	netif_set_default(&ni->nif);
	/* The lease's name servers (option 6) answer lwIP's DNS: URLs name hosts. */
	for (u8_t i = 0; i < DNS_MAX_SERVERS && i < 2; i++) {
		ip_addr_t d;
		ip_addr_set_ip4_u32(&d, l->dns[i]);
		dns_setserver(i, &d);
	}
}

static void log_lease(const struct dhcp_nic *dn, const struct dhcp_lease *l, uint64_t ms)
{
	char a[16], r[16], d[16], s[16], n[16], px[16];
	int prefix = 0;
	for (uint32_t m = l->mask; m; m &= m - 1)
		prefix++;

	log_info("dhcp: net%zu lease %s/%d router %s dns %s lease %us server %s in %llu ms%s",
		 dn->ni->index, pxe_ip_str(l->addr, a), prefix,
		 l->router ? pxe_ip_str(l->router, r) : "none",
		 l->dns[0] ? pxe_ip_str(l->dns[0], d) : "none", l->lease_secs,
		 pxe_ip_str(l->server, s), (unsigned long long)ms,
		 dn->c.http ? " (as HTTPClient)" : "");
	if (l->boot_file[0])
		log_info("dhcp: net%zu next-server %s boot-file '%s'%s%s%s", dn->ni->index,
			 pxe_ip_str(l->next_server, n), l->boot_file,
			 l->boot_from_proxy ? " from proxyDHCP " : "",
			 l->boot_from_proxy ? pxe_ip_str(l->proxy_server, px) : "",
			 l->boot_http_class ? " (HTTPClient offer)" : "");
	else if (l->proxy_silent)
		log_warn("dhcp: net%zu proxyDHCP %s offered PXE service but its boot server "
			 "(port %d) did not answer; no boot file", dn->ni->index,
			 pxe_ip_str(l->proxy_server, px), PXE_BOOT_SERVER_PORT);
	else
		log_info("dhcp: net%zu no boot file offered%s", dn->ni->index,
			 dn->c.have_proxy ? " (a proxyDHCP answered without one)" : "");
}

/* "no DHCP offer on net0 in 10.0 s", one clause per NIC that failed. */
static void failure_reason(const struct dhcp_nic *dns, size_t n, uint64_t ms, char *why,
			   size_t size)
{
	size_t used = 0;

	why[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)format_buf(why + used, size - used, "%s%s on net%zu",
					   used ? "; " : "",
					   dns[i].c.why[0] ? dns[i].c.why : "no lease",
					   dns[i].ni->index);
	if (used < size)
		format_buf(why + used, size - used, " in %llu.%llu s",
			   (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000 / 100));
}

int pxe_dhcp(struct pxe_dhcp_result *out, const struct pxe_dhcp_args *args)
{
	const uint8_t *uuid = args->uuid;
	size_t n = net_count();
	struct dhcp_nic *dns = sysmem_zalloc(sizeof(*dns) * (n ? n : 1));
	int rc = -1;

	out->why[0] = '\0';
	if (!n) {
		format_buf(out->why, sizeof(out->why), "no network interface came up");
		sysmem_free(dns);
		return -1;
	}
	if (!dns) {
		format_buf(out->why, sizeof(out->why), "out of memory for DHCP");
		return -1;
	}
	pcb = udp_new();
	if (!pcb || udp_bind(pcb, IP4_ADDR_ANY, DHCP_CLIENT_PORT) != ERR_OK) {
		format_buf(out->why, sizeof(out->why), "cannot open UDP port 68");
		if (pcb)
			udp_remove(pcb);
		sysmem_free(dns);
		return -1;
	}
	udp_recv(pcb, dhcp_recv, NULL);
	clients = dns;
	nclients = n;
	uint64_t t0 = clock_ms();
	for (size_t i = 0; i < n; i++) {
		struct dhcp_nic *dn = &dns[i];
		dn->ni = net_get(i);
		memcpy(dn->c.mac, dn->ni->nif.hwaddr, 6);
		random_mix(dn->c.mac, 6);
		if (uuid)
			random_mix(uuid, 16);
		dn->c.uuid = uuid;
		dn->c.timeout_ms = args->timeout_ms;
		dn->c.http = args->http;
		dn->c.address_only = args->address_only;
		dn->c.send = dhcp_send;
		dn->c.rand = random_u32;
		dn->c.ctx = dn;
		dhcp_client_start(&dn->c, clock_ms());
	}

	struct dhcp_nic *won = NULL;
	for (;;) {
		net_poll();
		bool active = false;
		for (size_t i = 0; i < n && !won; i++) {
			struct dhcp_nic *dn = &dns[i];
			if (dn->c.state == DHCP_PROXY_REQUESTING && !dn->configured) {
				/* The boot server request goes out from our new address. */
				struct dhcp_lease l;
				dhcp_client_lease(&dn->c, &l);
				configure(dn->ni, &l);
				dn->configured = true;
			}
			dhcp_client_tick(&dn->c, clock_ms());
			trace(dn);
			if (dn->c.state == DHCP_BOUND)
				won = dn;
			else if (dn->c.state != DHCP_FAILED)
				active = true;
		}
		if (won || !active)
			break;
	}

	for (size_t i = 0; i < n; i++) {
		struct dhcp_nic *dn = &dns[i];
		if (dn->c.malformed)
			log_warn("dhcp: net%zu ignored %u malformed replies (last: %s)", i,
				 dn->c.malformed, dhcp_strerror(dn->c.last_error));
		if (dn != won && dn->c.state == DHCP_FAILED)
			log_debug("dhcp: net%zu: %s after %llu ms (%u discovers)", i, dn->c.why,
				  (unsigned long long)(clock_ms() - t0), dn->c.discovers);
	}
	if (won) {
		out->ni = won->ni;
		out->client = &won->c;
		out->mem = dns;
		dhcp_client_lease(&won->c, &out->lease);
		configure(won->ni, &out->lease);
		log_lease(won, &out->lease, clock_ms() - t0);
		rc = 0;
	} else {
		failure_reason(dns, n, clock_ms() - t0, out->why, sizeof(out->why));
	}
	udp_remove(pcb);
	pcb = NULL;
	nclients = 0;
	/* The winner's packets stay: PXE Base Code hands them to EFI loaders. */
	if (!won)
		sysmem_free(dns);
	return rc;
}

void pxe_dhcp_release(struct pxe_dhcp_result *r)
{
	if (r->mem)
		sysmem_free(r->mem);
	r->mem = NULL;
	r->client = NULL;
}
