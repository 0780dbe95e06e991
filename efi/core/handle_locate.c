/* Searching the handle database, UEFI 2.10 s.7.3: LocateHandle(Buffer),
 * LocateProtocol, LocateDevicePath, RegisterProtocolNotify,
 * OpenProtocolInformation, ProtocolsPerHandle. Returned buffers are pool
 * memory (sysmem_zalloc), which the program frees with FreePool. */
#include <string.h>
#include "handle_priv.h"
#include <efi_devpath.h>
#include <sysmem.h>

/* s.7.3.6: up to *size bytes of handles; *size set to what is needed. */
static EFI_STATUS locate(EFI_LOCATE_SEARCH_TYPE type, const EFI_GUID *g, void *key, UINTN *size,
			 EFI_HANDLE *buf)
{
	struct notify_reg *r = NULL;
	struct efi_object *next = NULL;
	size_t n;

	if (!size || (*size && !buf))
		return EFI_INVALID_PARAMETER;
	switch (type) {
	case AllHandles:
		n = efi_handles_with(NULL, NULL, 0);
		break;
	case ByProtocol:
		if (!g)
			return EFI_INVALID_PARAMETER;
		n = efi_handles_with(g, NULL, 0);
		break;
	case ByRegisterNotify:
		/* One handle per call: the oldest this registration has not
		 * reported yet. */
		r = efi_notify_lookup(key);
		if (!r)
			return EFI_INVALID_PARAMETER;
		next = efi_queue_peek(r);
		n = next ? 1 : 0;
		break;
	default:
		return EFI_INVALID_PARAMETER;
	}
	if (!n) {
		*size = 0;
		return EFI_NOT_FOUND;
	}
	if (*size < n * sizeof(EFI_HANDLE)) {
		*size = n * sizeof(EFI_HANDLE);
		return EFI_BUFFER_TOO_SMALL;
	}
	*size = n * sizeof(EFI_HANDLE);
	if (r) {
		buf[0] = next;
		efi_queue_pop(r); /* reported only once it was delivered */
	} else {
		efi_handles_with(type == ByProtocol ? g : NULL, buf, n);
	}
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_locate_handle(EFI_LOCATE_SEARCH_TYPE SearchType, EFI_GUID *Protocol,
				    VOID *SearchKey, UINTN *BufferSize, EFI_HANDLE *Buffer)
{
	return locate(SearchType, Protocol, SearchKey, BufferSize, Buffer);
}

EFI_STATUS EFIAPI efi_locate_handle_buffer(EFI_LOCATE_SEARCH_TYPE SearchType, EFI_GUID *Protocol,
					   VOID *SearchKey, UINTN *NoHandles, EFI_HANDLE **Buffer)
{
	UINTN size = 0;
	EFI_STATUS st;

	if (!NoHandles || !Buffer)
		return EFI_INVALID_PARAMETER;
	*NoHandles = 0;
	*Buffer = NULL;
	st = locate(SearchType, Protocol, SearchKey, &size, NULL);
	if (st != EFI_BUFFER_TOO_SMALL)
		return st;
	EFI_HANDLE *buf = sysmem_zalloc(size);
	if (!buf)
		return EFI_OUT_OF_RESOURCES;
	st = locate(SearchType, Protocol, SearchKey, &size, buf);
	if (EFI_ERROR(st)) {
		sysmem_free(buf);
		return st;
	}
	*Buffer = buf;
	*NoHandles = size / sizeof(EFI_HANDLE);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_locate_protocol(EFI_GUID *Protocol, VOID *Registration, VOID **Interface)
{
	struct efi_object *o;

	if (!Protocol || !Interface)
		return EFI_INVALID_PARAMETER;
	*Interface = NULL;
	if (!Registration) {
		for (o = efi_objects; o; o = o->next) {
			struct efi_iface *pi = efi_obj_iface(o, Protocol);
			if (pi) {
				*Interface = pi->iface;
				return EFI_SUCCESS;
			}
		}
		return EFI_NOT_FOUND;
	}
	/* s.7.3.14: with a registration, the next interface installed since. */
	struct notify_reg *r = efi_notify_lookup(Registration);
	if (!r || !efi_guid_eq(r->guid, Protocol) || !(o = efi_queue_peek(r)))
		return EFI_NOT_FOUND;
	efi_queue_pop(r);
	*Interface = efi_obj_iface(o, r->guid)->iface;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_register_protocol_notify(EFI_GUID *Protocol, EFI_EVENT Event,
					       VOID **Registration)
{
	if (!Protocol || !Event || !Registration)
		return EFI_INVALID_PARAMETER;
	return efi_notify_register(Protocol, Event, Registration);
}

EFI_STATUS efi_locate_device_path(const EFI_GUID *g, EFI_DEVICE_PATH **dp, EFI_HANDLE *device)
{
	struct efi_object *best = NULL;
	long best_len = -1;

	if (!g || !dp || !*dp || !device)
		return EFI_INVALID_PARAMETER;
	if (!efi_devpath_valid(*dp, EFI_DEVPATH_LIMIT))
		return EFI_INVALID_PARAMETER;
	for (struct efi_object *o = efi_objects; o; o = o->next) {
		struct efi_iface *dpi = efi_obj_iface(o, &efi_dp_guid);
		if (!efi_obj_iface(o, g) || !dpi || !dpi->iface)
			continue;
		/* A handle's own path is someone's memory too: check it. */
		if (!efi_devpath_valid(dpi->iface, EFI_DEVPATH_LIMIT))
			continue;
		long m = efi_devpath_prefix(dpi->iface, *dp);
		if (m > best_len) {
			best_len = m;
			best = o;
		}
	}
	if (!best)
		return EFI_NOT_FOUND;
	*device = best;
	*dp = (EFI_DEVICE_PATH *)((uint8_t *)*dp + best_len);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_locate_device_path_api(EFI_GUID *Protocol, EFI_DEVICE_PATH **DevicePath,
					     EFI_HANDLE *Device)
{
	return efi_locate_device_path(Protocol, DevicePath, Device);
}

EFI_STATUS EFIAPI efi_open_protocol_information(EFI_HANDLE Handle, EFI_GUID *Protocol,
						EFI_OPEN_PROTOCOL_INFORMATION_ENTRY **EntryBuffer,
						UINTN *EntryCount)
{
	struct efi_object *o = efi_obj_lookup(Handle);
	struct efi_iface *pi;
	size_t n = 0;

	if (!Protocol || !EntryBuffer || !EntryCount)
		return EFI_INVALID_PARAMETER;
	*EntryBuffer = NULL;
	*EntryCount = 0;
	pi = o ? efi_obj_iface(o, Protocol) : NULL;
	if (!pi)
		return EFI_NOT_FOUND;
	for (struct efi_open *op = pi->opens; op; op = op->next)
		n++;
	/* Never a zero-sized allocation: the caller frees what it gets. */
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e = sysmem_zalloc((n ? n : 1) * sizeof(*e));
	if (!e)
		return EFI_OUT_OF_RESOURCES;
	n = 0;
	for (struct efi_open *op = pi->opens; op; op = op->next, n++) {
		e[n].AgentHandle = op->agent;
		e[n].ControllerHandle = op->controller;
		e[n].Attributes = op->attr;
		e[n].OpenCount = op->count;
	}
	*EntryBuffer = e;
	*EntryCount = n;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_protocols_per_handle(EFI_HANDLE Handle, EFI_GUID ***ProtocolBuffer,
					   UINTN *ProtocolBufferCount)
{
	struct efi_object *o = efi_obj_lookup(Handle);
	size_t n = 0;

	if (!o || !ProtocolBuffer || !ProtocolBufferCount)
		return EFI_INVALID_PARAMETER;
	for (struct efi_iface *pi = o->ifaces; pi; pi = pi->next)
		n++;
	EFI_GUID **list = sysmem_zalloc((n ? n : 1) * sizeof(*list));
	if (!list)
		return EFI_OUT_OF_RESOURCES;
	n = 0;
	/* Interned GUIDs: the pointers stay good after an uninstall. */
	for (struct efi_iface *pi = o->ifaces; pi; pi = pi->next)
		list[n++] = (EFI_GUID *)pi->guid;
	*ProtocolBuffer = list;
	*ProtocolBufferCount = n;
	return EFI_SUCCESS;
}
