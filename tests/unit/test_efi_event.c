/* UEFI events (efi/event.c): CreateEvent validation, wait and signal
 * semantics, CheckEvent, CloseEvent, and refusal of foreign pointers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <cmocka.h>
#include <efi_core.h>
#include <efi_event.h>

/* efi/event.c allocates through the firmware's pool; here, the C library. */
void *sysmem_zalloc(size_t size);
void sysmem_free(void *p);
void *sysmem_zalloc(size_t size) { return calloc(1, size); }
void sysmem_free(void *p) { free(p); }

/* CloseEvent tells the handle database; nothing registered here. */
void efi_handle_event_closed(EFI_EVENT e);
void efi_handle_event_closed(EFI_EVENT e) {}

/* A fake clock: time passes only when the code under test waits. */
static uint64_t now_us;
uint64_t clock_us_since_entry(void) { return now_us; }
void clock_delay_us(uint64_t us) { now_us += us; }

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

static VOID EFIAPI count_notify(EFI_EVENT e, VOID *ctx)
{
	*(int *)ctx += 1;
}

static void test_relative_timer_fires_once_when_due(void **state)
{
	EFI_EVENT e;
	UINTN idx = 99;

	now_us = 1000;
	assert_int_equal(efi_create_event(EVT_TIMER, 0, NULL, NULL, &e), EFI_SUCCESS);
	assert_int_equal(efi_check_event(e), EFI_NOT_READY);
	assert_int_equal(efi_set_timer(e, TimerRelative, 50000), EFI_SUCCESS); /* 5 ms */
	now_us += 4999;
	assert_int_equal(efi_check_event(e), EFI_NOT_READY);
	now_us += 1;
	assert_int_equal(efi_check_event(e), EFI_SUCCESS);
	now_us += 100000;
	assert_int_equal(efi_check_event(e), EFI_NOT_READY); /* one-shot */
	/* WaitForEvent waits (the fake clock moves in its delay) until it fires. */
	assert_int_equal(efi_set_timer(e, TimerRelative, 200000), EFI_SUCCESS);
	uint64_t t0 = now_us;
	assert_int_equal(efi_wait_for_event(1, &e, &idx), EFI_SUCCESS);
	assert_int_equal(idx, 0);
	assert_true(now_us - t0 >= 20000 && now_us - t0 < 20100);
	/* Cancelled timers never fire. */
	assert_int_equal(efi_set_timer(e, TimerRelative, 10), EFI_SUCCESS);
	assert_int_equal(efi_set_timer(e, TimerCancel, 0), EFI_SUCCESS);
	now_us += 1000000;
	assert_int_equal(efi_check_event(e), EFI_NOT_READY);
	assert_int_equal(efi_set_timer(e, 7, 0), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
}

static void test_periodic_timer_notifies_each_period(void **state)
{
	EFI_EVENT e, plain;
	int n = 0;

	now_us = 0;
	assert_int_equal(efi_create_event(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify,
					  &n, &e), EFI_SUCCESS);
	assert_int_equal(efi_create_event(0, 0, NULL, NULL, &plain), EFI_SUCCESS);
	assert_int_equal(efi_set_timer(plain, TimerRelative, 10), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_set_timer(e, TimerPeriodic, 10000), EFI_SUCCESS); /* 1 ms */
	for (int i = 0; i < 10; i++) {
		now_us += 1000;
		efi_poll();
	}
	assert_int_equal(n, 10);
	/* Raised TPL defers the notification until RestoreTPL. */
	EFI_TPL old = efi_raise_tpl(TPL_NOTIFY);
	assert_int_equal(old, TPL_APPLICATION);
	now_us += 1000;
	efi_poll();
	assert_int_equal(n, 10);
	efi_restore_tpl(old);
	assert_int_equal(n, 11);
	assert_int_equal(efi_current_tpl(), TPL_APPLICATION);
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
	assert_int_equal(efi_close_event(plain), EFI_SUCCESS);
}

static void test_wait_for_event_refuses_signal_events_and_raised_tpl(void **state)
{
	EFI_EVENT e;
	UINTN idx;
	int n = 0;

	assert_int_equal(efi_create_event(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify, &n, &e),
			 EFI_SUCCESS);
	assert_int_equal(efi_wait_for_event(1, &e, &idx), EFI_INVALID_PARAMETER);
	assert_int_equal(idx, 0);
	assert_int_equal(efi_wait_for_event(0, &e, &idx), EFI_INVALID_PARAMETER);
	EFI_TPL old = efi_raise_tpl(TPL_CALLBACK);
	assert_int_equal(efi_wait_for_event(1, &e, &idx), EFI_UNSUPPORTED);
	efi_restore_tpl(old);
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
}

static void test_groups_and_special_types_are_signaled_together(void **state)
{
	static const EFI_GUID g = { 0x12345678, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 10 } };
	static const EFI_GUID ebs = { 0x27abf055, 0xb1b8, 0x4c26,
				      { 0x80, 0x48, 0x74, 0x8f, 0x37, 0xba, 0xa2, 0xdf } };
	EFI_EVENT a, b, c, d, other;
	int na = 0, nb = 0, nc = 0, nd = 0, no = 0;

	assert_int_equal(efi_create_event_ex(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify, &na, &g,
					     &a), EFI_SUCCESS);
	assert_int_equal(efi_create_event_ex(EVT_NOTIFY_SIGNAL, TPL_NOTIFY, count_notify, &nb, &g,
					     &b), EFI_SUCCESS);
	assert_int_equal(efi_create_event(EVT_NOTIFY_SIGNAL, TPL_NOTIFY, count_notify, &no, &other),
			 EFI_SUCCESS);
	assert_int_equal(efi_signal_event(a), EFI_SUCCESS);
	assert_int_equal(na, 1);
	assert_int_equal(nb, 1);
	assert_int_equal(no, 0);
	/* ExitBootServices reaches both the special type and the group. */
	assert_int_equal(efi_create_event(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_NOTIFY, count_notify,
					  &nc, &c), EFI_SUCCESS);
	assert_int_equal(efi_create_event_ex(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify, &nd,
					     &ebs, &d), EFI_SUCCESS);
	assert_int_equal(efi_create_event_ex(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_NOTIFY,
					     count_notify, &nd, &ebs, &other),
			 EFI_INVALID_PARAMETER);
	efi_event_signal_type(EVT_SIGNAL_EXIT_BOOT_SERVICES);
	assert_int_equal(nc, 1);
	assert_int_equal(nd, 1);
	assert_int_equal(na, 1);
	EFI_EVENT all[] = { a, b, c, d };
	for (int i = 0; i < 4; i++)
		assert_int_equal(efi_close_event(all[i]), EFI_SUCCESS);
}

