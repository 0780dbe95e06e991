/* Virtio over PCI: modern (virtio 1.2 s.4.1.4, capability list, memory
 * BARs) and legacy (s.4.1.5, I/O BAR0) for devices with modern disabled. */
#include <io.h>
#include <log.h>
#include <virtio.h>

#define VIRTIO_PCI_CAP_COMMON 1
#define VIRTIO_PCI_CAP_NOTIFY 2
#define VIRTIO_PCI_CAP_ISR 3
#define VIRTIO_PCI_CAP_DEVICE 4

/* Common configuration structure offsets. */
#define CC_DFSELECT 0x00
#define CC_DF 0x04
#define CC_GFSELECT 0x08
#define CC_GF 0x0c
#define CC_STATUS 0x14
#define CC_CFGGEN 0x15
#define CC_Q_SELECT 0x16
#define CC_Q_SIZE 0x18
#define CC_Q_ENABLE 0x1c
#define CC_Q_NOFF 0x1e
#define CC_Q_DESC 0x20
#define CC_Q_AVAIL 0x28
#define CC_Q_USED 0x30

/* ---- modern ---- */

static uint8_t m_get_status(struct virtio_dev *d) { return mmio_read8(d->common + CC_STATUS); }
static void m_set_status(struct virtio_dev *d, uint8_t s) { mmio_write8(d->common + CC_STATUS, s); }

static uint64_t m_get_features(struct virtio_dev *d)
{
	mmio_write32(d->common + CC_DFSELECT, 0);
	uint64_t lo = mmio_read32(d->common + CC_DF);
	mmio_write32(d->common + CC_DFSELECT, 1);
	return lo | (uint64_t)mmio_read32(d->common + CC_DF) << 32;
}

static void m_set_features(struct virtio_dev *d, uint64_t f)
{
	mmio_write32(d->common + CC_GFSELECT, 0);
	mmio_write32(d->common + CC_GF, (uint32_t)f);
	mmio_write32(d->common + CC_GFSELECT, 1);
	mmio_write32(d->common + CC_GF, (uint32_t)(f >> 32));
}

static uint8_t m_cfg8(struct virtio_dev *d, uint32_t o) { return mmio_read8(d->device_cfg + o); }
static uint16_t m_cfg16(struct virtio_dev *d, uint32_t o) { return mmio_read16(d->device_cfg + o); }
static uint32_t m_cfg32(struct virtio_dev *d, uint32_t o) { return mmio_read32(d->device_cfg + o); }

static uint16_t m_queue_max(struct virtio_dev *d, uint16_t q)
{
	mmio_write16(d->common + CC_Q_SELECT, q);
	return mmio_read16(d->common + CC_Q_SIZE);
}

static void write64(uint64_t a, uint64_t v)
{
	mmio_write32(a, (uint32_t)v);
	mmio_write32(a + 4, (uint32_t)(v >> 32));
}

static int m_queue_setup(struct virtio_dev *d, struct virtq *vq)
{
	mmio_write16(d->common + CC_Q_SELECT, vq->index);
	mmio_write16(d->common + CC_Q_SIZE, vq->size);
	write64(d->common + CC_Q_DESC, (uintptr_t)vq->desc);
	write64(d->common + CC_Q_AVAIL, (uintptr_t)vq->avail);
	write64(d->common + CC_Q_USED, (uintptr_t)vq->used);
	vq->notify_addr = d->notify_base + (uint64_t)mmio_read16(d->common + CC_Q_NOFF) * d->notify_mult;
	mmio_write16(d->common + CC_Q_ENABLE, 1);
	return 0;
}

static void m_notify(struct virtio_dev *d, struct virtq *vq)
{
	mmio_write16(vq->notify_addr, vq->index);
}

static uint8_t m_cfg_generation(struct virtio_dev *d)
{
	return mmio_read8(d->common + CC_CFGGEN);
}

static const struct virtio_ops modern_ops = {
	m_get_status, m_set_status, m_get_features, m_set_features, m_cfg8, m_cfg16, m_cfg32,
	m_queue_max, m_queue_setup, m_notify, m_cfg_generation,
};

/* ---- legacy (I/O BAR0) ---- */

#define L_HOST_FEATURES 0x00
#define L_GUEST_FEATURES 0x04
#define L_QUEUE_PFN 0x08
#define L_QUEUE_SIZE 0x0c
#define L_QUEUE_SELECT 0x0e
#define L_QUEUE_NOTIFY 0x10
#define L_STATUS 0x12
#define L_CONFIG 0x14 /* without MSI-X */

