/* The handle and protocol database (UEFI 2.10 s.7.3). Every check
 * installs its own test protocols on new handles and removes them again. */
#include "efitest.h"

static EFI_GUID t_guid_a = {
    0x7e1a0001, 0x77b1, 0x4f3e, {0x9d, 0x21, 0x5b, 0x60, 0x0c, 0x44, 0x1e, 0x01}};
static EFI_GUID t_guid_b = {
    0x7e1a0002, 0x77b1, 0x4f3e, {0x9d, 0x21, 0x5b, 0x60, 0x0c, 0x44, 0x1e, 0x02}};
static EFI_GUID t_guid_c = {
    0x7e1a0003, 0x77b1, 0x4f3e, {0x9d, 0x21, 0x5b, 0x60, 0x0c, 0x44, 0x1e, 0x03}};
static EFI_GUID t_guid_d = {
    0x7e1a0004, 0x77b1, 0x4f3e, {0x9d, 0x21, 0x5b, 0x60, 0x0c, 0x44, 0x1e, 0x04}};
static EFI_GUID t_guid_agent = {
    0x7e1a0005, 0x77b1, 0x4f3e, {0x9d, 0x21, 0x5b, 0x60, 0x0c, 0x44, 0x1e, 0x05}};
static EFI_GUID t_guid_notify = {
    0x7e1a0006, 0x77b1, 0x4f3e, {0x9d, 0x21, 0x5b, 0x60, 0x0c, 0x44, 0x1e, 0x06}};
static EFI_GUID t_guid_vendor = {
    0x7e1a0007, 0x77b1, 0x4f3e, {0x9d, 0x21, 0x5b, 0x60, 0x0c, 0x44, 0x1e, 0x07}};

/* Interfaces: only their addresses matter. */
static UINT64 t_if_a, t_if_a2, t_if_b, t_if_c, t_if_d, t_if_agent1, t_if_agent2, t_if_n1, t_if_n2;

static BOOLEAN t_guid_eq(const EFI_GUID *x, const EFI_GUID *y)
{
	return CompareMem(x, y, sizeof(*x)) == 0;
}

/* True when list holds h. */
static BOOLEAN t_has_handle(EFI_HANDLE *list, UINTN n, EFI_HANDLE h)
{
	for (UINTN i = 0; i < n; i++)
		if (list[i] == h)
			return TRUE;
	return FALSE;
}

/* Remove one protocol a failed check may have left; ignore the result. */
static void t_drop(EFI_HANDLE h, EFI_GUID *g, void *iface)
{
	if (h)
		BS->UninstallProtocolInterface(h, g, iface);
}

#define T_NAME "protocol-db"
/* s.7.3.2-7.3.16: Install/Reinstall/Uninstall, the Multiple variants and
 * their all-or-nothing rule, HandleProtocol, ProtocolsPerHandle,
 * LocateHandle(Buffer), LocateProtocol. */
