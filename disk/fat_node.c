/* FAT open files and directories (struct fat_node): path lookup, create,
 * delete, rename, names, times and attributes. A node is shared by every
 * handle on the same entry and holds a reference on the directory it was
 * opened from, so ".." is the way the caller came, never a cluster number
 * read from the disk. A directory whose entry names itself or one of its
 * ancestors is refused, so no walk of the tree can loop. */
#include <string.h>
#include "fat_priv.h"

struct fat_node *fat_root(struct fat_vol *v)
{
	return fat_node_get(v->root);
}

struct fat_node *fat_node_get(struct fat_node *n)
{
	n->refs++;
	return n;
}

void fat_node_put(struct fat_node *n)
{
	while (n && !--n->refs) {
		struct fat_node *up = n->up, **pp = &n->vol->nodes;

		while (*pp && *pp != n)
			pp = &(*pp)->next;
		if (*pp)
			*pp = n->next;
		sysmem_free(n);
		n = up;
	}
}

/* Walk the chain from first to its end: *len clusters. A chain longer
 * than the volume has clusters loops: FAT_ECORRUPT. */
static int fat_chain_len(struct fat_vol *v, uint32_t first, uint32_t *len)
{
	uint32_t c = first, n = 0;

	*len = 0;
	if (!first)
		return FAT_OK;
	while (c != FAT_EOC) {
		if (n >= v->clusters || !fat_cluster_ok(v, c))
			return FAT_ECORRUPT;
		n++;
		int r = fat_next(v, c, &c);
		if (r)
			return r;
	}
	*len = n;
	return FAT_OK;
}

/* The node of entry e in directory dir (shared if open already). */
static int fat_node_child(struct fat_node *dir, const struct fat_entry *e, struct fat_node **out)
{
	struct fat_vol *v = dir->vol;
	uint32_t nclus;
	int r;

	for (struct fat_node *n = v->nodes; n; n = n->next) {
		if (n->up == dir && n->slot == e->slot && !n->deleted) {
			*out = fat_node_get(n);
			return FAT_OK;
		}
	}
	bool is_dir = e->attr & FAT_ATTR_DIRECTORY;
	if (is_dir) {
		if (!fat_cluster_ok(v, e->first))
			return FAT_ECORRUPT;
		for (struct fat_node *a = dir; a; a = a->up)
			if (a->first == e->first)
				return FAT_ECORRUPT; /* a directory inside itself */
	}
	if ((r = fat_chain_len(v, e->first, &nclus)))
		return r;
	if (!is_dir && ((uint64_t)e->size + v->cluster_size - 1) / v->cluster_size > nclus)
		return FAT_ECORRUPT; /* the size says more than the chain holds */
	if (is_dir && nclus > FAT_DIR_MAX_ENTRIES / (v->cluster_size / FAT_DIRENT_SIZE) + 1)
		return FAT_ECORRUPT;

	struct fat_node *n = sysmem_zalloc(sizeof(*n));
	if (!n)
		return FAT_ENOMEM;
	n->vol = v;
	n->refs = 1;
	n->is_dir = is_dir;
	n->attr = e->attr;
	n->first = e->first;
	n->nclus = nclus;
	n->size = is_dir ? 0 : e->size;
	n->slot = e->slot;
	n->lfn_slots = e->lfn_slots;
	n->up = fat_node_get(dir);
	n->next = v->nodes;
	v->nodes = n;
	*out = n;
	return FAT_OK;
}

/* Fill a new short entry's times with now. */
static void fat_stamp(struct fat_vol *v, uint8_t *de, bool create)
{
	struct rtc_time t;
	uint16_t d, tm;

	fat_now(v, &t);
	fat_time_encode(&t, &d, &tm);
	if (create) {
		de[DE_CRT_TENTH] = (uint8_t)(t.second & 1 ? 100 : 0);
		fat_put16(de + DE_CRT_TIME, tm);
		fat_put16(de + DE_CRT_DATE, d);
	}
	fat_put16(de + DE_WRT_TIME, tm);
	fat_put16(de + DE_WRT_DATE, d);
	fat_put16(de + DE_ACC_DATE, d);
}

