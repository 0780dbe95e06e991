/* Boot banner: version, entry, machine, memory, devices, time since entry. */
#include <acpi.h>
#include <banner.h>
#include <clock.h>
#include <format.h>
#include <fw_cfg.h>
#include <log.h>
#include <sysmem.h>
#include <mmio_devices.h>
#include <paging.h>
#include <pci.h>

static const char *virtio_name(uint32_t id)
{
	switch (id) {
	case 1: return "net";
	case 2: return "block";
	case 3: return "console";
	case 4: return "rng";
	case 5: return "balloon";
	case 8: return "scsi";
	case 9: return "9p";
	case 16: return "gpu";
	case 18: return "input";
	case 19: return "vsock";
	case 26: return "fs";
	default: return "other";
	}
}

static void print_pci(void)
{
	log_info("pci: %zu functions, config access by %s", pci_count(), pci_access_name());
	for (size_t i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);
		char bars[256];
		size_t at = 0;
		bars[0] = '\0';
		for (int b = 0; b < d->nbars && at < sizeof(bars); b++) {
			const struct pci_bar *bar = &d->bar[b];
			if (!bar->size)
				continue;
			at += (size_t)format_buf(bars + at, sizeof(bars) - at, " bar%d=%s%s%#llx+%#llx", b,
						 bar->io ? "io:" : "mem", bar->io ? "" : bar->is64 ? "64:" : ":",
						 (unsigned long long)bar->base,
						 (unsigned long long)bar->size);
		}
		log_info("pci %02x:%02x.%x %04x:%04x class %02x%02x (%s)%s", d->bus, d->dev, d->fn,
			 d->vendor, d->device, d->class_code, d->subclass,
			 pci_class_name(d->class_code, d->subclass), bars);
	}
}

static void print_mmio(void)
{
	for (size_t i = 0; i < mmio_count(); i++) {
		const struct mmio_dev *d = mmio_get(i);
		log_info("mmio %#llx virtio-mmio v%u device %u (%s) vendor %#x",
			 (unsigned long long)d->base, d->version, d->device_id,
			 virtio_name(d->device_id), d->vendor_id);
	}
}

void banner_print(const struct bootinfo *bi, enum machine m, const struct config *cfg)
{
	uint32_t cpus = 0;

	if (fw_cfg_present())
		fw_cfg_read(FW_CFG_NB_CPUS, &cpus, 2);
	log_info("entry: %s", bootinfo_entry_name(bi->entry));
	log_info("machine: %s%s", chipset_name(m), fw_cfg_present() ? ", fw_cfg" : "");
	log_info("memory: %llu MiB (%llu bytes) from %s, %zu ranges",
		 (unsigned long long)(sys_memmap.ram_bytes >> 20),
		 (unsigned long long)sys_memmap.ram_bytes, bi->e820_source, sys_memmap.count);
	log_info("cpu: %u cpus, TSC %llu.%03llu MHz (%s), %s pages", cpus ? cpus : 1,
		 (unsigned long long)(clock_tsc_hz() / 1000000),
		 (unsigned long long)(clock_tsc_hz() / 1000 % 1000), clock_source(),
		 paging_has_1g() ? "1 GiB" : "2 MiB");
	if (acpi_rsdp())
		log_info("acpi: rsdp %#llx from %s, %u tables", (unsigned long long)acpi_rsdp(),
			 acpi_source(), acpi_table_count());
	else
		log_info("acpi: none");
	print_pci();
	print_mmio();
	const char *lvl = config_get(cfg, "log");
	log_info("config: log=%s", lvl ? lvl : "info (default)");
	uint64_t us = clock_us_since_entry();
	log_info("banner: ready in %llu.%03llu ms since entry", (unsigned long long)(us / 1000),
		 (unsigned long long)(us % 1000));
}
