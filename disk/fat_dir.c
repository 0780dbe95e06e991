/* FAT directories: entry positions, listing with long names, lookup,
 * adding and removing entries (FAT spec s.6, s.7). A directory is named
 * by its first cluster, 0 being FAT12/16's fixed root. Walks stop at
 * FAT_DIR_MAX_ENTRIES, so a directory chain with a cycle ends. */
#include <string.h>
#include "fat_priv.h"

void fat_dir_it_init(struct fat_dir_it *it, struct fat_vol *v, uint32_t first)
{
	it->v = v;
	it->first = first;
	it->clus = 0;
	it->clus_idx = 0;
}

int fat_dir_locate(struct fat_dir_it *it, uint32_t index, uint64_t *off)
{
	struct fat_vol *v = it->v;

	if (index >= FAT_DIR_MAX_ENTRIES)
		return FAT_ENOENT;
	if (!it->first) {
		if (v->type == FAT_TYPE_32)
			return FAT_ECORRUPT;
		if (index >= v->root_entries)
			return FAT_ENOENT;
		*off = v->root_off + (uint64_t)index * FAT_DIRENT_SIZE;
		return FAT_OK;
	}
	uint32_t per = v->cluster_size / FAT_DIRENT_SIZE, want = index / per;
	if (!it->clus || want < it->clus_idx) {
		if (!fat_cluster_ok(v, it->first))
			return FAT_ECORRUPT;
		it->clus = it->first;
		it->clus_idx = 0;
	}
	while (it->clus_idx < want) {
		uint32_t next;
		int r = fat_next(v, it->clus, &next);

		if (r)
			return r;
		if (next == FAT_EOC)
			return FAT_ENOENT;
		it->clus = next;
		it->clus_idx++;
	}
	*off = fat_cluster_off(v, it->clus) + (uint64_t)(index % per) * FAT_DIRENT_SIZE;
	return FAT_OK;
}

int fat_dirent_read(struct fat_vol *v, uint32_t dir, uint32_t slot, uint8_t de[32])
{
	struct fat_dir_it it;
	uint64_t off;
	int r;

	fat_dir_it_init(&it, v, dir);
	if ((r = fat_dir_locate(&it, slot, &off)))
		return r == FAT_ENOENT ? FAT_ECORRUPT : r;
	return fat_io_read(v, off, de, FAT_DIRENT_SIZE);
}

int fat_dirent_write(struct fat_vol *v, uint32_t dir, uint32_t slot, const uint8_t de[32])
{
	struct fat_dir_it it;
	uint64_t off;
	int r;

	fat_dir_it_init(&it, v, dir);
	if ((r = fat_dir_locate(&it, slot, &off)))
		return r == FAT_ENOENT ? FAT_ECORRUPT : r;
	return fat_io_write(v, off, de, FAT_DIRENT_SIZE);
}

uint32_t fat_dirent_cluster(const struct fat_vol *v, const uint8_t *de)
{
	uint32_t lo = fat_le16(de + DE_CLUS_LO);

	/* s.6: the high word is FAT32's only. */
	return v->type == FAT_TYPE_32 ? lo | (uint32_t)fat_le16(de + DE_CLUS_HI) << 16 : lo;
}

void fat_dirent_set_cluster(uint8_t *de, uint32_t c)
{
	fat_put16(de + DE_CLUS_LO, (uint16_t)c);
	fat_put16(de + DE_CLUS_HI, (uint16_t)(c >> 16));
}

void fat_time_decode(uint16_t date, uint16_t time, struct rtc_time *t)
{
	t->year = (uint16_t)(1980 + (date >> 9));
	t->month = (date >> 5) & 0xf;
	t->day = date & 0x1f;
	t->hour = time >> 11;
	t->minute = (time >> 5) & 0x3f;
	t->second = (uint8_t)((time & 0x1f) * 2);
}

