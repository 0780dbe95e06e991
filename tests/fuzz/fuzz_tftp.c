/* Fuzz the TFTP client (pxe/tftp.c). tftp_parse_oack() reads the raw
 * input; then one transfer runs on it. A 4-byte header says what the
 * client asks for:
 *   [u16 want_blksize][u8 want_window][u8 flags]
 *   flags bit 0: want tsize; bits 1-3: max_size is 4 MiB >> (2 * n);
 *   bits 4-5: the n-th call to grow fails (0: none); bits 6-7: the block
 *   that fits a frame, for the fallback (0: none, 1468, 512, 8)
 * then records, integers little-endian:
 *   [u8 kind][u16 port-or-time][u16 len][len bytes]
 * kind % 4: 0 a datagram from that port; 1 the clock moves on that many ms
 * and the timers run (len bytes skipped); 2 a datagram from the server
 * (its port once known, else that one); 3 a DATA block made here, from the
 * server: block number next + (int8)low byte, len bytes of a pattern that
 * depends on the offset in the file (no input consumed), so long transfers
 * cost a few bytes each.
 * Any crash, sanitizer report or broken invariant (abort) is a bug. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tftp.h>

/* max_size and the allocator's limit: past 1 MiB, where growth without
 * tsize starts doubling */
#define FZ_MAX_SIZE (4u << 20)

static struct tftp_xfer x;
static uint8_t *buf; /* what grow handed out last */
static uint64_t buf_cap;
static unsigned grow_calls, grow_fail_at;
static uint8_t shadow[FZ_MAX_SIZE]; /* the bytes the client accepted, in order */
static uint8_t data[4 + 65535];	    /* a made-up DATA block */

struct dgram {
	const uint8_t *p;
	size_t len;
};

static void fz_copy(const void *src, size_t off, void *dst, size_t n)
{
	const struct dgram *d = src;

	if (off > d->len || n > d->len - off)
		abort();
	if (n)
		memcpy(dst, d->p + off, n);
}

static uint8_t *fz_grow(void *ctx, uint8_t *old, uint64_t used, uint64_t need, uint64_t *cap)
{
	/* The client passes its current buffer and only grows when it must. */
	if (old != buf || used > buf_cap || need <= buf_cap || used != tftp_bytes_held(&x))
		abort();
	if (++grow_calls == grow_fail_at || need > FZ_MAX_SIZE)
		return NULL;
	uint8_t *b = realloc(old, need);
	if (!b)
		return NULL;
	buf = b;
	buf_cap = need;
	*cap = need;
	return b;
}

/* Everything the client sends must be well-formed and go where it should. */
static void fz_send(void *ctx, const uint8_t *p, size_t len, uint16_t port)
{
	if (len < 4 || p[0] != 0)
		abort();
	switch (p[1]) {
	case TFTP_OP_RRQ:
		if (port != TFTP_PORT || len > 512 || p[len - 1] != 0 || x.state != TFTP_REQUESTING)
			abort();
		break;
	case TFTP_OP_ACK:
		if (len != 4 || port != x.tid || x.state != TFTP_RECEIVING ||
		    (uint16_t)(p[2] << 8 | p[3]) != (uint16_t)(x.next - 1))
			abort();
		break;
	case TFTP_OP_ERROR: {
		uint16_t code = (uint16_t)(p[2] << 8 | p[3]);
		/* 0: a transfer we abandon (fallback) or a file that changed */
		if (len > 64 || p[len - 1] != 0 ||
		    (code != 0 && code != 3 && code != 5 && code != 8))
			abort();
		if (code == 5 && port == x.tid)
			abort(); /* "unknown transfer id" is for strangers only */
		break;
	}
	default:
		abort();
	}
}

static void check_invariants(void)
{
	uint16_t max_win = x.fell_back ? TFTP_MAX_WINDOW : x.want_window > 1 ? x.want_window : 1;
	uint16_t max_bs = x.want_blksize > 512 ? x.want_blksize : 512;

	if (x.state > TFTP_FAILED || x.state == TFTP_IDLE)
		abort();
	if (x.restarts != x.fell_back + x.stop_restarts || x.stop_restarts > TFTP_MAX_RESTARTS ||
	    (x.fell_back && (!x.fit_blksize || x.req_blksize != x.fit_blksize)))
		abort(); /* one fallback, to the size that fits; restarts within the budget */
	if (x.kept > x.cap || x.bytes > x.cap || x.bytes > x.max_size || (x.bytes && !x.buf))
		abort();
	if (x.buf != buf || x.cap != buf_cap)
		abort();
	if (x.state == TFTP_RECEIVING || x.state == TFTP_DONE) {
		if (x.window == 0 || x.window > max_win || x.blksize < 8 || x.blksize > max_bs)
			abort();
		if (x.bytes > (x.next - 1) * x.blksize)
			abort();
	}
	if (x.has_tsize && x.bytes > x.tsize)
		abort();
	if (x.state == TFTP_DONE && x.has_tsize && x.bytes != x.tsize)
		abort();
	if (x.state == TFTP_FAILED && (!x.why[0] || x.err_code < -1 || x.err_code > 65535))
		abort();
	if (x.state != TFTP_FAILED && x.why[0])
		abort();
}

