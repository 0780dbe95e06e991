/* The HTTP client on lwIP's raw TCP API: names through lwIP's DNS (the
 * lease's servers), a cache of kept-alive connections keyed by host:port,
 * received pbufs copied once, straight into the file, and the window
 * reopened (tcp_recved) as soon as they are. Waiting polls the network. */
#include <string.h>
#include <clock.h>
#include <crc32.h>
#include <format.h>
#include <http.h>
#include <log.h>
#include <net.h>
#include <sysmem.h>
#include "lwip/dns.h"
#include "lwip/tcp.h"

#define HTTP_CONNS	  4
#define PROGRESS_EVERY_MS 1000
/* In-order segments per ACK while a poll reads a batch: with window
 * scaling the window holds hundreds of segments; without it (QEMU's user
 * network) 44, so the sender must hear more often. */
#define ACK_EVERY	   32
#define ACK_EVERY_UNSCALED 8

/* Retransmission timers for what we send (SYN, requests): lwIP 2.1.3
 * starts every connection at a 3 s RTO and keeps a SYN's fixed (tcp_alloc,
 * tcp_slowtmr), so on a lossy network each lost SYN, SYN-ACK or request
 * cost a boot 3 s, and 3 SYNs were all that fit in HTTP_CONNECT_MS. A boot
 * server is on the LAN: SYNs start at 500 ms and double to 2 s (RFC 6298
 * s.5.5's backoff; 7 fit in 10 s), and a request sent before any RTT
 * sample is retransmitted after 400 ms (lwIP's estimator then adapts it
 * from the samples, RFC 6298 s.2.2). RFC 6298 s.2.1 asks for 1 s on the
 * Internet; iPXE's floor is 250 ms, Linux's 200 ms. In slow-timer ticks. */
#define SYN_RTO_MS     500
#define SYN_RTO_MAX_MS 2000
#define FIRST_RTO_MS   400
#define SLOW_TICK_MS   (2 * TCP_TMR_INTERVAL) /* lwIP's TCP_SLOW_INTERVAL (tcp_priv.h) */
#define RTO_TICKS(ms)  ((s16_t)(((ms) + SLOW_TICK_MS - 1) / SLOW_TICK_MS))

struct http_conn {
	struct tcp_pcb *pcb; /* NULL: slot free */
	char host[FETCH_HOST_LEN];
	uint16_t port;
	bool connected, fin, broken; /* broken: reset, or bytes nobody asked for */
	err_t err;		     /* what lwIP's error callback said */
	struct http_rx *rx;	     /* the response being received, or NULL */
	uint64_t last_rx_ms, last_use_ms;
	uint64_t rx_bytes; /* received, ever: net_run restarts the idle clock when it grows */
	unsigned unacked;  /* in-order segments since our last ACK */
};

/* What the transport callbacks share during one http_fetch. */
struct http_net {
	struct http_conn *c;
	struct http_get *g;
	uint64_t t0, next_progress;
	unsigned connects, reuses;
};

static struct http_conn conns[HTTP_CONNS];

/* ---- connections ---- */

/* Stop lwIP from calling back into a slot we are about to give up. */
static void conn_detach(struct http_conn *c)
{
	if (!c->pcb)
		return;
	tcp_arg(c->pcb, NULL);
	tcp_recv(c->pcb, NULL); /* lwIP's tcp_recv_null: acknowledges and drops */
	tcp_err(c->pcb, NULL);
}

/* Give a slot up: FIN when the exchange ended cleanly, RST otherwise. */
static void conn_drop(struct http_conn *c, bool abort)
{
	if (c->pcb) {
		conn_detach(c);
		if (abort || tcp_close(c->pcb) != ERR_OK)
			tcp_abort(c->pcb);
	}
	memset(c, 0, sizeof(*c));
}

/* lwIP freed the pcb (RST from the peer, or its own retransmissions gave up). */
static void conn_err(void *arg, err_t err)
{
	struct http_conn *c = arg;

	if (!c)
		return;
	c->pcb = NULL;
	c->err = err;
	c->broken = true;
}

