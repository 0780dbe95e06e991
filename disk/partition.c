/* Partition handles: the EFI layer over disk/gpt.c and disk/mbr.c, as
 * EDK2's PartitionDxe does it (UEFI 2.10 s.13.18 for PartitionInfo).
 *
 * partition_connect() opens a disk's EFI_BLOCK_IO_PROTOCOL BY_DRIVER for
 * the firmware (with a release hook that takes the children down when
 * someone disconnects the disk), reads its table (GPT, else MBR) and makes
 * one child handle per partition with:
 *   - EFI_DEVICE_PATH_PROTOCOL: the disk's path + HD(n,GPT|MBR,sig,start,size)
 *     (s.10.3.5.1);
 *   - EFI_BLOCK_IO_PROTOCOL: LogicalPartition, LastBlock relative to the
 *     partition, every request checked against it and shifted to the disk;
 *   - EFI_PARTITION_INFO_PROTOCOL (s.13.18), EFI_DISK_IO_PROTOCOL;
 *   - on an EFI System Partition, the ESP type GUID with a NULL interface,
 *     as EDK2 marks it.
 * Each child opens the disk's Block IO BY_CHILD_CONTROLLER (s.7.3.9). */
#include <string.h>
#include <disk.h>
#include <efigpt.h>
#include <efi_devpath.h>
#include <efi_handle.h>
#include <efi_init.h>
#include <format.h>
#include <log.h>
#include <partition.h>
#include <sysmem.h>

/* EFI_PARTITION_INFO_PROTOCOL, UEFI 2.10 s.13.18 (not in gnu-efi). */
#define PART_INFO_GUID                                                                             \
	{                                                                                          \
		0x8cf2f62c, 0xbc9b, 0x4821,                                                        \
		{                                                                                  \
			0x80, 0x8d, 0xec, 0x9e, 0xc4, 0x21, 0xa1, 0xa0                             \
		}                                                                                  \
	}
#define PART_INFO_REVISION 0x00001000
#define PART_INFO_TYPE_MBR 1
#define PART_INFO_TYPE_GPT 2

struct efi_partition_info {
	UINT32 Revision;
	UINT32 Type;
	UINT8 System;
	UINT8 Reserved[7];
	union {
		UINT8 Mbr[16];
		EFI_PARTITION_ENTRY Gpt;
	} Info;
} __attribute__((packed));

_Static_assert(sizeof(struct efi_partition_info) == 144, "EFI_PARTITION_INFO_PROTOCOL layout");

#define PART_MAGIC 0x54524150 /* "PART" */

/* One partition's handle. */
struct part_child {
	EFI_BLOCK_IO_PROTOCOL bio;
	EFI_BLOCK_IO_MEDIA media;
	struct efi_partition_info info;
	uint32_t magic;
	bool esp;
	EFI_BLOCK_IO_PROTOCOL *parent;
	EFI_HANDLE handle;
	EFI_DEVICE_PATH *path;
	uint64_t start;
};

/* One connected disk and its children. */
struct part_disk {
	struct part_disk *next;
	EFI_HANDLE handle;
	size_t count;
	struct part_child *kids[PART_MAX];
};

static const EFI_GUID bio_guid = EFI_BLOCK_IO_PROTOCOL_GUID, dp_guid = DEVICE_PATH_PROTOCOL,
		      info_guid = PART_INFO_GUID, esp_guid = EFI_PART_TYPE_EFI_SYSTEM_PART_GUID;

static struct part_disk *part_disks;

/* Our child behind a Block IO pointer a caller passed, or NULL. */
static struct part_child *part_of(EFI_BLOCK_IO_PROTOCOL *This)
{
	struct part_child *c = (struct part_child *)This;

	return c && c->magic == PART_MAGIC ? c : NULL;
}

/* s.13.9.2-3: the checks a Block IO read or write makes, against the
 * partition; then the parent's media must still be the one we saw. */
