/* TFTP read client state machine. Windows of blocks are acknowledged once
 * (RFC 7440 s.4); a gap acknowledges the last block received in order at
 * once, so the server restarts the window from there; duplicates are
 * counted and dropped. Block numbers wrap at 65536 but our count never
 * does, so files past 32 MiB at 512-byte blocks are fine.
 *
 * Loss: the retransmission timer comes from the measured round trip
 * (RFC 6298, Karn's rule) with a floor, and backs off only while nothing
 * new arrives; the window between our ACKs halves on a loss and grows by
 * one per clean window; blocks larger than a frame, once they are seen to
 * get lost, give way to a new request with blocks that fit a frame. TFTP
 * has no way to start a transfer part-way, so the new one starts at block
 * 1: the bytes already held are compared with the new blocks, not stored
 * again, and a file that changed in between fails the transfer.
 *
 * A server that stops (tftp-hpa gives a block up after 6 sends; a server
 * can die) is asked again the same way, while each attempt gets somewhere:
 * TFTP_MAX_RESTARTS times at most. */
#include <string.h>
#include <format.h>
#include <tftp.h>

uint32_t tftp_request_limit(const struct tftp_xfer *x)
{
	return x->request_give_up_ms ? x->request_give_up_ms : TFTP_REQUEST_GIVE_UP_MS;
}

uint64_t tftp_bytes_held(const struct tftp_xfer *x)
{
	return x->bytes > x->kept ? x->bytes : x->kept;
}

static void fail(struct tftp_xfer *x, int code, const char *why)
{
	size_t n = strlen(why);

	x->state = TFTP_FAILED;
	x->err_code = code;
	if (n >= sizeof(x->why))
		n = sizeof(x->why) - 1;
	memcpy(x->why, why, n);
	x->why[n] = '\0';
}

static void send_error(struct tftp_xfer *x, uint16_t port, uint16_t code, const char *msg)
{
	uint8_t pkt[64];
	size_t n = strlen(msg);

	if (n > sizeof(pkt) - 5)
		n = sizeof(pkt) - 5;
	pkt[0] = 0;
	pkt[1] = TFTP_OP_ERROR;
	pkt[2] = (uint8_t)(code >> 8);
	pkt[3] = (uint8_t)code;
	memcpy(pkt + 4, msg, n);
	pkt[4 + n] = 0;
	x->send(x->ctx, pkt, n + 5, port);
}

/* Start timing the packet about to leave, or (Karn) stop: a reply to a
 * packet sent more than once says nothing about the round trip. */
static void time_packet(struct tftp_xfer *x, bool first_copy)
{
	x->timing = first_copy;
	x->timed_at = x->now;
}

/* The transfer runs lock-step on the timer tftp-hpa took from us (its
 * utimeout): that server resends a block only on it, ignores repeated ACKs
 * of older blocks, and exits after TFTP_HPA_GIVE_UP_PERIODS of it. */
static bool on_server_timer(const struct tftp_xfer *x)
{
	return x->state == TFTP_RECEIVING && x->utimeout_us && x->window == 1;
}

/* The timer without backoff: SRTT + max(G, 4 RTTVAR) (RFC 6298 s.2.3),
 * G = 1 ms, within [floor, TFTP_MAX_RTO_MS]; the floor is lower for a
 * lock-step server that took our utimeout (TFTP_MIN_RTO_HPA_MS). */
static void update_rto(struct tftp_xfer *x)
{
	uint32_t floor = on_server_timer(x) ? TFTP_MIN_RTO_HPA_MS : TFTP_MIN_RTO_MS;
	uint32_t var = 4 * x->rttvar8 > 8 ? 4 * x->rttvar8 : 8;
	uint32_t rto = (x->srtt8 + var + 7) / 8;

	x->rto_ms = rto < floor ? floor : rto > TFTP_MAX_RTO_MS ? TFTP_MAX_RTO_MS : rto;
}

/* A reply to the packet being timed arrived: one round-trip sample
 * (RFC 6298 s.2.2, s.2.3; alpha 1/8, beta 1/4). */
