/* Test helpers: a scripted TFTP server (RFC 1350, 2347, 2348, 2349, 7440)
 * with knobs for the faults real servers and networks produce, and a loop
 * that runs the client state machine (pxe/tftp.c) against it in simulated
 * time. The network is in order, instant or with a fixed one-way delay:
 * loss, duplication and reordering come only from the knobs (a seeded
 * generator for random loss), so every run is deterministic. */
#ifndef WB_TEST_TFTP_FAKE_H
#define WB_TEST_TFTP_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <tftp.h>

#define SRV_PORT      40000   /* the server's transfer id */
#define STRANGER_PORT 40001   /* someone else's transfer */
#define SIM_QUEUE     4096    /* datagrams in flight to the client */
#define SIM_START_MS  5000    /* the clock does not start at 0 */
#define SIM_MAX_STEPS 1000000 /* a client that never ends is left running, and fails its test */
#define SIM_MAX_RRQS  64

/* What the server does differently from a well-behaved one. Block numbers
 * count from 1 and never wrap; 0 means "off". Each fault happens once. */
struct srv_knobs {
	bool mute;		 /* never answer a request */
	unsigned answer_rrq;	 /* answer only from the n-th request on */
	bool not_found;		 /* ERROR 1 "File not found" */
	bool ignore_options;	 /* answer with DATA 1, as an RFC 1350 server */
	bool refuse_options;	 /* ERROR 8 to a request with options */
	uint16_t max_blksize;	 /* grant at most this block size */
	uint16_t grant_window;	 /* grant this windowsize instead of the one asked */
	bool omit_window;	 /* leave windowsize out of the OACK (window 1) */
	bool omit_tsize;	 /* leave tsize out of the OACK */
	int64_t tsize_lie;	 /* added to the tsize announced */
	const char *oack_extra;	 /* "name\0value" appended to the OACK */
	uint64_t drop_block;	 /* lose this block once */
	uint64_t dup_block;	 /* send this block twice, once */
	uint64_t swap_block;	 /* send this block after the next one, once */
	uint64_t stop_after;	 /* never send a block past this one */
	bool no_data;		 /* answer the request, then never send a block */
	uint64_t big_block;	 /* send this block one byte past blksize */
	uint64_t stranger_block; /* a stranger sends a block just before this one */
	bool drop_ack_on;	 /* lose the client's first ACK of drop_ack */
	uint64_t drop_ack;
	unsigned send_window; /* blocks sent per ACK, whatever was agreed */
	bool eager;	      /* answer duplicate ACKs even with a window in flight */
	uint32_t resend_ms;   /* the server's own retransmission timer (0: none) */
	uint64_t babble;      /* on that timer, send this old block instead */
	uint64_t drop_block2; /* lose this block once too */
	bool heed_one_ack;    /* as atftpd: one ACK heeded while a window is out */
	/* A lossy link: each frame (an ACK, or each fragment of a DATA datagram
	 * cut at frag_mtu bytes, 0: never cut) is lost with probability
	 * loss_permille / 1000, drawn from a generator seeded with seed. */
	unsigned loss_permille;
	uint32_t seed;
	unsigned frag_mtu;
	uint32_t delay_ms;     /* one-way delay of every datagram */
	bool new_port_per_rrq; /* each request gets a transfer id of its own */
	bool change_on_rrq2;   /* the file's first byte differs from the 2nd request on */
	/* A server that stops, and is asked again (pxe/tftp.c's restarts). */
	bool stop_once;		   /* stop_after holds for the first request only */
	uint64_t stop_step;	   /* the n-th request stops after block n x stop_step */
	unsigned mute_from_rrq;	   /* no answer from the n-th request on: gone */
	unsigned no_data_from_rrq; /* from the n-th request on: an OACK, then no block */
	/* tftp-hpa (tftpd.c): utimeout granted and made its timer; a block sent
	 * again on that timer, doubling, and given up (the server exits) when
	 * the timer runs out after give_up_sends sends; ACKs of other blocks
	 * ignored (Sorcerer's Apprentice rule). */
	bool grant_utimeout;
	unsigned give_up_sends;
	/* The n-th request is answered first from STRANGER_PORT with the first
	 * request's OACK: a copy of an earlier request answered late, from a
	 * port of its own (a server that got it twice). */
	unsigned stale_oack_rrq;
};

