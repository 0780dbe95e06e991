/* UEFI runtime services (efi/runtime.c) through their table: header and
 * CRC, GetTime/SetTime over a simulated RTC, variables before and after
 * ExitBootServices, monotonic counts, ResetSystem's paths,
 * SetVirtualAddressMap and ConvertPointer. The lead's UEFI core state
 * (efi_core.h), the chip and the reset paths are stubs here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <crc32.h>
#include <efi_core.h>
#include <efi_runtime.h>
#include <log.h>
#include <power.h>
#include <reset.h>
#include <rtc.h>

/* ---- stubs ---- */

static bool at_runtime;
static int signaled_vachange;
static void *driver_ptr; /* a driver's pointer its notify converts */
static EFI_STATUS driver_convert_status;
static EFI_RUNTIME_SERVICES rt; /* the table's entry points as first built */

bool efi_at_runtime(void)
{
	return at_runtime;
}

void efi_event_signal_type(UINT32 type)
{
	if (type == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE) {
		signaled_vachange++;
		driver_convert_status = rt.ConvertPointer(0, &driver_ptr);
	}
}

void efi_event_signal_group(const EFI_GUID *group)
{
}

void efi_table_crc(EFI_TABLE_HEADER *hdr)
{
	hdr->CRC32 = 0;
	hdr->CRC32 = crc32(0, hdr, hdr->HeaderSize);
}

static char last_log[256];
static int log_lines;

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	log_lines++;
}

static jmp_buf reset_jmp;
static int reset_kind; /* 1 cold, 2 warm, 3 power off */
static int prepared;

void power_off_prepare(void)
{
	prepared++;
}

void power_off(void)
{
	reset_kind = 3;
	longjmp(reset_jmp, 1);
}

void reset_system(bool cold)
{
	reset_kind = cold ? 1 : 2;
	longjmp(reset_jmp, 1);
}

static struct rtc_time chip = {2024, 5, 17, 13, 14, 15};
static bool chip_broken;
static int chip_writes;

int rtc_cmos_read(struct rtc_time *t)
{
	if (chip_broken)
		return -1;
	*t = chip;
	return 0;
}

int rtc_cmos_write(const struct rtc_time *t)
{
	if (chip_broken)
		return -1;
	chip = *t;
	chip_writes++;
	return 0;
}

/* ---- tests ---- */

static int setup(void **state)
{
	at_runtime = false;
	chip_broken = false;
	efi_runtime_init();
	return 0;
}

static void test_table_header(void **state)
{
	EFI_RUNTIME_SERVICES *t = efi_runtime_table();

	assert_int_equal(t->Hdr.Signature, EFI_RUNTIME_SERVICES_SIGNATURE);
	assert_int_equal(t->Hdr.Revision, (2 << 16) | 70);
	assert_int_equal(t->Hdr.HeaderSize, sizeof(EFI_RUNTIME_SERVICES));
	int before = prepared;
	efi_runtime_init();
	assert_int_equal(prepared, before + 1); /* shutdown's lookup done at init */
	uint32_t crc = t->Hdr.CRC32;
	EFI_RUNTIME_SERVICES copy = *t;
	copy.Hdr.CRC32 = 0;
	assert_int_equal(crc, crc32(0, &copy, sizeof(copy)));
	/* Every slot is filled. */
	void **slots = (void **)((char *)t + sizeof(EFI_TABLE_HEADER));
	for (size_t i = 0; i < (sizeof(*t) - sizeof(EFI_TABLE_HEADER)) / sizeof(void *); i++)
		assert_non_null(slots[i]);
	assert_ptr_equal(efi_runtime_vars(), efi_runtime_vars());
}

