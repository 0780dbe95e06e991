/* The UEFI handle/protocol database (efi/core/handle.c, handle_locate.c,
 * driver.c): every boot service with its status codes, OpenProtocol's
 * exclusivity rules, notify queues, handle removal, Driver Binding and
 * release hooks, and pointers that are not ours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <efi_handle.h>
#include <efi_devpath.h>

/* The database allocates through the firmware's pool; here, the C library. */
void *sysmem_zalloc(size_t size);
void sysmem_free(void *p);
void *sysmem_zalloc(size_t size)
{
	return calloc(1, size);
}
void sysmem_free(void *p)
{
	free(p);
}

/* Events are efi/core/event.c's; here an "event" is a struct fake_event
 * whose signals are counted, with an optional check run at signal time. */
struct fake_event {
	int signals;
	void (*on_signal)(struct fake_event *);
};
EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT e)
{
	struct fake_event *ev = e;
	ev->signals++;
	if (ev->on_signal)
		ev->on_signal(ev);
	return EFI_SUCCESS;
}

static EFI_GUID guid_a = {0x11111111, 0x2222, 0x3333, {1, 2, 3, 4, 5, 6, 7, 8}};
static EFI_GUID guid_b = {0x44444444, 0x5555, 0x6666, {1, 2, 3, 4, 5, 6, 7, 8}};
static EFI_GUID guid_c = {0x77777777, 0x8888, 0x9999, {1, 2, 3, 4, 5, 6, 7, 8}};
static EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
static EFI_GUID db_guid = EFI_DRIVER_BINDING_PROTOCOL_GUID;
static int iface1, iface2, iface3;

static size_t handle_count(void)
{
	return efi_handles_with(NULL, NULL, 0);
}

/* Every test leaves the database as it found it: empty. */
static int check_empty(void **state)
{
	return handle_count() == 0 ? 0 : -1;
}

static EFI_HANDLE new_handle(EFI_GUID *g, void *iface)
{
	EFI_HANDLE h = NULL;
	assert_int_equal(efi_install_protocol_interface(&h, g, EFI_NATIVE_INTERFACE, iface),
			 EFI_SUCCESS);
	assert_non_null(h);
	return h;
}

static void test_install_creates_and_refuses_duplicates(void **state)
{
	EFI_HANDLE h = NULL, other;
	void *p;

	assert_int_equal(
	    efi_install_protocol_interface(NULL, &guid_a, EFI_NATIVE_INTERFACE, &iface1),
	    EFI_INVALID_PARAMETER);
	assert_int_equal(efi_install_protocol_interface(&h, NULL, EFI_NATIVE_INTERFACE, &iface1),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_install_protocol_interface(&h, &guid_a, EFI_PCODE_INTERFACE, &iface1),
			 EFI_INVALID_PARAMETER);
	assert_null(h);
	h = new_handle(&guid_a, &iface1);
	other = h;
	assert_int_equal(
	    efi_install_protocol_interface(&other, &guid_a, EFI_NATIVE_INTERFACE, &iface2),
	    EFI_INVALID_PARAMETER);
	assert_int_equal(
	    efi_install_protocol_interface(&other, &guid_b, EFI_NATIVE_INTERFACE, NULL),
	    EFI_SUCCESS);
	assert_ptr_equal(other, h);
	assert_int_equal(efi_handle_protocol(h, &guid_a, &p), EFI_SUCCESS);
	assert_ptr_equal(p, &iface1);
	p = &iface3;
	assert_int_equal(efi_handle_protocol(h, &guid_b, &p), EFI_SUCCESS);
	assert_null(p); /* a NULL interface is a real one */
	assert_int_equal(efi_handle_protocol(h, &guid_c, &p), EFI_UNSUPPORTED);
	assert_int_equal(efi_handle_protocol(h, NULL, &p), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_handle_protocol(h, &guid_a, NULL), EFI_INVALID_PARAMETER);
	assert_true(efi_protocol_has(h, &guid_b));
	assert_ptr_equal(efi_protocol_find(h, &guid_a), &iface1);
	assert_int_equal(handle_count(), 1);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface1), EFI_SUCCESS);
	assert_true(efi_handle_valid(h));
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_b, NULL), EFI_SUCCESS);
}

static void test_uninstall_last_protocol_removes_handle(void **state)
{
	EFI_HANDLE h = new_handle(&guid_a, &iface1);
	void *p;

	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface2), EFI_NOT_FOUND);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_b, &iface1), EFI_NOT_FOUND);
	assert_int_equal(efi_uninstall_protocol_interface(h, NULL, &iface1), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface1), EFI_SUCCESS);
	assert_false(efi_handle_valid(h));
	assert_int_equal(handle_count(), 0);
	assert_int_equal(efi_handle_protocol(h, &guid_a, &p), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface1),
			 EFI_INVALID_PARAMETER);
	EFI_HANDLE again = h;
	assert_int_equal(
	    efi_install_protocol_interface(&again, &guid_a, EFI_NATIVE_INTERFACE, &iface1),
	    EFI_INVALID_PARAMETER);
}

