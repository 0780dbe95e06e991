/* The UEFI handle/protocol database, UEFI 2.10 s.7.3: handles, their
 * protocol interfaces and who has each one open, RegisterProtocolNotify
 * queues. The search services are in handle_locate.c, Connect/Disconnect
 * in driver.c; the EFIAPI entry points of this file's services are at its
 * end.
 *
 * Nothing a caller passes is dereferenced before it is found in our own
 * lists. Foreign code (release hooks, Driver Binding functions, event
 * notifications) may change the database under us, so after every such
 * call the objects are looked up again, never reused. */
#include <string.h>
#include "handle_priv.h"
#include <efi_devpath.h>
#include <efi_event.h>
#include <sysmem.h>

struct efi_object *efi_objects;
struct notify_reg *efi_notify_regs;
const EFI_GUID efi_dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
const EFI_GUID efi_db_guid = EFI_DRIVER_BINDING_PROTOCOL_GUID;

/* Every GUID ever installed, kept for good: ProtocolsPerHandle hands out
 * pointers to these, which must outlive the protocol. */
struct guid_node {
	EFI_GUID guid;
	struct guid_node *next;
};
static struct guid_node *guids;
static int notify_defer;

bool efi_guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

struct efi_object *efi_obj_lookup(EFI_HANDLE h)
{
	if (!h)
		return NULL;
	for (struct efi_object *o = efi_objects; o; o = o->next)
		if ((EFI_HANDLE)o == h)
			return o->magic == HANDLE_MAGIC ? o : NULL;
	return NULL;
}

struct efi_iface *efi_obj_iface(struct efi_object *o, const EFI_GUID *g)
{
	for (struct efi_iface *pi = o->ifaces; pi; pi = pi->next)
		if (efi_guid_eq(pi->guid, g))
			return pi;
	return NULL;
}

/* The stored copy of g, made on first sight; NULL when memory is short. */
static const EFI_GUID *intern(const EFI_GUID *g)
{
	for (struct guid_node *n = guids; n; n = n->next)
		if (efi_guid_eq(&n->guid, g))
			return &n->guid;
	struct guid_node *n = sysmem_zalloc(sizeof(*n));
	if (!n)
		return NULL;
	n->guid = *g;
	n->next = guids;
	guids = n;
	return &n->guid;
}

bool efi_handle_valid(EFI_HANDLE h)
{
	return efi_obj_lookup(h) != NULL;
}

void *efi_protocol_find(EFI_HANDLE h, const EFI_GUID *g)
{
	struct efi_object *o = efi_obj_lookup(h);
	struct efi_iface *pi = o && g ? efi_obj_iface(o, g) : NULL;

	return pi ? pi->iface : NULL;
}

bool efi_protocol_has(EFI_HANDLE h, const EFI_GUID *g)
{
	struct efi_object *o = efi_obj_lookup(h);

	return o && g && efi_obj_iface(o, g);
}

size_t efi_handles_with(const EFI_GUID *g, EFI_HANDLE *out, size_t cap)
{
	size_t n = 0;

	for (struct efi_object *o = efi_objects; o; o = o->next) {
		if (!o->ifaces || (g && !efi_obj_iface(o, g)))
			continue;
		if (n < cap)
			out[n] = o;
		n++;
	}
	return n;
}

/* Free a handle that has no protocol left, unless a multiple-protocol
 * service holds it; its place in notify queues goes with it. */
void efi_obj_maybe_free(struct efi_object *o)
{
	if (o->ifaces || o->hold)
		return;
	struct efi_object **pp = &efi_objects;
	while (*pp != o)
		pp = &(*pp)->next;
	*pp = o->next;
	for (struct notify_reg *r = efi_notify_regs; r; r = r->next) {
		struct queued **qp = &r->queue;
		while (*qp) {
			struct queued *q = *qp;
			if (q->obj == o) {
				*qp = q->next;
				sysmem_free(q);
			} else {
				qp = &q->next;
			}
		}
	}
	o->magic = 0;
	sysmem_free(o);
}

static void free_iface(struct efi_iface *pi)
{
	while (pi->opens) {
		struct efi_open *op = pi->opens;
		pi->opens = op->next;
		sysmem_free(op);
	}
	sysmem_free(pi);
}

/* Unlink and free o's interface pi (opens included). */
static void remove_iface(struct efi_object *o, struct efi_iface *pi)
{
	struct efi_iface **pp = &o->ifaces;

	while (*pp != pi)
		pp = &(*pp)->next;
	*pp = pi->next;
	free_iface(pi);
}

