/* UEFI events, timers and task priority levels (UEFI 2.10 s.7.1).
 *
 * Single-threaded and without interrupts (architecture rule 4): a timer
 * "fires" when efi_poll() notices its deadline has passed, and efi_poll()
 * runs wherever the firmware or a program waits (WaitForEvent, CheckEvent,
 * Stall, RestoreTPL). A signal notification whose TPL is not above the
 * current TPL is queued and runs when the TPL drops below it. */
#include <stdbool.h>
#include <string.h>
#include <clock.h>
#include <efi_core.h>
#include <efi_event.h>
#include <efi_handle.h>
#include <sysmem.h>

#define EVENT_MAGIC 0x45564e54u /* "EVNT" */

struct efi_event {
	uint32_t magic;
	UINT32 type;
	EFI_TPL tpl;
	EFI_EVENT_NOTIFY fn;
	VOID *ctx;
	bool signaled;
	bool pending; /* a signal notification waiting for the TPL to drop */
	bool has_group;
	EFI_GUID group;
	uint64_t trigger_us; /* timer: when it fires next; 0 when not armed */
	uint64_t period_us;  /* timer: 0 for a one-shot */
	struct efi_event *next;
};

static struct efi_event *events;
static EFI_TPL cur_tpl = TPL_APPLICATION;
static void (*poll_hooks[4])(void);

static const EFI_GUID group_ebs = { 0x27abf055, 0xb1b8, 0x4c26,
				    { 0x80, 0x48, 0x74, 0x8f, 0x37, 0xba, 0xa2, 0xdf } };
static const EFI_GUID group_vac = { 0x13fa7698, 0xc831, 0x49c7,
				    { 0x87, 0xea, 0x8f, 0x43, 0xfc, 0xc2, 0x51, 0x96 } };

/* Only pointers we handed out are events: never dereference anything else. */
static struct efi_event *lookup(EFI_EVENT e)
{
	for (struct efi_event *ev = events; ev; ev = ev->next)
		if (ev == e && ev->magic == EVENT_MAGIC)
			return ev;
	return NULL;
}

static bool tpl_valid(EFI_TPL t)
{
	return t == TPL_APPLICATION || t == TPL_CALLBACK || t == TPL_NOTIFY || t == TPL_HIGH_LEVEL;
}

/* Run queued signal notifications whose TPL is above the current one,
 * highest TPL first (UEFI 2.10 s.7.1, RestoreTPL). */
static void dispatch_pending(void)
{
	for (EFI_TPL t = TPL_HIGH_LEVEL; t > cur_tpl; t--) {
		bool again = true;
		while (again) {
			again = false;
			for (struct efi_event *ev = events; ev; ev = ev->next) {
				if (!ev->pending || ev->tpl != t)
					continue;
				ev->pending = false;
				EFI_TPL saved = cur_tpl;
				cur_tpl = ev->tpl;
				ev->fn(ev, ev->ctx);
				cur_tpl = saved;
				/* The list may have changed under the notify. */
				again = true;
				break;
			}
		}
	}
}

