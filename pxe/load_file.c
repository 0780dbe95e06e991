/* EFI_LOAD_FILE_PROTOCOL on the boot NIC (UEFI 2.10 s.13.1): the DHCP boot
 * file, through the fetch layer, as OVMF's PXE driver offers it to its
 * boot manager. The first call (no buffer, or one too small) fetches the
 * file and answers EFI_BUFFER_TOO_SMALL with its size; the file is kept,
 * so the call with a large enough buffer copies it without asking the
 * server again, then lets it go. */
#include <string.h>
#include <efi_devpath.h>
#include <efi_load_file.h>
#include <fetch.h>
#include <log.h>
#include <pxe.h>
#include <pxe_bc.h>

static struct fetched cached;
static bool have_cached;

static EFI_STATUS EFIAPI load_file(EFI_LOAD_FILE_PROTOCOL *This, EFI_DEVICE_PATH *FilePath,
				   BOOLEAN BootPolicy, UINTN *BufferSize, VOID *Buffer)
{
	struct pxe_bc *bc = &pxe_bc_state;

	if (This != pxe_load_file_protocol() || !BufferSize)
		return EFI_INVALID_PARAMETER;
	/* s.13.1: a network device serves its boot file, named by nothing
	 * more than an end node. */
	if (FilePath && !efi_dp_is_end(FilePath))
		return EFI_NOT_FOUND;
	if (!BootPolicy)
		return EFI_UNSUPPORTED; /* only the boot file, as EDK2's PXE driver */
	if (!bc->installed || !bc->dhcp->lease.boot_file[0])
		return EFI_NOT_FOUND;
	if (!have_cached) {
		if (fetch_file(bc->fc, bc->dhcp->lease.boot_file, &cached)) {
			fetch_report(&cached, "LoadFile fails");
			return efi_fetch_status(cached.err);
		}
		have_cached = true;
	}
	EFI_STATUS s = efi_load_file_copy(&cached, BufferSize, Buffer);
	if (s == EFI_SUCCESS)
		have_cached = false;
	return s;
}

EFI_LOAD_FILE_INTERFACE *pxe_load_file_protocol(void)
{
	static EFI_LOAD_FILE_INTERFACE lf = {load_file};

	return &lf;
}
