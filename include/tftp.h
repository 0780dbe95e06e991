/* TFTP read client (pxe/tftp.c): RFC 1350 with RFC 2347 options, 2348
 * blksize, 2349 tsize, 7440 windowsize. A pure state machine: packets and
 * time go in, packets to send come out through a callback, the file lands
 * in memory from an allocation callback. pxe/tftp_net.c runs it on lwIP. */
#ifndef WB_TFTP_H
#define WB_TFTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFTP_PORT	 69
#define TFTP_OP_RRQ	 1
#define TFTP_OP_DATA	 3
#define TFTP_OP_ACK	 4
#define TFTP_OP_ERROR	 5
#define TFTP_OP_OACK	 6
#define TFTP_MAX_BLKSIZE 65464 /* RFC 2348: largest block in one UDP datagram */
#define TFTP_MAX_WINDOW	 64
/* Retransmission timer (RFC 6298 s.2, s.5): the first timeout, before any
 * round trip is measured; the floor and the cap of the measured one; the
 * cap of its exponential backoff, which only grows while nothing new
 * arrives, and a lower cap while a request is unanswered. A boot server is
 * on the LAN, and a request must get many tries within
 * TFTP_REQUEST_GIVE_UP_MS: at 20% frame loss each way a round fails 36% of
 * the time, and a boot makes a dozen requests (the pxelinux.cfg/ names).
 * The first request goes at 0, 0.25, 0.75, 1.75 s and then every second: 9
 * tries, 0.36^9 = 1 in 10000 unanswered. With 1 s first timers (3 tries)
 * 2 boots of 20 fell to the disk; with 250 ms doubling to 2 s (6 tries,
 * 1 in 460 a request) 1 boot in 40 still did. Later requests start from the
 * measured round trip (30 ms at least), 11 tries. */
#define TFTP_FIRST_TIMEOUT_MS	    250
#define TFTP_MIN_RTO_MS		    30
#define TFTP_MAX_RTO_MS		    1000
#define TFTP_MAX_TIMEOUT_MS	    2000
#define TFTP_MAX_REQUEST_TIMEOUT_MS 1000
/* The floor with a lock-step server that took our utimeout (tftp-hpa): it
 * resends a block only on its own timer and ignores a repeated ACK of an
 * older block, so our timer only ever resends an ACK that was lost, and a
 * short one costs nothing when it fires early. At 5% frame loss each way
 * half the stalls are lost ACKs: this ends them in a few ms, not 30. */
#define TFTP_MIN_RTO_HPA_MS 3
/* Giving up: a request unanswered this long (by default: the caller may
 * set its own, from `tftp_timeout`); a transfer with no new block for this
 * long, and at least TFTP_RETRIES retransmissions sent. */
#define TFTP_REQUEST_GIVE_UP_MS 7000
#define TFTP_GIVE_UP_MS		15000
#define TFTP_RETRIES		6
/* A transfer that gives up after bringing new bytes (the server stopped:
 * it gave up on a block, or died) asks again, as the fallback does: a new
 * request, the bytes held compared, not stored twice. tftp-hpa gives a block
 * up after 6 sends; at 20% frame loss each way that happened about once per
 * 10000-14000 blocks in test_tftp_loss's campaign (2026-11-28, TCG, 20
 * boots, 14 restarts), and a restart reads the file again from block 1, so
 * stops also come while the held bytes are re-read. At one per 10000 a
 * 5600-block kernel runs out of 8 restarts about 1 time in 1000 (simulated;
 * 6 with 5, 33 with 3). Restarts cost nothing unless used; each is a
 * re-read (25-40 s for the demo kernel at 20% under TCG), so the budget
 * bounds the time a flaky server can take. A server that is gone for good costs one
 * unanswered request, not 8: an attempt that gets no block, or stops at the
 * very byte the one before it stopped at, ends the transfer. */
#define TFTP_MAX_RESTARTS 8
/* tftp-hpa (tftpd.c, timer()) sends a block at 0, 1, 3, 7, 15, 31 timer
 * periods and exits at 63 without the ACK. A granted utimeout is that period:
 * the server that sent our last new block has moved on to the next one (at
 * most 63 periods later) and given that up too, or has exited, 126 periods
 * after it, and 63 after anything it sent. This margin covers the trip and
 * the host's scheduling. */