/* Create name in dir: a file, or a directory with its "." and "..". */
static int fat_create(struct fat_node *dir, const uint16_t *name, size_t len, unsigned flags,
		      uint8_t attr, struct fat_entry *e)
{
	struct fat_vol *v = dir->vol;
	uint8_t tmpl[FAT_DIRENT_SIZE] = {0};
	uint32_t c = 0, slot, lfn;
	int r;

	if (v->dev.read_only)
		return FAT_EROFS;
	if (!fat_name_valid(name, len))
		return FAT_EINVAL;
	tmpl[DE_ATTR] = (uint8_t)((attr & FAT_ATTR_CHANGEABLE) |
				  (flags & FAT_OPEN_DIR ? FAT_ATTR_DIRECTORY : FAT_ATTR_ARCHIVE));
	fat_stamp(v, tmpl, true);
	if (flags & FAT_OPEN_DIR) {
		uint8_t dot[2][FAT_DIRENT_SIZE];

		if ((r = fat_alloc(v, 0, true, &c)))
			return r;
		/* s.6.3: "." names the directory, ".." its parent (0: root). */
		for (int k = 0; k < 2; k++) {
			memcpy(dot[k], tmpl, FAT_DIRENT_SIZE);
			memset(dot[k], ' ', 11);
			dot[k][0] = '.';
			if (k)
				dot[k][1] = '.';
			dot[k][DE_ATTR] = FAT_ATTR_DIRECTORY;
			fat_dirent_set_cluster(dot[k], k ? (dir->is_root ? 0 : dir->first) : c);
		}
		if ((r = fat_io_write(v, fat_cluster_off(v, c), dot, sizeof(dot)))) {
			fat_free_chain(v, c);
			return r;
		}
		fat_dirent_set_cluster(tmpl, c);
	}
	r = fat_dir_add(v, dir->first, name, len, tmpl, &slot, &lfn);
	if (r) {
		if (c)
			fat_free_chain(v, c);
		fat_fsinfo_sync(v);
		return r;
	}
	uint32_t index = slot - lfn;
	if ((r = fat_dir_scan(v, dir->first, &index, e)))
		return r == FAT_ENOENT ? FAT_ECORRUPT : r;
	return fat_fsinfo_sync(v);
}

static bool fat_is_dots(const uint16_t *c, size_t len, size_t dots)
{
	return len == dots && c[0] == '.' && (dots == 1 || c[1] == '.');
}

int fat_open(struct fat_vol *v, struct fat_node *base, const uint16_t *path, unsigned flags,
	     uint8_t attr, struct fat_node **out)
{
	struct fat_node *cur = base ? base : v->root;
	struct fat_entry *e = sysmem_zalloc(sizeof(*e));
	const uint16_t *p = path;
	int r = FAT_OK;

	if (!e)
		return FAT_ENOMEM;
	if (!cur->is_dir)
		cur = cur->up; /* a file: its directory */
	if (*p == '\\')
		cur = v->root;
	cur = fat_node_get(cur);
	for (;;) {
		while (*p == '\\')
			p++;
		if (!*p)
			break;
		const uint16_t *comp = p;
		while (*p && *p != '\\')
			p++;
		size_t len = (size_t)(p - comp);
		const uint16_t *rest = p;
		while (*rest == '\\')
			rest++;
		bool last = !*rest;

		if (fat_is_dots(comp, len, 1))
			continue;
		if (fat_is_dots(comp, len, 2)) {
			if (cur->up) {
				struct fat_node *up = fat_node_get(cur->up);
				fat_node_put(cur);
				cur = up;
			}
			continue;
		}
		if (!cur->is_dir) {
			r = FAT_ENOTDIR;
			break;
		}
		if (cur->deleted) {
			r = FAT_ENOENT;
			break;
		}
		if (len > FAT_NAME_MAX) {
			r = FAT_EINVAL;
			break;
		}
		r = fat_dir_find(v, cur->first, comp, len, e);
		if (r == FAT_ENOENT && last && (flags & FAT_OPEN_CREATE))
			r = fat_create(cur, comp, len, flags, attr, e);
		if (r)
			break;
		struct fat_node *next;
		if ((r = fat_node_child(cur, e, &next)))
			break;
		fat_node_put(cur);
		cur = next;
	}
	sysmem_free(e);
	if (r) {
		fat_node_put(cur);
		return r;
	}
	*out = cur;
	return FAT_OK;
}

/* Store a node's cluster and size into its entry; a modification also
 * stamps the write and access dates and sets the archive bit. */
