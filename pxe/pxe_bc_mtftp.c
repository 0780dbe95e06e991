/* PXE Base Code's Mtftp (UEFI 2.10 s.24.3): TFTP READ_FILE and
 * GET_FILE_SIZE through our TFTP state machine (pxe/tftp.c), on lwIP UDP,
 * into the caller's buffer. blksize as the caller asks (else the boot
 * manager's), windowsize and tsize always asked for.
 *
 * READ_FILE with a buffer smaller than the file: EFI_BUFFER_TOO_SMALL and
 * *BufferSize = the file's size when the server told it (tsize), the
 * transfer stopped with a TFTP error to the server. DontUseBuffer: the
 * file is read and counted, not stored. GET_FILE_SIZE: the OACK's tsize,
 * then the transfer is stopped; a server without options is read to the
 * end and counted. A server ERROR fills Mode->TftpError and returns
 * EFI_TFTP_ERROR. The longest wait is the state machine's: 1+2+4 s for a
 * server that never answers. */
#include <string.h>
#include <clock.h>
#include <fetch.h>
#include <log.h>
#include <net.h>
#include <pxe.h>
#include <pxe_bc.h>
#include <random.h>
#include <tftp.h>
#include "lwip/udp.h"

struct mtftp_run {
	struct tftp_xfer x;
	struct udp_pcb *pcb;
	ip_addr_t server;
	uint8_t *user;	   /* the caller's buffer, or NULL */
	uint64_t user_cap; /* its size */
	bool discard;	   /* count, do not store */
	uint64_t arp_ms;   /* net_arp_nudge's */
	bool too_small;	   /* the file did not fit the caller's buffer */
	bool size_only;	   /* GET_FILE_SIZE */
	int server_error;  /* ERROR code from the server, or -1 */
	char server_msg[128];
};

/* Where a discarded file "lands": never written (sink_copy skips it). */
static uint8_t sink[1];
/* The transfer under way (one at a time), for sink_copy. */
static const struct mtftp_run *active;

static void view_copy(const void *src, size_t off, void *dst, size_t n)
{
	while (n) {
		size_t k = n > 0xffff ? 0xffff : n;
		pbuf_copy_partial((struct pbuf *)src, dst, (u16_t)k, (u16_t)off);
		off += k;
		dst = (uint8_t *)dst + k;
		n -= k;
	}
}

/* The state machine copies a DATA block's payload (from offset 4 + k) to
 * buf + bytes + k: in discard mode buf is the sink, and that copy is
 * skipped. Everything else (the opcode, options, error texts, compare
 * buffers: all on the machine's stack or in its state) is copied as
 * usual. Only that exact destination is skipped: an address test such as
 * "at or above the sink" also swallows the stack buffers the header is
 * read into, and no reply is ever understood. */
static void sink_copy(const void *src, size_t off, void *dst, size_t n)
{
	uint8_t op[2];

	if (active && off >= 4 &&
	    (uintptr_t)dst == (uintptr_t)active->x.buf + (uintptr_t)active->x.bytes + (off - 4) &&
	    pbuf_copy_partial((struct pbuf *)src, op, 2, 0) == 2 && op[0] == 0 &&
	    op[1] == TFTP_OP_DATA)
		return;
	view_copy(src, off, dst, n);
}

static void mtftp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		       u16_t port)
{
	struct mtftp_run *r = arg;

	(void)pcb;
	if (ip_addr_cmp(addr, &r->server)) {
		uint8_t hdr[4];
		if (p->tot_len >= 4 && pbuf_copy_partial(p, hdr, 4, 0) == 4 && hdr[0] == 0 &&
		    hdr[1] == TFTP_OP_ERROR && (!r->x.tid || port == r->x.tid)) {
			/* Keep the server's own words for Mode->TftpError. */
			size_t n = p->tot_len - 4;
			if (n > sizeof(r->server_msg) - 1)
				n = sizeof(r->server_msg) - 1;
			pbuf_copy_partial(p, r->server_msg, (u16_t)n, 4);
			r->server_msg[n] = '\0';
			r->server_error = hdr[2] << 8 | hdr[3];
			if (r->server_error == 8 && r->x.state == TFTP_REQUESTING &&
			    r->x.options_sent)
				r->server_error = -1; /* options refused: the machine asks again */
		}
		struct tftp_view v = {p->tot_len, r->discard ? sink_copy : view_copy, p};
		tftp_input(&r->x, clock_ms(), port, &v);
	}
	pbuf_free(p);
}

static void mtftp_send(void *ctx, const uint8_t *pkt, size_t len, uint16_t port)
{
	struct mtftp_run *r = ctx;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);

	if (!p)
		return;
	memcpy(p->payload, pkt, len);
	net_arp_nudge(&r->server, &r->arp_ms);
	udp_sendto(r->pcb, p, &r->server, port);
	pbuf_free(p);
}

/* The state machine wants room: the sink when discarding, else the
 * caller's buffer as it is (the machine sees when it is too small). */
static uint8_t *mtftp_grow(void *ctx, uint8_t *old, uint64_t used, uint64_t need, uint64_t *cap)
{
	struct mtftp_run *r = ctx;

	(void)old;
	if (r->discard) {
		*cap = need;
		return sink;
	}
	if (!r->user || r->user_cap <= used)
		return NULL;
	*cap = r->user_cap;
	return r->user;
}

static void send_abort(struct mtftp_run *r)
{
	static const uint8_t pkt[] = {0, TFTP_OP_ERROR, 0, 0, 'a', 'b', 'o', 'r', 't', 'e', 'd', 0};

	if (r->x.tid)
		mtftp_send(r, pkt, sizeof(pkt), r->x.tid);
}