EFI_STATUS efi_event_create(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, VOID *ctx,
			    const EFI_GUID *group, EFI_EVENT *event)
{
	const UINT32 known = EVT_TIMER | EVT_RUNTIME | EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL;

	if (!event)
		return EFI_INVALID_PARAMETER;
	if (type == EVT_SIGNAL_EXIT_BOOT_SERVICES || type == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE) {
		/* Special signal types: allowed as they are, and never with a group. */
		if (group)
			return EFI_INVALID_PARAMETER;
	} else if (type & ~known) {
		return EFI_INVALID_PARAMETER;
	}
	bool wait = type & EVT_NOTIFY_WAIT, sig = type & EVT_NOTIFY_SIGNAL;
	if (wait && sig)
		return EFI_INVALID_PARAMETER;
	if ((wait || sig) && (!fn || !tpl_valid(tpl) || tpl == TPL_HIGH_LEVEL))
		return EFI_INVALID_PARAMETER;
	struct efi_event *ev = sysmem_zalloc(sizeof(*ev));
	if (!ev)
		return EFI_OUT_OF_RESOURCES;
	ev->magic = EVENT_MAGIC;
	ev->type = type;
	ev->tpl = tpl;
	ev->fn = (wait || sig) ? fn : NULL;
	ev->ctx = ctx;
	if (group) {
		ev->has_group = true;
		ev->group = *group;
	}
	ev->next = events;
	events = ev;
	*event = ev;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_create_event(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, VOID *ctx,
				   EFI_EVENT *event)
{
	return efi_event_create(type, tpl, fn, ctx, NULL, event);
}

EFI_STATUS EFIAPI efi_create_event_ex(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn,
				      const VOID *ctx, const EFI_GUID *group, EFI_EVENT *event)
{
	return efi_event_create(type, tpl, fn, (VOID *)ctx, group, event);
}

/* Signal one event: a signal-type event's notify runs now or is queued. */
static void signal_one(struct efi_event *ev)
{
	if (ev->type & EVT_NOTIFY_SIGNAL) {
		if (ev->tpl > cur_tpl) {
			EFI_TPL saved = cur_tpl;
			cur_tpl = ev->tpl;
			ev->fn(ev, ev->ctx);
			cur_tpl = saved;
		} else {
			ev->pending = true;
		}
		return;
	}
	/* Wait-type and plain events stay signaled until CheckEvent or
	 * WaitForEvent sees them. */
	ev->signaled = true;
}

static bool guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return !memcmp(a, b, sizeof(*a));
}

EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT e)
{
	struct efi_event *ev = lookup(e);

	if (!ev)
		return EFI_INVALID_PARAMETER;
	if (ev->has_group) {
		efi_event_signal_group(&ev->group);
		return EFI_SUCCESS;
	}
	if (ev->signaled)
		return EFI_SUCCESS;
	signal_one(ev);
	return EFI_SUCCESS;
}

void efi_event_signal_group(const EFI_GUID *group)
{
	/* Mark first, then notify: a notify may create or close events. */
	for (struct efi_event *ev = events; ev; ev = ev->next) {
		if (!ev->has_group || !guid_eq(&ev->group, group))
			continue;
		if (ev->type & EVT_NOTIFY_SIGNAL)
			ev->pending = true;
		else
			ev->signaled = true;
	}
	dispatch_pending();
}

void efi_event_signal_type(UINT32 type)
{
	for (struct efi_event *ev = events; ev; ev = ev->next)
		if (ev->type == type && ev->fn)
			ev->pending = true;
	efi_event_signal_group(type == EVT_SIGNAL_EXIT_BOOT_SERVICES ? &group_ebs : &group_vac);
}

EFI_STATUS EFIAPI efi_check_event(EFI_EVENT e)
{
	struct efi_event *ev = lookup(e);

	if (!ev || (ev->type & EVT_NOTIFY_SIGNAL))
		return EFI_INVALID_PARAMETER;
	efi_poll();
	if (!ev->signaled && ev->fn) {
		/* A wait event's notify may signal it (UEFI 2.10 s.7.1). */
		EFI_TPL saved = cur_tpl;
		if (ev->tpl > cur_tpl)
			cur_tpl = ev->tpl;
		ev->fn(ev, ev->ctx);
		cur_tpl = saved;
	}
	if (ev->signaled) {
		ev->signaled = false;
		return EFI_SUCCESS;
	}
	return EFI_NOT_READY;
}

EFI_STATUS EFIAPI efi_wait_for_event(UINTN n, EFI_EVENT *list, UINTN *index)
{
	if (!n || !list || !index)
		return EFI_INVALID_PARAMETER;
	if (cur_tpl != TPL_APPLICATION)
		return EFI_UNSUPPORTED;
	for (;;) {
		for (UINTN i = 0; i < n; i++) {
			EFI_STATUS st = efi_check_event(list[i]);
			if (st == EFI_SUCCESS || st != EFI_NOT_READY) {
				*index = i;
				return st;
			}
		}
		clock_delay_us(10);
	}
}