static EFI_STATUS part_check(struct part_child *c, UINT32 MediaId, EFI_LBA Lba, UINTN BufferSize,
			     VOID *Buffer, bool write)
{
	const EFI_BLOCK_IO_MEDIA *m = &c->media, *pm = c->parent->Media;

	if (!pm->MediaPresent)
		return EFI_NO_MEDIA;
	if (pm->MediaId != m->MediaId)
		return EFI_MEDIA_CHANGED;
	return block_io_check(m, MediaId, Lba, BufferSize, Buffer, write);
}

static EFI_STATUS EFIAPI part_read(EFI_BLOCK_IO_PROTOCOL *This, UINT32 MediaId, EFI_LBA Lba,
				   UINTN BufferSize, VOID *Buffer)
{
	struct part_child *c = part_of(This);
	if (!c)
		return EFI_INVALID_PARAMETER;
	EFI_STATUS s = part_check(c, MediaId, Lba, BufferSize, Buffer, false);
	if (EFI_ERROR(s) || !BufferSize)
		return s;
	return c->parent->ReadBlocks(c->parent, MediaId, c->start + Lba, BufferSize, Buffer);
}

static EFI_STATUS EFIAPI part_write(EFI_BLOCK_IO_PROTOCOL *This, UINT32 MediaId, EFI_LBA Lba,
				    UINTN BufferSize, VOID *Buffer)
{
	struct part_child *c = part_of(This);
	if (!c)
		return EFI_INVALID_PARAMETER;
	EFI_STATUS s = part_check(c, MediaId, Lba, BufferSize, Buffer, true);
	if (EFI_ERROR(s) || !BufferSize)
		return s;
	return c->parent->WriteBlocks(c->parent, MediaId, c->start + Lba, BufferSize, Buffer);
}

static EFI_STATUS EFIAPI part_flush(EFI_BLOCK_IO_PROTOCOL *This)
{
	struct part_child *c = part_of(This);
	return c ? c->parent->FlushBlocks(c->parent) : EFI_INVALID_PARAMETER;
}

/* Resetting a partition resets the disk, as EDK2's partition driver does. */
static EFI_STATUS EFIAPI part_reset(EFI_BLOCK_IO_PROTOCOL *This, BOOLEAN ExtendedVerification)
{
	struct part_child *c = part_of(This);
	return c ? c->parent->Reset(c->parent, ExtendedVerification) : EFI_INVALID_PARAMETER;
}

/* The partition's media: the disk's, seen from the partition (s.13.9). */
static void part_media(struct part_child *c, const struct part_info *p)
{
	const EFI_BLOCK_IO_PROTOCOL *pb = c->parent;
	const EFI_BLOCK_IO_MEDIA *pm = pb->Media;
	EFI_BLOCK_IO_MEDIA *m = &c->media;

	m->MediaId = pm->MediaId;
	m->RemovableMedia = pm->RemovableMedia;
	m->MediaPresent = pm->MediaPresent;
	m->LogicalPartition = TRUE;
	m->ReadOnly = pm->ReadOnly;
	m->WriteCaching = pm->WriteCaching;
	m->BlockSize = pm->BlockSize;
	m->IoAlign = pm->IoAlign;
	m->LastBlock = p->blocks - 1;
	c->bio.Revision = EFI_BLOCK_IO_PROTOCOL_REVISION;
	if (pb->Revision >= EFI_BLOCK_IO_PROTOCOL_REVISION2) {
		uint32_t per = pm->LogicalBlocksPerPhysicalBlock;
		c->bio.Revision = EFI_BLOCK_IO_PROTOCOL_REVISION2;
		m->LogicalBlocksPerPhysicalBlock = per;
		/* The first partition block that starts a physical block. */
		if (per > 1)
			m->LowestAlignedLba =
			    (pm->LowestAlignedLba % per + per - p->start % per) % per;
	}
	if (pb->Revision >= EFI_BLOCK_IO_PROTOCOL_REVISION3) {
		c->bio.Revision = EFI_BLOCK_IO_PROTOCOL_REVISION3;
		m->OptimalTransferLengthGranularity = pm->OptimalTransferLengthGranularity;
	}
	c->bio.Media = m;
	c->bio.Reset = part_reset;
	c->bio.ReadBlocks = part_read;
	c->bio.WriteBlocks = part_write;
	c->bio.FlushBlocks = part_flush;
}

