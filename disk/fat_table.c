/* The File Allocation Table: 12-, 16- and 28-bit entries, chains, free
 * clusters, FSInfo (FAT spec s.4, s.5). Every copy of the FAT is written
 * unless FAT32's mirroring is off (then only the active one is used). */
#include <string.h>
#include "fat_priv.h"

bool fat_cluster_ok(const struct fat_vol *v, uint32_t c)
{
	return c >= 2 && c - 2 < v->clusters;
}

uint64_t fat_cluster_off(const struct fat_vol *v, uint32_t c)
{
	return v->data_off + (uint64_t)(c - 2) * v->cluster_size;
}

/* Byte offset of cluster c's entry in FAT copy n. */
static uint64_t fat_entry_off(const struct fat_vol *v, unsigned n, uint32_t c)
{
	uint64_t base = v->fat_off + (uint64_t)n * v->fat_bytes;

	switch (v->type) {
	case FAT_TYPE_12:
		return base + c + c / 2;
	case FAT_TYPE_16:
		return base + (uint64_t)c * 2;
	default:
		return base + (uint64_t)c * 4;
	}
}

/* s.4: the raw entry of cluster c (FAT32's top 4 bits masked off). */
int fat_get(struct fat_vol *v, uint32_t c, uint32_t *val)
{
	uint8_t b[4];
	unsigned copy = v->mirror ? 0 : v->active_fat;

	if (c > v->clusters + 1)
		return FAT_ECORRUPT;
	unsigned w = v->type == FAT_TYPE_32 ? 4 : 2;
	int r = fat_io_read(v, fat_entry_off(v, copy, c), b, w);
	if (r)
		return r;
	if (v->type == FAT_TYPE_12)
		*val = c & 1 ? fat_le16(b) >> 4 : fat_le16(b) & 0xfff;
	else if (v->type == FAT_TYPE_16)
		*val = fat_le16(b);
	else
		*val = fat_le32(b) & 0x0fffffff;
	return FAT_OK;
}

/* Set cluster c's entry in every FAT copy in use. A FAT12 entry shares a
 * byte with its neighbour; FAT32 keeps the top 4 bits (s.4). */
int fat_set(struct fat_vol *v, uint32_t c, uint32_t val)
{
	v->dir_hint_first = 0; /* a chain may change */
	if (c < 2 || c > v->clusters + 1)
		return FAT_ECORRUPT;
	for (unsigned n = 0; n < v->fats; n++) {
		uint8_t b[4];
		uint64_t off = fat_entry_off(v, n, c);
		unsigned w = v->type == FAT_TYPE_32 ? 4 : 2;
		int r;

		if (!v->mirror && n != v->active_fat)
			continue;
		if (v->type != FAT_TYPE_16 && (r = fat_io_read(v, off, b, w)))
			return r;
		if (v->type == FAT_TYPE_12) {
			uint16_t old = fat_le16(b);
			fat_put16(b, c & 1 ? (uint16_t)((old & 0x000f) | (val & 0xfff) << 4)
					   : (uint16_t)((old & 0xf000) | (val & 0xfff)));
		} else if (v->type == FAT_TYPE_16) {
			fat_put16(b, (uint16_t)val);
		} else {
			fat_put32(b, (fat_le32(b) & 0xf0000000) | (val & 0x0fffffff));
		}
		if ((r = fat_io_write(v, off, b, w)))
			return r;
	}
	return FAT_OK;
}

static uint32_t fat_eoc_min(const struct fat_vol *v)
{
	return v->type == FAT_TYPE_12 ? 0xff8 : v->type == FAT_TYPE_16 ? 0xfff8 : 0x0ffffff8;
}

int fat_next(struct fat_vol *v, uint32_t c, uint32_t *next)
{
	uint32_t val;
	int r = fat_get(v, c, &val);

	if (r)
		return r;
	if (val >= fat_eoc_min(v)) {
		*next = FAT_EOC;
		return FAT_OK;
	}
	/* Free (0), reserved (1), bad (..7) or past the end: broken chain. */
	if (!fat_cluster_ok(v, val))
		return FAT_ECORRUPT;
	*next = val;
	return FAT_OK;
}

