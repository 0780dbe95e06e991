/* Runs a TFTP transfer on lwIP UDP from an ephemeral port, into memory
 * from the memory map, with a progress line for long transfers. */
#include <string.h>
#include <clock.h>
#include <crc32.h>
#include <format.h>
#include <log.h>
#include <net.h>
#include <pxe.h>
#include <random.h>
#include <sysmem.h>
#include <tftp.h>
#include "lwip/ip4.h"
#include "lwip/udp.h"

#define PROGRESS_EVERY_MS 1000

struct tftp_run {
	struct tftp_xfer x;
	struct udp_pcb *pcb;
	ip_addr_t server;
	uint16_t port;	 /* where read requests go: 69 unless a URL said otherwise */
	uint64_t arp_ms; /* net_arp_nudge's */
};

static void view_copy(const void *src, size_t off, void *dst, size_t n)
{
	pbuf_copy_partial((struct pbuf *)src, dst, (u16_t)n, (u16_t)off);
}

/* pbuf_copy_partial takes 16-bit lengths: copy a big block in pieces. */
static void view_copy_big(const void *src, size_t off, void *dst, size_t n)
{
	while (n) {
		size_t k = n > 0xffff ? 0xffff : n;
		view_copy(src, off, dst, k);
		off += k;
		dst = (uint8_t *)dst + k;
		n -= k;
	}
}

static void tftp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		      u16_t port)
{
	struct tftp_run *r = arg;

	if (ip_addr_cmp(addr, &r->server)) {
		struct tftp_view v = {p->tot_len, view_copy_big, p};
		tftp_input(&r->x, clock_ms(), port, &v);
	}
	pbuf_free(p);
}

static void tftp_send(void *ctx, const uint8_t *pkt, size_t len, uint16_t port)
{
	struct tftp_run *r = ctx;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);

	if (!p)
		return;
	memcpy(p->payload, pkt, len);
	net_arp_nudge(&r->server, &r->arp_ms);
	udp_sendto(r->pcb, p, &r->server, port == TFTP_PORT && !r->x.tid ? r->port : port);
	pbuf_free(p);
}

/* What kind of failure the state machine ended in, for the fetch layer. */
static enum fetch_err failure_kind(const struct tftp_run *r, bool by_clock)
{
	const struct tftp_xfer *x = &r->x;

	if (x->err_code == 1)
		return FETCH_NOT_FOUND;
	if (x->err_code >= 0)
		return FETCH_REFUSED; /* any other ERROR packet from the server */
	if (by_clock)
		return FETCH_TIMEOUT;
	if ((x->has_tsize && x->tsize > x->max_size) || x->bytes + x->blksize > x->max_size ||
	    !strcmp(x->why, "out of memory for the file"))
		return FETCH_TOO_LARGE;
	return FETCH_OTHER;
}

/* The round trip the last transfer measured: the next one's first timer. */
static uint32_t last_srtt_ms;
/* Blocks that fit a frame, and the window, a lossy transfer fell back to:
 * the next transfer asks for them at once instead of losing big blocks
 * first; a transfer that loses nothing forgets them, and the next one asks
 * for the configured size again. */
static uint16_t learned_blksize, learned_window;
static uint32_t learned_utimeout_us; /* a lock-step server took utimeout */

/* The largest block whose datagram fits one frame of the interface
 * (IPv4 20 + UDP 8 + TFTP 4 bytes of headers): 1468 at MTU 1500. */
uint16_t pxe_tftp_fit_blksize(uint32_t server_be)
{
	ip4_addr_t a;
	ip4_addr_set_u32(&a, server_be);
	struct netif *nif = ip4_route(&a);
	uint16_t mtu = nif ? nif->mtu : 0;

	return mtu > 32 + 512 ? (uint16_t)(mtu - 32) : 0;
}

