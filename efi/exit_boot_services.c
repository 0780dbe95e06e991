/* ExitBootServices (UEFI 2.10 s.7.4.6): the OS takes the machine. The
 * hardware is left exactly as the Linux boot-protocol hand-off leaves it
 * (architecture rule 6): NICs shut down, every virtio device reset. After
 * this only runtime services run. */
#include <efi_boot_services.h>
#include <efi_core.h>
#include <efi_image.h>
#include <efi_memory.h>
#include <efi_systab.h>
#include <efi_tick.h>
#include <handoff.h>
#include <log.h>

EFI_STATUS EFIAPI efi_exit_boot_services(EFI_HANDLE image, UINTN map_key)
{
	if (efi_at_runtime())
		return EFI_INVALID_PARAMETER;
	/* A stale key means the caller's copy of the map is out of date: it
	 * must call GetMemoryMap again and retry (Linux's stub does). */
	if (map_key != efi_mem_map_key()) {
		log_debug("efi: ExitBootServices with a stale memory map key; the caller retries");
		return EFI_INVALID_PARAMETER;
	}
	log_info("efi: ExitBootServices by %s", efi_image_name(image));
	efi_event_signal_type(EVT_SIGNAL_EXIT_BOOT_SERVICES);
	efi_tick_stop();
	handoff_prepare();
	efi_boot_services_retire();
	efi_systab_enter_runtime();
	return EFI_SUCCESS;
}
