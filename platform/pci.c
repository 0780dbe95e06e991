/* PCI configuration access and enumeration. */
#include <string.h>
#include <io.h>
#include <log.h>
#include <pci.h>

static uint64_t ecam_base;
static uint8_t ecam_bus_start, ecam_bus_end;
static struct pci_dev devs[PCI_MAX_DEVICES];
static size_t ndevs;

static bool ecam_covers(uint8_t bus)
{
	return ecam_base && bus >= ecam_bus_start && bus <= ecam_bus_end;
}

static uint64_t ecam_addr(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return ecam_base + ((uint64_t)(bus - ecam_bus_start) << 20) + ((uint64_t)dev << 15) +
	       ((uint64_t)fn << 12) + off;
}

static void cf8_select(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	outl(0xcf8, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 |
			    (off & 0xfc));
}

uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	if (ecam_covers(bus))
		return mmio_read32(ecam_addr(bus, dev, fn, off));
	if (off > 0xff)
		return 0xffffffff;
	cf8_select(bus, dev, fn, off);
	return inl(0xcfc);
}

uint16_t pci_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	if (ecam_covers(bus))
		return mmio_read16(ecam_addr(bus, dev, fn, off));
	if (off > 0xff)
		return 0xffff;
	cf8_select(bus, dev, fn, off);
	return inw(0xcfc + (off & 2));
}

uint8_t pci_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	if (ecam_covers(bus))
		return mmio_read8(ecam_addr(bus, dev, fn, off));
	if (off > 0xff)
		return 0xff;
	cf8_select(bus, dev, fn, off);
	return inb(0xcfc + (off & 3));
}

void pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
	if (ecam_covers(bus)) {
		mmio_write32(ecam_addr(bus, dev, fn, off), v);
		return;
	}
	if (off > 0xff)
		return;
	cf8_select(bus, dev, fn, off);
	outl(0xcfc, v);
}

void pci_write16(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint16_t v)
{
	if (ecam_covers(bus)) {
		mmio_write16(ecam_addr(bus, dev, fn, off), v);
		return;
	}
	if (off > 0xff)
		return;
	cf8_select(bus, dev, fn, off);
	outw(0xcfc + (off & 2), v);
}

void pci_write8(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint8_t v)
{
	if (ecam_covers(bus)) {
		mmio_write8(ecam_addr(bus, dev, fn, off), v);
		return;
	}
	if (off > 0xff)
		return;
	cf8_select(bus, dev, fn, off);
	outb(0xcfc + (off & 3), v);
}

bool pci_present(void)
{
	cf8_select(0, 0, 0, 0);
	uint32_t v = inl(0xcfc);
	return v != 0xffffffff && v != 0;
}

bool pci_use_ecam(uint64_t base, uint8_t bus_start, uint8_t bus_end)
{
	uint32_t by_port = pci_read32(0, 0, 0, PCI_VENDOR);

	if (bus_start != 0 || base & 0xfffff)
		return false;
	if (mmio_read32(base) != by_port)
		return false;
	ecam_base = base;
	ecam_bus_start = bus_start;
	ecam_bus_end = bus_end;
	return true;
}

const char *pci_access_name(void)
{
	return ecam_base ? "ecam" : "port i/o";
}

/* Size BAR i of d (decoding must be off): fills d->bar[i], returns the
 * number of BAR slots it takes (2 for 64-bit). */
static int size_bar(struct pci_dev *d, int i)
{
	uint16_t off = PCI_BAR0 + 4 * i;
	uint32_t orig = pci_read32(d->bus, d->dev, d->fn, off);
	struct pci_bar *b = &d->bar[i];

	pci_write32(d->bus, d->dev, d->fn, off, 0xffffffff);
	uint32_t mask = pci_read32(d->bus, d->dev, d->fn, off);
	pci_write32(d->bus, d->dev, d->fn, off, orig);
	memset(b, 0, sizeof(*b));
	if (mask == 0 || mask == 0xffffffff)
		return 1;
	if (orig & 1) {
		b->io = true;
		uint32_t m = mask & ~3u;
		m |= 0xffff0000u; /* I/O BARs may implement only 16 bits */
		b->size = (uint32_t)(~m + 1);
		b->base = orig & ~3u;
		return 1;
	}
	b->prefetch = orig & 8;
	uint64_t m = mask & ~0xfu;
	b->base = orig & ~0xfu;
	if (((orig >> 1) & 3) == 2 && i < d->nbars - 1) {
		b->is64 = true;
		uint16_t hi_off = off + 4;
		uint32_t orig_hi = pci_read32(d->bus, d->dev, d->fn, hi_off);
		pci_write32(d->bus, d->dev, d->fn, hi_off, 0xffffffff);
		uint32_t mask_hi = pci_read32(d->bus, d->dev, d->fn, hi_off);
		pci_write32(d->bus, d->dev, d->fn, hi_off, orig_hi);
		m |= (uint64_t)mask_hi << 32;
		b->base |= (uint64_t)orig_hi << 32;
		b->size = ~m + 1;
		return 2;
	}
	b->size = (uint32_t)(~(uint32_t)m + 1);
	return 1;
}

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id);

