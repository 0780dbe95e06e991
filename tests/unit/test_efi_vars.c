/* UEFI variables in RAM (efi/variables.c): Get/Set/GetNextVariableName/
 * QueryVariableInfo semantics of UEFI 2.10 s.8.2, the runtime view, the
 * read-only globals, and the boot globals' layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <efi_vars.h>

#define NV EFI_VARIABLE_NON_VOLATILE
#define BS EFI_VARIABLE_BOOTSERVICE_ACCESS
#define RT EFI_VARIABLE_RUNTIME_ACCESS
#define APPEND EFI_VARIABLE_APPEND_WRITE

static struct efi_vars store;
static const EFI_GUID global = EFI_GLOBAL_VARIABLE;
/* systemd-boot's LoaderInfo vendor GUID and shim's. */
static const EFI_GUID loader = {0x4a67b082, 0x0a4c, 0x41cf,
				{0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f}};
static const EFI_GUID shim = {0x605dab50, 0xe046, 0x4300,
			      {0xab, 0xb6, 0x3d, 0xd8, 0x10, 0xdd, 0x8b, 0x23}};

static int setup(void **state)
{
	efi_vars_init(&store);
	return 0;
}

static EFI_STATUS set(const CHAR16 *name, const EFI_GUID *g, UINT32 attrs, const void *data,
		      UINTN size)
{
	return efi_vars_set(&store, false, name, g, attrs, size, data);
}

static void test_set_get_round_trip(void **state)
{
	uint8_t buf[16];
	UINTN size = sizeof(buf);
	UINT32 attrs = 0;

	assert_int_equal(set(u"Foo", &loader, NV | BS | RT, "hello", 5), EFI_SUCCESS);
	assert_int_equal(efi_vars_get(&store, false, u"Foo", &loader, &attrs, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(attrs, NV | BS | RT);
	/* Same name, other GUID: another variable. */
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"Foo", &shim, NULL, &size, buf),
			 EFI_NOT_FOUND);
	/* Names are compared exactly. */
	assert_int_equal(efi_vars_get(&store, false, u"foo", &loader, NULL, &size, buf),
			 EFI_NOT_FOUND);
	assert_int_equal(efi_vars_get(&store, false, u"Fo", &loader, NULL, &size, buf),
			 EFI_NOT_FOUND);
	/* Rewrite with the same attributes replaces the data. */
	assert_int_equal(set(u"Foo", &loader, NV | BS | RT, "bye", 3), EFI_SUCCESS);
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"Foo", &loader, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, 3);
	assert_memory_equal(buf, "bye", 3);
}

