/* UEFI variables in RAM, UEFI 2.10 s.8.2. Pure: one arena of packed
 * records, kept in creation order (GetNextVariableName walks that order);
 * a record grows, shrinks or goes away by moving the records after it, so
 * the arena never fragments and QueryVariableInfo's figures are exact. */
#include <string.h>
#include <efi_vars.h>

/* One record: this header, the name (UCS-2 with its NUL), the data, then
 * padding to 8 bytes. */
struct var_hdr {
	uint32_t size; /* whole record, padded */
	uint32_t attrs;
	uint32_t data_size;
	uint16_t name_bytes;
	uint8_t readonly;
	uint8_t pad;
	EFI_GUID guid;
};

#define HDR sizeof(struct var_hdr)
#define ATTR_AUTH_ANY                                                                              \
	(EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS |                                                 \
	 EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS | EFI_VARS_ATTR_ENHANCED_AUTH)
#define ATTR_KNOWN                                                                                 \
	(EFI_VARS_ATTR_STORED | EFI_VARIABLE_HARDWARE_ERROR_RECORD | ATTR_AUTH_ANY |               \
	 EFI_VARIABLE_APPEND_WRITE)
#define ACCESS (EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)

_Static_assert(HDR == 32, "record header layout");
_Static_assert(EFI_VARS_ARENA % 8 == 0, "arena holds whole records");

static size_t rec_size(size_t name_bytes, size_t data_size)
{
	return (HDR + name_bytes + data_size + 7) & ~(size_t)7;
}

static struct var_hdr rd_hdr(const struct efi_vars *vs, size_t off)
{
	struct var_hdr h;

	memcpy(&h, vs->arena + off, HDR);
	return h;
}

void efi_vars_init(struct efi_vars *vs)
{
	vs->used = 0;
	memset(vs->arena, 0, sizeof(vs->arena));
}

long efi_vars_name_len(const CHAR16 *name, size_t max_bytes)
{
	for (size_t i = 0; i < max_bytes / 2; i++)
		if (!name[i])
			return (long)i;
	return -1;
}

/* Offset of the record named name (nbytes with its NUL) in guid's space,
 * or -1. Invisible records (BS-only at runtime) are found too. */
static long find(const struct efi_vars *vs, const CHAR16 *name, size_t nbytes,
		 const EFI_GUID *guid)
{
	for (size_t off = 0; off < vs->used;) {
		struct var_hdr h = rd_hdr(vs, off);
		if (h.name_bytes == nbytes && !memcmp(&h.guid, guid, sizeof(*guid)) &&
		    !memcmp(vs->arena + off + HDR, name, nbytes))
			return (long)off;
		off += h.size;
	}
	return -1;
}

static bool visible(const struct var_hdr *h, bool runtime)
{
	return !runtime || (h->attrs & EFI_VARIABLE_RUNTIME_ACCESS);
}

/* Length in bytes of a caller's name with its NUL; 0 if it is empty or too
 * long to be one of ours. */
static size_t name_bytes(const CHAR16 *name)
{
	long n = efi_vars_name_len(name, EFI_VARS_NAME_MAX);

	return n > 0 ? (size_t)(n + 1) * 2 : 0;
}

EFI_STATUS efi_vars_get(const struct efi_vars *vs, bool runtime, const CHAR16 *name,
			const EFI_GUID *guid, UINT32 *attrs, UINTN *size, void *data)
{
	if (!name || !guid || !size)
		return EFI_INVALID_PARAMETER;
	size_t nb = name_bytes(name);
	long off = nb ? find(vs, name, nb, guid) : -1;
	if (off < 0)
		return EFI_NOT_FOUND;
	struct var_hdr h = rd_hdr(vs, (size_t)off);
	if (!visible(&h, runtime))
		return EFI_NOT_FOUND;
	/* s.8.2.1: Attributes is returned with EFI_BUFFER_TOO_SMALL too. */
	if (*size < h.data_size) {
		*size = h.data_size;
		if (attrs)
			*attrs = h.attrs;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!data)
		return EFI_INVALID_PARAMETER;
	memcpy(data, vs->arena + off + HDR + h.name_bytes, h.data_size);
	*size = h.data_size;
	if (attrs)
		*attrs = h.attrs;
	return EFI_SUCCESS;
}

