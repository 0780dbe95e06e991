/* FAT volume: boot sector (BPB) validation, mount, and byte-addressed I/O
 * inside the volume through a few cached blocks (FAT spec s.3, s.4, s.5). */
#include <string.h>
#include "fat_priv.h"

static bool is_pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

/* FAT spec s.3.1-3.3 and s.3.5: check every BPB field we rely on, work out
 * the layout and the FAT type from the cluster count. */
int fat_parse_bpb(struct fat_vol *v, const uint8_t *bs, size_t len, uint64_t dev_bytes)
{
	if (len < 512)
		return FAT_ECORRUPT;
	if (bs[0] != 0xeb && bs[0] != 0xe9)
		return FAT_ECORRUPT;
	uint32_t bps = fat_le16(bs + 11), spc = bs[13], rsvd = fat_le16(bs + 14);
	uint32_t nfats = bs[16], root_ents = fat_le16(bs + 17), media = bs[21];
	uint32_t fatsz = fat_le16(bs + 22);
	uint64_t total = fat_le16(bs + 19);

	if (bps < 512 || bps > 4096 || !is_pow2(bps) || !is_pow2(spc) ||
	    (uint64_t)bps * spc > 65536)
		return FAT_ECORRUPT;
	if (!rsvd || !nfats || nfats > 4 || (media != 0xf0 && media < 0xf8))
		return FAT_ECORRUPT;
	if (!total)
		total = fat_le32(bs + 32);
	if (!fatsz)
		fatsz = fat_le32(bs + 36);
	if (!total || !fatsz || total * bps > dev_bytes)
		return FAT_ECORRUPT;

	uint64_t root_secs = ((uint64_t)root_ents * FAT_DIRENT_SIZE + bps - 1) / bps;
	uint64_t meta = rsvd + (uint64_t)nfats * fatsz + root_secs;
	if (meta >= total)
		return FAT_ECORRUPT;
	uint64_t count = (total - meta) / spc;
	if (!count)
		return FAT_ECORRUPT;

	memset(v, 0, offsetof(struct fat_vol, cache_lba));
	v->sector_size = bps;
	v->cluster_size = bps * spc;
	v->volume_bytes = total * bps;
	v->fat_off = (uint64_t)rsvd * bps;
	v->fats = (uint8_t)nfats;
	v->mirror = true;
	v->data_off = meta * bps;

	bool bpb32 = fat_le16(bs + 22) == 0;
	const uint8_t *ext = bs + 36; /* FAT12/16 extended BPB */
	if (count < 4085)
		v->type = FAT_TYPE_12;
	else if (count < 65525)
		v->type = FAT_TYPE_16;
	else
		v->type = FAT_TYPE_32;
	if (v->type == FAT_TYPE_32) {
		/* s.3.3: no fixed root, the 32-bit FAT size, version 0.0. */
		if (!bpb32 || root_ents || fat_le16(bs + 42) != 0)
			return FAT_ECORRUPT;
		if (count > 0x0ffffff5)
			return FAT_ECORRUPT;
		uint16_t flags = fat_le16(bs + 40);
		if (flags & 0x80) {
			v->mirror = false;
			v->active_fat = flags & 0xf;
			if (v->active_fat >= nfats)
				return FAT_ECORRUPT;
		}
		ext = bs + 64;
	} else if (bpb32 || !root_ents) {
		return FAT_ECORRUPT;
	}
	v->clusters = (uint32_t)count;
	if (fatsz > UINT32_MAX / bps)
		return FAT_ECORRUPT;
	v->fat_bytes = fatsz * bps;
	/* The FAT must describe every cluster (entries 0 and 1 included). */
	uint64_t need =
	    v->type == FAT_TYPE_12 ? ((count + 2) * 3 + 1) / 2 : (count + 2) * (v->type / 8);
	if (need > v->fat_bytes)
		return FAT_ECORRUPT;
	if (v->type == FAT_TYPE_32) {
		v->root_cluster = fat_le32(bs + 44);
		if (!fat_cluster_ok(v, v->root_cluster))
			return FAT_ECORRUPT;
		uint32_t fsi = fat_le16(bs + 48);
		if (fsi && fsi < rsvd)
			v->fsinfo_off = (uint64_t)fsi * bps;
	} else {
		v->root_off = v->fat_off + (uint64_t)nfats * v->fat_bytes;
		v->root_entries = root_ents;
	}
	if (ext[2] == 0x29) { /* BS_BootSig: serial and label present */
		v->serial = fat_le32(ext + 3);
		memcpy(v->bpb_label, ext + 7, 11);
	} else {
		memset(v->bpb_label, ' ', 11);
	}
	v->next_free = 2;
	return FAT_OK;
}

/* s.5: FSInfo is a hint; take its next-free cluster when it is in range
 * and forget the sector when its signatures are wrong. */
static void fat_read_fsinfo(struct fat_vol *v)
{
	uint8_t fsi[512];

	if (!v->fsinfo_off || fat_io_read(v, v->fsinfo_off, fsi, sizeof(fsi))) {
		v->fsinfo_off = 0;
		return;
	}
	if (fat_le32(fsi) != 0x41615252 || fat_le32(fsi + 484) != 0x61417272 ||
	    fat_le32(fsi + 508) != 0xaa550000) {
		v->fsinfo_off = 0;
		return;
	}
	uint32_t nxt = fat_le32(fsi + 492);
	if (fat_cluster_ok(v, nxt))
		v->next_free = nxt;
}

