/* Whole-file reads over EFI_FILE_PROTOCOL and file device paths (UEFI 2.10
 * s.13.4, s.13.5, s.10.3.5.4): LoadImage with no source buffer and the
 * disk boot read through these, whatever file system driver is below. */
#include <string.h>
#include <efi_devpath.h>
#include <efi_file.h>
#include <efi_handle.h>
#include <memmap.h>
#include <sysmem.h>

/* Bigger than any name a FAT volume holds: a GetInfo asking for more is
 * not believed. */
#define FILE_INFO_MAX (SIZE_OF_EFI_FILE_INFO + 1024 * sizeof(CHAR16))

static const EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
static const EFI_GUID file_info_guid = EFI_FILE_INFO_ID;

EFI_FILE_INFO *efi_file_info(EFI_FILE_HANDLE f, EFI_STATUS *st)
{
	UINTN size = SIZE_OF_EFI_FILE_INFO + 256 * sizeof(CHAR16);

	for (int tries = 0; tries < 2; tries++) {
		EFI_FILE_INFO *info = sysmem_zalloc(size);
		if (!info) {
			*st = EFI_OUT_OF_RESOURCES;
			return NULL;
		}
		UINTN got = size;
		*st = f->GetInfo(f, (EFI_GUID *)&file_info_guid, &got, info);
		if (!EFI_ERROR(*st) && got >= SIZE_OF_EFI_FILE_INFO)
			return info;
		sysmem_free(info);
		if (*st != EFI_BUFFER_TOO_SMALL || got > FILE_INFO_MAX || got <= size)
			break;
		size = got;
	}
	if (!EFI_ERROR(*st))
		*st = EFI_VOLUME_CORRUPTED;
	return NULL;
}

EFI_STATUS efi_file_read_all(EFI_FILE_HANDLE f, uint32_t type, uint64_t max, uint8_t **buf,
			     uint64_t *size, uint64_t *pages)
{
	EFI_STATUS st;
	EFI_FILE_INFO *info = efi_file_info(f, &st);

	if (!info)
		return st;
	uint64_t n = info->FileSize, attr = info->Attribute;
	sysmem_free(info);
	if (attr & EFI_FILE_DIRECTORY)
		return EFI_ACCESS_DENIED;
	if (n > max)
		return EFI_BAD_BUFFER_SIZE;
	uint64_t pg = memmap_pages(n ? n : 1);
	uint8_t *b = sysmem_alloc_pages(pg, type, 0);
	if (!b)
		return EFI_OUT_OF_RESOURCES;
	/* Read until the size GetInfo gave; a read that brings nothing
	 * before then means the file is shorter than it said. */
	for (uint64_t got = 0; got < n;) {
		UINTN chunk = (UINTN)(n - got);
		st = f->Read(f, &chunk, b + got);
		if (EFI_ERROR(st) || !chunk || chunk > n - got) {
			memmap_free(&sys_memmap, (uintptr_t)b, pg);
			return EFI_ERROR(st) ? st : EFI_VOLUME_CORRUPTED;
		}
		got += chunk;
	}
	*buf = b;
	*size = n;
	*pages = pg;
	return EFI_SUCCESS;
}

EFI_STATUS efi_file_open_path(EFI_DEVICE_PATH *dp, EFI_FILE_HANDLE *out)
{
	EFI_DEVICE_PATH *rest = dp;
	EFI_HANDLE h;
	EFI_FILE_HANDLE dir, f;

	if (EFI_ERROR(efi_locate_device_path(&sfs_guid, &rest, &h)))
		return EFI_NOT_FOUND;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs = efi_protocol_find(h, &sfs_guid);
	if (!sfs || efi_dp_is_end(rest))
		return EFI_NOT_FOUND;
	EFI_STATUS st = sfs->OpenVolume(sfs, &dir);
	if (EFI_ERROR(st))
		return st;
	/* Each file path node names the next piece, relative to the last. */
	for (const EFI_DEVICE_PATH *n = rest; !efi_dp_is_end(n);
	     n = (const EFI_DEVICE_PATH *)((const uint8_t *)n + efi_dp_node_len(n))) {
		size_t len = efi_dp_node_len(n);
		if (efi_dp_type(n) != MEDIA_DEVICE_PATH || efi_dp_subtype(n) != MEDIA_FILEPATH_DP ||
		    len < 6 || (len & 1)) {
			dir->Close(dir);
			return EFI_NOT_FOUND;
		}
		/* The node's name, NUL-terminated even if the node is not. */
		size_t chars = (len - 4) / 2;
		CHAR16 *name = sysmem_zalloc((chars + 1) * sizeof(CHAR16));
		if (!name) {
			dir->Close(dir);
			return EFI_OUT_OF_RESOURCES;
		}
		memcpy(name, (const uint8_t *)n + 4, chars * sizeof(CHAR16));
		st = dir->Open(dir, &f, name, EFI_FILE_MODE_READ, 0);
		sysmem_free(name);
		dir->Close(dir);
		if (EFI_ERROR(st))
			return st;
		dir = f;
	}
	*out = dir;
	return EFI_SUCCESS;
}