static void test_get_buffer_too_small_and_bad_args(void **state)
{
	uint8_t buf[8];
	UINTN size = 2;
	UINT32 attrs = 0;

	assert_int_equal(set(u"Big", &loader, BS, "0123456789", 10), EFI_SUCCESS);
	assert_int_equal(efi_vars_get(&store, false, u"Big", &loader, &attrs, &size, buf),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 10);
	assert_int_equal(attrs, BS); /* s.8.2.1: set with BUFFER_TOO_SMALL too */
	size = 0;
	assert_int_equal(efi_vars_get(&store, false, u"Big", &loader, NULL, &size, NULL),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 10);
	/* Large enough size but no buffer. */
	assert_int_equal(efi_vars_get(&store, false, u"Big", &loader, NULL, &size, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_get(&store, false, NULL, &loader, NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_get(&store, false, u"Big", NULL, NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_get(&store, false, u"Big", &loader, NULL, NULL, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_get(&store, false, u"", &loader, NULL, &size, buf),
			 EFI_NOT_FOUND);
}

static void test_delete_by_size_or_attributes(void **state)
{
	UINTN size = 4;
	uint8_t buf[4];

	assert_int_equal(set(u"A", &loader, NV | BS | RT, "a", 1), EFI_SUCCESS);
	assert_int_equal(set(u"B", &loader, BS, "b", 1), EFI_SUCCESS);
	assert_int_equal(set(u"A", &loader, NV | BS | RT, NULL, 0), EFI_SUCCESS);
	assert_int_equal(efi_vars_get(&store, false, u"A", &loader, NULL, &size, buf),
			 EFI_NOT_FOUND);
	assert_int_equal(set(u"B", &loader, 0, "x", 1), EFI_SUCCESS);
	assert_int_equal(efi_vars_get(&store, false, u"B", &loader, NULL, &size, buf),
			 EFI_NOT_FOUND);
	assert_int_equal(set(u"B", &loader, 0, NULL, 0), EFI_NOT_FOUND);
	assert_int_equal(set(u"Nope", &loader, BS, NULL, 0), EFI_NOT_FOUND);
	/* NON_VOLATILE alone has no access attribute: a deletion. */
	assert_int_equal(set(u"Nope", &loader, NV, "x", 1), EFI_NOT_FOUND);
	assert_int_equal(set(u"Nope", &loader, NV | APPEND, "x", 1), EFI_NOT_FOUND);
	assert_int_equal(store.used, 0);
}

static void test_attributes_checked(void **state)
{
	assert_int_equal(set(u"X", &loader, RT, "x", 1), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"X", &loader, NV | RT, "x", 1), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"X", &loader, BS | EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS, "x", 1),
			 EFI_UNSUPPORTED);
	assert_int_equal(
		set(u"X", &loader, NV | BS | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS,
		    "x", 1),
		EFI_SECURITY_VIOLATION);
	assert_int_equal(set(u"X", &loader, BS | EFI_VARS_ATTR_ENHANCED_AUTH, "x", 1),
			 EFI_UNSUPPORTED);
	assert_int_equal(set(u"X", &loader, NV | BS | RT | EFI_VARIABLE_HARDWARE_ERROR_RECORD,
			     "x", 1),
			 EFI_UNSUPPORTED);
	assert_int_equal(set(u"X", &loader, BS | 0x100, "x", 1), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"", &loader, BS, "x", 1), EFI_INVALID_PARAMETER);
	assert_int_equal(set(NULL, &loader, BS, "x", 1), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"X", NULL, BS, "x", 1), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"X", &loader, BS, NULL, 1), EFI_INVALID_PARAMETER);
	assert_int_equal(store.used, 0);

	/* An existing variable keeps its attributes. */
	assert_int_equal(set(u"X", &loader, NV | BS | RT, "x", 1), EFI_SUCCESS);
	assert_int_equal(set(u"X", &loader, BS | RT, "y", 1), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"X", &loader, NV | BS, "y", 1), EFI_INVALID_PARAMETER);
	/* A deletion by size with other attributes is refused too (EDK2). */
	assert_int_equal(set(u"X", &loader, BS, NULL, 0), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"X", &loader, NV | BS | RT | APPEND, "z", 1), EFI_SUCCESS);
	UINTN size = 8;
	char buf[8];
	assert_int_equal(efi_vars_get(&store, false, u"X", &loader, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, 2);
	assert_memory_equal(buf, "xz", 2);
}

static void test_append_write(void **state)
{
	char buf[64];
	UINTN size = sizeof(buf);
	UINT32 attrs;

	/* Appending to nothing creates; appending nothing changes nothing. */
	assert_int_equal(set(u"MokList", &shim, NV | BS | APPEND, NULL, 0), EFI_SUCCESS);
	assert_int_equal(store.used, 0);
	assert_int_equal(set(u"MokList", &shim, NV | BS | APPEND, "abc", 3), EFI_SUCCESS);
	assert_int_equal(set(u"Other", &shim, BS, "-", 1), EFI_SUCCESS);
	for (int i = 0; i < 10; i++)
		assert_int_equal(set(u"MokList", &shim, NV | BS | APPEND, "0123456789", 10),
				 EFI_SUCCESS);
	assert_int_equal(set(u"MokList", &shim, NV | BS | APPEND, NULL, 0), EFI_SUCCESS);
	char big[128];
	size = sizeof(big);
	assert_int_equal(efi_vars_get(&store, false, u"MokList", &shim, &attrs, &size, big),
			 EFI_SUCCESS);
	assert_int_equal(size, 103);
	assert_int_equal(attrs, NV | BS); /* APPEND_WRITE is not stored */
	assert_memory_equal(big, "abc0123456789", 13);
	assert_memory_equal(big + 93, "0123456789", 10);
	/* The record after it moved intact. */
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"Other", &shim, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, 1);
	assert_int_equal(buf[0], '-');
}

