/* TFTP read client (pxe/tftp.c): RFC 1350 with RFC 2347 options, 2348
 * blksize, 2349 tsize, 7440 windowsize. A pure state machine: packets and
 * time go in, packets to send come out through a callback, the file lands
 * in memory from an allocation callback. pxe/tftp_net.c runs it on lwIP. */
#ifndef WB_TFTP_H
#define WB_TFTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFTP_PORT 69
#define TFTP_OP_RRQ 1
#define TFTP_OP_DATA 3
#define TFTP_OP_ACK 4
#define TFTP_OP_ERROR 5
#define TFTP_OP_OACK 6
#define TFTP_MAX_BLKSIZE 65464 /* RFC 2348: largest block in one UDP datagram */
#define TFTP_MAX_WINDOW 64
#define TFTP_FIRST_TIMEOUT_MS 1000
#define TFTP_MAX_TIMEOUT_MS 8000
#define TFTP_RETRIES 6 /* retransmissions without progress before giving up */
#define TFTP_REQUEST_RETRIES 2 /* read requests resent: a silent server costs 1+2+4 s */

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
	uint64_t max_size; /* refuse files larger than this */
	/* Send to the server: dst_port 69 for the request, else the server's TID. */
	void (*send)(void *ctx, const uint8_t *pkt, size_t len, uint16_t dst_port);
	/* Give a buffer of at least need bytes holding the old contents (old may
	 * be NULL); returns NULL when memory is exhausted. */
	uint8_t *(*grow)(void *ctx, uint8_t *old, uint64_t used, uint64_t need, uint64_t *cap);
	void *ctx;

	enum tftp_state state;
	bool options_sent; /* false after a server refused them (error 8) */
	uint16_t tid;      /* server's port, once it answered */
	uint16_t blksize, window;
	uint64_t tsize;
	bool has_tsize;
	uint64_t next;  /* next block expected, counting from 1, never wrapping */
	uint64_t bytes; /* received in order */
	uint8_t *buf;
	uint64_t cap;
	uint16_t since_ack; /* in-order blocks since our last ACK */
	uint64_t gap_acked; /* 'next' when we last acknowledged a gap */
	uint64_t last_rx_ms, start_ms;
	uint32_t timeout_ms;
	unsigned retries;
	uint64_t dups, out_of_order, retransmits, acks;
	int err_code;  /* server's ERROR code, or -1 for a local failure */
	char why[128]; /* TFTP_FAILED: the reason */
};

void tftp_start(struct tftp_xfer *x, uint64_t now_ms);
void tftp_input(struct tftp_xfer *x, uint64_t now_ms, uint16_t src_port, const struct tftp_view *v);
void tftp_tick(struct tftp_xfer *x, uint64_t now_ms);

/* Packet helpers, exposed for tests. */
size_t tftp_build_rrq(uint8_t *buf, size_t cap, const char *file, uint16_t blksize,
		      uint16_t window, bool tsize);
/* Parse an OACK's options (after the opcode). *blksize and *window come in
 * as the values requested and go out as granted (512 and 1 when the OACK
 * leaves them out). Returns 0, or -1 if malformed or if it grants what we
 * did not ask for. */
int tftp_parse_oack(const uint8_t *p, size_t len, uint16_t *blksize, uint16_t *window,
		    uint64_t *tsize, bool *has_tsize);
const char *tftp_error_name(int code);

#endif
