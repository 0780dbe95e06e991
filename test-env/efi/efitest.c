/* efitest: runs every check of efitest.h in order and prints the summary.
 * Exits with EFI_SUCCESS when every check passed, else EFI_ABORTED (the
 * firmware that started it reports the status). */
#include "efitest.h"

EFI_HANDLE t_image;
BOOLEAN t_timers_work;
static UINTN t_passed, t_failed;

/* Print one marker line: prefix, check name, then the formatted detail. */
static void t_report(const CHAR16 *verdict, const char *check, const CHAR16 *fmt, va_list args)
{
	Print(L"EFITEST %s %a: ", verdict, check);
	VPrint(fmt, args);
	Print(L"\r\n");
}

void t_ok(const char *check, const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	t_report(L"ok", check, fmt, args);
	va_end(args);
	t_passed++;
}

void t_fail(const char *check, const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	t_report(L"FAIL", check, fmt, args);
	va_end(args);
	t_failed++;
}

EFI_STATUS t_poll_event(EFI_EVENT ev, UINTN max_ms)
{
	for (UINTN i = 0; i <= max_ms; i++) {
		EFI_STATUS st = BS->CheckEvent(ev);

		if (st != EFI_NOT_READY)
			return st;
		BS->Stall(1000);
	}
	return EFI_TIMEOUT;
}

EFI_STATUS t_wait_ms(UINTN ms)
{
	EFI_EVENT ev;
	EFI_STATUS st = BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &ev);

	if (EFI_ERROR(st))
		return st;
	st = BS->SetTimer(ev, TimerRelative, ms * 10000);
	if (!EFI_ERROR(st))
		st = t_poll_event(ev, 4 * ms + 1000);
	BS->CloseEvent(ev);
	return st;
}

UINTN t_strlen8(const char *s)
{
	UINTN n = 0;

	while (s[n])
		n++;
	return n;
}

void t_asprint(CHAR8 *buf, UINTN size, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	AsciiVSPrint(buf, size, (const CHAR8 *)fmt, args);
	va_end(args);
}

/* Entry from gnu-efi's crt0, which relocated the image and converted the
 * Microsoft calling convention to System V. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	InitializeLib(image, systab);
	t_image = image;
	Print(L"EFITEST start: firmware '%s' revision 0x%x, UEFI %d.%d\r\n", ST->FirmwareVendor,
	      ST->FirmwareRevision, ST->Hdr.Revision >> 16, (ST->Hdr.Revision & 0xffff) / 10);
	/* A watchdog left armed by the firmware must not end the run. */
	BS->SetWatchdogTimer(0, 0, 0, NULL);

	check_systab();
	check_memmap();
	check_pages();
	check_pool();
	check_tpl();
	check_events();
	check_timers();
	check_event_groups();
	check_protocol_db();
	check_open_protocol();
	check_protocol_notify();
	check_locate_device_path();
	check_misc_services();
	check_crc32();
	check_config_table();
	check_loaded_image();
	check_device_path_text();
	check_time();
	check_variables();
	check_global_variables();
	check_rng();
	check_console_out();
	check_console_in();
	check_snp();
	check_load_image_errors();
	check_start_image();

	Print(L"EFITEST done: %ld ok, %ld failed\r\n", t_passed, t_failed);
	return t_failed ? EFI_ABORTED : EFI_SUCCESS;
}
