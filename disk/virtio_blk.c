/* EFI_BLOCK_IO_PROTOCOL over virtio-blk (UEFI 2.10 s.13.9, virtio 1.2
 * s.5.2), on every transport drivers/virtio knows (PCI modern, PCI legacy,
 * MMIO). Each disk gets an EFI handle with its device path, Block IO and
 * Disk IO (disk/disk_io.c).
 *
 * One request at a time, polled (architecture rule 4): a header
 * descriptor, the caller's buffer as one or more data descriptors (split
 * at size_max, at most seg_max of them, when the device set those limits),
 * then a one-byte status descriptor. The caller's buffer goes to the
 * device as it is: memory is identity mapped and virtio sets no alignment
 * rule for data, so IoAlign is 0 (any address). A request the device does
 * not finish within VBLK_TIMEOUT_MS is logged, the device is reset (so it
 * stops writing into the buffer) and brought up again, and the call
 * returns EFI_DEVICE_ERROR. */
#include <string.h>
#include <align.h>
#include <clock.h>
#include <disk.h>
#include <efi_devpath.h>
#include <efi_handle.h>
#include <format.h>
#include <io.h>
#include <log.h>
#include <sysmem.h>
#include <virtio.h>

/* virtio 1.2 s.5.2.3 feature bits. */
#define VIRTIO_BLK_F_SIZE_MAX (1ULL << 1)
#define VIRTIO_BLK_F_SEG_MAX  (1ULL << 2)
#define VIRTIO_BLK_F_RO	      (1ULL << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ULL << 6)
#define VIRTIO_BLK_F_FLUSH    (1ULL << 9)
#define VIRTIO_BLK_F_TOPOLOGY (1ULL << 10)

/* s.5.2.4: struct virtio_blk_config offsets. */
#define VBLK_CFG_CAPACITY  0
#define VBLK_CFG_SIZE_MAX  8
#define VBLK_CFG_SEG_MAX   12
#define VBLK_CFG_BLK_SIZE  20
#define VBLK_CFG_PHYS_EXP  24
#define VBLK_CFG_ALIGN_OFF 25
#define VBLK_CFG_OPT_IO	   28

/* s.5.2.6: request types and status values. */
#define VIRTIO_BLK_T_IN	    0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define VBLK_STATUS_NONE    0xff /* what we leave in the status byte */

#define VBLK_SECTOR	512 /* the request's sector field counts these, always */
#define VBLK_QUEUE	0
#define VBLK_QUEUE_MAX	256
#define VBLK_SEGS_MAX	64	   /* data descriptors per request, our own cap */
#define VBLK_REQ_BYTES	(4u << 20) /* data bytes per request, our own cap */
#define VBLK_TIMEOUT_MS 30000
#define VBLK_DISKS_MAX	16

/* s.5.2.6: the device-readable header; data and status follow. */
struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	EFI_BLOCK_IO_PROTOCOL bio; /* first: This points here */
	EFI_BLOCK_IO_MEDIA media;
	struct virtio_dev *vdev;
	char desc[48]; /* "pci 00:03.0 (pci-modern)" */
	char name[8];  /* "disk0" */
	struct virtq vq;
	uint8_t *dma;	    /* one page: the header, then the status byte */
	uint32_t seg_bytes; /* most bytes in one data descriptor */
	uint16_t segs;	    /* most data descriptors in one request */
	uint32_t req_bytes; /* most data bytes in one request: whole blocks */
	bool live;	    /* queue set up and DRIVER_OK */
	EFI_HANDLE handle;
	EFI_DEVICE_PATH *path;
};

#define VBLK_STATUS_OFF 64

static struct vblk *disks[VBLK_DISKS_MAX];
static size_t ndisks;

static struct vblk *vblk_of(EFI_BLOCK_IO_PROTOCOL *This)
{
	return (struct vblk *)This;
}

