/* Classic MBR parser (UEFI 2.10 s.5.2.1), pure, over a struct blkdev: the
 * four primary records of LBA 0 and the logical partitions of the first
 * extended partition's chain of extended boot records. CHS fields are
 * ignored; only the LBA start and size count, checked against the disk.
 * The chain is followed at most MBR_MAX_EBR records, never to a record
 * seen before or outside the extended partition: a hostile chain ends. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <partition.h>

#define MBR_BUF	      4096
#define MBR_SIG_OFF   0x1b8
#define MBR_TABLE_OFF 446
#define MBR_TYPE_GPT  0xee
#define MBR_TYPE_ESP  0xef

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool mbr_is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

static const uint8_t *mbr_record(const uint8_t *sector, int i)
{
	return sector + MBR_TABLE_OFF + 16 * i;
}

static void mbr_skip(struct part_table *t, uint32_t number, const char *why)
{
	if (!t->skipped++) {
		t->skip_number = number;
		t->skip_reason = why;
	}
}

/* Keep a partition of blocks [start, start + size) unless it overlaps one
 * kept before or the table is full. */
static void mbr_add(struct part_table *t, uint32_t number, const uint8_t *rec, uint64_t start,
		    uint64_t size)
{
	for (size_t i = 0; i < t->count; i++) {
		const struct part_info *q = &t->part[i];
		if (start < q->start + q->blocks && q->start < start + size) {
			mbr_skip(t, number, "overlaps an earlier partition");
			return;
		}
	}
	if (t->count == PART_MAX) {
		mbr_skip(t, number, "more partitions than wireboot keeps");
		return;
	}
	struct part_info *p = &t->part[t->count++];
	memset(p, 0, sizeof(*p));
	p->number = number;
	p->start = start;
	p->blocks = size;
	p->mbr_type = rec[4];
	p->esp = rec[4] == MBR_TYPE_ESP;
	memcpy(p->mbr_record, rec, 16);
}

/* The signature and boot indicators that make a sector a partition table
 * (a FAT boot sector has 0x55AA too, and code where the records are). */
static bool mbr_sector_valid(const uint8_t *s)
{
	if (s[510] != 0x55 || s[511] != 0xaa)
		return false;
	for (int i = 0; i < 4; i++)
		if (mbr_record(s, i)[0] != 0x00 && mbr_record(s, i)[0] != 0x80)
			return false;
	return true;
}

/* Follow the EBR chain of the extended partition [ext, ext + ext_size):
 * each EBR holds a logical partition (relative to the EBR) and a link to
 * the next EBR (relative to ext). */
static void mbr_walk_chain(const struct blkdev *dev, uint64_t ext, uint64_t ext_size, uint8_t *buf,
			   struct part_table *t)
{
	uint64_t seen[MBR_MAX_EBR];
	uint64_t ebr = ext;
	uint32_t number = 5;

	for (size_t n = 0;; n++) {
		if (n == MBR_MAX_EBR) {
			mbr_skip(t, number, "EBR chain too long");
			return;
		}
		for (size_t i = 0; i < n; i++) {
			if (seen[i] == ebr) {
				mbr_skip(t, number, "EBR chain loops");
				return;
			}
		}
		seen[n] = ebr;
		if (blkdev_read(dev, ebr, 1, buf)) {
			mbr_skip(t, number, "cannot read an EBR");
			return;
		}
		if (buf[510] != 0x55 || buf[511] != 0xaa) {
			mbr_skip(t, number, "EBR without signature");
			return;
		}
		const uint8_t *r = mbr_record(buf, 0);
		uint64_t start = get32(r + 8), size = get32(r + 12);
		if (r[4] && size) {
			uint64_t abs = ebr + start;
			if (!start || abs + size > ext + ext_size)
				mbr_skip(t, number,
					 "logical partition outside its extended partition");
			else
				mbr_add(t, number, r, abs, size);
			number++;
		}
		const uint8_t *l = mbr_record(buf, 1);
		uint64_t next = get32(l + 8);
		if (!mbr_is_extended(l[4]) || !get32(l + 12))
			return;
		if (!next || next >= ext_size) {
			mbr_skip(t, number, "EBR link outside the extended partition");
			return;
		}
		ebr = ext + next;
	}
}

int mbr_parse(const struct blkdev *dev, struct part_table *t)
{
	uint8_t buf[MBR_BUF];
	uint64_t ext = 0, ext_size = 0;
	uint32_t ext_number = 0;

	memset(t, 0, sizeof(*t));
	if (dev->block_size < 512 || dev->block_size > MBR_BUF ||
	    (dev->block_size & (dev->block_size - 1)) || !dev->blocks) {
		t->reason = "unusable block device";
		return -1;
	}
	if (blkdev_read(dev, 0, 1, buf)) {
		t->reason = "cannot read LBA 0";
		return -1;
	}
	if (buf[510] != 0x55 || buf[511] != 0xaa) {
		t->reason = "no MBR signature at LBA 0";
		return -1;
	}
	if (!mbr_sector_valid(buf)) {
		t->reason = "LBA 0 is not a partition table (boot indicators)";
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		if (mbr_record(buf, i)[4] == MBR_TYPE_GPT) {
			t->reason = "protective MBR: the disk is GPT";
			return -1;
		}
	}
	t->scheme = PART_SCHEME_MBR;
	t->mbr_signature = get32(buf + MBR_SIG_OFF);
	for (int i = 0; i < 4; i++) {
		const uint8_t *r = mbr_record(buf, i);
		uint64_t start = get32(r + 8), size = get32(r + 12);
		uint32_t number = i + 1;

		if (!r[4] || !size)
			continue;
		if (!start) {
			mbr_skip(t, number, "starts at LBA 0");
		} else if (start + size > dev->blocks) {
			mbr_skip(t, number, "past the end of the disk");
		} else if (mbr_is_extended(r[4])) {
			if (ext) {
				mbr_skip(t, number, "a second extended partition");
			} else {
				ext = start;
				ext_size = size;
				ext_number = number;
			}
		} else {
			mbr_add(t, number, r, start, size);
		}
	}
	if (ext) {
		/* Primaries inside the extended partition would alias logicals. */
		for (size_t i = 0; i < t->count; i++) {
			const struct part_info *q = &t->part[i];
			if (ext < q->start + q->blocks && q->start < ext + ext_size) {
				mbr_skip(t, ext_number, "extended partition overlaps a primary");
				return 0;
			}
		}
		mbr_walk_chain(dev, ext, ext_size, buf, t);
	}
	return 0;
}
