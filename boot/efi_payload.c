/* The EFI-program row of the payload table: a fetched PE/COFF file runs
 * through the UEFI core, with the NIC it came from as its device, the
 * command line as LoadOptions and the initrds as one LoadFile2 buffer.
 *
 * Its device path is the one OVMF gives a network boot file:
 *   over TFTP  <NIC>/IPv4(0.0.0.0,0x0,DHCP,0.0.0.0,0.0.0.0,0.0.0.0)
 *              (EDK2's PxeBcDxe appends a zeroed IPv4 node to the NIC's
 *              path), with the NIC as DeviceHandle: PXE Base Code is there;
 *   over HTTP  <NIC>/IPv4(lease)/Uri(<url>) (UEFI 2.10 s.24.7.3.1), a
 *              handle of its own with LoadFile (include/http_boot.h). */
#include <efi_boot.h>
#include <efi_devpath.h>
#include <efi_run.h>
#include <http_boot.h>
#include <linux.h>
#include <log.h>
#include <pxe_bc.h>
#include <snp.h>
#include <string.h>
#include <sysmem.h>

/* The NIC the file came from: PXE Base Code's, else the first. */
static EFI_DEVICE_PATH *boot_nic_path(void)
{
	if (pxe_bc_device_path())
		return pxe_bc_device_path();
	return snp_count() ? snp_device_path(0) : NULL;
}

/* <NIC>/IPv4(zeroes, DHCP) in pool memory, or NULL. */
static EFI_DEVICE_PATH *pxe_image_path(EFI_DEVICE_PATH *nic)
{
	struct efi_dp_builder b;
	struct efi_dp_ipv4 ip = {.static_ip = false};

	if (!nic)
		return NULL;
	efi_dp_init(&b, NULL, 0);
	efi_dp_add_path(&b, nic);
	efi_dp_add_ipv4(&b, &ip);
	return efi_dp_finish(&b);
}

int efi_boot_payload(const char *name, const struct fetched *f, const struct payload_args *a)
{
	EFI_DEVICE_PATH *nic = boot_nic_path(), *own = NULL, *dp = NULL;

	if (f->scheme && !strcmp(f->scheme, "http"))
		dp = http_boot_image_path(name);
	if (!dp)
		dp = own = pxe_image_path(nic);
	if (!dp)
		dp = nic;
	struct efi_run r = {
	    .name = name,
	    .data = f->data,
	    .size = f->size,
	    .device_path = dp,
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
			if (own)
				sysmem_free(own);
			return -1;
		}
		r.initrd = joined;
		r.initrd_size = size;
	}
	efi_run_image(&r);
	if (joined)
		memmap_free(&sys_memmap, (uintptr_t)joined, memmap_pages(size ? size : 1));
	if (own)
		sysmem_free(own); /* LoadImage kept copies */
	return -1;
}
