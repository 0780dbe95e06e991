/* Bring up the UEFI core: the firmware image becomes runtime memory, the
 * service tables and the system table are built, and the protocols with
 * no device behind them (console, RNG, the firmware's own image) get
 * their handles. Drivers install theirs afterwards. */
#include <acpi.h>
#include <efi_boot_services.h>
#include <efi_console.h>
#include <efi_devpath.h>
#include <efi_event.h>
#include <efi_core.h>
#include <efi_handle.h>
#include <efi_image.h>
#include <efi_init.h>
#include <efi_rng.h>
#include <efi_runtime.h>
#include <efi_systab.h>
#include <log.h>
#include <efi_smbios.h>
#include <sysmem.h>

extern char __image_start[], __data_start[], __image_end[];

static EFI_HANDLE fw_handle;

/* The firmware image stays mapped for the OS: runtime services run from
 * it after ExitBootServices, and the system table lives in it. */
static void image_to_runtime(void)
{
	uint64_t s = (uintptr_t)__image_start, d = (uintptr_t)__data_start;
	uint64_t e = ((uintptr_t)__image_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	memmap_set(&sys_memmap, s, (d - s) >> PAGE_SHIFT, MEM_RT_CODE);
	memmap_set(&sys_memmap, d, (e - d) >> PAGE_SHIFT, MEM_RT_DATA);
}

/* EFI_MEMORY_ATTRIBUTES_TABLE (UEFI 2.10 s.4.6.4): how an OS may map the
 * runtime regions: our code and constants read-only, our data not
 * executable. Linux applies it to its EFI page tables. */
struct mat {
	UINT32 version, count, desc_size, reserved;
	EFI_MEMORY_DESCRIPTOR d[2];
};

#define EFI_MEMORY_RO_WB 0x20000ULL /* EFI_MEMORY_RO (UEFI 2.5+), not in gnu-efi's headers */

static void install_memory_attributes(void)
{
	static const EFI_GUID guid = { 0xdcfa911d, 0x26eb, 0x469f,
				       { 0xa2, 0x20, 0x38, 0xb7, 0xdc, 0x46, 0x12, 0x20 } };
	uint64_t s = (uintptr_t)__image_start, d = (uintptr_t)__data_start;
	uint64_t e = ((uintptr_t)__image_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	struct mat *t = sysmem_alloc_pages(1, MEM_RT_DATA, 1ULL << 32);

	if (!t)
		return;
	*t = (struct mat){ 1, 2, sizeof(EFI_MEMORY_DESCRIPTOR), 0, {
		{ EfiRuntimeServicesCode, 0, s, 0, (d - s) >> PAGE_SHIFT,
		  EFI_MEMORY_RUNTIME | EFI_MEMORY_RO_WB },
		{ EfiRuntimeServicesData, 0, d, 0, (e - d) >> PAGE_SHIFT,
		  EFI_MEMORY_RUNTIME | EFI_MEMORY_XP },
	} };
	efi_install_config_table(&guid, t);
}

/* Registers the runtime services write after ExitBootServices (the
 * hardware-reduced sleep register on microvm, the FADT reset register)
 * go into the memory map as runtime MMIO: an OS maps only what the map
 * marks EFI_MEMORY_RUNTIME when it calls ResetSystem. Port I/O needs
 * nothing. */
static void runtime_mmio(void)
{
	const struct acpi_fadt_info *f = acpi_fadt();
	const struct acpi_gas *regs[] = { &f->sleep_ctl, &f->reset_reg };

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (regs[i]->space == 0 && regs[i]->address)
			sysmem_reserve(regs[i]->address, 1, MEM_MMIO);
}

/* One handle for the serial console: its device path and the three text
 * protocols, as EDK2's terminal driver publishes them. */
static EFI_HANDLE install_console(void)
{
	static const EFI_GUID dp = DEVICE_PATH_PROTOCOL, in = SIMPLE_TEXT_INPUT_PROTOCOL,
			      in_ex = EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL_GUID,
			      out = SIMPLE_TEXT_OUTPUT_PROTOCOL;
	EFI_HANDLE h = NULL;

	efi_console_init();
	if (EFI_ERROR(efi_protocol_install(&h, &dp, efi_console_device_path())) ||
	    EFI_ERROR(efi_protocol_install(&h, &in, efi_console_in())) ||
	    EFI_ERROR(efi_protocol_install(&h, &in_ex, efi_console_in_ex())) ||
	    EFI_ERROR(efi_protocol_install(&h, &out, efi_console_out())))
		log_warn("efi: cannot install the console protocols");
	efi_poll_register(efi_console_poll);
	return h;
}

void efi_init(void)
{
	static const EFI_GUID to_text = EFI_DEVICE_PATH_TO_TEXT_PROTOCOL_GUID;
	static const uint8_t no_path[] = { END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, 4,
					   0 };

	image_to_runtime();
	runtime_mmio();
	efi_runtime_init();
	EFI_SYSTEM_TABLE *st = efi_systab_init(efi_boot_services_init(), efi_runtime_table());
	efi_runtime_set_system_table(st);
	EFI_HANDLE con = install_console();
	efi_systab_set_console(con, efi_console_in(), con, efi_console_out());
	fw_handle = efi_image_init_firmware();
	EFI_HANDLE h = NULL;
	if (EFI_ERROR(efi_protocol_install(&h, &to_text, &efi_devpath_to_text_protocol)))
		log_warn("efi: cannot install DevicePathToText");
	efi_rng_install();
	efi_smbios_install();
	install_memory_attributes();
	/* Boot0001 names the device once the boot manager knows it. */
	struct efi_boot_globals g = { no_path, sizeof(no_path), 0 };
	efi_vars_set_boot_globals(efi_runtime_vars(), &g);
	log_debug("efi: system table at %p, %llu configuration tables", (void *)st,
		  (unsigned long long)st->NumberOfTableEntries);
}

EFI_HANDLE efi_firmware_handle(void)
{
	return fw_handle;
}
