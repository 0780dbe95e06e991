/* EFI_SIMPLE_FILE_SYSTEM_PROTOCOL and EFI_FILE_PROTOCOL (UEFI 2.10 s.13.4,
 * s.13.5) over the FAT core, on a handle with Block IO. File handles are
 * revision 2: OpenEx, ReadEx, WriteEx and FlushEx finish at once and
 * signal the token's event. A directory's Read returns one EFI_FILE_INFO
 * per call, "." and ".." included as EDK2's FAT driver does. */
#include <string.h>
#include <disk.h>
#include <efi_event.h>
#include <efi_handle.h>
#include <fat.h>
#include <log.h>
#include <rtc.h>
#include <sysmem.h>

#define FAT_FS_MAGIC   0x46415466u /* "fTAF" */
#define FAT_FILE_MAGIC 0x46415446u /* "FTAF" */

struct fat_fs {
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL sfs; /* first: the interface is the struct */
	uint32_t magic;
	EFI_BLOCK_IO_PROTOCOL *bio;
	struct fat_vol vol;
};

struct fat_file {
	EFI_FILE_PROTOCOL proto; /* first */
	uint32_t magic;
	struct fat_fs *fs;
	struct fat_node *node;
	uint64_t pos;	    /* files */
	uint32_t dir_index; /* directories: the next entry */
	bool writable;
};

static const EFI_GUID fat_sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static const EFI_GUID fat_bio_guid = EFI_BLOCK_IO_PROTOCOL_GUID;
static const EFI_GUID fat_info_guid = EFI_FILE_INFO_ID;
static const EFI_GUID fat_fsinfo_guid = EFI_FILE_SYSTEM_INFO_ID;
static const EFI_GUID fat_label_guid = EFI_FILE_SYSTEM_VOLUME_LABEL_ID;

/* The core's errors as UEFI 2.10 s.13.5 names them. */
static EFI_STATUS fat_status(int r)
{
	switch (r) {
	case FAT_OK:
		return EFI_SUCCESS;
	case FAT_ENOENT:
	case FAT_ENOTDIR:
		return EFI_NOT_FOUND;
	case FAT_EIO:
		return EFI_DEVICE_ERROR;
	case FAT_ECORRUPT:
		return EFI_VOLUME_CORRUPTED;
	case FAT_ENOSPC:
		return EFI_VOLUME_FULL;
	case FAT_EINVAL:
		return EFI_INVALID_PARAMETER;
	case FAT_EROFS:
		return EFI_WRITE_PROTECTED;
	case FAT_ENOMEM:
		return EFI_OUT_OF_RESOURCES;
	case FAT_EISDIR:
	case FAT_EFBIG:
		return EFI_UNSUPPORTED;
	default: /* EEXIST, ENOTEMPTY, EACCES */
		return EFI_ACCESS_DENIED;
	}
}

static struct fat_file *fat_file_of(EFI_FILE_PROTOCOL *p)
{
	struct fat_file *f = (struct fat_file *)p;

	return f && f->magic == FAT_FILE_MAGIC ? f : NULL;
}

