/* Partition tables (disk/gpt.c, disk/mbr.c) and partition handles
 * (disk/partition.c).
 *
 * The parsers are pure functions over a struct blkdev: they read through
 * it, trust nothing on the disk, and fill a struct part_table of at most
 * PART_MAX partitions (no allocation driven by the disk). They return 0
 * with the partitions found (maybe none), or -1 with table->reason saying
 * why there is no table of that kind. Entries that are not usable
 * (outside the disk, overlapping an earlier one, past PART_MAX) are
 * skipped and counted; table->skip_reason names the first one.
 *
 * partition_connect() is the EFI layer: one child handle per partition
 * under a disk handle (docs/disk.md, "Partitions"). */
#ifndef WB_PARTITION_H
#define WB_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <blkdev.h>
#include <efi_types.h>

/* The most partitions reported for one disk (GPT's usual entry count). */
#define PART_MAX 128
/* GPT limits: entries in the array, bytes of one entry, bytes of the array. */
#define GPT_MAX_ENTRIES	   4096
#define GPT_MAX_ENTRY_SIZE 4096
#define GPT_MAX_ARRAY	   (1u << 20)
/* MBR: the most extended boot records followed in one chain. */
#define MBR_MAX_EBR 124

enum part_scheme { PART_SCHEME_NONE, PART_SCHEME_MBR, PART_SCHEME_GPT };

/* The EFI System Partition's type, C12A7328-F81F-11D2-BA4B-00A0C93EC93B,
 * as GPT stores it (EFI_GUID byte order). */
extern const uint8_t part_esp_guid[16];

/* One partition. Blocks are the disk's blocks. */
struct part_info {
	uint32_t number; /* GPT: entry index + 1; MBR: slot 1..4, logical 5.. */
	uint64_t start;	 /* first LBA */
	uint64_t blocks; /* how many, >= 1 */
	bool esp;	 /* GPT type C12A7328-..., or MBR type 0xEF */
	/* GPT */
	uint8_t type_guid[16]; /* EFI_GUID byte order, as on disk */
	uint8_t unique_guid[16];
	uint64_t attributes;
	uint16_t name[36]; /* UTF-16LE, as on disk (not always terminated) */
	/* MBR */
	uint8_t mbr_type;	/* the partition record's system id */
	uint8_t mbr_record[16]; /* the record as on disk (EFI_PARTITION_INFO) */
};

struct part_table {
	enum part_scheme scheme;
	size_t count;
	struct part_info part[PART_MAX];
	/* GPT: the disk GUID; the header used (1, or the backup's LBA); why
	 * the primary was not used (when it was not), and why the backup was
	 * not either (when parsing failed). */
	uint8_t disk_guid[16];
	uint64_t header_lba;
	bool backup_used;
	const char *primary_reason;
	const char *backup_reason;
	/* MBR: the disk signature at byte 0x1B8 (the HD node's signature). */
	uint32_t mbr_signature;
	/* Why parsing failed (return -1), or NULL. */
	const char *reason;
	/* Entries skipped, and why the first one was (with its number). */
	uint32_t skipped;
	uint32_t skip_number;
	const char *skip_reason;
};

/* UEFI 2.10 s.5.3: a GPT behind a protective MBR, the primary header at
 * LBA 1, else the backup (the last LBA, then the primary's AlternateLBA);
 * headers and the entry array checked with their CRC32s. */
int gpt_parse(const struct blkdev *dev, struct part_table *table);

/* UEFI 2.10 s.5.2.1: a classic MBR (four primary records, logical
 * partitions of one extended partition's EBR chain). A protective MBR
 * (type 0xEE) is refused: that disk is GPT's. */
int mbr_parse(const struct blkdev *dev, struct part_table *table);

/* The UTF-16 name of a GPT partition as printable ASCII (anything else
 * becomes '?'), NUL-terminated in out[n]. */
void part_name_ascii(const struct part_info *p, char *out, size_t n);

/* Read the partition table of the disk behind handle disk (its
 * EFI_BLOCK_IO_PROTOCOL), GPT first then MBR, and create one child handle
 * per partition with EFI_BLOCK_IO_PROTOCOL (offset and bounded to the
 * partition), EFI_DEVICE_PATH_PROTOCOL (the disk's path + an HD node) and
 * EFI_PARTITION_INFO_PROTOCOL. One log line per partition. Returns how
 * many children it made; 0 when the disk has no table (maybe a whole-disk
 * file system) or it was already connected. */
size_t partition_connect(EFI_HANDLE disk);

/* The child handles partition_connect made for disk, in table order (GPT
 * entry order; MBR primaries, then logical partitions): up to cap of them
 * into out; returns how many there are. */
size_t partition_children(EFI_HANDLE disk, EFI_HANDLE *out, size_t cap);

#endif
