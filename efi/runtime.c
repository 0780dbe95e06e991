/* UEFI runtime services, UEFI 2.10 s.8. The EFIAPI entry points check
 * their arguments and call the internal pieces: platform/rtc.c,
 * efi/variables.c, platform/reset.c, platform/power.c. Nothing here may use
 * pool memory: after ExitBootServices only the firmware image is mapped. */
#include <stdbool.h>
#include <stdint.h>
#include <efi_core.h>
#include <efi_runtime.h>
#include <efi_vars.h>
#include <log.h>
#include <power.h>
#include <reset.h>
#include <rtc.h>

#define RT_REVISION ((2u << 16) | 70u) /* UEFI 2.70 */
#define NS_PER_S 1000000000u

/* In .bss: part of the image, so runtime memory. */
static struct efi_vars rt_vars;
static EFI_SYSTEM_TABLE *rt_systab;
static bool rt_virtual;
static UINT64 rt_mono;
/* SetTime's time zone and daylight flags: the CMOS chip keeps neither. */
static INT16 rt_timezone = EFI_UNSPECIFIED_TIMEZONE;
static UINT8 rt_daylight;
/* The map SetVirtualAddressMap was given, while it runs. */
static const uint8_t *rt_map;
static UINTN rt_map_size, rt_desc_size;

enum rt_unsupported {
	UNSUP_GET_WAKEUP = 1 << 0,
	UNSUP_SET_WAKEUP = 1 << 1,
	UNSUP_UPDATE_CAPSULE = 1 << 2,
	UNSUP_QUERY_CAPSULE = 1 << 3,
};
static unsigned rt_logged;

/* Say once that a service a program called is not implemented. */
static EFI_STATUS unsupported(enum rt_unsupported which, const char *name)
{
	if (!(rt_logged & which)) {
		rt_logged |= which;
		log_info("efi: runtime service %s is not supported (EFI_UNSUPPORTED)", name);
	}
	return EFI_UNSUPPORTED;
}

/* ---- Time (s.8.3) ---- */

/* s.8.3.1, EFI_TIME: every field in range, the date real. */
static bool time_valid(const EFI_TIME *t)
{
	struct rtc_time r = {t->Year, t->Month, t->Day, t->Hour, t->Minute, t->Second};

	if (!rtc_time_valid(&r) || t->Nanosecond >= NS_PER_S)
		return false;
	if (t->TimeZone != EFI_UNSPECIFIED_TIMEZONE && (t->TimeZone < -1440 || t->TimeZone > 1440))
		return false;
	return !(t->Daylight & ~(EFI_TIME_ADJUST_DAYLIGHT | EFI_TIME_IN_DAYLIGHT));
}