void fat_time_encode(const struct rtc_time *t, uint16_t *date, uint16_t *time)
{
	unsigned y = t->year < 1980 ? 0 : t->year - 1980u > 127 ? 127 : t->year - 1980u;

	*date = (uint16_t)(y << 9 | (t->month & 0xf) << 5 | (t->day & 0x1f));
	*time =
	    (uint16_t)((t->hour & 0x1f) << 11 | (t->minute & 0x3f) << 5 | (t->second / 2 & 0x1f));
}

bool fat_name_valid(const uint16_t *name, size_t len)
{
	bool only_dots_spaces = true;

	if (!len || len > FAT_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		uint16_t c = name[i];

		if (c < 0x20 || (c < 0x80 && strchr("\"*/:<>?\\|", (int)c)) || c == 0x7f)
			return false;
		if (c != '.' && c != ' ')
			only_dots_spaces = false;
	}
	return !only_dots_spaces;
}

/* The 13 name units an LFN entry carries, in order (s.7). */
static const uint8_t fat_lfn_pos[FAT_LFN_CHARS] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

/* A long name being collected from LFN entries (they come last part first). */
struct fat_lfn {
	uint16_t units[FAT_LFN_MAX_SLOTS * FAT_LFN_CHARS];
	unsigned slots;	 /* entries in the sequence */
	unsigned expect; /* the order number the next entry must carry; 0: done */
	uint8_t checksum;
	bool active;
	uint32_t start; /* index of the first LFN entry */
};

/* Take one LFN entry at index i; a sequence broken anywhere is dropped. */
static void fat_lfn_take(struct fat_lfn *l, const uint8_t *de, uint32_t i)
{
	unsigned ord = de[0] & 0x3f;

	if (de[12] != 0 || fat_le16(de + DE_CLUS_LO) != 0 || !ord || ord > FAT_LFN_MAX_SLOTS) {
		l->active = false;
		return;
	}
	if (de[0] & FAT_LFN_LAST) {
		l->active = true;
		l->slots = ord;
		l->checksum = de[13];
		l->start = i;
	} else if (!l->active || !l->expect || ord != l->expect || de[13] != l->checksum) {
		l->active = false;
		return;
	}
	for (unsigned k = 0; k < FAT_LFN_CHARS; k++)
		l->units[(ord - 1) * FAT_LFN_CHARS + k] = fat_le16(de + fat_lfn_pos[k]);
	l->expect = ord - 1;
}

/* The long name for short entry de, or 0 when the LFN entries before it
 * are missing, incomplete, for another entry (checksum), or hold a name
 * no file may have. */