/* Queue o on every registration for g and mark them to be signalled. */
static void notify_mark(struct efi_object *o, const EFI_GUID *g)
{
	for (struct notify_reg *r = efi_notify_regs; r; r = r->next) {
		if (r->guid != g) /* both interned */
			continue;
		r->pending = true;
		struct queued **qp = &r->queue;
		while (*qp && (*qp)->obj != o)
			qp = &(*qp)->next;
		if (*qp)
			continue; /* already waiting to be found */
		struct queued *q = sysmem_zalloc(sizeof(*q));
		if (q) {
			q->obj = o;
			*qp = q;
		}
	}
}

/* Signal the marked registrations' events, one at a time, looking the list
 * up afresh each time: a notification may register or close events. */
static void notify_flush(void)
{
	if (notify_defer)
		return;
	for (;;) {
		struct notify_reg *r = efi_notify_regs;
		while (r && !r->pending)
			r = r->next;
		if (!r)
			return;
		r->pending = false;
		efi_signal_event(r->event);
	}
}

struct efi_object *efi_queue_peek(struct notify_reg *r)
{
	/* Entries whose handle lost the protocol since are dropped here. */
	while (r->queue) {
		struct queued *q = r->queue;
		if (efi_obj_iface(q->obj, r->guid))
			return q->obj;
		r->queue = q->next;
		sysmem_free(q);
	}
	return NULL;
}

void efi_queue_pop(struct notify_reg *r)
{
	struct queued *q = r->queue;

	if (q) {
		r->queue = q->next;
		sysmem_free(q);
	}
}

struct notify_reg *efi_notify_lookup(const void *key)
{
	if (!key)
		return NULL;
	for (struct notify_reg *r = efi_notify_regs; r; r = r->next)
		if (r == key)
			return r->magic == NOTIFY_MAGIC ? r : NULL;
	return NULL;
}

EFI_STATUS efi_notify_register(const EFI_GUID *g, EFI_EVENT event, void **registration)
{
	const EFI_GUID *ig = intern(g);
	struct notify_reg *r = ig ? sysmem_zalloc(sizeof(*r)) : NULL;

	if (!r)
		return EFI_OUT_OF_RESOURCES;
	r->magic = NOTIFY_MAGIC;
	r->guid = ig;
	r->event = event;
	struct notify_reg **pp = &efi_notify_regs;
	while (*pp)
		pp = &(*pp)->next;
	*pp = r;
	*registration = r;
	return EFI_SUCCESS;
}

void efi_handle_event_closed(EFI_EVENT event)
{
	struct notify_reg **pp = &efi_notify_regs;

	while (*pp) {
		struct notify_reg *r = *pp;
		if (r->event != event) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		while (r->queue)
			efi_queue_pop(r);
		r->magic = 0;
		sysmem_free(r);
	}
}

EFI_STATUS efi_protocol_install(EFI_HANDLE *handle, const EFI_GUID *g, void *iface)
{
	struct efi_object *o = NULL;

	if (!handle || !g)
		return EFI_INVALID_PARAMETER;
	if (*handle) {
		o = efi_obj_lookup(*handle);
		if (!o || efi_obj_iface(o, g))
			return EFI_INVALID_PARAMETER;
	}
	const EFI_GUID *ig = intern(g);
	struct efi_iface *pi = ig ? sysmem_zalloc(sizeof(*pi)) : NULL;
	if (!pi)
		return EFI_OUT_OF_RESOURCES;
	if (!o) {
		o = sysmem_zalloc(sizeof(*o));
		if (!o) {
			sysmem_free(pi);
			return EFI_OUT_OF_RESOURCES;
		}
		o->magic = HANDLE_MAGIC;
		struct efi_object **pp = &efi_objects;
		while (*pp)
			pp = &(*pp)->next;
		*pp = o;
	}
	pi->guid = ig;
	pi->iface = iface;
	struct efi_iface **pp = &o->ifaces;
	while (*pp)
		pp = &(*pp)->next;
	*pp = pi;
	*handle = o;
	notify_mark(o, ig);
	notify_flush();
	return EFI_SUCCESS;
}

/* Ask every BY_DRIVER user of (h, g) to let go, then drop the
 * BY_HANDLE/GET/TEST opens; EFI_ACCESS_DENIED (drivers reconnected) if
 * anything still has it open. UEFI 2.10 s.7.3.3. */