void check_protocol_db(void)
{
	EFI_HANDLE h = NULL, found[4], *all = NULL, *byc = NULL;
	EFI_GUID **guids = NULL;
	UINTN n, size, nall = 0, nc = 0;
	void *iface;
	EFI_STATUS st;
	BOOLEAN seen_a = FALSE, seen_b = FALSE, seen_c = FALSE;
	void *a_now = &t_if_a;

	T_OK(BS->InstallProtocolInterface(&h, &t_guid_a, EFI_NATIVE_INTERFACE, &t_if_a),
	     "InstallProtocolInterface on a new handle");
	T_REQUIRE(h != NULL, L"no handle created");
	st = BS->InstallProtocolInterface(&h, &t_guid_a, EFI_NATIVE_INTERFACE, &t_if_a);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"installing a protocol twice returned %r", st);
	T_OK(BS->HandleProtocol(h, &t_guid_a, &iface), "HandleProtocol");
	T_REQUIRE(iface == &t_if_a, L"HandleProtocol gave another interface");
	st = BS->HandleProtocol(h, &t_guid_b, &iface);
	T_REQUIRE(st == EFI_UNSUPPORTED, L"HandleProtocol of an absent protocol returned %r", st);

	st = BS->ReinstallProtocolInterface(h, &t_guid_a, &t_if_b, &t_if_a2);
	T_REQUIRE(st == EFI_NOT_FOUND, L"Reinstall with a wrong old interface returned %r", st);
	T_OK(BS->ReinstallProtocolInterface(h, &t_guid_a, &t_if_a, &t_if_a2),
	     "ReinstallProtocolInterface");
	a_now = &t_if_a2;
	T_OK(BS->HandleProtocol(h, &t_guid_a, &iface), "HandleProtocol after Reinstall");
	T_REQUIRE(iface == &t_if_a2, L"Reinstall did not replace the interface");

	T_OK(
	    BS->InstallMultipleProtocolInterfaces(&h, &t_guid_b, &t_if_b, &t_guid_c, &t_if_c, NULL),
	    "InstallMultipleProtocolInterfaces(B, C)");
	T_OK(BS->ProtocolsPerHandle(h, &guids, &n), "ProtocolsPerHandle");
	for (UINTN i = 0; i < n; i++) {
		seen_a |= t_guid_eq(guids[i], &t_guid_a);
		seen_b |= t_guid_eq(guids[i], &t_guid_b);
		seen_c |= t_guid_eq(guids[i], &t_guid_c);
	}
	BS->FreePool(guids);
	T_REQUIRE(n == 3 && seen_a && seen_b && seen_c,
		  L"ProtocolsPerHandle listed %ld GUIDs (A %d B %d C %d), expected A, B, C", n,
		  seen_a, seen_b, seen_c);

	size = 0;
	st = BS->LocateHandle(ByProtocol, &t_guid_b, NULL, &size, found);
	T_REQUIRE(st == EFI_BUFFER_TOO_SMALL && size == sizeof(EFI_HANDLE),
		  L"LocateHandle sizing call returned %r, size %ld", st, size);
	size = sizeof(found);
	T_OK(BS->LocateHandle(ByProtocol, &t_guid_b, NULL, &size, found), "LocateHandle(B)");
	T_REQUIRE(size == sizeof(EFI_HANDLE) && found[0] == h, L"LocateHandle(B) found %ld bytes",
		  size);
	T_OK(BS->LocateHandleBuffer(ByProtocol, &t_guid_c, NULL, &nc, &byc),
	     "LocateHandleBuffer(C)");
	T_REQUIRE(nc == 1 && byc[0] == h, L"LocateHandleBuffer(C) found %ld handles", nc);
	T_OK(BS->LocateHandleBuffer(AllHandles, NULL, NULL, &nall, &all),
	     "LocateHandleBuffer(AllHandles)");
	T_REQUIRE(nall > 1 && t_has_handle(all, nall, h) && t_has_handle(all, nall, t_image),
		  L"AllHandles (%ld) lacks the test handle or the image handle", nall);
	T_OK(BS->LocateProtocol(&t_guid_b, NULL, &iface), "LocateProtocol(B)");
	T_REQUIRE(iface == &t_if_b, L"LocateProtocol gave another interface");

	/* All or nothing: A is present, so D must not stay installed. */
	st =
	    BS->InstallMultipleProtocolInterfaces(&h, &t_guid_d, &t_if_d, &t_guid_a, &t_if_a, NULL);
	T_REQUIRE(EFI_ERROR(st), L"InstallMultiple with an installed protocol succeeded");
	st = BS->HandleProtocol(h, &t_guid_d, &iface);
	T_REQUIRE(st == EFI_UNSUPPORTED, L"failed InstallMultiple left D installed");
	st = BS->UninstallMultipleProtocolInterfaces(h, &t_guid_b, &t_if_b, &t_guid_d, &t_if_d,
						     NULL);
	T_REQUIRE(st == EFI_INVALID_PARAMETER,
		  L"UninstallMultiple with an absent protocol returned %r", st);
	T_OK(BS->HandleProtocol(h, &t_guid_b, &iface), "HandleProtocol(B) after failed "
						       "UninstallMultiple");
	T_OK(BS->UninstallMultipleProtocolInterfaces(h, &t_guid_b, &t_if_b, &t_guid_c, &t_if_c,
						     NULL),
	     "UninstallMultipleProtocolInterfaces(B, C)");
	st = BS->LocateProtocol(&t_guid_b, NULL, &iface);
	T_REQUIRE(st == EFI_NOT_FOUND, L"LocateProtocol(B) after uninstall returned %r", st);

	st = BS->UninstallProtocolInterface(h, &t_guid_a, &t_if_a);
	T_REQUIRE(st == EFI_NOT_FOUND, L"Uninstall with a wrong interface returned %r", st);
	T_OK(BS->UninstallProtocolInterface(h, &t_guid_a, &t_if_a2), "UninstallProtocolInterface");
	h = NULL;
	size = sizeof(found);
	st = BS->LocateHandle(ByProtocol, &t_guid_a, NULL, &size, found);
	T_REQUIRE(st == EFI_NOT_FOUND, L"LocateHandle(A) after the last uninstall returned %r", st);
	t_ok(T_NAME,
	     L"install, reinstall, uninstall, Multiple variants all-or-nothing, "
	     L"ProtocolsPerHandle 3, LocateHandle(Buffer) among %ld handles, "
	     L"LocateProtocol",
	     nall);
