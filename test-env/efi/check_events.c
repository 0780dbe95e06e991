/* Events, timers and task priority levels (UEFI 2.10 s.7.1). */
#include "efitest.h"

/* Count the calls of a notify function; optionally signal the event from
 * inside it after a number of calls (for EVT_NOTIFY_WAIT). */
struct t_counter {
	volatile UINTN calls;
	UINTN signal_after;
	EFI_TPL tpl_seen;
};

static EFIAPI void t_count_notify(EFI_EVENT ev, void *ctx)
{
	struct t_counter *c = ctx;

	c->calls++;
	/* The current TPL is what RaiseTPL returns before it raises. */
	c->tpl_seen = BS->RaiseTPL(TPL_HIGH_LEVEL);
	BS->RestoreTPL(c->tpl_seen);
	if (c->signal_after && c->calls >= c->signal_after)
		BS->SignalEvent(ev);
}

#define T_NAME "tpl"
/* s.7.1.8/7.1.9: RaiseTPL returns the old level; a notify function queued
 * at a level at or below the current one runs only at RestoreTPL. */
void check_tpl(void)
{
	struct t_counter c = {0};
	EFI_EVENT ev = NULL;
	EFI_TPL old, mid;

	old = BS->RaiseTPL(TPL_NOTIFY);
	mid = BS->RaiseTPL(TPL_HIGH_LEVEL);
	BS->RestoreTPL(mid);
	BS->RestoreTPL(old);
	T_REQUIRE(old == TPL_APPLICATION, L"RaiseTPL returned %ld at application level", old);
	T_REQUIRE(mid == TPL_NOTIFY, L"RaiseTPL(HIGH_LEVEL) at NOTIFY returned %ld", mid);

	T_OK(BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, t_count_notify, &c, &ev),
	     "CreateEvent(NOTIFY_SIGNAL, CALLBACK)");
	old = BS->RaiseTPL(TPL_NOTIFY);
	BS->SignalEvent(ev);
	UINTN before = c.calls;
	BS->RestoreTPL(old);
	T_REQUIRE(before == 0, L"notify at TPL_CALLBACK ran while TPL_NOTIFY was held");
	T_REQUIRE(c.calls == 1, L"notify did not run at RestoreTPL (%ld calls)", c.calls);
	T_REQUIRE(c.tpl_seen == TPL_CALLBACK, L"notify ran at TPL %ld, expected %d", c.tpl_seen,
		  TPL_CALLBACK);
	t_ok(T_NAME, L"RaiseTPL returns the old TPL; a notify queued under TPL_NOTIFY runs at "
		     L"RestoreTPL, at TPL_CALLBACK");
out:
	if (ev)
		BS->CloseEvent(ev);
}
#undef T_NAME

#define T_NAME "events"
/* s.7.1.1-7.1.7: SignalEvent, CheckEvent, notify-wait functions, the
 * error of CheckEvent on a notify-signal event. (WaitForEvent can block:
 * check_timers tests it once timers are known to fire, with a guard.) */