static uint64_t vblk_features(void)
{
	return VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_RO |
	       VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_TOPOLOGY;
}

static uint32_t cfg32(struct virtio_dev *d, uint32_t off)
{
	uint32_t v;
	virtio_cfg_read(d, off, &v, 4);
	return v;
}

/* Negotiate and set up the request queue; DRIVER_OK. 0 or -1 (logged). */
static int vblk_up(struct vblk *b)
{
	struct virtio_dev *d = b->vdev;

	if (virtio_begin(d, vblk_features()))
		return -1;
	if (virtq_init(&b->vq, d, VBLK_QUEUE, VBLK_QUEUE_MAX)) {
		virtio_reset(d);
		return -1;
	}
	if (b->vq.size < 3) {
		log_error("%s %s: queue of %u descriptors cannot hold a request; disk not used",
			  b->name, b->desc, b->vq.size);
		virtio_reset(d);
		virtq_free(&b->vq);
		return -1;
	}
	virtio_ready(d);
	b->live = true;
	return 0;
}

/* Stop the device (no more DMA into anyone's buffer) and forget the queue. */
static void vblk_down(struct vblk *b)
{
	virtio_reset(b->vdev);
	virtq_free(&b->vq);
	b->live = false;
}

/* Post one request (header, data split into segments, status), wait for
 * it, bounded; the device's status as EFI_STATUS. */
static EFI_STATUS vblk_request(struct vblk *b, uint32_t type, uint64_t lba, uint8_t *buf,
			       uint32_t bytes)
{
	struct virtq_buf v[VBLK_SEGS_MAX + 2];
	struct vblk_hdr *hdr = (struct vblk_hdr *)b->dma;
	volatile uint8_t *status = b->dma + VBLK_STATUS_OFF;
	uint16_t n = 0;

	if (!b->live && vblk_up(b))
		return EFI_DEVICE_ERROR;
	hdr->type = type;
	hdr->reserved = 0;
	hdr->sector = type == VIRTIO_BLK_T_FLUSH ? 0 : lba * (b->media.BlockSize / VBLK_SECTOR);
	*status = VBLK_STATUS_NONE;
	v[n++] = (struct virtq_buf){(uintptr_t)hdr, sizeof(*hdr), false};
	for (uint32_t off = 0; off < bytes; off += b->seg_bytes) {
		uint32_t len = bytes - off < b->seg_bytes ? bytes - off : b->seg_bytes;
		v[n++] = (struct virtq_buf){(uintptr_t)(buf + off), len, type == VIRTIO_BLK_T_IN};
	}
	v[n++] = (struct virtq_buf){(uintptr_t)status, 1, true};
	if (virtq_add_chain(&b->vq, v, n, b)) {
		log_error("%s %s: no room for a request of %u descriptors in a queue of %u",
			  b->name, b->desc, n, b->vq.size);
		return EFI_DEVICE_ERROR;
	}
	virtq_kick(&b->vq);

	uint64_t start = clock_ms();
	while (!virtq_has_used(&b->vq)) {
		if (clock_ms() - start > VBLK_TIMEOUT_MS) {
			static const char *const what[] = {"read", "write", "?", "?", "flush"};
			log_error("%s %s: %s of %u bytes at lba %llu not finished after %u ms; "
				  "device reset",
				  b->name, b->desc, what[type], bytes, (unsigned long long)lba,
				  VBLK_TIMEOUT_MS);
			vblk_down(b);
			vblk_up(b);
			return EFI_DEVICE_ERROR;
		}
		cpu_pause();
	}
	uint32_t len;
	void *token = virtq_get(&b->vq, &len);
	if (token != b) {
		log_error("%s %s: the device answered with a request we did not post; device "
			  "reset",
			  b->name, b->desc);
		vblk_down(b);
		vblk_up(b);
		return EFI_DEVICE_ERROR;
	}
	switch (*status) {
	case VIRTIO_BLK_S_OK:
		return EFI_SUCCESS;
	case VIRTIO_BLK_S_UNSUPP:
		return EFI_UNSUPPORTED;
	default:
		log_error("%s %s: request type %u at lba %llu, %u bytes: device status %u", b->name,
			  b->desc, type, (unsigned long long)lba, bytes, *status);
		return EFI_DEVICE_ERROR;
	}
}

