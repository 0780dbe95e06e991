/* TFTP read client state machine. Windows of blocks are acknowledged once
 * (RFC 7440 s.4); a gap acknowledges the last block received in order so
 * the server restarts the window from there; duplicates are counted and
 * dropped. Block numbers wrap at 65536 but our count never does, so files
 * past 32 MiB at 512-byte blocks are fine. */
#include <string.h>
#include <numparse.h>
#include <tftp.h>

static size_t put_str(uint8_t *buf, size_t pos, size_t cap, const char *s)
{
	size_t n = strlen(s) + 1;

	if (!pos || pos + n > cap)
		return 0;
	memcpy(buf + pos, s, n);
	return pos + n;
}

static size_t put_num(uint8_t *buf, size_t pos, size_t cap, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	char s[24];
	for (int i = 0; i < n; i++)
		s[i] = tmp[n - 1 - i];
	s[n] = '\0';
	return put_str(buf, pos, cap, s);
}

size_t tftp_build_rrq(uint8_t *buf, size_t cap, const char *file, uint16_t blksize,
		      uint16_t window, bool tsize)
{
	if (cap < 2)
		return 0;
	buf[0] = 0;
	buf[1] = TFTP_OP_RRQ;
	size_t pos = put_str(buf, 2, cap, file);
	pos = put_str(buf, pos, cap, "octet");
	if (blksize) {
		pos = put_str(buf, pos, cap, "blksize");
		pos = put_num(buf, pos, cap, blksize);
	}
	if (tsize) {
		pos = put_str(buf, pos, cap, "tsize");
		pos = put_num(buf, pos, cap, 0);
	}
	if (window > 1) {
		pos = put_str(buf, pos, cap, "windowsize");
		pos = put_num(buf, pos, cap, window);
	}
	return pos;
}

int tftp_parse_oack(const uint8_t *p, size_t len, uint16_t *blksize, uint16_t *window,
		    uint64_t *tsize, bool *has_tsize)
{
	size_t i = 0;
	uint16_t max_bs = *blksize, max_win = *window;

	/* RFC 2347: an option left out of the OACK was refused. */
	*blksize = 512;
	*window = 1;
	while (i < len) {
		const char *key = (const char *)p + i;
		const uint8_t *z = memchr(p + i, 0, len - i);
		if (!z)
			return -1;
		i = (size_t)(z - p) + 1;
		if (i >= len)
			return -1;
		const char *val = (const char *)p + i;
		z = memchr(p + i, 0, len - i);
		if (!z)
			return -1;
		i = (size_t)(z - p) + 1;
		uint64_t v;
		/* A decimal string of at most 20 digits; nothing else (RFC 2347). */
		if (!numparse_dec(val, strlen(val), &v))
			return -1;
		if (!strcasecmp(key, "blksize")) {
			/* RFC 2348: the server may lower, never raise, the block size. */
			if (v < 8 || v > max_bs)
				return -1;
			*blksize = (uint16_t)v;
		} else if (!strcasecmp(key, "windowsize")) {
			if (v < 1 || v > max_win)
				return -1;
			*window = (uint16_t)v;
		} else if (!strcasecmp(key, "tsize")) {
			*tsize = v;
			*has_tsize = true;
		} else {
			return -1; /* RFC 2347: only options we requested may come back */
		}
	}
	return 0;
}

