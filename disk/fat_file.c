/* FAT file data: read, write, grow and shrink a file's cluster chain
 * (FAT spec s.4). Runs of consecutive clusters move in one device call.
 * A node's chain was walked to its end when it was opened (fat_node.c), so
 * every cluster index below n->nclus exists. */
#include <string.h>
#include "fat_priv.h"

/* The cluster holding the file's cluster index idx (< n->nclus). */
static int fat_seek(struct fat_node *n, uint32_t idx, uint32_t *clus)
{
	struct fat_vol *v = n->vol;
	uint32_t c = n->first, i = 0;

	if (idx >= n->nclus)
		return FAT_ECORRUPT;
	if (n->hint_clus && n->hint_idx <= idx) {
		c = n->hint_clus;
		i = n->hint_idx;
	}
	while (i < idx) {
		int r = fat_next(v, c, &c);
		if (r)
			return r;
		if (c == FAT_EOC)
			return FAT_ECORRUPT;
		i++;
	}
	n->hint_idx = idx;
	n->hint_clus = c;
	*clus = c;
	return FAT_OK;
}

enum fat_xfer { FAT_XFER_READ, FAT_XFER_WRITE, FAT_XFER_ZERO };

/* Move len bytes at file offset pos (inside the chain) to or from buf. */
static int fat_xfer(struct fat_node *n, uint64_t pos, uint8_t *buf, uint64_t len, enum fat_xfer how)
{
	struct fat_vol *v = n->vol;
	uint32_t cs = v->cluster_size;

	while (len) {
		uint32_t idx = (uint32_t)(pos / cs), c = 0, last;
		uint32_t in = (uint32_t)(pos % cs);
		int r = fat_seek(n, idx, &c);

		if (r)
			return r;
		uint64_t run = cs - in < len ? cs - in : len;
		/* Extend over the following clusters while they are adjacent. */
		last = c;
		while (run < len && idx + 1 < n->nclus) {
			uint32_t next;
			if ((r = fat_next(v, last, &next)))
				return r;
			if (next != last + 1)
				break;
			last = next;
			idx++;
			run += len - run < cs ? len - run : cs;
		}
		n->hint_idx = idx;
		n->hint_clus = last;
		uint64_t off = fat_cluster_off(v, c) + in;
		if (how == FAT_XFER_READ)
			r = fat_io_read(v, off, buf, run);
		else if (how == FAT_XFER_WRITE)
			r = fat_io_write(v, off, buf, run);
		else
			r = fat_io_zero(v, off, run);
		if (r)
			return r;
		if (buf)
			buf += run;
		pos += run;
		len -= run;
	}
	return FAT_OK;
}

int fat_read(struct fat_node *n, uint64_t pos, void *buf, size_t len, size_t *done)
{
	*done = 0;
	if (n->deleted)
		return FAT_ENOENT;
	if (n->is_dir)
		return FAT_EISDIR;
	if (pos >= n->size)
		return FAT_OK;
	if (len > n->size - pos)
		len = (size_t)(n->size - pos);
	int r = fat_xfer(n, pos, buf, len, FAT_XFER_READ);
	if (!r)
		*done = len;
	return r;
}

/* Cut the chain to keep clusters (freeing the rest). */
static int fat_shrink(struct fat_node *n, uint32_t keep)
{
	struct fat_vol *v = n->vol;
	uint32_t c = 0, next = FAT_EOC;
	int r;

	if (keep >= n->nclus)
		return FAT_OK;
	n->hint_clus = 0;
	n->hint_idx = 0;
	if (!keep) {
		r = fat_free_chain(v, n->first);
		n->first = 0;
		n->nclus = 0;
		return r;
	}
	if ((r = fat_seek(n, keep - 1, &c)) || (r = fat_next(v, c, &next)) ||
	    (r = fat_set(v, c, 0x0fffffff)))
		return r;
	n->nclus = keep;
	return next == FAT_EOC ? FAT_OK : fat_free_chain(v, next);
}

/* Grow the chain to need clusters; on failure the chain is as it was. */
static int fat_grow(struct fat_node *n, uint32_t need)
{
	struct fat_vol *v = n->vol;
	uint32_t had = n->nclus, last = 0;
	int r = FAT_OK;

	if (need <= had)
		return FAT_OK;
	if (need > v->clusters)
		return FAT_ENOSPC;
	if (had && (r = fat_seek(n, had - 1, &last)))
		return r;
	while (n->nclus < need) {
		uint32_t c;

		if ((r = fat_alloc(v, last, false, &c)))
			break;
		if (!n->first)
			n->first = c;
		n->nclus++;
		last = c;
	}
	if (r) {
		fat_shrink(n, had);
		fat_fsinfo_sync(v);
	}
	return r;
}

static uint32_t fat_clusters_for(const struct fat_vol *v, uint64_t size)
{
	return (uint32_t)((size + v->cluster_size - 1) / v->cluster_size);
}

/* Checks shared by the calls that change a file's data. */
static int fat_writable(struct fat_node *n)
{
	if (n->deleted)
		return FAT_ENOENT;
	if (n->is_dir)
		return FAT_EISDIR;
	if (n->vol->dev.read_only)
		return FAT_EROFS;
	return FAT_OK;
}

int fat_write(struct fat_node *n, uint64_t pos, const void *buf, size_t len, size_t *done)
{
	struct fat_vol *v = n->vol;
	int r = fat_writable(n);

	*done = 0;
	if (r)
		return r;
	if (!len)
		return FAT_OK;
	if (pos > UINT32_MAX || len > UINT32_MAX - pos)
		return FAT_EFBIG;
	uint64_t end = pos + len;
	if ((r = fat_grow(n, fat_clusters_for(v, end))))
		return r;
	/* A gap between the old end and pos reads as zeros. */
	if (pos > n->size && (r = fat_xfer(n, n->size, NULL, pos - n->size, FAT_XFER_ZERO)))
		return r;
	if ((r = fat_xfer(n, pos, (uint8_t *)(uintptr_t)buf, len, FAT_XFER_WRITE)))
		return r;
	if (end > n->size)
		n->size = (uint32_t)end;
	*done = len;
	if ((r = fat_node_store(n, true)))
		return r;
	return fat_fsinfo_sync(v);
}

int fat_truncate(struct fat_node *n, uint64_t size)
{
	struct fat_vol *v = n->vol;
	int r = fat_writable(n);

	if (r)
		return r;
	if (size > UINT32_MAX)
		return FAT_EFBIG;
	uint32_t need = fat_clusters_for(v, size);
	if (size <= n->size) {
		r = fat_shrink(n, need);
	} else if (!(r = fat_grow(n, need))) {
		r = fat_xfer(n, n->size, NULL, size - n->size, FAT_XFER_ZERO);
	}
	if (r)
		return r;
	n->size = (uint32_t)size;
	if ((r = fat_node_store(n, true)))
		return r;
	return fat_fsinfo_sync(v);
}
