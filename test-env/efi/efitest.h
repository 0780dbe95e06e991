/* efitest: an EFI application that calls every boot service, runtime
 * service and protocol wireboot claims, and prints one marker line per
 * check on ConOut:
 *
 *   EFITEST ok <check>: <what was verified>
 *   EFITEST FAIL <check>: <the step that failed and its status>
 *   EFITEST done: <N> ok, <M> failed
 *
 * Every wait is bounded (by a count of Stall calls, never by a timer
 * alone), so a service the firmware lacks gives a FAIL line, not a hang.
 * Built with gnu-efi (test-env/efi/efi.mk). */
#ifndef EFITEST_H
#define EFITEST_H

#include <efi.h>
#include <efilib.h>

/* Print a line wrapped to 79 columns (continuations indented by 4). */
void t_print_wrapped(const CHAR16 *s);

/* Report the result of one check. */
void t_ok(const char *check, const CHAR16 *fmt, ...);
void t_fail(const char *check, const CHAR16 *fmt, ...);

/* A failing step inside a check: print FAIL with the line's text, leave. */
#define T_REQUIRE(cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			t_fail(T_NAME, __VA_ARGS__);                                               \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

/* The same for a service call that must return an exact status. */
#define T_STATUS(call, want, what)                                                                 \
	do {                                                                                       \
		EFI_STATUS t_st_ = (call);                                                         \
		if (t_st_ != (want)) {                                                             \
			t_fail(T_NAME, L"%a returned %r (0x%lx), expected %r", what, t_st_,        \
			       (UINT64)t_st_, (EFI_STATUS)(want));                                 \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

#define T_OK(call, what) T_STATUS(call, EFI_SUCCESS, what)

/* The image handle efitest runs as. */
extern EFI_HANDLE t_image;

/* Poll ev with CheckEvent, calling Stall(1 ms) between polls, up to max_ms
 * polls. EFI_SUCCESS once signalled, EFI_TIMEOUT after the bound. */
EFI_STATUS t_poll_event(EFI_EVENT ev, UINTN max_ms);

/* Wait about ms milliseconds with a relative timer event polled by
 * t_poll_event (so a polled firmware runs its timers and notify functions);
 * EFI_TIMEOUT when the timer did not fire within 4*ms + 1000 Stall(1 ms). */
EFI_STATUS t_wait_ms(UINTN ms);

/* True once the events check proved that timer events fire. */
extern BOOLEAN t_timers_work;

/* ASCII helpers (libefi's are mostly CHAR16): length, and formatting into
 * a NUL-terminated buffer with libefi's format rules. */
UINTN t_strlen8(const char *s);
void t_asprint(CHAR8 *buf, UINTN size, const char *fmt, ...);

/* Checks, in the order efi_main runs them. */
void check_systab(void);
void check_memmap(void);
void check_pages(void);
void check_pool(void);
void check_tpl(void);
void check_events(void);
void check_timers(void);
void check_event_groups(void);
void check_protocol_db(void);
void check_open_protocol(void);
void check_protocol_notify(void);
void check_locate_device_path(void);
void check_misc_services(void);
void check_crc32(void);
void check_config_table(void);
void check_loaded_image(void);
void check_device_path_text(void);
void check_time(void);
void check_variables(void);
void check_global_variables(void);
void check_rng(void);
void check_console_out(void);
void check_console_in(void);
void check_snp(void);
/* Only on disks test_disk_blockio.py prepared: prints nothing without one. */
void check_blockio(void);
void check_fileio(void);
void check_load_image_errors(void);
void check_start_image(void);
void check_load_uri(void);

/* efichild.efi, linked into efitest (child_blob.S). */
extern const UINT8 efichild_image[];
extern const UINT8 efichild_image_end[];

/* Shared with efichild.c: the vendor GUID of the test variables and the
 * status and exit data the child returns. */
#define T_VENDOR_GUID                                                                              \
	{                                                                                          \
		0x5ab1e5c0, 0x3c1d, 0x4e57,                                                        \
		{                                                                                  \
			0x9a, 0x8e, 0x77, 0x69, 0x72, 0x65, 0x62, 0x74                             \
		}                                                                                  \
	}
#define T_CHILD_STATUS	  EFIERR(0x2a)
#define T_CHILD_EXIT_DATA L"efichild exit data"
#define T_CHILD_OPTIONS	  L"efichild-options wb.child=1"

#endif