void check_events(void)
{
	struct t_counter sig = {0}, wait = {.signal_after = 2};
	EFI_EVENT plain = NULL, evsig = NULL, evwait = NULL;
	EFI_STATUS st;

	T_OK(BS->CreateEvent(0, 0, NULL, NULL, &plain), "CreateEvent(0)");
	T_STATUS(BS->CheckEvent(plain), EFI_NOT_READY, "CheckEvent before SignalEvent");
	T_OK(BS->SignalEvent(plain), "SignalEvent");
	T_OK(BS->CheckEvent(plain), "CheckEvent after SignalEvent");
	T_STATUS(BS->CheckEvent(plain), EFI_NOT_READY, "second CheckEvent (it resets the event)");

	T_OK(BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, t_count_notify, &sig, &evsig),
	     "CreateEvent(NOTIFY_SIGNAL)");
	T_OK(BS->SignalEvent(evsig), "SignalEvent(NOTIFY_SIGNAL)");
	T_REQUIRE(sig.calls == 1, L"signal notify ran %ld times, expected 1", sig.calls);
	st = BS->CheckEvent(evsig);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"CheckEvent on a NOTIFY_SIGNAL event returned %r",
		  st);

	/* A wait notify runs from CheckEvent while the event is not signalled;
	 * this one signals its event on the second call. */
	T_OK(BS->CreateEvent(EVT_NOTIFY_WAIT, TPL_CALLBACK, t_count_notify, &wait, &evwait),
	     "CreateEvent(NOTIFY_WAIT)");
	T_STATUS(BS->CheckEvent(evwait), EFI_NOT_READY, "CheckEvent(NOTIFY_WAIT), first");
	T_REQUIRE(wait.calls == 1, L"wait notify ran %ld times in CheckEvent", wait.calls);
	T_OK(BS->CheckEvent(evwait), "CheckEvent(NOTIFY_WAIT), second");
	T_REQUIRE(wait.calls == 2, L"wait notify ran %ld times", wait.calls);

	T_OK(BS->CloseEvent(evsig), "CloseEvent");
	evsig = NULL;
	st = BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, NULL, NULL, &evsig);
	T_REQUIRE(st == EFI_INVALID_PARAMETER,
		  L"CreateEvent(NOTIFY_SIGNAL) without a function returned %r", st);
	evsig = NULL;
	st = BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_HIGH_LEVEL + 1, t_count_notify, &sig, &evsig);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"CreateEvent with TPL 32 returned %r", st);
	evsig = NULL;
	t_ok(T_NAME, L"Signal/Check on a plain event, notify-signal and notify-wait functions, "
		     L"CloseEvent, bad arguments refused");
out:
	if (plain)
		BS->CloseEvent(plain);
	if (evsig)
		BS->CloseEvent(evsig);
	if (evwait)
		BS->CloseEvent(evwait);
}
#undef T_NAME

#define T_NAME "timers"
/* s.7.1.5/7.1.6: relative and periodic timers, cancel, notify functions
 * fired by timers; s.7.1.7 WaitForEvent returning the index of the event
 * that fired, at once for a signalled one, INVALID_PARAMETER for a
 * notify-signal event. Every WaitForEvent has a 3 s guard timer beside it,
 * so a firmware that never returns on the event under test returns on the
 * guard instead of hanging. */
void check_timers(void)
{
	struct t_counter per = {0}, sig = {0};
	EFI_EVENT rel = NULL, periodic = NULL, guard = NULL, plain = NULL, evsig = NULL;
	EFI_EVENT both[2];
	UINTN index = 99, at_cancel;
	EFI_STATUS st;

	T_OK(BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &rel), "CreateEvent(TIMER)");
	T_OK(BS->SetTimer(rel, TimerRelative, 20 * 10000), "SetTimer(relative 20 ms)");
	st = t_poll_event(rel, 2000);
	T_REQUIRE(st == EFI_SUCCESS,
		  L"a 20 ms relative timer did not fire within 2000 Stall(1 ms) "
		  L"(CheckEvent: %r)",
		  st);
	t_timers_work = TRUE;
	T_STATUS(BS->CheckEvent(rel), EFI_NOT_READY, "CheckEvent after a relative timer fired");

	/* The 30 ms timer must win over the 3 s guard. */
	T_OK(BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &guard), "CreateEvent(guard TIMER)");
	T_OK(BS->SetTimer(guard, TimerRelative, 3000 * 10000), "SetTimer(guard 3 s)");
	T_OK(BS->SetTimer(rel, TimerRelative, 30 * 10000), "SetTimer(relative 30 ms)");
	both[0] = rel;
	both[1] = guard;
	T_OK(BS->WaitForEvent(2, both, &index), "WaitForEvent(30 ms timer, guard)");
	T_REQUIRE(index == 0,
		  L"WaitForEvent returned index %ld: the 3 s guard fired before the "
		  L"30 ms timer",
		  index);

	T_OK(BS->CreateEvent(0, 0, NULL, NULL, &plain), "CreateEvent(0)");
	T_OK(BS->SignalEvent(plain), "SignalEvent");
	both[0] = plain;
	index = 99;
	T_OK(BS->WaitForEvent(2, both, &index), "WaitForEvent(signalled event, guard)");
	T_REQUIRE(index == 0, L"WaitForEvent with a signalled event returned index %ld", index);
	T_STATUS(BS->CheckEvent(plain), EFI_NOT_READY, "CheckEvent after WaitForEvent reset it");
	T_OK(BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, t_count_notify, &sig, &evsig),
	     "CreateEvent(NOTIFY_SIGNAL)");
	both[0] = evsig;
	index = 99;
	st = BS->WaitForEvent(2, both, &index);
	T_REQUIRE(st == EFI_INVALID_PARAMETER && index == 0,
		  L"WaitForEvent with a NOTIFY_SIGNAL event returned %r, index %ld", st, index);

	T_OK(BS->CreateEvent(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_CALLBACK, t_count_notify, &per,
			     &periodic),
	     "CreateEvent(TIMER|NOTIFY_SIGNAL)");
	T_OK(BS->SetTimer(periodic, TimerPeriodic, 20 * 10000), "SetTimer(periodic 20 ms)");
	T_OK(t_wait_ms(400), "waiting 400 ms");
	T_REQUIRE(per.calls >= 3, L"periodic 20 ms timer notified %ld times in 400 ms", per.calls);
	T_REQUIRE(per.tpl_seen == TPL_CALLBACK, L"timer notify ran at TPL %ld", per.tpl_seen);
	T_OK(BS->SetTimer(periodic, TimerCancel, 0), "SetTimer(cancel)");
	at_cancel = per.calls;
	T_OK(t_wait_ms(100), "waiting 100 ms");
	T_REQUIRE(per.calls == at_cancel, L"cancelled timer still notified (%ld then %ld)",
		  at_cancel, per.calls);
	/* Closing an armed timer disarms it. */
	T_OK(BS->SetTimer(periodic, TimerPeriodic, 10 * 10000), "SetTimer(periodic 10 ms)");
	T_OK(BS->CloseEvent(periodic), "CloseEvent of an armed timer");
	periodic = NULL;
	at_cancel = per.calls;
	T_OK(t_wait_ms(100), "waiting 100 ms");
	T_REQUIRE(per.calls == at_cancel, L"closed timer still notified");
	t_ok(T_NAME,
	     L"relative timer fired and reset; WaitForEvent: timer, signalled event, "
	     L"NOTIFY_SIGNAL refused; periodic 20 ms notified %ld times in 400 ms at "
	     L"TPL_CALLBACK, cancel and close stop it",
	     at_cancel);