static void test_get_time(void **state)
{
	EFI_TIME t;
	EFI_TIME_CAPABILITIES caps;

	assert_int_equal(rt.GetTime(NULL, NULL), EFI_INVALID_PARAMETER);
	memset(&t, 0xaa, sizeof(t));
	assert_int_equal(rt.GetTime(&t, &caps), EFI_SUCCESS);
	assert_int_equal(t.Year, chip.year);
	assert_int_equal(t.Month, chip.month);
	assert_int_equal(t.Day, chip.day);
	assert_int_equal(t.Hour, chip.hour);
	assert_int_equal(t.Minute, chip.minute);
	assert_int_equal(t.Second, chip.second);
	assert_int_equal(t.Nanosecond, 0);
	assert_int_equal(t.TimeZone, EFI_UNSPECIFIED_TIMEZONE);
	assert_int_equal(t.Daylight, 0);
	assert_int_equal(t.Pad1, 0);
	assert_int_equal(caps.Resolution, 1);
	assert_int_equal(caps.Accuracy, 50000000);
	assert_int_equal(caps.SetsToZero, FALSE);
	assert_int_equal(rt.GetTime(&t, NULL), EFI_SUCCESS);
	chip_broken = true;
	assert_int_equal(rt.GetTime(&t, NULL), EFI_DEVICE_ERROR);
}

static void test_set_time_validates(void **state)
{
	EFI_TIME good = {.Year = 2030, .Month = 2, .Day = 28, .Hour = 23, .Minute = 59,
			 .Second = 58, .TimeZone = -60, .Daylight = EFI_TIME_ADJUST_DAYLIGHT};
	EFI_TIME t;
	int writes = chip_writes;

	assert_int_equal(rt.SetTime(NULL), EFI_INVALID_PARAMETER);
	t = good, t.Day = 29; /* 2030 is no leap year */
	assert_int_equal(rt.SetTime(&t), EFI_INVALID_PARAMETER);
	t = good, t.Nanosecond = 1000000000;
	assert_int_equal(rt.SetTime(&t), EFI_INVALID_PARAMETER);
	t = good, t.TimeZone = 1441;
	assert_int_equal(rt.SetTime(&t), EFI_INVALID_PARAMETER);
	t = good, t.TimeZone = -1441;
	assert_int_equal(rt.SetTime(&t), EFI_INVALID_PARAMETER);
	t = good, t.Daylight = 4;
	assert_int_equal(rt.SetTime(&t), EFI_INVALID_PARAMETER);
	t = good, t.Hour = 24;
	assert_int_equal(rt.SetTime(&t), EFI_INVALID_PARAMETER);
	t = good, t.Year = 1899;
	assert_int_equal(rt.SetTime(&t), EFI_INVALID_PARAMETER);
	assert_int_equal(chip_writes, writes);

	assert_int_equal(rt.SetTime(&good), EFI_SUCCESS);
	assert_int_equal(chip.year, 2030);
	assert_int_equal(chip.second, 58);
	assert_int_equal(rt.GetTime(&t, NULL), EFI_SUCCESS);
	assert_int_equal(t.TimeZone, -60); /* kept in RAM */
	assert_int_equal(t.Daylight, EFI_TIME_ADJUST_DAYLIGHT);
	t = good, t.TimeZone = EFI_UNSPECIFIED_TIMEZONE, t.Daylight = 0;
	assert_int_equal(rt.SetTime(&t), EFI_SUCCESS);
	chip_broken = true;
	assert_int_equal(rt.SetTime(&good), EFI_DEVICE_ERROR);
}

static void test_unsupported_services_logged_once(void **state)
{
	BOOLEAN en, pend;
	EFI_TIME t;
	UINT64 max;
	EFI_RESET_TYPE type;

	int before = log_lines;
	assert_int_equal(rt.GetWakeupTime(&en, &pend, &t), EFI_UNSUPPORTED);
	assert_non_null(strstr(last_log, "GetWakeupTime"));
	assert_int_equal(rt.GetWakeupTime(&en, &pend, &t), EFI_UNSUPPORTED);
	assert_int_equal(log_lines, before + 1);
	assert_int_equal(rt.SetWakeupTime(TRUE, &t), EFI_UNSUPPORTED);
	assert_non_null(strstr(last_log, "SetWakeupTime"));
	assert_int_equal(rt.UpdateCapsule(NULL, 0, 0), EFI_UNSUPPORTED);
	assert_non_null(strstr(last_log, "UpdateCapsule"));
	assert_int_equal(rt.QueryCapsuleCapabilities(NULL, 0, &max, &type), EFI_UNSUPPORTED);
	assert_non_null(strstr(last_log, "QueryCapsuleCapabilities"));
	assert_int_equal(rt.UpdateCapsule(NULL, 0, 0), EFI_UNSUPPORTED);
	assert_int_equal(log_lines, before + 4);
}