struct sim_pkt {
	uint16_t port;
	uint64_t due; /* when it reaches the client */
	size_t len;
	uint8_t *data; /* exactly len bytes, so ASan sees any over-read */
};

struct sim_err {
	uint16_t port, code;
	char msg[64];
};

struct sim {
	struct tftp_xfer x;
	struct srv_knobs k;
	uint64_t now;
	const uint8_t *file;
	size_t len;

	/* The server's side of the transfer. */
	uint16_t port; /* its transfer id */
	uint16_t blksize, window;
	uint64_t nblocks; /* the last block is short, possibly empty */
	uint64_t acked;	  /* highest block acknowledged, 0 before any */
	bool started, oack_pending, finished;
	uint64_t last_tx;
	uint8_t oack[256];
	size_t oack_len;
	uint8_t first_oack[256];
	size_t first_oack_len;
	bool dropped, dropped2, dupped, swapped, strangered;
	bool heeded;	   /* an ACK was heeded since the last window went out whole */
	uint32_t timer_ms; /* tftp-hpa's timer now (0: resend_ms) */
	uint32_t base_ms;  /* and where it starts for each block */
	unsigned sends;	   /* sends of the current block (or OACK) */
	unsigned gave_up;  /* transfers the server gave up (give_up_sends) */
	struct sim_pkt held;
	bool holding;
	struct sim_pkt q[SIM_QUEUE];
	size_t qh, qt;

	/* What the client sent. */
	unsigned rrqs;
	uint8_t rrq[2][520]; /* the first and the latest request */
	size_t rrq_len[2];
	uint64_t rrq_ms[16];
	uint16_t *acks; /* every ACK, lost ones included */
	uint64_t *ack_ms;
	size_t nacks, acks_cap;
	struct sim_err errs[8];
	unsigned nerrs, nerrs_all;

	/* The client's retransmissions: when, and the window just after. */
	uint64_t tick_ms[16];
	uint16_t tick_window[16];
	unsigned nticks;
	uint64_t end_ms;		       /* when the client reached DONE or FAILED */
	uint16_t min_cwnd, max_cwnd_after_min; /* the ACK window's low point, and after */
	unsigned frames_lost, blocks_sent;
	uint32_t rng;

	/* The allocator. */
	bool grow_fail;
	uint64_t grow_round; /* round capacities up to a multiple of this */
	bool grow_cap_ok;    /* every call had *cap == the old capacity */
	unsigned grow_calls;
	uint64_t grow_need;
	uint64_t grow_cap;
};

static void sim_queue(struct sim *m, uint16_t port, const uint8_t *p, size_t len)
{
	if (m->qt - m->qh >= SIM_QUEUE)
		abort();
	struct sim_pkt *e = &m->q[m->qt++ % SIM_QUEUE];
	e->port = port;
	e->due = m->now + m->k.delay_ms;
	e->len = len;
	e->data = malloc(len ? len : 1);
	memcpy(e->data, p, len);
	m->last_tx = m->now;
}

/* One frame across the lossy link: true if it is lost. */
static bool sim_frame_lost(struct sim *m)
{
	if (!m->k.loss_permille)
		return false;
	m->rng = m->rng * 1103515245u + 12345u;
	if ((m->rng >> 16) % 1000 < m->k.loss_permille) {
		m->frames_lost++;
		return true;
	}
	return false;
}

/* A datagram of len bytes of UDP payload: lost if any of its fragments is. */
static bool sim_datagram_lost(struct sim *m, size_t len)
{
	size_t frags = m->k.frag_mtu ? (len + 8 + m->k.frag_mtu - 1) / m->k.frag_mtu : 1;
	bool lost = false;

	for (size_t i = 0; i < frags; i++)
		lost |= sim_frame_lost(m);
	return lost;
}

static void srv_error(struct sim *m, uint16_t code, const char *msg)
{
	uint8_t pkt[128] = {0, TFTP_OP_ERROR, (uint8_t)(code >> 8), (uint8_t)code};
	size_t n = strlen(msg) + 1;

	memcpy(pkt + 4, msg, n);
	sim_queue(m, m->port, pkt, 4 + n);
}

static void srv_flush_held(struct sim *m)
{
	if (!m->holding)
		return;
	sim_queue(m, m->port, m->held.data, m->held.len);
	free(m->held.data);
	m->holding = false;
}

