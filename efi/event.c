/* UEFI events. Single-threaded and without interrupts, so a notification
 * "queued at its TPL" runs at once: nothing else can run in between. */
#include <stdbool.h>
#include <efi_event.h>
#include <sysmem.h>

#define EVENT_MAGIC 0x45564e54u /* "EVNT" */

struct efi_event {
	uint32_t magic;
	UINT32 type;
	EFI_TPL tpl;
	EFI_EVENT_NOTIFY fn;
	VOID *ctx;
	bool signaled;
	struct efi_event *next;
};

static struct efi_event *events;

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

EFI_STATUS EFIAPI efi_create_event(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, VOID *ctx,
				   EFI_EVENT *event)
{
	const UINT32 known = EVT_TIMER | EVT_RUNTIME | EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL;

	if (!event)
		return EFI_INVALID_PARAMETER;
	if (type == EVT_SIGNAL_EXIT_BOOT_SERVICES || type == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE) {
		/* Special signal types: allowed as they are. */
	} else if (type & ~known) {
		return EFI_INVALID_PARAMETER;
	}
	bool wait = type & EVT_NOTIFY_WAIT, sig = type & EVT_NOTIFY_SIGNAL;
	if (wait && sig)
		return EFI_INVALID_PARAMETER;
	if ((wait || sig) && (!fn || !tpl_valid(tpl)))
		return EFI_INVALID_PARAMETER;
	struct efi_event *ev = sysmem_zalloc(sizeof(*ev));
	if (!ev)
		return EFI_OUT_OF_RESOURCES;
	ev->magic = EVENT_MAGIC;
	ev->type = type;
	ev->tpl = tpl;
	ev->fn = (wait || sig) ? fn : NULL;
	ev->ctx = ctx;
	ev->next = events;
	events = ev;
	*event = ev;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT e)
{
	struct efi_event *ev = lookup(e);

	if (!ev)
		return EFI_INVALID_PARAMETER;
	if (ev->signaled)
		return EFI_SUCCESS;
	ev->signaled = true;
	if (ev->type & EVT_NOTIFY_SIGNAL) {
		/* Signal-type events are cleared once notified; wait-type events
		 * stay signaled until CheckEvent or WaitForEvent sees them. */
		ev->signaled = false;
		ev->fn(ev, ev->ctx);
	}
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_check_event(EFI_EVENT e)
{
	struct efi_event *ev = lookup(e);

	if (!ev || (ev->type & EVT_NOTIFY_SIGNAL))
		return EFI_INVALID_PARAMETER;
	if (!ev->signaled && ev->fn)
		ev->fn(ev, ev->ctx); /* a wait event's notify may signal it */
	if (ev->signaled) {
		ev->signaled = false;
		return EFI_SUCCESS;
	}
	return EFI_NOT_READY;
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
	ev->magic = 0;
	sysmem_free(ev);
	return EFI_SUCCESS;
}