/* Data arrives: into the response being received, one pbuf at a time
 * (a copy straight into the file), then the window is reopened. */
static err_t conn_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct http_conn *c = arg;

	if (!c) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		c->fin = true;
		return ERR_OK;
	}
	c->rx_bytes += p->tot_len;
	for (struct pbuf *q = p; q; q = q->next) {
		if (c->rx && c->rx->state != HTTP_RX_FAILED)
			http_rx_input(c->rx, q->payload, q->len);
		else
			c->broken = true; /* not asked for: the connection is not reusable */
	}
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	/* Stretch ACKs (RFC 5681 s.4.2 allows fewer ACKs than one per two
	 * segments): lwIP wants an ACK every second segment; we send one every
	 * ACK_EVERY and when a poll has emptied the NIC's queue (ack_flush),
	 * saving a transmit per two segments. Nothing is held back while
	 * segments are out of order: the sender must hear of a gap at once. */
	unsigned every = pcb->rcv_scale ? ACK_EVERY : ACK_EVERY_UNSCALED;
	if ((pcb->flags & TF_ACK_NOW) && !pcb->ooseq && ++c->unacked < every) {
		tcp_clear_flags(pcb, TF_ACK_NOW);
		tcp_set_flags(pcb, TF_ACK_DELAY);
	} else if (pcb->flags & TF_ACK_NOW) {
		c->unacked = 0;
	}
	return ERR_OK;
}

/* The ACK conn_recv held back, sent once a poll has read what was there. */
static void ack_flush(struct http_conn *c)
{
	if (c->pcb && (c->pcb->flags & TF_ACK_DELAY)) {
		tcp_set_flags(c->pcb, TF_ACK_NOW);
		tcp_output(c->pcb);
		c->unacked = 0;
	}
}

static err_t conn_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct http_conn *c = arg;

	if (c)
		c->connected = true;
	return ERR_OK;
}

/* ---- DNS ---- */

static struct {
	uintptr_t gen; /* which query an answer belongs to: old ones may still land */
	bool done, ok;
	ip_addr_t ip;
} dns_wait;

static void dns_found(const char *name, const ip_addr_t *ip, void *arg)
{
	if ((uintptr_t)arg != dns_wait.gen)
		return;
	dns_wait.done = true;
	dns_wait.ok = ip && IP_IS_V4(ip);
	if (dns_wait.ok)
		ip_addr_copy(dns_wait.ip, *ip);
}

/* host's IPv4 address: the literal, or a DNS answer (RFC 1035) within
 * HTTP_DNS_MS. 0, or -1 with why. */
static int resolve(const struct fetch_url *u, ip_addr_t *ip, enum fetch_err *err, char *why,
		   size_t cap)
{
	if (u->ipv4) {
		ip_addr_set_ip4_u32(ip, u->ipv4);
		return 0;
	}
	if (ip_addr_isany_val(*dns_getserver(0)) && ip_addr_isany_val(*dns_getserver(1))) {
		*err = FETCH_OTHER;
		format_buf(why, cap, "cannot look up %s: the DHCP lease named no DNS server",
			   u->host);
		return -1;
	}
	dns_wait.gen++;
	dns_wait.done = dns_wait.ok = false;
	err_t e = dns_gethostbyname(u->host, ip, dns_found, (void *)dns_wait.gen);
	if (e == ERR_OK)
		return 0;
	uint64_t end = clock_ms() + HTTP_DNS_MS;
	while (e == ERR_INPROGRESS && !dns_wait.done && clock_ms() < end)
		net_poll();
	if (e == ERR_INPROGRESS && dns_wait.done && dns_wait.ok) {
		*ip = dns_wait.ip;
		return 0;
	}
	dns_wait.gen++; /* a late answer is ignored */
	if (e == ERR_INPROGRESS && !dns_wait.done) {
		*err = FETCH_TIMEOUT;
		format_buf(why, cap, "no DNS answer for %s in %d s", u->host, HTTP_DNS_MS / 1000);
	} else if (e != ERR_INPROGRESS) {
		*err = FETCH_OTHER; /* a name lwIP will not ask about (too long), or no memory */
		format_buf(why, cap, "cannot look up %s (lwIP error %d)", u->host, e);
	} else {
		*err = FETCH_NOT_FOUND;
		format_buf(why, cap, "DNS has no IPv4 address for %s", u->host);
	}
	return -1;
}

