/* EFI_SIMPLE_FILE_SYSTEM_PROTOCOL and EFI_FILE_PROTOCOL (UEFI 2.10 s.13.4,
 * s.13.5) on a FAT volume a host test prepared: label WBFSTEST, holding
 * \EFI\Test Dir\Long File Name.txt of T_LEN bytes, byte i = T_PAT(i).
 *
 * The checks list the root, open a directory by path, read (whole, at a
 * position, at the end), write, truncate through SetInfo, rename, mkdir,
 * delete, and read the file system info; they leave \WRITTEN.TXT holding
 * T_WRITTEN for the host to read back. With no volume labelled WBFSTEST,
 * nothing runs (test_efi.py attaches no disk) unless a Block IO handle
 * holds a FAT boot sector labelled WBFSTEST: then the missing Simple File
 * System is a FAIL. */
#include "efitest.h"

#define T_LEN 10000
#define T_PAT(i) ((UINT8)((i) * 7 + 3))
#define T_WPAT(i) ((UINT8)((i) * 5 + 1))
#define T_WRITTEN "written by efitest\r\n"

static EFI_GUID t_sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID t_bio_guid = EFI_BLOCK_IO_PROTOCOL_GUID;
static EFI_GUID t_info_guid = EFI_FILE_INFO_ID;
static EFI_GUID t_fsinfo_guid = EFI_FILE_SYSTEM_INFO_ID;
static EFI_GUID t_label_guid = EFI_FILE_SYSTEM_VOLUME_LABEL_ID;

/* GetInfo of type into a new pool buffer (NULL on failure). */
static VOID *t_info(EFI_FILE_HANDLE f, EFI_GUID *type)
{
	UINTN size = 0;
	VOID *buf = NULL;

	if (f->GetInfo(f, type, &size, NULL) != EFI_BUFFER_TOO_SMALL ||
	    EFI_ERROR(BS->AllocatePool(EfiLoaderData, size, &buf)))
		return NULL;
	if (EFI_ERROR(f->GetInfo(f, type, &size, buf))) {
		BS->FreePool(buf);
		return NULL;
	}
	return buf;
}

/* True if a FAT boot sector labelled WBFSTEST is on some Block IO. */
static BOOLEAN t_fat_label_on_blockio(void)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;
	BOOLEAN found = FALSE;

	if (EFI_ERROR(BS->LocateHandleBuffer(ByProtocol, &t_bio_guid, NULL, &n, &hs)))
		return FALSE;
	for (UINTN i = 0; i < n && !found; i++) {
		EFI_BLOCK_IO *bio;
		UINT8 *b = NULL;

		if (EFI_ERROR(BS->HandleProtocol(hs[i], &t_bio_guid, (void **)&bio)) ||
		    !bio->Media->MediaPresent || bio->Media->BlockSize < 512 ||
		    EFI_ERROR(BS->AllocatePool(EfiLoaderData, bio->Media->BlockSize, (void **)&b)))
			continue;
		if (!EFI_ERROR(bio->ReadBlocks(bio, bio->Media->MediaId, 0, bio->Media->BlockSize,
					       b)))
			found = CompareMem(b + 43, "WBFSTEST", 8) == 0 ||
				CompareMem(b + 71, "WBFSTEST", 8) == 0;
		BS->FreePool(b);
	}
	BS->FreePool(hs);
	return found;
}

/* The root of the volume labelled WBFSTEST, or NULL. */
static EFI_FILE_HANDLE t_find_volume(UINTN *count)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;
	EFI_FILE_HANDLE found = NULL;

	*count = 0;
	if (EFI_ERROR(BS->LocateHandleBuffer(ByProtocol, &t_sfs_guid, NULL, &n, &hs)))
		return NULL;
	*count = n;
	for (UINTN i = 0; i < n && !found; i++) {
		EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs;
		EFI_FILE_HANDLE root;

		if (EFI_ERROR(BS->HandleProtocol(hs[i], &t_sfs_guid, (void **)&sfs)) ||
		    EFI_ERROR(sfs->OpenVolume(sfs, &root)))
			continue;
		EFI_FILE_SYSTEM_INFO *fsi = t_info(root, &t_fsinfo_guid);
		if (fsi && StrCmp(fsi->VolumeLabel, L"WBFSTEST") == 0)
			found = root;
		else
			root->Close(root);
		if (fsi)
			BS->FreePool(fsi);
	}
	BS->FreePool(hs);
	return found;
}