static void rtt_sample(struct tftp_xfer *x)
{
	if (!x->timing)
		return;
	x->timing = false;
	uint64_t r = x->now - x->timed_at;
	if (r > 60000)
		r = 60000;
	uint32_t r8 = (uint32_t)r * 8;
	if (!x->rtt_valid) {
		x->srtt8 = r8;
		x->rttvar8 = r8 / 2;
		x->rtt_valid = true;
	} else {
		uint32_t d = x->srtt8 > r8 ? x->srtt8 - r8 : r8 - x->srtt8;
		x->rttvar8 = x->rttvar8 - x->rttvar8 / 4 + d / 4;
		x->srtt8 = x->srtt8 - x->srtt8 / 8 + r8 / 8;
	}
	x->rtt_samples++;
	update_rto(x);
}

/* Something new arrived: the retry budget and the backoff start over. */
static void progress(struct tftp_xfer *x)
{
	x->last_rx_ms = x->progress_ms = x->now;
	x->retries = 0;
	x->timeout_ms = x->rto_ms;
	x->rx_since_progress = 0;
}

static void send_rrq(struct tftp_xfer *x)
{
	uint8_t pkt[512];
	size_t n = x->options_sent
		       ? tftp_build_rrq_ut(pkt, sizeof(pkt), x->filename, x->req_blksize,
					   x->req_window, x->want_tsize, x->req_utimeout_us)
		       : tftp_build_rrq(pkt, sizeof(pkt), x->filename, 0, 0, false);
	if (!n) {
		fail(x, -1, "file name too long for a request");
		return;
	}
	x->send(x->ctx, pkt, n, TFTP_PORT);
}

/* ACK the last block received in order (0 acknowledges an OACK). */
static void send_ack(struct tftp_xfer *x)
{
	uint16_t b = (uint16_t)(x->next - 1);
	uint8_t pkt[4] = {0, TFTP_OP_ACK, (uint8_t)(b >> 8), (uint8_t)b};

	x->send(x->ctx, pkt, 4, x->tid);
	x->since_ack = 0;
	x->acks++;
	x->last_ack_ms = x->now;
	/* The server answers this ACK, if it does, with a window ending here. */
	memmove(x->win_end + 1, x->win_end, sizeof(x->win_end) - sizeof(x->win_end[0]));
	memmove(x->win_gap + 1, x->win_gap, sizeof(x->win_gap) - sizeof(x->win_gap[0]));
	x->win_end[0] = x->next - 1 + x->window;
	x->win_gap[0] = false;
}

/* Block u ends the window the server sent for our last ACK, or for one
 * of our earlier gap ACKs. (A window-end ACK's window is still on its way
 * when a gap in it is ACKed: its end says nothing.) */
static bool server_waits_after(const struct tftp_xfer *x, uint64_t u)
{
	if (u == x->win_end[0])
		return true;
	for (size_t i = 1; i < TFTP_WIN_ENDS; i++)
		if (x->win_gap[i] && u == x->win_end[i])
			return true;
	return false;
}

/* A window was lost in part (a gap, a timeout): halve the loss window
 * (multiplicative decrease), at most once per window. It sizes the windows
 * of later requests (tftp_next_window), not the ACKs of this one. */
static void on_loss(struct tftp_xfer *x)
{
	x->losses++;
	x->attempt_losses++;
	if (x->window_lost)
		return;
	x->window_lost = true;
	x->cwnd = x->cwnd > 1 ? x->cwnd / 2 : 1;
}

/* A window arrived whole: one block more (additive increase), up to what
 * the server agreed to send. */
static void on_clean_window(struct tftp_xfer *x)
{
	if (!x->window_lost && x->cwnd < x->window)
		x->cwnd++;
	x->window_lost = false;
	x->last_stall = 0;
}

/* The first request, or a new one after falling back. */
static void request(struct tftp_xfer *x)
{
	x->state = TFTP_REQUESTING;
	x->tid = 0;
	x->next = 1;
	x->bytes = 0;
	x->since_ack = 0;
	x->gap_acked = 0;
	x->retries = 0;
	x->attempt_losses = 0;
	x->window_lost = false;
	x->last_stall = 0;
	x->last_rx_ms = x->now;
	x->timeout_ms = x->rto_ms;
	time_packet(x, true);
	send_rrq(x);
}