static void test_foreign_pointers_are_refused(void **state)
{
	/* Looks like ours from the inside: a magic and plausible fields. */
	uint64_t junk[16] = {0x4c444e48u, 0, 0, 0};
	EFI_HANDLE h = new_handle(&guid_a, &iface1), fake = junk;
	void *p;
	UINTN n = sizeof(junk);
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *info;
	EFI_GUID **guids;
	UINTN count;

	assert_int_equal(efi_handle_protocol(fake, &guid_a, &p), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_handle_protocol(NULL, &guid_a, &p), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(fake, &guid_a, &p, h, h, EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, fake, h, EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, h, fake, EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_close_protocol(h, &guid_a, fake, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_close_protocol(h, &guid_a, h, fake), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_uninstall_protocol_interface(fake, &guid_a, &iface1),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_reinstall_protocol_interface(fake, &guid_a, &iface1, &iface2),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_protocols_per_handle(fake, &guids, &count), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol_information(fake, &guid_a, &info, &count),
			 EFI_NOT_FOUND);
	assert_int_equal(efi_connect_controller(fake, NULL, NULL, TRUE), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_disconnect_controller(fake, NULL, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_disconnect_controller(h, fake, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_disconnect_controller(h, NULL, fake), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_handle(ByRegisterNotify, &guid_a, junk, &n, (EFI_HANDLE *)junk),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_protocol(&guid_a, junk, &p), EFI_NOT_FOUND);
	assert_null(p);
	assert_false(efi_handle_valid(fake));
	assert_null(efi_protocol_find(fake, &guid_a));
	assert_int_equal(efi_uninstall_multiple_protocol_interfaces(fake, &guid_a, &iface1, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(junk[0], 0x4c444e48u); /* never written to */
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface1), EFI_SUCCESS);
}

static void test_reinstall(void **state)
{
	struct fake_event ev = {0};
	void *reg, *p;
	EFI_HANDLE h = new_handle(&guid_a, &iface1), got;
	UINTN n = sizeof(got);

	assert_int_equal(efi_register_protocol_notify(&guid_a, &ev, &reg), EFI_SUCCESS);
	assert_int_equal(efi_reinstall_protocol_interface(h, &guid_a, &iface2, &iface3),
			 EFI_NOT_FOUND);
	assert_int_equal(efi_reinstall_protocol_interface(h, &guid_b, &iface1, &iface3),
			 EFI_NOT_FOUND);
	assert_int_equal(efi_reinstall_protocol_interface(h, NULL, &iface1, &iface3),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(ev.signals, 0);
	assert_int_equal(efi_reinstall_protocol_interface(h, &guid_a, &iface1, &iface2),
			 EFI_SUCCESS);
	assert_int_equal(ev.signals, 1);
	assert_int_equal(efi_handle_protocol(h, &guid_a, &p), EFI_SUCCESS);
	assert_ptr_equal(p, &iface2);
	assert_int_equal(efi_locate_handle(ByRegisterNotify, NULL, reg, &n, &got), EFI_SUCCESS);
	assert_ptr_equal(got, h);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface2), EFI_SUCCESS);
	efi_handle_event_closed(&ev);
}

static EFI_HANDLE seen_handle;
static bool seen_both;
static void check_both_installed(struct fake_event *ev)
{
	void *p;
	EFI_HANDLE h = NULL;
	UINTN n = sizeof(h);
	/* The notification of a multiple install sees every interface. */
	if (efi_locate_handle(AllHandles, NULL, NULL, &n, &h) == EFI_SUCCESS)
		seen_both = efi_handle_protocol(h, &guid_b, &p) == EFI_SUCCESS;
	seen_handle = h;
}

static void test_install_multiple_all_or_nothing(void **state)
{
	struct fake_event ev = {0, check_both_installed};
	EFI_HANDLE h = NULL, h2;
	void *reg, *p;
	UINTN n;

	assert_int_equal(efi_register_protocol_notify(&guid_a, &ev, &reg), EFI_SUCCESS);
	assert_int_equal(efi_install_multiple_protocol_interfaces(NULL, &guid_a, &iface1, NULL),
			 EFI_INVALID_PARAMETER);
	/* A duplicate GUID in one call: nothing stays, no handle is made. */
	assert_int_equal(efi_install_multiple_protocol_interfaces(&h, &guid_a, &iface1, &guid_b,
								  &iface2, &guid_a, &iface3, NULL),
			 EFI_INVALID_PARAMETER);
	assert_null(h);
	assert_int_equal(handle_count(), 0);
	n = sizeof(h2);
	assert_int_equal(efi_locate_handle(ByRegisterNotify, NULL, reg, &n, &h2), EFI_NOT_FOUND);

	seen_both = false;
	ev.signals = 0;
	assert_int_equal(
	    efi_install_multiple_protocol_interfaces(&h, &guid_a, &iface1, &guid_b, &iface2, NULL),
	    EFI_SUCCESS);
	assert_non_null(h);
	assert_int_equal(ev.signals, 1);
	assert_true(seen_both);
	assert_ptr_equal(seen_handle, h);

	/* On an existing handle: a clash on the second pair undoes the first. */
	h2 = h;
	assert_int_equal(
	    efi_install_multiple_protocol_interfaces(&h2, &guid_c, &iface3, &guid_b, &iface3, NULL),
	    EFI_INVALID_PARAMETER);
	assert_ptr_equal(h2, h);
	assert_int_equal(efi_handle_protocol(h, &guid_c, &p), EFI_UNSUPPORTED);
	assert_int_equal(efi_handle_protocol(h, &guid_b, &p), EFI_SUCCESS);
	assert_ptr_equal(p, &iface2);

	assert_int_equal(
	    efi_uninstall_multiple_protocol_interfaces(h, &guid_a, &iface1, &guid_b, &iface2, NULL),
	    EFI_SUCCESS);
	assert_false(efi_handle_valid(h));
	efi_handle_event_closed(&ev);
}

static void test_install_multiple_refuses_existing_device_path(void **state)
{
	uint8_t buf1[64], buf2[64];
	struct efi_dp_builder b;
	EFI_HANDLE h = NULL, h2 = NULL;

	efi_dp_init(&b, buf1, sizeof(buf1));
	efi_dp_add_pci_root(&b, false, 0);
	efi_dp_add_pci(&b, 2, 0);
	EFI_DEVICE_PATH *p1 = efi_dp_finish(&b);
	memcpy(buf2, buf1, sizeof(buf1)); /* the same path at another address */
	assert_int_equal(
	    efi_install_multiple_protocol_interfaces(&h, &dp_guid, p1, &guid_a, &iface1, NULL),
	    EFI_SUCCESS);
	assert_int_equal(efi_install_multiple_protocol_interfaces(&h2, &guid_b, &iface2, &dp_guid,
								  (void *)buf2, NULL),
			 EFI_ALREADY_STARTED);
	assert_null(h2);
	assert_int_equal(handle_count(), 1);
	/* A longer path under it is a new device. */
	efi_dp_init(&b, buf2, sizeof(buf2));
	efi_dp_add_path(&b, p1);
	efi_dp_add_pci(&b, 0, 0);
	assert_non_null(efi_dp_finish(&b));
	assert_int_equal(
	    efi_install_multiple_protocol_interfaces(&h2, &dp_guid, (void *)buf2, NULL),
	    EFI_SUCCESS);
	assert_int_equal(
	    efi_uninstall_multiple_protocol_interfaces(h2, &dp_guid, (void *)buf2, NULL),
	    EFI_SUCCESS);
	assert_int_equal(
	    efi_uninstall_multiple_protocol_interfaces(h, &dp_guid, p1, &guid_a, &iface1, NULL),
	    EFI_SUCCESS);
}

static void test_uninstall_multiple_all_or_nothing(void **state)
{
	EFI_HANDLE h = NULL, agent = new_handle(&guid_c, &iface3);
	void *p;

	assert_int_equal(
	    efi_install_multiple_protocol_interfaces(&h, &guid_a, &iface1, &guid_b, &iface2, NULL),
	    EFI_SUCCESS);
	/* One pair not installed (wrong interface): nothing is removed. */
	assert_int_equal(
	    efi_uninstall_multiple_protocol_interfaces(h, &guid_a, &iface1, &guid_b, &iface1, NULL),
	    EFI_INVALID_PARAMETER);
	assert_int_equal(efi_handle_protocol(h, &guid_a, &p), EFI_SUCCESS);
	/* The second is held open EXCLUSIVE: the first comes back. */
	assert_int_equal(
	    efi_open_protocol(h, &guid_b, &p, agent, NULL, EFI_OPEN_PROTOCOL_EXCLUSIVE),
	    EFI_SUCCESS);
	assert_int_equal(
	    efi_uninstall_multiple_protocol_interfaces(h, &guid_a, &iface1, &guid_b, &iface2, NULL),
	    EFI_INVALID_PARAMETER);
	assert_true(efi_handle_valid(h));
	assert_int_equal(efi_handle_protocol(h, &guid_a, &p), EFI_SUCCESS);
	assert_ptr_equal(p, &iface1);
	assert_int_equal(efi_close_protocol(h, &guid_b, agent, NULL), EFI_SUCCESS);
	assert_int_equal(
	    efi_uninstall_multiple_protocol_interfaces(h, &guid_a, &iface1, &guid_b, &iface2, NULL),
	    EFI_SUCCESS);
	assert_false(efi_handle_valid(h));
	assert_int_equal(efi_uninstall_protocol_interface(agent, &guid_c, &iface3), EFI_SUCCESS);
}

static void test_open_protocol_arguments(void **state)
{
	EFI_HANDLE h = new_handle(&guid_a, &iface1), agent = new_handle(&guid_c, &iface3);
	void *p = &iface3;

	assert_int_equal(
	    efi_open_protocol(h, &guid_a, NULL, agent, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL),
	    EFI_INVALID_PARAMETER);
	assert_int_equal(
	    efi_open_protocol(h, &guid_a, NULL, NULL, NULL, EFI_OPEN_PROTOCOL_TEST_PROTOCOL),
	    EFI_SUCCESS);
	assert_int_equal(
	    efi_open_protocol(h, &guid_b, NULL, NULL, NULL, EFI_OPEN_PROTOCOL_TEST_PROTOCOL),
	    EFI_UNSUPPORTED);
	assert_int_equal(
	    efi_open_protocol(h, &guid_b, &p, agent, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL),
	    EFI_UNSUPPORTED);
	assert_null(p);
	assert_int_equal(
	    efi_open_protocol(h, NULL, &p, agent, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL),
	    EFI_INVALID_PARAMETER);
	const UINT32 bad[] = {0, 0x40, EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_GET_PROTOCOL,
			      EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER | EFI_OPEN_PROTOCOL_EXCLUSIVE};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(efi_open_protocol(h, &guid_a, &p, agent, h, bad[i]),
				 EFI_INVALID_PARAMETER);
	/* Agent and controller handles must be real where the spec says so. */
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, NULL, h, EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
	    efi_open_protocol(h, &guid_a, &p, agent, NULL, EFI_OPEN_PROTOCOL_BY_DRIVER),
	    EFI_INVALID_PARAMETER);
	assert_int_equal(
	    efi_open_protocol(h, &guid_a, &p, agent, NULL,
			      EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE),
	    EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, NULL, NULL, EFI_OPEN_PROTOCOL_EXCLUSIVE),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
	    efi_open_protocol(h, &guid_a, &p, agent, h, EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
	    EFI_INVALID_PARAMETER); /* the controller cannot be its own child */
	assert_int_equal(
	    efi_open_protocol(h, &guid_a, &p, NULL, agent, EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
	    EFI_INVALID_PARAMETER);
	assert_int_equal(
	    efi_open_protocol(h, &guid_a, &p, agent, agent, EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
	    EFI_SUCCESS);
	assert_ptr_equal(p, &iface1);
	assert_int_equal(efi_close_protocol(h, &guid_a, agent, agent), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface1), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(agent, &guid_c, &iface3), EFI_SUCCESS);
}

static void test_open_protocol_exclusivity(void **state)
{
	EFI_HANDLE h = new_handle(&guid_a, &iface1);
	EFI_HANDLE d1 = new_handle(&guid_c, &iface3), d2 = new_handle(&guid_c, &iface3);
	void *p = NULL;
	const UINT32 bd = EFI_OPEN_PROTOCOL_BY_DRIVER, ex = EFI_OPEN_PROTOCOL_EXCLUSIVE;

	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d1, h, bd), EFI_SUCCESS);
	assert_ptr_equal(p, &iface1);
	p = NULL;
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d1, h, bd), EFI_ALREADY_STARTED);
	assert_ptr_equal(p, &iface1); /* ALREADY_STARTED still hands it out */
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d2, h, bd), EFI_ACCESS_DENIED);
	/* d1 has no release hook and no Driver Binding: it cannot be asked. */
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d2, h, bd | ex), EFI_ACCESS_DENIED);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d2, NULL, ex), EFI_ACCESS_DENIED);
	/* Non-driver opens are always fine. */
	assert_int_equal(
	    efi_open_protocol(h, &guid_a, &p, d2, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL),
	    EFI_SUCCESS);
	assert_int_equal(efi_close_protocol(h, &guid_a, d1, h), EFI_SUCCESS);
	assert_int_equal(efi_close_protocol(h, &guid_a, d1, h), EFI_NOT_FOUND);

	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d1, h, bd | ex), EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d1, h, bd | ex), EFI_ALREADY_STARTED);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d2, h, bd), EFI_ACCESS_DENIED);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d2, h, bd | ex), EFI_ACCESS_DENIED);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d2, NULL, ex), EFI_ACCESS_DENIED);
	assert_int_equal(efi_close_protocol(h, &guid_a, d1, h), EFI_SUCCESS);

	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d1, NULL, ex), EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d1, NULL, ex), EFI_ACCESS_DENIED);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, d2, h, bd), EFI_ACCESS_DENIED);
	/* Held EXCLUSIVE: uninstall is refused until it is closed. */
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface1), EFI_ACCESS_DENIED);
	assert_int_equal(efi_close_protocol(h, &guid_a, d1, NULL), EFI_SUCCESS);

	/* The GET_PROTOCOL open left over does not block an uninstall. */
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface1), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(d1, &guid_c, &iface3), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(d2, &guid_c, &iface3), EFI_SUCCESS);
}

