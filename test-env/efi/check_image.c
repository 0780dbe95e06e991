/* Images: the Loaded Image protocol of efitest itself and its device
 * paths as text, LoadImage's errors, and LoadImage/StartImage/Exit of
 * efichild.efi from a buffer with variables passed both ways
 * (UEFI 2.10 s.7.4, s.9.1, s.10.6). */
#include "efitest.h"

static EFI_GUID t_li_dp_guid = EFI_LOADED_IMAGE_DEVICE_PATH_PROTOCOL_GUID;
static EFI_GUID t_vendor = T_VENDOR_GUID;

/* Case-insensitive CHAR16 comparison (ASCII letters only). */
static BOOLEAN t_text_eq(const CHAR16 *a, const CHAR16 *b)
{
	for (;; a++, b++) {
		CHAR16 x = *a >= 'a' && *a <= 'z' ? *a - 32 : *a;
		CHAR16 y = *b >= 'a' && *b <= 'z' ? *b - 32 : *b;

		if (x != y)
			return FALSE;
		if (!x)
			return TRUE;
	}
}

/* Load options as printable text, or a placeholder when they are binary. */
static const CHAR16 *t_options_text(EFI_LOADED_IMAGE *li)
{
	const CHAR16 *s = li->LoadOptions;
	UINTN n = li->LoadOptionsSize / 2;

	if (!s || li->LoadOptionsSize == 0)
		return L"(none)";
	if (li->LoadOptionsSize % 2)
		return L"(binary)";
	for (UINTN i = 0; i < n && s[i]; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return L"(binary)";
	if (s[n - 1] != 0)
		return L"(not NUL-terminated)";
	return s;
}

#define T_NAME "loaded-image"
/* s.9.1: the Loaded Image protocol on the image handle describes this
 * image; the Loaded Image Device Path protocol is there too; the device
 * handle carries a device path. */
void check_loaded_image(void)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_DEVICE_PATH *lidp = NULL, *devdp = NULL;
	UINT8 *base, *code = (UINT8 *)(UINTN)check_loaded_image;

	T_OK(BS->HandleProtocol(t_image, &gEfiLoadedImageProtocolGuid, (void **)&li),
	     "HandleProtocol(image, LoadedImage)");
	base = li->ImageBase;
	T_REQUIRE(li->Revision == EFI_LOADED_IMAGE_PROTOCOL_REVISION, L"revision 0x%x",
		  li->Revision);
	T_REQUIRE(li->SystemTable == ST, L"SystemTable is not the one efi_main got");
	T_REQUIRE(base && ((UINTN)base & 4095) == 0, L"ImageBase %lx", (UINT64)(UINTN)base);
	T_REQUIRE(code >= base && code < base + li->ImageSize,
		  L"our code at %lx is outside ImageBase %lx + ImageSize %lx", (UINT64)(UINTN)code,
		  (UINT64)(UINTN)base, li->ImageSize);
	T_REQUIRE(li->ImageCodeType == EfiLoaderCode && li->ImageDataType == EfiLoaderData,
		  L"image memory types %d/%d, expected LoaderCode/LoaderData", li->ImageCodeType,
		  li->ImageDataType);
	T_REQUIRE(li->FilePath != NULL, L"no FilePath");
	T_OK(BS->HandleProtocol(t_image, &t_li_dp_guid, (void **)&lidp),
	     "HandleProtocol(image, LoadedImageDevicePath)");
	T_REQUIRE(li->DeviceHandle != NULL, L"no DeviceHandle");
	T_OK(BS->HandleProtocol(li->DeviceHandle, &gEfiDevicePathProtocolGuid, (void **)&devdp),
	     "HandleProtocol(DeviceHandle, DevicePath)");
	/* ParentHandle is NULL for an image the boot manager loaded (s.9.1.1). */
	t_ok(T_NAME,
	     L"ImageBase 0x%lx ImageSize 0x%lx LoaderCode/LoaderData, parent %a, "
	     L"LoadedImageDevicePath present, load options %d bytes '%s'",
	     (UINT64)(UINTN)base, li->ImageSize,
	     li->ParentHandle ? "an image" : "NULL (boot manager)", li->LoadOptionsSize,
	     t_options_text(li));
out:
	return;
}
#undef T_NAME

/* A device path node into p: header then payload. */
static UINT8 *t_node(UINT8 *p, UINT8 type, UINT8 sub, const void *data, UINT16 len)
{
	p[0] = type;
	p[1] = sub;
	p[2] = (UINT8)(len + 4);
	p[3] = (UINT8)((len + 4) >> 8);
	CopyMem(p + 4, (void *)data, len);
	return p + 4 + len;
}