void tftp_start(struct tftp_xfer *x, uint64_t now)
{
	x->now = now;
	x->options_sent = x->want_blksize || x->want_tsize || x->want_window > 1;
	x->req_blksize = x->want_blksize;
	x->req_window = x->want_window;
	x->req_utimeout_us = x->want_utimeout_us;
	x->utimeout_us = 0;
	x->start_ms = x->progress_ms = now;
	x->dups = x->out_of_order = x->retransmits = x->acks = 0;
	x->has_tsize = false;
	x->err_code = 0;
	x->why[0] = '\0';
	x->rtt_valid = false;
	x->rtt_samples = 0;
	x->rto_ms = TFTP_FIRST_TIMEOUT_MS;
	if (x->seed_rtt_ms) {
		x->srtt8 = x->seed_rtt_ms * 8;
		x->rttvar8 = x->seed_rtt_ms * 4;
		update_rto(x);
	}
	x->losses = 0;
	x->fast_acks = 0;
	memset(x->win_end, 0, sizeof(x->win_end));
	memset(x->win_gap, 0, sizeof(x->win_gap));
	x->rx_since_progress = 0;
	x->restarts = 0;
	x->fell_back = false;
	x->stop_restarts = 0;
	x->stopped_at = 0;
	x->stop_quiet = false;
	x->stop_silence_ms = 0;
	x->last_srv_ms = now;
	x->old_tid = 0;
	x->kept = 0;
	x->old_has_tsize = false;
	request(x);
}

/* Blocks larger than a frame keep getting lost: ask again with blocks that
 * fit one, the same bytes in flight per window (at most TFTP_MAX_WINDOW
 * blocks), and, for a lock-step server, tftp-hpa's utimeout so that its
 * own retransmissions (the only ones it makes) follow our round trip. */
static bool maybe_fall_back(struct tftp_xfer *x)
{
	if (!x->fit_blksize || x->blksize <= x->fit_blksize || x->fell_back || !x->options_sent ||
	    x->attempt_losses < TFTP_FALLBACK_LOSSES ||
	    x->attempt_losses * TFTP_FALLBACK_RATIO < x->next - 1 + x->attempt_losses)
		return false;
	send_error(x, x->tid, 0, "switching to a smaller block size");
	x->old_tid = x->tid;
	if (x->bytes > x->kept)
		x->kept = x->bytes;
	x->old_tsize = x->tsize;
	x->old_has_tsize = x->has_tsize;
	x->restarts++;
	x->fell_back = true;
	uint32_t win = x->window;
	if (x->want_window > 1) {
		/* The bytes in flight the losses left (the halved loss window),
		 * in blocks that fit a frame. */
		win = (uint32_t)(x->cwnd ? x->cwnd : 1) * x->blksize / x->fit_blksize;
		if (win > TFTP_MAX_WINDOW)
			win = TFTP_MAX_WINDOW;
	}
	x->req_blksize = x->fit_blksize;
	x->req_window = (uint16_t)(win > 1 ? win : 0);
	if (x->window <= 1) {
		/* Twice the round trip: the variance of blocks that took 45
		 * fragments says little about blocks that take one. */
		uint32_t ut = 2 * ((x->srtt8 + 7) / 8);
		ut = ut < TFTP_MIN_UTIMEOUT_MS	 ? TFTP_MIN_UTIMEOUT_MS
		     : ut > TFTP_MAX_UTIMEOUT_MS ? TFTP_MAX_UTIMEOUT_MS
						 : ut;
		x->req_utimeout_us = ut * 1000;
	}
	request(x);
	return true;
}