static void test_runtime_view(void **state)
{
	char buf[8];
	UINTN size = sizeof(buf);

	assert_int_equal(set(u"BsOnly", &loader, NV | BS, "b", 1), EFI_SUCCESS);
	assert_int_equal(set(u"Both", &loader, NV | BS | RT, "r", 1), EFI_SUCCESS);
	assert_int_equal(efi_vars_get(&store, true, u"BsOnly", &loader, NULL, &size, buf),
			 EFI_NOT_FOUND);
	assert_int_equal(efi_vars_get(&store, true, u"Both", &loader, NULL, &size, buf),
			 EFI_SUCCESS);
	/* Writes at runtime must carry RUNTIME_ACCESS. */
	assert_int_equal(efi_vars_set(&store, true, u"New", &loader, NV | BS, 1, "n"),
			 EFI_INVALID_PARAMETER);
	/* A boot-services variable cannot be touched at runtime. */
	assert_int_equal(efi_vars_set(&store, true, u"BsOnly", &loader, 0, 0, NULL),
			 EFI_WRITE_PROTECTED);
	assert_int_equal(efi_vars_set(&store, true, u"BsOnly", &loader, NV | BS | RT, 1, "x"),
			 EFI_WRITE_PROTECTED);
	/* Non-volatile writes at runtime succeed (in RAM): efivarfs, bootctl. */
	assert_int_equal(efi_vars_set(&store, true, u"LoaderEntryOneShot", &loader, NV | BS | RT,
				      4, "a\0b\0"),
			 EFI_SUCCESS);
	assert_int_equal(efi_vars_set(&store, true, u"Both", &loader, 0, 0, NULL), EFI_SUCCESS);
	/* The walk at runtime skips the boot-services variable. */
	CHAR16 name[64] = {0};
	EFI_GUID g;
	size = sizeof(name);
	assert_int_equal(efi_vars_next_name(&store, true, &size, name, &g), EFI_SUCCESS);
	assert_memory_equal(name, u"LoaderEntryOneShot", sizeof(u"LoaderEntryOneShot"));
	size = sizeof(name);
	assert_int_equal(efi_vars_next_name(&store, true, &size, name, &g), EFI_NOT_FOUND);
	/* Nor can it be a starting point there. */
	memcpy(name, u"BsOnly", sizeof(u"BsOnly"));
	size = sizeof(name);
	assert_int_equal(efi_vars_next_name(&store, true, &size, name, &g),
			 EFI_INVALID_PARAMETER);
}

static void test_next_name_walks_all(void **state)
{
	static const CHAR16 *names[] = {u"One", u"Two", u"Three", u"FourFourFour"};
	CHAR16 name[32];
	EFI_GUID g;
	UINTN size;

	for (int i = 0; i < 4; i++)
		assert_int_equal(set(names[i], i & 1 ? &shim : &loader, BS | RT, "v", 1),
				 EFI_SUCCESS);
	name[0] = 0;
	for (int i = 0; i < 4; i++) {
		size = sizeof(name);
		assert_int_equal(efi_vars_next_name(&store, false, &size, name, &g), EFI_SUCCESS);
		size_t want = (efi_vars_name_len(names[i], 64) + 1) * 2;
		assert_int_equal(size, want);
		assert_memory_equal(name, names[i], want);
		assert_memory_equal(&g, i & 1 ? &shim : &loader, sizeof(g));
	}
	size = sizeof(name);
	assert_int_equal(efi_vars_next_name(&store, false, &size, name, &g), EFI_NOT_FOUND);

	/* Too small a buffer: the size needed, name untouched. */
	memcpy(name, u"Three", sizeof(u"Three"));
	g = loader;
	size = sizeof(u"Three"); /* holds the name passed in, not the next one */
	assert_int_equal(efi_vars_next_name(&store, false, &size, name, &g), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, sizeof(u"FourFourFour"));
	assert_memory_equal(name, u"Three", sizeof(u"Three"));
	/* Unknown start (right name, wrong GUID). */
	g = shim;
	size = sizeof(name);
	assert_int_equal(efi_vars_next_name(&store, false, &size, name, &g),
			 EFI_INVALID_PARAMETER);
	/* The NUL must lie within VariableNameSize. */
	g = loader;
	size = 4;
	assert_int_equal(efi_vars_next_name(&store, false, &size, name, &g),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_next_name(&store, false, NULL, name, &g), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_next_name(&store, false, &size, NULL, &g), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_next_name(&store, false, &size, name, NULL),
			 EFI_INVALID_PARAMETER);
}

