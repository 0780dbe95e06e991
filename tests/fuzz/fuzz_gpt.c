/* Fuzz the GPT parser (disk/gpt.c). The input is a sparse disk
 * (tests/unit/part_memdisk.h, memdisk_from_fuzz: flags, size in blocks,
 * extents of blocks). Any read outside the input is an ASan report; a
 * table breaking part_check (tests/unit/part_check.h), or more reads than
 * three headers with their largest arrays need, aborts. */
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
	int rc = gpt_parse(&m.dev, &t);
	if (part_check(&t, &m.dev, rc))
		abort();
	if (!rc && t.scheme != PART_SCHEME_GPT)
		abort();
	/* LBA 0, then per header: itself, again for AlternateLBA, its array
	 * in chunks of 4 KiB (at most GPT_MAX_ARRAY / 4096 of them). */
	if (m.reads > 1 + 4 + 3 * (GPT_MAX_ARRAY / 4096))
		abort();
	return 0;
}