int pxe_tftp_fetch(const struct fetch_ctx *c, const struct fetch_url *u, struct fetched *out)
{
	static struct tftp_run r;
	const char *file = u->path;
	uint32_t host = u->ipv4;
	uint16_t port = u->port;
	char srv[16];

	if (!u->ipv4) {
		format_buf(out->where, sizeof(out->where), "%s:%s", u->host, file);
		out->err = FETCH_OTHER;
		format_buf(out->reason, sizeof(out->reason), "%s",
			   u->ipv6 ? "IPv6 is not supported yet"
				   : "tftp needs an IPv4 address, not a host name");
		return -1;
	}
	memset(&r, 0, sizeof(r));
	pxe_ip_str(host, srv);
	format_buf(out->where, sizeof(out->where), "%s:%s", srv, file);
	ip_addr_set_ip4_u32(&r.server, host);
	r.port = port ? port : TFTP_PORT;
	r.pcb = udp_new();
	if (!r.pcb) {
		out->err = FETCH_OTHER;
		format_buf(out->reason, sizeof(out->reason), "no UDP socket");
		return -1;
	}
	/* An ephemeral port of our own per transfer (RFC 1350 s.4). */
	err_t e = ERR_USE;
	for (int tries = 0; tries < 16 && e != ERR_OK; tries++)
		e = udp_bind(r.pcb, IP4_ADDR_ANY, (u16_t)(49152 + random_below(16384)));
	if (e != ERR_OK) {
		udp_remove(r.pcb);
		out->err = FETCH_OTHER;
		format_buf(out->reason, sizeof(out->reason), "no free local port");
		return -1;
	}
	udp_recv(r.pcb, tftp_recv, &r);
	r.x.filename = file;
	r.x.want_blksize = c->tftp_blksize;
	r.x.want_window = c->tftp_window;
	if (learned_blksize && c->tftp_blksize > learned_blksize) {
		r.x.want_blksize = learned_blksize;
		if (c->tftp_window > 1)
			r.x.want_window = learned_window;
		r.x.want_utimeout_us = learned_utimeout_us;
	}
	r.x.want_tsize = true;
	r.x.max_size = sysmem_largest_free(SYSMEM_KEEP_FOR_OS);
	r.x.fit_blksize = pxe_tftp_fit_blksize(ip4_addr_get_u32(ip_2_ip4(&r.server)));
	r.x.seed_rtt_ms = last_srtt_ms; /* the last transfer's round trip, for the first timer */
	r.x.request_give_up_ms = c->tftp_wait_ms;
	r.x.send = tftp_send;
	r.x.grow = sysmem_grow_pages;
	r.x.ctx = &r;

	uint64_t t0 = clock_ms(), next_progress = t0 + PROGRESS_EVERY_MS;
	bool by_clock = false;
	unsigned restarts = 0, stops = 0;
	tftp_start(&r.x, t0);
	while (r.x.state == TFTP_REQUESTING || r.x.state == TFTP_RECEIVING) {
		net_poll();
		uint64_t now = clock_ms();
		bool active = r.x.state == TFTP_REQUESTING || r.x.state == TFTP_RECEIVING;
		tftp_tick(&r.x, now);
		by_clock = active && r.x.state == TFTP_FAILED; /* the tick gave up waiting */
		if (r.x.restarts != restarts && r.x.stop_restarts != stops) {
			char at[24], total[24], held[24];
			restarts = r.x.restarts;
			stops = r.x.stop_restarts;
			format_size(at, sizeof(at), r.x.stopped_at);
			format_size(total, sizeof(total), r.x.old_tsize);
			format_size(held, sizeof(held), r.x.kept);
			log_info(
			    "tftp: %s:%s: %s at %s%s%s, no block for %llu.%llu s; asking again "
			    "(restart %u of %u), the %s held are compared, not stored twice",
			    srv, file,
			    r.x.stop_quiet ? "the server stopped sending"
					   : "nothing new came from the server",
			    at, r.x.old_has_tsize ? " of " : "", r.x.old_has_tsize ? total : "",
			    (unsigned long long)(r.x.stop_silence_ms / 1000),
			    (unsigned long long)(r.x.stop_silence_ms % 1000 / 100), stops,
			    TFTP_MAX_RESTARTS, held);
		} else if (r.x.restarts != restarts) {
			char held[24];
			restarts = r.x.restarts;
			format_size(held, sizeof(held), r.x.kept);
			log_info("tftp: %s:%s %u-byte blocks (IP fragments) keep getting lost: "
				 "asking again for %u-byte blocks, %s held already",
				 srv, file, r.x.blksize, r.x.req_blksize, held);
		}
		if (now >= next_progress && r.x.state == TFTP_RECEIVING) {
			char got[24], total[24], rt[24], cmp[48] = "";
			format_size(got, sizeof(got), tftp_bytes_held(&r.x));
			format_size(total, sizeof(total), r.x.tsize);
			format_rate(rt, sizeof(rt), r.x.bytes, now - t0);
			if (r.x.stop_restarts && r.x.bytes < r.x.kept) {
				char done[24];
				format_size(done, sizeof(done), r.x.bytes);
				format_buf(cmp, sizeof(cmp), " (restart %u: %s compared)",
					   r.x.stop_restarts, done);
			}
			log_info("tftp: %s:%s %s%s%s%s, %s", srv, file, got,
				 r.x.has_tsize ? " of " : "", r.x.has_tsize ? total : "", cmp, rt);
			next_progress = now + PROGRESS_EVERY_MS;
		}
	}
	udp_remove(r.pcb);
	uint64_t ms = clock_ms() - t0;
	if (r.x.rtt_valid)
		last_srtt_ms = (r.x.srtt8 + 7) / 8;
	if (r.x.fell_back) {
		learned_blksize = r.x.req_blksize;
		learned_window = r.x.req_window > 1 ? r.x.req_window : 0;
		learned_utimeout_us = r.x.utimeout_us;
	} else if (learned_blksize && r.x.state == TFTP_DONE && !r.x.losses) {
		learned_blksize = 0;
	}

	if (r.x.state != TFTP_DONE) {
		if (r.x.buf)
			memmap_free(&sys_memmap, (uintptr_t)r.x.buf, r.x.cap / PAGE_SIZE);
		out->err = failure_kind(&r, by_clock);
		if (r.x.err_code > 0)
			format_buf(out->reason, sizeof(out->reason), "%s (error %d)", r.x.why,
				   r.x.err_code);
		else
			format_buf(out->reason, sizeof(out->reason), "%s", r.x.why);
		return -1;
	}
	char sz[24], rt[24];
	format_size(sz, sizeof(sz), r.x.bytes);
	format_rate(rt, sizeof(rt), r.x.bytes, ms);
	char again[32] = "", timer[32] = "";
	if (r.x.stop_restarts)
		format_buf(again, sizeof(again), ", %u restart%s", r.x.stop_restarts,
			   r.x.stop_restarts == 1 ? "" : "s");
	if (r.x.utimeout_us)
		format_buf(timer, sizeof(timer), ", server timer %u ms", r.x.utimeout_us / 1000);
	log_info("tftp: %s:%s %s in %llu ms, %s (blksize %u, windowsize %u%s%s)", srv, file, sz,
		 (unsigned long long)ms, rt, r.x.blksize, r.x.window,
		 r.x.has_tsize ? ", tsize" : "", again);
	if (r.x.dups || r.x.out_of_order || r.x.retransmits)
		log_info("tftp: %s:%s %llu duplicate, %llu out-of-order blocks, %llu retransmits "
			 "(%llu at a window's end), %llu losses, round trip %u ms, timer %u ms%s",
			 srv, file, (unsigned long long)r.x.dups,
			 (unsigned long long)r.x.out_of_order, (unsigned long long)r.x.retransmits,
			 (unsigned long long)r.x.fast_acks, (unsigned long long)r.x.losses,
			 (r.x.srtt8 + 7) / 8, r.x.rto_ms, timer);
	if (log_get_level() >= LOG_DEBUG)
		log_debug("tftp: %s:%s crc32 %#010x", srv, file, crc32(0, r.x.buf, r.x.bytes));
	out->data = r.x.buf;
	out->size = r.x.bytes;
	out->pages = r.x.cap / PAGE_SIZE;
	out->ms = ms;
	out->err = FETCH_OK;
	return 0;
}