/* Read or write bytes (whole blocks, checked by the caller) at lba, in
 * requests no bigger than the device allows. */
static EFI_STATUS vblk_transfer(struct vblk *b, uint32_t type, uint64_t lba, uint8_t *buf,
				uint64_t bytes)
{
	while (bytes) {
		uint32_t n = bytes < b->req_bytes ? (uint32_t)bytes : b->req_bytes;
		EFI_STATUS s = vblk_request(b, type, lba, buf, n);
		if (EFI_ERROR(s))
			return s;
		lba += n / b->media.BlockSize;
		buf += n;
		bytes -= n;
	}
	return EFI_SUCCESS;
}

/* The checks ReadBlocks and WriteBlocks share (UEFI 2.10 s.13.9.3, 13.9.4),
 * in EDK2's order; EFI_SUCCESS means "go ahead" (BufferSize may be 0). */
static EFI_STATUS vblk_check(EFI_BLOCK_IO_PROTOCOL *This, UINT32 MediaId, EFI_LBA Lba,
			     UINTN BufferSize, VOID *Buffer, bool write)
{
	if (!This)
		return EFI_INVALID_PARAMETER;
	return block_io_check(This->Media, MediaId, Lba, BufferSize, Buffer, write);
}

static EFI_STATUS EFIAPI vblk_reset(EFI_BLOCK_IO_PROTOCOL *This, BOOLEAN ExtendedVerification)
{
	if (!This)
		return EFI_INVALID_PARAMETER;
	struct vblk *b = vblk_of(This);
	if (b->live)
		vblk_down(b);
	return vblk_up(b) ? EFI_DEVICE_ERROR : EFI_SUCCESS;
}

static EFI_STATUS EFIAPI vblk_read(EFI_BLOCK_IO_PROTOCOL *This, UINT32 MediaId, EFI_LBA Lba,
				   UINTN BufferSize, VOID *Buffer)
{
	EFI_STATUS s = vblk_check(This, MediaId, Lba, BufferSize, Buffer, false);
	if (EFI_ERROR(s) || !BufferSize)
		return s;
	return vblk_transfer(vblk_of(This), VIRTIO_BLK_T_IN, Lba, Buffer, BufferSize);
}

static EFI_STATUS EFIAPI vblk_write(EFI_BLOCK_IO_PROTOCOL *This, UINT32 MediaId, EFI_LBA Lba,
				    UINTN BufferSize, VOID *Buffer)
{
	EFI_STATUS s = vblk_check(This, MediaId, Lba, BufferSize, Buffer, true);
	if (EFI_ERROR(s) || !BufferSize)
		return s;
	return vblk_transfer(vblk_of(This), VIRTIO_BLK_T_OUT, Lba, Buffer, BufferSize);
}

/* s.5.2.6.2: with VIRTIO_BLK_F_FLUSH the device may cache writes until a
 * flush; without it every write is durable when it completes. */