/* ---- the transport ---- */

static uint16_t port_of(const struct fetch_url *u)
{
	return u->port ? u->port : HTTP_PORT;
}

/* A kept connection to host:port the server has not closed, or NULL. */
static struct http_conn *conn_find(const struct fetch_url *u)
{
	net_poll(); /* a FIN the server sent meanwhile */
	for (size_t i = 0; i < HTTP_CONNS; i++) {
		struct http_conn *c = &conns[i];
		if (!c->pcb)
			continue;
		if (c->fin || c->broken) {
			conn_drop(c, c->broken);
			continue;
		}
		if (c->port == port_of(u) && !strcmp(c->host, u->host))
			return c;
	}
	return NULL;
}

/* A free slot, closing the least recently used connection if needed. */
static struct http_conn *conn_slot(void)
{
	struct http_conn *old = &conns[0];

	for (size_t i = 0; i < HTTP_CONNS; i++) {
		if (!conns[i].pcb)
			return &conns[i];
		if (conns[i].last_use_ms < old->last_use_ms)
			old = &conns[i];
	}
	conn_drop(old, false);
	return old;
}

/* The RTO after n SYN retransmissions: doubling from SYN_RTO_MS, capped. */
static s16_t syn_rto(unsigned n)
{
	unsigned ms = SYN_RTO_MS;

	while (n-- && ms < SYN_RTO_MAX_MS)
		ms *= 2;
	return RTO_TICKS(ms < SYN_RTO_MAX_MS ? ms : SYN_RTO_MAX_MS);
}

static int net_open(void *ctx, const struct fetch_url *u, bool fresh, bool *reused,
		    enum fetch_err *err, char *why, size_t cap)
{
	struct http_net *n = ctx;
	struct http_conn *c = conn_find(u);
	ip_addr_t ip;

	if (c && fresh)
		conn_drop(c, false);
	else if (c) {
		*reused = true;
		n->c = c;
		n->reuses++;
		return 0;
	}
	if (resolve(u, &ip, err, why, cap))
		return -1;
	c = conn_slot();
	c->pcb = tcp_new();
	if (!c->pcb) {
		*err = FETCH_OTHER;
		format_buf(why, cap, "no memory for a TCP connection");
		return -1;
	}
	format_buf(c->host, sizeof(c->host), "%s", u->host);
	c->port = port_of(u);
	tcp_arg(c->pcb, c);
	tcp_recv(c->pcb, conn_recv);
	tcp_err(c->pcb, conn_err);
	tcp_nagle_disable(c->pcb);
	c->pcb->rto = RTO_TICKS(SYN_RTO_MS);
	c->pcb->sv = RTO_TICKS(FIRST_RTO_MS);
	err_t e = tcp_connect(c->pcb, &ip, c->port, conn_connected);
	uint64_t end = clock_ms() + HTTP_CONNECT_MS, arp_ms = 0;
	while (e == ERR_OK && !c->connected && c->pcb && clock_ms() < end) {
		net_arp_nudge(&ip, &arp_ms); /* the SYN waits for the server's address */
		net_poll();
		if (c->pcb && c->pcb->state == SYN_SENT) /* lwIP does not back a SYN off */
			c->pcb->rto = syn_rto(c->pcb->nrtx);
	}
	if (e != ERR_OK || !c->connected) {
		char a[IPADDR_STRLEN_MAX];
		ipaddr_ntoa_r(&ip, a, sizeof(a));
		if (e == ERR_OK && !c->pcb && c->err == ERR_RST) {
			*err = FETCH_REFUSED;
			format_buf(why, cap, "%s port %u refused the connection", a, c->port);
		} else if (e == ERR_OK && c->pcb) {
			*err = FETCH_TIMEOUT;
			format_buf(why, cap, "no answer from %s port %u in %d s", a, c->port,
				   HTTP_CONNECT_MS / 1000);
		} else {
			*err = FETCH_OTHER;
			format_buf(why, cap, "cannot connect to %s port %u (lwIP error %d)", a,
				   c->port, e != ERR_OK ? e : c->err);
		}
		conn_drop(c, true);
		return -1;
	}
	c->last_rx_ms = clock_ms();
	n->c = c;
	n->connects++;
	return 0;
}