/* s.13.18: the table's own record of the partition. */
static void part_fill_info(struct part_child *c, const struct part_table *t,
			   const struct part_info *p)
{
	struct efi_partition_info *pi = &c->info;

	pi->Revision = PART_INFO_REVISION;
	pi->System = p->esp;
	if (t->scheme == PART_SCHEME_GPT) {
		pi->Type = PART_INFO_TYPE_GPT;
		memcpy(&pi->Info.Gpt.PartitionTypeGUID, p->type_guid, 16);
		memcpy(&pi->Info.Gpt.UniquePartitionGUID, p->unique_guid, 16);
		pi->Info.Gpt.StartingLBA = p->start;
		pi->Info.Gpt.EndingLBA = p->start + p->blocks - 1;
		pi->Info.Gpt.Attributes = p->attributes;
		memcpy(pi->Info.Gpt.PartitionName, p->name, sizeof(p->name));
	} else {
		pi->Type = PART_INFO_TYPE_MBR;
		memcpy(pi->Info.Mbr, p->mbr_record, 16);
	}
}

/* The disk's path + HD(...), s.10.3.5.1: GPT signs with the partition's
 * unique GUID, MBR with the disk signature at 0x1B8. */
static EFI_DEVICE_PATH *part_path(const EFI_DEVICE_PATH *disk_path, const struct part_table *t,
				  const struct part_info *p)
{
	struct efi_dp_builder b;
	uint8_t sig[16] = {0};
	bool gpt = t->scheme == PART_SCHEME_GPT;

	if (gpt) {
		memcpy(sig, p->unique_guid, 16);
	} else {
		for (int i = 0; i < 4; i++)
			sig[i] = t->mbr_signature >> (8 * i);
	}
	efi_dp_init(&b, NULL, 0);
	efi_dp_add_path(&b, disk_path);
	efi_dp_add_hd(&b, p->number, p->start, p->blocks, sig,
		      gpt ? MBR_TYPE_EFI_PARTITION_TABLE_HEADER : MBR_TYPE_PCAT,
		      gpt ? SIGNATURE_TYPE_GUID : SIGNATURE_TYPE_MBR);
	return efi_dp_finish(&b);
}

/* Take a child's protocols off its handle (its users asked to let go
 * first) and drop its open of the disk. EFI_SUCCESS, or the refusal; on
 * a refusal what is still installed stays. */
static EFI_STATUS part_child_remove(struct part_disk *d, struct part_child *c)
{
	EFI_HANDLE h = c->handle;
	EFI_STATUS s;

	/* Disk IO first: it sits on the Block IO. */
	s = disk_io_uninstall(h);
	if (EFI_ERROR(s))
		return s;
	s = efi_protocol_has(h, &bio_guid) ? efi_protocol_uninstall(h, &bio_guid, &c->bio)
					   : EFI_SUCCESS;
	if (EFI_ERROR(s))
		return s;
	if (efi_protocol_has(h, &info_guid))
		efi_protocol_uninstall(h, &info_guid, &c->info);
	if (c->esp && efi_protocol_has(h, &esp_guid))
		efi_protocol_uninstall(h, &esp_guid, NULL);
	efi_protocol_close(d->handle, &bio_guid, efi_firmware_handle(), h);
	if (efi_protocol_has(h, &dp_guid))
		efi_protocol_uninstall(h, &dp_guid, c->path);
	sysmem_free(c->path);
	c->magic = 0;
	sysmem_free(c);
	return EFI_SUCCESS;
}

/* Release hook of our BY_DRIVER open of the disk's Block IO: someone
 * disconnects the disk (or uninstalls its Block IO). The children go
 * first, last made first; one that cannot go refuses the whole release. */
