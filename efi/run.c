/* Run one EFI program the way a boot manager does (UEFI 2.10 s.3.1):
 * LoadImage from memory, LoadOptions from the command line, an initrd
 * offered through LoadFile2 for a Linux EFI stub, StartImage, and one line
 * that says how it ended. */
#include <string.h>
#include <efi_image.h>
#include <efi_init.h>
#include <efi_initrd.h>
#include <efi_run.h>
#include <efi_status.h>
#include <log.h>
#include <sysmem.h>

/* The command line as UCS-2 with a terminating NUL (what Linux's stub
 * and systemd-boot read from LoadOptions). */
static CHAR16 *ucs2_options(const char *s, UINT32 *bytes)
{
	size_t n = strlen(s);
	CHAR16 *w = sysmem_zalloc((n + 1) * sizeof(CHAR16));

	if (!w)
		return NULL;
	for (size_t i = 0; i < n; i++)
		w[i] = (unsigned char)s[i];
	*bytes = (UINT32)((n + 1) * sizeof(CHAR16));
	return w;
}

EFI_STATUS efi_run_image(const struct efi_run *r)
{
	EFI_HANDLE h;
	EFI_STATUS st = efi_image_load(efi_firmware_handle(), r->device_path, r->data, r->size,
				       r->name, &h);

	if (EFI_ERROR(st))
		return st; /* efi_image_load said why */
	EFI_LOADED_IMAGE_PROTOCOL *li = efi_image_loaded(h);
	CHAR16 *opts = NULL;
	if (r->cmdline && r->cmdline[0] && li) {
		opts = ucs2_options(r->cmdline, &li->LoadOptionsSize);
		li->LoadOptions = opts;
	}
	if (r->initrd && EFI_ERROR(efi_initrd_register(r->initrd, r->initrd_size)))
		log_warn("efi: %s: cannot offer the initrd through LoadFile2", r->name);
	log_info("efi: starting %s (%llu KiB)%s%s%s", r->name, (unsigned long long)(r->size >> 10),
		 opts ? " with options '" : "", opts ? r->cmdline : "", opts ? "'" : "");
	UINTN exit_size = 0;
	CHAR16 *exit_data = NULL;
	st = efi_image_start(h, &exit_size, &exit_data);
	efi_initrd_unregister();
	if (opts)
		sysmem_free(opts);
	char why[80] = "";
	if (exit_data) {
		size_t o = 0;
		for (size_t i = 0; i < exit_size / 2 && exit_data[i] && o + 1 < sizeof(why); i++)
			why[o++] = exit_data[i] < 0x7f && exit_data[i] >= 0x20 ? (char)exit_data[i] : '?';
		why[o] = '\0';
		sysmem_free(exit_data);
	}
	if (EFI_ERROR(st))
		log_error("efi: %s returned %s%s%s", r->name, efi_status_str(st), why[0] ? ": " : "",
			  why);
	else
		log_info("efi: %s returned %s%s%s", r->name, efi_status_str(st), why[0] ? ": " : "",
			 why);
	return st;
}