#define T_NAME "device-path-text"
/* s.10.6 Device Path To Text: a known path converts to the spec's text
 * forms; the paths efitest was loaded from convert. */
void check_device_path_text(void)
{
	static const UINT8 acpi[8] = {0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0}; /* PNP0A03, UID 0 */
	static const UINT8 pci[2] = {0, 2}; /* function 0, device 2 */
	static const UINT8 mac[33] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56, [32] = 1};
	static EFI_GUID dptt_guid = EFI_DEVICE_PATH_TO_TEXT_PROTOCOL_GUID;
	EFI_DEVICE_PATH_TO_TEXT_PROTOCOL *dptt;
	EFI_LOADED_IMAGE *li;
	EFI_DEVICE_PATH *devdp = NULL, *lidp = NULL;
	CHAR16 *known = NULL, *node = NULL, *dev = NULL, *file = NULL, *img = NULL;
	UINT8 path[64], *p, *macnode;

	T_OK(BS->LocateProtocol(&dptt_guid, NULL, (void **)&dptt),
	     "LocateProtocol(DevicePathToText)");
	p = t_node(path, ACPI_DEVICE_PATH, ACPI_DP, acpi, sizeof(acpi));
	p = t_node(p, HARDWARE_DEVICE_PATH, HW_PCI_DP, pci, sizeof(pci));
	macnode = p;
	p = t_node(p, MESSAGING_DEVICE_PATH, MSG_MAC_ADDR_DP, mac, sizeof(mac));
	t_node(p, END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, NULL, 0);
	known = dptt->ConvertDevicePathToText((EFI_DEVICE_PATH *)path, FALSE, FALSE);
	T_REQUIRE(known, L"ConvertDevicePathToText of PciRoot/Pci/MAC returned NULL");
	T_REQUIRE(t_text_eq(known, L"PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1)"),
		  L"known path converted to '%s'", known);
	node = dptt->ConvertDeviceNodeToText((EFI_DEVICE_PATH *)macnode, FALSE, FALSE);
	T_REQUIRE(node && t_text_eq(node, L"MAC(525400123456,0x1)"), L"MAC node converted to '%s'",
		  node ? node : L"(NULL)");

	T_OK(BS->HandleProtocol(t_image, &gEfiLoadedImageProtocolGuid, (void **)&li),
	     "HandleProtocol(image, LoadedImage)");
	T_OK(BS->HandleProtocol(t_image, &t_li_dp_guid, (void **)&lidp),
	     "HandleProtocol(image, LoadedImageDevicePath)");
	T_REQUIRE(li->DeviceHandle, L"no DeviceHandle");
	T_OK(BS->HandleProtocol(li->DeviceHandle, &gEfiDevicePathProtocolGuid, (void **)&devdp),
	     "HandleProtocol(DeviceHandle, DevicePath)");
	dev = dptt->ConvertDevicePathToText(devdp, FALSE, FALSE);
	file = li->FilePath ? dptt->ConvertDevicePathToText(li->FilePath, FALSE, FALSE) : NULL;
	img = dptt->ConvertDevicePathToText(lidp, FALSE, FALSE);
	T_REQUIRE(dev && dev[0] && img && img[0], L"device or image path did not convert");
	t_ok(T_NAME,
	     L"PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1) right; device '%s'; file "
	     L"'%s'; image '%s'",
	     dev, file ? file : L"(NULL)", img);
out:
	if (known)
		BS->FreePool(known);
	if (node)
		BS->FreePool(node);
	if (dev)
		BS->FreePool(dev);
	if (file)
		BS->FreePool(file);
	if (img)
		BS->FreePool(img);
}
#undef T_NAME

#define T_NAME "load-image"
/* s.7.4.1 LoadImage refuses what is not an image or is cut short; a loaded
 * image that never started can be unloaded (s.7.4.4). */