/* Resize the record at off to new_size bytes, moving the ones after it. */
static void resize(struct efi_vars *vs, size_t off, size_t old_size, size_t new_size)
{
	size_t tail = vs->used - (off + old_size);

	memmove(vs->arena + off + new_size, vs->arena + off + old_size, tail);
	vs->used = vs->used - old_size + new_size;
	if (new_size < old_size)
		memset(vs->arena + vs->used, 0, old_size - new_size);
}

/* Write a record at off (new: off == vs->used) with data = prefix of
 * keep bytes already there + size bytes of data. */
static EFI_STATUS put(struct efi_vars *vs, long found, const CHAR16 *name, size_t nb,
		      const EFI_GUID *guid, UINT32 attrs, bool readonly, size_t keep,
		      const void *data, size_t size)
{
	size_t old = found >= 0 ? rd_hdr(vs, (size_t)found).size : 0;
	size_t off = found >= 0 ? (size_t)found : vs->used;

	if (size > EFI_VARS_ARENA || keep > EFI_VARS_ARENA - size ||
	    nb + keep + size > EFI_VARS_ARENA - HDR)
		return EFI_OUT_OF_RESOURCES;
	size_t need = rec_size(nb, keep + size);
	if (vs->used - old + need > EFI_VARS_ARENA)
		return EFI_OUT_OF_RESOURCES;
	resize(vs, off, old, need);
	struct var_hdr h = {
		.size = (uint32_t)need,
		.attrs = attrs & EFI_VARS_ATTR_STORED,
		.data_size = (uint32_t)(keep + size),
		.name_bytes = (uint16_t)nb,
		.readonly = readonly,
	};
	memcpy(&h.guid, guid, sizeof(h.guid));
	memcpy(vs->arena + off, &h, HDR);
	memcpy(vs->arena + off + HDR, name, nb);
	if (size)
		memcpy(vs->arena + off + HDR + nb + keep, data, size);
	memset(vs->arena + off + HDR + nb + keep + size, 0, need - (HDR + nb + keep + size));
	return EFI_SUCCESS;
}