static void test_query_is_honest_and_store_fills(void **state)
{
	UINT64 max, rem, maxvar;
	static uint8_t data[4096];

	assert_int_equal(efi_vars_query(&store, false, NV | BS | RT, &max, &rem, &maxvar),
			 EFI_SUCCESS);
	assert_int_equal(max, EFI_VARS_ARENA);
	assert_int_equal(rem, EFI_VARS_ARENA);
	assert_true(maxvar > 60000 && maxvar < EFI_VARS_ARENA);

	/* Fill the store with 4 KiB variables until it refuses. */
	CHAR16 name[] = u"Fill00";
	int n = 0;
	EFI_STATUS st;
	do {
		name[4] = u'0' + n / 10;
		name[5] = u'0' + n % 10;
		st = set(name, &loader, NV | BS | RT, data, sizeof(data));
		if (st == EFI_SUCCESS)
			n++;
	} while (st == EFI_SUCCESS && n < 100);
	assert_int_equal(st, EFI_OUT_OF_RESOURCES);
	assert_int_equal(n, 15);
	assert_int_equal(efi_vars_query(&store, false, BS, &max, &rem, &maxvar), EFI_SUCCESS);
	assert_int_equal(rem, EFI_VARS_ARENA - store.used);
	assert_true(rem < sizeof(data) + 64);
	/* A failed append leaves the variable as it was. */
	assert_int_equal(set(u"Fill00", &loader, NV | BS | RT | APPEND, data, sizeof(data)),
			 EFI_OUT_OF_RESOURCES);
	UINTN size = 0;
	assert_int_equal(efi_vars_get(&store, false, u"Fill00", &loader, NULL, &size, NULL),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, sizeof(data));
	/* Deleting gives the space back. */
	assert_int_equal(set(u"Fill03", &loader, 0, NULL, 0), EFI_SUCCESS);
	UINT64 rem2;
	assert_int_equal(efi_vars_query(&store, false, BS, &max, &rem2, &maxvar), EFI_SUCCESS);
	assert_true(rem2 >= rem + sizeof(data));
	assert_int_equal(set(u"Fill99", &loader, BS, data, sizeof(data)), EFI_SUCCESS);
	/* Larger than the whole store. */
	static uint8_t huge[EFI_VARS_ARENA];
	efi_vars_init(&store);
	assert_int_equal(set(u"Huge", &loader, BS, huge, sizeof(huge)), EFI_OUT_OF_RESOURCES);
	assert_int_equal(set(u"Huge", &loader, BS, huge, maxvar - 10), EFI_SUCCESS);
}

static void test_query_checks_attributes(void **state)
{
	UINT64 a, b, c;

	assert_int_equal(efi_vars_query(&store, false, 0, &a, &b, &c), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_query(&store, false, RT, &a, &b, &c), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_query(&store, false, NV, &a, &b, &c), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_query(&store, false, BS, NULL, &b, &c), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_query(&store, true, NV | BS, &a, &b, &c), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_query(&store, true, NV | BS | RT, &a, &b, &c), EFI_SUCCESS);
	assert_int_equal(efi_vars_query(&store, false,
					BS | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS,
					&a, &b, &c),
			 EFI_UNSUPPORTED);
	assert_int_equal(efi_vars_query(&store, false,
					NV | BS | RT | EFI_VARIABLE_HARDWARE_ERROR_RECORD, &a, &b,
					&c),
			 EFI_UNSUPPORTED);
}

