/* BAR and bridge-window assignment for the reset-vector path, where no
 * firmware ran before us. Two resource kinds, I/O and 32-bit memory
 * (prefetchable BARs go in the memory window too; that is allowed and keeps
 * bridges to one window each). Sizes are computed bottom-up per bus, then
 * addresses handed out top-down, largest alignment first, so every item
 * lands aligned with no padding between them. */
#include <string.h>
#include <align.h>
#include <log.h>
#include <pci.h>

#define IO_START 0xc000
#define IO_END 0x10000
#define IO_GRAN 0x1000ULL
#define MEM_GRAN 0x100000ULL

enum res_kind { RES_IO, RES_MEM };

struct res_item {
	struct pci_dev *d;
	int bar; /* BAR index, or -1 for a bridge's window */
	uint64_t size, align;
};

static struct pci_dev *all;
static size_t nall;

static bool bar_is(const struct pci_bar *b, enum res_kind k)
{
	return b->size && (k == RES_IO) == b->io;
}

/* Window a bridge needs for kind k: size and alignment (0 size: none). */
static void window_need(const struct pci_dev *br, enum res_kind k, uint64_t *size,
			uint64_t *align, int depth);

/* Items of kind k on bus: device BARs and child bridge windows. */
static size_t bus_items(uint8_t bus, enum res_kind k, struct res_item *out, size_t cap, int depth)
{
	size_t n = 0;

	for (size_t i = 0; i < nall; i++) {
		struct pci_dev *d = &all[i];
		if (d->bus != bus)
			continue;
		for (int b = 0; b < d->nbars; b++) {
			if (!bar_is(&d->bar[b], k))
				continue;
			if (n == cap) {
				log_warn("pci: bus %02x has more than %zu BARs; %02x:%02x.%x BAR%d "
					 "left unassigned", bus, cap, d->bus, d->dev, d->fn, b);
				continue;
			}
			out[n++] = (struct res_item){ d, b, d->bar[b].size, d->bar[b].size };
		}
		if (d->hdr_type == 1 && d->secondary > bus && n < cap) {
			uint64_t size, align;
			window_need(d, k, &size, &align, depth + 1);
			if (size)
				out[n++] = (struct res_item){ d, -1, size, align };
		}
	}
	return n;
}

static void window_need(const struct pci_dev *br, enum res_kind k, uint64_t *size,
			uint64_t *align, int depth)
{
	uint64_t gran = k == RES_IO ? IO_GRAN : MEM_GRAN;
	uint64_t sum = 0, max_align = gran;

	*size = 0;
	*align = gran;
	if (depth > 16)
		return;
	for (size_t i = 0; i < nall; i++) {
		const struct pci_dev *d = &all[i];
		if (d->bus != br->secondary)
			continue;
		for (int b = 0; b < d->nbars; b++) {
			if (!bar_is(&d->bar[b], k))
				continue;
			sum += d->bar[b].size;
			if (d->bar[b].size > max_align)
				max_align = d->bar[b].size;
		}
		if (d->hdr_type == 1 && d->secondary > d->bus) {
			uint64_t s, a;
			window_need(d, k, &s, &a, depth + 1);
			sum += s;
			if (s && a > max_align)
				max_align = a;
		}
	}
	if (!sum)
		return;
	*align = max_align;
	*size = align_up(sum, max_align);
}

static void sort_by_align(struct res_item *it, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct res_item x = it[i];
		size_t j = i;
		while (j > 0 && it[j - 1].align < x.align) {
			it[j] = it[j - 1];
			j--;
		}
		it[j] = x;
	}
}

static void program_bar(struct pci_dev *d, int b, uint64_t base)
{
	uint16_t off = PCI_BAR0 + 4 * b;
	uint32_t lowbits = pci_read32(d->bus, d->dev, d->fn, off) & (d->bar[b].io ? 3u : 0xfu);

	pci_write32(d->bus, d->dev, d->fn, off, (uint32_t)base | lowbits);
	if (d->bar[b].is64)
		pci_write32(d->bus, d->dev, d->fn, off + 4, (uint32_t)(base >> 32));
	d->bar[b].base = base;
}

