/* GUID Partition Table parser (UEFI 2.10 s.5.3), pure: it reads through a
 * struct blkdev and checks everything it reads. The protective MBR must be
 * there (s.5.2.3); the primary header at LBA 1 is used when it and its
 * entry array pass every check, else the backup header (at the last LBA,
 * then where the primary's AlternateLBA points) with its own array. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <crc32.h>
#include <partition.h>

/* The largest block struct blkdev allows: every read goes through one
 * buffer of this size. */
#define GPT_BUF 4096

/* s.5.3.2 GPT header offsets. */
#define HDR_SIGNATURE	 0
#define HDR_REVISION	 8
#define HDR_SIZE	 12
#define HDR_CRC		 16
#define HDR_MY_LBA	 24
#define HDR_ALT_LBA	 32
#define HDR_FIRST_USABLE 40
#define HDR_LAST_USABLE	 48
#define HDR_DISK_GUID	 56
#define HDR_ENTRY_LBA	 72
#define HDR_ENTRIES	 80
#define HDR_ENTRY_SIZE	 84
#define HDR_ARRAY_CRC	 88
#define HDR_MIN_SIZE	 92

/* s.5.3.3 partition entry offsets. */
#define ENT_TYPE   0
#define ENT_UNIQUE 16
#define ENT_START  32
#define ENT_END	   40
#define ENT_ATTR   48
#define ENT_NAME   56
#define ENT_SIZE   128