out:
	if (byc)
		BS->FreePool(byc);
	if (all)
		BS->FreePool(all);
	t_drop(h, &t_guid_b, &t_if_b);
	t_drop(h, &t_guid_c, &t_if_c);
	t_drop(h, &t_guid_d, &t_if_d);
	t_drop(h, &t_guid_a, a_now);
}
#undef T_NAME

#define T_NAME "open-protocol"
/* s.7.3.9-7.3.11: OpenProtocol's attribute rules (the table in s.7.3.9):
 * BY_DRIVER twice by one agent is ALREADY_STARTED, by another ACCESS_DENIED;
 * EXCLUSIVE cannot take a protocol another agent holds BY_DRIVER when that
 * agent is no driver; OpenProtocolInformation, CloseProtocol, and
 * UninstallProtocolInterface refusing while a driver holds it. */
void check_open_protocol(void)
{
	EFI_HANDLE h = NULL, ag1 = NULL, ag2 = NULL;
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *info = NULL;
	UINTN n = 0;
	void *iface;
	EFI_STATUS st;
	const UINT32 by_driver = EFI_OPEN_PROTOCOL_BY_DRIVER;
	const UINT32 exclusive = EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE;

	T_OK(BS->InstallProtocolInterface(&h, &t_guid_a, EFI_NATIVE_INTERFACE, &t_if_a),
	     "InstallProtocolInterface(controller)");
	T_OK(BS->InstallProtocolInterface(&ag1, &t_guid_agent, EFI_NATIVE_INTERFACE, &t_if_agent1),
	     "InstallProtocolInterface(agent 1)");
	T_OK(BS->InstallProtocolInterface(&ag2, &t_guid_agent, EFI_NATIVE_INTERFACE, &t_if_agent2),
	     "InstallProtocolInterface(agent 2)");

	T_OK(BS->OpenProtocol(h, &t_guid_a, NULL, NULL, NULL, EFI_OPEN_PROTOCOL_TEST_PROTOCOL),
	     "OpenProtocol(TEST_PROTOCOL)");
	st = BS->OpenProtocol(h, &t_guid_b, NULL, NULL, NULL, EFI_OPEN_PROTOCOL_TEST_PROTOCOL);
	T_REQUIRE(st == EFI_UNSUPPORTED, L"TEST_PROTOCOL of an absent protocol returned %r", st);
	st = BS->OpenProtocol(h, &t_guid_a, &iface, NULL, h, by_driver);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"BY_DRIVER without an agent returned %r", st);

	T_OK(BS->OpenProtocol(h, &t_guid_a, &iface, ag1, h, by_driver), "OpenProtocol(BY_DRIVER)");
	T_REQUIRE(iface == &t_if_a, L"OpenProtocol gave another interface");
	iface = NULL;
	st = BS->OpenProtocol(h, &t_guid_a, &iface, ag1, h, by_driver);
	T_REQUIRE(st == EFI_ALREADY_STARTED && iface == &t_if_a,
		  L"second BY_DRIVER by the same agent returned %r", st);
	st = BS->OpenProtocol(h, &t_guid_a, &iface, ag2, h, by_driver);
	T_REQUIRE(st == EFI_ACCESS_DENIED, L"BY_DRIVER by a second agent returned %r", st);
	st = BS->OpenProtocol(h, &t_guid_a, &iface, ag2, h, exclusive);
	T_REQUIRE(st == EFI_ACCESS_DENIED,
		  L"BY_DRIVER|EXCLUSIVE against a BY_DRIVER agent that is no driver returned %r",
		  st);
	T_OK(BS->OpenProtocol(h, &t_guid_a, &iface, ag2, h, EFI_OPEN_PROTOCOL_GET_PROTOCOL),
	     "OpenProtocol(GET_PROTOCOL) beside a BY_DRIVER open");

	T_OK(BS->OpenProtocolInformation(h, &t_guid_a, &info, &n), "OpenProtocolInformation");
	T_REQUIRE(n == 2, L"OpenProtocolInformation listed %ld opens, expected 2", n);
	BOOLEAN drv = FALSE, get = FALSE;
	for (UINTN i = 0; i < n; i++) {
		drv |= info[i].AgentHandle == ag1 && info[i].ControllerHandle == h &&
		       info[i].Attributes == by_driver && info[i].OpenCount == 1;
		get |= info[i].AgentHandle == ag2 &&
		       info[i].Attributes == EFI_OPEN_PROTOCOL_GET_PROTOCOL;
	}
	T_REQUIRE(drv && get, L"OpenProtocolInformation entries wrong (BY_DRIVER %d, GET %d)", drv,
		  get);
	BS->FreePool(info);
	info = NULL;

	T_OK(BS->CloseProtocol(h, &t_guid_a, ag1, h), "CloseProtocol(agent 1)");
	st = BS->CloseProtocol(h, &t_guid_a, ag1, h);
	T_REQUIRE(st == EFI_NOT_FOUND, L"CloseProtocol twice returned %r", st);
	T_OK(BS->OpenProtocol(h, &t_guid_a, &iface, ag2, h, exclusive),
	     "OpenProtocol(BY_DRIVER|EXCLUSIVE) once free");
	st = BS->OpenProtocol(h, &t_guid_a, &iface, ag2, h, exclusive);
	T_REQUIRE(st == EFI_ALREADY_STARTED, L"EXCLUSIVE again by its holder returned %r", st);
	st = BS->OpenProtocol(h, &t_guid_a, &iface, ag1, h, by_driver);
	T_REQUIRE(st == EFI_ACCESS_DENIED, L"BY_DRIVER against an EXCLUSIVE holder returned %r",
		  st);
	st = BS->OpenProtocol(h, &t_guid_a, &iface, ag1, h, exclusive);
	T_REQUIRE(st == EFI_ACCESS_DENIED, L"EXCLUSIVE against an EXCLUSIVE holder returned %r",
		  st);
	st = BS->UninstallProtocolInterface(h, &t_guid_a, &t_if_a);
	T_REQUIRE(st == EFI_ACCESS_DENIED,
		  L"UninstallProtocolInterface while held EXCLUSIVE by a non-driver returned %r",
		  st);
	T_OK(BS->HandleProtocol(h, &t_guid_a, &iface), "HandleProtocol after refused uninstall");
	T_OK(BS->CloseProtocol(h, &t_guid_a, ag2, h), "CloseProtocol(agent 2)");
	T_OK(BS->UninstallProtocolInterface(h, &t_guid_a, &t_if_a),
	     "UninstallProtocolInterface once closed");
	h = NULL;
	t_ok(T_NAME, L"BY_DRIVER: same agent ALREADY_STARTED, other agent ACCESS_DENIED; "
		     L"EXCLUSIVE: ACCESS_DENIED while held, ALREADY_STARTED for its holder; "
		     L"OpenProtocolInformation 2 entries; uninstall refused while held");
