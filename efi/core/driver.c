/* ConnectController and DisconnectController, UEFI 2.10 s.7.3.12-13.
 *
 * wireboot has no UEFI drivers of its own, but a program may load some
 * (systemd-boot loads \EFI\systemd\drivers and connects every handle):
 * their EFI_DRIVER_BINDING_PROTOCOL instances in the database are run
 * here. Our own stacks open protocols BY_DRIVER with a release hook
 * instead (efi_protocol_open_driver), which Disconnect calls.
 *
 * Every call out (Supported, Start, Stop, a release hook) may change the
 * database, so the work lists are snapshots taken before, and each entry
 * is checked again before it is used. */
#include <string.h>
#include "handle_priv.h"
#include <sysmem.h>

/* The distinct handles recorded in opens of ctrl's protocols that match
 * (agent, attr bit); agent NULL matches any. want_agent picks which field
 * is collected. A pool array (*out) of *n entries; false when short of
 * memory. */
static bool collect(struct efi_object *o, EFI_HANDLE agent, UINT32 bit, bool want_agent,
		    EFI_HANDLE **out, size_t *n)
{
	size_t cap = 0, cnt = 0;

	for (struct efi_iface *pi = o->ifaces; pi; pi = pi->next)
		for (struct efi_open *op = pi->opens; op; op = op->next)
			cap++;
	EFI_HANDLE *list = sysmem_zalloc((cap ? cap : 1) * sizeof(*list));
	if (!list)
		return false;
	for (struct efi_iface *pi = o->ifaces; pi; pi = pi->next) {
		for (struct efi_open *op = pi->opens; op; op = op->next) {
			if (!(op->attr & bit) || (agent && op->agent != agent))
				continue;
			EFI_HANDLE h = want_agent ? op->agent : op->controller;
			size_t i = 0;
			while (i < cnt && list[i] != h)
				i++;
			if (i == cnt)
				list[cnt++] = h;
		}
	}
	*out = list;
	*n = cnt;
	return true;
}

/* The first BY_DRIVER open of agent on ctrl that has a release hook. */
static struct efi_open *hooked_open(struct efi_object *o, EFI_HANDLE agent,
				    struct efi_iface **where)
{
	for (struct efi_iface *pi = o->ifaces; pi; pi = pi->next)
		for (struct efi_open *op = pi->opens; op; op = op->next)
			if (op->agent == agent && (op->attr & EFI_OPEN_PROTOCOL_BY_DRIVER) &&
			    op->release) {
				*where = pi;
				return op;
			}
	return NULL;
}

static bool holds_by_driver(struct efi_object *o, EFI_HANDLE agent)
{
	for (struct efi_iface *pi = o->ifaces; pi; pi = pi->next)
		for (struct efi_open *op = pi->opens; op; op = op->next)
			if (op->agent == agent && (op->attr & EFI_OPEN_PROTOCOL_BY_DRIVER))
				return true;
	return false;
}

/* Make one agent let go of ctrl (or only of child, when given). */
static EFI_STATUS stop_agent(EFI_HANDLE ctrl, EFI_HANDLE agent, EFI_HANDLE child)
{
	struct efi_object *o;
	struct efi_iface *pi;
	struct efi_open *op;

	/* Our own openers: each hooked open is asked in turn and must be
	 * gone afterwards. */
	for (int round = 0; round < RELEASE_ROUNDS; round++) {
		o = efi_obj_lookup(ctrl);
		if (!o || !(op = hooked_open(o, agent, &pi)))
			break;
		efi_release_fn fn = op->release;
		const EFI_GUID *g = pi->guid;
		EFI_STATUS st = fn(ctrl, g, op->release_ctx);
		if (EFI_ERROR(st))
			return st;
		o = efi_obj_lookup(ctrl);
		pi = o ? efi_obj_iface(o, g) : NULL;
		for (op = pi ? pi->opens : NULL; op; op = op->next)
			if (op->agent == agent && (op->attr & EFI_OPEN_PROTOCOL_BY_DRIVER) &&
			    op->release == fn)
				return EFI_DEVICE_ERROR; /* said yes, kept it open */
	}
	o = efi_obj_lookup(ctrl);
	if (!o || !holds_by_driver(o, agent))
		return EFI_SUCCESS;

	/* A program's driver: its Driver Binding's Stop, children first. */
	EFI_DRIVER_BINDING_PROTOCOL *db = efi_protocol_find(agent, &efi_db_guid);
	if (!db)
		return EFI_DEVICE_ERROR;
	EFI_HANDLE *kids;
	size_t n;
	if (!collect(o, agent, EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER, false, &kids, &n))
		return EFI_OUT_OF_RESOURCES;
	bool stop_ctrl = true;
	if (child) {
		size_t i = 0;
		while (i < n && kids[i] != child)
			i++;
		if (i == n) {
			sysmem_free(kids);
			return EFI_SUCCESS; /* not this driver's child */
		}
		stop_ctrl = n == 1;
		kids[0] = child;
		n = 1;
	}
	EFI_STATUS st = EFI_SUCCESS;
	if (n)
		st = db->Stop(db, ctrl, n, kids);
	if (!EFI_ERROR(st) && stop_ctrl)
		st = db->Stop(db, ctrl, 0, NULL);
	sysmem_free(kids);
	return st;
}