static EFI_STATUS EFIAPI rt_get_time(EFI_TIME *time, EFI_TIME_CAPABILITIES *caps)
{
	struct rtc_time r;

	if (!time)
		return EFI_INVALID_PARAMETER;
	if (rtc_cmos_read(&r) < 0)
		return EFI_DEVICE_ERROR;
	*time = (EFI_TIME){
		.Year = r.year,
		.Month = r.month,
		.Day = r.day,
		.Hour = r.hour,
		.Minute = r.minute,
		.Second = r.second,
		.TimeZone = rt_timezone,
		.Daylight = rt_daylight,
	};
	if (caps) {
		/* A 1 Hz counter, 50 ppm (in units of 1e-6 ppm), kept on set. */
		caps->Resolution = 1;
		caps->Accuracy = 50000000;
		caps->SetsToZero = FALSE;
	}
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI rt_set_time(EFI_TIME *time)
{
	if (!time || !time_valid(time))
		return EFI_INVALID_PARAMETER;
	struct rtc_time r = {time->Year, time->Month, time->Day,
			     time->Hour, time->Minute, time->Second};
	if (rtc_cmos_write(&r) < 0)
		return EFI_DEVICE_ERROR;
	rt_timezone = time->TimeZone;
	rt_daylight = time->Daylight;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI rt_get_wakeup_time(BOOLEAN *enabled, BOOLEAN *pending, EFI_TIME *time)
{
	return unsupported(UNSUP_GET_WAKEUP, "GetWakeupTime");
}

static EFI_STATUS EFIAPI rt_set_wakeup_time(BOOLEAN enable, EFI_TIME *time)
{
	return unsupported(UNSUP_SET_WAKEUP, "SetWakeupTime");
}

/* ---- Virtual memory (s.8.4) ---- */

EFI_STATUS efi_runtime_convert_pointer(UINTN disposition, void **address)
{
	if (!address)
		return EFI_INVALID_PARAMETER;
	if (!*address)
		return (disposition & EFI_OPTIONAL_PTR) ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
	if (!efi_at_runtime())
		return EFI_UNSUPPORTED;
	uint64_t a = (uint64_t)(uintptr_t)*address;
	for (UINTN off = 0; rt_map && off < rt_map_size; off += rt_desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(rt_map + off);
		if (!(d->Attribute & EFI_MEMORY_RUNTIME) || a < d->PhysicalStart)
			continue;
		/* Pages beyond 2^52 cannot exist: bound before multiplying. */
		if (d->NumberOfPages > (1ull << 52) || a - d->PhysicalStart >= d->NumberOfPages << 12)
			continue;
		*address = (void *)(uintptr_t)(a - d->PhysicalStart + d->VirtualStart);
		return EFI_SUCCESS;
	}
	return EFI_NOT_FOUND;
}

static EFI_STATUS EFIAPI rt_convert_pointer(UINTN disposition, VOID **address)
{
	return efi_runtime_convert_pointer(disposition, address);
}

static EFI_RUNTIME_SERVICES rt_table;

#define FN(field) ((void **)&rt_table.field)

/* s.8.4.1. The OS calls it once, after ExitBootServices, in physical mode. */
static EFI_STATUS EFIAPI rt_set_virtual_address_map(UINTN map_size, UINTN desc_size,
						     UINT32 desc_version,
						     EFI_MEMORY_DESCRIPTOR *map)
{
	void **const fns[] = {
		FN(GetTime),
		FN(SetTime),
		FN(GetWakeupTime),
		FN(SetWakeupTime),
		FN(SetVirtualAddressMap),
		FN(ConvertPointer),
		FN(GetVariable),
		FN(GetNextVariableName),
		FN(SetVariable),
		FN(GetNextHighMonotonicCount),
		FN(ResetSystem),
		FN(UpdateCapsule),
		FN(QueryCapsuleCapabilities),
		FN(QueryVariableInfo),
	};
	const size_t nfns = sizeof(fns) / sizeof(fns[0]);

	if (!efi_at_runtime() || rt_virtual)
		return EFI_UNSUPPORTED;
	if (desc_version != EFI_MEMORY_DESCRIPTOR_VERSION ||
	    desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || desc_size % 8 || !map ||
	    map_size % desc_size)
		return EFI_INVALID_PARAMETER;
	rt_map = (const uint8_t *)map;
	rt_map_size = map_size;
	rt_desc_size = desc_size;

	/* Our table and every function in it must get virtual addresses:
	 * check before changing anything. */
	void *table = &rt_table;
	bool mapped = efi_runtime_convert_pointer(0, &table) == EFI_SUCCESS;
	for (size_t i = 0; mapped && i < nfns; i++) {
		void *p = *fns[i];
		mapped = efi_runtime_convert_pointer(0, &p) == EFI_SUCCESS;
	}
	if (!mapped) {
		rt_map = NULL;
		log_warn("efi: SetVirtualAddressMap: no virtual address for the runtime services");
		return EFI_NO_MAPPING;
	}

	/* Drivers convert their own pointers from their notification
	 * functions, through ConvertPointer, while the map is still ours. */
	efi_event_signal_type(EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE);

	for (size_t i = 0; i < nfns; i++)
		efi_runtime_convert_pointer(0, fns[i]);
	efi_table_crc(&rt_table.Hdr);
	if (rt_systab) {
		/* As EDK2 does: what has no virtual address keeps its old one
		 * rather than failing the OS's switch. */
		if (efi_runtime_convert_pointer(EFI_OPTIONAL_PTR,
						(void **)&rt_systab->FirmwareVendor) ||
		    efi_runtime_convert_pointer(EFI_OPTIONAL_PTR,
						(void **)&rt_systab->ConfigurationTable))
			log_warn("efi: SetVirtualAddressMap: system table pointers outside "
				 "runtime memory");
		rt_systab->RuntimeServices = table;
		efi_table_crc(&rt_systab->Hdr);
	}
	rt_virtual = true;
	rt_map = NULL;
	return EFI_SUCCESS;
}

/* ---- Variables (s.8.2) ---- */

static EFI_STATUS EFIAPI rt_get_variable(CHAR16 *name, EFI_GUID *guid, UINT32 *attrs,
					 UINTN *size, VOID *data)
{
	return efi_vars_get(&rt_vars, efi_at_runtime(), name, guid, attrs, size, data);
}

static EFI_STATUS EFIAPI rt_get_next_variable_name(UINTN *name_size, CHAR16 *name,
						   EFI_GUID *guid)
{
	return efi_vars_next_name(&rt_vars, efi_at_runtime(), name_size, name, guid);
}

static EFI_STATUS EFIAPI rt_set_variable(CHAR16 *name, EFI_GUID *guid, UINT32 attrs, UINTN size,
					 VOID *data)
{
	return efi_vars_set(&rt_vars, efi_at_runtime(), name, guid, attrs, size, data);
}

static EFI_STATUS EFIAPI rt_query_variable_info(UINT32 attrs, UINT64 *max_storage,
						UINT64 *remaining, UINT64 *max_var)
{
	return efi_vars_query(&rt_vars, efi_at_runtime(), attrs, max_storage, remaining, max_var);
}

/* ---- Miscellaneous (s.8.5) ---- */

EFI_STATUS EFIAPI efi_runtime_next_monotonic_count(UINT64 *count)
{
	if (!count)
		return EFI_INVALID_PARAMETER;
	if (rt_mono == UINT64_MAX)
		return EFI_DEVICE_ERROR;
	*count = rt_mono++;
	return EFI_SUCCESS;
}

/* s.8.5.2: the high 32 bits go up by one; the low ones start again. */
static EFI_STATUS EFIAPI rt_get_next_high_monotonic_count(UINT32 *high)
{
	if (!high)
		return EFI_INVALID_PARAMETER;
	if ((rt_mono >> 32) == UINT32_MAX)
		return EFI_DEVICE_ERROR;
	rt_mono = ((rt_mono >> 32) + 1) << 32;
	*high = (UINT32)(rt_mono >> 32);
	return EFI_SUCCESS;
}

/* ResetData's string (s.8.5.1: a NUL-terminated string first), as ASCII. */
static void reset_reason(const CHAR16 *data, UINTN size, char *out, size_t cap)
{
	size_t n = 0;

	for (UINTN i = 0; data && i < size / 2 && data[i] && n + 1 < cap; i++)
		out[n++] = data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '?';
	out[n] = 0;
}

static EFI_STATUS EFIAPI rt_reset_system(EFI_RESET_TYPE type, EFI_STATUS status, UINTN size,
					 CHAR16 *data)
{
	static const char *const names[] = {"cold reset", "warm reset", "shutdown",
					    "platform-specific reset"};
	char reason[80];

	if ((unsigned)type > 3) {
		log_warn("efi: ResetSystem with unknown type %u ignored", (unsigned)type);
		return EFI_INVALID_PARAMETER;
	}
	reset_reason(data, size, reason, sizeof(reason));
	log_info("efi: ResetSystem: %s, status 0x%llx%s%s", names[type],
		 (unsigned long long)status, reason[0] ? ", " : "", reason);
	if (type == EfiResetShutdown)
		power_off();
	reset_system(type != EfiResetWarm);
}

static EFI_STATUS EFIAPI rt_update_capsule(EFI_CAPSULE_HEADER **capsules, UINTN count,
					   EFI_PHYSICAL_ADDRESS sg_list)
{
	return unsupported(UNSUP_UPDATE_CAPSULE, "UpdateCapsule");
}

static EFI_STATUS EFIAPI rt_query_capsule_capabilities(EFI_CAPSULE_HEADER **capsules,
						       UINTN count, UINT64 *max_size,
						       EFI_RESET_TYPE *reset_type)
{
	return unsupported(UNSUP_QUERY_CAPSULE, "QueryCapsuleCapabilities");
}

static EFI_RUNTIME_SERVICES rt_table = {
	.Hdr = {.Signature = EFI_RUNTIME_SERVICES_SIGNATURE,
		.Revision = RT_REVISION,
		.HeaderSize = sizeof(EFI_RUNTIME_SERVICES)},
	.GetTime = rt_get_time,
	.SetTime = rt_set_time,
	.GetWakeupTime = rt_get_wakeup_time,
	.SetWakeupTime = rt_set_wakeup_time,
	.SetVirtualAddressMap = rt_set_virtual_address_map,
	.ConvertPointer = rt_convert_pointer,
	.GetVariable = rt_get_variable,
	.GetNextVariableName = rt_get_next_variable_name,
	.SetVariable = rt_set_variable,
	.GetNextHighMonotonicCount = rt_get_next_high_monotonic_count,
	.ResetSystem = rt_reset_system,
	.UpdateCapsule = rt_update_capsule,
	.QueryCapsuleCapabilities = rt_query_capsule_capabilities,
	.QueryVariableInfo = rt_query_variable_info,
};

void efi_runtime_init(void)
{
	efi_vars_init(&rt_vars);
	power_off_prepare();
	efi_table_crc(&rt_table.Hdr);
}

EFI_RUNTIME_SERVICES *efi_runtime_table(void)
{
	return &rt_table;
}

struct efi_vars *efi_runtime_vars(void)
{
	return &rt_vars;
}

void efi_runtime_set_system_table(EFI_SYSTEM_TABLE *st)
{
	rt_systab = st;
}
