/* Fuzz the MBR parser (disk/mbr.c). The input is a sparse disk
 * (tests/unit/part_memdisk.h, memdisk_from_fuzz: flags, size in blocks,
 * extents of blocks). Any read outside the input is an ASan report; a
 * table breaking part_check (tests/unit/part_check.h), or a chain walk of
 * more than MBR_MAX_EBR records, aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <partition.h>
#include "../unit/part_check.h"
#include "../unit/part_memdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memdisk m;
	static struct part_table t;

	if (!memdisk_from_fuzz(&m, data, size))
		return 0;
	int rc = mbr_parse(&m.dev, &t);
	if (part_check(&t, &m.dev, rc))
		abort();
	if (!rc && t.scheme != PART_SCHEME_MBR)
		abort();
	if (m.reads > 1 + MBR_MAX_EBR)
		abort();
	return 0;
}