/* One DATA block, through the fault knobs. */
static void srv_block(struct sim *m, uint64_t b)
{
	static uint8_t pkt[4 + TFTP_MAX_BLKSIZE + 1];
	uint64_t off = (b - 1) * m->blksize;
	size_t n = off < m->len ? m->len - off : 0;

	if (n > m->blksize)
		n = m->blksize;
	pkt[0] = 0;
	pkt[1] = TFTP_OP_DATA;
	pkt[2] = (uint8_t)(b >> 8);
	pkt[3] = (uint8_t)b;
	if (n)
		memcpy(pkt + 4, m->file + off, n);
	if (m->k.change_on_rrq2 && m->rrqs >= 2 && off == 0 && n)
		pkt[4] ^= 0xff;
	m->blocks_sent++;
	if (sim_datagram_lost(m, 4 + n)) {
		m->last_tx = m->now;
		return;
	}
	if (b == m->k.big_block)
		while (n <= m->blksize)
			pkt[4 + n++] = 0xee;
	if (b == m->k.stranger_block && !m->strangered) {
		uint8_t s[4 + 16];
		memcpy(s, pkt, 4);
		memset(s + 4, 0x55, 16);
		sim_queue(m, STRANGER_PORT, s, sizeof(s));
		m->strangered = true;
	}
	if (b == m->k.drop_block && !m->dropped) {
		m->dropped = true;
		return;
	}
	if (b == m->k.drop_block2 && !m->dropped2) {
		m->dropped2 = true;
		return;
	}
	if (b == m->k.swap_block && !m->swapped) {
		m->swapped = true;
		m->holding = true;
		m->held.port = m->port;
		m->held.len = 4 + n;
		m->held.data = malloc(4 + n);
		memcpy(m->held.data, pkt, 4 + n);
		return;
	}
	sim_queue(m, m->port, pkt, 4 + n);
	if (b == m->k.dup_block && !m->dupped) {
		m->dupped = true;
		sim_queue(m, m->port, pkt, 4 + n);
	}
	srv_flush_held(m);
}

/* RFC 7440 s.4: after an ACK of block a the server sends a+1.. a window on. */
static void srv_window(struct sim *m, uint64_t from)
{
	unsigned w = m->k.send_window ? m->k.send_window : m->window;

	uint64_t stop = m->k.stop_step			? m->k.stop_step * m->rrqs
			: m->k.stop_once && m->rrqs > 1 ? 0
							: m->k.stop_after;

	if (m->k.no_data || (m->k.no_data_from_rrq && m->rrqs >= m->k.no_data_from_rrq))
		return;
	for (uint64_t b = from; b < from + w && b <= m->nblocks; b++) {
		if (stop && b > stop)
			break;
		srv_block(m, b);
	}
	srv_flush_held(m);
}

static void srv_put_str(struct sim *m, const char *s, size_t n)
{
	memcpy(m->oack + m->oack_len, s, n);
	m->oack_len += n;
}

static void srv_put_opt(struct sim *m, const char *name, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);

	srv_put_str(m, name, strlen(name) + 1);
	srv_put_str(m, num, (size_t)n + 1);
}

