/* Virtio over MMIO (virtio 1.2 s.4.2): version 2, and the legacy version 1
 * layout QEMU microvm uses by default. */
#include <io.h>
#include <log.h>
#include <virtio.h>

#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEV_FEATURES 0x010
#define R_DEV_FEATURES_SEL 0x014
#define R_DRV_FEATURES 0x020
#define R_DRV_FEATURES_SEL 0x024
#define R_GUEST_PAGE_SIZE 0x028 /* v1 */
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_ALIGN 0x03c /* v1 */
#define R_QUEUE_PFN 0x040   /* v1 */
#define R_QUEUE_READY 0x044 /* v2 */
#define R_QUEUE_NOTIFY 0x050
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080
#define R_QUEUE_AVAIL 0x090
#define R_QUEUE_USED 0x0a0
#define R_CONFIG_GEN 0x0fc /* v2 */
#define R_CONFIG 0x100

static uint8_t get_status(struct virtio_dev *d) { return (uint8_t)mmio_read32(d->mmio + R_STATUS); }
static void set_status(struct virtio_dev *d, uint8_t s) { mmio_write32(d->mmio + R_STATUS, s); }

static uint64_t get_features(struct virtio_dev *d)
{
	mmio_write32(d->mmio + R_DEV_FEATURES_SEL, 0);
	uint64_t lo = mmio_read32(d->mmio + R_DEV_FEATURES);
	mmio_write32(d->mmio + R_DEV_FEATURES_SEL, 1);
	return lo | (uint64_t)mmio_read32(d->mmio + R_DEV_FEATURES) << 32;
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
	mmio_write32(d->mmio + R_DRV_FEATURES_SEL, 0);
	mmio_write32(d->mmio + R_DRV_FEATURES, (uint32_t)f);
	mmio_write32(d->mmio + R_DRV_FEATURES_SEL, 1);
	mmio_write32(d->mmio + R_DRV_FEATURES, (uint32_t)(f >> 32));
}

static uint8_t cfg8(struct virtio_dev *d, uint32_t o) { return mmio_read8(d->mmio + R_CONFIG + o); }
static uint16_t cfg16(struct virtio_dev *d, uint32_t o) { return mmio_read16(d->mmio + R_CONFIG + o); }
static uint32_t cfg32(struct virtio_dev *d, uint32_t o) { return mmio_read32(d->mmio + R_CONFIG + o); }

static uint16_t queue_max(struct virtio_dev *d, uint16_t q)
{
	mmio_write32(d->mmio + R_QUEUE_SEL, q);
	uint32_t n = mmio_read32(d->mmio + R_QUEUE_NUM_MAX);
	return n > 32768 ? 32768 : (uint16_t)n;
}

static void write64(uint64_t a, uint64_t v)
{
	mmio_write32(a, (uint32_t)v);
	mmio_write32(a + 4, (uint32_t)(v >> 32));
}

static int queue_setup(struct virtio_dev *d, struct virtq *vq)
{
	mmio_write32(d->mmio + R_QUEUE_SEL, vq->index);
	mmio_write32(d->mmio + R_QUEUE_NUM, vq->size);
	if (d->transport == VIRTIO_MMIO_V1) {
		mmio_write32(d->mmio + R_QUEUE_ALIGN, 4096);
		mmio_write32(d->mmio + R_QUEUE_PFN, (uint32_t)(vq->mem >> 12));
		return 0;
	}
	write64(d->mmio + R_QUEUE_DESC, (uintptr_t)vq->desc);
	write64(d->mmio + R_QUEUE_AVAIL, (uintptr_t)vq->avail);
	write64(d->mmio + R_QUEUE_USED, (uintptr_t)vq->used);
	mmio_write32(d->mmio + R_QUEUE_READY, 1);
	return 0;
}

static void notify(struct virtio_dev *d, struct virtq *vq)
{
	mmio_write32(d->mmio + R_QUEUE_NOTIFY, vq->index);
}

static uint8_t cfg_generation(struct virtio_dev *d)
{
	return d->transport == VIRTIO_MMIO_V2 ? (uint8_t)mmio_read32(d->mmio + R_CONFIG_GEN) : 0;
}

static const struct virtio_ops mmio_ops = {
	get_status, set_status, get_features, set_features, cfg8, cfg16, cfg32,
	queue_max, queue_setup, notify, cfg_generation,
};

int virtio_mmio_attach(struct virtio_dev *d, const struct mmio_dev *m);

int virtio_mmio_attach(struct virtio_dev *d, const struct mmio_dev *m)
{
	d->mmio = m->base;
	d->type = m->device_id;
	d->ops = &mmio_ops;
	if (m->version == 1) {
		d->transport = VIRTIO_MMIO_V1;
		mmio_write32(d->mmio + R_GUEST_PAGE_SIZE, 4096);
	} else if (m->version == 2) {
		d->transport = VIRTIO_MMIO_V2;
	} else {
		log_error("virtio mmio %#llx: unknown version %u; skipped",
			  (unsigned long long)m->base, m->version);
		return -1;
	}
	return 0;
}