static EFI_STATUS part_release(EFI_HANDLE controller, const EFI_GUID *proto, void *ctx)
{
	struct part_disk *d = ctx;

	while (d->count) {
		EFI_STATUS s = part_child_remove(d, d->kids[d->count - 1]);
		if (EFI_ERROR(s))
			return s;
		d->count--;
	}
	efi_protocol_close(controller, proto, efi_firmware_handle(), controller);
	for (struct part_disk **pp = &part_disks; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	sysmem_free(d);
	return EFI_SUCCESS;
}

/* One child handle for partition p; 0 or -1 (nothing left behind). */
static int part_child_add(struct part_disk *d, EFI_BLOCK_IO_PROTOCOL *parent,
			  const EFI_DEVICE_PATH *disk_path, const struct part_table *t,
			  const struct part_info *p)
{
	struct part_child *c = sysmem_zalloc(sizeof(*c));
	void *iface;

	if (!c)
		return -1;
	c->magic = PART_MAGIC;
	c->parent = parent;
	c->start = p->start;
	c->esp = p->esp;
	part_media(c, p);
	part_fill_info(c, t, p);
	c->path = part_path(disk_path, t, p);
	if (!c->path) {
		sysmem_free(c);
		return -1;
	}
	/* The path first, so whoever is told about the Block IO finds it. */
	EFI_STATUS s = efi_protocol_install(&c->handle, &dp_guid, c->path);
	if (EFI_ERROR(s)) {
		sysmem_free(c->path);
		sysmem_free(c);
		return -1;
	}
	s = efi_open_protocol(d->handle, (EFI_GUID *)&bio_guid, &iface, efi_firmware_handle(),
			      c->handle, EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER);
	if (!EFI_ERROR(s))
		s = efi_protocol_install(&c->handle, &info_guid, &c->info);
	if (!EFI_ERROR(s) && c->esp)
		s = efi_protocol_install(&c->handle, &esp_guid, NULL);
	if (!EFI_ERROR(s))
		s = efi_protocol_install(&c->handle, &bio_guid, &c->bio);
	if (!EFI_ERROR(s))
		s = disk_io_install(c->handle, &c->bio);
	if (EFI_ERROR(s)) {
		part_child_remove(d, c);
		return -1;
	}
	d->kids[d->count++] = c;
	return 0;
}

/* "disk0" for the disks disk_probe_all() published, else "disk?". */
static void part_disk_name(EFI_HANDLE disk, char *buf, size_t n)
{
	for (size_t i = 0; i < disk_count(); i++) {
		if (disk_handle(i) == disk) {
			format_buf(buf, n, "disk%zu", i);
			return;
		}
	}
	format_buf(buf, n, "disk?");
}

/* "64 MiB", "1.5 GiB". */
static void part_size_text(char *buf, size_t n, uint64_t bytes)
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};
	uint64_t div = 1024;
	int u = 0;

	while (u < 3 && bytes >= div * 1024) {
		div *= 1024;
		u++;
	}
	uint64_t tenth = bytes % div * 10 / div;
	if (tenth)
		format_buf(buf, n, "%llu.%llu %s", (unsigned long long)(bytes / div),
			   (unsigned long long)tenth, unit[u]);
	else
		format_buf(buf, n, "%llu %s", (unsigned long long)(bytes / div), unit[u]);
}

/* One line per partition: "disk0: gpt partition 1 'EFI System' ESP, 64 MiB
 * at LBA 2048". */
static void part_log(const char *name, const struct part_table *t, const struct part_info *p,
		     uint32_t bs)
{
	char size[24], label[40];

	part_size_text(size, sizeof(size), p->blocks * bs);
	if (t->scheme == PART_SCHEME_GPT) {
		part_name_ascii(p, label, sizeof(label));
		log_info("%s: gpt partition %u '%s'%s, %s at LBA %llu", name, p->number, label,
			 p->esp ? " ESP" : "", size, (unsigned long long)p->start);
	} else {
		log_info("%s: mbr partition %u type 0x%02x%s, %s at LBA %llu", name, p->number,
			 p->mbr_type, p->esp ? " ESP" : "", size, (unsigned long long)p->start);
	}
}