static int net_send(void *ctx, const char *req, size_t len)
{
	struct http_conn *c = ((struct http_net *)ctx)->c;

	if (!c->pcb || c->fin || len > tcp_sndbuf(c->pcb))
		return -1;
	if (tcp_write(c->pcb, req, (u16_t)len, TCP_WRITE_FLAG_COPY) != ERR_OK ||
	    tcp_output(c->pcb) != ERR_OK)
		return -1;
	c->last_rx_ms = clock_ms(); /* the idle clock starts with the request */
	return 0;
}

/* "host:path", or "host:port:path" off port 80: where a file came from. */
static void where(const struct fetch_url *u, char *out, size_t cap)
{
	if (u->port && u->port != HTTP_PORT)
		format_buf(out, cap, "%s:%u:%s", u->host, u->port, u->path);
	else
		format_buf(out, cap, "%s:%s", u->host, u->path);
}

/* Once a second while a body arrives: size so far, of the total, rate. */
static void progress(struct http_net *n, const struct http_rx *rx, uint64_t now)
{
	char w[FETCH_WHERE_LEN], got[24], total[24], rt[24];

	if (now < n->next_progress)
		return;
	n->next_progress = now + PROGRESS_EVERY_MS;
	if (rx->state != HTTP_RX_BODY)
		return;
	where(&n->g->u, w, sizeof(w));
	format_size(got, sizeof(got), rx->have);
	format_size(total, sizeof(total), rx->total);
	format_rate(rt, sizeof(rt), rx->have, now - n->t0);
	log_info("http: %s %s%s%s, %s", w, got, rx->total_known ? " of " : "",
		 rx->total_known ? total : "", rt);
}

static bool receiving(const struct http_rx *rx)
{
	return rx->state == HTTP_RX_HEAD || rx->state == HTTP_RX_BODY || rx->state == HTTP_RX_DRAIN;
}

static enum http_io net_run(void *ctx, struct http_rx *rx)
{
	struct http_net *n = ctx;
	struct http_conn *c = n->c;
	enum http_io io = HTTP_IO_DONE;
	uint64_t seen = c->rx_bytes;
	bool lossy = false; /* a gap seen in this response: segments are being lost */

	c->rx = rx;
	while (receiving(rx)) {
		if (c->broken || !c->pcb) {
			io = HTTP_IO_RESET;
			break;
		}
		if (c->fin) {
			io = HTTP_IO_EOF;
			break;
		}
		net_poll();
		ack_flush(c);
		lossy = lossy || (c->pcb && c->pcb->ooseq);
		uint64_t now = clock_ms();
		if (c->rx_bytes != seen) { /* the idle clock restarts on every byte */
			seen = c->rx_bytes;
			c->last_rx_ms = now;
		}
		if (receiving(rx) && now - c->last_rx_ms > HTTP_IDLE_MS) {
			io = lossy ? HTTP_IO_GAP : HTTP_IO_IDLE;
			break;
		}
		progress(n, rx, now);
	}
	if (io == HTTP_IO_DONE && rx->state == HTTP_RX_DONE)
		net_poll(); /* bytes past the response in the same burst */
	c->rx = NULL;
	return io;
}