out:
	if (rel)
		BS->CloseEvent(rel);
	if (guard)
		BS->CloseEvent(guard);
	if (plain)
		BS->CloseEvent(plain);
	if (evsig)
		BS->CloseEvent(evsig);
	if (periodic)
		BS->CloseEvent(periodic);
}
#undef T_NAME

#define T_NAME "event-groups"
/* s.7.1.2 CreateEventEx: signalling one event of a group signals them all;
 * a NULL group behaves as CreateEvent. */
void check_event_groups(void)
{
	static EFI_GUID group = {
	    0x8d5b0a5e, 0x1f7c, 0x4c5e, {0xa3, 0x57, 0x1c, 0x7a, 0x0e, 0x22, 0x10, 0x08}};
	struct t_counter a = {0}, b = {0}, c = {0};
	EFI_EVENT ea = NULL, eb = NULL, ec = NULL;

	if (!BS->CreateEventEx) {
		t_fail(T_NAME, L"CreateEventEx slot is NULL");
		return;
	}
	T_OK(BS->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, t_count_notify, &a, &group, &ea),
	     "CreateEventEx(group) a");
	T_OK(BS->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_NOTIFY, t_count_notify, &b, &group, &eb),
	     "CreateEventEx(group) b");
	T_OK(BS->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, t_count_notify, &c, NULL, &ec),
	     "CreateEventEx(no group)");
	T_OK(BS->SignalEvent(ea), "SignalEvent(a)");
	T_REQUIRE(a.calls == 1 && b.calls == 1, L"group signal: a ran %ld, b ran %ld times",
		  a.calls, b.calls);
	T_REQUIRE(c.calls == 0, L"an event outside the group was notified");
	T_OK(BS->CloseEvent(eb), "CloseEvent(b)");
	eb = NULL;
	T_OK(BS->SignalEvent(ec), "SignalEvent(no group)");
	T_REQUIRE(a.calls == 1 && c.calls == 1, L"ungrouped signal reached the group");
	t_ok(T_NAME, L"signalling one member of a group notified both; an ungrouped event stays "
		     L"apart");
out:
	if (ea)
		BS->CloseEvent(ea);
	if (eb)
		BS->CloseEvent(eb);
	if (ec)
		BS->CloseEvent(ec);
}
#undef T_NAME