#define TFTP_HPA_GIVE_UP_PERIODS 63
#define TFTP_GONE_MARGIN_MS	 1000
/* The utimeout a fallback asks of a lock-step server: twice the smoothed
 * round trip, within these (10 ms is tftp-hpa's own floor).
 * tftp-hpa resends a lost block only on this timer, so each lost block
 * costs one: at 5% loss one block in 20, 10 ms each on a quiet LAN, where
 * 60 ms made the demo boot 8-9x its lossless time. 63 of them without an
 * ACK and it gives up (0.63 s at 10 ms), which at 20% loss takes 6 lost
 * sends in a row, about once in 15600 blocks, whatever the period: a lost
 * ACK is resent by our timer long before. At 100 ms at most, 126 of them +
 * the margin (13.6 s) still tell its exit sooner than TFTP_GIVE_UP_MS. */
#define TFTP_MIN_UTIMEOUT_MS 10
#define TFTP_MAX_UTIMEOUT_MS 100

/* Blocks larger than a frame travel as IP fragments: one lost fragment loses
 * the block. After this many losses, when they are at least 1 in
 * TFTP_FALLBACK_RATIO of the blocks, the transfer starts again with blocks
 * that fit a frame (RFC 7440 s.4), keeping what arrived. */
#define TFTP_FALLBACK_LOSSES 3
#define TFTP_FALLBACK_RATIO  10
#define TFTP_WIN_ENDS	     8 /* the windows our last ACKs asked for, remembered */

/* A received datagram, readable in pieces without copying it first. */
struct tftp_view {
	size_t len;
	void (*copy)(const void *src, size_t off, void *dst, size_t n);
	const void *src;
};

enum tftp_state { TFTP_IDLE, TFTP_REQUESTING, TFTP_RECEIVING, TFTP_DONE, TFTP_FAILED };

struct tftp_xfer {
	/* Set by the caller. */
	const char *filename;
	uint16_t want_blksize; /* 0: do not ask */
	uint16_t want_window;  /* 0 or 1: do not ask */
	bool want_tsize;
	/* The caller keeps nothing (a size-only or DontUseBuffer read): buf
	 * holds none of the data, so a restart has nothing to compare. */
	bool discard;
	uint64_t max_size;	   /* refuse files larger than this */
	uint16_t fit_blksize;	   /* largest block that fits one frame; 0: never fall back */
	uint32_t seed_rtt_ms;	   /* a round trip measured earlier (0: none): the first timeout */
	uint32_t want_utimeout_us; /* tftp-hpa's server timer to ask for (0: do not ask) */
	/* An unanswered request fails after this (0: TFTP_REQUEST_GIVE_UP_MS). */
	uint32_t request_give_up_ms;
	/* Send to the server: dst_port 69 for the request, else the server's TID. */
	void (*send)(void *ctx, const uint8_t *pkt, size_t len, uint16_t dst_port);
	/* Give a buffer of at least need bytes holding the old contents (old may
	 * be NULL); returns NULL when memory is exhausted. */
	uint8_t *(*grow)(void *ctx, uint8_t *old, uint64_t used, uint64_t need, uint64_t *cap);
	void *ctx;

	enum tftp_state state;
	bool options_sent; /* false after a server refused them (error 8) */
	uint16_t tid;	   /* server's port, once it answered */
	uint16_t blksize, window;
	uint64_t tsize;
	bool has_tsize;
	uint64_t next;	/* next block expected, counting from 1, never wrapping */
	uint64_t bytes; /* received in order */
	uint8_t *buf;
	uint64_t cap;
	uint16_t since_ack; /* in-order blocks since our last ACK */
	uint64_t gap_acked; /* 'next' when we last acknowledged a gap */
	uint64_t last_rx_ms, start_ms;
	uint32_t timeout_ms; /* the timer now: rto_ms, doubled per retransmission */
	unsigned retries;    /* retransmissions since the last progress */
	uint64_t dups, out_of_order, retransmits, acks;

