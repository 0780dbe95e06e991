/* libFuzzer target for mmio_parse_device() (platform/mmio_cmdline.c), the
 * virtio_mmio.device= value from the command line. The input is the value;
 * what the parser accepts must be a usable device, and must read back the
 * same when printed in canonical form. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mmio_devices.h>

static void fail(const char *why, const char *s)
{
	fprintf(stderr, "mmio_parse_device(\"%s\"): %s\n", s, why);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The value as config.c stores it: a C string, sized exactly. */
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';

	uint64_t sz = 7, base = 7;
	uint32_t irq = 7;
	if (mmio_parse_device(s, &sz, &base, &irq)) {
		if (!sz || base + sz < base)
			fail("accepted an empty or wrapping window", s);
		char canon[64];
		uint64_t sz2, base2;
		uint32_t irq2;
		snprintf(canon, sizeof(canon), "%#" PRIx64 "@%#" PRIx64 ":%" PRIu32, sz, base, irq);
		if (!mmio_parse_device(canon, &sz2, &base2, &irq2) || sz2 != sz || base2 != base ||
		    irq2 != irq)
			fail("its canonical form reads back differently", s);
	} else if (sz != 7 || base != 7 || irq != 7) {
		fail("refused, but wrote its outputs", s);
	}
	free(s);
	return 0;
}
