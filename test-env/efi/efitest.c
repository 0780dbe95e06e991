/* efitest: runs every check of efitest.h in order and prints the summary.
 * Exits with EFI_SUCCESS when every check passed, else EFI_ABORTED (the
 * firmware that started it reports the status). */
#include "efitest.h"

EFI_HANDLE t_image;
BOOLEAN t_timers_work;
static UINTN t_passed, t_failed;

/* Print text as lines of at most 79 columns, so no console wraps a marker
 * line (mode 0 is 80x25, UEFI 2.10 s.12.4): breaks go at a space, which is
 * dropped, or mid-word after a '\'; continuation lines start with four
 * spaces. test_efi.py joins them again. */
void t_print_wrapped(const CHAR16 *s)
{
	static CHAR16 line[82];
	UINTN len = StrLen(s), pos = 0;

	while (pos < len) {
		UINTN room = pos ? 75 : 79, n = len - pos, cut;
		BOOLEAN hard = FALSE;

		if (n > room) {
			for (cut = room; cut > 0 && s[pos + cut] != ' '; cut--)
				;
			if (cut == 0) {
				cut = room - 1;
				hard = TRUE;
			}
			n = cut;
		}
		CopyMem(line, (void *)(s + pos), n * sizeof(CHAR16));
		line[n] = hard ? '\\' : 0;
		line[n + hard] = 0;
		Print(L"%s%s\r\n", pos ? L"    " : L"", line);
		pos += n;
		while (pos < len && s[pos] == ' ' && !hard)
			pos++;
	}
}

/* Print one marker line: prefix, check name, then the formatted detail. */
static void t_report(const CHAR16 *verdict, const char *check, const CHAR16 *fmt, va_list args)
{
	static CHAR16 detail[1024], line[1100];

	UnicodeVSPrint(detail, sizeof(detail), fmt, args);
	UnicodeSPrint(line, sizeof(line), L"EFITEST %s %a: %s", verdict, check, detail);
	t_print_wrapped(line);
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
	check_blockio();
	check_fileio();
	check_load_image_errors();
	check_start_image();
	check_load_uri();

	Print(L"EFITEST done: %ld ok, %ld failed\r\n", t_passed, t_failed);
	return t_failed ? EFI_ABORTED : EFI_SUCCESS;
}