/* Make room for bytes up to end; false (and failed) if we cannot. */
static bool room_for(struct tftp_xfer *x, uint64_t end)
{
	if (end > x->max_size) {
		fail(x, -1, "file is larger than the memory available for it");
		return false;
	}
	if (end <= x->cap)
		return true;
	uint64_t want = x->has_tsize && x->tsize >= end ? x->tsize : end;
	if (!x->has_tsize) {
		/* Unknown size: grow geometrically so copying stays linear. */
		uint64_t dbl = x->cap * 2;
		if (dbl > want)
			want = dbl;
		if (want < 1 << 20)
			want = 1 << 20;
		if (want > x->max_size)
			want = x->max_size;
	}
	uint64_t cap = x->cap; /* the old capacity, which grow frees */
	uint8_t *b = x->grow(x->ctx, x->buf, tftp_bytes_held(x), want, &cap);
	if (!b || cap < end) {
		fail(x, -1, "out of memory for the file");
		return false;
	}
	x->buf = b;
	x->cap = cap;
	return true;
}

/* The server's first answer fixes the transfer parameters. False when it
 * is not taken: the transfer failed, or (after a fallback or restart) the
 * OACK answers an earlier request of ours and is waited past. */
static bool on_first_reply(struct tftp_xfer *x, uint16_t port, bool oack, const uint8_t *opts,
			   size_t olen)
{
	uint16_t bs = 512, win = 1;
	uint32_t ut = 0;
	uint64_t tsize = 0;
	bool has_tsize = false;

	if (oack) {
		char bad[64], line[96];
		bs = x->req_blksize ? x->req_blksize : 512;
		win = x->req_window > 1 ? x->req_window : 1;
		ut = x->req_utimeout_us;
		if (tftp_parse_oack_ut(opts, olen, &bs, &win, &tsize, &has_tsize, &ut, bad,
				       sizeof(bad))) {
			if (x->restarts) {
				/* A server that got an earlier request of ours twice
				 * answers the copy from a port of its own, with that
				 * request's options (a bigger block): not the answer
				 * to this one. That transfer is told to stop. */
				send_error(x, port, 5, "unknown transfer id");
				return false;
			}
			send_error(x, port, 8, "bad option acknowledgement");
			format_buf(line, sizeof(line),
				   "server's option acknowledgement refused: %s", bad);
			fail(x, -1, line);
			return false;
		}
	}
	x->tid = port;
	x->blksize = bs;
	x->window = win;
	x->utimeout_us = ut;
	x->tsize = tsize;
	x->has_tsize = has_tsize;
	x->cwnd = x->window;
	if (x->restarts && x->old_has_tsize && x->has_tsize && x->tsize != x->old_tsize) {
		send_error(x, port, 0, "file changed");
		fail(x, -1, "the file changed size between two requests");
		return false;
	}
	if (x->has_tsize) {
		if (x->tsize > x->max_size) {
			send_error(x, port, 3, "file too large for memory");
			fail(x, -1, "file is larger than the memory available for it");
			return false;
		}
		/* One allocation for the whole file. */
		if (!room_for(x, x->tsize)) {
			send_error(x, port, 3, "out of memory");
			return false;
		}
	}
	x->state = TFTP_RECEIVING;
	if (x->rtt_valid)
		update_rto(x); /* its floor depends on the server's kind */
	return true;
}

/* Store a new in-order block at x->bytes; bytes an earlier attempt left
 * there must be the same. False (and failed) if not. */
static bool store_block(struct tftp_xfer *x, const struct tftp_view *v, size_t n)
{
	uint64_t end = x->bytes + n;
	size_t same = 0;

	if (x->bytes < x->kept && !x->discard) {
		/* [bytes, min(end, kept)) is in buf already: compare, do not copy. */
		uint8_t tmp[256];
		same = (size_t)((end < x->kept ? end : x->kept) - x->bytes);
		for (size_t off = 0; off < same; off += sizeof(tmp)) {
			size_t k = same - off < sizeof(tmp) ? same - off : sizeof(tmp);
			v->copy(v->src, 4 + off, tmp, k);
			if (memcmp(tmp, x->buf + x->bytes + off, k)) {
				send_error(x, x->tid, 0, "file changed");
				fail(x, -1, "the file changed between two requests");
				return false;
			}
		}
	}
	if (!room_for(x, end)) {
		send_error(x, x->tid, 3, "out of memory");
		return false;
	}
	if (n > same) /* an empty last block may find no buffer at all */
		v->copy(v->src, 4 + same, x->buf + x->bytes + same, n - same);
	x->bytes = end;
	return true;
}