EFI_STATUS efi_disconnect(EFI_HANDLE ctrl, EFI_HANDLE agent, EFI_HANDLE child)
{
	struct efi_object *o = efi_obj_lookup(ctrl);
	EFI_HANDLE *agents;
	size_t n;
	EFI_STATUS res = EFI_SUCCESS;

	if (!o)
		return EFI_INVALID_PARAMETER;
	if (!collect(o, agent, EFI_OPEN_PROTOCOL_BY_DRIVER, true, &agents, &n))
		return EFI_OUT_OF_RESOURCES;
	for (size_t i = 0; i < n; i++) {
		EFI_STATUS st = stop_agent(ctrl, agents[i], child);
		if (EFI_ERROR(st) && !EFI_ERROR(res))
			res = st;
	}
	sysmem_free(agents);
	return res;
}

/* A driver binding to try, and whether it has said Supported yet. */
struct candidate {
	EFI_HANDLE handle;
	EFI_DRIVER_BINDING_PROTOCOL *db;
	bool done;
};

/* Candidates: the caller's list first (handles without a Driver Binding
 * skipped), then every other Driver Binding, highest Version first. */
static struct candidate *candidates(EFI_HANDLE *drivers, size_t *count)
{
	size_t all = efi_handles_with(&efi_db_guid, NULL, 0), n = 0, first = 0;
	struct candidate *c = sysmem_zalloc((all ? all : 1) * sizeof(*c));
	EFI_HANDLE *hs = sysmem_zalloc((all ? all : 1) * sizeof(*hs));

	if (!c || !hs) {
		sysmem_free(c);
		sysmem_free(hs);
		return NULL;
	}
	efi_handles_with(&efi_db_guid, hs, all);
	for (size_t i = 0; drivers && i < DRIVER_LIST_MAX && drivers[i]; i++) {
		EFI_DRIVER_BINDING_PROTOCOL *db = efi_protocol_find(drivers[i], &efi_db_guid);
		size_t j = 0;
		while (j < n && c[j].handle != drivers[i])
			j++;
		if (db && j == n && n < all)
			c[n++] = (struct candidate){drivers[i], db, false};
	}
	first = n;
	for (size_t i = 0; i < all; i++) {
		size_t j = 0;
		while (j < first && c[j].handle != hs[i])
			j++;
		if (j < first)
			continue;
		struct candidate k = {hs[i], efi_protocol_find(hs[i], &efi_db_guid), false};
		if (!k.db)
			continue; /* installed with a NULL interface: nothing to call */
		/* Insertion by descending Version, stable among equals. */
		size_t at = n;
		while (at > first && c[at - 1].db->Version < k.db->Version) {
			c[at] = c[at - 1];
			at--;
		}
		c[at] = k;
		n++;
	}
	sysmem_free(hs);
	*count = n;
	return c;
}

EFI_STATUS efi_connect(EFI_HANDLE ctrl, EFI_HANDLE *drivers, EFI_DEVICE_PATH *remaining,
		       bool recursive, int depth)
{
	EFI_STATUS res = EFI_NOT_FOUND;
	size_t n = 0;

	if (!efi_obj_lookup(ctrl))
		return EFI_INVALID_PARAMETER;
	struct candidate *c = candidates(drivers, &n);
	if (!c)
		return EFI_OUT_OF_RESOURCES;
	/* s.7.3.12: after each successful Start the search starts over (a new
	 * driver may now support the controller); a driver that said Supported
	 * is not asked again. Each round retires one candidate, so this ends. */
	bool started;
	do {
		started = false;
		for (size_t i = 0; i < n && !started; i++) {
			if (c[i].done || efi_protocol_find(c[i].handle, &efi_db_guid) != c[i].db)
				continue;
			if (!efi_obj_lookup(ctrl))
				goto out;
			EFI_DRIVER_BINDING_PROTOCOL *db = c[i].db;
			if (EFI_ERROR(db->Supported(db, ctrl, remaining)))
				continue;
			c[i].done = true;
			res = EFI_SUCCESS;
			if (!EFI_ERROR(db->Start(db, ctrl, remaining)))
				started = true;
		}
	} while (started);
out:
	sysmem_free(c);

	struct efi_object *o = efi_obj_lookup(ctrl);
	EFI_HANDLE *kids;
	size_t nk;
	if (!recursive || depth >= CONNECT_DEPTH || !o ||
	    !collect(o, NULL, EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER, false, &kids, &nk))
		return res;
	for (size_t i = 0; i < nk; i++)
		if (efi_obj_lookup(kids[i]))
			efi_connect(kids[i], NULL, NULL, true, depth + 1);
	sysmem_free(kids);
	return res;
}

EFI_STATUS EFIAPI efi_connect_controller(EFI_HANDLE ControllerHandle, EFI_HANDLE *DriverImageHandle,
					 EFI_DEVICE_PATH *RemainingDevicePath, BOOLEAN Recursive)
{
	if (!efi_obj_lookup(ControllerHandle))
		return EFI_INVALID_PARAMETER;
	return efi_connect(ControllerHandle, DriverImageHandle, RemainingDevicePath, Recursive, 0);
}

EFI_STATUS EFIAPI efi_disconnect_controller(EFI_HANDLE ControllerHandle,
					    EFI_HANDLE DriverImageHandle, EFI_HANDLE ChildHandle)
{
	if (!efi_obj_lookup(ControllerHandle) ||
	    (DriverImageHandle && !efi_obj_lookup(DriverImageHandle)) ||
	    (ChildHandle && !efi_obj_lookup(ChildHandle)))
		return EFI_INVALID_PARAMETER;
	return efi_disconnect(ControllerHandle, DriverImageHandle, ChildHandle);
}
