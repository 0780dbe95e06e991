/* virtio_mmio.device= parser (platform/mmio_cmdline.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <mmio_devices.h>

static void test_accepts_linux_syntax(void **state)
{
	uint64_t size, base;
	uint32_t irq;

	assert_true(mmio_parse_device("512@0xfeb00e00:12", &size, &base, &irq));
	assert_int_equal(size, 512);
	assert_int_equal(base, 0xfeb00e00);
	assert_int_equal(irq, 12);

	assert_true(mmio_parse_device("4K@0xd0000000:5:3", &size, &base, &irq));
	assert_int_equal(size, 4096);
	assert_int_equal(base, 0xd0000000);
	assert_int_equal(irq, 5);

	assert_true(mmio_parse_device("1M@4096:0", &size, &base, &irq));
	assert_int_equal(size, 1 << 20);
	assert_int_equal(base, 4096);
}

static void test_rejects_malformed(void **state)
{
	static const char *const bad[] = {
		"", "512", "512@", "@0x1000:1", "512@0x1000", "512@0x1000:", "512@0x1000:1:",
		"512@0x1000:1x", "0@0x1000:1", "512@0xzz:1", "512#0x1000:1",
		"99999999999999999999@0:1",          /* size overflows */
		"16G@0xffffffffffffffff:1",          /* base + size wraps */
		"512@0x1000:4294967296",             /* irq over 32 bits */
		"17179869184G@0:1",                  /* suffix shift overflows */
	};
	uint64_t size = 7, base = 7;
	uint32_t irq = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(mmio_parse_device(bad[i], &size, &base, &irq));
		/* Outputs untouched on failure. */
		assert_int_equal(size, 7);
		assert_int_equal(base, 7);
		assert_int_equal(irq, 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_linux_syntax),
		cmocka_unit_test(test_rejects_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
