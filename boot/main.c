/* wireboot's boot flow, top to bottom. */
#include <stdint.h>
#include <acpi.h>
#include <banner.h>
#include <bootmgr.h>
#include <bootinfo.h>
#include <chipset.h>
#include <clock.h>
#include <config.h>
#include <disk.h>
#include <efi_image.h>
#include <efi_init.h>
#include <fw_cfg.h>
#include <handoff.h>
#include <idt.h>
#include <io.h>
#include <log.h>
#include <sysmem.h>
#include <mmio_devices.h>
#include <paging.h>
#include <pci.h>
#include <power.h>
#include <pxe.h>
#include <serial.h>
#include <smbios.h>
#include <snp.h>
#include <string.h>
#include <virtio.h>

#define CONFIG_FILE "opt/wireboot/config"
#define CONFIG_FILE_MAX 16384

static struct bootinfo bootinfo;
static struct config config;

/* Settings from the command line, then the fw_cfg file (which wins). */
static void load_config(void)
{
	static char file[CONFIG_FILE_MAX];
	uint16_t sel;
	uint32_t size;

	config_init(&config);
	config_parse(&config, bootinfo.cmdline, strlen(bootinfo.cmdline), CONFIG_SRC_CMDLINE);
	if (!fw_cfg_find(CONFIG_FILE, &sel, &size)) {
		if (size > CONFIG_FILE_MAX) {
			log_warn("config: fw_cfg %s is %u bytes; reading the first %d", CONFIG_FILE,
				 size, CONFIG_FILE_MAX);
			size = CONFIG_FILE_MAX;
		}
		fw_cfg_read(sel, file, size);
		config_parse(&config, file, size, CONFIG_SRC_FW_CFG);
	}

	static const char *const levels[] = { "error", "warn", "info", "debug" };
	const char *lvl = config_get(&config, "log");
	if (lvl) {
		size_t i = 0;
		while (i < 4 && strcmp(lvl, levels[i]))
			i++;
		if (i < 4)
			log_set_level((enum log_level)i);
		else
			log_warn("config: log=%s (from %s) is not one of error, warn, info, debug; "
				 "keeping info", lvl, config_source_name(config_source_of(&config, "log")));
	}
	for (size_t i = 0; i < config.n_problems; i++)
		log_warn("config: '%s' from %s is not a known key=value setting; ignored "
			 "(see docs/config.md)", config.problem[i],
			 config_source_name(config.problem_src[i]));
	if (config.more_problems)
		log_warn("config: %zu more settings ignored", config.more_problems);
}

/* Enumerate PCI (assigning resources when nothing ran before us) and make
 * sure every BAR is inside the identity map. */
static void probe_pci(enum machine m)
{
	const struct acpi_sdt_hdr *mcfg = acpi_find("MCFG");
	struct acpi_mcfg_alloc ecam;

	if (mcfg && acpi_mcfg_parse(mcfg, mcfg->length, &ecam) &&
	    !pci_use_ecam(ecam.base, ecam.bus_start, ecam.bus_end))
		log_warn("pci: MCFG ECAM at %#llx does not answer; using port i/o",
			 (unsigned long long)ecam.base);
	uint64_t low_top = 0;
	for (size_t i = 0; i < sys_memmap.count; i++) {
		uint64_t end = sys_memmap.r[i].base + (sys_memmap.r[i].pages << PAGE_SHIFT);
		if (sys_memmap.r[i].type != MEM_RESERVED && end <= (1ULL << 32) && end > low_top)
			low_top = end;
	}
	pci_init(bootinfo.entry == BOOT_ENTRY_ROM, chipset_pci_mem_start(m, low_top), 0xfec00000);
	for (size_t i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);
		for (int b = 0; b < d->nbars; b++)
			if (!d->bar[b].io && d->bar[b].base >= (1ULL << 32) &&
			    paging_map(d->bar[b].base, d->bar[b].size))
				log_warn("pci %02x:%02x.%x: cannot map BAR%d at %#llx", d->bus,
					 d->dev, d->fn, b, (unsigned long long)d->bar[b].base);
	}
}

/* Called by arch/x86_64/entry.asm in long mode with the 4 GiB boot map. */
void wb_main(uint32_t entry, uint32_t start_info);

void wb_main(uint32_t entry, uint32_t start_info)
{
	serial_init();
	idt_init();
	clock_init();
	log_info("wireboot %s", WB_VERSION);
	fw_cfg_init();
	if (bootinfo_collect(&bootinfo, entry, start_info)) {
		log_error("wireboot: cannot continue without a memory map; halted");
		cpu_halt_forever();
	}
	load_config();
	if (sysmem_init(&bootinfo)) {
		log_error("wireboot: cannot continue without RAM; halted");
		cpu_halt_forever();
	}
	paging_init();

	enum machine m = chipset_detect();
	if (bootinfo.entry == BOOT_ENTRY_ROM)
		chipset_init(m);
	acpi_init(&bootinfo);
	if (pci_present())
		probe_pci(m);
	mmio_discover(&config, m == MACHINE_MICROVM);

	banner_print(&bootinfo, m, &config);

	/* The UEFI core before the drivers: they install their protocols on
	 * handles (architecture rule 7). */
	efi_init();
	idt_set_fault_hooks(efi_image_describe, efi_image_recover);
	virtio_probe_all();
	snp_probe_all();
	disk_probe_all();
	disk_connect_all();
	/* boot_order's steps, each failure in one line (the network stack
	 * comes up in the network step). */
	bootmgr_run(&config);
	handoff_quiesce();
	power_off();
}