void check_load_image_errors(void)
{
	static UINT8 junk[4096];
	UINTN size = efichild_image_end - efichild_image;
	EFI_HANDLE h = NULL;
	EFI_STATUS st;

	T_REQUIRE(size > 1024 && efichild_image[0] == 'M' && efichild_image[1] == 'Z',
		  L"the embedded efichild.efi is not a PE image (%ld bytes)", size);
	SetMem(junk, sizeof(junk), 'X');
	st = BS->LoadImage(FALSE, t_image, NULL, junk, sizeof(junk), &h);
	T_REQUIRE(st == EFI_LOAD_ERROR || st == EFI_UNSUPPORTED,
		  L"LoadImage of 4 KiB of junk returned %r", st);
	h = NULL;
	st = BS->LoadImage(FALSE, t_image, NULL, (void *)efichild_image, 700, &h);
	T_REQUIRE(st == EFI_LOAD_ERROR || st == EFI_UNSUPPORTED || st == EFI_INVALID_PARAMETER,
		  L"LoadImage of a PE cut to 700 bytes returned %r", st);
	h = NULL;
	st = BS->LoadImage(FALSE, NULL, NULL, (void *)efichild_image, size, &h);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"LoadImage without a parent returned %r", st);
	h = NULL;
	T_OK(BS->LoadImage(FALSE, t_image, NULL, (void *)efichild_image, size, &h),
	     "LoadImage(efichild.efi)");
	T_OK(BS->UnloadImage(h), "UnloadImage of an image never started");
	h = NULL;
	t_ok(T_NAME,
	     L"junk LOAD_ERROR/UNSUPPORTED, truncated PE refused, no parent "
	     L"INVALID_PARAMETER, load + unload of a %ld-byte image",
	     size);
out:
	if (h)
		BS->UnloadImage(h);
}
#undef T_NAME

#define T_NAME "start-image"
/* s.7.4.2/7.4.3 StartImage and Exit: the child sees the parent's variable
 * and load options, sets its own variable, exits with T_CHILD_STATUS and
 * exit data; the parent sees all of it. */
void check_start_image(void)
{
	static const CHAR16 file[] = L"\\efichild.efi";
	static CHAR16 options[] = T_CHILD_OPTIONS;
	const UINT32 attrs = EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS;
	CHAR8 token[32], got[96], want[96];
	UINT8 fp[sizeof(file) + 8], *p;
	UINTN size = efichild_image_end - efichild_image, exit_size = 0, got_size, n;
	CHAR16 *exit_data = NULL;
	EFI_HANDLE child = NULL;
	EFI_LOADED_IMAGE *cli;
	UINT64 count = 0;
	UINT32 got_attrs;
	EFI_STATUS st;

	BS->GetNextMonotonicCount(&count);
	/* A token unique to this run: "parent-" and the count in hex. */
	CopyMem(token, "parent-", 7);
	for (n = 0; n < 16; n++)
		token[7 + n] = "0123456789abcdef"[(count >> (60 - 4 * n)) & 15];
	n = 23;
	token[n] = 0;
	T_OK(RT->SetVariable(L"WbTestParent", &t_vendor, attrs, n, token),
	     "SetVariable(WbTestParent)");
	RT->SetVariable(L"WbTestChild", &t_vendor, attrs, 0, NULL);

	p = t_node(fp, MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP, file, sizeof(file));
	t_node(p, END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, NULL, 0);
	T_OK(BS->LoadImage(FALSE, t_image, (EFI_DEVICE_PATH *)fp, (void *)efichild_image, size,
			   &child),
	     "LoadImage(efichild.efi from a buffer)");
	T_OK(BS->HandleProtocol(child, &gEfiLoadedImageProtocolGuid, (void **)&cli),
	     "HandleProtocol(child, LoadedImage)");
	T_REQUIRE(cli->ParentHandle == t_image, L"child's ParentHandle is not efitest");
	T_REQUIRE(cli->ImageBase && cli->ImageSize >= 4096, L"child ImageBase %lx size %lx",
		  (UINT64)(UINTN)cli->ImageBase, cli->ImageSize);
	cli->LoadOptions = options;
	cli->LoadOptionsSize = sizeof(options);

	st = BS->StartImage(child, &exit_size, &exit_data);
	child = NULL; /* an application is unloaded when it exits */
	T_REQUIRE(st == T_CHILD_STATUS, L"StartImage returned %r (0x%lx), expected 0x%lx", st,
		  (UINT64)st, (UINT64)T_CHILD_STATUS);
	T_REQUIRE(exit_data && exit_size == sizeof(T_CHILD_EXIT_DATA) &&
		      CompareMem(exit_data, T_CHILD_EXIT_DATA, exit_size) == 0,
		  L"exit data %ld bytes '%s', expected '%s'", exit_size,
		  exit_data ? exit_data : L"(NULL)", T_CHILD_EXIT_DATA);

	got_size = sizeof(got) - 1;
	T_OK(RT->GetVariable(L"WbTestChild", &t_vendor, &got_attrs, &got_size, got),
	     "GetVariable(WbTestChild) after StartImage");
	got[got_size] = 0;
	t_asprint(want, sizeof(want), "child saw %a", token);
	T_REQUIRE(got_size == t_strlen8((char *)want) && CompareMem(got, want, got_size) == 0,
		  L"WbTestChild is '%a', expected '%a'", got, want);
	T_REQUIRE(got_attrs == attrs, L"WbTestChild attributes 0x%x", got_attrs);
	got_size = sizeof(got) - 1;
	T_OK(RT->GetVariable(L"WbTestParent", &t_vendor, NULL, &got_size, got),
	     "GetVariable(WbTestParent) after StartImage");
	T_REQUIRE(got_size == n && CompareMem(got, token, n) == 0,
		  L"WbTestParent changed across StartImage");
	t_ok(T_NAME,
	     L"child exited with 0x%lx and exit data '%s'; it read '%a' and its "
	     L"variable '%a' survived",
	     (UINT64)st, exit_data, token, want);
out:
	if (exit_data)
		BS->FreePool(exit_data);
	if (child)
		BS->UnloadImage(child);
	RT->SetVariable(L"WbTestParent", &t_vendor, attrs, 0, NULL);
	RT->SetVariable(L"WbTestChild", &t_vendor, attrs, 0, NULL);
}
#undef T_NAME