static EFI_STATUS EFIAPI vblk_flush(EFI_BLOCK_IO_PROTOCOL *This)
{
	if (!This)
		return EFI_INVALID_PARAMETER;
	struct vblk *b = vblk_of(This);
	if (!b->media.MediaPresent)
		return EFI_NO_MEDIA;
	if (!(b->vdev->features & VIRTIO_BLK_F_FLUSH) || b->media.ReadOnly)
		return EFI_SUCCESS;
	return vblk_request(b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
}

/* Block size, capacity, limits and topology from the device config
 * (s.5.2.4), checked: a value we cannot use is logged and replaced. */
static void vblk_read_config(struct vblk *b)
{
	struct virtio_dev *d = b->vdev;
	EFI_BLOCK_IO_MEDIA *m = &b->media;
	uint64_t cap;

	virtio_cfg_read(d, VBLK_CFG_CAPACITY, &cap, 8);
	uint32_t bs = VBLK_SECTOR;
	if (d->features & VIRTIO_BLK_F_BLK_SIZE) {
		uint32_t v = cfg32(d, VBLK_CFG_BLK_SIZE);
		if (v >= 512 && v <= 4096 && !(v & (v - 1)))
			bs = v;
		else
			log_warn("%s %s: block size %u is not a power of two in 512..4096; using "
				 "512",
				 b->name, b->desc, v);
	}
	uint64_t blocks = cap / (bs / VBLK_SECTOR);
	m->MediaId = 0;
	m->RemovableMedia = FALSE;
	m->MediaPresent = blocks != 0;
	m->LogicalPartition = FALSE;
	m->ReadOnly = (d->features & VIRTIO_BLK_F_RO) != 0;
	m->WriteCaching = (d->features & VIRTIO_BLK_F_FLUSH) != 0;
	m->BlockSize = bs;
	m->IoAlign = 0;
	m->LastBlock = blocks ? blocks - 1 : 0;
	m->LowestAlignedLba = 0;
	m->LogicalBlocksPerPhysicalBlock = 1;
	m->OptimalTransferLengthGranularity = 0;
	if (d->features & VIRTIO_BLK_F_TOPOLOGY) {
		uint8_t exp, align;
		virtio_cfg_read(d, VBLK_CFG_PHYS_EXP, &exp, 1);
		virtio_cfg_read(d, VBLK_CFG_ALIGN_OFF, &align, 1);
		if (exp <= 12)
			m->LogicalBlocksPerPhysicalBlock = 1u << exp;
		m->LowestAlignedLba = align < blocks ? align : 0;
		m->OptimalTransferLengthGranularity = cfg32(d, VBLK_CFG_OPT_IO);
	}

	/* Request limits: ours, narrowed by size_max and seg_max. */
	b->seg_bytes = VBLK_REQ_BYTES;
	b->segs = VBLK_SEGS_MAX;
	if (d->features & VIRTIO_BLK_F_SIZE_MAX) {
		uint32_t v = cfg32(d, VBLK_CFG_SIZE_MAX);
		if (v && v < b->seg_bytes)
			b->seg_bytes = v;
	}
	if (d->features & VIRTIO_BLK_F_SEG_MAX) {
		uint32_t v = cfg32(d, VBLK_CFG_SEG_MAX);
		if (v && v < b->segs)
			b->segs = (uint16_t)v;
	}
}

/* Size as people say it: "64 MiB", "1.5 GiB", "100 KiB". */
static void vblk_size_text(char *buf, size_t n, uint64_t bytes)
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};
	int u = 0;
	uint64_t div = 1024;

	while (u < 3 && bytes >= div * 1024) {
		div *= 1024;
		u++;
	}
	uint64_t whole = bytes / div, tenth = bytes % div * 10 / div;
	if (tenth)
		format_buf(buf, n, "%llu.%llu %s", (unsigned long long)whole,
			   (unsigned long long)tenth, unit[u]);
	else
		format_buf(buf, n, "%llu %s", (unsigned long long)whole, unit[u]);
}