#define T_NAME "fileio-list"
/* The root lists EFI and reports the size it needs for a small buffer. */
static void t_list(EFI_FILE_HANDLE root)
{
	UINT8 buf[512];
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)buf;
	UINTN size, entries = 0;
	BOOLEAN efi = FALSE;

	T_OK(root->SetPosition(root, 0), "SetPosition(root, 0)");
	size = 4;
	T_STATUS(root->Read(root, &size, buf), EFI_BUFFER_TOO_SMALL, "Read(4 bytes)");
	T_REQUIRE(size > SIZE_OF_EFI_FILE_INFO && size <= sizeof(buf),
		  L"size needed %lu is not a FILE_INFO's", size);
	UINTN need = size;
	for (;;) {
		size = sizeof(buf);
		T_OK(root->Read(root, &size, buf), "Read(root)");
		if (!size)
			break;
		if (!entries)
			T_REQUIRE(size == need, L"first entry %lu bytes, %lu announced", size, need);
		T_REQUIRE(info->Size == size, L"entry Size %lu, Read gave %lu", info->Size, size);
		entries++;
		if (StriCmp(info->FileName, L"EFI") == 0)
			efi = (info->Attribute & EFI_FILE_DIRECTORY) != 0;
		T_REQUIRE(entries < 1000, L"the listing does not end");
	}
	T_REQUIRE(efi, L"no EFI directory in the root's %lu entries", entries);
	t_ok(T_NAME, L"%lu entries, EFI a directory, EFI_BUFFER_TOO_SMALL says %lu bytes", entries,
	     need);
out:;
}
#undef T_NAME

#define T_NAME "fileio-read"
/* Open a directory by path, a file relative to it, read and seek. */
static void t_read(EFI_FILE_HANDLE root)
{
	EFI_FILE_HANDLE dir = NULL, f = NULL;
	EFI_FILE_INFO *info = NULL;
	UINT8 *buf = NULL;
	UINTN size;
	UINT64 pos;

	T_OK(root->Open(root, &dir, L"\\efi\\TEST DIR", EFI_FILE_MODE_READ, 0),
	     "Open(\\efi\\TEST DIR)");
	info = t_info(dir, &t_info_guid);
	T_REQUIRE(info && (info->Attribute & EFI_FILE_DIRECTORY), L"no directory FILE_INFO");
	T_REQUIRE(StrCmp(info->FileName, L"Test Dir") == 0, L"directory named %s", info->FileName);
	T_STATUS(dir->SetPosition(dir, 1), EFI_UNSUPPORTED, "SetPosition(dir, 1)");
	T_OK(dir->Open(dir, &f, L"long file NAME.txt", EFI_FILE_MODE_READ, 0), "Open(relative)");
	BS->FreePool(info);
	info = t_info(f, &t_info_guid);
	T_REQUIRE(info && info->FileSize == T_LEN, L"FileSize %lu", info ? info->FileSize : 0);
	T_REQUIRE(StrCmp(info->FileName, L"Long File Name.txt") == 0, L"named %s", info->FileName);
	T_OK(BS->AllocatePool(EfiLoaderData, T_LEN + 100, (void **)&buf), "AllocatePool");
	size = T_LEN + 100;
	T_OK(f->Read(f, &size, buf), "Read(whole)");
	T_REQUIRE(size == T_LEN, L"read %lu bytes", size);
	for (UINTN i = 0; i < T_LEN; i++)
		T_REQUIRE(buf[i] == T_PAT(i), L"byte %lu is %u", i, buf[i]);
	T_OK(f->SetPosition(f, 5001), "SetPosition(5001)");
	size = 100;
	T_OK(f->Read(f, &size, buf), "Read(100 at 5001)");
	T_REQUIRE(size == 100 && buf[0] == T_PAT(5001) && buf[99] == T_PAT(5100),
		  L"read at 5001 wrong");
	T_OK(f->GetPosition(f, &pos), "GetPosition");
	T_REQUIRE(pos == 5101, L"position %lu", pos);
	T_OK(f->SetPosition(f, ~0ULL), "SetPosition(end)");
	T_OK(f->GetPosition(f, &pos), "GetPosition");
	T_REQUIRE(pos == T_LEN, L"end position %lu", pos);
	size = 10;
	T_OK(f->Read(f, &size, buf), "Read(at end)");
	T_REQUIRE(size == 0, L"%lu bytes at the end", size);
	T_STATUS(f->Write(f, &size, buf), EFI_ACCESS_DENIED, "Write(read-only handle)");
	t_ok(T_NAME, L"directory by path, file relative to it, %u bytes, SetPosition/GetPosition",
	     T_LEN);
out:
	if (buf)
		BS->FreePool(buf);
	if (info)
		BS->FreePool(info);
	if (f)
		f->Close(f);
	if (dir)
		dir->Close(dir);
}
#undef T_NAME