static void net_release(void *ctx, bool keep, bool abort)
{
	struct http_conn *c = ((struct http_net *)ctx)->c;

	c->last_use_ms = clock_ms();
	if (!keep || c->broken || c->fin || !c->pcb)
		conn_drop(c, abort || c->broken);
}

static void net_note(void *ctx, const char *line)
{
	struct http_net *n = ctx;
	char w[FETCH_WHERE_LEN];

	where(&n->g->u, w, sizeof(w));
	log_info("http: %s: %s", w, line);
}

static uint64_t net_now(void *ctx)
{
	return clock_ms();
}

/* Wait ms with the network served (ARP, the connections kept alive). */
static void net_pause(void *ctx, unsigned ms)
{
	uint64_t end = clock_ms() + ms;

	while (clock_ms() < end)
		net_poll();
}

/* ---- the fetch layer's row ---- */

int http_fetch(const struct fetch_ctx *fc, const struct fetch_url *u, struct fetched *out)
{
	static struct http_get g;
	static struct http_net n;
	static const struct http_transport t = {
	    .open = net_open,
	    .send = net_send,
	    .run = net_run,
	    .release = net_release,
	    .note = net_note,
	    .ctx = &n,
	    .now = net_now,
	    .pause = net_pause,
	};
	char url[HTTP_URL_MAX];

	memset(&g, 0, sizeof(g));
	memset(&n, 0, sizeof(n));
	where(u, out->where, sizeof(out->where));
	if (http_url_format(u, url, sizeof(url))) {
		out->err = FETCH_OTHER;
		format_buf(out->reason, sizeof(out->reason), "URL longer than %d bytes",
			   HTTP_URL_MAX - 1);
		return -1;
	}
	g.t = &t;
	g.rx.max_size = sysmem_largest_free(SYSMEM_KEEP_FOR_OS);
	g.rx.grow = sysmem_grow_pages;
	n.g = &g;
	n.t0 = clock_ms();
	n.next_progress = n.t0 + PROGRESS_EVERY_MS;

	int rc = http_get_run(&g, url);
	uint64_t ms = clock_ms() - n.t0;
	if (rc) {
		if (g.rx.buf)
			memmap_free(&sys_memmap, (uintptr_t)g.rx.buf, g.rx.cap / PAGE_SIZE);
		out->err = g.err;
		format_buf(out->reason, sizeof(out->reason), "%s", g.why);
		return -1;
	}
	char w[FETCH_WHERE_LEN], sz[24], rt[24];
	where(&g.u, w, sizeof(w));
	format_size(sz, sizeof(sz), g.rx.have);
	format_rate(rt, sizeof(rt), g.rx.have, ms);
	char resumed[40] = "";
	if (g.resumes_total)
		format_buf(resumed, sizeof(resumed), " (resumed %u time%s)", g.resumes_total,
			   g.resumes_total == 1 ? "" : "s");
	log_info("http: %s %s in %llu ms, %s%s%s%s", w, sz, (unsigned long long)ms, rt,
		 n.reuses ? " (kept-alive connection)" : "", resumed,
		 g.rx.restarts ? " (the server ignored Range: sent again)" : "");
	if (log_get_level() >= LOG_DEBUG)
		log_debug("http: %s crc32 %#010x", w, crc32(0, g.rx.buf, g.rx.have));
	if (!g.rx.have && g.rx.buf) { /* an empty file is NULL, as TFTP's */
		memmap_free(&sys_memmap, (uintptr_t)g.rx.buf, g.rx.cap / PAGE_SIZE);
		g.rx.buf = NULL;
		g.rx.cap = 0;
	}
	out->data = g.rx.buf;
	out->size = g.rx.have;
	out->pages = g.rx.cap / PAGE_SIZE;
	out->ms = ms;
	out->err = FETCH_OK;
	return 0;
}