EFI_STATUS EFIAPI pxe_bc_mtftp(EFI_PXE_BASE_CODE_PROTOCOL *This,
			       EFI_PXE_BASE_CODE_TFTP_OPCODE Operation, VOID *BufferPtr,
			       BOOLEAN Overwrite, UINT64 *BufferSize, UINTN *BlockSize,
			       EFI_IP_ADDRESS *ServerIp, UINT8 *Filename,
			       EFI_PXE_BASE_CODE_MTFTP_INFO *Info, BOOLEAN DontUseBuffer)
{
	static struct mtftp_run r;
	struct pxe_bc *bc = &pxe_bc_state;
	EFI_STATUS st = pxe_bc_enter(This, true);

	(void)Overwrite; /* writes are not supported */
	(void)Info;	 /* multicast only */
	if (EFI_ERROR(st))
		return st;
	st = pxe_bc_mtftp_args(Operation, BufferPtr, BufferSize, BlockSize, ServerIp, Filename,
			       DontUseBuffer);
	if (EFI_ERROR(st))
		return st;
	bc->mode.TftpErrorReceived = FALSE;
	bc->mode.IcmpErrorReceived = FALSE;
	memset(&bc->mode.TftpError, 0, sizeof(bc->mode.TftpError));

	memset(&r, 0, sizeof(r));
	uint32_t srv;
	memcpy(&srv, &ServerIp->v4, 4);
	ip_addr_set_ip4_u32(&r.server, srv);
	r.size_only = Operation == EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE;
	r.discard = r.size_only || DontUseBuffer;
	r.user = BufferPtr;
	r.user_cap = BufferPtr ? *BufferSize : 0;
	r.server_error = -1;
	r.pcb = udp_new();
	if (!r.pcb)
		return EFI_OUT_OF_RESOURCES;
	err_t e = ERR_USE;
	for (int tries = 0; tries < 16 && e != ERR_OK; tries++)
		e = udp_bind(r.pcb, IP4_ADDR_ANY, (u16_t)(49152 + random_below(16384)));
	if (e != ERR_OK) {
		udp_remove(r.pcb);
		return EFI_DEVICE_ERROR;
	}
	udp_recv(r.pcb, mtftp_recv, &r);
	active = &r;
	r.x.filename = (const char *)Filename;
	r.x.want_blksize = BlockSize
			       ? (uint16_t)*BlockSize
			       : (bc->fc && bc->fc->tftp_blksize ? bc->fc->tftp_blksize : 1468);
	r.x.want_window = bc->fc && bc->fc->tftp_window > 1 ? bc->fc->tftp_window : 0;
	r.x.request_give_up_ms = bc->fc ? bc->fc->tftp_wait_ms : 0;
	r.x.want_tsize = true;
	r.x.max_size = UINT64_MAX;
	r.x.send = mtftp_send;
	r.x.grow = mtftp_grow;
	r.x.discard = r.discard;
	/* Lossy and fragmenting: fall back to blocks that fit a frame. */
	r.x.fit_blksize = pxe_tftp_fit_blksize(srv);
	r.x.ctx = &r;

	bool timed_out = false, aborted = false;
	tftp_start(&r.x, clock_ms());
	while (r.x.state == TFTP_REQUESTING || r.x.state == TFTP_RECEIVING) {
		if (r.size_only && r.x.state == TFTP_RECEIVING && r.x.has_tsize) {
			send_abort(&r); /* the size is all we wanted */
			break;
		}
		if (pxe_bc_poll(EFI_PXE_BASE_CODE_FUNCTION_MTFTP)) {
			send_abort(&r);
			aborted = true;
			break;
		}
		if (r.x.state != TFTP_REQUESTING && r.x.state != TFTP_RECEIVING)
			break;
		tftp_tick(&r.x, clock_ms());
		timed_out = r.x.state == TFTP_FAILED; /* only the clock fails a tick */
	}
	udp_remove(r.pcb);
	active = NULL;
	/* The caller's buffer ran out (the machine told the server). */
	r.too_small = r.x.state == TFTP_FAILED && !r.discard &&
		      !strcmp(r.x.why, "out of memory for the file");
	if (aborted)
		return EFI_ABORTED;
	if (r.x.state == TFTP_DONE || (r.size_only && r.x.has_tsize)) {
		*BufferSize = r.size_only && r.x.has_tsize ? r.x.tsize : r.x.bytes;
		return EFI_SUCCESS;
	}
	if (r.too_small && r.x.has_tsize)
		*BufferSize = r.x.tsize;
	if (r.server_error >= 0) {
		bc->mode.TftpErrorReceived = TRUE;
		bc->mode.TftpError.ErrorCode = (UINT8)r.server_error;
		memcpy(bc->mode.TftpError.ErrorString, r.server_msg,
		       sizeof(bc->mode.TftpError.ErrorString) - 1);
	}
	st = pxe_bc_tftp_status(r.server_error, r.too_small, timed_out);
	if (st != EFI_BUFFER_TOO_SMALL) {
		/* Loaders probe for optional files (shim: revocations_*.efi):
		 * "not found" is theirs to report. */
		char a[16];
		log_msg(r.server_error == 1 ? LOG_DEBUG : LOG_INFO, "pxe_bc: Mtftp %s:%s: %s",
			pxe_ip_str(srv, a), (const char *)Filename, r.x.why);
	}
	return st;
}
