/* UEFI events (efi/event.c): CreateEvent validation, wait and signal
 * semantics, CheckEvent, CloseEvent, and refusal of foreign pointers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <cmocka.h>
#include <efi_event.h>

/* efi/event.c allocates through the firmware's pool; here, the C library. */
void *sysmem_zalloc(size_t size);
void sysmem_free(void *p);
void *sysmem_zalloc(size_t size) { return calloc(1, size); }
void sysmem_free(void *p) { free(p); }

static int calls;
static bool signal_from_notify;

static VOID EFIAPI notify(EFI_EVENT e, VOID *ctx)
{
	calls++;
	*(int *)ctx += 1;
	if (signal_from_notify)
		efi_signal_event(e);
}

static void test_create_validates(void **state)
{
	EFI_EVENT e;
	int ctx = 0;

	assert_int_equal(efi_create_event(0, 0, NULL, NULL, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_create_event(EVT_NOTIFY_WAIT, TPL_NOTIFY, NULL, NULL, &e),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_create_event(EVT_NOTIFY_WAIT, 5, notify, &ctx, &e),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_create_event(EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL, TPL_NOTIFY, notify,
					  &ctx, &e), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_create_event(0x4, TPL_NOTIFY, notify, &ctx, &e), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_create_event(0, 0, NULL, NULL, &e), EFI_SUCCESS);
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
	assert_int_equal(efi_create_event(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_NOTIFY, notify, &ctx,
					  &e), EFI_SUCCESS);
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
}

static void test_wait_event_check_runs_notify(void **state)
{
	EFI_EVENT e;
	int ctx = 0;

	calls = 0;
	signal_from_notify = false;
	assert_int_equal(efi_create_event(EVT_NOTIFY_WAIT, TPL_NOTIFY, notify, &ctx, &e),
			 EFI_SUCCESS);
	assert_int_equal(efi_check_event(e), EFI_NOT_READY);
	assert_int_equal(ctx, 1); /* the notify ran and did not signal */
	signal_from_notify = true;
	assert_int_equal(efi_check_event(e), EFI_SUCCESS);
	signal_from_notify = false;
	assert_int_equal(efi_check_event(e), EFI_NOT_READY); /* CheckEvent cleared it */
	assert_int_equal(efi_signal_event(e), EFI_SUCCESS);
	int before = ctx;
	assert_int_equal(efi_check_event(e), EFI_SUCCESS);
	assert_int_equal(ctx, before); /* already signaled: no notify needed */
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
}

static void test_signal_event_notifies_and_cannot_be_checked(void **state)
{
	EFI_EVENT e;
	int ctx = 0;

	signal_from_notify = false;
	assert_int_equal(efi_create_event(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, notify, &ctx, &e),
			 EFI_SUCCESS);
	assert_int_equal(efi_check_event(e), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_signal_event(e), EFI_SUCCESS);
	assert_int_equal(ctx, 1);
	assert_int_equal(efi_signal_event(e), EFI_SUCCESS);
	assert_int_equal(ctx, 2); /* cleared after each notification */
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
}

static void test_foreign_and_closed_events_are_refused(void **state)
{
	EFI_EVENT e;
	uint64_t junk[8] = { 0x45564e54u };

	assert_int_equal(efi_check_event(junk), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_signal_event(NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_close_event(junk), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_create_event(0, 0, NULL, NULL, &e), EFI_SUCCESS);
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
	assert_int_equal(efi_close_event(e), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_check_event(e), EFI_INVALID_PARAMETER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_validates),
		cmocka_unit_test(test_wait_event_check_runs_notify),
		cmocka_unit_test(test_signal_event_notifies_and_cannot_be_checked),
		cmocka_unit_test(test_foreign_and_closed_events_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