const uint8_t part_esp_guid[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
				   0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The checked fields of one header. */
struct gpt_header {
	uint64_t my_lba, alt_lba, first, last, entry_lba;
	uint32_t entries, entry_size, array_crc;
	uint64_t array_blocks;
	uint8_t disk_guid[16];
};

/* s.5.2.3: LBA 0 holds an MBR with a type 0xEE record starting at LBA 1.
 * NULL, or why not. */
static const char *gpt_check_pmbr(const struct blkdev *dev, uint8_t *buf)
{
	if (blkdev_read(dev, 0, 1, buf))
		return "cannot read LBA 0";
	if (buf[510] != 0x55 || buf[511] != 0xaa)
		return "no MBR signature at LBA 0";
	for (int i = 0; i < 4; i++) {
		const uint8_t *r = buf + 446 + 16 * i;
		if (r[4] == 0xee && get32(r + 8) == 1)
			return NULL;
	}
	return "no protective MBR (type 0xEE at LBA 1)";
}

/* True if [a, a + an) and [b, b + bn) share a block (an, bn >= 1). */
static bool gpt_ranges_meet(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/* s.5.3.2: read the header at lba and check it on its own (signature,
 * revision, size, CRC, MyLBA, usable range, entry array geometry). NULL,
 * or why it is bad. */
static const char *gpt_read_header(const struct blkdev *dev, uint64_t lba, uint8_t *buf,
				   struct gpt_header *h)
{
	uint32_t bs = dev->block_size;

	if (lba >= dev->blocks || blkdev_read(dev, lba, 1, buf))
		return "cannot read the header";
	if (memcmp(buf + HDR_SIGNATURE, "EFI PART", 8))
		return "no \"EFI PART\" signature";
	if (get32(buf + HDR_REVISION) >> 16 != 1)
		return "unknown revision";
	uint32_t size = get32(buf + HDR_SIZE);
	if (size < HDR_MIN_SIZE || size > bs)
		return "header size out of bounds";
	uint32_t want = get32(buf + HDR_CRC);
	memset(buf + HDR_CRC, 0, 4);
	if (crc32(0, buf, size) != want)
		return "header CRC32 mismatch";

	h->my_lba = get64(buf + HDR_MY_LBA);
	h->alt_lba = get64(buf + HDR_ALT_LBA);
	h->first = get64(buf + HDR_FIRST_USABLE);
	h->last = get64(buf + HDR_LAST_USABLE);
	h->entry_lba = get64(buf + HDR_ENTRY_LBA);
	h->entries = get32(buf + HDR_ENTRIES);
	h->entry_size = get32(buf + HDR_ENTRY_SIZE);
	h->array_crc = get32(buf + HDR_ARRAY_CRC);
	memcpy(h->disk_guid, buf + HDR_DISK_GUID, 16);

	if (h->my_lba != lba)
		return "MyLBA is not where the header is";
	if (h->first > h->last || h->last >= dev->blocks || h->first < 2)
		return "usable blocks out of bounds";
	if (lba >= h->first && lba <= h->last)
		return "header inside the usable blocks";
	/* s.5.3.2: 128 x 2^n bytes. */
	if (h->entry_size < ENT_SIZE || h->entry_size > GPT_MAX_ENTRY_SIZE ||
	    (h->entry_size & (h->entry_size - 1)))
		return "entry size out of bounds";
	if (h->entries > GPT_MAX_ENTRIES || (uint64_t)h->entries * h->entry_size > GPT_MAX_ARRAY)
		return "too many entries";
	uint64_t bytes = (uint64_t)h->entries * h->entry_size;
	h->array_blocks = (bytes + bs - 1) / bs;
	if (!h->array_blocks)
		return NULL;
	if (h->entry_lba >= dev->blocks || h->array_blocks > dev->blocks - h->entry_lba)
		return "entry array past the end of the disk";
	if (gpt_ranges_meet(h->entry_lba, h->array_blocks, 0, 1) ||
	    gpt_ranges_meet(h->entry_lba, h->array_blocks, lba, 1) ||
	    gpt_ranges_meet(h->entry_lba, h->array_blocks, h->first, h->last - h->first + 1))
		return "entry array overlaps the MBR, the header or the usable blocks";
	return NULL;
}

static void gpt_skip(struct part_table *t, uint32_t number, const char *why)
{
	if (!t->skipped++) {
		t->skip_number = number;
		t->skip_reason = why;
	}
}

/* s.5.3.3: one used entry (type GUID not zero) checked against the usable
 * range and the partitions kept so far, then kept. */
static void gpt_add_entry(struct part_table *t, const struct gpt_header *h, const uint8_t *e,
			  uint32_t index)
{
	static const uint8_t unused[16];
	uint64_t start = get64(e + ENT_START), end = get64(e + ENT_END);
	uint32_t number = index + 1;

	if (!memcmp(e + ENT_TYPE, unused, 16))
		return;
	if (start > end) {
		gpt_skip(t, number, "ends before it starts");
		return;
	}
	if (start < h->first || end > h->last) {
		gpt_skip(t, number, "outside the usable blocks");
		return;
	}
	for (size_t i = 0; i < t->count; i++) {
		if (gpt_ranges_meet(start, end - start + 1, t->part[i].start, t->part[i].blocks)) {
			gpt_skip(t, number, "overlaps an earlier partition");
			return;
		}
	}
	if (t->count == PART_MAX) {
		gpt_skip(t, number, "more partitions than wireboot keeps");
		return;
	}
	struct part_info *p = &t->part[t->count++];
	memset(p, 0, sizeof(*p));
	p->number = number;
	p->start = start;
	p->blocks = end - start + 1;
	memcpy(p->type_guid, e + ENT_TYPE, 16);
	memcpy(p->unique_guid, e + ENT_UNIQUE, 16);
	p->attributes = get64(e + ENT_ATTR);
	for (int i = 0; i < 36; i++)
		p->name[i] = e[ENT_NAME + 2 * i] | (uint16_t)e[ENT_NAME + 2 * i + 1] << 8;
	p->esp = !memcmp(p->type_guid, part_esp_guid, 16);
}

/* Read the entry array of h in chunks of one buffer, checking its CRC32
 * (s.5.3.2: over NumberOfPartitionEntries * SizeOfPartitionEntry bytes)
 * while the used entries are collected into t. NULL, or why not. */
static const char *gpt_read_entries(const struct blkdev *dev, const struct gpt_header *h,
				    uint8_t *buf, struct part_table *t)
{
	uint32_t bs = dev->block_size;
	uint64_t per_read = GPT_BUF / bs;
	uint64_t left = (uint64_t)h->entries * h->entry_size;
	uint64_t off = 0; /* byte offset in the array of buf[0] */
	uint32_t crc = 0, index = 0;

	for (uint64_t b = 0; b < h->array_blocks; b += per_read) {
		uint64_t n = h->array_blocks - b < per_read ? h->array_blocks - b : per_read;
		if (blkdev_read(dev, h->entry_lba + b, n, buf))
			return "cannot read the entry array";
		uint64_t have = n * bs < left ? n * bs : left;
		crc = crc32(crc, buf, have);
		/* Entries start at multiples of entry_size; the first 128
		 * bytes of each lie in one block (bs and entry_size are
		 * powers of two >= 128), so in this chunk whenever it starts here. */
		for (; index < h->entries && (uint64_t)index * h->entry_size < off + have; index++)
			gpt_add_entry(t, h, buf + ((uint64_t)index * h->entry_size - off), index);
		left -= have;
		off += have;
	}
	if (crc != h->array_crc)
		return "entry array CRC32 mismatch";
	return NULL;
}

/* The header at lba and its entries into t (emptied first). NULL, or why
 * they are bad. */
static const char *gpt_try(const struct blkdev *dev, uint64_t lba, uint8_t *buf,
			   struct gpt_header *h, struct part_table *t)
{
	const char *why = gpt_read_header(dev, lba, buf, h);

	t->count = 0;
	t->skipped = 0;
	t->skip_number = 0;
	t->skip_reason = NULL;
	if (!why)
		why = gpt_read_entries(dev, h, buf, t);
	if (why) {
		t->count = 0;
		t->skipped = 0;
		t->skip_reason = NULL;
	}
	return why;
}

int gpt_parse(const struct blkdev *dev, struct part_table *t)
{
	uint8_t buf[GPT_BUF];
	struct gpt_header h;
	const char *why;

	memset(t, 0, sizeof(*t));
	if (dev->block_size < 512 || dev->block_size > GPT_BUF ||
	    (dev->block_size & (dev->block_size - 1)) || dev->blocks < 3) {
		t->reason = "unusable block device";
		return -1;
	}
	why = gpt_check_pmbr(dev, buf);
	if (why) {
		t->reason = why;
		return -1;
	}
	t->primary_reason = gpt_try(dev, 1, buf, &h, t);
	if (t->primary_reason) {
		/* A header that passed its own checks may point elsewhere. */
		uint64_t alt = 0;
		if (!gpt_read_header(dev, 1, buf, &h) && h.alt_lba != dev->blocks - 1 &&
		    h.alt_lba > 1 && h.alt_lba < dev->blocks)
			alt = h.alt_lba;
		t->header_lba = dev->blocks - 1;
		why = gpt_try(dev, t->header_lba, buf, &h, t);
		if (why && alt) {
			t->header_lba = alt;
			why = gpt_try(dev, alt, buf, &h, t);
		}
		if (why) {
			t->backup_reason = why;
			t->reason = "primary and backup GPT both bad";
			t->header_lba = 0;
			return -1;
		}
		t->backup_used = true;
	} else {
		t->header_lba = 1;
	}
	t->scheme = PART_SCHEME_GPT;
	memcpy(t->disk_guid, h.disk_guid, 16);
	return 0;
}

void part_name_ascii(const struct part_info *p, char *out, size_t n)
{
	size_t j = 0;

	if (!n)
		return;
	for (size_t i = 0; i < 36 && p->name[i] && j + 1 < n; i++)
		out[j++] = p->name[i] >= 0x20 && p->name[i] < 0x7f ? (char)p->name[i] : '?';
	out[j] = 0;
}