static void test_variables_follow_the_phase(void **state)
{
	EFI_GUID g = {0x4a67b082, 0x0a4c, 0x41cf, {0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f}};
	char buf[8];
	UINTN size = sizeof(buf);
	UINT64 a, b, c;
	const UINT32 bs = EFI_VARIABLE_BOOTSERVICE_ACCESS, rta = EFI_VARIABLE_RUNTIME_ACCESS,
		     nv = EFI_VARIABLE_NON_VOLATILE;

	assert_int_equal(rt.SetVariable(u"Boot", &g, bs, 1, "b"), EFI_SUCCESS);
	assert_int_equal(rt.SetVariable(u"Run", &g, bs | rta, 1, "r"), EFI_SUCCESS);
	assert_int_equal(rt.GetVariable(u"Boot", &g, NULL, &size, buf), EFI_SUCCESS);
	at_runtime = true;
	size = sizeof(buf);
	assert_int_equal(rt.GetVariable(u"Boot", &g, NULL, &size, buf), EFI_NOT_FOUND);
	assert_int_equal(rt.GetVariable(u"Run", &g, NULL, &size, buf), EFI_SUCCESS);
	assert_int_equal(rt.SetVariable(u"Late", &g, nv | bs | rta, 1, "l"), EFI_SUCCESS);
	assert_int_equal(rt.SetVariable(u"Late2", &g, nv | bs, 1, "l"), EFI_INVALID_PARAMETER);
	CHAR16 name[16] = {0};
	size = sizeof(name);
	assert_int_equal(rt.GetNextVariableName(&size, name, &g), EFI_SUCCESS);
	assert_memory_equal(name, u"Run", sizeof(u"Run"));
	assert_int_equal(rt.QueryVariableInfo(bs, &a, &b, &c), EFI_INVALID_PARAMETER);
	assert_int_equal(rt.QueryVariableInfo(bs | rta, &a, &b, &c), EFI_SUCCESS);
	assert_int_equal(a, EFI_VARS_ARENA);
	/* The same store our own code sees. */
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(efi_runtime_vars(), true, u"Late", &g, NULL, &size, buf),
			 EFI_SUCCESS);
}

