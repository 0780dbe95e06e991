/* FAT12/16/32 with long file names (disk/fat_*.c), read and write, after
 * Microsoft's "FAT: General Overview of On-Disk Format" (FAT spec 1.03).
 *
 * The core is pure C over struct blkdev, so the same code runs in the
 * firmware (over Block IO, disk/fat_efi.c: EFI_SIMPLE_FILE_SYSTEM_PROTOCOL)
 * and in the host unit tests and fuzz targets (over a memory image).
 * Writes go straight through to the device (a small cache of clean blocks
 * serves reads), so the volume is consistent after every call.
 *
 * Names are UCS-2 (uint16_t, as UEFI's CHAR16). Lookups fold case for
 * ASCII letters only. Paths use '\' separators, absolute with a leading
 * '\', otherwise relative to a directory; "." and ".." are understood.
 *
 * Every function returns FAT_OK (0) or a negative enum fat_err. Every
 * number read from the disk is checked before use: a FAT chain is walked
 * at most as many steps as the volume has clusters (a cycle is an error),
 * a cluster number past the end is an error, a directory holds at most
 * 65536 entries, and no read or write leaves the volume. */
#ifndef WB_FAT_H
#define WB_FAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <blkdev.h>
#include <rtc.h>

enum fat_err {
	FAT_OK = 0,
	FAT_ENOENT = -1,   /* no such file or directory */
	FAT_EIO = -2,	   /* the device failed */
	FAT_ECORRUPT = -3, /* the volume's structures are inconsistent */
	FAT_ENOSPC = -4,   /* no free cluster, or a full fixed root directory */
	FAT_EEXIST = -5,   /* the name is taken */
	FAT_ENOTDIR = -6,  /* a path component is a file */
	FAT_EISDIR = -7,   /* a file operation on a directory */
	FAT_EINVAL = -8,   /* a bad name or argument */
	FAT_EROFS = -9,	   /* the device is read-only */
	FAT_ENOTEMPTY = -10,
	FAT_ENOMEM = -11,
	FAT_EACCES = -12, /* the root, or a move of a directory into itself */
	FAT_EFBIG = -13,  /* a file of 4 GiB or more */
};

enum fat_type { FAT_TYPE_12 = 12, FAT_TYPE_16 = 16, FAT_TYPE_32 = 32 };

/* Directory entry attributes (FAT spec s.6). */
#define FAT_ATTR_READ_ONLY  0x01
#define FAT_ATTR_HIDDEN	    0x02
#define FAT_ATTR_SYSTEM	    0x04
#define FAT_ATTR_VOLUME_ID  0x08
#define FAT_ATTR_DIRECTORY  0x10
#define FAT_ATTR_ARCHIVE    0x20
#define FAT_ATTR_LFN	    0x0f
#define FAT_ATTR_CHANGEABLE 0x27 /* what SetInfo may change */

#define FAT_NAME_MAX	    255	  /* UCS-2 units in a long name */
#define FAT_DIR_MAX_ENTRIES 65536 /* FAT spec s.6: a directory's limit */
#define FAT_CACHE_SLOTS	    8
#define FAT_MAX_BLOCK	    4096

struct fat_node;

/* A mounted volume. Callers allocate it (it holds the block cache). */
struct fat_vol {
	struct blkdev dev;
	enum fat_type type;
	uint32_t sector_size;  /* bytes per sector, 512..4096 */
	uint32_t cluster_size; /* bytes per cluster */
	uint64_t volume_bytes; /* total sectors * sector size */
	uint64_t fat_off;      /* byte offset of the first FAT */
	uint32_t fat_bytes;    /* bytes of one FAT */
	uint8_t fats;	       /* FAT copies */
	uint8_t active_fat;    /* FAT32 with mirroring off: the one in use */
	bool mirror;	       /* every FAT copy is written */
	uint64_t root_off;     /* FAT12/16: the fixed root directory */
	uint32_t root_entries;
	uint32_t root_cluster; /* FAT32: the root directory's first cluster */
	uint64_t data_off;     /* byte offset of cluster 2 */
	uint32_t clusters;     /* data clusters: valid numbers are 2..clusters+1 */
	uint64_t fsinfo_off;   /* FAT32 FSInfo sector, 0 if none */
	bool free_known;       /* free_count is exact (counted once) */
	uint32_t free_count;
	/* Where the last directory scan stopped (a directory's first cluster,
	 * and which of its clusters, and that cluster): a lookup or listing
	 * that goes on from there walks the chain from there, not from the
	 * start for every entry. Forgotten when any FAT entry changes. */
	uint32_t dir_hint_first, dir_hint_clus, dir_hint_idx;
	uint32_t next_free; /* where the next search for a free cluster starts */
	bool fsinfo_dirty;
	uint8_t bpb_label[11];
	uint32_t serial;

	/* The time of a write (tests give a fixed one). NULL or a failure:
	 * 1980-01-01 00:00. */
	int (*now)(struct rtc_time *t);

	struct fat_node *nodes; /* open files, shared by every handle on one */
	struct fat_node *root;

