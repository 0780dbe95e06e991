/* Virtio device registry, initialization handshake and reset. */
#include <format.h>
#include <log.h>
#include <string.h>
#include <io.h>
#include <virtio.h>

#define VIRTIO_MAX_DEVICES 32

int virtio_pci_attach(struct virtio_dev *d, const struct pci_dev *p);
int virtio_mmio_attach(struct virtio_dev *d, const struct mmio_dev *m);

static struct virtio_dev devs[VIRTIO_MAX_DEVICES];
static size_t ndevs;

static struct virtio_dev *slot(void)
{
	if (ndevs == VIRTIO_MAX_DEVICES) {
		log_warn("virtio: more than %d devices; the rest are ignored", VIRTIO_MAX_DEVICES);
		return NULL;
	}
	memset(&devs[ndevs], 0, sizeof(devs[0]));
	return &devs[ndevs];
}

size_t virtio_probe_all(void)
{
	ndevs = 0;
	for (size_t i = 0; i < pci_count(); i++) {
		const struct pci_dev *p = pci_get(i);
		if (p->vendor != 0x1af4 || p->device < 0x1000 || p->device > 0x107f)
			continue;
		struct virtio_dev *d = slot();
		if (!d)
			break;
		format_buf(d->name, sizeof(d->name), "pci %02x:%02x.%x", p->bus, p->dev, p->fn);
		if (!virtio_pci_attach(d, p))
			ndevs++;
	}
	for (size_t i = 0; i < mmio_count(); i++) {
		struct virtio_dev *d = slot();
		if (!d)
			break;
		const struct mmio_dev *m = mmio_get(i);
		format_buf(d->name, sizeof(d->name), "mmio %#llx", (unsigned long long)m->base);
		if (!virtio_mmio_attach(d, m))
			ndevs++;
	}
	return ndevs;
}

size_t virtio_count(void)
{
	return ndevs;
}

struct virtio_dev *virtio_get(size_t i)
{
	return i < ndevs ? &devs[i] : NULL;
}

const char *virtio_transport_name(enum virtio_transport t)
{
	switch (t) {
	case VIRTIO_PCI_MODERN: return "pci-modern";
	case VIRTIO_PCI_LEGACY: return "pci-legacy";
	case VIRTIO_MMIO_V1: return "mmio-v1";
	case VIRTIO_MMIO_V2: return "mmio-v2";
	}
	return "?";
}

void virtio_reset(struct virtio_dev *d)
{
	d->ops->set_status(d, 0);
	/* Modern devices finish the reset when status reads back 0. */
	for (int i = 0; i < 1000000 && d->ops->get_status(d); i++)
		cpu_pause();
}

void virtio_reset_all(void)
{
	for (size_t i = 0; i < ndevs; i++)
		virtio_reset(&devs[i]);
}

static bool is_modern(const struct virtio_dev *d)
{
	return d->transport == VIRTIO_PCI_MODERN || d->transport == VIRTIO_MMIO_V2;
}

int virtio_begin(struct virtio_dev *d, uint64_t wanted)
{
	virtio_reset(d);
	d->ops->set_status(d, VIRTIO_STATUS_ACK);
	d->ops->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
	uint64_t offered = d->ops->get_features(d);
	if (is_modern(d)) {
		wanted |= VIRTIO_F_VERSION_1;
		if (!(offered & VIRTIO_F_VERSION_1)) {
			log_error("virtio %s: modern transport without VIRTIO_F_VERSION_1 (features "
				  "%#llx); device not used", d->name, (unsigned long long)offered);
			d->ops->set_status(d, VIRTIO_STATUS_FAILED);
			return -1;
		}
	} else {
		wanted &= 0xffffffffULL; /* legacy: 32 feature bits, no VERSION_1 */
	}
	d->features = offered & wanted;
	d->ops->set_features(d, d->features);
	if (!is_modern(d)) {
		/* Legacy devices have no FEATURES_OK handshake. */
		return 0;
	}
	uint8_t s = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	d->ops->set_status(d, s);
	if (!(d->ops->get_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		log_error("virtio %s: device rejected features %#llx (offered %#llx); device not used",
			  d->name, (unsigned long long)d->features, (unsigned long long)offered);
		d->ops->set_status(d, VIRTIO_STATUS_FAILED);
		return -1;
	}
	return 0;
}

void virtio_ready(struct virtio_dev *d)
{
	uint8_t s = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK;

	if (is_modern(d))
		s |= VIRTIO_STATUS_FEATURES_OK;
	d->ops->set_status(d, s);
}

void virtio_cfg_read(struct virtio_dev *d, uint32_t off, void *buf, uint32_t len)
{
	uint8_t *b = buf;

	/* Byte reads are valid on every transport; the generation counter,
	 * where there is one, tells us if the device changed its config meanwhile. */
	for (int tries = 0; tries < 10; tries++) {
		uint8_t gen = d->ops->cfg_generation ? d->ops->cfg_generation(d) : 0;
		for (uint32_t i = 0; i < len; i++)
			b[i] = d->ops->cfg_read8(d, off + i);
		if (!d->ops->cfg_generation || d->ops->cfg_generation(d) == gen)
			return;
	}
}