static EFI_STATUS release_users(EFI_HANDLE h, const EFI_GUID *g)
{
	bool asked = false;
	EFI_STATUS st = EFI_DEVICE_ERROR;

	for (int round = 0; round < RELEASE_ROUNDS; round++) {
		struct efi_object *o = efi_obj_lookup(h);
		struct efi_iface *pi = o ? efi_obj_iface(o, g) : NULL;
		struct efi_open *op = pi ? pi->opens : NULL;
		while (op && !(op->attr & EFI_OPEN_PROTOCOL_BY_DRIVER))
			op = op->next;
		if (!op) {
			st = EFI_SUCCESS;
			break;
		}
		asked = true;
		st = efi_disconnect(h, op->agent, NULL);
		if (EFI_ERROR(st))
			break;
	}
	struct efi_object *o = efi_obj_lookup(h);
	struct efi_iface *pi = o ? efi_obj_iface(o, g) : NULL;
	if (!EFI_ERROR(st) && pi) {
		const UINT32 passive = EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL |
				       EFI_OPEN_PROTOCOL_GET_PROTOCOL |
				       EFI_OPEN_PROTOCOL_TEST_PROTOCOL;
		struct efi_open **pp = &pi->opens;
		while (*pp) {
			struct efi_open *op = *pp;
			if (op->attr & passive) {
				*pp = op->next;
				sysmem_free(op);
			} else {
				pp = &op->next;
			}
		}
		if (pi->opens)
			st = EFI_ACCESS_DENIED;
	}
	if (EFI_ERROR(st)) {
		if (asked)
			efi_connect(h, NULL, NULL, true, 0);
		return EFI_ACCESS_DENIED;
	}
	return EFI_SUCCESS;
}

/* Ask everyone who opened interface iface of g on h BY_DRIVER to let go
 * (s.7.3.3/s.7.3.4, before it goes or changes). *po and *ppi are where it
 * stands afterwards: *ppi is NULL when a release hook removed it. */
static EFI_STATUS release_iface(EFI_HANDLE h, const EFI_GUID *g, void *iface,
				struct efi_object **po, struct efi_iface **ppi)
{
	struct efi_object *o = efi_obj_lookup(h);
	struct efi_iface *pi;

	if (!o || !g)
		return EFI_INVALID_PARAMETER;
	pi = efi_obj_iface(o, g);
	if (!pi || pi->iface != iface)
		return EFI_NOT_FOUND;
	EFI_STATUS st = release_users(h, g);
	if (EFI_ERROR(st))
		return st;
	*po = efi_obj_lookup(h);
	*ppi = *po ? efi_obj_iface(*po, g) : NULL;
	return EFI_SUCCESS;
}

EFI_STATUS efi_protocol_uninstall(EFI_HANDLE h, const EFI_GUID *g, void *iface)
{
	struct efi_object *o;
	struct efi_iface *pi;
	EFI_STATUS st = release_iface(h, g, iface, &o, &pi);

	if (EFI_ERROR(st))
		return st;
	if (!pi)
		return EFI_SUCCESS; /* a release hook removed it: the job is done */
	if (pi->iface != iface)
		return EFI_NOT_FOUND;
	remove_iface(o, pi);
	efi_obj_maybe_free(o);
	return EFI_SUCCESS;
}

EFI_STATUS efi_protocol_reinstall(EFI_HANDLE h, const EFI_GUID *g, void *old, void *new_iface)
{
	struct efi_object *o;
	struct efi_iface *pi;
	EFI_STATUS st = release_iface(h, g, old, &o, &pi);

	if (EFI_ERROR(st))
		return st;
	if (!pi || pi->iface != old)
		return EFI_NOT_FOUND;
	pi->iface = new_iface;
	notify_mark(o, pi->guid);
	notify_flush();
	/* s.7.3.4: drivers get the chance to bind to the new interface. */
	efi_connect(h, NULL, NULL, true, 0);
	return EFI_SUCCESS;
}

