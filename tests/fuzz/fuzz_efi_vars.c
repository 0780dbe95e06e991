/* Fuzz the UEFI variable store (efi/variables.c) with sequences of calls,
 * as a hostile EFI program or OS would make them. The input is records:
 *   [u8 op][u8 name][u8 attrs][u16 size][size bytes of data, as far as the
 *   input goes]
 * op % 7: 0 SetVariable, 1 GetVariable with a buffer of `size` bytes,
 * 2 a whole GetNextVariableName walk, 3 QueryVariableInfo(attrs), 4 switch
 * between boot services and runtime, 5 the firmware's read-only write,
 * 6 efi_vars_set_boot_globals with the data as Boot0001's device path.
 * name: bits 0-3 pick one of 16 names (one empty, one at the length
 * limit, one past it), bit 4 the vendor GUID; op bit 7 makes a set an
 * APPEND_WRITE. Checked after every call: the store's accounting, a
 * successful write reads back, a deletion is gone, a walk visits each
 * visible variable once and ends. Any crash, sanitizer report or abort is
 * a bug. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <efi_vars.h>

static struct efi_vars vs;
static CHAR16 names[16][EFI_VARS_NAME_MAX / 2 + 2];
static uint8_t out[EFI_VARS_ARENA + 16];
static const EFI_GUID guids[2] = {
	EFI_GLOBAL_VARIABLE,
	{0x4a67b082, 0x0a4c, 0x41cf, {0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f}},
};

static void make_names(void)
{
	static const char *const base[] = {"BootOrder", "Boot0001", "SecureBoot", "LoaderEntries",
					   "MokListRT", "a", "B", "Timeout", "SetupMode",
					   "BootCurrent", "x1", "x2", "PlatformLang"};
	for (int i = 0; i < 13; i++)
		for (size_t j = 0; j <= strlen(base[i]); j++)
			names[i][j] = (unsigned char)base[i][j];
	names[13][0] = 0; /* empty */
	/* Exactly EFI_VARS_NAME_MAX bytes with its NUL, and one unit more. */
	for (int j = 0; j < EFI_VARS_NAME_MAX / 2 + 1; j++)
		names[14][j] = names[15][j] = (CHAR16)('n' + j % 7);
	names[14][EFI_VARS_NAME_MAX / 2 - 1] = 0;
	names[15][EFI_VARS_NAME_MAX / 2] = 0;
}

static void check_accounting(bool runtime)
{
	UINT64 max, rem, maxvar;

	if (vs.used > EFI_VARS_ARENA || vs.used % 8)
		abort();
	if (efi_vars_query(&vs, runtime, EFI_VARS_ATTR_STORED, &max, &rem, &maxvar) != EFI_SUCCESS)
		abort();
	if (max != EFI_VARS_ARENA || rem != EFI_VARS_ARENA - vs.used || maxvar >= max)
		abort();
}