EFI_STATUS EFIAPI efi_set_timer(EFI_EVENT e, EFI_TIMER_DELAY how, UINT64 trigger_100ns)
{
	struct efi_event *ev = lookup(e);

	if (!ev || !(ev->type & EVT_TIMER))
		return EFI_INVALID_PARAMETER;
	uint64_t us = trigger_100ns / 10;
	switch (how) {
	case TimerCancel:
		ev->trigger_us = 0;
		ev->period_us = 0;
		return EFI_SUCCESS;
	case TimerPeriodic:
		/* A period of 0 means every tick: here, every poll. */
		ev->period_us = us ? us : 1;
		break;
	case TimerRelative:
		ev->period_us = 0;
		break;
	default:
		return EFI_INVALID_PARAMETER;
	}
	ev->trigger_us = clock_us_since_entry() + (us ? us : 1);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_close_event(EFI_EVENT e)
{
	struct efi_event **pp = &events;

	while (*pp && *pp != (struct efi_event *)e)
		pp = &(*pp)->next;
	if (!*pp || (*pp)->magic != EVENT_MAGIC)
		return EFI_INVALID_PARAMETER;
	struct efi_event *ev = *pp;
	*pp = ev->next;
	efi_handle_event_closed(ev); /* its protocol-notify registrations go too */
	ev->magic = 0;
	sysmem_free(ev);
	return EFI_SUCCESS;
}

EFI_TPL EFIAPI efi_raise_tpl(EFI_TPL tpl)
{
	EFI_TPL old = cur_tpl;

	/* Raising to a lower level is a caller bug; keep the higher one. */
	if (tpl > cur_tpl)
		cur_tpl = tpl;
	return old;
}

VOID EFIAPI efi_restore_tpl(EFI_TPL tpl)
{
	if (tpl >= cur_tpl) {
		cur_tpl = tpl;
		return;
	}
	cur_tpl = tpl;
	dispatch_pending();
	efi_poll();
}

EFI_TPL efi_current_tpl(void)
{
	return cur_tpl;
}

void efi_poll_register(void (*fn)(void))
{
	for (size_t i = 0; i < sizeof(poll_hooks) / sizeof(poll_hooks[0]); i++) {
		if (!poll_hooks[i] || poll_hooks[i] == fn) {
			poll_hooks[i] = fn;
			return;
		}
	}
}

void efi_poll(void)
{
	static bool busy;

	if (busy)
		return; /* a notify that waits must not recurse into itself */
	busy = true;
	uint64_t now = clock_us_since_entry();
	for (struct efi_event *ev = events; ev; ev = ev->next) {
		if (!ev->trigger_us || now < ev->trigger_us)
			continue;
		if (ev->period_us) {
			ev->trigger_us += ev->period_us;
			if (ev->trigger_us <= now)
				ev->trigger_us = now + ev->period_us; /* fell behind: skip */
		} else {
			ev->trigger_us = 0;
		}
		signal_one(ev);
	}
	for (size_t i = 0; i < sizeof(poll_hooks) / sizeof(poll_hooks[0]) && poll_hooks[i]; i++)
		poll_hooks[i]();
	dispatch_pending();
	busy = false;
}

void efi_events_forget_code(uint64_t base, uint64_t size)
{
	struct efi_event **pp = &events;

	while (*pp) {
		struct efi_event *ev = *pp;
		uint64_t fn = (uintptr_t)ev->fn;
		if (ev->fn && fn >= base && fn - base < size) {
			*pp = ev->next;
			efi_handle_event_closed(ev);
			ev->magic = 0;
			sysmem_free(ev);
		} else {
			pp = &ev->next;
		}
	}
}