static void srv_rrq(struct sim *m, const uint8_t *p, size_t len)
{
	if (len > sizeof(m->rrq[0]))
		abort();
	m->rrq_ms[m->rrqs < 16 ? m->rrqs : 15] = m->now;
	memcpy(m->rrq[m->rrqs ? 1 : 0], p, len);
	m->rrq_len[m->rrqs ? 1 : 0] = len;
	m->rrqs++;
	if (m->k.mute || m->rrqs < m->k.answer_rrq || m->rrqs > SIM_MAX_RRQS ||
	    (m->k.mute_from_rrq && m->rrqs >= m->k.mute_from_rrq))
		return;
	if (sim_frame_lost(m))
		return;
	if (m->first_oack_len && m->rrqs == m->k.stale_oack_rrq)
		sim_queue(m, STRANGER_PORT, m->first_oack, m->first_oack_len);
	if (m->k.new_port_per_rrq)
		m->port = (uint16_t)(SRV_PORT + 2 * (m->rrqs - 1));

	/* file, mode, then name/value pairs, each NUL-terminated */
	const char *f[16];
	unsigned nf = 0;
	for (size_t i = 2; i < len && nf < 16;) {
		f[nf++] = (const char *)p + i;
		i += strnlen((const char *)p + i, len - i) + 1;
	}
	uint64_t want_bs = 0, want_win = 0, want_ut = 0;
	bool want_ts = false, opts = nf > 2;
	for (unsigned i = 2; i + 1 < nf; i += 2) {
		if (!strcasecmp(f[i], "blksize"))
			want_bs = strtoull(f[i + 1], NULL, 10);
		else if (!strcasecmp(f[i], "windowsize"))
			want_win = strtoull(f[i + 1], NULL, 10);
		else if (!strcasecmp(f[i], "tsize"))
			want_ts = true;
		else if (!strcasecmp(f[i], "utimeout"))
			want_ut = strtoull(f[i + 1], NULL, 10);
	}
	if (m->k.not_found) {
		srv_error(m, 1, "File not found");
		return;
	}
	if (opts && m->k.refuse_options) {
		srv_error(m, 8, "Option negotiation refused");
		return;
	}
	m->started = true;
	m->acked = 0;
	m->finished = false;
	m->blksize = 512;
	m->window = 1;
	m->base_ms = m->timer_ms = m->k.give_up_sends ? m->k.resend_ms : 0;
	m->sends = 1;
	if (!opts || m->k.ignore_options) {
		m->nblocks = m->len / m->blksize + 1;
		m->oack_pending = false;
		srv_window(m, 1);
		return;
	}
	m->oack[0] = 0;
	m->oack[1] = TFTP_OP_OACK;
	m->oack_len = 2;
	if (want_bs) {
		m->blksize = (uint16_t)want_bs;
		if (m->k.max_blksize && m->blksize > m->k.max_blksize)
			m->blksize = m->k.max_blksize;
		srv_put_opt(m, "blksize", m->blksize);
	}
	if (want_ts && !m->k.omit_tsize)
		srv_put_opt(m, "tsize", (uint64_t)((int64_t)m->len + m->k.tsize_lie));
	if (want_win && !m->k.omit_window) {
		m->window = m->k.grant_window ? m->k.grant_window : (uint16_t)want_win;
		srv_put_opt(m, "windowsize", m->window);
	}
	if (want_ut && m->k.grant_utimeout) {
		srv_put_opt(m, "utimeout", want_ut);
		if (m->k.give_up_sends)
			m->base_ms = m->timer_ms = (uint32_t)(want_ut / 1000);
	}
	if (m->k.oack_extra) {
		const char *e = m->k.oack_extra;
		srv_put_str(m, e, strlen(e) + 1);
		srv_put_str(m, e + strlen(e) + 1, strlen(e + strlen(e) + 1) + 1);
	}
	m->nblocks = m->len / m->blksize + 1;
	m->oack_pending = true;
	if (!m->first_oack_len) {
		memcpy(m->first_oack, m->oack, m->oack_len);
		m->first_oack_len = m->oack_len;
	}
	if (m->k.give_up_sends)
		m->last_tx = m->now; /* its timer starts, whether the OACK is lost or not */
	if (!sim_frame_lost(m))
		sim_queue(m, m->port, m->oack, m->oack_len);
}

static void srv_ack(struct sim *m, uint16_t k)
{
	/* The block this ACK names, unwrapped near the last one acknowledged. */
	uint64_t a = m->acked + (uint64_t)(int64_t)(int16_t)(uint16_t)(k - (uint16_t)m->acked);

	if (m->nacks == m->acks_cap) {
		m->acks_cap = m->acks_cap ? m->acks_cap * 2 : 64;
		m->acks = realloc(m->acks, m->acks_cap * sizeof(*m->acks));
		m->ack_ms = realloc(m->ack_ms, m->acks_cap * sizeof(*m->ack_ms));
	}
	m->acks[m->nacks] = k;
	m->ack_ms[m->nacks++] = m->now;
	if (m->k.drop_ack_on && a == m->k.drop_ack) {
		m->k.drop_ack_on = false;
		return;
	}
	if (sim_frame_lost(m))
		return;
	if (!m->started || m->finished || a < m->acked || a > m->nblocks)
		return;
	/* A duplicate while a window is still on its way is stale: answering
	 * it would send that window twice (RFC 1123 s.4.2.3.1). */
	if (a == m->acked && !m->oack_pending && !m->k.eager && m->qt != m->qh)
		return;
	/* tftp-hpa heeds only the ACK of the block it sends. */
	if (m->k.give_up_sends && a == m->acked && !m->oack_pending)
		return;
	if (m->k.heed_one_ack) {
		if (m->qt == m->qh)
			m->heeded = false;
		else if (m->heeded)
			return;
		else
			m->heeded = true;
	}
	m->acked = a;
	m->oack_pending = false;
	m->timer_ms = m->base_ms;
	m->sends = 1;
	if (a == m->nblocks) {
		m->finished = true;
		return;
	}
	srv_window(m, a + 1);
}

