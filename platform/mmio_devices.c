/* virtio-mmio discovery. */
#include <string.h>
#include <io.h>
#include <log.h>
#include <mmio_devices.h>

#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt" */
#define MICROVM_MMIO_BASE 0xfeb00000ULL
#define MICROVM_MMIO_SLOTS 32
#define MICROVM_MMIO_SIZE 0x200

static struct mmio_dev devs[MMIO_MAX_DEVICES];
static size_t ndevs;

static bool known(uint64_t base)
{
	for (size_t i = 0; i < ndevs; i++)
		if (devs[i].base == base)
			return true;
	return false;
}

/* Read a transport's identity; add it if a device sits behind it. */
static void probe(uint64_t base, uint64_t size, uint32_t irq)
{
	if (known(base) || size < 0x100)
		return;
	if (mmio_read32(base) != VIRTIO_MMIO_MAGIC)
		return;
	uint32_t version = mmio_read32(base + 0x004);
	uint32_t id = mmio_read32(base + 0x008);
	if (!id)
		return; /* empty transport */
	if (ndevs == MMIO_MAX_DEVICES) {
		log_warn("mmio: more than %d virtio-mmio devices; %#llx ignored",
			 MMIO_MAX_DEVICES, (unsigned long long)base);
		return;
	}
	devs[ndevs++] = (struct mmio_dev){ base, size, irq, version, id,
					   mmio_read32(base + 0x00c) };
}

void mmio_discover(const struct config *cfg, bool probe_microvm)
{
	const char *v;

	for (size_t n = 0; (v = config_get_nth(cfg, "virtio_mmio.device", n)); n++) {
		uint64_t size, base;
		uint32_t irq;
		if (!mmio_parse_device(v, &size, &base, &irq)) {
			log_warn("mmio: cannot parse virtio_mmio.device=%s (want size@base:irq); "
				 "ignored", v);
			continue;
		}
		if (base < (1ULL << 32) && base >= 0xc0000000ULL)
			probe(base, size, irq);
		else
			log_warn("mmio: virtio_mmio.device=%s is outside the MMIO hole; ignored", v);
	}
	if (!probe_microvm)
		return;
	for (unsigned i = 0; i < MICROVM_MMIO_SLOTS; i++)
		probe(MICROVM_MMIO_BASE + i * MICROVM_MMIO_SIZE, MICROVM_MMIO_SIZE, 0);
}

size_t mmio_count(void)
{
	return ndevs;
}

const struct mmio_dev *mmio_get(size_t i)
{
	return i < ndevs ? &devs[i] : NULL;
}