int fat_count_free(struct fat_vol *v)
{
	static uint8_t chunk[FAT_MAX_BLOCK];
	uint64_t coff = UINT64_MAX;
	uint32_t n = 0;

	if (v->free_known)
		return FAT_OK;
	for (uint32_t c = 2; c < v->clusters + 2; c++) {
		uint32_t val;
		int r;

		if (v->type == FAT_TYPE_12) {
			if ((r = fat_get(v, c, &val)))
				return r;
		} else {
			/* 16/32-bit entries: a block of them at a time. */
			unsigned w = v->type / 8;
			uint64_t off = fat_entry_off(v, v->mirror ? 0 : v->active_fat, c);
			uint64_t base = off - off % sizeof(chunk);

			if (coff != base) {
				uint64_t end = v->fat_off + (uint64_t)v->fats * v->fat_bytes;
				size_t len =
				    end - base < sizeof(chunk) ? end - base : sizeof(chunk);
				if ((r = fat_io_read(v, base, chunk, len)))
					return r;
				coff = base;
			}
			const uint8_t *p = chunk + (off - base);
			val = w == 2 ? fat_le16(p) : fat_le32(p) & 0x0fffffff;
		}
		n += val == 0;
	}
	v->free_count = n;
	v->free_known = true;
	return FAT_OK;
}

int fat_alloc(struct fat_vol *v, uint32_t prev, bool zero, uint32_t *out)
{
	int r = fat_count_free(v);

	if (r)
		return r;
	if (!v->free_count)
		return FAT_ENOSPC;
	uint32_t start = fat_cluster_ok(v, v->next_free) ? v->next_free : 2;
	uint32_t c = start;
	for (uint32_t i = 0; i < v->clusters; i++) {
		uint32_t val;

		if ((r = fat_get(v, c, &val)))
			return r;
		if (!val)
			break;
		c = c + 1 < v->clusters + 2 ? c + 1 : 2;
		if (c == start)
			return FAT_ENOSPC;
	}
	/* End of chain first, then the link: a failure between leaves a
	 * lost cluster, never a chain into a free one. */
	if ((r = fat_set(v, c, 0x0fffffff)))
		return r;
	v->free_count--;
	v->next_free = c + 1 < v->clusters + 2 ? c + 1 : 2;
	v->fsinfo_dirty = true;
	if (zero && (r = fat_io_zero(v, fat_cluster_off(v, c), v->cluster_size)))
		return r;
	if (prev && (r = fat_set(v, prev, c)))
		return r;
	*out = c;
	return FAT_OK;
}

int fat_free_chain(struct fat_vol *v, uint32_t c)
{
	int r = fat_count_free(v);

	if (r)
		return r;
	for (uint32_t i = 0; i <= v->clusters && c != FAT_EOC; i++) {
		uint32_t next;

		if (!fat_cluster_ok(v, c))
			return FAT_ECORRUPT;
		r = fat_next(v, c, &next);
		if (r == FAT_ECORRUPT) {
			uint32_t val;
			/* Free this one anyway unless it already is free. */
			if (fat_get(v, c, &val) || !val)
				return r;
			next = FAT_EOC;
		} else if (r) {
			return r;
		}
		if ((r = fat_set(v, c, 0)))
			return r;
		v->free_count++;
		v->fsinfo_dirty = true;
		c = next;
	}
	return c == FAT_EOC ? FAT_OK : FAT_ECORRUPT;
}

/* s.5: FSInfo's free count and next free cluster, when they changed. */
int fat_fsinfo_sync(struct fat_vol *v)
{
	uint8_t b[8];

	if (!v->fsinfo_off || !v->fsinfo_dirty || v->dev.read_only)
		return FAT_OK;
	fat_put32(b, v->free_known ? v->free_count : 0xffffffff);
	fat_put32(b + 4, v->next_free);
	int r = fat_io_write(v, v->fsinfo_off + 488, b, sizeof(b));
	if (!r)
		v->fsinfo_dirty = false;
	return r;
}
