/* What the FAT files (disk/fat_*.c) share among themselves; the module's
 * interface is include/fat.h. */
#ifndef WB_FAT_PRIV_H
#define WB_FAT_PRIV_H

#include <fat.h>
#include <sysmem.h>

#define FAT_DIRENT_SIZE	    32
#define FAT_DELETED	    0xe5
#define FAT_LFN_LAST	    0x40
#define FAT_LFN_CHARS	    13
#define FAT_LFN_MAX_SLOTS   20	 /* 20 * 13 >= 255 */
#define FAT_CASE_LOWER_BASE 0x08 /* short entry byte 12 (Windows NT) */
#define FAT_CASE_LOWER_EXT  0x10

/* Short directory entry fields (FAT spec s.6). */
#define DE_NAME	     0
#define DE_ATTR	     11
#define DE_NTRES     12
#define DE_CRT_TENTH 13
#define DE_CRT_TIME  14
#define DE_CRT_DATE  16
#define DE_ACC_DATE  18
#define DE_CLUS_HI   20
#define DE_WRT_TIME  22
#define DE_WRT_DATE  24
#define DE_CLUS_LO   26
#define DE_SIZE	     28

static inline uint16_t fat_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t fat_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void fat_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void fat_put32(uint8_t *p, uint32_t v)
{
	fat_put16(p, (uint16_t)v);
	fat_put16(p + 2, (uint16_t)(v >> 16));
}

/* fat_volume.c: byte-addressed I/O inside the volume through the cache. */
int fat_io_read(struct fat_vol *v, uint64_t off, void *buf, size_t len);
int fat_io_write(struct fat_vol *v, uint64_t off, const void *buf, size_t len);
int fat_io_zero(struct fat_vol *v, uint64_t off, uint64_t len);
/* The mount checks of a boot sector alone (also for tests and fuzzing). */
int fat_parse_bpb(struct fat_vol *v, const uint8_t *bs, size_t len, uint64_t dev_bytes);
void fat_now(struct fat_vol *v, struct rtc_time *t);

/* fat_table.c: FAT entries and chains. */
#define FAT_EOC 0xffffffffu /* what fat_next gives at a chain's end */
bool fat_cluster_ok(const struct fat_vol *v, uint32_t c);
uint64_t fat_cluster_off(const struct fat_vol *v, uint32_t c);
int fat_get(struct fat_vol *v, uint32_t c, uint32_t *val);
int fat_set(struct fat_vol *v, uint32_t c, uint32_t val);
/* The cluster after c, or FAT_EOC; FAT_ECORRUPT for free, bad or out of
 * range entries. */
int fat_next(struct fat_vol *v, uint32_t c, uint32_t *next);
/* A free cluster, marked end of chain, linked after prev (0: none), its
 * contents zeroed when zero is set. */
int fat_alloc(struct fat_vol *v, uint32_t prev, bool zero, uint32_t *out);
/* Free the chain from c (bounded). */
int fat_free_chain(struct fat_vol *v, uint32_t c);
/* Count free clusters (once) and write FSInfo if it changed. */
int fat_count_free(struct fat_vol *v);
int fat_fsinfo_sync(struct fat_vol *v);

/* fat_dir.c: directory entries. */
struct fat_dir_it {
	struct fat_vol *v;
	uint32_t first;	   /* 0: the fixed root */
	uint32_t clus;	   /* cluster holding entry clus_idx * per-cluster */
	uint32_t clus_idx; /* which of the directory's clusters clus is */
};
void fat_dir_it_init(struct fat_dir_it *it, struct fat_vol *v, uint32_t first);
/* The byte offset of entry index: FAT_ENOENT past the directory's end. */
int fat_dir_locate(struct fat_dir_it *it, uint32_t index, uint64_t *off);
/* The next entry as fat_dir_next, over a directory's first cluster. */
int fat_dir_scan(struct fat_vol *v, uint32_t first, uint32_t *index, struct fat_entry *e);
/* Look name (one component) up in the directory; FAT_ENOENT. */
int fat_dir_find(struct fat_vol *v, uint32_t first, const uint16_t *name, size_t len,
		 struct fat_entry *e);
/* Add an entry named name (LFN entries as needed, a unique short name)
 * with the given short-entry fields (bytes 11..31 of tmpl); *slot and
 * *lfn_slots get where it went. */
int fat_dir_add(struct fat_vol *v, uint32_t dir, const uint16_t *name, size_t len,
		const uint8_t tmpl[FAT_DIRENT_SIZE], uint32_t *slot, uint32_t *lfn_slots);
/* Mark an entry and its LFN entries deleted. */
int fat_dir_remove(struct fat_vol *v, uint32_t dir, uint32_t slot, uint32_t lfn_slots);
/* Read or write a short entry. */
int fat_dirent_read(struct fat_vol *v, uint32_t dir, uint32_t slot, uint8_t de[32]);
int fat_dirent_write(struct fat_vol *v, uint32_t dir, uint32_t slot, const uint8_t de[32]);
/* A short entry's first cluster. */
uint32_t fat_dirent_cluster(const struct fat_vol *v, const uint8_t *de);
void fat_dirent_set_cluster(uint8_t *de, uint32_t c);
/* FAT date/time <-> rtc_time (FAT spec s.6.1). */
void fat_time_decode(uint16_t date, uint16_t time, struct rtc_time *t);
void fat_time_encode(const struct rtc_time *t, uint16_t *date, uint16_t *time);
/* A valid long name component (no separators, no illegal characters, not
 * all dots or spaces, at most 255 units). */
bool fat_name_valid(const uint16_t *name, size_t len);
/* ASCII case folding. */
static inline uint16_t fat_upcase(uint16_t c)
{
	return c >= 'a' && c <= 'z' ? (uint16_t)(c - 32) : c;
}

/* fat_node.c: store a node's cluster and size (and, when modified, the
 * write time and archive bit) into its directory entry. */
int fat_node_store(struct fat_node *n, bool modified);

/* fat_name.c: short names. */
/* The 11-byte short name of a long name: *exact says the name is a valid
 * 8.3 name on its own (then *ntres gets its case flags and no LFN is
 * needed); otherwise the basis name, to get a ~N tail. */
void fat_short_basis(const uint16_t *name, size_t len, uint8_t sn[11], bool *exact, uint8_t *ntres);
/* Put "~n" into a basis name (FAT spec s.7.3). */
void fat_short_tail(uint8_t sn[11], unsigned n);
/* The LFN checksum of a short name (FAT spec s.7.2). */
uint8_t fat_lfn_checksum(const uint8_t sn[11]);
/* A short entry's name as text, with NT case flags: "NAME.EXT". */
size_t fat_short_to_name(const uint8_t *de, uint16_t *out);

#endif