static void test_open_information_and_close(void **state)
{
	EFI_HANDLE h = new_handle(&guid_a, &iface1), agent = new_handle(&guid_c, &iface3);
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	UINTN n;
	void *p;

	assert_int_equal(efi_open_protocol_information(h, &guid_a, &e, &n), EFI_SUCCESS);
	assert_int_equal(n, 0);
	assert_non_null(e);
	free(e);
	assert_int_equal(efi_open_protocol_information(h, &guid_b, &e, &n), EFI_NOT_FOUND);
	assert_int_equal(efi_open_protocol_information(h, &guid_a, NULL, &n),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol_information(h, &guid_a, &e, NULL),
			 EFI_INVALID_PARAMETER);
	for (int i = 0; i < 2; i++)
		assert_int_equal(
		    efi_open_protocol(h, &guid_a, &p, agent, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL),
		    EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(h, &guid_a, &p, agent, h, EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_SUCCESS);
	assert_int_equal(efi_open_protocol_information(h, &guid_a, &e, &n), EFI_SUCCESS);
	assert_int_equal(n, 2);
	assert_ptr_equal(e[0].AgentHandle, agent);
	assert_null(e[0].ControllerHandle);
	assert_int_equal(e[0].Attributes, EFI_OPEN_PROTOCOL_GET_PROTOCOL);
	assert_int_equal(e[0].OpenCount, 2);
	assert_ptr_equal(e[1].ControllerHandle, h);
	assert_int_equal(e[1].Attributes, EFI_OPEN_PROTOCOL_BY_DRIVER);
	assert_int_equal(e[1].OpenCount, 1);
	free(e);
	assert_int_equal(efi_close_protocol(h, NULL, agent, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_close_protocol(h, &guid_b, agent, NULL), EFI_NOT_FOUND);
	assert_int_equal(efi_close_protocol(h, &guid_a, h, NULL), EFI_NOT_FOUND);
	assert_int_equal(efi_close_protocol(h, &guid_a, agent, NULL), EFI_SUCCESS);
	assert_int_equal(efi_close_protocol(h, &guid_a, agent, h), EFI_SUCCESS);
	assert_int_equal(efi_open_protocol_information(h, &guid_a, &e, &n), EFI_SUCCESS);
	assert_int_equal(n, 0);
	free(e);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface1), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(agent, &guid_c, &iface3), EFI_SUCCESS);
}