EFI_STATUS efi_protocol_open(EFI_HANDLE h, const EFI_GUID *g, void **iface, EFI_HANDLE agent,
			     EFI_HANDLE ctrl, UINT32 attr, efi_release_fn release, void *ctx)
{
	const UINT32 by_driver = EFI_OPEN_PROTOCOL_BY_DRIVER, excl = EFI_OPEN_PROTOCOL_EXCLUSIVE;
	const bool test = attr == EFI_OPEN_PROTOCOL_TEST_PROTOCOL;
	struct efi_object *o = efi_obj_lookup(h);
	struct efi_iface *pi;
	struct efi_open *op;
	EFI_STATUS st;

	if (!g || (!test && !iface) || !o)
		return EFI_INVALID_PARAMETER;
	switch (attr) {
	case EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER:
		if (!efi_obj_lookup(agent) || !efi_obj_lookup(ctrl) || ctrl == h)
			return EFI_INVALID_PARAMETER;
		break;
	case EFI_OPEN_PROTOCOL_BY_DRIVER:
	case EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE:
		if (!efi_obj_lookup(agent) || !efi_obj_lookup(ctrl))
			return EFI_INVALID_PARAMETER;
		break;
	case EFI_OPEN_PROTOCOL_EXCLUSIVE:
		if (!efi_obj_lookup(agent))
			return EFI_INVALID_PARAMETER;
		break;
	case EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL:
	case EFI_OPEN_PROTOCOL_GET_PROTOCOL:
	case EFI_OPEN_PROTOCOL_TEST_PROTOCOL:
		break;
	default:
		return EFI_INVALID_PARAMETER;
	}
	pi = efi_obj_iface(o, g);
	if (!pi) {
		if (!test)
			*iface = NULL;
		return EFI_UNSUPPORTED;
	}
	/* s.7.3.9: the rules against what is open already. */
	bool driver_open = false, excl_open = false;
	for (op = pi->opens; op; op = op->next) {
		bool same = op->agent == agent && op->controller == ctrl && op->attr == attr;
		if (op->attr & by_driver) {
			driver_open = true;
			if (same) {
				st = EFI_ALREADY_STARTED;
				goto out;
			}
		}
		if (op->attr & excl) {
			excl_open = true;
		} else if (same) {
			op->count++;
			st = EFI_SUCCESS;
			goto out;
		}
	}
	if (attr == by_driver && (excl_open || driver_open))
		return EFI_ACCESS_DENIED;
	if (attr & excl) {
		if (excl_open)
			return EFI_ACCESS_DENIED;
		if (driver_open) {
			/* An exclusive opener makes the drivers let go. */
			for (int round = 0; round < RELEASE_ROUNDS; round++) {
				o = efi_obj_lookup(h);
				pi = o ? efi_obj_iface(o, g) : NULL;
				if (!pi) {
					if (!test)
						*iface = NULL;
					return EFI_UNSUPPORTED;
				}
				for (op = pi->opens; op && !(op->attr & by_driver); op = op->next)
					;
				if (!op)
					break;
				if (EFI_ERROR(efi_disconnect(h, op->agent, NULL)) ||
				    round == RELEASE_ROUNDS - 1)
					return EFI_ACCESS_DENIED;
			}
		}
	}
	st = EFI_SUCCESS;
	if (agent) {
		op = sysmem_zalloc(sizeof(*op));
		if (!op)
			return EFI_OUT_OF_RESOURCES;
		op->agent = agent;
		op->controller = ctrl;
		op->attr = attr;
		op->count = 1;
		op->release = release;
		op->release_ctx = ctx;
		struct efi_open **pp = &pi->opens;
		while (*pp)
			pp = &(*pp)->next;
		*pp = op;
	}
out:
	if (!test)
		*iface = pi->iface;
	return st;
}

EFI_STATUS efi_protocol_open_driver(EFI_HANDLE controller, const EFI_GUID *g, EFI_HANDLE agent,
				    void **iface, efi_release_fn release, void *ctx)
{
	return efi_protocol_open(controller, g, iface, agent, controller,
				 EFI_OPEN_PROTOCOL_BY_DRIVER, release, ctx);
}

EFI_STATUS efi_protocol_close(EFI_HANDLE h, const EFI_GUID *g, EFI_HANDLE agent, EFI_HANDLE ctrl)
{
	struct efi_object *o = efi_obj_lookup(h);
	struct efi_iface *pi;
	bool found = false;

	if (!o || !g || !efi_obj_lookup(agent) || (ctrl && !efi_obj_lookup(ctrl)))
		return EFI_INVALID_PARAMETER;
	pi = efi_obj_iface(o, g);
	if (!pi)
		return EFI_NOT_FOUND;
	struct efi_open **pp = &pi->opens;
	while (*pp) {
		struct efi_open *op = *pp;
		if (op->agent == agent && op->controller == ctrl) {
			*pp = op->next;
			sysmem_free(op);
			found = true;
		} else {
			pp = &op->next;
		}
	}
	return found ? EFI_SUCCESS : EFI_NOT_FOUND;
}