out:
	if (info)
		BS->FreePool(info);
	if (h) {
		BS->CloseProtocol(h, &t_guid_a, ag1, h);
		BS->CloseProtocol(h, &t_guid_a, ag2, h);
	}
	t_drop(h, &t_guid_a, &t_if_a);
	t_drop(ag1, &t_guid_agent, &t_if_agent1);
	t_drop(ag2, &t_guid_agent, &t_if_agent2);
}
#undef T_NAME

struct t_notify_count {
	volatile UINTN calls;
};

static EFIAPI void t_notify_counter(EFI_EVENT ev, void *ctx)
{
	((struct t_notify_count *)ctx)->calls++;
}

#define T_NAME "protocol-notify"
/* s.7.3.5 RegisterProtocolNotify: the event is signalled on every install
 * and reinstall of the protocol; LocateHandle(ByRegisterNotify) and
 * LocateProtocol(Registration) return each new handle once. */
void check_protocol_notify(void)
{
	struct t_notify_count c = {0};
	EFI_EVENT ev = NULL;
	EFI_HANDLE h1 = NULL, h2 = NULL, found[4];
	void *reg = NULL, *iface;
	UINTN size;
	EFI_STATUS st;

	T_OK(BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, t_notify_counter, &c, &ev),
	     "CreateEvent");
	T_OK(BS->RegisterProtocolNotify(&t_guid_notify, ev, &reg), "RegisterProtocolNotify");
	T_REQUIRE(reg != NULL, L"no registration key");
	T_OK(BS->InstallProtocolInterface(&h1, &t_guid_notify, EFI_NATIVE_INTERFACE, &t_if_n1),
	     "InstallProtocolInterface");
	T_REQUIRE(c.calls == 1, L"install notified %ld times, expected 1", c.calls);
	size = sizeof(found);
	T_OK(BS->LocateHandle(ByRegisterNotify, NULL, reg, &size, found),
	     "LocateHandle(ByRegisterNotify)");
	T_REQUIRE(size == sizeof(EFI_HANDLE) && found[0] == h1,
		  L"ByRegisterNotify gave %ld bytes, not the new handle", size);
	size = sizeof(found);
	st = BS->LocateHandle(ByRegisterNotify, NULL, reg, &size, found);
	T_REQUIRE(st == EFI_NOT_FOUND, L"second ByRegisterNotify returned %r", st);

	T_OK(BS->InstallProtocolInterface(&h2, &t_guid_notify, EFI_NATIVE_INTERFACE, &t_if_n2),
	     "InstallProtocolInterface (second handle)");
	T_REQUIRE(c.calls == 2, L"second install notified %ld times in all", c.calls);
	T_OK(BS->LocateProtocol(&t_guid_notify, reg, &iface), "LocateProtocol(Registration)");
	T_REQUIRE(iface == &t_if_n2, L"LocateProtocol(Registration) gave another interface");
	st = BS->LocateProtocol(&t_guid_notify, reg, &iface);
	T_REQUIRE(st == EFI_NOT_FOUND, L"second LocateProtocol(Registration) returned %r", st);

	T_OK(BS->ReinstallProtocolInterface(h1, &t_guid_notify, &t_if_n1, &t_if_n1),
	     "ReinstallProtocolInterface");
	T_REQUIRE(c.calls == 3, L"reinstall did not notify (%ld calls)", c.calls);
	t_ok(T_NAME, L"install, second install and reinstall notified; ByRegisterNotify and "
		     L"LocateProtocol(Registration) return each new handle once");