static size_t fat_strlen16(const CHAR16 *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static int fat_rtc_now(struct rtc_time *t)
{
	return rtc_cmos_read(t);
}

static void fat_to_efi_time(const struct rtc_time *r, EFI_TIME *t)
{
	memset(t, 0, sizeof(*t));
	t->Year = r->year;
	t->Month = r->month;
	t->Day = r->day;
	t->Hour = r->hour;
	t->Minute = r->minute;
	t->Second = r->second;
	t->TimeZone = EFI_UNSPECIFIED_TIMEZONE;
}

static bool fat_efi_time_set(const EFI_TIME *t)
{
	return t->Year || t->Month || t->Day || t->Hour || t->Minute || t->Second;
}

static void fat_from_efi_time(const EFI_TIME *t, struct rtc_time *r)
{
	*r = (struct rtc_time){.year = t->Year,
			       .month = t->Month,
			       .day = t->Day,
			       .hour = t->Hour,
			       .minute = t->Minute,
			       .second = t->Second};
}

static EFI_FILE_PROTOCOL *fat_file_new(struct fat_fs *fs, struct fat_node *n, bool writable);

/* s.13.5.2 */
static EFI_STATUS EFIAPI fat_efi_open(EFI_FILE_PROTOCOL *This, EFI_FILE_PROTOCOL **NewHandle,
				      CHAR16 *FileName, UINT64 OpenMode, UINT64 Attributes)
{
	struct fat_file *f = fat_file_of(This);
	struct fat_node *n;

	if (!f || !NewHandle || !FileName)
		return EFI_INVALID_PARAMETER;
	if (OpenMode != EFI_FILE_MODE_READ &&
	    OpenMode != (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE) &&
	    OpenMode != (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE))
		return EFI_INVALID_PARAMETER;
	bool create = OpenMode & EFI_FILE_MODE_CREATE, write = OpenMode & EFI_FILE_MODE_WRITE;
	if (create && (Attributes & ~(UINT64)EFI_FILE_VALID_ATTR))
		return EFI_INVALID_PARAMETER;
	if (write && f->fs->vol.dev.read_only)
		return EFI_WRITE_PROTECTED;
	unsigned flags = create ? FAT_OPEN_CREATE : 0;
	if (create && (Attributes & EFI_FILE_DIRECTORY))
		flags |= FAT_OPEN_DIR;
	int r = fat_open(&f->fs->vol, f->node, FileName, flags, (uint8_t)(Attributes & 0x27), &n);
	if (r)
		return fat_status(r);
	/* s.13.5.2: a read-only file cannot be opened for writing. */
	if (write && (n->attr & FAT_ATTR_READ_ONLY) && !n->is_dir) {
		fat_node_put(n);
		return EFI_ACCESS_DENIED;
	}
	*NewHandle = fat_file_new(f->fs, n, write);
	if (!*NewHandle) {
		fat_node_put(n);
		return EFI_OUT_OF_RESOURCES;
	}
	return EFI_SUCCESS;
}

static void fat_file_free(struct fat_file *f)
{
	fat_node_put(f->node);
	f->magic = 0;
	sysmem_free(f);
}

static EFI_STATUS EFIAPI fat_efi_close(EFI_FILE_PROTOCOL *This)
{
	struct fat_file *f = fat_file_of(This);

	if (!f)
		return EFI_INVALID_PARAMETER;
	fat_file_free(f);
	return EFI_SUCCESS;
}

/* s.13.5.4: the handle is closed whatever happens. */
static EFI_STATUS EFIAPI fat_efi_delete(EFI_FILE_PROTOCOL *This)
{
	struct fat_file *f = fat_file_of(This);

	if (!f)
		return EFI_INVALID_PARAMETER;
	int r = f->writable ? fat_delete(f->node) : FAT_EACCES;
	fat_file_free(f);
	return r ? EFI_WARN_DELETE_FAILURE : EFI_SUCCESS;
}

/* One EFI_FILE_INFO (s.13.5.16) for a name, into buf if it fits. */
static EFI_STATUS fat_fill_info(const uint16_t *name, uint64_t size, uint64_t phys, uint8_t attr,
				const struct fat_times *t, UINTN *BufferSize, VOID *Buffer)
{
	size_t len = fat_strlen16(name);
	UINTN need = SIZE_OF_EFI_FILE_INFO + (len + 1) * sizeof(CHAR16);

	if (*BufferSize < need || !Buffer) {
		*BufferSize = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	EFI_FILE_INFO *info = Buffer;
	memset(info, 0, SIZE_OF_EFI_FILE_INFO);
	info->Size = need;
	info->FileSize = size;
	info->PhysicalSize = phys;
	fat_to_efi_time(&t->create, &info->CreateTime);
	fat_to_efi_time(&t->access, &info->LastAccessTime);
	fat_to_efi_time(&t->modify, &info->ModificationTime);
	info->Attribute = attr & EFI_FILE_VALID_ATTR;
	memcpy(info->FileName, name, (len + 1) * sizeof(CHAR16));
	*BufferSize = need;
	return EFI_SUCCESS;
}

/* s.13.5.5: files from the position; directories one entry a call. */
static EFI_STATUS EFIAPI fat_efi_read(EFI_FILE_PROTOCOL *This, UINTN *BufferSize, VOID *Buffer)
{
	struct fat_file *f = fat_file_of(This);
	struct fat_node *n;
	int r;

	if (!f || !BufferSize || (*BufferSize && !Buffer))
		return EFI_INVALID_PARAMETER;
	n = f->node;
	if (n->deleted)
		return EFI_DEVICE_ERROR;
	if (n->is_dir) {
		struct fat_entry *e = sysmem_zalloc(sizeof(*e));
		uint32_t index = f->dir_index;
		EFI_STATUS st;

		if (!e)
			return EFI_OUT_OF_RESOURCES;
		r = fat_dir_next(n, &index, e);
		if (r == FAT_ENOENT) {
			*BufferSize = 0;
			st = EFI_SUCCESS;
		} else if (r) {
			st = fat_status(r);
		} else {
			uint64_t cs = f->fs->vol.cluster_size;
			uint64_t phys = (((uint64_t)e->size + cs - 1) / cs) * cs;
			bool dir = e->attr & FAT_ATTR_DIRECTORY;
			st = fat_fill_info(e->name, dir ? 0 : e->size, dir ? cs : phys, e->attr,
					   &e->times, BufferSize, Buffer);
			if (!st)
				f->dir_index = index; /* too small: the same entry next time */
		}
		sysmem_free(e);
		return st;
	}
	if (f->pos > n->size)
		return EFI_DEVICE_ERROR; /* s.13.5.5: past the end of the file */
	size_t done;
	r = fat_read(n, f->pos, Buffer, *BufferSize, &done);
	if (r)
		return fat_status(r);
	f->pos += done;
	*BufferSize = done;
	return EFI_SUCCESS;
}

/* s.13.5.6 */
static EFI_STATUS EFIAPI fat_efi_write(EFI_FILE_PROTOCOL *This, UINTN *BufferSize, VOID *Buffer)
{
	struct fat_file *f = fat_file_of(This);
	size_t done;

	if (!f || !BufferSize || (*BufferSize && !Buffer))
		return EFI_INVALID_PARAMETER;
	if (f->node->deleted)
		return EFI_DEVICE_ERROR;
	if (f->node->is_dir)
		return EFI_UNSUPPORTED;
	if (!f->writable)
		return EFI_ACCESS_DENIED;
	int r = fat_write(f->node, f->pos, Buffer, *BufferSize, &done);
	if (r) {
		*BufferSize = 0;
		return fat_status(r);
	}
	f->pos += done;
	*BufferSize = done;
	return EFI_SUCCESS;
}

/* s.13.5.8: all ones is the end of the file; directories only rewind. */
static EFI_STATUS EFIAPI fat_efi_set_position(EFI_FILE_PROTOCOL *This, UINT64 Position)
{
	struct fat_file *f = fat_file_of(This);

	if (!f)
		return EFI_INVALID_PARAMETER;
	if (f->node->deleted)
		return EFI_DEVICE_ERROR;
	if (f->node->is_dir) {
		if (Position)
			return EFI_UNSUPPORTED;
		f->dir_index = 0;
		return EFI_SUCCESS;
	}
	f->pos = Position == ~0ULL ? f->node->size : Position;
	return EFI_SUCCESS;
}

/* s.13.5.7 */
static EFI_STATUS EFIAPI fat_efi_get_position(EFI_FILE_PROTOCOL *This, UINT64 *Position)
{
	struct fat_file *f = fat_file_of(This);

	if (!f || !Position)
		return EFI_INVALID_PARAMETER;
	if (f->node->deleted)
		return EFI_DEVICE_ERROR;
	if (f->node->is_dir)
		return EFI_UNSUPPORTED;
	*Position = f->pos;
	return EFI_SUCCESS;
}

/* s.13.5.9: EFI_FILE_INFO, EFI_FILE_SYSTEM_INFO, the volume label. */
static EFI_STATUS EFIAPI fat_efi_get_info(EFI_FILE_PROTOCOL *This, EFI_GUID *Type,
					  UINTN *BufferSize, VOID *Buffer)
{
	struct fat_file *f = fat_file_of(This);
	struct fat_vol *v;
	int r;

	if (!f || !Type || !BufferSize || (*BufferSize && !Buffer))
		return EFI_INVALID_PARAMETER;
	v = &f->fs->vol;
	if (!memcmp(Type, &fat_info_guid, sizeof(EFI_GUID))) {
		struct fat_node *n = f->node;
		uint16_t *name = sysmem_zalloc((FAT_NAME_MAX + 1) * sizeof(uint16_t));
		struct fat_times t;
		EFI_STATUS st;

		if (!name)
			return EFI_OUT_OF_RESOURCES;
		r = fat_node_name(n, name);
		if (!r)
			r = fat_node_times(n, &t);
		if (r)
			st = fat_status(r);
		else
			st = fat_fill_info(
			    name, n->is_dir ? 0 : n->size, (uint64_t)n->nclus * v->cluster_size,
			    n->is_root ? FAT_ATTR_DIRECTORY : n->attr, &t, BufferSize, Buffer);
		sysmem_free(name);
		return st;
	}
	uint16_t label[12];
	fat_label(v, label);
	size_t len = fat_strlen16(label);
	if (!memcmp(Type, &fat_fsinfo_guid, sizeof(EFI_GUID))) {
		UINTN need = SIZE_OF_EFI_FILE_SYSTEM_INFO + (len + 1) * sizeof(CHAR16);
		uint64_t free_bytes;

		if (*BufferSize < need) {
			*BufferSize = need;
			return EFI_BUFFER_TOO_SMALL;
		}
		if ((r = fat_free_bytes(v, &free_bytes)))
			return fat_status(r);
		EFI_FILE_SYSTEM_INFO *fsi = Buffer;
		fsi->Size = need;
		fsi->ReadOnly = v->dev.read_only;
		fsi->VolumeSize = (uint64_t)v->clusters * v->cluster_size;
		fsi->FreeSpace = free_bytes;
		fsi->BlockSize = v->cluster_size;
		memcpy(fsi->VolumeLabel, label, (len + 1) * sizeof(CHAR16));
		*BufferSize = need;
		return EFI_SUCCESS;
	}
	if (!memcmp(Type, &fat_label_guid, sizeof(EFI_GUID))) {
		UINTN need = SIZE_OF_EFI_FILE_SYSTEM_VOLUME_LABEL_INFO + (len + 1) * sizeof(CHAR16);

		if (*BufferSize < need) {
			*BufferSize = need;
			return EFI_BUFFER_TOO_SMALL;
		}
		memcpy(((EFI_FILE_SYSTEM_VOLUME_LABEL *)Buffer)->VolumeLabel, label,
		       (len + 1) * sizeof(CHAR16));
		*BufferSize = need;
		return EFI_SUCCESS;
	}
	return EFI_UNSUPPORTED;
}

/* SetInfo with EFI_FILE_INFO: a new name (rename, a path moves it), a new
 * size (truncate or grow), attributes and the non-zero times. */
static EFI_STATUS fat_set_file_info(struct fat_file *f, UINTN BufferSize, EFI_FILE_INFO *info)
{
	struct fat_node *n = f->node;
	size_t max = (BufferSize - SIZE_OF_EFI_FILE_INFO) / sizeof(CHAR16), len = 0;
	int r;

	if (info->Size < SIZE_OF_EFI_FILE_INFO + sizeof(CHAR16) || info->Size > BufferSize)
		return EFI_BAD_BUFFER_SIZE;
	while (len < max && info->FileName[len])
		len++;
	if (len == max)
		return EFI_BAD_BUFFER_SIZE; /* no terminator inside the buffer */
	if (info->Attribute & ~(UINT64)EFI_FILE_VALID_ATTR)
		return EFI_INVALID_PARAMETER;
	if (n->is_root || !!(info->Attribute & EFI_FILE_DIRECTORY) != n->is_dir)
		return EFI_ACCESS_DENIED;
	if (n->deleted)
		return EFI_DEVICE_ERROR;
	if (f->fs->vol.dev.read_only)
		return EFI_WRITE_PROTECTED;
	if (!f->writable)
		return EFI_ACCESS_DENIED;

	uint16_t *cur = sysmem_zalloc((FAT_NAME_MAX + 1) * sizeof(uint16_t));
	if (!cur)
		return EFI_OUT_OF_RESOURCES;
	r = fat_node_name(n, cur);
	if (!r && (len != fat_strlen16(cur) || memcmp(cur, info->FileName, len * sizeof(CHAR16))))
		r = fat_rename(n, info->FileName);
	sysmem_free(cur);
	if (!r && !n->is_dir && info->FileSize != n->size)
		r = fat_truncate(n, info->FileSize);
	struct fat_times t;
	if (!r)
		r = fat_node_times(n, &t);
	if (r)
		return fat_status(r);
	if (fat_efi_time_set(&info->CreateTime))
		fat_from_efi_time(&info->CreateTime, &t.create);
	if (fat_efi_time_set(&info->LastAccessTime))
		fat_from_efi_time(&info->LastAccessTime, &t.access);
	if (fat_efi_time_set(&info->ModificationTime))
		fat_from_efi_time(&info->ModificationTime, &t.modify);
	return fat_status(fat_set_attr(n, (uint8_t)(info->Attribute & 0x27), &t));
}

/* s.13.5.10 */
static EFI_STATUS EFIAPI fat_efi_set_info(EFI_FILE_PROTOCOL *This, EFI_GUID *Type, UINTN BufferSize,
					  VOID *Buffer)
{
	struct fat_file *f = fat_file_of(This);

	if (!f || !Type || !Buffer)
		return EFI_INVALID_PARAMETER;
	if (!memcmp(Type, &fat_info_guid, sizeof(EFI_GUID))) {
		if (BufferSize < SIZE_OF_EFI_FILE_INFO + sizeof(CHAR16))
			return EFI_BAD_BUFFER_SIZE;
		return fat_set_file_info(f, BufferSize, Buffer);
	}
	/* Of EFI_FILE_SYSTEM_INFO only the label can change (s.13.5.10). */
	const CHAR16 *label = NULL;
	size_t chars = 0;
	if (!memcmp(Type, &fat_fsinfo_guid, sizeof(EFI_GUID))) {
		if (BufferSize < SIZE_OF_EFI_FILE_SYSTEM_INFO + sizeof(CHAR16))
			return EFI_BAD_BUFFER_SIZE;
		label = ((EFI_FILE_SYSTEM_INFO *)Buffer)->VolumeLabel;
		chars = (BufferSize - SIZE_OF_EFI_FILE_SYSTEM_INFO) / sizeof(CHAR16);
	} else if (!memcmp(Type, &fat_label_guid, sizeof(EFI_GUID))) {
		if (BufferSize < sizeof(CHAR16))
			return EFI_BAD_BUFFER_SIZE;
		label = ((EFI_FILE_SYSTEM_VOLUME_LABEL *)Buffer)->VolumeLabel;
		chars = BufferSize / sizeof(CHAR16);
	} else {
		return EFI_UNSUPPORTED;
	}
	uint16_t l[13];
	size_t n = 0;
	while (n < chars && n < 12 && label[n])
		l[n] = label[n], n++;
	if (n == chars)
		return EFI_BAD_BUFFER_SIZE; /* no terminator inside the buffer */
	if (n == 12)
		return EFI_INVALID_PARAMETER; /* longer than a FAT label */
	l[n] = 0;
	if (f->fs->vol.dev.read_only)
		return EFI_WRITE_PROTECTED;
	return fat_status(fat_set_label(&f->fs->vol, l));
}

/* s.13.5.11: writes are through already; flush the device. */
static EFI_STATUS EFIAPI fat_efi_flush(EFI_FILE_PROTOCOL *This)
{
	struct fat_file *f = fat_file_of(This);

	if (!f)
		return EFI_INVALID_PARAMETER;
	if (f->node->deleted)
		return EFI_DEVICE_ERROR;
	if (!f->writable)
		return EFI_ACCESS_DENIED;
	return fat_status(fat_sync(&f->fs->vol));
}

/* The revision 2 calls (s.13.5.12-15) finish before they return. */
static EFI_STATUS fat_token_done(EFI_FILE_IO_TOKEN *Token, EFI_STATUS st)
{
	Token->Status = st;
	if (Token->Event)
		efi_signal_event(Token->Event);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI fat_efi_open_ex(EFI_FILE_PROTOCOL *This, EFI_FILE_PROTOCOL **NewHandle,
					 CHAR16 *FileName, UINT64 OpenMode, UINT64 Attributes,
					 EFI_FILE_IO_TOKEN *Token)
{
	if (!Token)
		return EFI_INVALID_PARAMETER;
	return fat_token_done(Token, fat_efi_open(This, NewHandle, FileName, OpenMode, Attributes));
}

static EFI_STATUS EFIAPI fat_efi_read_ex(EFI_FILE_PROTOCOL *This, EFI_FILE_IO_TOKEN *Token)
{
	if (!Token)
		return EFI_INVALID_PARAMETER;
	return fat_token_done(Token, fat_efi_read(This, &Token->BufferSize, Token->Buffer));
}

static EFI_STATUS EFIAPI fat_efi_write_ex(EFI_FILE_PROTOCOL *This, EFI_FILE_IO_TOKEN *Token)
{
	if (!Token)
		return EFI_INVALID_PARAMETER;
	return fat_token_done(Token, fat_efi_write(This, &Token->BufferSize, Token->Buffer));
}

static EFI_STATUS EFIAPI fat_efi_flush_ex(EFI_FILE_PROTOCOL *This, EFI_FILE_IO_TOKEN *Token)
{
	if (!Token)
		return EFI_INVALID_PARAMETER;
	return fat_token_done(Token, fat_efi_flush(This));
}

static EFI_FILE_PROTOCOL *fat_file_new(struct fat_fs *fs, struct fat_node *n, bool writable)
{
	struct fat_file *f = sysmem_zalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->proto = (EFI_FILE_PROTOCOL){
	    .Revision = EFI_FILE_PROTOCOL_REVISION2,
	    .Open = fat_efi_open,
	    .Close = fat_efi_close,
	    .Delete = fat_efi_delete,
	    .Read = fat_efi_read,
	    .Write = fat_efi_write,
	    .GetPosition = fat_efi_get_position,
	    .SetPosition = fat_efi_set_position,
	    .GetInfo = fat_efi_get_info,
	    .SetInfo = fat_efi_set_info,
	    .Flush = fat_efi_flush,
	    .OpenEx = fat_efi_open_ex,
	    .ReadEx = fat_efi_read_ex,
	    .WriteEx = fat_efi_write_ex,
	    .FlushEx = fat_efi_flush_ex,
	};
	f->magic = FAT_FILE_MAGIC;
	f->fs = fs;
	f->node = n;
	f->writable = writable;
	return &f->proto;
}

/* s.13.4.2: the root directory, readable and (unless the device is
 * read-only) writable. */
static EFI_STATUS EFIAPI fat_efi_open_volume(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *This,
					     EFI_FILE_PROTOCOL **Root)
{
	struct fat_fs *fs = (struct fat_fs *)This;

	if (!fs || fs->magic != FAT_FS_MAGIC || !Root)
		return EFI_INVALID_PARAMETER;
	struct fat_node *n = fat_root(&fs->vol);
	*Root = fat_file_new(fs, n, !fs->vol.dev.read_only);
	if (!*Root) {
		fat_node_put(n);
		return EFI_OUT_OF_RESOURCES;
	}
	return EFI_SUCCESS;
}

int fat_connect(EFI_HANDLE h)
{
	EFI_BLOCK_IO_PROTOCOL *bio = efi_protocol_find(h, &fat_bio_guid);
	struct blkdev dev;

	if (!bio || efi_protocol_has(h, &fat_sfs_guid) || blkdev_from_efi(bio, &dev))
		return -1;
	struct fat_fs *fs = sysmem_zalloc(sizeof(*fs));
	if (!fs)
		return -1;
	fs->vol.now = fat_rtc_now;
	int r = fat_mount(&fs->vol, &dev);
	if (r) {
		if (r != FAT_ECORRUPT)
			log_warn("fat: cannot read the volume (error %d)", r);
		sysmem_free(fs);
		return -1;
	}
	fs->magic = FAT_FS_MAGIC;
	fs->bio = bio;
	fs->sfs.Revision = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_REVISION;
	fs->sfs.OpenVolume = fat_efi_open_volume;
	if (efi_protocol_install(&h, &fat_sfs_guid, &fs->sfs)) {
		fat_unmount(&fs->vol);
		sysmem_free(fs);
		return -1;
	}
	uint16_t label[12];
	char l8[12];
	fat_label(&fs->vol, label);
	for (int i = 0; i < 12; i++)
		l8[i] = (char)label[i];
	log_info("fat: FAT%d volume, %llu KiB, %u-byte clusters%s%s%s", fs->vol.type,
		 (unsigned long long)(fs->vol.volume_bytes >> 10), fs->vol.cluster_size,
		 l8[0] ? ", label \"" : "", l8, l8[0] ? "\"" : "");
	return 0;
}