static uint8_t l_get_status(struct virtio_dev *d) { return inb(d->iobase + L_STATUS); }
static void l_set_status(struct virtio_dev *d, uint8_t s) { outb(d->iobase + L_STATUS, s); }
static uint64_t l_get_features(struct virtio_dev *d) { return inl(d->iobase + L_HOST_FEATURES); }
static void l_set_features(struct virtio_dev *d, uint64_t f) { outl(d->iobase + L_GUEST_FEATURES, (uint32_t)f); }
static uint8_t l_cfg8(struct virtio_dev *d, uint32_t o) { return inb((uint16_t)(d->iobase + L_CONFIG + o)); }
static uint16_t l_cfg16(struct virtio_dev *d, uint32_t o) { return inw((uint16_t)(d->iobase + L_CONFIG + o)); }
static uint32_t l_cfg32(struct virtio_dev *d, uint32_t o) { return inl((uint16_t)(d->iobase + L_CONFIG + o)); }

static uint16_t l_queue_max(struct virtio_dev *d, uint16_t q)
{
	outw(d->iobase + L_QUEUE_SELECT, q);
	return inw(d->iobase + L_QUEUE_SIZE);
}

static int l_queue_setup(struct virtio_dev *d, struct virtq *vq)
{
	if (vq->mem >= (1ULL << 44)) {
		log_error("virtio %s: queue at %#llx is beyond a legacy device's reach", d->name,
			  (unsigned long long)vq->mem);
		return -1;
	}
	outw(d->iobase + L_QUEUE_SELECT, vq->index);
	outl(d->iobase + L_QUEUE_PFN, (uint32_t)(vq->mem >> 12));
	return 0;
}

static void l_notify(struct virtio_dev *d, struct virtq *vq)
{
	outw(d->iobase + L_QUEUE_NOTIFY, vq->index);
}

static const struct virtio_ops legacy_ops = {
	l_get_status, l_set_status, l_get_features, l_set_features, l_cfg8, l_cfg16, l_cfg32,
	l_queue_max, l_queue_setup, l_notify, NULL,
};

/* ---- probing ---- */

/* Address of a capability's structure: its BAR's base plus offset. */
static uint64_t cap_addr(const struct pci_dev *p, uint8_t cap)
{
	uint8_t bar = pci_read8(p->bus, p->dev, p->fn, cap + 4);
	uint32_t off = pci_read32(p->bus, p->dev, p->fn, cap + 8);
	uint32_t len = pci_read32(p->bus, p->dev, p->fn, cap + 12);

	if (bar > 5 || p->bar[bar].io || !p->bar[bar].base || off > p->bar[bar].size ||
	    len > p->bar[bar].size - off)
		return 0;
	return p->bar[bar].base + off;
}

/* Fill d for a PCI function; returns 0, or -1 if it cannot be driven. */
int virtio_pci_attach(struct virtio_dev *d, const struct pci_dev *p);

int virtio_pci_attach(struct virtio_dev *d, const struct pci_dev *p)
{
	d->pci = p;
	d->type = p->device >= 0x1040 ? p->device - 0x1040u
				      : pci_read16(p->bus, p->dev, p->fn, 0x2e); /* subsystem id */
	for (uint8_t cap = pci_find_cap(p, 0x09, 0); cap; cap = pci_find_cap(p, 0x09, cap)) {
		uint8_t type = pci_read8(p->bus, p->dev, p->fn, cap + 3);
		uint64_t a = cap_addr(p, cap);
		if (!a)
			continue;
		if (type == VIRTIO_PCI_CAP_COMMON && !d->common)
			d->common = a;
		else if (type == VIRTIO_PCI_CAP_NOTIFY && !d->notify_base) {
			d->notify_base = a;
			d->notify_mult = pci_read32(p->bus, p->dev, p->fn, cap + 16);
		} else if (type == VIRTIO_PCI_CAP_ISR && !d->isr)
			d->isr = a;
		else if (type == VIRTIO_PCI_CAP_DEVICE && !d->device_cfg)
			d->device_cfg = a;
	}
	if (d->common && d->notify_base && d->device_cfg) {
		d->transport = VIRTIO_PCI_MODERN;
		d->ops = &modern_ops;
		pci_enable(p, true);
		return 0;
	}
	/* Transitional or legacy-only: I/O BAR0. */
	if (p->device < 0x1040 && p->bar[0].io && p->bar[0].base && p->bar[0].size >= 0x14) {
		d->transport = VIRTIO_PCI_LEGACY;
		d->ops = &legacy_ops;
		d->iobase = (uint16_t)p->bar[0].base;
		pci_enable(p, true);
		return 0;
	}
	log_error("virtio pci %02x:%02x.%x: no usable modern capabilities and no legacy I/O BAR; "
		  "skipped", p->bus, p->dev, p->fn);
	return -1;
}