/* The server's own timer ran out: send the OACK or the window again. */
static void srv_timeout(struct sim *m)
{
	if (m->k.give_up_sends) {
		if (m->sends >= m->k.give_up_sends) {
			m->finished = true; /* tftp-hpa exits */
			m->gave_up++;
			return;
		}
		m->sends++;
		m->timer_ms *= 2;
	}
	if (m->k.babble) {
		srv_block(m, m->k.babble);
		return;
	}
	if (m->oack_pending) {
		if (!sim_frame_lost(m))
			sim_queue(m, m->port, m->oack, m->oack_len);
		else
			m->last_tx = m->now;
	} else
		srv_window(m, m->acked + 1);
}

/* The client's send callback: a datagram to port 69, the server, or a stranger. */
static void sim_send(void *ctx, const uint8_t *p, size_t len, uint16_t port)
{
	struct sim *m = ctx;
	uint16_t op = (uint16_t)(p[0] << 8 | p[1]);

	if (len < 4)
		abort();
	if (port == TFTP_PORT) {
		if (op != TFTP_OP_RRQ)
			abort();
		srv_rrq(m, p, len);
		return;
	}
	if (op == TFTP_OP_ERROR) {
		if (p[len - 1] != 0)
			abort();
		m->nerrs_all++;
		if (m->nerrs < 8) { /* the first 8 are kept */
			struct sim_err *e = &m->errs[m->nerrs++];
			e->port = port;
			e->code = (uint16_t)(p[2] << 8 | p[3]);
			snprintf(e->msg, sizeof(e->msg), "%s", (const char *)p + 4);
		}
		if (port == m->port)
			m->finished = true; /* the transfer is over for the server too */
		return;
	}
	if (op != TFTP_OP_ACK || len != 4)
		abort();
	if (port != m->port)
		return; /* an ACK to an abandoned transfer: nobody listens there */
	srv_ack(m, (uint16_t)(p[2] << 8 | p[3]));
}

static bool sim_copied_to_null; /* the client asked to copy into a NULL buffer */

static void sim_copy(const void *src, size_t off, void *dst, size_t n)
{
	const struct sim_pkt *e = src;

	if (!dst)
		sim_copied_to_null = true;
	if (off > e->len || n > e->len - off)
		abort();
	if (n)
		memcpy(dst, e->data + off, n);
}

/* The copy every packet the client sees goes through (a test may swap it). */
static void (*sim_copy_fn)(const void *src, size_t off, void *dst, size_t n) = sim_copy;

static uint8_t *sim_grow(void *ctx, uint8_t *old, uint64_t used, uint64_t need, uint64_t *cap)
{
	struct sim *m = ctx;

	m->grow_calls++;
	m->grow_need = need;
	/* pxe/tftp_net.c reads *cap as the old buffer's size to free it. */
	if (old && *cap != m->grow_cap)
		m->grow_cap_ok = false;
	if (m->grow_fail)
		return NULL;
	uint64_t c = need;
	if (m->grow_round)
		c = (need + m->grow_round - 1) / m->grow_round * m->grow_round;
	uint8_t *b = realloc(old, c);
	if (!b)
		return NULL;
	*cap = m->grow_cap = c;
	return b;
}

/* A client set up for file "boot.efi", and a server holding file. */
static struct sim *sim_new(const uint8_t *file, size_t len, uint16_t blksize, uint16_t window,
			   bool tsize)
{
	struct sim *m = calloc(1, sizeof(*m));

	m->file = file;
	m->len = len;
	m->now = SIM_START_MS;
	m->port = SRV_PORT;
	m->grow_cap_ok = true;
	sim_copied_to_null = false;
	m->x.filename = "boot.efi";
	m->x.want_blksize = blksize;
	m->x.want_window = window;
	m->x.want_tsize = tsize;
	m->x.max_size = 64 << 20;
	m->x.send = sim_send;
	m->x.grow = sim_grow;
	m->x.ctx = m;
	return m;
}