#define T_NAME "fileio-write"
/* Create, write, read back, truncate by SetInfo, rename, mkdir, delete. */
static void t_write(EFI_FILE_HANDLE root)
{
	EFI_FILE_HANDLE d = NULL, f = NULL, g = NULL;
	EFI_FILE_INFO *info = NULL;
	static UINT8 buf[6000];
	UINTN size;
	const UINT64 rwc = EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE;

	T_OK(root->Open(root, &d, L"\\New Dir", rwc, EFI_FILE_DIRECTORY), "Open(mkdir)");
	T_OK(d->Open(d, &f, L"A New File With A Long Name.bin", rwc, 0), "Open(create)");
	for (UINTN i = 0; i < sizeof(buf); i++)
		buf[i] = T_WPAT(i);
	size = sizeof(buf);
	T_OK(f->Write(f, &size, buf), "Write(6000)");
	T_REQUIRE(size == sizeof(buf), L"wrote %lu", size);
	T_OK(f->SetPosition(f, 0), "SetPosition(0)");
	SetMem(buf, sizeof(buf), 0);
	size = sizeof(buf);
	T_OK(f->Read(f, &size, buf), "Read(back)");
	for (UINTN i = 0; i < sizeof(buf); i++)
		T_REQUIRE(buf[i] == T_WPAT(i), L"byte %lu read back as %u", i, buf[i]);
	info = t_info(f, &t_info_guid);
	T_REQUIRE(info && info->FileSize == sizeof(buf), L"FileSize after write");
	/* SetInfo: a smaller size and a new name. */
	info->FileSize = 100;
	StrCpy(info->FileName, L"Renamed.bin");
	info->Size = SIZE_OF_EFI_FILE_INFO + sizeof(L"Renamed.bin");
	T_OK(f->SetInfo(f, &t_info_guid, info->Size, info), "SetInfo(size, name)");
	T_OK(f->Flush(f), "Flush");
	f->Close(f);
	f = NULL;
	T_STATUS(d->Open(d, &g, L"A New File With A Long Name.bin", EFI_FILE_MODE_READ, 0),
		 EFI_NOT_FOUND, "Open(old name)");
	g = NULL;
	T_OK(root->Open(root, &f, L"new dir\\RENAMED.BIN", EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE,
			0), "Open(new name)");
	BS->FreePool(info);
	info = t_info(f, &t_info_guid);
	T_REQUIRE(info && info->FileSize == 100, L"FileSize after SetInfo");
	/* A directory that is not empty is not deleted. */
	T_STATUS(d->Delete(d), EFI_WARN_DELETE_FAILURE, "Delete(non-empty directory)");
	d = NULL;
	T_OK(f->Delete(f), "Delete(file)");
	f = NULL;
	T_OK(root->Open(root, &d, L"\\New Dir", EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, 0),
	     "Open(dir again)");
	T_OK(d->Delete(d), "Delete(empty directory)");
	d = NULL;
	T_STATUS(root->Open(root, &g, L"\\New Dir", EFI_FILE_MODE_READ, 0), EFI_NOT_FOUND,
		 "Open(deleted directory)");
	g = NULL;
	/* Leave one file for the host. */
	T_OK(root->Open(root, &f, L"\\WRITTEN.TXT", rwc, 0), "Open(WRITTEN.TXT)");
	size = sizeof(T_WRITTEN) - 1;
	T_OK(f->Write(f, &size, T_WRITTEN), "Write(WRITTEN.TXT)");
	T_OK(f->Flush(f), "Flush");
	t_ok(T_NAME, L"mkdir, create, write, read back, truncate and rename by SetInfo, delete");
out:
	if (info)
		BS->FreePool(info);
	if (f)
		f->Close(f);
	if (g)
		g->Close(g);
	if (d)
		d->Close(d);
}
#undef T_NAME

