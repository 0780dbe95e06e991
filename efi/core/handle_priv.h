/* The handle database's own structures, shared by efi/core/handle.c,
 * handle_locate.c and driver.c only. Everyone else uses efi_handle.h. */
#ifndef WB_EFI_HANDLE_PRIV_H
#define WB_EFI_HANDLE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <efi_handle.h>

#define HANDLE_MAGIC 0x4c444e48u /* "HNDL" */
#define NOTIFY_MAGIC 0x46544f4eu /* "NOTF" */
/* Pairs one (Un)InstallMultipleProtocolInterfaces call may carry. */
#define MULTI_MAX 32
/* Bounds on loops that call foreign code which could undo our progress. */
#define RELEASE_ROUNDS 64
#define CONNECT_DEPTH  8
/* Entries of a DriverImageHandle list read at most. */
#define DRIVER_LIST_MAX 64

/* One OpenProtocol record: who (agent) opened it for which controller. */
struct efi_open {
	struct efi_open *next;
	EFI_HANDLE agent, controller;
	UINT32 attr, count;
	efi_release_fn release; /* our own BY_DRIVER openers only */
	void *release_ctx;
};

/* One protocol on a handle. guid points at an interned copy. */
struct efi_iface {
	struct efi_iface *next;
	const EFI_GUID *guid;
	void *iface;
	struct efi_open *opens;
};

/* What an EFI_HANDLE points at. */
struct efi_object {
	uint32_t magic;
	unsigned hold; /* > 0: kept even with no protocol (multiple services) */
	struct efi_object *next;
	struct efi_iface *ifaces;
};

/* Handles a registration has not reported yet, oldest first. */
struct queued {
	struct queued *next;
	struct efi_object *obj;
};

/* A RegisterProtocolNotify registration (the Registration key). */
struct notify_reg {
	uint32_t magic;
	bool pending; /* its event is to be signalled */
	struct notify_reg *next;
	const EFI_GUID *guid; /* interned */
	EFI_EVENT event;
	struct queued *queue;
};

struct efi_pair {
	const EFI_GUID *guid;
	void *iface;
};

extern struct efi_object *efi_objects; /* creation order */
extern struct notify_reg *efi_notify_regs;
extern const EFI_GUID efi_dp_guid, efi_db_guid;

bool efi_guid_eq(const EFI_GUID *a, const EFI_GUID *b);
/* The object behind h if h is one of ours, else NULL. */
struct efi_object *efi_obj_lookup(EFI_HANDLE h);
struct efi_iface *efi_obj_iface(struct efi_object *o, const EFI_GUID *g);
void efi_obj_maybe_free(struct efi_object *o);

struct notify_reg *efi_notify_lookup(const void *key);
EFI_STATUS efi_notify_register(const EFI_GUID *g, EFI_EVENT event, void **registration);
/* The oldest handle still holding the registration's protocol, or NULL. */
struct efi_object *efi_queue_peek(struct notify_reg *r);
void efi_queue_pop(struct notify_reg *r);

EFI_STATUS efi_protocol_open(EFI_HANDLE h, const EFI_GUID *g, void **iface, EFI_HANDLE agent,
			     EFI_HANDLE ctrl, UINT32 attr, efi_release_fn release, void *ctx);
EFI_STATUS efi_protocol_install_multiple(EFI_HANDLE *handle, const struct efi_pair *pairs,
					 size_t n);
EFI_STATUS efi_protocol_uninstall_multiple(EFI_HANDLE h, const struct efi_pair *pairs, size_t n);

/* driver.c: ConnectController and DisconnectController without the
 * argument checks of the EFIAPI forms. */
EFI_STATUS efi_connect(EFI_HANDLE ctrl, EFI_HANDLE *drivers, EFI_DEVICE_PATH *remaining,
		       bool recursive, int depth);
EFI_STATUS efi_disconnect(EFI_HANDLE ctrl, EFI_HANDLE agent, EFI_HANDLE child);

#endif