	/* Clean blocks of the device, filled on reads, updated on writes. */
	uint64_t cache_lba[FAT_CACHE_SLOTS];
	bool cache_valid[FAT_CACHE_SLOTS];
	unsigned cache_next;
	uint8_t cache[FAT_CACHE_SLOTS][FAT_MAX_BLOCK];
};

/* An open file or directory. One per on-disk object however many handles
 * hold it; refs counts them. */
struct fat_node {
	struct fat_vol *vol;
	struct fat_node *next;
	unsigned refs;
	bool is_dir, is_root, deleted;
	uint8_t attr;
	uint32_t first; /* first cluster (0: an empty file; the fixed root) */
	uint32_t size;	/* bytes (files) */
	uint32_t nclus; /* clusters in its chain (checked when opened) */
	uint32_t slot;	/* index of its short entry in the parent */
	uint32_t lfn_slots;
	uint32_t hint_idx, hint_clus; /* the last cluster a read or write reached */
	struct fat_node *up;	      /* the directory it was opened from (a reference) */
};

/* A time as FAT stores it, and the time of a node (FAT spec s.6). */
struct fat_times {
	struct rtc_time create, access, modify;
};

/* What a directory listing yields for one entry. */
struct fat_entry {
	uint16_t name[FAT_NAME_MAX + 1]; /* NUL-terminated */
	uint8_t short_name[11];		 /* as on disk */
	uint8_t attr;
	uint32_t first;
	uint32_t size;
	uint32_t slot; /* index of the short entry */
	uint32_t lfn_slots;
	struct fat_times times;
};

/* Mount the FAT volume on dev (copied). FAT_ECORRUPT when the boot sector
 * is not a valid FAT boot sector; FAT_EIO when it cannot be read. */
int fat_mount(struct fat_vol *v, const struct blkdev *dev);

/* Drop the root node (every other node must be released first). */
void fat_unmount(struct fat_vol *v);

/* The volume's root directory (a new reference). */
struct fat_node *fat_root(struct fat_vol *v);

/* Flags of fat_open. */
#define FAT_OPEN_CREATE 0x1 /* create when missing */
#define FAT_OPEN_DIR	0x2 /* ... as a directory */

/* Open path relative to base (a directory, or a file: then its directory;
 * NULL: the root). A new reference in *out. Creating needs the missing
 * last component's parent to exist; attr is the new entry's attributes. */
int fat_open(struct fat_vol *v, struct fat_node *base, const uint16_t *path, unsigned flags,
	     uint8_t attr, struct fat_node **out);

/* Another reference to n. */
struct fat_node *fat_node_get(struct fat_node *n);
/* Drop one reference; the node goes with its last one. */
void fat_node_put(struct fat_node *n);

/* Read up to len bytes at pos; *done gets how many (0 at or past the end). */
int fat_read(struct fat_node *n, uint64_t pos, void *buf, size_t len, size_t *done);

/* Write len bytes at pos, growing the file (a gap reads as zeros). */
int fat_write(struct fat_node *n, uint64_t pos, const void *buf, size_t len, size_t *done);

/* Set a file's size: free the clusters past it, or grow it with zeros. */
int fat_truncate(struct fat_node *n, uint64_t size);

/* Delete n's entry and free its clusters; a directory must be empty. n
 * stays referenced (marked deleted). */
int fat_delete(struct fat_node *n);

/* Give n the name path (a path: relative to n's directory, or absolute;
 * the directory must exist). */
int fat_rename(struct fat_node *n, const uint16_t *path);

/* Set attributes (FAT_ATTR_CHANGEABLE bits) and, when not NULL, times. */
int fat_set_attr(struct fat_node *n, uint8_t attr, const struct fat_times *t);

/* The node's name (empty for the root) and times. */
int fat_node_name(struct fat_node *n, uint16_t name[FAT_NAME_MAX + 1]);
int fat_node_times(struct fat_node *n, struct fat_times *t);

/* The entry at or after *index in directory dir; *index moves past it.
 * FAT_ENOENT at the end. Volume labels and deleted entries are skipped;
 * "." and ".." are listed as they are on disk. */
int fat_dir_next(struct fat_node *dir, uint32_t *index, struct fat_entry *e);

/* Free bytes (counts the FAT once, then keeps the count). */
int fat_free_bytes(struct fat_vol *v, uint64_t *bytes);

/* The volume label, NUL-terminated (the root's label entry, else the boot
 * sector's; "NO NAME" is empty). */
void fat_label(struct fat_vol *v, uint16_t label[12]);

/* Set the volume label (UCS-2, NUL-terminated, at most 11 characters
 * valid in an 8.3 name; lower case is stored upper case; empty removes
 * it): the root's label entry (made if missing) and the boot sector's
 * BS_VolLab. FAT_EINVAL for a label FAT cannot hold, FAT_ENOSPC for a
 * full fixed root, FAT_EROFS on a read-only device. */
int fat_set_label(struct fat_vol *v, const uint16_t *label);

/* Write out FSInfo and flush the device. */
int fat_sync(struct fat_vol *v);

#ifdef HAVE_USE_MS_ABI
#include <efi_types.h>
/* If the Block IO on h holds a FAT volume, install
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL on h (disk/fat_efi.c). 0 or -1. */
int fat_connect(EFI_HANDLE h);
#endif

#endif