static size_t fat_lfn_finish(const struct fat_lfn *l, const uint8_t *de, uint16_t *out)
{
	size_t n = 0, max = l->slots * FAT_LFN_CHARS;

	if (!l->active || l->expect || l->checksum != fat_lfn_checksum(de))
		return 0;
	while (n < max && l->units[n])
		n++;
	/* A name must fill its last entry: no more slots than it needs. */
	if (n > FAT_NAME_MAX || (n + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS != l->slots)
		return 0;
	if (!fat_name_valid(l->units, n))
		return 0;
	memcpy(out, l->units, n * sizeof(uint16_t));
	out[n] = 0;
	return n;
}

/* Fill e from short entry de at index i with the long name if any. */
static void fat_entry_fill(struct fat_vol *v, const uint8_t *de, uint32_t i,
			   const struct fat_lfn *l, struct fat_entry *e)
{
	size_t n = fat_lfn_finish(l, de, e->name);

	e->lfn_slots = n ? l->slots : 0;
	if (n && l->start + l->slots != i)
		e->lfn_slots = 0; /* cannot happen: the sequence ends just before */
	if (!n || !e->lfn_slots)
		fat_short_to_name(de, e->name);
	memcpy(e->short_name, de, 11);
	e->attr = de[DE_ATTR];
	e->first = fat_dirent_cluster(v, de);
	e->size = fat_le32(de + DE_SIZE);
	e->slot = i;
	fat_time_decode(fat_le16(de + DE_CRT_DATE), fat_le16(de + DE_CRT_TIME), &e->times.create);
	fat_time_decode(fat_le16(de + DE_ACC_DATE), 0, &e->times.access);
	fat_time_decode(fat_le16(de + DE_WRT_DATE), fat_le16(de + DE_WRT_TIME), &e->times.modify);
}

static int fat_dir_scan_from(struct fat_dir_it *it, uint32_t *index, struct fat_entry *e);

/* Each call starts where the last one on the same directory stopped (the
 * volume's hint), so listing or searching a directory of n entries walks
 * its chain once, not n times: a hostile directory of 65536 one-sector
 * clusters took 25 s for one lookup in the fuzzer. */
int fat_dir_scan(struct fat_vol *v, uint32_t first, uint32_t *index, struct fat_entry *e)
{
	struct fat_dir_it it;

	fat_dir_it_init(&it, v, first);
	if (first && v->dir_hint_first == first) {
		it.clus = v->dir_hint_clus;
		it.clus_idx = v->dir_hint_idx;
	}
	int r = fat_dir_scan_from(&it, index, e);
	if (first && it.clus) {
		v->dir_hint_first = first;
		v->dir_hint_clus = it.clus;
		v->dir_hint_idx = it.clus_idx;
	}
	return r;
}

static int fat_dir_scan_from(struct fat_dir_it *it, uint32_t *index, struct fat_entry *e)
{
	struct fat_vol *v = it->v;
	struct fat_lfn *l = &(struct fat_lfn){.active = false};
	uint8_t de[FAT_DIRENT_SIZE];

	for (uint32_t i = *index;; i++) {
		uint64_t off;
		int r = fat_dir_locate(it, i, &off);

		if (r == FAT_ENOENT)
			*index = i;
		if (r)
			return r;
		if ((r = fat_io_read(v, off, de, sizeof(de))))
			return r;
		if (de[0] == 0) { /* s.6: the end; nothing after it is used */
			*index = i;
			return FAT_ENOENT;
		}
		if (de[0] == FAT_DELETED) {
			l->active = false;
			continue;
		}
		if ((de[DE_ATTR] & 0x3f) == FAT_ATTR_LFN) {
			fat_lfn_take(l, de, i);
			continue;
		}
		if (de[DE_ATTR] & FAT_ATTR_VOLUME_ID) {
			l->active = false;
			continue;
		}
		fat_entry_fill(v, de, i, l, e);
		*index = i + 1;
		return FAT_OK;
	}
}

/* ASCII-case-insensitive equality of a[0..alen) and NUL-terminated b. */
static bool fat_name_eq(const uint16_t *a, size_t alen, const uint16_t *b)
{
	size_t i = 0;

	for (; i < alen && b[i]; i++)
		if (fat_upcase(a[i]) != fat_upcase(b[i]))
			return false;
	return i == alen && !b[i];
}

int fat_dir_find(struct fat_vol *v, uint32_t first, const uint16_t *name, size_t len,
		 struct fat_entry *e)
{
	uint32_t index = 0;
	uint16_t sname[13];

	for (;;) {
		int r = fat_dir_scan(v, first, &index, e);

		if (r)
			return r;
		if (fat_name_eq(name, len, e->name))
			return FAT_OK;
		/* The short alias matches too (PROGRA~1). */
		uint8_t de[32] = {0};
		memcpy(de, e->short_name, 11);
		fat_short_to_name(de, sname);
		if (e->lfn_slots && fat_name_eq(name, len, sname))
			return FAT_OK;
	}
}

/* Whether short name sn is taken in the directory; with tails set, also
 * mark in it which ~N tails of basis are taken (bit n, n < limit). */
static int fat_short_scan(struct fat_vol *v, uint32_t dir, const uint8_t sn[11], bool *taken,
			  const uint8_t basis[11], uint8_t *tails, uint32_t limit)
{
	struct fat_dir_it it;
	uint8_t de[FAT_DIRENT_SIZE];

	*taken = false;
	fat_dir_it_init(&it, v, dir);
	for (uint32_t i = 0;; i++) {
		uint64_t off;
		int r = fat_dir_locate(&it, i, &off);

		if (r == FAT_ENOENT)
			return FAT_OK;
		if (r || (r = fat_io_read(v, off, de, sizeof(de))))
			return r;
		if (!de[0])
			return FAT_OK;
		if (de[0] == FAT_DELETED || (de[DE_ATTR] & 0x3f) == FAT_ATTR_LFN)
			continue;
		if (sn && !memcmp(de, sn, 11))
			*taken = true;
		if (!tails)
			continue;
		/* Which tail would give this name? */
		for (int k = 1; k < 8; k++) {
			if (de[k] != '~')
				continue;
			uint32_t n = 0;
			int j = k + 1;
			for (; j < 8 && de[j] >= '0' && de[j] <= '9' && n < limit; j++)
				n = n * 10 + (uint32_t)(de[j] - '0');
			if (n && n < limit) {
				uint8_t cand[11];
				memcpy(cand, basis, 11);
				fat_short_tail(cand, n);
				if (!memcmp(cand, de, 11))
					tails[n / 8] |= (uint8_t)(1u << (n % 8));
			}
			break;
		}
	}
}

/* A unique short name for name in dir (s.7.3): the name itself when it is
 * a valid 8.3 name nobody has, else the basis with the smallest free ~N. */
static int fat_short_pick(struct fat_vol *v, uint32_t dir, const uint16_t *name, size_t len,
			  uint8_t sn[11], bool *need_lfn, uint8_t *ntres)
{
	bool exact, taken;
	int r;

	fat_short_basis(name, len, sn, &exact, ntres);
	if (exact) {
		if ((r = fat_short_scan(v, dir, sn, &taken, NULL, NULL, 0)))
			return r;
		if (!taken) {
			*need_lfn = false;
			return FAT_OK;
		}
	}
	*need_lfn = true;
	*ntres = 0;
	/* A directory has at most 65536 entries: one of 1..65537 is free. */
	uint32_t limit = FAT_DIR_MAX_ENTRIES + 2;
	uint8_t *tails = sysmem_zalloc(limit / 8 + 1);
	if (!tails)
		return FAT_ENOMEM;
	uint8_t basis[11];
	memcpy(basis, sn, 11);
	r = fat_short_scan(v, dir, NULL, &taken, basis, tails, limit);
	if (!r) {
		uint32_t n = 1;
		while (n < limit && (tails[n / 8] & (1u << (n % 8))))
			n++;
		fat_short_tail(sn, n);
	}
	sysmem_free(tails);
	return r;
}

/* Grow directory dir by one zeroed cluster after its last one. */
static int fat_dir_grow(struct fat_vol *v, uint32_t dir)
{
	uint32_t c = dir, next, added;
	int r;

	if (!dir)
		return FAT_ENOSPC; /* the fixed root cannot grow */
	for (uint32_t i = 0; i <= v->clusters; i++) {
		if ((r = fat_next(v, c, &next)))
			return r;
		if (next == FAT_EOC)
			return fat_alloc(v, c, true, &added);
		c = next;
	}
	return FAT_ECORRUPT;
}

/* s.7: write the LFN entries of name before slot (count of them). */
static int fat_lfn_write(struct fat_vol *v, struct fat_dir_it *it, uint32_t start,
			 const uint16_t *name, size_t len, unsigned count, uint8_t sum)
{
	for (unsigned k = 0; k < count; k++) {
		uint8_t de[FAT_DIRENT_SIZE] = {0};
		unsigned ord = count - k;
		uint64_t off;
		int r;

		de[0] = (uint8_t)(ord | (k == 0 ? FAT_LFN_LAST : 0));
		de[DE_ATTR] = FAT_ATTR_LFN;
		de[13] = sum;
		for (unsigned j = 0; j < FAT_LFN_CHARS; j++) {
			size_t at = (ord - 1) * FAT_LFN_CHARS + j;
			uint16_t u = at < len ? name[at] : at == len ? 0 : 0xffff;
			fat_put16(de + fat_lfn_pos[j], u);
		}
		if ((r = fat_dir_locate(it, start + k, &off)) ||
		    (r = fat_io_write(v, off, de, sizeof(de))))
			return r;
	}
	return FAT_OK;
}

int fat_dir_add(struct fat_vol *v, uint32_t dir, const uint16_t *name, size_t len,
		const uint8_t tmpl[FAT_DIRENT_SIZE], uint32_t *slot, uint32_t *lfn_slots)
{
	uint8_t sn[11], ntres, de[FAT_DIRENT_SIZE];
	bool need_lfn;
	int r;

	if (!fat_name_valid(name, len))
		return FAT_EINVAL;
	if ((r = fat_short_pick(v, dir, name, len, sn, &need_lfn, &ntres)))
		return r;
	unsigned nlfn = need_lfn ? (unsigned)((len + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS) : 0;
	unsigned need = nlfn + 1;

	/* The first run of need free entries, growing the directory if none. */
	struct fat_dir_it it;
	uint32_t run = 0, start = 0, i = 0;
	fat_dir_it_init(&it, v, dir);
	for (unsigned grown = 0; run < need; i++) {
		uint64_t off;

		r = fat_dir_locate(&it, i, &off);
		if (r == FAT_ENOENT) {
			if (i >= FAT_DIR_MAX_ENTRIES || grown++ > need)
				return FAT_ENOSPC;
			if ((r = fat_dir_grow(v, dir)))
				return r;
			fat_dir_it_init(&it, v, dir);
			i--;
			continue;
		}
		if (r || (r = fat_io_read(v, off, de, sizeof(de))))
			return r;
		if (de[0] == 0 || de[0] == FAT_DELETED) {
			if (!run++)
				start = i;
		} else {
			run = 0;
		}
	}
	if ((r = fat_lfn_write(v, &it, start, name, len, nlfn, fat_lfn_checksum(sn))))
		return r;
	memcpy(de, tmpl, FAT_DIRENT_SIZE);
	memcpy(de, sn, 11);
	de[DE_NTRES] = ntres;
	uint64_t off;
	if ((r = fat_dir_locate(&it, start + nlfn, &off)) ||
	    (r = fat_io_write(v, off, de, sizeof(de))))
		return r;
	*slot = start + nlfn;
	*lfn_slots = nlfn;
	return FAT_OK;
}

int fat_dir_remove(struct fat_vol *v, uint32_t dir, uint32_t slot, uint32_t lfn_slots)
{
	struct fat_dir_it it;
	static const uint8_t mark = FAT_DELETED;

	if (lfn_slots > slot)
		return FAT_ECORRUPT;
	fat_dir_it_init(&it, v, dir);
	for (uint32_t i = slot - lfn_slots; i <= slot; i++) {
		uint64_t off;
		int r = fat_dir_locate(&it, i, &off);

		if (r || (r = fat_io_write(v, off, &mark, 1)))
			return r == FAT_ENOENT ? FAT_ECORRUPT : r;
	}
	return FAT_OK;
}

void fat_label(struct fat_vol *v, uint16_t label[12])
{
	struct fat_dir_it it;
	uint8_t de[FAT_DIRENT_SIZE];
	const uint8_t *src = v->bpb_label;

	fat_dir_it_init(&it, v, v->root->first);
	for (uint32_t i = 0;; i++) {
		uint64_t off;

		if (fat_dir_locate(&it, i, &off) || fat_io_read(v, off, de, sizeof(de)) || !de[0])
			break;
		if (de[0] != FAT_DELETED && (de[DE_ATTR] & 0x3f) != FAT_ATTR_LFN &&
		    (de[DE_ATTR] & FAT_ATTR_VOLUME_ID)) {
			src = de;
			break;
		}
	}
	int n = 11;
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == 0))
		n--;
	if (n == 7 && !memcmp(src, "NO NAME", 7))
		n = 0;
	for (int i = 0; i < n; i++)
		label[i] = src[i] >= 0x20 && src[i] != 0x7f ? src[i] : '_';
	label[n] = 0;
}