	/* Round trip (RFC 6298), in 1/8 ms; Karn's rule: a sample only from
	 * a packet sent once. */
	uint64_t now; /* the time of the call being handled */
	uint32_t srtt8, rttvar8, rto_ms;
	bool rtt_valid, timing;
	uint64_t timed_at; /* when the packet being timed left */
	uint64_t last_ack_ms;
	unsigned rtt_samples;
	/* The window of blocks between our ACKs: halved on a loss, one more
	 * per window without loss, never above the negotiated window. */
	uint16_t cwnd;
	bool window_lost;		 /* a loss since the last window-end ACK */
	uint16_t last_stall;		 /* blocks since our ACK when the timer last ran out */
	uint64_t win_end[TFTP_WIN_ENDS]; /* where the windows our last ACKs asked for end */
	bool win_gap[TFTP_WIN_ENDS];	 /* and whether each ACK answered a gap */
	uint64_t fast_acks;		 /* ACKs said again at a window's end, before the timer */
	uint64_t losses;		 /* loss events (a gap, a timeout) in all attempts */
	unsigned attempt_losses;
	uint64_t progress_ms;	    /* the last new block (or the OACK) */
	uint64_t rx_since_progress; /* datagrams from the server since then */
	/* Falling back to blocks that fit a frame, or asking again after the
	 * server stopped: a new request, and the bytes an earlier attempt left
	 * in buf are compared, not received twice. */
	unsigned restarts;		  /* new requests for the file, for either reason */
	bool fell_back;			  /* one of them asked for blocks that fit a frame */
	unsigned stop_restarts;		  /* those after the server stopped (TFTP_MAX_RESTARTS) */
	uint64_t stopped_at;		  /* bytes in order when the server last stopped */
	bool stop_quiet;		  /* and it had sent nothing since the last new block */
	uint64_t stop_silence_ms;	  /* and no new block had come for this long */
	uint64_t last_srv_ms;		  /* the last datagram from the server's port */
	uint16_t req_blksize, req_window; /* what the current request asks */
	uint32_t req_utimeout_us;	  /* tftp-hpa's server timer, asked on fallback */
	uint32_t utimeout_us;		  /* granted */
	uint16_t old_tid;		  /* the abandoned attempt's server port: ignored */
	uint64_t kept;			  /* bytes in buf from the abandoned attempt */
	uint64_t old_tsize;
	bool old_has_tsize;
	int err_code;  /* server's ERROR code, or -1 for a local failure */
	char why[160]; /* TFTP_FAILED: the reason */
};

void tftp_start(struct tftp_xfer *x, uint64_t now_ms);
void tftp_input(struct tftp_xfer *x, uint64_t now_ms, uint16_t src_port, const struct tftp_view *v);
void tftp_tick(struct tftp_xfer *x, uint64_t now_ms);

/* Packet helpers, exposed for tests. */
size_t tftp_build_rrq(uint8_t *buf, size_t cap, const char *file, uint16_t blksize, uint16_t window,
		      bool tsize);
size_t tftp_build_rrq_ut(uint8_t *buf, size_t cap, const char *file, uint16_t blksize,
			 uint16_t window, bool tsize, uint32_t utimeout_us);
/* Parse an OACK's options (after the opcode). *blksize and *window come in
 * as the values requested and go out as granted (512 and 1 when the OACK
 * leaves them out). Returns 0, or -1 if malformed or if it grants what we
 * did not ask for. */
int tftp_parse_oack(const uint8_t *p, size_t len, uint16_t *blksize, uint16_t *window,
		    uint64_t *tsize, bool *has_tsize);
/* The same, with tftp-hpa's utimeout (microseconds): *utimeout comes in as
 * asked (0: not asked) and goes out as granted (0: refused). On -1, why
 * (cap bytes, may be NULL) says what was wrong ("blksize 0 outside
 * 8..1428", "an option we did not ask for"); no byte of the server's
 * text is copied into it. */
int tftp_parse_oack_ut(const uint8_t *p, size_t len, uint16_t *blksize, uint16_t *window,
		       uint64_t *tsize, bool *has_tsize, uint32_t *utimeout, char *why, size_t cap);
/* Bytes of the file held so far, this attempt's or an earlier one's. */
uint64_t tftp_bytes_held(const struct tftp_xfer *x);
/* How long the first request may go unanswered: the caller's limit, or
 * TFTP_REQUEST_GIVE_UP_MS. */
uint32_t tftp_request_limit(const struct tftp_xfer *x);
const char *tftp_error_name(int code);

#endif