static void on_data(struct tftp_xfer *x, uint16_t block, const struct tftp_view *v)
{
	size_t n = v->len - 4;

	if (n > x->blksize) {
		if (x->restarts && x->tid == x->old_tid)
			return; /* the abandoned attempt's big block, from the same port */
		fail(x, -1, "server sent a block larger than the negotiated size");
		return;
	}
	if (block != (uint16_t)x->next) {
		/* Behind us: a duplicate. Ahead: a gap, so ACK what we have and
		 * the server resends from there (RFC 7440 s.4). */
		uint16_t behind = (uint16_t)((uint16_t)x->next - block);
		if (behind && behind <= x->window) {
			/* Old news. In lock-step, a copy of the block just acknowledged
			 * means our ACK was lost: say it again (RFC 1350). With windows,
			 * answering copies would make a server that restarts its window
			 * on every ACK send each window twice (Sorcerer's Apprentice):
			 * the timer resends a lost ACK instead. */
			x->dups++;
			/* ... and only when the copy comes a timer after our ACK, as
			 * a server's own retransmission does. One that comes at once
			 * answers a repeated ACK of ours (our timer ran out early):
			 * answering it would make a server that sends on every ACK
			 * send each block twice from then on (RFC 1123 s.4.2.3.1). */
			if (x->window == 1 && behind == 1 && x->since_ack == 0 &&
			    x->now - x->last_ack_ms >= x->rto_ms) {
				time_packet(x, false);
				send_ack(x);
			}
		} else {
			/* A gap: a block of this window was lost. Acknowledge the last
			 * good block at once, not after a timeout, and only once: the
			 * server resends from there (RFC 7440 s.4). Later blocks of the
			 * same window are dropped quietly. */
			uint64_t u = x->next + (uint16_t)(block - (uint16_t)x->next);
			x->out_of_order++;
			x->last_stall = 0; /* blocks were lost, the window is whole */
			if (x->gap_acked != x->next) {
				x->gap_acked = x->next;
				on_loss(x);
				if (maybe_fall_back(x))
					return;
				time_packet(x, true);
				send_ack(x);
				x->win_gap[0] = true;
			} else if (x->window > 1 && server_waits_after(x, u)) {
				/* The gap is still open and the server has sent the last
				 * block of a window it sent for one of our ACKs: the ACK
				 * after that was lost, or ignored (atftpd heeds one ACK a
				 * window), and the server now waits. Say it again now,
				 * not after a timeout. */
				x->retransmits++;
				x->fast_acks++;
				time_packet(x, false);
				send_ack(x);
			}
		}
		return;
	}
	uint64_t end = x->bytes + n;
	if (x->has_tsize && end > x->tsize) {
		send_error(x, x->tid, 3, "more data than tsize announced");
		fail(x, -1, "server sent more data than the tsize it announced");
		return;
	}
	if (!store_block(x, v, n))
		return;
	rtt_sample(x);
	x->next++;
	x->since_ack++;
	progress(x);
	if (n < x->blksize) {
		send_ack(x);
		if (x->has_tsize && x->bytes != x->tsize) {
			fail(x, -1, "transfer ended before the size the server announced");
			return;
		}
		x->state = TFTP_DONE;
		return;
	}
	/* ACK when the server's window is complete (RFC 7440 s.4). Not
	 * earlier: a server restarts its window on every ACK it heeds, and
	 * resends what is already on its way. */
	if (x->since_ack >= x->window) {
		on_clean_window(x);
		time_packet(x, true);
		send_ack(x);
	}
}