static void test_events_of_unloaded_code_are_closed(void **state)
{
	EFI_EVENT a, b;
	int n = 0;
	uint64_t fn = (uintptr_t)count_notify;

	assert_int_equal(efi_create_event(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify, &n, &a),
			 EFI_SUCCESS);
	assert_int_equal(efi_create_event(EVT_NOTIFY_WAIT, TPL_CALLBACK, notify, &n, &b),
			 EFI_SUCCESS);
	efi_events_forget_code(fn, 1); /* covers count_notify only */
	assert_int_equal(efi_signal_event(a), EFI_INVALID_PARAMETER);
	assert_int_equal(n, 0);
	assert_int_equal(efi_close_event(b), EFI_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_validates),
		cmocka_unit_test(test_wait_event_check_runs_notify),
		cmocka_unit_test(test_signal_event_notifies_and_cannot_be_checked),
		cmocka_unit_test(test_foreign_and_closed_events_are_refused),
		cmocka_unit_test(test_relative_timer_fires_once_when_due),
		cmocka_unit_test(test_periodic_timer_notifies_each_period),
		cmocka_unit_test(test_wait_for_event_refuses_signal_events_and_raised_tpl),
		cmocka_unit_test(test_groups_and_special_types_are_signaled_together),
		cmocka_unit_test(test_events_of_unloaded_code_are_closed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
