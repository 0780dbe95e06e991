/* The EFI-program row of the payload table: a fetched PE/COFF file runs
 * through the UEFI core, with the NIC it came from as its device, the
 * command line as LoadOptions and the initrds as one LoadFile2 buffer. */
#include <efi_boot.h>
#include <efi_run.h>
#include <linux.h>
#include <log.h>
#include <pxe_bc.h>
#include <snp.h>
#include <sysmem.h>

int efi_boot_payload(const char *name, const struct fetched *f, const struct payload_args *a)
{
	struct efi_run r = {
		.name = name,
		.data = f->data,
		.size = f->size,
		/* The NIC it came from (PXE Base Code's), so its DeviceHandle
		 * is that NIC, as under OVMF. */
		.device_path = pxe_bc_device_path() ? pxe_bc_device_path()
				: snp_count()	    ? snp_device_path(0)
						    : NULL,
		.cmdline = a->cmdline,
	};
	uint8_t *joined = NULL;
	uint64_t size = 0;

	if (a->n_initrds == 1) {
		r.initrd = a->initrds[0].data;
		r.initrd_size = a->initrds[0].size;
	} else if (a->n_initrds > 1) {
		joined = linux_initrd_concat(a->initrds, a->n_initrds, 0, &size);
		if (!joined) {
			log_error("efi: %s: no memory to join %zu initrds", name, a->n_initrds);
			return -1;
		}
		r.initrd = joined;
		r.initrd_size = size;
	}
	efi_run_image(&r);
	if (joined)
		memmap_free(&sys_memmap, (uintptr_t)joined, memmap_pages(size ? size : 1));
	return -1;
}