/* Read the table: GPT, else MBR. 0 with partitions (maybe none), -1 when
 * the disk has no table we use; every problem logged once. */
static int part_read_table(const char *name, const struct blkdev *dev, struct part_table *t)
{
	if (!gpt_parse(dev, t)) {
		if (t->backup_used)
			log_warn("%s: gpt primary header bad (%s); using the backup at LBA %llu",
				 name, t->primary_reason, (unsigned long long)t->header_lba);
	} else if (t->primary_reason) {
		/* A protective MBR promised a GPT: no MBR to fall back to. */
		log_error("%s: gpt primary (%s) and backup (%s) both bad; no partitions", name,
			  t->primary_reason, t->backup_reason);
		return -1;
	} else if (mbr_parse(dev, t)) {
		log_info("%s: no partition table (%s)", name, t->reason);
		return -1;
	}
	if (t->skipped)
		log_warn("%s: %s: %u entries skipped, first partition %u: %s", name,
			 t->scheme == PART_SCHEME_GPT ? "gpt" : "mbr", t->skipped, t->skip_number,
			 t->skip_reason);
	return 0;
}

size_t partition_connect(EFI_HANDLE disk)
{
	char name[16];
	struct blkdev dev;
	void *iface;

	if (!efi_handle_valid(disk))
		return 0;
	for (struct part_disk *d = part_disks; d; d = d->next)
		if (d->handle == disk)
			return d->count;
	EFI_BLOCK_IO_PROTOCOL *bio = efi_protocol_find(disk, &bio_guid);
	const EFI_DEVICE_PATH *path = efi_protocol_find(disk, &dp_guid);
	/* A partition is not partitioned again (EDK2 nests only El Torito). */
	if (!bio || !bio->Media || bio->Media->LogicalPartition || !path ||
	    !efi_devpath_valid(path, EFI_DEVPATH_LIMIT))
		return 0;
	part_disk_name(disk, name, sizeof(name));
	if (blkdev_from_efi(bio, &dev))
		return 0;

	struct part_disk *d = sysmem_zalloc(sizeof(*d));
	struct part_table *t = sysmem_zalloc(sizeof(*t));
	if (!d || !t) {
		log_error("%s: out of memory for the partition table", name);
		goto fail;
	}
	d->handle = disk;
	EFI_STATUS s = efi_protocol_open_driver(disk, &bio_guid, efi_firmware_handle(), &iface,
						part_release, d);
	if (EFI_ERROR(s)) {
		log_debug("%s: Block IO held by someone else (%#llx); not partitioned", name,
			  (unsigned long long)s);
		goto fail;
	}
	if (part_read_table(name, &dev, t) == 0) {
		for (size_t i = 0; i < t->count; i++) {
			if (part_child_add(d, bio, path, t, &t->part[i])) {
				log_error("%s: partition %u: no EFI handle (out of memory)", name,
					  t->part[i].number);
				continue;
			}
			part_log(name, t, &t->part[i], dev.block_size);
		}
	}
	sysmem_free(t);
	if (!d->count) {
		efi_protocol_close(disk, &bio_guid, efi_firmware_handle(), disk);
		sysmem_free(d);
		return 0;
	}
	d->next = part_disks;
	part_disks = d;
	return d->count;
fail:
	sysmem_free(t);
	sysmem_free(d);
	return 0;
}

size_t partition_children(EFI_HANDLE disk, EFI_HANDLE *out, size_t cap)
{
	for (struct part_disk *d = part_disks; d; d = d->next) {
		if (d->handle != disk)
			continue;
		for (size_t i = 0; i < d->count && i < cap; i++)
			out[i] = d->kids[i]->handle;
		return d->count;
	}
	return 0;
}