/* One datagram in; whatever the client kept must be exactly that block. */
static void feed(uint64_t now, uint16_t port, const uint8_t *p, size_t len)
{
	struct dgram d = {p, len};
	struct tftp_view v = {len, fz_copy, &d};
	uint64_t bytes = x.bytes, next = x.next;
	unsigned restarts = x.restarts;

	tftp_input(&x, now, port, &v);
	if (x.restarts != restarts) {
		/* A new request: what arrived is kept, counting starts over. */
		if (x.next != 1 || x.bytes != 0 || x.kept < bytes || x.state != TFTP_REQUESTING)
			abort();
		return;
	}
	if (x.bytes < bytes || x.next < next || x.next > next + 1)
		abort();
	if (x.next == next + 1) {
		uint64_t n = x.bytes - bytes;
		if (len < 4 || p[1] != TFTP_OP_DATA || len - 4 != n ||
		    (uint16_t)(p[2] << 8 | p[3]) != (uint16_t)next || (port != x.tid && x.tid))
			abort();
		if (n && memcmp(x.buf + bytes, p + 4, n))
			abort();
		memcpy(shadow + bytes, p + 4, n);
	} else if (x.bytes != bytes) {
		abort();
	}
}

/* The made-up file's byte at offset pos is (pos * 31 + (pos >> 9)) mod 256:
 * a function of pos mod 2^17, so one period (plus a block's length) is
 * made once and each DATA block copied from it. Making the bytes one by
 * one, up to 65535 of them per record, took most of the target's time. */
#define FZ_PERIOD (1u << 17)
static uint8_t pattern[FZ_PERIOD + 65535];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	for (uint64_t pos = 0; pos < sizeof(pattern); pos++)
		pattern[pos] = (uint8_t)(pos * 31u + (pos >> 9));
	return 0;
}

/* The bytes of the made-up file at [at, at + n), n <= 65535. */
static void fz_pattern(uint8_t *dst, size_t n, uint64_t at)
{
	memcpy(dst, pattern + at % FZ_PERIOD, n);
}

static void fuzz_oack(const uint8_t *p, size_t len, uint16_t want_bs, uint16_t want_win)
{
	uint16_t bs = want_bs, win = want_win;
	uint64_t tsize = 0;
	bool has = false;

	if (tftp_parse_oack(p, len, &bs, &win, &tsize, &has))
		return;
	if (bs != 512 && (bs < 8 || bs > want_bs))
		abort();
	if (win != 1 && (win < 1 || win > want_win))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	fuzz_oack(in, size, 1428, 8);
	fuzz_oack(in, size, TFTP_MAX_BLKSIZE, 65535);
	if (size < 4)
		return 0;

	memset(&x, 0, sizeof(x));
	buf = NULL;
	buf_cap = 0;
	grow_calls = 0;
	grow_fail_at = (in[3] >> 4) & 3;
	x.filename = "boot.efi";
	x.want_blksize = (uint16_t)(in[0] | in[1] << 8);
	x.want_window = in[2];
	x.want_tsize = in[3] & 1;
	x.max_size = FZ_MAX_SIZE >> (2 * ((in[3] >> 1) & 7));
	static const uint16_t fits[] = {0, 1468, 512, 8};
	x.fit_blksize = fits[in[3] >> 6];
	x.send = fz_send;
	x.grow = fz_grow;
	uint64_t now = 1000;
	tftp_start(&x, now);
	check_invariants();

	size_t i = 4;
	while (i + 5 <= size) {
		uint8_t kind = in[i];
		uint16_t arg = (uint16_t)(in[i + 1] | in[i + 2] << 8);
		size_t len = (size_t)(in[i + 3] | in[i + 4] << 8);
		i += 5;
		size_t avail = len < size - i ? len : size - i;
		switch (kind & 3) {
		case 0:
			feed(now, arg, in + i, avail);
			i += avail;
			break;
		case 1: {
			uint64_t bytes = x.bytes;
			unsigned restarts = x.restarts;
			now += arg;
			tftp_tick(&x, now);
			if (x.restarts != restarts &&
			    (x.next != 1 || x.bytes != 0 || x.kept < bytes))
				abort();
			i += avail;
			break;
		}
		case 2:
			feed(now, x.tid ? x.tid : arg, in + i, avail);
			i += avail;
			break;
		case 3: {
			uint16_t block = (uint16_t)(x.next + (uint64_t)(int64_t)(int8_t)arg);
			data[0] = 0;
			data[1] = TFTP_OP_DATA;
			data[2] = (uint8_t)(block >> 8);
			data[3] = (uint8_t)block;
			/* The bytes depend on the offset in the file, so that a
			 * fallback to other blocks sees the same file. */
			uint64_t at = (x.next + (uint64_t)(int64_t)(int8_t)arg - 1) *
				      (x.blksize ? x.blksize : 512);
			fz_pattern(data + 4, len, at);
			feed(now, x.tid ? x.tid : 1069, data, 4 + len);
			break;
		}
		}
		check_invariants();
	}
	if (tftp_bytes_held(&x) && memcmp(x.buf, shadow, tftp_bytes_held(&x)))
		abort(); /* growing the buffer, or a fallback, lost or changed data */
	free(buf);
	return 0;
}