void efi_handle_forget_agent(EFI_HANDLE agent)
{
	if (!agent)
		return;
	for (struct efi_object *o = efi_objects; o; o = o->next) {
		for (struct efi_iface *pi = o->ifaces; pi; pi = pi->next) {
			struct efi_open **pp = &pi->opens;
			while (*pp) {
				struct efi_open *op = *pp;
				if (op->agent == agent || op->controller == agent) {
					*pp = op->next;
					sysmem_free(op);
				} else {
					pp = &op->next;
				}
			}
		}
	}
}

/* Any device path among the pairs already on a handle? s.7.3.16 */
static bool dp_exists(void *dp)
{
	EFI_DEVICE_PATH *rest = dp;
	EFI_HANDLE h;

	return !EFI_ERROR(efi_locate_device_path(&efi_dp_guid, &rest, &h)) &&
	       efi_dp_is_end_entire(rest);
}

EFI_STATUS efi_protocol_install_multiple(EFI_HANDLE *handle, const struct efi_pair *pairs, size_t n)
{
	EFI_HANDLE old;
	struct efi_object *held = NULL;
	EFI_STATUS st = EFI_SUCCESS;
	size_t i;

	if (!handle)
		return EFI_INVALID_PARAMETER;
	old = *handle;
	if (old && !efi_obj_lookup(old))
		return EFI_INVALID_PARAMETER;
	/* All or nothing, and no notification runs before the outcome is
	 * known: a failure removes every interface this call installed. */
	notify_defer++;
	for (i = 0; i < n; i++) {
		if (efi_guid_eq(pairs[i].guid, &efi_dp_guid) && dp_exists(pairs[i].iface)) {
			st = EFI_ALREADY_STARTED;
			break;
		}
		st = efi_protocol_install(handle, pairs[i].guid, pairs[i].iface);
		if (EFI_ERROR(st))
			break;
		if (!held) {
			held = efi_obj_lookup(*handle);
			held->hold++;
		}
	}
	if (EFI_ERROR(st)) {
		while (i--)
			remove_iface(held, efi_obj_iface(held, pairs[i].guid));
		*handle = old;
	}
	if (held) {
		held->hold--;
		efi_obj_maybe_free(held);
	}
	notify_defer--;
	notify_flush();
	return st;
}

EFI_STATUS efi_protocol_uninstall_multiple(EFI_HANDLE h, const struct efi_pair *pairs, size_t n)
{
	struct efi_object *o = efi_obj_lookup(h);
	EFI_STATUS st = EFI_SUCCESS;
	size_t i;

	if (!o)
		return EFI_INVALID_PARAMETER;
	for (i = 0; i < n; i++) {
		struct efi_iface *pi = efi_obj_iface(o, pairs[i].guid);
		if (!pi || pi->iface != pairs[i].iface)
			return EFI_INVALID_PARAMETER;
	}
	o->hold++; /* the handle stays, even empty, until this call is done */
	for (i = 0; i < n; i++) {
		st = efi_protocol_uninstall(h, pairs[i].guid, pairs[i].iface);
		if (EFI_ERROR(st))
			break;
	}
	if (EFI_ERROR(st)) {
		/* s.7.3.17: put back what was removed. */
		for (size_t j = 0; j < i; j++) {
			EFI_HANDLE same = h;
			efi_protocol_install(&same, pairs[j].guid, pairs[j].iface);
		}
		st = EFI_INVALID_PARAMETER;
	}
	o->hold--;
	efi_obj_maybe_free(o);
	return st;
}

/* EFIAPI entry points: argument checks, then the internal functions. */

EFI_STATUS EFIAPI efi_install_protocol_interface(EFI_HANDLE *Handle, EFI_GUID *Protocol,
						 EFI_INTERFACE_TYPE InterfaceType, VOID *Interface)
{
	if (InterfaceType != EFI_NATIVE_INTERFACE)
		return EFI_INVALID_PARAMETER;
	return efi_protocol_install(Handle, Protocol, Interface);
}

EFI_STATUS EFIAPI efi_uninstall_protocol_interface(EFI_HANDLE Handle, EFI_GUID *Protocol,
						   VOID *Interface)
{
	return efi_protocol_uninstall(Handle, Protocol, Interface);
}