static void scan_bus(uint8_t bus, int depth)
{
	if (depth > 32)
		return;
	for (uint8_t dev = 0; dev < 32; dev++) {
		uint32_t id = pci_read32(bus, dev, 0, PCI_VENDOR);
		if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
			continue;
		add_function(bus, dev, 0, id);
		if (!(pci_read8(bus, dev, 0, PCI_HEADER_TYPE) & 0x80))
			continue;
		for (uint8_t fn = 1; fn < 8; fn++) {
			id = pci_read32(bus, dev, fn, PCI_VENDOR);
			if ((id & 0xffff) != 0xffff && (id & 0xffff) != 0)
				add_function(bus, dev, fn, id);
		}
	}
}

static bool assigning;
static uint8_t next_bus;
static size_t dropped;

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id)
{
	if (ndevs == PCI_MAX_DEVICES) {
		if (!dropped++)
			log_warn("pci: more than %d functions; %02x:%02x.%x and later are ignored",
				 PCI_MAX_DEVICES, bus, dev, fn);
		return;
	}
	struct pci_dev *d = &devs[ndevs++];
	uint32_t cls = pci_read32(bus, dev, fn, PCI_CLASS_REV);
	*d = (struct pci_dev){
		.bus = bus, .dev = dev, .fn = fn,
		.vendor = (uint16_t)id, .device = (uint16_t)(id >> 16),
		.class_code = (uint8_t)(cls >> 24), .subclass = (uint8_t)(cls >> 16),
		.prog_if = (uint8_t)(cls >> 8),
		.hdr_type = pci_read8(bus, dev, fn, PCI_HEADER_TYPE) & 0x7f,
	};
	d->nbars = d->hdr_type == 0 ? 6 : d->hdr_type == 1 ? 2 : 0;

	/* Decoding off while BARs are probed with all-ones. */
	uint16_t cmd = pci_read16(bus, dev, fn, PCI_COMMAND);
	pci_write16(bus, dev, fn, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (int i = 0; i < d->nbars;)
		i += size_bar(d, i);
	pci_write16(bus, dev, fn, PCI_COMMAND, cmd);

	if (d->hdr_type != 1)
		return;
	if (assigning) {
		/* Number the bus behind the bridge; subordinate fixed after the scan. */
		uint8_t sec = ++next_bus;
		pci_write32(bus, dev, fn, PCI_PRIMARY_BUS,
			    (pci_read32(bus, dev, fn, PCI_PRIMARY_BUS) & 0xff000000u) | bus |
				    (uint32_t)sec << 8 | 0xffu << 16);
		d->secondary = sec;
		scan_bus(sec, 1);
		pci_write8(bus, dev, fn, PCI_PRIMARY_BUS + 2, next_bus);
	} else {
		d->secondary = pci_read8(bus, dev, fn, PCI_PRIMARY_BUS + 1);
		if (d->secondary > bus)
			scan_bus(d->secondary, 1);
	}
}

void pci_init(bool assign_all, uint64_t mem_start, uint64_t mem_end)
{
	ndevs = 0;
	dropped = 0;
	next_bus = 0;
	assigning = assign_all;
	scan_bus(0, 0);
	if (dropped > 1)
		log_warn("pci: %zu functions ignored in all", dropped);
	if (!assign_all)
		return;
	pci_assign(devs, ndevs, mem_start, mem_end);
}

size_t pci_count(void)
{
	return ndevs;
}

const struct pci_dev *pci_get(size_t i)
{
	return i < ndevs ? &devs[i] : NULL;
}

void pci_enable(const struct pci_dev *d, bool bus_master)
{
	uint16_t cmd = pci_read16(d->bus, d->dev, d->fn, PCI_COMMAND);

	for (int i = 0; i < d->nbars; i++) {
		if (!d->bar[i].size || !d->bar[i].base)
			continue;
		cmd |= d->bar[i].io ? PCI_CMD_IO : PCI_CMD_MEM;
	}
	if (bus_master)
		cmd |= PCI_CMD_MASTER;
	pci_write16(d->bus, d->dev, d->fn, PCI_COMMAND, cmd);
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t start)
{
	if (!(pci_read16(d->bus, d->dev, d->fn, 0x06) & 0x10))
		return 0;
	uint8_t p = start ? pci_read8(d->bus, d->dev, d->fn, start + 1)
			  : pci_read8(d->bus, d->dev, d->fn, PCI_CAP_PTR);
	for (int guard = 0; p >= 0x40 && guard < 48; guard++) {
		p &= 0xfc;
		if (pci_read8(d->bus, d->dev, d->fn, p) == id)
			return p;
		p = pci_read8(d->bus, d->dev, d->fn, p + 1);
	}
	return 0;
}

const char *pci_class_name(uint8_t c, uint8_t s)
{
	switch (c) {
	case 0x01: return s == 0x00 ? "scsi" : s == 0x01 ? "ide" : s == 0x06 ? "sata" :
			  s == 0x08 ? "nvme" : "storage";
	case 0x02: return "network";
	case 0x03: return "display";
	case 0x04: return "multimedia";
	case 0x05: return "memory";
	case 0x06: return s == 0x00 ? "host bridge" : s == 0x01 ? "isa bridge" :
			  s == 0x04 ? "pci bridge" : "bridge";
	case 0x07: return "communication";
	case 0x08: return "system";
	case 0x0c: return s == 0x03 ? "usb" : s == 0x05 ? "smbus" : "serial bus";
	case 0x00: return s == 0xff ? "unclassified" : "unclassified";
	default: return "other";
	}
}