static void test_name_length_bounded(void **state)
{
	static CHAR16 name[EFI_VARS_NAME_MAX];
	UINTN size = 4;
	char buf[4];

	for (size_t i = 0; i < EFI_VARS_NAME_MAX; i++)
		name[i] = u'a';
	name[EFI_VARS_NAME_MAX - 1] = 0; /* 2046 bytes + NUL: too long */
	assert_int_equal(set(name, &loader, BS, "x", 1), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_vars_get(&store, false, name, &loader, NULL, &size, buf),
			 EFI_NOT_FOUND);
	name[EFI_VARS_NAME_MAX / 2 - 1] = 0; /* exactly EFI_VARS_NAME_MAX bytes */
	assert_int_equal(set(name, &loader, BS, "x", 1), EFI_SUCCESS);
	assert_int_equal(efi_vars_get(&store, false, name, &loader, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(efi_vars_name_len(u"abc", 8), 3);
	assert_int_equal(efi_vars_name_len(u"abc", 6), -1);
	assert_int_equal(efi_vars_name_len(u"abc", 7), -1);
}

/* An EFI_LOAD_OPTION's parts (UEFI 2.10 s.3.1.3). */
static void check_boot0001(const uint8_t *opt, size_t len, const uint8_t *dp, size_t dp_len)
{
	static const char desc[] = "wireboot network boot";
	uint32_t attrs;
	uint16_t fpl;

	assert_int_equal(len, 6 + sizeof(desc) * 2 + dp_len);
	memcpy(&attrs, opt, 4);
	memcpy(&fpl, opt + 4, 2);
	assert_int_equal(attrs, 1); /* LOAD_OPTION_ACTIVE */
	assert_int_equal(fpl, dp_len);
	for (size_t i = 0; i < sizeof(desc); i++) {
		uint16_t c;
		memcpy(&c, opt + 6 + 2 * i, 2);
		assert_int_equal(c, (unsigned char)desc[i]);
	}
	assert_memory_equal(opt + 6 + sizeof(desc) * 2, dp, dp_len);
}

static void test_boot_globals(void **state)
{
	/* MAC(525400123456,1)/IPv4-ish vendor node/End. */
	uint8_t dp[] = {0x03, 0x0b, 0x25, 0x00, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0, 0, 0, 0,
			0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0,
			0,    0,    0,    0,    0,    0,    0,    0,    1,    0x7f, 0xff, 0x04, 0x00};
	struct efi_boot_globals g = {.device_path = dp, .device_path_len = sizeof(dp),
				     .timeout = 3};
	uint8_t buf[256];
	UINTN size;
	UINT32 attrs;

	assert_int_equal(set(u"Timeout", &global, BS, "\x09\x00", 2), EFI_SUCCESS);
	assert_int_equal(efi_vars_set_boot_globals(&store, &g), EFI_SUCCESS);
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, true, u"BootOrder", &global, &attrs, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, 2);
	assert_int_equal(buf[0] | buf[1] << 8, 1);
	assert_int_equal(attrs, NV | BS | RT);
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"Boot0001", &global, &attrs, &size, buf),
			 EFI_SUCCESS);
	check_boot0001(buf, size, dp, sizeof(dp));
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"Timeout", &global, &attrs, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(attrs, NV | BS | RT); /* the earlier one was replaced */
	assert_int_equal(buf[0], 3);
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"PlatformLang", &global, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, 6);
	assert_string_equal((char *)buf, "en-US");
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"SecureBoot", &global, &attrs, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, 1);
	assert_int_equal(buf[0], 0);
	assert_int_equal(attrs, BS | RT);
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"SetupMode", &global, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(buf[0], 1);

	/* Read-only ones refuse every write, deletion included. */
	assert_int_equal(set(u"SecureBoot", &global, BS | RT, "\x01", 1), EFI_WRITE_PROTECTED);
	assert_int_equal(set(u"SecureBoot", &global, 0, NULL, 0), EFI_WRITE_PROTECTED);
	assert_int_equal(set(u"BootCurrent", &global, BS | RT, "\x02\x00", 2),
			 EFI_WRITE_PROTECTED);
	assert_int_equal(set(u"OsIndicationsSupported", &global, BS | RT, "\x01", 1),
			 EFI_WRITE_PROTECTED);
	/* Writable ones are: a loader changes BootOrder, the OS OsIndications. */
	assert_int_equal(set(u"BootOrder", &global, NV | BS | RT, "\x01\x00\x02\x00", 4),
			 EFI_SUCCESS);
	assert_int_equal(set(u"OsIndications", &global, NV | BS | RT, "\0\0\0\0\0\0\0\0", 8),
			 EFI_SUCCESS);
	/* Seeding again (a second boot attempt) starts from the same state. */
	assert_int_equal(efi_vars_set_boot_globals(&store, &g), EFI_SUCCESS);
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"BootOrder", &global, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, 2);
	/* The firmware may still change a read-only one. */
	assert_int_equal(efi_vars_set_readonly(&store, u"BootCurrent", &global, BS | RT, 2,
					       "\x02\x00"),
			 EFI_SUCCESS);
	size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"BootCurrent", &global, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(buf[0], 2);
}