const char *tftp_error_name(int code)
{
	switch (code) {
	case 0: return "not defined";
	case 1: return "file not found";
	case 2: return "access violation";
	case 3: return "disk full";
	case 4: return "illegal operation";
	case 5: return "unknown transfer id";
	case 6: return "file exists";
	case 7: return "no such user";
	case 8: return "option negotiation refused";
	default: return "unknown error";
	}
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

static void send_rrq(struct tftp_xfer *x)
{
	uint8_t pkt[512];
	size_t n = x->options_sent
			   ? tftp_build_rrq(pkt, sizeof(pkt), x->filename, x->want_blksize,
					    x->want_window, x->want_tsize)
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
	uint8_t pkt[4] = { 0, TFTP_OP_ACK, (uint8_t)(b >> 8), (uint8_t)b };

	x->send(x->ctx, pkt, 4, x->tid);
	x->since_ack = 0;
	x->acks++;
}

void tftp_start(struct tftp_xfer *x, uint64_t now)
{
	x->state = TFTP_REQUESTING;
	x->options_sent = x->want_blksize || x->want_tsize || x->want_window > 1;
	x->tid = 0;
	x->next = 1;
	x->bytes = 0;
	x->since_ack = 0;
	x->gap_acked = 0;
	x->retries = 0;
	x->timeout_ms = TFTP_FIRST_TIMEOUT_MS;
	x->start_ms = x->last_rx_ms = now;
	x->dups = x->out_of_order = x->retransmits = x->acks = 0;
	x->has_tsize = false;
	x->err_code = 0;
	x->why[0] = '\0';
	send_rrq(x);
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
	uint8_t *b = x->grow(x->ctx, x->buf, x->bytes, want, &cap);
	if (!b || cap < end) {
		fail(x, -1, "out of memory for the file");
		return false;
	}
	x->buf = b;
	x->cap = cap;
	return true;
}

/* The server's first answer fixes the transfer parameters. */
static bool on_first_reply(struct tftp_xfer *x, uint16_t port, bool oack, const uint8_t *opts,
			   size_t olen)
{
	x->tid = port;
	x->blksize = 512;
	x->window = 1;
	if (oack) {
		uint16_t bs = x->want_blksize ? x->want_blksize : 512;
		uint16_t win = x->want_window > 1 ? x->want_window : 1;
		if (tftp_parse_oack(opts, olen, &bs, &win, &x->tsize, &x->has_tsize)) {
			send_error(x, port, 8, "bad option acknowledgement");
			fail(x, -1, "server acknowledged options we did not ask for, or bad values");
			return false;
		}
		x->blksize = bs;
		x->window = win;
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
	return true;
}

static void on_data(struct tftp_xfer *x, uint64_t now, uint16_t block, const struct tftp_view *v)
{
	size_t n = v->len - 4;

	if (n > x->blksize) {
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
			if (x->window == 1 && behind == 1 && x->since_ack == 0)
				send_ack(x);
		} else {
			/* A gap: acknowledge the last good block once, and the server
			 * resends from there (RFC 7440 s.4). Later blocks of the same
			 * window are dropped quietly. */
			x->out_of_order++;
			if (x->gap_acked != x->next) {
				x->gap_acked = x->next;
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
	if (!room_for(x, end)) {
		send_error(x, x->tid, 3, "out of memory");
		return;
	}
	if (n) /* an empty last block may find no buffer at all */
		v->copy(v->src, 4, x->buf + x->bytes, n);
	x->bytes = end;
	x->next++;
	x->since_ack++;
	x->last_rx_ms = now;
	x->retries = 0;
	x->timeout_ms = TFTP_FIRST_TIMEOUT_MS;
	if (n < x->blksize) {
		send_ack(x);
		if (x->has_tsize && x->bytes != x->tsize) {
			fail(x, -1, "transfer ended before the size the server announced");
			return;
		}
		x->state = TFTP_DONE;
		return;
	}
	if (x->since_ack >= x->window)
		send_ack(x);
}

void tftp_input(struct tftp_xfer *x, uint64_t now, uint16_t port, const struct tftp_view *v)
{
	uint8_t hdr[4];

	if (x->state != TFTP_REQUESTING && x->state != TFTP_RECEIVING)
		return;
	if (v->len < 4)
		return;
	v->copy(v->src, 0, hdr, 4);
	uint16_t op = (uint16_t)(hdr[0] << 8 | hdr[1]);
	uint16_t arg = (uint16_t)(hdr[2] << 8 | hdr[3]);

	if (!port)
		return; /* no reply can come from port 0, nor be answered there */
	if (x->tid && port != x->tid) {
		/* RFC 1350 s.4: a stranger gets an error; our transfer goes on. */
		send_error(x, port, 5, "unknown transfer id");
		return;
	}
	if (op == TFTP_OP_ERROR) {
		if (x->state == TFTP_REQUESTING && arg == 8 && x->options_sent) {
			/* Options refused: ask again without them (RFC 2347 s.5). */
			x->options_sent = false;
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
				/* Progress: ACK 0 gets a fresh retry budget. */
				x->last_rx_ms = now;
				x->retries = 0;
				x->timeout_ms = TFTP_FIRST_TIMEOUT_MS;
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
		on_data(x, now, arg, v);
}

void tftp_tick(struct tftp_xfer *x, uint64_t now)
{
	if (x->state != TFTP_REQUESTING && x->state != TFTP_RECEIVING)
		return;
	if (now - x->last_rx_ms < x->timeout_ms)
		return;
	if (x->retries == (x->state == TFTP_REQUESTING ? TFTP_REQUEST_RETRIES : TFTP_RETRIES)) {
		fail(x, -1, x->state == TFTP_REQUESTING ? "no answer from the server"
							: "the server stopped sending");
		return;
	}
	x->retries++;
	x->retransmits++;
	/* The first window stalls part-way: the server sends fewer blocks than
	 * it agreed to. Acknowledge what came and use that as the window. Later
	 * stalls are lost blocks, not a smaller window. */
	if (x->state == TFTP_RECEIVING && x->since_ack && x->since_ack < x->window &&
	    x->next <= (uint64_t)x->window + 1)
		x->window = x->since_ack;
	x->last_rx_ms = now;
	x->timeout_ms = x->timeout_ms * 2 > TFTP_MAX_TIMEOUT_MS ? TFTP_MAX_TIMEOUT_MS
								 : x->timeout_ms * 2;
	if (x->state == TFTP_REQUESTING)
		send_rrq(x);
	else
		send_ack(x); /* the server resends the window after our last ACK */
}
