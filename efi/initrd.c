/* The Linux initrd for an EFI-stub kernel: EFI_LOAD_FILE2_PROTOCOL on a
 * handle whose device path is VenMedia(LINUX_EFI_INITRD_MEDIA_GUID), the
 * way Linux 5.8+ asks for it (Documentation/admin-guide/efi-stub.rst) and
 * as systemd-stub and OVMF's loaders provide it. */
#include <string.h>
#include <efi_handle.h>
#include <efi_initrd.h>
#include <log.h>
#include <sysmem.h>

struct initrd_path {
	VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH end;
} __attribute__((packed));

static const EFI_GUID load_file2_guid = { 0x4006c0c1, 0xfcb3, 0x403e,
					  { 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } };
static const EFI_GUID device_path_guid = DEVICE_PATH_PROTOCOL;

static struct initrd_path path = {
	.vendor = { { MEDIA_DEVICE_PATH, MEDIA_VENDOR_DP,
		      { sizeof(VENDOR_DEVICE_PATH), 0 } },
		    { 0x5568e427, 0x68fc, 0x4f3d, { 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } } },
	.end = { END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, { 4, 0 } },
};

static EFI_HANDLE handle;
static const uint8_t *data;
static size_t size;

/* UEFI 2.10 s.13.2: LoadFile2 never takes BootPolicy TRUE. */
static EFI_STATUS EFIAPI initrd_load_file(EFI_LOAD_FILE_INTERFACE *self, EFI_DEVICE_PATH *fp,
					  BOOLEAN boot_policy, UINTN *buf_size, VOID *buf)
{
	if (!buf_size || !fp)
		return EFI_INVALID_PARAMETER;
	if (boot_policy)
		return EFI_UNSUPPORTED;
	/* The remaining path after the vendor node is the end node: no file name. */
	if (fp->Type != END_DEVICE_PATH_TYPE)
		return EFI_NOT_FOUND;
	if (!buf || *buf_size < size) {
		*buf_size = size;
		return EFI_BUFFER_TOO_SMALL;
	}
	memcpy(buf, data, size);
	*buf_size = size;
	log_info("efi: initrd handed to %s (%zu KiB)", "the kernel", size >> 10);
	return EFI_SUCCESS;
}

static EFI_LOAD_FILE_INTERFACE load_file2 = { initrd_load_file };

EFI_STATUS efi_initrd_register(const void *buf, size_t len)
{
	EFI_STATUS st;

	if (handle)
		efi_initrd_unregister();
	data = buf;
	size = len;
	st = efi_protocol_install(&handle, &device_path_guid, &path);
	if (!EFI_ERROR(st))
		st = efi_protocol_install(&handle, &load_file2_guid, &load_file2);
	if (EFI_ERROR(st))
		efi_initrd_unregister();
	return st;
}

void efi_initrd_unregister(void)
{
	if (!handle)
		return;
	efi_protocol_uninstall(handle, &load_file2_guid, &load_file2);
	efi_protocol_uninstall(handle, &device_path_guid, &path);
	handle = NULL;
	data = NULL;
	size = 0;
}
