/* What every parsed partition table must satisfy, whatever the disk held
 * (tests/unit/test_gpt.c, test_mbr.c, tests/fuzz/fuzz_gpt.c, fuzz_mbr.c):
 * at most PART_MAX partitions, each inside the disk past LBA 0 and at
 * least one block long, none overlapping another, numbers unique and in
 * the scheme's range; nothing at all after a failure. NULL, or what broke. */
#ifndef WB_PART_CHECK_H
#define WB_PART_CHECK_H

#include <partition.h>

static inline const char *part_check(const struct part_table *t, const struct blkdev *dev, int rc)
{
	if (rc)
		return t->count || t->scheme != PART_SCHEME_NONE || !t->reason
			   ? "failure left partitions"
			   : NULL;
	if (t->count > PART_MAX)
		return "too many partitions";
	for (size_t i = 0; i < t->count; i++) {
		const struct part_info *p = &t->part[i];
		if (!p->blocks || !p->start || p->start >= dev->blocks ||
		    p->blocks > dev->blocks - p->start)
			return "partition outside the disk";
		if (t->scheme == PART_SCHEME_GPT ? p->number < 1 || p->number > GPT_MAX_ENTRIES
						 : p->number < 1 || p->number > 4 + MBR_MAX_EBR)
			return "partition number out of range";
		for (size_t j = 0; j < i; j++) {
			const struct part_info *q = &t->part[j];
			if (q->number == p->number)
				return "two partitions with one number";
			if (p->start < q->start + q->blocks && q->start < p->start + p->blocks)
				return "partitions overlap";
		}
	}
	return NULL;
}

#endif