/* Walk every visible variable; each one must read back, none twice. */
static void walk(bool runtime)
{
	static CHAR16 name[EFI_VARS_NAME_MAX / 2 + 2], seen[64][EFI_VARS_NAME_MAX / 2 + 2];
	static EFI_GUID seen_guid[64];
	EFI_GUID g = {0};
	int n = 0;

	name[0] = 0;
	for (;;) {
		UINTN size = sizeof(name);
		EFI_STATUS st = efi_vars_next_name(&vs, runtime, &size, name, &g);
		if (st == EFI_NOT_FOUND)
			return;
		if (st != EFI_SUCCESS || size < 4 || size > EFI_VARS_NAME_MAX || size % 2 ||
		    name[size / 2 - 1] || efi_vars_name_len(name, size) != (long)(size / 2 - 1))
			abort();
		UINTN dsize = 0;
		UINT32 attrs = 0;
		st = efi_vars_get(&vs, runtime, name, &g, &attrs, &dsize, NULL);
		if (st != EFI_BUFFER_TOO_SMALL || !dsize || !(attrs & EFI_VARIABLE_BOOTSERVICE_ACCESS))
			abort();
		if (runtime && !(attrs & EFI_VARIABLE_RUNTIME_ACCESS))
			abort();
		for (int i = 0; i < n && i < 64; i++)
			if (!memcmp(&seen_guid[i], &g, sizeof(g)) && !memcmp(seen[i], name, size))
				abort();
		if (n < 64) {
			memcpy(seen[n], name, size);
			seen_guid[n] = g;
		}
		if (++n > 4096)
			abort(); /* the walk must end */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	bool runtime = false;

	if (!names[0][0])
		make_names();
	efi_vars_init(&vs);
	while (len >= 5) {
		uint8_t op = p[0], sel = p[1];
		UINT32 attrs = p[2];
		size_t size = (size_t)p[3] | (size_t)p[4] << 8;
		p += 5, len -= 5;
		size_t avail = size < len ? size : len;
		const uint8_t *data = p;
		const CHAR16 *name = names[sel & 15];
		const EFI_GUID *g = &guids[(sel >> 4) & 1];
		EFI_STATUS st;

		switch (op % 7) {
		case 0: {
			if (op & 0x80)
				attrs |= EFI_VARIABLE_APPEND_WRITE;
			UINTN before = sizeof(out);
			bool existed = efi_vars_get(&vs, runtime, name, g, NULL, &before, out) ==
				       EFI_SUCCESS;
			st = efi_vars_set(&vs, runtime, name, g, attrs, avail, avail ? data : NULL);
			UINTN after = sizeof(out);
			EFI_STATUS gst = efi_vars_get(&vs, runtime, name, g, NULL, &after, out);
			bool del = !(attrs & EFI_VARIABLE_APPEND_WRITE) &&
				   (!avail || !(attrs & (EFI_VARIABLE_BOOTSERVICE_ACCESS |
							 EFI_VARIABLE_RUNTIME_ACCESS)));
			if (st == EFI_SUCCESS && del && gst != EFI_NOT_FOUND)
				abort();
			if (st == EFI_SUCCESS && !del && avail) {
				size_t want = (attrs & EFI_VARIABLE_APPEND_WRITE) && existed
						      ? before + avail
						      : avail;
				if (gst != EFI_SUCCESS || after != want ||
				    memcmp(out + after - avail, data, avail))
					abort();
			}
			if (st != EFI_SUCCESS && existed &&
			    (gst != EFI_SUCCESS || after != before))
				abort(); /* a refused write changes nothing */
			break;
		}
		case 1: {
			UINTN size_in = avail, sz = avail;
			UINT32 a = 0;
			st = efi_vars_get(&vs, runtime, name, g, &a, &sz, out);
			if (st == EFI_SUCCESS && (sz > size_in || !sz))
				abort();
			if (st == EFI_BUFFER_TOO_SMALL && sz <= size_in)
				abort();
			if (st != EFI_SUCCESS && st != EFI_BUFFER_TOO_SMALL && st != EFI_NOT_FOUND &&
			    st != EFI_INVALID_PARAMETER)
				abort();
			break;
		}
		case 2:
			walk(runtime);
			break;
		case 3: {
			UINT64 a, b, c;
			st = efi_vars_query(&vs, runtime, attrs, &a, &b, &c);
			if (st == EFI_SUCCESS && b != EFI_VARS_ARENA - vs.used)
				abort();
			break;
		}
		case 4:
			runtime = !runtime;
			break;
		case 5:
			efi_vars_set_readonly(&vs, name, g, attrs, avail, avail ? data : NULL);
			break;
		case 6: {
			struct efi_boot_globals bg = {.device_path = data, .device_path_len = avail,
						      .timeout = (UINT16)size};
			st = efi_vars_set_boot_globals(&vs, &bg);
			UINTN sz = sizeof(out);
			if (st == EFI_SUCCESS &&
			    efi_vars_get(&vs, false, u"BootOrder", &guids[0], NULL, &sz, out) !=
				    EFI_SUCCESS)
				abort();
			break;
		}
		}
		check_accounting(runtime);
		p += avail, len -= avail;
	}
	walk(false);
	walk(true);
	return 0;
}