void tftp_input(struct tftp_xfer *x, uint64_t now, uint16_t port, const struct tftp_view *v)
{
	uint8_t hdr[4];

	if (x->state != TFTP_REQUESTING && x->state != TFTP_RECEIVING)
		return;
	if (v->len < 4)
		return;
	x->now = now;
	v->copy(v->src, 0, hdr, 4);
	uint16_t op = (uint16_t)(hdr[0] << 8 | hdr[1]);
	uint16_t arg = (uint16_t)(hdr[2] << 8 | hdr[3]);

	if (!port)
		return; /* no reply can come from port 0, nor be answered there */
	/* The attempt we abandoned, still on its way: told already. (A server
	 * may answer the new request from the same port: its OACK is new.) */
	if (x->old_tid && port == x->old_tid && port != x->tid &&
	    !(x->state == TFTP_REQUESTING && op == TFTP_OP_OACK))
		return;
	if (x->tid && port != x->tid) {
		/* RFC 1350 s.4: a stranger gets an error; our transfer goes on. */
		send_error(x, port, 5, "unknown transfer id");
		return;
	}
	x->rx_since_progress++;
	x->last_srv_ms = now;
	if (op == TFTP_OP_ERROR) {
		if (x->state == TFTP_REQUESTING)
			rtt_sample(x); /* a "not found" answers the request, too */
		if (x->state == TFTP_REQUESTING && arg == 8 && x->options_sent) {
			/* Options refused: ask again without them (RFC 2347 s.5). */
			x->options_sent = false;
			time_packet(x, false);
			send_rrq(x);
			return;
		}
		char msg[96], why[128];
		size_t n = v->len - 4 < sizeof(msg) - 1 ? v->len - 4 : sizeof(msg) - 1;
		v->copy(v->src, 4, msg, n);
		msg[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (msg[i] && (msg[i] < 32 || msg[i] > 126))
				msg[i] = '?';
		size_t k = 0;
		const char *name = tftp_error_name(arg);
		while (*name && k < sizeof(why) - 1)
			why[k++] = *name++;
		if (msg[0] && k + 4 < sizeof(why)) {
			why[k++] = ':';
			why[k++] = ' ';
			for (size_t i = 0; msg[i] && k < sizeof(why) - 1; i++)
				why[k++] = msg[i];
		}
		why[k] = '\0';
		fail(x, arg, why);
		return;
	}
	if (x->state == TFTP_REQUESTING) {
		if (op == TFTP_OP_OACK) {
			uint8_t opts[512];
			size_t n = v->len - 2 < sizeof(opts) ? v->len - 2 : sizeof(opts);
			v->copy(v->src, 2, opts, n);
			if (on_first_reply(x, port, true, opts, n)) {
				rtt_sample(x);
				/* Progress: ACK 0 gets a fresh retry budget. */
				progress(x);
				time_packet(x, true);
				send_ack(x); /* ACK 0 accepts the options */
			}
			return;
		}
		if (op == TFTP_OP_DATA) {
			/* The server ignored our options: plain RFC 1350. */
			if (!on_first_reply(x, port, false, NULL, 0))
				return;
		} else {
			return;
		}
	}
	if (op == TFTP_OP_DATA)
		on_data(x, arg, v);
}

/* The server stopped (it gave a block up, or died) after this attempt got
 * blocks: ask again with the options that worked (the request's own: the
 * block size that fit, the window, tftp-hpa's timer), ignore the old port,
 * and compare what is held. False when that would not help: this attempt
 * got no block, or stopped at the very byte the attempt before it stopped
 * at (a server that cannot get past it), or the restarts are used up. */
static bool maybe_restart(struct tftp_xfer *x)
{
	if (!x->bytes || x->stop_restarts >= TFTP_MAX_RESTARTS ||
	    (x->stop_restarts && x->bytes == x->stopped_at))
		return false;
	send_error(x, x->tid, 0, "asking again"); /* in case it only went quiet */
	x->old_tid = x->tid;
	x->stopped_at = x->bytes;
	x->stop_quiet = !x->rx_since_progress;
	x->stop_silence_ms = x->now - x->progress_ms;
	if (x->bytes > x->kept)
		x->kept = x->bytes;
	x->old_tsize = x->tsize;
	x->old_has_tsize = x->has_tsize;
	x->restarts++;
	x->stop_restarts++;
	/* The new request gets a transfer's patience, counted from now: the
	 * server may be starting again. */
	x->progress_ms = x->now;
	x->rx_since_progress = 0;
	request(x);
	return true;
}

/* Giving up: what happened, in numbers, and whose silence it was. */
static void give_up(struct tftp_xfer *x)
{
	char got[24], total[24], again[32] = "", why[sizeof(x->why)];
	uint64_t quiet = x->now - x->progress_ms;
	const char *what = x->rx_since_progress ? "the server kept sending, nothing new arrived"
						: "the server stopped sending";

	if (maybe_restart(x))
		return;
	if (x->stop_restarts) {
		format_buf(again, sizeof(again), " and %u restart%s", x->stop_restarts,
			   x->stop_restarts == 1 ? "" : "s");
		if (x->state == TFTP_REQUESTING)
			what = "no answer to the new request";
		else if (!x->bytes)
			what = "no block after the new request";
		else if (x->bytes == x->stopped_at)
			what = "the server stopped at the same byte as before";
		else if (x->rx_since_progress)
			what = "the server kept sending, nothing new arrived, no restart left";
		else
			what = "the server stopped sending, no restart left";
	}
	format_size(got, sizeof(got), tftp_bytes_held(x));
	format_size(total, sizeof(total), x->has_tsize ? x->tsize : 0);
	format_buf(why, sizeof(why),
		   "gave up after %llu retransmissions%s, %s%s%s arrived, no progress for "
		   "%llu.%llu s; %s",
		   (unsigned long long)x->retransmits, again, got, x->has_tsize ? " of " : "",
		   x->has_tsize ? total : "", (unsigned long long)(quiet / 1000),
		   (unsigned long long)(quiet % 1000 / 100), what);
	fail(x, -1, why);
}

/* tftp-hpa granted utimeout, its timer: it has given our next block up,
 * or exited, TFTP_HPA_GIVE_UP_PERIODS of them after it first sent it, which
 * was at most as many after our last new block, and it sends nothing for
 * that long before it exits. Silence past both (and a margin): it is gone,
 * sooner than TFTP_GIVE_UP_MS when its timer is short. */
static bool server_gone(const struct tftp_xfer *x)
{
	uint64_t periods_ms = (uint64_t)x->utimeout_us * TFTP_HPA_GIVE_UP_PERIODS / 1000;

	return on_server_timer(x) &&
	       x->now - x->progress_ms >= 2 * periods_ms + TFTP_GONE_MARGIN_MS &&
	       x->now - x->last_srv_ms >= periods_ms + TFTP_GONE_MARGIN_MS;
}

void tftp_tick(struct tftp_xfer *x, uint64_t now)
{
	if (x->state != TFTP_REQUESTING && x->state != TFTP_RECEIVING)
		return;
	x->now = now;
	if (server_gone(x)) {
		give_up(x);
		return;
	}
	/* An unanswered first request ends when its time is up, not at the
	 * next retransmission after that. */
	if (x->state == TFTP_REQUESTING && !x->restarts &&
	    now - x->start_ms >= tftp_request_limit(x)) {
		fail(x, -1, "no answer from the server");
		return;
	}
	if (now - x->last_rx_ms < x->timeout_ms)
		return;
	if (x->state == TFTP_RECEIVING || x->restarts) {
		if (x->retries >= TFTP_RETRIES && now - x->progress_ms >= TFTP_GIVE_UP_MS) {
			give_up(x);
			return;
		}
	}
	if (x->state == TFTP_RECEIVING) {
		/* Two windows in a row stall after the same number of blocks,
		 * with no gap seen: the server sends fewer blocks than it agreed
		 * to. Use that as the window. A single stall is the tail of a
		 * window lost. */
		bool short_window =
		    x->since_ack && x->since_ack < x->window && x->since_ack == x->last_stall;
		x->last_stall = x->since_ack;
		if (short_window)
			x->window = x->cwnd = x->since_ack;
		else
			on_loss(x);
		if (maybe_fall_back(x))
			return;
	}
	x->retries++;
	x->retransmits++;
	x->last_rx_ms = now;
	uint32_t cap =
	    x->state == TFTP_REQUESTING ? TFTP_MAX_REQUEST_TIMEOUT_MS : TFTP_MAX_TIMEOUT_MS;
	x->timeout_ms = x->timeout_ms * 2 > cap ? cap : x->timeout_ms * 2;
	time_packet(x, false);
	if (x->state == TFTP_REQUESTING)
		send_rrq(x);
	else
		send_ack(x); /* the server resends the window after our last ACK */
}
