/* wireboot's boot flow, top to bottom. */
#include <stdint.h>
#include <bootinfo.h>
#include <clock.h>
#include <idt.h>
#include <io.h>
#include <log.h>
#include <mem.h>
#include <paging.h>
#include <serial.h>

static struct bootinfo bootinfo;

/* Called by arch/x86_64/entry.asm in long mode with the 4 GiB boot map. */
void wb_main(uint32_t entry, uint32_t start_info);

void wb_main(uint32_t entry, uint32_t start_info)
{
	serial_init();
	idt_init();
	clock_init();
	log_info("wireboot %s", WB_VERSION);
	if (bootinfo_collect(&bootinfo, entry, start_info) || mem_init(&bootinfo)) {
		log_error("wireboot: cannot continue without memory; halted");
		cpu_halt_forever();
	}
	paging_init();
	log_info("entry %s, memory %llu MiB", bootinfo_entry_name(bootinfo.entry),
		 (unsigned long long)(sys_memmap.ram_bytes >> 20));
	for (size_t i = 0; i < sys_memmap.count; i++)
		log_info("  %016llx-%016llx %s", (unsigned long long)sys_memmap.r[i].base,
			 (unsigned long long)(sys_memmap.r[i].base + (sys_memmap.r[i].pages << 12)),
			 memmap_type_name(sys_memmap.r[i].type));
	cpu_halt_forever();
}