/* Negotiate, read the config, set up the queue. 0 or -1 (logged). */
static int vblk_attach(struct vblk *b, struct virtio_dev *d)
{
	b->vdev = d;
	format_buf(b->name, sizeof(b->name), "disk%zu", ndisks);
	format_buf(b->desc, sizeof(b->desc), "%s (%s)", d->name,
		   virtio_transport_name(d->transport));
	b->dma = sysmem_alloc_pages(1, MEM_BS_DATA, 0);
	if (!b->dma) {
		log_error("%s %s: no memory for request headers", b->name, b->desc);
		return -1;
	}
	if (vblk_up(b))
		goto fail;
	vblk_read_config(b);
	/* The queue bounds the data descriptors too: header + data + status. */
	if (b->segs > b->vq.size - 2)
		b->segs = (uint16_t)(b->vq.size - 2);
	uint64_t req = (uint64_t)b->seg_bytes * b->segs;
	if (req > VBLK_REQ_BYTES)
		req = VBLK_REQ_BYTES;
	b->req_bytes = (uint32_t)align_down(req, b->media.BlockSize);
	if (!b->req_bytes) {
		log_error("%s %s: size_max %u x seg_max %u is less than one %u-byte block; "
			  "disk not used",
			  b->name, b->desc, b->seg_bytes, b->segs, b->media.BlockSize);
		vblk_down(b);
		goto fail;
	}

	EFI_BLOCK_IO_PROTOCOL *p = &b->bio;
	p->Revision = EFI_BLOCK_IO_PROTOCOL_REVISION3;
	p->Media = &b->media;
	p->Reset = vblk_reset;
	p->ReadBlocks = vblk_read;
	p->WriteBlocks = vblk_write;
	p->FlushBlocks = vblk_flush;
	return 0;
fail:
	memmap_free(&sys_memmap, (uintptr_t)b->dma, 1);
	b->dma = NULL;
	return -1;
}

/* The disk's handle: device path, Block IO, Disk IO. */
static int vblk_publish(struct vblk *b)
{
	static const EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL, bio_guid = EFI_BLOCK_IO_PROTOCOL_GUID;
	struct efi_dp_builder db;

	efi_dp_init(&db, NULL, 0);
	virtio_device_path(b->vdev, &db);
	b->path = efi_dp_finish(&db);
	if (!b->path || EFI_ERROR(efi_protocol_install(&b->handle, &dp_guid, b->path)) ||
	    EFI_ERROR(efi_protocol_install(&b->handle, &bio_guid, &b->bio)) ||
	    EFI_ERROR(disk_io_install(b->handle, &b->bio))) {
		log_error("%s %s: no EFI handle (out of memory); disk not used", b->name, b->desc);
		return -1;
	}
	return 0;
}

size_t disk_probe_all(void)
{
	ndisks = 0;
	for (size_t i = 0; i < virtio_count(); i++) {
		struct virtio_dev *d = virtio_get(i);
		if (d->type != VIRTIO_ID_BLOCK)
			continue;
		if (ndisks == VBLK_DISKS_MAX) {
			log_warn("disk: more than %d disks; %s ignored", VBLK_DISKS_MAX, d->name);
			continue;
		}
		struct vblk *b = sysmem_zalloc(sizeof(*b));
		if (!b || vblk_attach(b, d)) {
			log_error("disk %s: cannot attach; disk not used", d->name);
			sysmem_free(b);
			continue;
		}
		if (vblk_publish(b)) {
			/* Handles keep what was installed; the device stays down. */
			vblk_down(b);
			continue;
		}
		char size[24];
		uint64_t blocks = b->media.MediaPresent ? b->media.LastBlock + 1 : 0;
		uint64_t bytes = blocks > UINT64_MAX / b->media.BlockSize
				     ? UINT64_MAX
				     : blocks * b->media.BlockSize;
		vblk_size_text(size, sizeof(size), bytes);
		log_info("%s: %s %s, %u-byte blocks, %s%s", b->name, b->desc,
			 b->media.MediaPresent ? size : "no media", b->media.BlockSize,
			 b->media.ReadOnly ? "read-only" : "read-write",
			 b->media.WriteCaching ? "" : ", write-through");
		disks[ndisks++] = b;
	}
	return ndisks;
}

size_t disk_count(void)
{
	return ndisks;
}

EFI_HANDLE disk_handle(size_t i)
{
	return i < ndisks ? disks[i]->handle : NULL;
}