out:
	t_drop(h1, &t_guid_notify, &t_if_n1);
	t_drop(h2, &t_guid_notify, &t_if_n2);
	if (ev)
		BS->CloseEvent(ev);
}
#undef T_NAME

/* A device path node: header and payload, byte-packed. */
static UINT8 *t_dp_node(UINT8 *p, UINT8 type, UINT8 sub, const void *data, UINT16 len)
{
	p[0] = type;
	p[1] = sub;
	p[2] = (UINT8)(len + 4);
	p[3] = (UINT8)((len + 4) >> 8);
	CopyMem(p + 4, (void *)data, len);
	return p + 4 + len;
}

/* Vendor hardware node with the test GUID and a tag byte in the last place. */
static UINT8 *t_dp_vendor(UINT8 *p, UINT8 tag)
{
	EFI_GUID g = t_guid_vendor;

	g.Data4[7] = tag;
	return t_dp_node(p, HARDWARE_DEVICE_PATH, HW_VENDOR_DP, &g, sizeof(g));
}

static UINT8 *t_dp_end(UINT8 *p)
{
	return t_dp_node(p, END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, NULL, 0);
}

#define T_NAME "locate-device-path"
/* s.7.3.14 LocateDevicePath: the handle with the longest matching prefix
 * that has the protocol, the rest of the path returned; s.7.3.16: a
 * device path already in the database is refused by InstallMultiple. */