static void test_monotonic_counts(void **state)
{
	UINT64 c1, c2;
	UINT32 high;

	assert_int_equal(efi_runtime_next_monotonic_count(NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(rt.GetNextHighMonotonicCount(NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_runtime_next_monotonic_count(&c1), EFI_SUCCESS);
	assert_int_equal(efi_runtime_next_monotonic_count(&c2), EFI_SUCCESS);
	assert_int_equal(c2, c1 + 1);
	assert_int_equal(rt.GetNextHighMonotonicCount(&high), EFI_SUCCESS);
	assert_int_equal(high, (c2 >> 32) + 1);
	assert_int_equal(efi_runtime_next_monotonic_count(&c1), EFI_SUCCESS);
	assert_int_equal(c1, (UINT64)high << 32); /* low half starts again */
	assert_true(c1 > c2);
}

static int do_reset(EFI_RESET_TYPE type, const CHAR16 *data, UINTN size)
{
	reset_kind = 0;
	if (!setjmp(reset_jmp)) {
		EFI_STATUS st = rt.ResetSystem(type, EFI_SUCCESS, size, (CHAR16 *)data);
		return st == EFI_INVALID_PARAMETER ? -1 : -2;
	}
	return reset_kind;
}

static void test_reset_paths(void **state)
{
	assert_int_equal(do_reset(EfiResetCold, NULL, 0), 1);
	assert_int_equal(do_reset(EfiResetWarm, NULL, 0), 2);
	assert_int_equal(do_reset(EfiResetShutdown, NULL, 0), 3);
	assert_int_equal(do_reset((EFI_RESET_TYPE)3, NULL, 0), 1); /* platform-specific */
	assert_int_equal(do_reset((EFI_RESET_TYPE)7, NULL, 0), -1);
	/* The reason string is logged, bounded by DataSize. */
	at_runtime = true; /* works after ExitBootServices just the same */
	assert_int_equal(do_reset(EfiResetWarm, u"kernel panic\0\xffff", 26), 2);
	assert_non_null(strstr(last_log, "warm reset"));
	assert_non_null(strstr(last_log, "kernel panic"));
	assert_int_equal(do_reset(EfiResetCold, u"abcdef", 6), 1);
	assert_non_null(strstr(last_log, "abc"));
	assert_null(strstr(last_log, "abcd"));
}

static void test_convert_pointer_rules(void **state)
{
	void *p = NULL;

	assert_int_equal(rt.ConvertPointer(0, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(rt.ConvertPointer(0, &p), EFI_INVALID_PARAMETER);
	assert_int_equal(rt.ConvertPointer(EFI_OPTIONAL_PTR, &p), EFI_SUCCESS);
	assert_null(p);
	p = &p;
	assert_int_equal(rt.ConvertPointer(0, &p), EFI_UNSUPPORTED); /* boot services */
	at_runtime = true;
	assert_int_equal(rt.ConvertPointer(0, &p), EFI_NOT_FOUND); /* no map outside SVAM */
	assert_ptr_equal(p, &p);
}

#define VOFF 0xffff800000000000ull

/* Descriptors: [0] not runtime (must be ignored), [1] runtime over
 * [lo, hi), both 48 bytes apart as Linux passes them. */
struct map48 {
	EFI_MEMORY_DESCRIPTOR d;
	uint64_t pad;
};

static void fill(struct map48 *m, uint64_t lo, uint64_t hi)
{
	memset(m, 0, 2 * sizeof(*m));
	m[0].d = (EFI_MEMORY_DESCRIPTOR){.Type = EfiConventionalMemory, .PhysicalStart = 0,
					 .VirtualStart = 0x1000, .NumberOfPages = 1ull << 36};
	m[1].d = (EFI_MEMORY_DESCRIPTOR){.Type = EfiRuntimeServicesCode,
					 .PhysicalStart = lo,
					 .VirtualStart = lo + VOFF,
					 .NumberOfPages = (hi - lo) >> 12,
					 .Attribute = EFI_MEMORY_RUNTIME | EFI_MEMORY_WB};
}

static void test_set_virtual_address_map(void **state)
{
	static CHAR16 vendor[] = u"wireboot";
	/* Outside every descriptor: SetVirtualAddressMap leaves it alone. */
	EFI_CONFIGURATION_TABLE *config = (void *)(uintptr_t)0xffff900000000000ull;
	static EFI_SYSTEM_TABLE st = {.Hdr = {.Signature = EFI_SYSTEM_TABLE_SIGNATURE,
					      .HeaderSize = sizeof(EFI_SYSTEM_TABLE)},
				      .FirmwareVendor = vendor,
				      .NumberOfTableEntries = 1};
	struct map48 map[2];
	EFI_RUNTIME_SERVICES *t = efi_runtime_table();
	EFI_RUNTIME_SERVICES before = *t;

	st.RuntimeServices = t;
	st.ConfigurationTable = config;
	efi_runtime_set_system_table(&st);
	fill(map, 0x1000, 1ull << 47); /* all of the host's user space */
	EFI_MEMORY_DESCRIPTOR *m = &map[0].d;

	assert_int_equal(rt.SetVirtualAddressMap(sizeof(map), sizeof(map[0]), 1, m),
			 EFI_UNSUPPORTED); /* before ExitBootServices */
	at_runtime = true;
	assert_int_equal(rt.SetVirtualAddressMap(sizeof(map), sizeof(map[0]), 2, m),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(rt.SetVirtualAddressMap(sizeof(map), 32, 1, m), EFI_INVALID_PARAMETER);
	assert_int_equal(rt.SetVirtualAddressMap(sizeof(map), 44, 1, m), EFI_INVALID_PARAMETER);
	assert_int_equal(rt.SetVirtualAddressMap(sizeof(map) - 8, sizeof(map[0]), 1, m),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(rt.SetVirtualAddressMap(sizeof(map), sizeof(map[0]), 1, NULL),
			 EFI_INVALID_PARAMETER);
	/* Only the table's page is covered: not its functions. */
	uint64_t tp = (uint64_t)(uintptr_t)t & ~0xfffull;
	fill(map, tp, tp + 0x2000);
	assert_int_equal(rt.SetVirtualAddressMap(sizeof(map), sizeof(map[0]), 1, m),
			 EFI_NO_MAPPING);
	/* Only the first, non-runtime descriptor: nothing covered. */
	fill(map, 0x1000, 1ull << 47);
	assert_int_equal(rt.SetVirtualAddressMap(sizeof(map[0]), sizeof(map[0]), 1, m),
			 EFI_NO_MAPPING);
	assert_memory_equal(t, &before, sizeof(before)); /* nothing changed */
	assert_int_equal(signaled_vachange, 0);

	/* The real thing. */
	driver_ptr = &driver_ptr;
	assert_int_equal(rt.SetVirtualAddressMap(sizeof(map), sizeof(map[0]), 1, m),
			 EFI_SUCCESS);
	assert_int_equal(signaled_vachange, 1);
	assert_int_equal(driver_convert_status, EFI_SUCCESS);
	assert_int_equal((uint64_t)(uintptr_t)driver_ptr, (uint64_t)(uintptr_t)&driver_ptr + VOFF);
	assert_int_equal((uint64_t)(uintptr_t)t->GetVariable,
			 (uint64_t)(uintptr_t)before.GetVariable + VOFF);
	assert_int_equal((uint64_t)(uintptr_t)t->QueryVariableInfo,
			 (uint64_t)(uintptr_t)before.QueryVariableInfo + VOFF);
	EFI_RUNTIME_SERVICES copy = *t;
	copy.Hdr.CRC32 = 0;
	assert_int_equal(t->Hdr.CRC32, crc32(0, &copy, sizeof(copy)));
	assert_int_equal((uint64_t)(uintptr_t)st.RuntimeServices, (uint64_t)(uintptr_t)t + VOFF);
	assert_int_equal((uint64_t)(uintptr_t)st.FirmwareVendor,
			 (uint64_t)(uintptr_t)vendor + VOFF);
	assert_ptr_equal(st.ConfigurationTable, config);
	assert_non_null(strstr(last_log, "outside runtime memory"));
	EFI_SYSTEM_TABLE stc = st;
	stc.Hdr.CRC32 = 0;
	assert_int_equal(st.Hdr.CRC32, crc32(0, &stc, sizeof(stc)));
	/* Once only; ConvertPointer is over with it. */
	assert_int_equal(rt.SetVirtualAddressMap(sizeof(map), sizeof(map[0]), 1, m),
			 EFI_UNSUPPORTED);
	void *p = &p;
	assert_int_equal(rt.ConvertPointer(0, &p), EFI_NOT_FOUND);
}

int main(void)
{
	efi_runtime_init();
	rt = *efi_runtime_table();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_table_header, setup),
		cmocka_unit_test_setup(test_get_time, setup),
		cmocka_unit_test_setup(test_set_time_validates, setup),
		cmocka_unit_test_setup(test_unsupported_services_logged_once, setup),
		cmocka_unit_test_setup(test_variables_follow_the_phase, setup),
		cmocka_unit_test_setup(test_monotonic_counts, setup),
		cmocka_unit_test_setup(test_reset_paths, setup),
		cmocka_unit_test_setup(test_convert_pointer_rules, setup),
		/* Last: it moves the table's pointers for good. */
		cmocka_unit_test_setup(test_set_virtual_address_map, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
