/* PCI (platform/pci.c, platform/pci_assign.c): config space over port I/O
 * or ECAM, enumeration across bridges, BAR sizing, and BAR/bus assignment
 * when nothing ran before us (the reset-vector path). */
#ifndef WB_PCI_H
#define WB_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_MAX_DEVICES 128

#define PCI_VENDOR 0x00
#define PCI_COMMAND 0x04
#define PCI_CLASS_REV 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_PRIMARY_BUS 0x18
#define PCI_IO_BASE 0x1c
#define PCI_MEM_BASE 0x20
#define PCI_PREF_BASE 0x24
#define PCI_PREF_BASE_HI 0x28
#define PCI_PREF_LIMIT_HI 0x2c
#define PCI_IO_BASE_HI 0x30
#define PCI_CAP_PTR 0x34

#define PCI_CMD_IO 0x1
#define PCI_CMD_MEM 0x2
#define PCI_CMD_MASTER 0x4

struct pci_bar {
	uint64_t base;
	uint64_t size;
	bool io, is64, prefetch;
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if;
	uint8_t hdr_type; /* 0 device, 1 PCI-PCI bridge */
	uint8_t secondary; /* bridges: the bus behind it */
	struct pci_bar bar[6];
	int nbars; /* 6 for devices, 2 for bridges */
};

uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
uint16_t pci_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
uint8_t pci_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
void pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v);
void pci_write16(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint16_t v);
void pci_write8(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint8_t v);

/* True if a host bridge answers on port 0xcf8 (PC-like machines). */
bool pci_present(void);

/* Use ECAM at base for buses [bus_start, bus_end] when it answers like
 * port I/O does; returns true if switched. */
bool pci_use_ecam(uint64_t base, uint8_t bus_start, uint8_t bus_end);
const char *pci_access_name(void);

/* Enumerate every function behind the host bridge. With assign, bus
 * numbers, BARs and bridge windows are assigned, memory BARs inside
 * [mem_start, mem_end) and I/O BARs in 0xc000-0xffff. */
void pci_init(bool assign, uint64_t mem_start, uint64_t mem_end);

size_t pci_count(void);
const struct pci_dev *pci_get(size_t i);

/* Turn on decoding (and bus mastering) for a device we drive. */
void pci_enable(const struct pci_dev *d, bool bus_master);

/* Offset of capability id in d's list, or 0. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t start);

/* Human name of a class, for the banner. */
const char *pci_class_name(uint8_t class_code, uint8_t subclass);

/* platform/pci_assign.c: give every device's BARs and every bridge's
 * windows an address in the machine's 32-bit MMIO and I/O windows. */
void pci_assign(struct pci_dev *devs, size_t n, uint64_t mem_start, uint64_t mem_end);

#endif