#define T_NAME "fileio-fsinfo"
static void t_fsinfo(EFI_FILE_HANDLE root)
{
	EFI_FILE_SYSTEM_INFO *fsi = t_info(root, &t_fsinfo_guid);
	EFI_FILE_SYSTEM_VOLUME_LABEL *lab = t_info(root, &t_label_guid);

	T_REQUIRE(fsi && lab, L"GetInfo(FILE_SYSTEM_INFO or VOLUME_LABEL) failed");
	T_REQUIRE(fsi->VolumeSize > 0 && fsi->FreeSpace < fsi->VolumeSize && fsi->BlockSize >= 512,
		  L"size %lu free %lu block %u", fsi->VolumeSize, fsi->FreeSpace, fsi->BlockSize);
	T_REQUIRE(StrCmp(lab->VolumeLabel, L"WBFSTEST") == 0, L"label %s", lab->VolumeLabel);
	/* SetInfo(VOLUME_LABEL): lower case comes back upper case (the label
	 * stays WBFSTEST for the host); one FAT cannot hold is refused. */
	static CHAR16 lower[] = L"wbfstest", too_long[] = L"WBFSTEST-LONGER";
	EFI_STATUS st = root->SetInfo(root, &t_label_guid, sizeof(lower), lower);
	T_REQUIRE(st == EFI_SUCCESS, L"SetInfo(VOLUME_LABEL, wbfstest): %r", st);
	st = root->SetInfo(root, &t_label_guid, sizeof(too_long), too_long);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"SetInfo(VOLUME_LABEL, 15 chars): %r", st);
	BS->FreePool(lab);
	lab = t_info(root, &t_label_guid);
	T_REQUIRE(lab && StrCmp(lab->VolumeLabel, L"WBFSTEST") == 0, L"label after SetInfo %s",
		  lab ? lab->VolumeLabel : L"(none)");
	t_ok(T_NAME, L"%lu bytes, %lu free, %u-byte clusters, label %s", fsi->VolumeSize,
	     fsi->FreeSpace, fsi->BlockSize, lab->VolumeLabel);
out:
	if (fsi)
		BS->FreePool(fsi);
	if (lab)
		BS->FreePool(lab);
}
#undef T_NAME

/* Connect every controller (as the UEFI Shell's connect -r): a firmware
 * that boots from the network may not have started its disk drivers. */
static void t_connect_all(void)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;

	if (EFI_ERROR(BS->LocateHandleBuffer(AllHandles, NULL, NULL, &n, &hs)))
		return;
	for (UINTN i = 0; i < n; i++)
		BS->ConnectController(hs[i], NULL, NULL, TRUE);
	BS->FreePool(hs);
}

void check_fileio(void)
{
	UINTN count;
	EFI_FILE_HANDLE root;

	t_connect_all();
	root = t_find_volume(&count);

	if (!root) {
		if (t_fat_label_on_blockio())
			t_fail("fileio", L"a FAT volume labelled WBFSTEST has no Simple File System "
					 L"(%lu Simple File System handles)", count);
		else
			Print(L"efitest: no volume labelled WBFSTEST (%lu Simple File System "
			      L"handles): file checks not run\r\n", count);
		return;
	}
	t_list(root);
	t_read(root);
	t_write(root);
	t_fsinfo(root);
	root->Close(root);
}