int fat_node_store(struct fat_node *n, bool modified)
{
	uint8_t de[FAT_DIRENT_SIZE];
	int r;

	if (n->is_root)
		return FAT_OK;
	if ((r = fat_dirent_read(n->vol, n->up->first, n->slot, de)))
		return r;
	fat_dirent_set_cluster(de, n->first);
	if (!n->is_dir)
		fat_put32(de + DE_SIZE, n->size);
	if (modified) {
		fat_stamp(n->vol, de, false);
		if (!n->is_dir)
			de[DE_ATTR] |= FAT_ATTR_ARCHIVE;
		n->attr = de[DE_ATTR];
	}
	return fat_dirent_write(n->vol, n->up->first, n->slot, de);
}

int fat_delete(struct fat_node *n)
{
	struct fat_vol *v = n->vol;
	int r;

	if (n->is_root)
		return FAT_EACCES;
	if (n->deleted)
		return FAT_ENOENT;
	if (v->dev.read_only)
		return FAT_EROFS;
	if (n->is_dir) {
		struct fat_entry *e = sysmem_zalloc(sizeof(*e));
		uint32_t index = 0;

		if (!e)
			return FAT_ENOMEM;
		while (!(r = fat_dir_scan(v, n->first, &index, e))) {
			size_t len = 0;
			while (e->name[len])
				len++;
			if (!fat_is_dots(e->name, len, 1) && !fat_is_dots(e->name, len, 2)) {
				r = FAT_ENOTEMPTY;
				break;
			}
		}
		sysmem_free(e);
		if (r != FAT_ENOENT)
			return r;
	}
	if ((r = fat_dir_remove(v, n->up->first, n->slot, n->lfn_slots)))
		return r;
	n->deleted = true;
	if (n->first)
		r = fat_free_chain(v, n->first);
	n->first = 0;
	n->nclus = 0;
	int s = fat_fsinfo_sync(v);
	return r ? r : s;
}

