/* Fuzz the device path code (efi/core/devpath.c, devpath_text.c) and
 * LocateDevicePath (efi/core/handle_locate.c) with a device path from a
 * hostile program or a LoadImage call: the input is the raw path bytes.
 *
 * The validator runs on it with its real size; only a path it accepts goes
 * on to the services that take paths without a size (as the firmware does:
 * nothing walks a path before it is validated). Then: to-text of the path
 * and of every node, dup/append/append-node, the prefix test, the builder
 * copying it, LocateDevicePath against a small database, and an install
 * of it as a handle's device path (the already-started check) followed by
 * a lookup through it. Any crash, sanitizer report or broken invariant
 * (abort) is a bug. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <efi_devpath.h>
#include <efi_handle.h>

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

/* No events are registered here; the database never signals one. */
EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT e)
{
	abort();
}

static EFI_GUID guid_net = {0x1234, 0x5678, 0x9abc, {1, 2, 3, 4, 5, 6, 7, 8}};
static EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
static EFI_HANDLE nic, root;
static int iface;

/* A database with PciRoot(0x0) and PciRoot(0x0)/Pci(0x2,0x0)/MAC(...). */
static void setup(void)
{
	static uint8_t root_buf[32], nic_buf[96];
	static const uint8_t mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
	struct efi_dp_builder b;

	efi_dp_init(&b, root_buf, sizeof(root_buf));
	efi_dp_add_pci_root(&b, false, 0);
	EFI_DEVICE_PATH *r = efi_dp_finish(&b);
	efi_dp_init(&b, nic_buf, sizeof(nic_buf));
	efi_dp_add_path(&b, r);
	efi_dp_add_pci(&b, 2, 0);
	efi_dp_add_mac(&b, mac, 6, 1);
	EFI_DEVICE_PATH *n = efi_dp_finish(&b);
	if (efi_protocol_install(&root, &dp_guid, r) || efi_protocol_install(&nic, &dp_guid, n) ||
	    efi_protocol_install(&nic, &guid_net, &iface))
		abort();
}

/* Text is a NUL-terminated string of at most a few characters per byte. */
static void check_text(CHAR16 *t, size_t in_len)
{
	size_t n = 0;

	if (!t)
		abort(); /* only out of memory may fail, and calloc does not */
	while (t[n])
		n++;
	if (n > 16 + 80 * in_len)
		abort();
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;

	if (!ready) {
		setup();
		ready = true;
	}
	/* An exact-size copy: ASan sees any read past the end. */
	uint8_t *in = malloc(size ? size : 1);
	if (size)
		memcpy(in, data, size);
	const EFI_DEVICE_PATH *dp = (const EFI_DEVICE_PATH *)in;

	/* A single node, bounded by the input. */
	CHAR16 *t = efi_devpath_text_node(dp, size);
	if (t)
		check_text(t, size);
	else if (size >= 4 && efi_dp_node_len(dp) >= 4 && efi_dp_node_len(dp) <= size)
		abort();

	size_t total = efi_devpath_size(dp, size);
	if (!total) {
		if (efi_devpath_text(dp, size))
			abort();
		free(in);
		return 0;
	}
	if (total > size || total < 4)
		abort();
	check_text(efi_devpath_text(dp, size), size);

	/* Every node (the walk the validator allowed). */
	for (size_t off = 0; off < total;) {
		const EFI_DEVICE_PATH *node = (const EFI_DEVICE_PATH *)(in + off);
		check_text(efi_devpath_text_node(node, total - off), size);
		off += efi_dp_node_len(node);
	}

	EFI_DEVICE_PATH *d = efi_devpath_dup(dp);
	if (!d || memcmp(d, in, total) != 0)
		abort();
	EFI_DEVICE_PATH *a = efi_devpath_append(dp, d);
	if (!a || efi_devpath_size(a, EFI_DEVPATH_LIMIT) != 2 * total - 4)
		abort();
	if (efi_devpath_prefix(dp, a) != (long)efi_devpath_instance_size(dp))
		abort();
	EFI_DEVICE_PATH *an = efi_devpath_append_node(dp, dp);
	if (!an || !efi_devpath_valid(an, EFI_DEVPATH_LIMIT))
		abort();
	free(an);
	free(a);

	struct efi_dp_builder b;
	efi_dp_init(&b, NULL, 0);
	efi_dp_add_path(&b, dp);
	efi_dp_add_pci(&b, 1, 0);
	EFI_DEVICE_PATH *built = efi_dp_finish(&b);
	if (!built || efi_devpath_size(built, EFI_DEVPATH_LIMIT) != total + 6)
		abort();
	free(built);

	/* LocateDevicePath: the remainder is inside the path, on a node. */
	EFI_DEVICE_PATH *rest = (EFI_DEVICE_PATH *)in;
	EFI_HANDLE h;
	if (efi_locate_device_path(&dp_guid, &rest, &h) == EFI_SUCCESS) {
		if ((uint8_t *)rest < in || (uint8_t *)rest >= in + total)
			abort();
		if (h != root && h != nic)
			abort();
	}

	/* Installed as a device's path: refused if it names a device we
	 * have, else found again through itself. */
	EFI_HANDLE mine = NULL;
	EFI_STATUS st = efi_install_multiple_protocol_interfaces(&mine, &dp_guid, d, NULL);
	if (st == EFI_SUCCESS) {
		rest = d;
		if (efi_locate_device_path(&dp_guid, &rest, &h) != EFI_SUCCESS ||
		    !efi_dp_is_end(rest))
			abort();
		if (efi_uninstall_protocol_interface(mine, &dp_guid, d) != EFI_SUCCESS)
			abort();
	} else if (st != EFI_ALREADY_STARTED || mine) {
		abort();
	}
	if (efi_handles_with(NULL, NULL, 0) != 2)
		abort();
	free(d);
	free(in);
	return 0;
}