void check_locate_device_path(void)
{
	static const CHAR16 file[] = L"\\efi\\x.efi";
	UINT8 parent[64], child[96], query[160], dup[64], *p, *fnode;
	EFI_HANDLE hp = NULL, hc = NULL, hd = NULL, found = NULL;
	EFI_DEVICE_PATH *dp;
	EFI_STATUS st;

	t_dp_end(t_dp_vendor(parent, 1));
	t_dp_end(t_dp_vendor(t_dp_vendor(child, 1), 2));
	CopyMem(dup, parent, sizeof(dup));
	T_OK(BS->InstallMultipleProtocolInterfaces(&hp, &gEfiDevicePathProtocolGuid, parent,
						   &t_guid_c, &t_if_c, NULL),
	     "InstallMultiple(device path, C) parent");
	T_OK(BS->InstallMultipleProtocolInterfaces(&hc, &gEfiDevicePathProtocolGuid, child,
						   &t_guid_c, &t_if_c, NULL),
	     "InstallMultiple(device path, C) child");
	st = BS->InstallMultipleProtocolInterfaces(&hd, &gEfiDevicePathProtocolGuid, dup, NULL);
	T_REQUIRE(st == EFI_ALREADY_STARTED,
		  L"InstallMultiple of a device path already present returned %r", st);
	hd = NULL;

	/* Vendor(1)/Vendor(2)/File: the child, the file node left. */
	p = t_dp_vendor(t_dp_vendor(query, 1), 2);
	fnode = p;
	t_dp_end(t_dp_node(p, MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP, file, sizeof(file)));
	dp = (EFI_DEVICE_PATH *)query;
	T_OK(BS->LocateDevicePath(&t_guid_c, &dp, &found), "LocateDevicePath(child/file)");
	T_REQUIRE(found == hc && (UINT8 *)dp == fnode,
		  L"LocateDevicePath(child/file) found %s handle, rest at offset %ld",
		  found == hc	? L"the child"
		  : found == hp ? L"the parent"
				: L"another",
		  (INT64)((UINT8 *)dp - query));

	/* Vendor(1)/Vendor(3)/File: only the parent matches. */
	p = t_dp_vendor(t_dp_vendor(query, 1), 3);
	t_dp_end(t_dp_node(p, MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP, file, sizeof(file)));
	dp = (EFI_DEVICE_PATH *)query;
	T_OK(BS->LocateDevicePath(&t_guid_c, &dp, &found), "LocateDevicePath(parent/x/file)");
	T_REQUIRE(found == hp && (UINT8 *)dp == query + 20, L"LocateDevicePath(parent/x/file) "
							    L"found the wrong handle or rest");

	p = t_dp_vendor(query, 9);
	t_dp_end(p);
	dp = (EFI_DEVICE_PATH *)query;
	st = BS->LocateDevicePath(&t_guid_c, &dp, &found);
	T_REQUIRE(st == EFI_NOT_FOUND, L"LocateDevicePath of an unknown path returned %r", st);
	t_ok(T_NAME, L"longest prefix wins (child, then parent), the rest returned, unknown "
		     L"path NOT_FOUND, duplicate device path ALREADY_STARTED");
out:
	if (hd)
		BS->UninstallMultipleProtocolInterfaces(hd, &gEfiDevicePathProtocolGuid, dup, NULL);
	if (hp)
		BS->UninstallMultipleProtocolInterfaces(hp, &gEfiDevicePathProtocolGuid, parent,
							&t_guid_c, &t_if_c, NULL);
	if (hc)
		BS->UninstallMultipleProtocolInterfaces(hc, &gEfiDevicePathProtocolGuid, child,
							&t_guid_c, &t_if_c, NULL);
}
#undef T_NAME