/* The label as 11 space-padded upper-case bytes; FAT_EINVAL for a label a
 * volume cannot hold (more than 11 characters, or one the 8.3 names
 * forbid). An empty label is "NO NAME". */
static int fat_label_bytes(const uint16_t *label, uint8_t out[11])
{
	static const char bad[] = "\"*+,./:;<=>?[\\]|";
	size_t n = 0;

	memset(out, ' ', 11);
	for (; label[n]; n++) {
		uint16_t c = label[n];
		if (n == 11 || c < 0x20 || c >= 0x7f || strchr(bad, (char)c))
			return FAT_EINVAL;
		out[n] = (uint8_t)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	if (!n)
		memcpy(out, "NO NAME", 7);
	return FAT_OK;
}

/* Write the label into the boot sector's BS_VolLab (and the FAT32 backup
 * boot sector's) when the extended boot signature says it is there. */
static int fat_label_bpb(struct fat_vol *v, const uint8_t name[11])
{
	uint64_t ext = v->type == FAT_TYPE_32 ? 64 : 36;
	uint8_t sig;
	uint16_t bk = 0;
	int r;

	if ((r = fat_io_read(v, ext + 2, &sig, 1)))
		return r;
	if (sig != 0x29)
		return FAT_OK;
	if ((r = fat_io_write(v, ext + 7, name, 11)))
		return r;
	if (v->type == FAT_TYPE_32 && !(r = fat_io_read(v, 48 + 2, &bk, 2)) && bk &&
	    (uint64_t)bk * v->sector_size < v->fat_off && bk != 0xffff)
		r = fat_io_write(v, (uint64_t)bk * v->sector_size + ext + 7, name, 11);
	if (!r)
		memcpy(v->bpb_label, name, 11);
	return r;
}

int fat_set_label(struct fat_vol *v, const uint16_t *label)
{
	struct fat_dir_it it;
	uint8_t name[11], de[FAT_DIRENT_SIZE];
	uint32_t dir = v->root->first, slot, free_slot = UINT32_MAX;
	uint64_t off;
	bool found = false;
	int r;

	if (v->dev.read_only)
		return FAT_EROFS;
	if ((r = fat_label_bytes(label, name)))
		return r;
	/* The root's label entry, or where a new one goes. */
	fat_dir_it_init(&it, v, dir);
	for (slot = 0;; slot++) {
		r = fat_dir_locate(&it, slot, &off);
		if (r == FAT_ENOENT)
			break;
		if (r || (r = fat_io_read(v, off, de, sizeof(de))))
			return r;
		if (!de[0] || de[0] == FAT_DELETED) {
			if (free_slot == UINT32_MAX)
				free_slot = slot;
			if (!de[0])
				break;
			continue;
		}
		if ((de[DE_ATTR] & 0x3f) != FAT_ATTR_LFN && (de[DE_ATTR] & FAT_ATTR_VOLUME_ID)) {
			found = true;
			break;
		}
	}
	bool empty = !label[0];
	if (found && empty) {
		static const uint8_t mark = FAT_DELETED;
		r = fat_io_write(v, off, &mark, 1);
	} else if (found) {
		r = fat_io_write(v, off, name, 11);
	} else if (!empty) {
		if (free_slot == UINT32_MAX) {
			if ((r = fat_dir_grow(v, dir)))
				return r;
			fat_dir_it_init(&it, v, dir);
			free_slot = slot;
		}
		if ((r = fat_dir_locate(&it, free_slot, &off)))
			return r == FAT_ENOENT ? FAT_ENOSPC : r;
		memset(de, 0, sizeof(de));
		memcpy(de, name, 11);
		de[DE_ATTR] = FAT_ATTR_VOLUME_ID;
		struct rtc_time t;
		uint16_t date, time;
		if (!v->now || v->now(&t))
			t = (struct rtc_time){ .year = 1980, .month = 1, .day = 1 };
		fat_time_encode(&t, &date, &time);
		fat_put16(de + DE_WRT_TIME, time);
		fat_put16(de + DE_WRT_DATE, date);
		r = fat_io_write(v, off, de, sizeof(de));
	}
	return r ? r : fat_label_bpb(v, name);
}