static void test_protocols_per_handle(void **state)
{
	EFI_HANDLE h = new_handle(&guid_b, &iface2);
	EFI_GUID **list;
	UINTN n;

	assert_int_equal(efi_install_protocol_interface(&h, &guid_a, EFI_NATIVE_INTERFACE, &iface1),
			 EFI_SUCCESS);
	assert_int_equal(efi_protocols_per_handle(h, NULL, &n), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_protocols_per_handle(h, &list, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_protocols_per_handle(h, &list, &n), EFI_SUCCESS);
	assert_int_equal(n, 2);
	assert_memory_equal(list[0], &guid_b, sizeof(EFI_GUID));
	assert_memory_equal(list[1], &guid_a, sizeof(EFI_GUID));
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_b, &iface2), EFI_SUCCESS);
	/* The GUID pointers outlive the protocol. */
	assert_memory_equal(list[0], &guid_b, sizeof(EFI_GUID));
	free(list);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface1), EFI_SUCCESS);
}

static void test_locate_handle(void **state)
{
	EFI_HANDLE h1 = new_handle(&guid_a, &iface1), h2 = new_handle(&guid_b, &iface2);
	EFI_HANDLE h3 = new_handle(&guid_a, &iface3), buf[4], *all;
	UINTN size, n;

	assert_int_equal(efi_locate_handle(AllHandles, NULL, NULL, NULL, buf),
			 EFI_INVALID_PARAMETER);
	size = sizeof(buf);
	assert_int_equal(efi_locate_handle(AllHandles, NULL, NULL, &size, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_handle(ByProtocol, NULL, NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_handle((EFI_LOCATE_SEARCH_TYPE)7, &guid_a, NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	size = 0;
	assert_int_equal(efi_locate_handle(AllHandles, NULL, NULL, &size, NULL),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 3 * sizeof(EFI_HANDLE));
	size = sizeof(EFI_HANDLE);
	assert_int_equal(efi_locate_handle(ByProtocol, &guid_a, NULL, &size, buf),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 2 * sizeof(EFI_HANDLE));
	size = sizeof(buf);
	assert_int_equal(efi_locate_handle(ByProtocol, &guid_a, NULL, &size, buf), EFI_SUCCESS);
	assert_int_equal(size, 2 * sizeof(EFI_HANDLE));
	assert_ptr_equal(buf[0], h1);
	assert_ptr_equal(buf[1], h3);
	size = sizeof(buf);
	assert_int_equal(efi_locate_handle(ByProtocol, &guid_c, NULL, &size, buf), EFI_NOT_FOUND);
	assert_int_equal(size, 0);

	assert_int_equal(efi_locate_handle_buffer(AllHandles, NULL, NULL, NULL, &all),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_handle_buffer(AllHandles, NULL, NULL, &n, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_handle_buffer(AllHandles, NULL, NULL, &n, &all), EFI_SUCCESS);
	assert_int_equal(n, 3);
	assert_ptr_equal(all[0], h1);
	assert_ptr_equal(all[1], h2);
	assert_ptr_equal(all[2], h3);
	free(all);
	assert_int_equal(efi_locate_handle_buffer(ByProtocol, &guid_c, NULL, &n, &all),
			 EFI_NOT_FOUND);
	assert_int_equal(n, 0);
	assert_null(all);

	void *p;
	assert_int_equal(efi_locate_protocol(NULL, NULL, &p), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_protocol(&guid_a, NULL, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_protocol(&guid_b, NULL, &p), EFI_SUCCESS);
	assert_ptr_equal(p, &iface2);
	assert_int_equal(efi_locate_protocol(&guid_c, NULL, &p), EFI_NOT_FOUND);
	assert_null(p);

	assert_int_equal(efi_uninstall_protocol_interface(h1, &guid_a, &iface1), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h2, &guid_b, &iface2), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h3, &guid_a, &iface3), EFI_SUCCESS);
}

static void test_notify_queues(void **state)
{
	struct fake_event e1 = {0}, e2 = {0}, eb = {0};
	void *r1, *r2, *rb, *p;
	EFI_HANDLE got, *buf;
	UINTN size, n;

	assert_int_equal(efi_register_protocol_notify(NULL, &e1, &r1), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_register_protocol_notify(&guid_a, NULL, &r1), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_register_protocol_notify(&guid_a, &e1, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_register_protocol_notify(&guid_a, &e1, &r1), EFI_SUCCESS);
	assert_int_equal(efi_register_protocol_notify(&guid_a, &e2, &r2), EFI_SUCCESS);
	assert_int_equal(efi_register_protocol_notify(&guid_b, &eb, &rb), EFI_SUCCESS);
	assert_ptr_not_equal(r1, r2);
	size = sizeof(got);
	assert_int_equal(efi_locate_handle(ByRegisterNotify, NULL, r1, &size, &got), EFI_NOT_FOUND);

	EFI_HANDLE h1 = new_handle(&guid_a, &iface1);
	EFI_HANDLE h2 = new_handle(&guid_a, &iface2);
	EFI_HANDLE h3 = new_handle(&guid_c, &iface3);
	assert_int_equal(e1.signals, 2);
	assert_int_equal(e2.signals, 2);
	assert_int_equal(eb.signals, 0);

	/* r1: one handle per call, oldest first; a too-small buffer keeps it. */
	size = 0;
	assert_int_equal(efi_locate_handle(ByRegisterNotify, NULL, r1, &size, NULL),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, sizeof(EFI_HANDLE));
	assert_int_equal(efi_locate_handle(ByRegisterNotify, NULL, r1, &size, &got), EFI_SUCCESS);
	assert_ptr_equal(got, h1);
	assert_int_equal(efi_locate_handle(ByRegisterNotify, NULL, r1, &size, &got), EFI_SUCCESS);
	assert_ptr_equal(got, h2);
	assert_int_equal(efi_locate_handle(ByRegisterNotify, NULL, r1, &size, &got), EFI_NOT_FOUND);

	/* r2 has its own queue: LocateProtocol with it walks the same two. */
	assert_int_equal(efi_locate_protocol(&guid_a, r2, &p), EFI_SUCCESS);
	assert_ptr_equal(p, &iface1);
	assert_int_equal(efi_locate_protocol(&guid_b, r2, &p), EFI_NOT_FOUND); /* not its GUID */
	assert_int_equal(efi_locate_handle_buffer(ByRegisterNotify, NULL, r2, &n, &buf),
			 EFI_SUCCESS);
	assert_int_equal(n, 1);
	assert_ptr_equal(buf[0], h2);
	free(buf);
	assert_int_equal(efi_locate_protocol(&guid_a, r2, &p), EFI_NOT_FOUND);

	/* Installing B on h3 reaches rb; a handle removed before it was
	 * reported is never reported. */
	assert_int_equal(efi_install_protocol_interface(&h3, &guid_b, EFI_NATIVE_INTERFACE, NULL),
			 EFI_SUCCESS);
	assert_int_equal(eb.signals, 1);
	EFI_HANDLE h4 = new_handle(&guid_b, &iface2);
	assert_int_equal(efi_uninstall_protocol_interface(h4, &guid_b, &iface2), EFI_SUCCESS);
	assert_int_equal(efi_locate_protocol(&guid_b, rb, &p), EFI_SUCCESS);
	assert_null(p);
	assert_int_equal(efi_locate_protocol(&guid_b, rb, &p), EFI_NOT_FOUND);
	/* So is one that lost the protocol but lives on. */
	assert_int_equal(efi_install_protocol_interface(&h1, &guid_b, EFI_NATIVE_INTERFACE, NULL),
			 EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h1, &guid_b, NULL), EFI_SUCCESS);
	assert_int_equal(efi_locate_protocol(&guid_b, rb, &p), EFI_NOT_FOUND);

	/* A closed event's registrations are gone. */
	efi_handle_event_closed(&e1);
	size = sizeof(got);
	assert_int_equal(efi_locate_handle(ByRegisterNotify, NULL, r1, &size, &got),
			 EFI_INVALID_PARAMETER);
	EFI_HANDLE h5 = new_handle(&guid_a, &iface3);
	assert_int_equal(e1.signals, 2);
	assert_int_equal(e2.signals, 3);

	efi_handle_event_closed(&e2);
	efi_handle_event_closed(&eb);
	assert_int_equal(efi_uninstall_protocol_interface(h1, &guid_a, &iface1), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h2, &guid_a, &iface2), EFI_SUCCESS);
	assert_int_equal(
	    efi_uninstall_multiple_protocol_interfaces(h3, &guid_c, &iface3, &guid_b, NULL, NULL),
	    EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h5, &guid_a, &iface3), EFI_SUCCESS);
}

/* A path builder on the stack for the LocateDevicePath tests. */
static EFI_DEVICE_PATH *path(uint8_t *buf, size_t cap, int depth)
{
	struct efi_dp_builder b;
	static const uint8_t mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};

	efi_dp_init(&b, buf, cap);
	efi_dp_add_pci_root(&b, false, 0);
	if (depth > 1)
		efi_dp_add_pci(&b, 2, 0);
	if (depth > 2)
		efi_dp_add_mac(&b, mac, 6, 1);
	if (depth > 3)
		efi_dp_add_file(&b, "/EFI/BOOT/BOOTX64.EFI");
	return efi_dp_finish(&b);
}

static void test_locate_device_path(void **state)
{
	uint8_t root[64], pci[64], mac[96], full[256], bad[16];
	EFI_DEVICE_PATH *p_root = path(root, sizeof(root), 1), *p_pci = path(pci, sizeof(pci), 2);
	EFI_DEVICE_PATH *p_mac = path(mac, sizeof(mac), 3), *p_full = path(full, sizeof(full), 4);
	EFI_HANDLE hr = NULL, hp = NULL, hm = NULL, got;
	EFI_DEVICE_PATH *dp;

	assert_int_equal(
	    efi_install_multiple_protocol_interfaces(&hr, &dp_guid, p_root, &guid_a, &iface1, NULL),
	    EFI_SUCCESS);
	assert_int_equal(
	    efi_install_multiple_protocol_interfaces(&hp, &dp_guid, p_pci, &guid_a, &iface1, NULL),
	    EFI_SUCCESS);
	assert_int_equal(
	    efi_install_multiple_protocol_interfaces(&hm, &dp_guid, p_mac, &guid_b, &iface2, NULL),
	    EFI_SUCCESS);
	dp = p_full;
	assert_int_equal(efi_locate_device_path_api(&guid_a, &dp, &got), EFI_SUCCESS);
	assert_ptr_equal(got, hp); /* the MAC handle is longer but lacks guid_a */
	assert_ptr_equal(dp, (uint8_t *)p_full + efi_devpath_instance_size(p_pci));
	assert_int_equal(efi_dp_type(dp), MESSAGING_DEVICE_PATH);
	dp = p_full;
	assert_int_equal(efi_locate_device_path_api(&guid_b, &dp, &got), EFI_SUCCESS);
	assert_ptr_equal(got, hm);
	assert_int_equal(efi_dp_type(dp), MEDIA_DEVICE_PATH);
	dp = p_full;
	assert_int_equal(efi_locate_device_path_api(&dp_guid, &dp, &got), EFI_SUCCESS);
	assert_ptr_equal(got, hm);
	dp = p_root;
	assert_int_equal(efi_locate_device_path_api(&guid_a, &dp, &got), EFI_SUCCESS);
	assert_ptr_equal(got, hr);
	assert_true(efi_dp_is_end_entire(dp));
	dp = p_full;
	assert_int_equal(efi_locate_device_path_api(&guid_c, &dp, &got), EFI_NOT_FOUND);
	assert_ptr_equal(dp, p_full);

	assert_int_equal(efi_locate_device_path_api(NULL, &dp, &got), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_device_path_api(&guid_a, NULL, &got), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_device_path_api(&guid_a, &dp, NULL), EFI_INVALID_PARAMETER);
	dp = NULL;
	assert_int_equal(efi_locate_device_path_api(&guid_a, &dp, &got), EFI_INVALID_PARAMETER);
	/* A path with a zero-length node is refused, not walked forever. */
	memset(bad, 0, sizeof(bad));
	bad[0] = 1;
	bad[1] = 1;
	dp = (EFI_DEVICE_PATH *)bad;
	assert_int_equal(efi_locate_device_path_api(&guid_a, &dp, &got), EFI_INVALID_PARAMETER);
	/* A handle whose own path is malformed is skipped. */
	EFI_HANDLE hb = NULL;
	assert_int_equal(efi_install_multiple_protocol_interfaces(&hb, &dp_guid, (void *)bad,
								  &guid_c, &iface3, NULL),
			 EFI_SUCCESS);
	dp = p_full;
	assert_int_equal(efi_locate_device_path_api(&guid_c, &dp, &got), EFI_NOT_FOUND);

	assert_int_equal(efi_uninstall_multiple_protocol_interfaces(hb, &dp_guid, (void *)bad,
								    &guid_c, &iface3, NULL),
			 EFI_SUCCESS);
	assert_int_equal(efi_uninstall_multiple_protocol_interfaces(hr, &dp_guid, p_root, &guid_a,
								    &iface1, NULL),
			 EFI_SUCCESS);
	assert_int_equal(
	    efi_uninstall_multiple_protocol_interfaces(hp, &dp_guid, p_pci, &guid_a, &iface1, NULL),
	    EFI_SUCCESS);
	assert_int_equal(
	    efi_uninstall_multiple_protocol_interfaces(hm, &dp_guid, p_mac, &guid_b, &iface2, NULL),
	    EFI_SUCCESS);
}

/* Our own BY_DRIVER opener with a release hook. */
struct stack {
	EFI_HANDLE agent;
	int asked;
	EFI_STATUS answer;
	bool close;
};

static EFI_STATUS release(EFI_HANDLE ctrl, const EFI_GUID *g, void *ctx)
{
	struct stack *s = ctx;
	s->asked++;
	if (s->close)
		assert_int_equal(efi_protocol_close(ctrl, g, s->agent, ctrl), EFI_SUCCESS);
	return s->answer;
}

static void test_release_hook(void **state)
{
	EFI_HANDLE nic = new_handle(&guid_a, &iface1), fw = new_handle(&guid_c, &iface3);
	EFI_HANDLE app = new_handle(&guid_c, &iface3);
	struct stack s = {fw, 0, EFI_SUCCESS, true};
	void *p;

	assert_int_equal(efi_protocol_open_driver(nic, &guid_a, fw, &p, release, &s), EFI_SUCCESS);
	assert_ptr_equal(p, &iface1);
	assert_int_equal(efi_protocol_open_driver(nic, &guid_a, fw, &p, release, &s),
			 EFI_ALREADY_STARTED);
	/* A program asking for it EXCLUSIVE makes our stack let go. */
	assert_int_equal(
	    efi_open_protocol(nic, &guid_a, &p, app, NULL, EFI_OPEN_PROTOCOL_EXCLUSIVE),
	    EFI_SUCCESS);
	assert_int_equal(s.asked, 1);
	assert_int_equal(efi_protocol_open_driver(nic, &guid_a, fw, &p, release, &s),
			 EFI_ACCESS_DENIED);
	assert_int_equal(efi_close_protocol(nic, &guid_a, app, NULL), EFI_SUCCESS);

	/* A refusal: the exclusive open and the uninstall fail. */
	assert_int_equal(efi_protocol_open_driver(nic, &guid_a, fw, &p, release, &s), EFI_SUCCESS);
	s.answer = EFI_DEVICE_ERROR;
	s.close = false;
	assert_int_equal(
	    efi_open_protocol(nic, &guid_a, &p, app, NULL, EFI_OPEN_PROTOCOL_EXCLUSIVE),
	    EFI_ACCESS_DENIED);
	assert_int_equal(efi_uninstall_protocol_interface(nic, &guid_a, &iface1),
			 EFI_ACCESS_DENIED);
	assert_int_equal(efi_disconnect_controller(nic, fw, NULL), EFI_DEVICE_ERROR);
	/* A hook that says yes but keeps the protocol open counts as a no. */
	s.answer = EFI_SUCCESS;
	s.asked = 0;
	assert_int_equal(efi_uninstall_protocol_interface(nic, &guid_a, &iface1),
			 EFI_ACCESS_DENIED);
	assert_int_equal(s.asked, 1);
	assert_true(efi_protocol_has(nic, &guid_a));
	/* Disconnect of another agent leaves ours alone. */
	s.asked = 0;
	assert_int_equal(efi_disconnect_controller(nic, app, NULL), EFI_SUCCESS);
	assert_int_equal(s.asked, 0);
	/* Now it lets go: the uninstall goes through and the NIC is gone. */
	s.close = true;
	assert_int_equal(efi_uninstall_protocol_interface(nic, &guid_a, &iface1), EFI_SUCCESS);
	assert_false(efi_handle_valid(nic));
	assert_int_equal(efi_uninstall_protocol_interface(fw, &guid_c, &iface3), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(app, &guid_c, &iface3), EFI_SUCCESS);
}

/* A program's bus driver: binds to handles with guid_a, opens it BY_DRIVER
 * and makes one child with guid_b opened BY_CHILD_CONTROLLER. */
struct driver {
	EFI_DRIVER_BINDING_PROTOCOL db;
	int supported, started, stopped_ctrl, stopped_kids;
	EFI_HANDLE child;
	int child_iface;
};

static EFI_STATUS EFIAPI drv_supported(EFI_DRIVER_BINDING_PROTOCOL *this, EFI_HANDLE ctrl,
				       EFI_DEVICE_PATH *rest)
{
	struct driver *d = (struct driver *)this;
	d->supported++;
	return efi_open_protocol(ctrl, &guid_a, NULL, this->DriverBindingHandle, ctrl,
				 EFI_OPEN_PROTOCOL_TEST_PROTOCOL) == EFI_SUCCESS
		   ? EFI_SUCCESS
		   : EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI drv_start(EFI_DRIVER_BINDING_PROTOCOL *this, EFI_HANDLE ctrl,
				   EFI_DEVICE_PATH *rest)
{
	struct driver *d = (struct driver *)this;
	EFI_HANDLE me = this->DriverBindingHandle;
	void *p;
	EFI_STATUS st = efi_open_protocol(ctrl, &guid_a, &p, me, ctrl, EFI_OPEN_PROTOCOL_BY_DRIVER);
	if (st != EFI_SUCCESS)
		return st;
	d->child = NULL;
	assert_int_equal(efi_install_protocol_interface(&d->child, &guid_b, EFI_NATIVE_INTERFACE,
							&d->child_iface),
			 EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(ctrl, &guid_a, &p, me, d->child,
					   EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
			 EFI_SUCCESS);
	d->started++;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI drv_stop(EFI_DRIVER_BINDING_PROTOCOL *this, EFI_HANDLE ctrl, UINTN n,
				  EFI_HANDLE *kids)
{
	struct driver *d = (struct driver *)this;
	EFI_HANDLE me = this->DriverBindingHandle;
	if (n) {
		assert_int_equal(n, 1);
		assert_ptr_equal(kids[0], d->child);
		assert_int_equal(efi_close_protocol(ctrl, &guid_a, me, d->child), EFI_SUCCESS);
		assert_int_equal(
		    efi_uninstall_protocol_interface(d->child, &guid_b, &d->child_iface),
		    EFI_SUCCESS);
		d->stopped_kids++;
		return EFI_SUCCESS;
	}
	d->stopped_ctrl++;
	return efi_close_protocol(ctrl, &guid_a, me, ctrl);
}

static void test_connect_and_disconnect_drivers(void **state)
{
	EFI_HANDLE ctrl = new_handle(&guid_a, &iface1), other = new_handle(&guid_c, &iface3);
	struct driver d = {.db = {drv_supported, drv_start, drv_stop, 0x10, NULL, NULL}};
	EFI_HANDLE dh = NULL;

	assert_int_equal(efi_connect_controller(NULL, NULL, NULL, FALSE), EFI_INVALID_PARAMETER);
	/* No Driver Binding anywhere: nothing to connect. */
	assert_int_equal(efi_connect_controller(ctrl, NULL, NULL, TRUE), EFI_NOT_FOUND);
	assert_int_equal(efi_disconnect_controller(ctrl, NULL, NULL), EFI_SUCCESS);

	assert_int_equal(efi_install_protocol_interface(&dh, &db_guid, EFI_NATIVE_INTERFACE, &d.db),
			 EFI_SUCCESS);
	d.db.ImageHandle = d.db.DriverBindingHandle = dh;
	assert_int_equal(efi_connect_controller(other, NULL, NULL, TRUE), EFI_NOT_FOUND);
	assert_int_equal(d.supported, 1);
	assert_int_equal(efi_connect_controller(ctrl, NULL, NULL, TRUE), EFI_SUCCESS);
	assert_int_equal(d.started, 1);
	assert_true(efi_handle_valid(d.child));
	/* Connecting again: the driver says it is started already. */
	assert_int_equal(efi_connect_controller(ctrl, NULL, NULL, FALSE), EFI_SUCCESS);
	assert_int_equal(d.started, 1);

	/* A child that is not the driver's: nothing happens. */
	assert_int_equal(efi_disconnect_controller(ctrl, dh, other), EFI_SUCCESS);
	assert_int_equal(d.stopped_kids + d.stopped_ctrl, 0);
	/* Its only child: the child, then (s.7.3.13, as EDK2) the controller. */
	assert_int_equal(efi_disconnect_controller(ctrl, dh, d.child), EFI_SUCCESS);
	assert_int_equal(d.stopped_kids, 1);
	assert_int_equal(d.stopped_ctrl, 1);
	assert_int_equal(efi_disconnect_controller(ctrl, NULL, NULL), EFI_SUCCESS);
	assert_int_equal(d.stopped_ctrl, 1);

	/* Uninstalling the controller's protocol stops the driver first. */
	EFI_HANDLE list[] = {other, dh, NULL}; /* "other" has no Driver Binding */
	assert_int_equal(efi_connect_controller(ctrl, list, NULL, FALSE), EFI_SUCCESS);
	assert_int_equal(d.started, 2);
	EFI_HANDLE child = d.child;
	assert_int_equal(efi_uninstall_protocol_interface(ctrl, &guid_a, &iface1), EFI_SUCCESS);
	assert_int_equal(d.stopped_kids, 2);
	assert_int_equal(d.stopped_ctrl, 2);
	assert_false(efi_handle_valid(ctrl));
	assert_false(efi_handle_valid(child));

	assert_int_equal(efi_uninstall_protocol_interface(dh, &db_guid, &d.db), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(other, &guid_c, &iface3), EFI_SUCCESS);
}

static void test_forget_agent(void **state)
{
	EFI_HANDLE nic = new_handle(&guid_a, &iface1), img = new_handle(&guid_c, &iface3);
	EFI_HANDLE other = new_handle(&guid_c, &iface3);
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	UINTN n;
	void *p;

	assert_int_equal(
	    efi_open_protocol(nic, &guid_a, &p, img, NULL, EFI_OPEN_PROTOCOL_EXCLUSIVE),
	    EFI_SUCCESS);
	assert_int_equal(
	    efi_open_protocol(nic, &guid_a, &p, other, img, EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
	    EFI_SUCCESS);
	assert_int_equal(
	    efi_open_protocol(nic, &guid_a, &p, other, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL),
	    EFI_SUCCESS);
	/* The image exits: what it held (or was the controller of) goes. */
	efi_handle_forget_agent(img);
	assert_int_equal(efi_open_protocol_information(nic, &guid_a, &e, &n), EFI_SUCCESS);
	assert_int_equal(n, 1);
	assert_ptr_equal(e[0].AgentHandle, other);
	assert_int_equal(e[0].Attributes, EFI_OPEN_PROTOCOL_GET_PROTOCOL);
	free(e);
	assert_int_equal(
	    efi_open_protocol(nic, &guid_a, &p, other, NULL, EFI_OPEN_PROTOCOL_EXCLUSIVE),
	    EFI_SUCCESS);
	efi_handle_forget_agent(NULL);
	efi_handle_forget_agent(other);
	assert_int_equal(efi_uninstall_protocol_interface(nic, &guid_a, &iface1), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(img, &guid_c, &iface3), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(other, &guid_c, &iface3), EFI_SUCCESS);
}

static void test_fill_boot_services(void **state)
{
	EFI_BOOT_SERVICES bs;

	memset(&bs, 0, sizeof(bs));
	efi_handle_fill_boot_services(&bs);
	assert_ptr_equal(bs.InstallProtocolInterface, efi_install_protocol_interface);
	assert_ptr_equal(bs.OpenProtocol, efi_open_protocol);
	assert_ptr_equal(bs.LocateDevicePath, efi_locate_device_path_api);
	assert_ptr_equal(bs.UninstallMultipleProtocolInterfaces,
			 efi_uninstall_multiple_protocol_interfaces);
	assert_non_null(bs.ConnectController);
	assert_non_null(bs.ProtocolsPerHandle);
	/* Through the table, as a program calls it (the variadic one too). */
	EFI_HANDLE h = NULL;
	assert_int_equal(
	    bs.InstallMultipleProtocolInterfaces(&h, &guid_a, &iface1, &guid_b, &iface2, NULL),
	    EFI_SUCCESS);
	assert_int_equal(
	    bs.UninstallMultipleProtocolInterfaces(h, &guid_b, &iface2, &guid_a, &iface1, NULL),
	    EFI_SUCCESS);
	assert_false(efi_handle_valid(h));
}

int main(void)
{
	/* Each test must leave the database empty (check_empty). */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_install_creates_and_refuses_duplicates, check_empty),
	    cmocka_unit_test_teardown(test_uninstall_last_protocol_removes_handle, check_empty),
	    cmocka_unit_test_teardown(test_foreign_pointers_are_refused, check_empty),
	    cmocka_unit_test_teardown(test_reinstall, check_empty),
	    cmocka_unit_test_teardown(test_install_multiple_all_or_nothing, check_empty),
	    cmocka_unit_test_teardown(test_install_multiple_refuses_existing_device_path,
				      check_empty),
	    cmocka_unit_test_teardown(test_uninstall_multiple_all_or_nothing, check_empty),
	    cmocka_unit_test_teardown(test_open_protocol_arguments, check_empty),
	    cmocka_unit_test_teardown(test_open_protocol_exclusivity, check_empty),
	    cmocka_unit_test_teardown(test_open_information_and_close, check_empty),
	    cmocka_unit_test_teardown(test_protocols_per_handle, check_empty),
	    cmocka_unit_test_teardown(test_locate_handle, check_empty),
	    cmocka_unit_test_teardown(test_notify_queues, check_empty),
	    cmocka_unit_test_teardown(test_locate_device_path, check_empty),
	    cmocka_unit_test_teardown(test_release_hook, check_empty),
	    cmocka_unit_test_teardown(test_connect_and_disconnect_drivers, check_empty),
	    cmocka_unit_test_teardown(test_forget_agent, check_empty),
	    cmocka_unit_test_teardown(test_fill_boot_services, check_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