static void test_boot_globals_reject_bad_paths(void **state)
{
	uint8_t no_end[] = {0x03, 0x0b, 0x04, 0x00};
	uint8_t short_node[] = {0x03, 0x0b, 0x02, 0x00, 0x7f, 0xff, 0x04, 0x00};
	uint8_t past_end[] = {0x03, 0x0b, 0x40, 0x00, 0x7f, 0xff, 0x04, 0x00};
	uint8_t trailing[] = {0x7f, 0xff, 0x04, 0x00, 0x00};
	struct efi_boot_globals g = {0};

	g.device_path = no_end, g.device_path_len = sizeof(no_end);
	assert_int_equal(efi_vars_set_boot_globals(&store, &g), EFI_INVALID_PARAMETER);
	g.device_path = short_node, g.device_path_len = sizeof(short_node);
	assert_int_equal(efi_vars_set_boot_globals(&store, &g), EFI_INVALID_PARAMETER);
	g.device_path = past_end, g.device_path_len = sizeof(past_end);
	assert_int_equal(efi_vars_set_boot_globals(&store, &g), EFI_INVALID_PARAMETER);
	g.device_path = trailing, g.device_path_len = sizeof(trailing);
	assert_int_equal(efi_vars_set_boot_globals(&store, &g), EFI_INVALID_PARAMETER);
	assert_int_equal(store.used, 0);
	/* No path at all: an End node alone. */
	assert_int_equal(efi_vars_set_boot_globals(&store, NULL), EFI_SUCCESS);
	uint8_t buf[128];
	UINTN size = sizeof(buf);
	assert_int_equal(efi_vars_get(&store, false, u"Boot0001", &global, NULL, &size, buf),
			 EFI_SUCCESS);
	check_boot0001(buf, size, trailing, 4);
}

/* What systemd-boot and shim write before the kernel starts. */
static void test_loader_writes_succeed(void **state)
{
	static const CHAR16 entries[] = u"debian.conf\0auto-reboot-to-firmware-setup\0";
	static uint8_t moklist[3000];

	assert_int_equal(set(u"LoaderTimeInitUSec", &loader, BS | RT, u"123456", 14),
			 EFI_SUCCESS);
	assert_int_equal(set(u"LoaderEntries", &loader, BS | RT, entries, sizeof(entries)),
			 EFI_SUCCESS);
	assert_int_equal(set(u"LoaderConfigTimeout", &loader, NV | BS | RT, u"5", 4),
			 EFI_SUCCESS);
	assert_int_equal(set(u"MokListRT", &shim, BS | RT, moklist, sizeof(moklist)),
			 EFI_SUCCESS);
	assert_int_equal(set(u"MokSBStateRT", &shim, BS | RT, "\x00", 1), EFI_SUCCESS);
	assert_int_equal(set(u"SbatLevelRT", &shim, BS | RT, "sbat,1\n", 7), EFI_SUCCESS);
	assert_int_equal(set(u"MokList", &shim, NV | BS, moklist, sizeof(moklist)), EFI_SUCCESS);
	/* shim deletes and rewrites its RT mirrors on every boot. */
	assert_int_equal(set(u"MokListRT", &shim, 0, NULL, 0), EFI_SUCCESS);
	assert_int_equal(set(u"MokListRT", &shim, BS | RT, moklist, 100), EFI_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_set_get_round_trip, setup),
		cmocka_unit_test_setup(test_get_buffer_too_small_and_bad_args, setup),
		cmocka_unit_test_setup(test_delete_by_size_or_attributes, setup),
		cmocka_unit_test_setup(test_attributes_checked, setup),
		cmocka_unit_test_setup(test_append_write, setup),
		cmocka_unit_test_setup(test_runtime_view, setup),
		cmocka_unit_test_setup(test_next_name_walks_all, setup),
		cmocka_unit_test_setup(test_query_is_honest_and_store_fills, setup),
		cmocka_unit_test_setup(test_query_checks_attributes, setup),
		cmocka_unit_test_setup(test_name_length_bounded, setup),
		cmocka_unit_test_setup(test_boot_globals, setup),
		cmocka_unit_test_setup(test_boot_globals_reject_bad_paths, setup),
		cmocka_unit_test_setup(test_loader_writes_succeed, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