static void program_window(struct pci_dev *br, enum res_kind k, uint64_t base, uint64_t size)
{
	uint64_t limit = base + size - 1;

	if (k == RES_IO) {
		if (!size) {
			pci_write8(br->bus, br->dev, br->fn, PCI_IO_BASE, 0xf0);
			pci_write8(br->bus, br->dev, br->fn, PCI_IO_BASE + 1, 0x00);
			return;
		}
		pci_write8(br->bus, br->dev, br->fn, PCI_IO_BASE, (uint8_t)((base >> 8) & 0xf0));
		pci_write8(br->bus, br->dev, br->fn, PCI_IO_BASE + 1, (uint8_t)((limit >> 8) & 0xf0));
		pci_write32(br->bus, br->dev, br->fn, PCI_IO_BASE_HI, 0);
		return;
	}
	if (!size) {
		pci_write16(br->bus, br->dev, br->fn, PCI_MEM_BASE, 0xfff0);
		pci_write16(br->bus, br->dev, br->fn, PCI_MEM_BASE + 2, 0x0000);
	} else {
		pci_write16(br->bus, br->dev, br->fn, PCI_MEM_BASE, (uint16_t)((base >> 16) & 0xfff0));
		pci_write16(br->bus, br->dev, br->fn, PCI_MEM_BASE + 2,
			    (uint16_t)((limit >> 16) & 0xfff0));
	}
	/* Prefetchable window unused: base above limit turns it off. */
	pci_write16(br->bus, br->dev, br->fn, PCI_PREF_BASE, 0xfff0);
	pci_write16(br->bus, br->dev, br->fn, PCI_PREF_BASE + 2, 0x0000);
	pci_write32(br->bus, br->dev, br->fn, PCI_PREF_BASE_HI, 0);
	pci_write32(br->bus, br->dev, br->fn, PCI_PREF_LIMIT_HI, 0);
}

static void place_bus(uint8_t bus, enum res_kind k, uint64_t start, uint64_t end, int depth)
{
	struct res_item items[64];

	if (depth > 16)
		return;
	size_t n = bus_items(bus, k, items, 64, depth);
	sort_by_align(items, n);
	uint64_t at = start;
	for (size_t i = 0; i < n; i++) {
		struct res_item *it = &items[i];
		uint64_t base = align_up(at, it->align);
		if (base + it->size > end || base + it->size < base) {
			if (it->bar >= 0)
				log_warn("pci: %02x:%02x.%x BAR%d (%llu KiB %s) does not fit the "
					 "window; left unassigned",
					 it->d->bus, it->d->dev, it->d->fn, it->bar,
					 (unsigned long long)(it->size >> 10), k == RES_IO ? "i/o" : "mem");
			else
				log_warn("pci: bridge %02x:%02x.%x needs %llu KiB of %s; left closed",
					 it->d->bus, it->d->dev, it->d->fn,
					 (unsigned long long)(it->size >> 10), k == RES_IO ? "i/o" : "mem");
			continue;
		}
		if (it->bar >= 0) {
			program_bar(it->d, it->bar, base);
		} else {
			program_window(it->d, k, base, it->size);
			place_bus(it->d->secondary, k, base, base + it->size, depth + 1);
		}
		at = base + it->size;
	}
}

void pci_assign(struct pci_dev *devs, size_t n, uint64_t mem_start, uint64_t mem_end)
{
	all = devs;
	nall = n;
	/* Windows of bridges with nothing behind them stay closed. */
	for (size_t i = 0; i < n; i++) {
		if (devs[i].hdr_type == 1) {
			program_window(&devs[i], RES_IO, 0, 0);
			program_window(&devs[i], RES_MEM, 0, 0);
		}
		for (int b = 0; b < devs[i].nbars; b++)
			devs[i].bar[b].base = 0;
	}
	place_bus(0, RES_IO, IO_START, IO_END, 0);
	place_bus(0, RES_MEM, mem_start, mem_end, 0);

	for (size_t i = 0; i < n; i++) {
		struct pci_dev *d = &devs[i];
		uint16_t cmd = pci_read16(d->bus, d->dev, d->fn, PCI_COMMAND);
		for (int b = 0; b < d->nbars; b++)
			if (d->bar[b].base)
				cmd |= d->bar[b].io ? PCI_CMD_IO : PCI_CMD_MEM;
		if (d->hdr_type == 1)
			cmd |= PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER;
		pci_write16(d->bus, d->dev, d->fn, PCI_COMMAND, cmd);
	}
}