#define T_NAME "load-uri"
/* s.7.4.1 LoadImage with no SourceBuffer on a URI device path (s.24.7.3):
 * when efitest itself came over HTTP (its image path ends in a Uri node),
 * the same path naming efichild.efi beside it loads the child through
 * LoadFile, which fetches it. Prints nothing on any other boot. */
void check_load_uri(void)
{
	static const char child[] = "efichild.efi";
	EFI_DEVICE_PATH *lidp;
	EFI_LOADED_IMAGE *cli;
	EFI_HANDLE h = NULL;
	UINT8 *p, *uri = NULL, *path = NULL, *q;
	CHAR8 url[512];
	UINTN n, cut = 0, want;
	UINT32 lfanew;

	if (EFI_ERROR(BS->HandleProtocol(t_image, &t_li_dp_guid, (void **)&lidp)))
		return;
	for (p = (UINT8 *)lidp; p[0] != END_DEVICE_PATH_TYPE; p += p[2] | p[3] << 8) {
		if ((p[2] | p[3] << 8) < 4)
			return;
		if (p[0] == MESSAGING_DEVICE_PATH && p[1] == 24)
			uri = p;
	}
	if (!uri)
		return;
	n = (uri[2] | uri[3] << 8) - 4;
	while (n && uri[4 + n - 1] == 0)
		n--; /* EDK2 keeps a NUL in the node */
	T_REQUIRE(n + sizeof(child) < sizeof(url), L"Uri node of %ld bytes", n);
	for (UINTN i = 0; i < n; i++) {
		url[i] = uri[4 + i];
		if (url[i] == '/')
			cut = i + 1;
	}
	CopyMem(url + cut, (void *)child, sizeof(child));
	n = cut + sizeof(child) - 1;
	T_OK(BS->AllocatePool(EfiBootServicesData, (uri - (UINT8 *)lidp) + 4 + n + 4,
			      (void **)&path),
	     "AllocatePool");
	CopyMem(path, lidp, uri - (UINT8 *)lidp);
	q = t_node(path + (uri - (UINT8 *)lidp), MESSAGING_DEVICE_PATH, 24, url, (UINT16)n);
	t_node(q, END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, NULL, 0);
	T_OK(BS->LoadImage(FALSE, t_image, (EFI_DEVICE_PATH *)path, NULL, 0, &h),
	     "LoadImage(<NIC>/IPv4/Uri(efichild.efi), no buffer)");
	T_OK(BS->HandleProtocol(h, &gEfiLoadedImageProtocolGuid, (void **)&cli),
	     "HandleProtocol(child, LoadedImage)");
	/* The embedded copy's SizeOfImage (PE32+ optional header + 56). */
	CopyMem(&lfanew, (void *)(efichild_image + 0x3c), 4);
	want = *(const UINT32 *)(efichild_image + lfanew + 24 + 56);
	T_REQUIRE(cli->ImageSize == want, L"loaded %ld bytes of image, efichild's is %ld",
		  cli->ImageSize, want);
	t_ok(T_NAME, L"LoadImage(..., Uri(%a), NULL, 0) fetched a %ld-byte image, as efichild's",
	     url, want);
out:
	if (h)
		BS->UnloadImage(h);
	if (path)
		BS->FreePool(path);
}
#undef T_NAME