static bool sim_active(const struct sim *m)
{
	return m->x.state == TFTP_REQUESTING || m->x.state == TFTP_RECEIVING;
}

static void sim_deliver(struct sim *m)
{
	struct sim_pkt e = m->q[m->qh++ % SIM_QUEUE];
	struct tftp_view v = {e.len, sim_copy_fn, &e};

	tftp_input(&m->x, m->now, e.port, &v);
	free(e.data);
	if (m->x.state == TFTP_RECEIVING) {
		if (!m->min_cwnd || m->x.cwnd < m->min_cwnd) {
			m->min_cwnd = m->x.cwnd;
			m->max_cwnd_after_min = m->x.cwnd;
		}
		if (m->x.cwnd > m->max_cwnd_after_min)
			m->max_cwnd_after_min = m->x.cwnd;
	}
}

/* Run the transfer to its end: deliver what the server sent; with nothing
 * in flight, move the clock to the next timer, the server's or the client's. */
static void sim_run(struct sim *m)
{
	m->rng = m->k.seed;
	tftp_start(&m->x, m->now);
	for (unsigned long step = 0; sim_active(m) && step < SIM_MAX_STEPS; step++) {
		uint64_t due = m->x.last_rx_ms + m->x.timeout_ms;
		/* The firmware ticks every poll: an unanswered first request
		 * ends at its deadline, which may come before the timer. */
		uint64_t deadline = m->x.start_ms + tftp_request_limit(&m->x);
		if (m->x.state == TFTP_REQUESTING && !m->x.restarts && deadline < due)
			due = deadline > m->now ? deadline : m->now;
		if (m->qt != m->qh && m->q[m->qh % SIM_QUEUE].due <= due) {
			if (m->q[m->qh % SIM_QUEUE].due > m->now)
				m->now = m->q[m->qh % SIM_QUEUE].due;
			sim_deliver(m);
			continue;
		}
		uint32_t srv_timer = m->timer_ms ? m->timer_ms : m->k.resend_ms;
		if (srv_timer && m->started && !m->finished && m->last_tx + srv_timer < due) {
			m->now = m->last_tx + srv_timer;
			srv_timeout(m);
			continue;
		}
		if (due > m->now)
			m->now = due;
		uint64_t before = m->x.retransmits;
		tftp_tick(&m->x, m->now);
		if (m->x.retransmits != before && m->nticks < 16) {
			m->tick_ms[m->nticks] = m->now;
			m->tick_window[m->nticks++] = m->x.window;
		}
	}
	m->end_ms = m->now;
	/* Whatever is still on its way must leave the finished client alone. */
	while (!sim_active(m) && m->qt != m->qh)
		sim_deliver(m);
}

static void sim_free(struct sim *m)
{
	while (m->qt != m->qh)
		free(m->q[m->qh++ % SIM_QUEUE].data);
	if (m->holding)
		free(m->held.data);
	free(m->x.buf);
	free(m->acks);
	free(m->ack_ms);
	free(m);
}

/* When the n-th retransmission is due, counting from the last packet that
 * made progress, for a timer that starts at first and doubles up to
 * TFTP_MAX_TIMEOUT_MS (RFC 6298 s.5.5). */
static inline uint64_t backoff_capped(uint64_t first, unsigned n, uint64_t cap)
{
	uint64_t t = 0, timeout = first;

	for (unsigned i = 0; i < n; i++) {
		t += timeout;
		timeout = timeout * 2 > cap ? cap : timeout * 2;
	}
	return t;
}

static inline uint64_t backoff_from(uint64_t first, unsigned n)
{
	return backoff_capped(first, n, TFTP_MAX_TIMEOUT_MS);
}

/* A file whose every block differs, so a misplaced block cannot pass. */
static inline uint8_t *make_file(size_t len)
{
	uint8_t *f = calloc(1, len ? len : 1); /* len 0: one zero byte, never read */
	uint32_t r = (uint32_t)len * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		r = r * 1103515245u + 12345u;
		f[i] = (uint8_t)(r >> 16);
	}
	return f;
}

#endif
