/* The boot services table (UEFI 2.10 s.7): every slot points at a real
 * service (the reserved PCHandleProtocol slot stays NULL). Each layer fills its own slots (memory, events,
 * handles, images); this file keeps the table and the small services. */
#include <string.h>
#include <clock.h>
#include <crc32.h>
#include <efi_boot_services.h>
#include <efi_core.h>
#include <efi_event.h>
#include <efi_handle.h>
#include <efi_image.h>
#include <efi_memory.h>
#include <efi_runtime.h>
#include <efi_systab.h>
#include <log.h>

static EFI_BOOT_SERVICES bs;

/* UEFI 2.10 s.7.5.2: Stall busy-waits; timers keep firing meanwhile. */
static EFI_STATUS EFIAPI bs_stall(UINTN us)
{
	uint64_t end = clock_us_since_entry() + us;

	for (;;) {
		efi_poll();
		uint64_t now = clock_us_since_entry();
		if (now >= end)
			return EFI_SUCCESS;
		clock_delay_us(end - now > 1000 ? 1000 : end - now);
	}
}

/* There is no watchdog to arm: a program that hangs is the user's to see
 * on the console. Any value is accepted, as the spec allows. */
static EFI_STATUS EFIAPI bs_set_watchdog_timer(UINTN timeout, UINT64 code, UINTN size,
					       CHAR16 *data)
{
	if (timeout)
		log_debug("efi: SetWatchdogTimer(%llu s) accepted; wireboot has no watchdog",
			  (unsigned long long)timeout);
	return EFI_SUCCESS;
}

static VOID EFIAPI bs_copy_mem(VOID *dst, VOID *src, UINTN len)
{
	memmove(dst, src, len);
}

static VOID EFIAPI bs_set_mem(VOID *buf, UINTN len, UINT8 value)
{
	memset(buf, value, len);
}

static EFI_STATUS EFIAPI bs_calculate_crc32(VOID *data, UINTN len, UINT32 *out)
{
	if (!data || !len || !out)
		return EFI_INVALID_PARAMETER;
	*out = crc32(0, data, len);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI bs_install_configuration_table(EFI_GUID *guid, VOID *table)
{
	return efi_install_config_table(guid, table);
}

/* What every boot service becomes after ExitBootServices: the OS owns the
 * memory and the devices now, so nothing may touch them. A program that
 * kept the table pointer gets an error, not a corrupted OS. */
static EFI_STATUS EFIAPI bs_after_exit(void)
{
	static bool said;

	if (!said)
		log_error("efi: a boot service was called after ExitBootServices; refused");
	said = true;
	return EFI_UNSUPPORTED;
}

void efi_boot_services_retire(void)
{
	/* Every slot after the header is a function pointer (UEFI 2.10 s.4.4). */
	void **slot = (void **)((uint8_t *)&bs + sizeof(bs.Hdr));
	void **end = (void **)((uint8_t *)&bs + sizeof(bs));

	for (; slot < end; slot++)
		*slot = (void *)bs_after_exit;
	efi_table_crc(&bs.Hdr);
}

EFI_BOOT_SERVICES *efi_boot_services_init(void)
{
	bs.Hdr.Signature = EFI_BOOT_SERVICES_SIGNATURE;
	bs.Hdr.Revision = EFI_SYSTAB_REVISION_WB;
	bs.Hdr.HeaderSize = sizeof(bs);

	bs.RaiseTPL = efi_raise_tpl;
	bs.RestoreTPL = efi_restore_tpl;
	efi_mem_fill_boot_services(&bs);
	bs.CreateEvent = efi_create_event;
	bs.CreateEventEx = (EFI_CREATE_EVENT_EX)efi_create_event_ex;
	bs.SetTimer = efi_set_timer;
	bs.WaitForEvent = efi_wait_for_event;
	bs.SignalEvent = efi_signal_event;
	bs.CloseEvent = efi_close_event;
	bs.CheckEvent = efi_check_event;
	efi_handle_fill_boot_services(&bs);
	bs.PCHandleProtocol = NULL; /* "Reserved" since UEFI 2.0; OVMF leaves it NULL */
	bs.InstallConfigurationTable = bs_install_configuration_table;
	efi_image_fill_boot_services(&bs);
	bs.GetNextMonotonicCount = efi_runtime_next_monotonic_count;
	bs.Stall = bs_stall;
	bs.SetWatchdogTimer = bs_set_watchdog_timer;
	bs.CalculateCrc32 = bs_calculate_crc32;
	bs.CopyMem = bs_copy_mem;
	bs.SetMem = bs_set_mem;
	efi_table_crc(&bs.Hdr);
	return &bs;
}