/* The length of a NUL-terminated name. */
static size_t fat_ustrlen(const uint16_t *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int fat_rename(struct fat_node *n, const uint16_t *path)
{
	struct fat_vol *v = n->vol;
	struct fat_node *tdir;
	size_t plen = fat_ustrlen(path), cut = plen;
	int r;

	if (n->is_root)
		return FAT_EACCES;
	if (n->deleted)
		return FAT_ENOENT;
	if (v->dev.read_only)
		return FAT_EROFS;
	while (cut && path[cut - 1] != '\\')
		cut--;
	const uint16_t *name = path + cut;
	size_t len = plen - cut;
	if (!fat_name_valid(name, len) || fat_is_dots(name, len, 1) || fat_is_dots(name, len, 2))
		return FAT_EINVAL;
	if (!cut) {
		tdir = fat_node_get(n->up);
	} else {
		uint16_t *dpath = sysmem_zalloc((cut + 1) * sizeof(uint16_t));
		if (!dpath)
			return FAT_ENOMEM;
		memcpy(dpath, path, cut * sizeof(uint16_t));
		r = fat_open(v, n->up, dpath, 0, 0, &tdir);
		sysmem_free(dpath);
		if (r)
			return r;
		if (!tdir->is_dir) {
			fat_node_put(tdir);
			return FAT_ENOTDIR;
		}
	}
	struct fat_entry *e = sysmem_zalloc(sizeof(*e));
	uint8_t de[FAT_DIRENT_SIZE];
	uint32_t slot, lfn;

	if (!e) {
		r = FAT_ENOMEM;
		goto out;
	}
	r = fat_dir_find(v, tdir->first, name, len, e);
	if (!r && !(tdir == n->up && e->slot == n->slot)) {
		r = FAT_EEXIST;
		goto out;
	}
	if (r && r != FAT_ENOENT)
		goto out;
	r = FAT_OK;
	for (struct fat_node *a = tdir; a && n->is_dir; a = a->up) {
		if (a == n) {
			r = FAT_EACCES; /* into itself */
			goto out;
		}
	}
	if ((r = fat_dirent_read(v, n->up->first, n->slot, de)) ||
	    (r = fat_dir_add(v, tdir->first, name, len, de, &slot, &lfn)))
		goto out;
	if ((r = fat_dir_remove(v, n->up->first, n->slot, n->lfn_slots)))
		goto out;
	if (n->is_dir && tdir != n->up) {
		/* s.6.3: a moved directory's ".." names its new parent. */
		uint8_t dd[FAT_DIRENT_SIZE];
		if (!fat_dirent_read(v, n->first, 1, dd) && dd[0] == '.' && dd[1] == '.') {
			fat_dirent_set_cluster(dd, tdir->is_root ? 0 : tdir->first);
			r = fat_dirent_write(v, n->first, 1, dd);
		}
	}
	fat_node_put(n->up);
	n->up = fat_node_get(tdir);
	n->slot = slot;
	n->lfn_slots = lfn;
out:
	sysmem_free(e);
	fat_node_put(tdir);
	return r;
}

int fat_set_attr(struct fat_node *n, uint8_t attr, const struct fat_times *t)
{
	uint8_t de[FAT_DIRENT_SIZE];
	int r;

	if (n->is_root)
		return FAT_EACCES;
	if (n->deleted)
		return FAT_ENOENT;
	if (n->vol->dev.read_only)
		return FAT_EROFS;
	if ((r = fat_dirent_read(n->vol, n->up->first, n->slot, de)))
		return r;
	de[DE_ATTR] =
	    (uint8_t)((de[DE_ATTR] & ~FAT_ATTR_CHANGEABLE) | (attr & FAT_ATTR_CHANGEABLE));
	if (t) {
		uint16_t d, tm;

		fat_time_encode(&t->create, &d, &tm);
		fat_put16(de + DE_CRT_DATE, d);
		fat_put16(de + DE_CRT_TIME, tm);
		de[DE_CRT_TENTH] = 0;
		fat_time_encode(&t->access, &d, &tm);
		fat_put16(de + DE_ACC_DATE, d);
		fat_time_encode(&t->modify, &d, &tm);
		fat_put16(de + DE_WRT_DATE, d);
		fat_put16(de + DE_WRT_TIME, tm);
	}
	n->attr = de[DE_ATTR];
	return fat_dirent_write(n->vol, n->up->first, n->slot, de);
}

int fat_node_name(struct fat_node *n, uint16_t name[FAT_NAME_MAX + 1])
{
	int r;

	name[0] = 0;
	if (n->is_root)
		return FAT_OK;
	if (n->deleted)
		return FAT_ENOENT;
	struct fat_entry *e = sysmem_zalloc(sizeof(*e));
	if (!e)
		return FAT_ENOMEM;
	uint32_t index = n->slot - n->lfn_slots;
	r = fat_dir_scan(n->vol, n->up->first, &index, e);
	if (!r && e->slot != n->slot)
		r = FAT_ECORRUPT;
	if (!r)
		memcpy(name, e->name, sizeof(e->name));
	sysmem_free(e);
	return r == FAT_ENOENT ? FAT_ECORRUPT : r;
}

int fat_node_times(struct fat_node *n, struct fat_times *t)
{
	uint8_t de[FAT_DIRENT_SIZE];
	int r;

	memset(t, 0, sizeof(*t));
	if (n->is_root)
		return FAT_OK;
	if (n->deleted)
		return FAT_ENOENT;
	if ((r = fat_dirent_read(n->vol, n->up->first, n->slot, de)))
		return r;
	fat_time_decode(fat_le16(de + DE_CRT_DATE), fat_le16(de + DE_CRT_TIME), &t->create);
	fat_time_decode(fat_le16(de + DE_ACC_DATE), 0, &t->access);
	fat_time_decode(fat_le16(de + DE_WRT_DATE), fat_le16(de + DE_WRT_TIME), &t->modify);
	return FAT_OK;
}

int fat_dir_next(struct fat_node *dir, uint32_t *index, struct fat_entry *e)
{
	if (!dir->is_dir)
		return FAT_ENOTDIR;
	if (dir->deleted)
		return FAT_ENOENT;
	for (;;) {
		int r = fat_dir_scan(dir->vol, dir->first, index, e);
		if (r)
			return r;
		bool dots = e->short_name[0] == '.';
		if (!(e->attr & FAT_ATTR_DIRECTORY) || dots)
			return FAT_OK;
		/* Hide an entry naming this directory or an ancestor. */
		bool loop = false;
		for (struct fat_node *a = dir; a; a = a->up)
			loop |= a->first == e->first;
		if (!loop)
			return FAT_OK;
	}
}

int fat_free_bytes(struct fat_vol *v, uint64_t *bytes)
{
	int r = fat_count_free(v);

	if (!r)
		*bytes = (uint64_t)v->free_count * v->cluster_size;
	return r;
}