EFI_STATUS EFIAPI efi_reinstall_protocol_interface(EFI_HANDLE Handle, EFI_GUID *Protocol,
						   VOID *OldInterface, VOID *NewInterface)
{
	return efi_protocol_reinstall(Handle, Protocol, OldInterface, NewInterface);
}

/* Read the (GUID, interface) pairs of a variadic ms_abi call up to the
 * NULL GUID; more than MULTI_MAX pairs is refused. */
#define COLLECT_PAIRS(last, pairs, n, too_many)                                                    \
	do {                                                                                       \
		__builtin_ms_va_list ap;                                                           \
		__builtin_ms_va_start(ap, last);                                                   \
		for (n = 0;; n++) {                                                                \
			EFI_GUID *g_ = __builtin_va_arg(ap, EFI_GUID *);                           \
			if (!g_)                                                                   \
				break;                                                             \
			if (n == MULTI_MAX) {                                                      \
				too_many = true;                                                   \
				break;                                                             \
			}                                                                          \
			pairs[n].guid = g_;                                                        \
			pairs[n].iface = __builtin_va_arg(ap, void *);                             \
		}                                                                                  \
		__builtin_ms_va_end(ap);                                                           \
	} while (0)

EFI_STATUS EFIAPI efi_install_multiple_protocol_interfaces(EFI_HANDLE *Handle, ...)
{
	struct efi_pair pairs[MULTI_MAX];
	size_t n;
	bool too_many = false;

	if (!Handle)
		return EFI_INVALID_PARAMETER;
	COLLECT_PAIRS(Handle, pairs, n, too_many);
	if (too_many)
		return EFI_INVALID_PARAMETER;
	return efi_protocol_install_multiple(Handle, pairs, n);
}

EFI_STATUS EFIAPI efi_uninstall_multiple_protocol_interfaces(EFI_HANDLE Handle, ...)
{
	struct efi_pair pairs[MULTI_MAX];
	size_t n;
	bool too_many = false;

	if (!efi_obj_lookup(Handle))
		return EFI_INVALID_PARAMETER;
	COLLECT_PAIRS(Handle, pairs, n, too_many);
	if (too_many)
		return EFI_INVALID_PARAMETER;
	return efi_protocol_uninstall_multiple(Handle, pairs, n);
}

EFI_STATUS EFIAPI efi_handle_protocol(EFI_HANDLE Handle, EFI_GUID *Protocol, VOID **Interface)
{
	return efi_protocol_open(Handle, Protocol, Interface, NULL, NULL,
				 EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL, NULL, NULL);
}

EFI_STATUS EFIAPI efi_open_protocol(EFI_HANDLE Handle, EFI_GUID *Protocol, VOID **Interface,
				    EFI_HANDLE AgentHandle, EFI_HANDLE ControllerHandle,
				    UINT32 Attributes)
{
	return efi_protocol_open(Handle, Protocol, Interface, AgentHandle, ControllerHandle,
				 Attributes, NULL, NULL);
}

EFI_STATUS EFIAPI efi_close_protocol(EFI_HANDLE Handle, EFI_GUID *Protocol, EFI_HANDLE AgentHandle,
				     EFI_HANDLE ControllerHandle)
{
	return efi_protocol_close(Handle, Protocol, AgentHandle, ControllerHandle);
}

void efi_handle_fill_boot_services(EFI_BOOT_SERVICES *bs)
{
	bs->InstallProtocolInterface = efi_install_protocol_interface;
	bs->ReinstallProtocolInterface = efi_reinstall_protocol_interface;
	bs->UninstallProtocolInterface = efi_uninstall_protocol_interface;
	bs->HandleProtocol = efi_handle_protocol;
	bs->RegisterProtocolNotify = efi_register_protocol_notify;
	bs->LocateHandle = efi_locate_handle;
	bs->LocateDevicePath = efi_locate_device_path_api;
	bs->ConnectController = efi_connect_controller;
	bs->DisconnectController = efi_disconnect_controller;
	bs->OpenProtocol = efi_open_protocol;
	bs->CloseProtocol = efi_close_protocol;
	bs->OpenProtocolInformation = efi_open_protocol_information;
	bs->ProtocolsPerHandle = efi_protocols_per_handle;
	bs->LocateHandleBuffer = efi_locate_handle_buffer;
	bs->LocateProtocol = efi_locate_protocol;
	bs->InstallMultipleProtocolInterfaces = efi_install_multiple_protocol_interfaces;
	bs->UninstallMultipleProtocolInterfaces = efi_uninstall_multiple_protocol_interfaces;
}