int fat_mount(struct fat_vol *v, const struct blkdev *dev)
{
	uint8_t bs[FAT_MAX_BLOCK];
	uint32_t bsz = dev->block_size;

	if (bsz < 512 || bsz > FAT_MAX_BLOCK || !is_pow2(bsz) || !dev->blocks ||
	    dev->blocks > UINT64_MAX / bsz)
		return FAT_EINVAL;
	if (blkdev_read(dev, 0, 1, bs))
		return FAT_EIO;
	int (*now)(struct rtc_time *) = v->now;
	int r = fat_parse_bpb(v, bs, bsz, dev->blocks * bsz);
	v->now = now;
	if (r)
		return r;
	v->dev = *dev;
	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
		v->cache_valid[i] = false;
	v->cache_next = 0;
	fat_read_fsinfo(v);

	struct fat_node *root = sysmem_zalloc(sizeof(*root));
	if (!root)
		return FAT_ENOMEM;
	root->vol = v;
	root->refs = 1;
	root->is_dir = root->is_root = true;
	root->attr = FAT_ATTR_DIRECTORY;
	root->first = v->type == FAT_TYPE_32 ? v->root_cluster : 0;
	v->root = root;
	return FAT_OK;
}

void fat_unmount(struct fat_vol *v)
{
	if (v->root)
		fat_node_put(v->root);
	v->root = NULL;
}

void fat_now(struct fat_vol *v, struct rtc_time *t)
{
	if (!v->now || v->now(t) || !rtc_time_valid(t) || t->year < 1980 || t->year > 2107)
		*t = (struct rtc_time){.year = 1980, .month = 1, .day = 1};
}

/* The cached copy of block lba, read in when missing; NULL on a failure. */
static uint8_t *fat_cache_get(struct fat_vol *v, uint64_t lba)
{
	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
		if (v->cache_valid[i] && v->cache_lba[i] == lba)
			return v->cache[i];
	unsigned s = v->cache_next++ % FAT_CACHE_SLOTS;
	v->cache_valid[s] = false;
	if (blkdev_read(&v->dev, lba, 1, v->cache[s]))
		return NULL;
	v->cache_lba[s] = lba;
	v->cache_valid[s] = true;
	return v->cache[s];
}

/* Forget cached copies of blocks [lba, lba + n). */
static void fat_cache_drop(struct fat_vol *v, uint64_t lba, uint64_t n)
{
	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
		if (v->cache_valid[i] && v->cache_lba[i] >= lba && v->cache_lba[i] - lba < n)
			v->cache_valid[i] = false;
}

static bool fat_range_ok(const struct fat_vol *v, uint64_t off, uint64_t len)
{
	return off <= v->volume_bytes && len <= v->volume_bytes - off;
}

int fat_io_read(struct fat_vol *v, uint64_t off, void *buf, size_t len)
{
	uint32_t bsz = v->dev.block_size;
	uint8_t *p = buf;

	if (!fat_range_ok(v, off, len))
		return FAT_ECORRUPT;
	while (len) {
		uint64_t lba = off / bsz;
		uint32_t in = (uint32_t)(off % bsz);

		if (!in && len >= bsz) {
			/* Whole blocks straight into the caller's buffer. */
			uint64_t n = len / bsz;
			if (blkdev_read(&v->dev, lba, n, p))
				return FAT_EIO;
			p += n * bsz;
			off += n * bsz;
			len -= n * bsz;
			continue;
		}
		uint8_t *blk = fat_cache_get(v, lba);
		if (!blk)
			return FAT_EIO;
		size_t n = bsz - in < len ? bsz - in : len;
		memcpy(p, blk + in, n);
		p += n;
		off += n;
		len -= n;
	}
	return FAT_OK;
}

/* Write len bytes (from buf, or zeros when buf is NULL). */
static int fat_io_put(struct fat_vol *v, uint64_t off, const uint8_t *buf, uint64_t len)
{
	static const uint8_t zeros[FAT_MAX_BLOCK];
	uint32_t bsz = v->dev.block_size;

	if (!fat_range_ok(v, off, len))
		return FAT_ECORRUPT;
	if (v->dev.read_only)
		return FAT_EROFS;
	while (len) {
		uint64_t lba = off / bsz;
		uint32_t in = (uint32_t)(off % bsz);

		if (!in && len >= bsz) {
			uint64_t n = buf ? len / bsz : 1;
			fat_cache_drop(v, lba, n);
			if (blkdev_write(&v->dev, lba, n, buf ? buf : zeros))
				return FAT_EIO;
			if (buf)
				buf += n * bsz;
			off += n * bsz;
			len -= n * bsz;
			continue;
		}
		uint8_t *blk = fat_cache_get(v, lba);
		if (!blk)
			return FAT_EIO;
		uint64_t n = bsz - in < len ? bsz - in : len;
		if (buf)
			memcpy(blk + in, buf, n);
		else
			memset(blk + in, 0, n);
		if (blkdev_write(&v->dev, lba, 1, blk)) {
			fat_cache_drop(v, lba, 1);
			return FAT_EIO;
		}
		if (buf)
			buf += n;
		off += n;
		len -= n;
	}
	return FAT_OK;
}

int fat_io_write(struct fat_vol *v, uint64_t off, const void *buf, size_t len)
{
	return fat_io_put(v, off, buf, len);
}

int fat_io_zero(struct fat_vol *v, uint64_t off, uint64_t len)
{
	return fat_io_put(v, off, NULL, len);
}

int fat_sync(struct fat_vol *v)
{
	int r = fat_fsinfo_sync(v);

	if (r)
		return r;
	if (!v->dev.read_only && v->dev.flush && v->dev.flush(v->dev.ctx))
		return FAT_EIO;
	return FAT_OK;
}
