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

/* Unsigned number in C syntax (0x.., 0.., decimal); advances *s. */
static bool parse_num(const char **s, uint64_t *out)
{
	const char *p = *s;
	unsigned base = 10;
	uint64_t v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1] >= '0' && p[1] <= '7') {
		base = 8;
	}
	const char *start = p;
	for (;; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (p == start)
		return false;
	*s = p;
	*out = v;
	return true;
}

bool mmio_parse_device(const char *s, uint64_t *size, uint64_t *base, uint32_t *irq)
{
	uint64_t sz, b, i;

	if (!parse_num(&s, &sz))
		return false;
	unsigned shift = 0;
	if (*s == 'K' || *s == 'k')
		shift = 10;
	else if (*s == 'M' || *s == 'm')
		shift = 20;
	else if (*s == 'G' || *s == 'g')
		shift = 30;
	if (shift) {
		if (sz >> (64 - shift))
			return false;
		sz <<= shift;
		s++;
	}
	if (*s++ != '@' || !parse_num(&s, &b) || *s++ != ':' || !parse_num(&s, &i))
		return false;
	if (*s == ':') {
		uint64_t id;
		s++;
		if (!parse_num(&s, &id))
			return false;
	}
	if (*s || !sz || b + sz < b || i > 0xffffffffu)
		return false;
	*size = sz;
	*base = b;
	*irq = (uint32_t)i;
	return true;
}

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