/* s.8.2.3: the attribute checks that come before any lookup. */
static EFI_STATUS check_attrs(UINT32 attrs, bool runtime)
{
	if (attrs & ~ATTR_KNOWN)
		return EFI_INVALID_PARAMETER;
	if ((attrs & EFI_VARIABLE_RUNTIME_ACCESS) && !(attrs & EFI_VARIABLE_BOOTSERVICE_ACCESS))
		return EFI_INVALID_PARAMETER;
	if (attrs & (EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS | EFI_VARS_ATTR_ENHANCED_AUTH))
		return EFI_UNSUPPORTED;
	if (attrs & EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS)
		return EFI_SECURITY_VIOLATION;
	if (attrs & EFI_VARIABLE_HARDWARE_ERROR_RECORD)
		return EFI_UNSUPPORTED;
	/* At runtime a variable that is being written (not deleted) must be
	 * one the OS may see. */
	if (runtime && attrs && !(attrs & EFI_VARIABLE_RUNTIME_ACCESS))
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

/* SetVariable's body; fw means the firmware's own write (may touch and
 * create read-only variables). */
static EFI_STATUS set(struct efi_vars *vs, bool runtime, bool fw, bool readonly,
		      const CHAR16 *name, const EFI_GUID *guid, UINT32 attrs, UINTN size,
		      const void *data)
{
	if (!name || !guid || (size && !data))
		return EFI_INVALID_PARAMETER;
	size_t nb = name_bytes(name);
	if (!nb)
		return EFI_INVALID_PARAMETER; /* empty, or longer than any we keep */
	EFI_STATUS st = check_attrs(attrs, runtime);
	if (st != EFI_SUCCESS)
		return st;

	bool append = attrs & EFI_VARIABLE_APPEND_WRITE;
	bool del = !append && (size == 0 || !(attrs & ACCESS));
	long off = find(vs, name, nb, guid);
	if (off < 0) {
		if (append && size == 0)
			return EFI_SUCCESS;
		/* Nothing to delete; and no variable without access rights. */
		if (del || !(attrs & ACCESS))
			return EFI_NOT_FOUND;
		return put(vs, -1, name, nb, guid, attrs, readonly, 0, data, size);
	}
	struct var_hdr h = rd_hdr(vs, (size_t)off);
	if (h.readonly && !fw)
		return EFI_WRITE_PROTECTED;
	if (!visible(&h, runtime))
		return EFI_WRITE_PROTECTED; /* a boot-services variable, at runtime */
	/* s.8.2.3: a rewrite must keep the attributes, except for a deletion
	 * with no attributes at all and for APPEND_WRITE itself. */
	if (attrs && (attrs & ~(UINT32)EFI_VARIABLE_APPEND_WRITE) != h.attrs)
		return EFI_INVALID_PARAMETER;
	if (del) {
		resize(vs, (size_t)off, h.size, 0);
		return EFI_SUCCESS;
	}
	if (append && size == 0)
		return EFI_SUCCESS;
	return put(vs, off, name, nb, guid, h.attrs, readonly || h.readonly,
		   append ? h.data_size : 0, data, size);
}

EFI_STATUS efi_vars_set(struct efi_vars *vs, bool runtime, const CHAR16 *name,
			const EFI_GUID *guid, UINT32 attrs, UINTN size, const void *data)
{
	return set(vs, runtime, false, false, name, guid, attrs, size, data);
}

/* The firmware's write: drop any variable of that name, then create it
 * with exactly these attributes. */
static EFI_STATUS replace(struct efi_vars *vs, const CHAR16 *name, const EFI_GUID *guid,
			  UINT32 attrs, bool readonly, UINTN size, const void *data)
{
	size_t nb = name && guid ? name_bytes(name) : 0;
	long off = nb ? find(vs, name, nb, guid) : -1;

	if (attrs & EFI_VARIABLE_APPEND_WRITE)
		return EFI_INVALID_PARAMETER;
	if (off >= 0)
		resize(vs, (size_t)off, rd_hdr(vs, (size_t)off).size, 0);
	return set(vs, false, true, readonly, name, guid, attrs, size, data);
}

EFI_STATUS efi_vars_set_readonly(struct efi_vars *vs, const CHAR16 *name, const EFI_GUID *guid,
				 UINT32 attrs, UINTN size, const void *data)
{
	return replace(vs, name, guid, attrs, true, size, data);
}

EFI_STATUS efi_vars_next_name(const struct efi_vars *vs, bool runtime, UINTN *name_size,
			      CHAR16 *name, EFI_GUID *guid)
{
	if (!name_size || !name || !guid)
		return EFI_INVALID_PARAMETER;
	/* s.8.2.2: the NUL must lie within the caller's VariableNameSize. */
	size_t limit = *name_size < EFI_VARS_NAME_MAX + 2 ? *name_size : EFI_VARS_NAME_MAX + 2;
	long n = efi_vars_name_len(name, limit);
	if (n < 0)
		return EFI_INVALID_PARAMETER;

	size_t off = 0;
	if (n > 0) {
		long at = find(vs, name, (size_t)(n + 1) * 2, guid);
		if (at < 0)
			return EFI_INVALID_PARAMETER;
		struct var_hdr cur = rd_hdr(vs, (size_t)at);
		if (!visible(&cur, runtime))
			return EFI_INVALID_PARAMETER;
		off = (size_t)at + cur.size;
	}
	for (; off < vs->used; off += rd_hdr(vs, off).size) {
		struct var_hdr h = rd_hdr(vs, off);
		if (!visible(&h, runtime))
			continue;
		if (*name_size < h.name_bytes) {
			*name_size = h.name_bytes;
			return EFI_BUFFER_TOO_SMALL;
		}
		memcpy(name, vs->arena + off + HDR, h.name_bytes);
		memcpy(guid, &h.guid, sizeof(*guid));
		*name_size = h.name_bytes;
		return EFI_SUCCESS;
	}
	return EFI_NOT_FOUND;
}

EFI_STATUS efi_vars_query(const struct efi_vars *vs, bool runtime, UINT32 attrs,
			  UINT64 *max_storage, UINT64 *remaining, UINT64 *max_var)
{
	if (!max_storage || !remaining || !max_var || !(attrs & EFI_VARS_ATTR_STORED))
		return EFI_INVALID_PARAMETER;
	if (attrs & EFI_VARIABLE_APPEND_WRITE)
		return EFI_INVALID_PARAMETER;
	EFI_STATUS st = check_attrs(attrs, runtime);
	if (st == EFI_SECURITY_VIOLATION)
		st = EFI_UNSUPPORTED; /* s.8.2.4: unsupported attribute combinations */
	if (st != EFI_SUCCESS)
		return st;
	if (!(attrs & ACCESS))
		return EFI_INVALID_PARAMETER; /* NON_VOLATILE alone names no variable */
	*max_storage = EFI_VARS_ARENA;
	*remaining = EFI_VARS_ARENA - vs->used;
	*max_var = EFI_VARS_ARENA - HDR; /* name + data of one variable */
	return EFI_SUCCESS;
}

/* True if p[0..len) is a whole device path: nodes of at least 4 bytes that
 * end exactly with an End Entire node (UEFI 2.10 s.10.3.1). */
static bool devpath_whole(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (len - off >= 4) {
		size_t nl = (size_t)p[off + 2] | (size_t)p[off + 3] << 8;
		if (nl < 4 || nl > len - off)
			return false;
		if (p[off] == END_DEVICE_PATH_TYPE && p[off + 1] == END_ENTIRE_DEVICE_PATH_SUBTYPE)
			return nl == 4 && off + 4 == len;
		off += nl;
	}
	return false;
}

static const EFI_GUID global_guid = EFI_GLOBAL_VARIABLE;
static const uint8_t end_path[4] = {END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, 4, 0};
static const char boot_desc[] = "wireboot network boot";
#define LOAD_OPTION_ACTIVE 0x00000001u /* s.3.1.3 */

#define NV_BS_RT EFI_VARS_ATTR_STORED
#define BS_RT ACCESS

/* Boot0001 as an EFI_LOAD_OPTION (s.3.1.3): Attributes, FilePathListLength,
 * Description, FilePathList; no OptionalData. */
static size_t load_option(uint8_t *out, size_t cap, const uint8_t *dp, size_t dp_len)
{
	size_t desc_bytes = sizeof(boot_desc) * 2;
	size_t len = 6 + desc_bytes + dp_len;
	uint32_t active = LOAD_OPTION_ACTIVE;
	uint16_t fpl = (uint16_t)dp_len;

	if (len > cap)
		return 0;
	memcpy(out, &active, 4);
	memcpy(out + 4, &fpl, 2);
	for (size_t i = 0; i < sizeof(boot_desc); i++) {
		CHAR16 c = (unsigned char)boot_desc[i];
		memcpy(out + 6 + 2 * i, &c, 2);
	}
	memcpy(out + 6 + desc_bytes, dp, dp_len);
	return len;
}

EFI_STATUS efi_vars_set_boot_globals(struct efi_vars *vs, const struct efi_boot_globals *g)
{
	static uint8_t opt[6 + sizeof(boot_desc) * 2 + EFI_VARS_BOOT_PATH_MAX];
	const uint8_t *dp = g && g->device_path ? g->device_path : end_path;
	size_t dp_len = g && g->device_path ? g->device_path_len : sizeof(end_path);
	const UINT16 order[1] = {0x0001}, current = 0x0001;
	const UINT16 timeout = g ? g->timeout : 0;
	const UINT64 os_ind = 0;
	const UINT8 secure_boot = 0, setup_mode = 1;
	EFI_STATUS st;

	if (dp_len > EFI_VARS_BOOT_PATH_MAX || !devpath_whole(dp, dp_len))
		return EFI_INVALID_PARAMETER;
	size_t opt_len = load_option(opt, sizeof(opt), dp, dp_len);
	if (!opt_len)
		return EFI_INVALID_PARAMETER;

	const struct {
		const CHAR16 *name;
		UINT32 attrs;
		bool readonly;
		const void *data;
		size_t size;
	} vars[] = {
		{u"BootOrder", NV_BS_RT, false, order, sizeof(order)},
		{u"Boot0001", NV_BS_RT, false, opt, opt_len},
		{u"BootCurrent", BS_RT, true, &current, sizeof(current)},
		{u"Timeout", NV_BS_RT, false, &timeout, sizeof(timeout)},
		{u"PlatformLang", NV_BS_RT, false, "en-US", 6},
		{u"PlatformLangCodes", BS_RT, true, "en-US", 6},
		{u"Lang", NV_BS_RT, false, "eng", 4},
		{u"LangCodes", BS_RT, true, "eng", 4},
		{u"OsIndicationsSupported", BS_RT, true, &os_ind, sizeof(os_ind)},
		{u"SecureBoot", BS_RT, true, &secure_boot, 1},
		{u"SetupMode", BS_RT, true, &setup_mode, 1},
	};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		st = replace(vs, vars[i].name, &global_guid, vars[i].attrs, vars[i].readonly,
			     vars[i].size, vars[i].data);
		if (st != EFI_SUCCESS)
			return st;
	}
	return EFI_SUCCESS;
}
