/* The EFI-program row of the payload table: a fetched PE/COFF file runs
 * through the UEFI core, with the NIC it came from as its device. */
#include <efi_boot.h>
#include <efi_run.h>
#include <efi_status.h>
#include <log.h>
#include <snp.h>

int efi_boot_payload(const char *name, const struct fetched *f, const char *cmdline)
{
	struct efi_run r = {
		.name = name,
		.data = f->data,
		.size = f->size,
		.device_path = snp_count() ? snp_device_path(0) : NULL,
		.cmdline = cmdline,
	};
	efi_run_image(&r);
	return -1;
}
