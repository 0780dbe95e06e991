/* Runtime services used during boot services: time and variables
 * (UEFI 2.10 s.8.1, s.8.2, s.3.3 globally defined variables). */
#include "efitest.h"

static EFI_GUID t_vendor = T_VENDOR_GUID;

#define T_BS EFI_VARIABLE_BOOTSERVICE_ACCESS
#define T_RT EFI_VARIABLE_RUNTIME_ACCESS
#define T_NV EFI_VARIABLE_NON_VOLATILE

/* Seconds since midnight of an EFI_TIME. */
static UINT32 t_day_seconds(const EFI_TIME *t)
{
	return t->Hour * 3600u + t->Minute * 60u + t->Second;
}

/* True when t holds a plausible calendar time (s.8.3 EFI_TIME ranges). */
static BOOLEAN t_time_sane(const EFI_TIME *t)
{
	return t->Year >= 2024 && t->Year <= 2199 && t->Month >= 1 && t->Month <= 12 &&
	       t->Day >= 1 && t->Day <= 31 && t->Hour < 24 && t->Minute < 60 && t->Second < 60 &&
	       t->Nanosecond < 1000000000 &&
	       ((t->TimeZone >= -1440 && t->TimeZone <= 1440) ||
		t->TimeZone == EFI_UNSPECIFIED_TIMEZONE);
}

#define T_NAME "time"
/* s.8.3.1/8.3.2: GetTime gives a sane date that advances with real time;
 * SetTime of the time just read keeps the clock (optional: UNSUPPORTED
 * is accepted and said). */
void check_time(void)
{
	EFI_TIME t1, t2, t3;
	EFI_TIME_CAPABILITIES caps = {0};
	UINT32 s1, s2, d;
	EFI_STATUS st, set;

	T_OK(RT->GetTime(&t1, &caps), "GetTime");
	T_REQUIRE(t_time_sane(&t1), L"GetTime gave %d-%02d-%02d %02d:%02d:%02d zone %d", t1.Year,
		  t1.Month, t1.Day, t1.Hour, t1.Minute, t1.Second, t1.TimeZone);
	T_REQUIRE(caps.Resolution > 0, L"GetTime capabilities: resolution 0");
	st = RT->GetTime(NULL, NULL);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"GetTime(NULL) returned %r", st);
	BS->Stall(1500000);
	T_OK(RT->GetTime(&t2, NULL), "GetTime after 1.5 s");
	s1 = t_day_seconds(&t1);
	s2 = t_day_seconds(&t2);
	d = s2 >= s1 ? s2 - s1 : s2 + 86400 - s1;
	T_REQUIRE(d >= 1 && d <= 4, L"the clock moved %d s during a 1.5 s Stall", d);

	set = RT->SetTime(&t2);
	if (set == EFI_SUCCESS) {
		T_OK(RT->GetTime(&t3, NULL), "GetTime after SetTime");
		s1 = t_day_seconds(&t3);
		d = s1 >= s2 ? s1 - s2 : s1 + 86400 - s2;
		T_REQUIRE(t3.Year == t2.Year && d <= 2, L"SetTime round trip moved the clock %d s",
			  d);
	} else {
		T_REQUIRE(set == EFI_UNSUPPORTED, L"SetTime returned %r", set);
	}
	t_ok(T_NAME,
	     L"%d-%02d-%02d %02d:%02d:%02d, resolution %d Hz, advances with Stall, "
	     L"SetTime round trip %a",
	     t2.Year, t2.Month, t2.Day, t2.Hour, t2.Minute, t2.Second, caps.Resolution,
	     set == EFI_SUCCESS ? "ok" : "unsupported");
out:
	return;
}
#undef T_NAME

/* Read a test variable into buf; returns the status, size in *size. */
static EFI_STATUS t_getvar(const CHAR16 *name, UINT32 *attrs, void *buf, UINTN *size)
{
	return RT->GetVariable((CHAR16 *)name, &t_vendor, attrs, size, buf);
}

/* Walk GetNextVariableName over all variables (bounded). Sets *count and
 * the number of our two test variables seen. */
static EFI_STATUS t_walk_vars(UINTN *count, UINTN *ours, BOOLEAN *sized)
{
	static CHAR16 name[512];
	EFI_GUID guid = {0};
	UINTN size;
	EFI_STATUS st;

	*count = *ours = 0;
	*sized = FALSE;
	name[0] = 0;
	/* A 2-byte buffer holds only the empty start name: the first
	 * variable's name does not fit. */
	size = sizeof(CHAR16);
	st = RT->GetNextVariableName(&size, name, &guid);
	if (st == EFI_BUFFER_TOO_SMALL && size > sizeof(CHAR16))
		*sized = TRUE;
	else if (st != EFI_NOT_FOUND)
		return EFI_ERROR(st) ? st : EFI_PROTOCOL_ERROR;
	name[0] = 0;
	for (UINTN i = 0; i < 5000; i++) {
		size = sizeof(name);
		st = RT->GetNextVariableName(&size, name, &guid);
		if (st == EFI_NOT_FOUND)
			return EFI_SUCCESS;
		if (EFI_ERROR(st))
			return st;
		(*count)++;
		if (CompareMem(&guid, &t_vendor, sizeof(guid)) == 0 &&
		    (StrCmp(name, L"WbTestVolatile") == 0 || StrCmp(name, L"WbTestNv") == 0))
			(*ours)++;
	}
	return EFI_ABORTED;
}

#define T_NAME "variables"
/* s.8.2: volatile and non-volatile variables, the sizing call, attribute
 * rules (no RT without BS, no attribute change), append, delete,
 * GetNextVariableName, QueryVariableInfo. */
void check_variables(void)
{
	static const UINT8 v1[4] = {1, 2, 3, 4};
	static const char nv[] = "nv-data", app[] = "+app", both[] = "nv-data+app";
	UINT8 buf[64];
	UINTN size, count = 0, ours = 0;
	UINT32 attrs;
	UINT64 max_store = 0, remaining = 0, max_var = 0;
	BOOLEAN sized;
	EFI_STATUS st;

	RT->SetVariable(L"WbTestVolatile", &t_vendor, T_BS | T_RT, 0, NULL);
	RT->SetVariable(L"WbTestNv", &t_vendor, T_NV | T_BS | T_RT, 0, NULL);

	T_OK(RT->SetVariable(L"WbTestVolatile", &t_vendor, T_BS | T_RT, sizeof(v1), (void *)v1),
	     "SetVariable(volatile)");
	size = 0;
	st = t_getvar(L"WbTestVolatile", &attrs, buf, &size);
	T_REQUIRE(st == EFI_BUFFER_TOO_SMALL && size == sizeof(v1),
		  L"GetVariable sizing call returned %r, size %ld", st, size);
	size = sizeof(buf);
	T_OK(t_getvar(L"WbTestVolatile", &attrs, buf, &size), "GetVariable(volatile)");
	T_REQUIRE(size == sizeof(v1) && CompareMem(buf, v1, size) == 0 && attrs == (T_BS | T_RT),
		  L"volatile variable read back %ld bytes, attributes 0x%x", size, attrs);

	st = RT->SetVariable(L"WbTestVolatile", &t_vendor, T_NV | T_BS | T_RT, sizeof(v1),
			     (void *)v1);
	T_REQUIRE(st == EFI_INVALID_PARAMETER,
		  L"rewriting a volatile variable as non-volatile returned %r", st);
	st = RT->SetVariable(L"WbTestRtOnly", &t_vendor, T_RT, sizeof(v1), (void *)v1);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"runtime access without boot access returned %r",
		  st);

	T_OK(RT->SetVariable(L"WbTestNv", &t_vendor, T_NV | T_BS | T_RT, 7, (void *)nv),
	     "SetVariable(non-volatile)");
	T_OK(RT->SetVariable(L"WbTestNv", &t_vendor, T_NV | T_BS | T_RT | EFI_VARIABLE_APPEND_WRITE,
			     4, (void *)app),
	     "SetVariable(append)");
	T_OK(RT->SetVariable(L"WbTestNv", &t_vendor, T_NV | T_BS | T_RT | EFI_VARIABLE_APPEND_WRITE,
			     0, NULL),
	     "SetVariable(append 0 bytes)");
	size = sizeof(buf);
	T_OK(t_getvar(L"WbTestNv", &attrs, buf, &size), "GetVariable(non-volatile)");
	T_REQUIRE(size == 11 && CompareMem(buf, (void *)both, 11) == 0 &&
		      attrs == (T_NV | T_BS | T_RT),
		  L"appended variable is %ld bytes, attributes 0x%x", size, attrs);

	T_OK(t_walk_vars(&count, &ours, &sized), "GetNextVariableName walk");
	T_REQUIRE(ours == 2, L"GetNextVariableName saw %ld of the 2 test variables among %ld", ours,
		  count);
	T_REQUIRE(sized, L"GetNextVariableName with a 2-byte buffer did not ask for more");

	T_OK(RT->QueryVariableInfo(T_NV | T_BS | T_RT, &max_store, &remaining, &max_var),
	     "QueryVariableInfo(non-volatile)");
	T_REQUIRE(max_store > 0 && remaining <= max_store && max_var > 0,
		  L"QueryVariableInfo: storage %ld, remaining %ld, max variable %ld", max_store,
		  remaining, max_var);
	T_OK(RT->QueryVariableInfo(T_BS | T_RT, &max_store, &remaining, &max_var),
	     "QueryVariableInfo(volatile)");

	T_OK(RT->SetVariable(L"WbTestVolatile", &t_vendor, T_BS | T_RT, 0, NULL),
	     "SetVariable(delete volatile)");
	T_OK(RT->SetVariable(L"WbTestNv", &t_vendor, T_NV | T_BS | T_RT, 0, NULL),
	     "SetVariable(delete non-volatile)");
	size = sizeof(buf);
	st = t_getvar(L"WbTestNv", &attrs, buf, &size);
	T_REQUIRE(st == EFI_NOT_FOUND, L"GetVariable of a deleted variable returned %r", st);
	st = RT->SetVariable(L"WbTestNv", &t_vendor, T_NV | T_BS | T_RT, 0, NULL);
	T_REQUIRE(st == EFI_NOT_FOUND, L"deleting an absent variable returned %r", st);
	size = sizeof(buf);
	st = RT->GetVariable(NULL, &t_vendor, &attrs, &size, buf);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"GetVariable(NULL name) returned %r", st);
	t_ok(T_NAME,
	     L"volatile and non-volatile set/get with attributes, sizing call, attribute "
	     L"change and RT-only refused, append, delete, %ld variables walked, "
	     L"QueryVariableInfo",
	     count);
out:
	RT->SetVariable(L"WbTestVolatile", &t_vendor, T_BS | T_RT, 0, NULL);
	RT->SetVariable(L"WbTestNv", &t_vendor, T_NV | T_BS | T_RT, 0, NULL);
}
#undef T_NAME

#define T_NAME "global-variables"
/* s.3.3: BootOrder and BootCurrent readable with their attributes, and
 * the Boot#### that BootCurrent names is a well-formed EFI_LOAD_OPTION. */
void check_global_variables(void)
{
	static UINT8 buf[2048];
	CHAR16 name[16];
	UINTN size;
	UINT32 attrs = 0;
	UINT16 current, first, fpl;
	const CHAR16 *desc;

	size = sizeof(buf);
	T_OK(RT->GetVariable(L"BootOrder", &gEfiGlobalVariableGuid, &attrs, &size, buf),
	     "GetVariable(BootOrder)");
	T_REQUIRE(size >= 2 && size % 2 == 0, L"BootOrder is %ld bytes", size);
	T_REQUIRE((attrs & (T_BS | T_RT)) == (T_BS | T_RT), L"BootOrder attributes 0x%x", attrs);
	first = buf[0] | buf[1] << 8;
	UINTN entries = size / 2;

	size = sizeof(buf);
	T_OK(RT->GetVariable(L"BootCurrent", &gEfiGlobalVariableGuid, &attrs, &size, buf),
	     "GetVariable(BootCurrent)");
	T_REQUIRE(size == 2, L"BootCurrent is %ld bytes", size);
	T_REQUIRE((attrs & (T_BS | T_RT)) == (T_BS | T_RT) && !(attrs & T_NV),
		  L"BootCurrent attributes 0x%x, expected volatile BS|RT", attrs);
	current = buf[0] | buf[1] << 8;

	/* Boot#### takes four upper-case hex digits (s.3.1.1). */
	StrCpy(name, L"Boot0000");
	for (int i = 0; i < 4; i++)
		name[7 - i] = L"0123456789ABCDEF"[(current >> (4 * i)) & 15];
	size = sizeof(buf) - 2;
	T_OK(RT->GetVariable(name, &gEfiGlobalVariableGuid, &attrs, &size, buf),
	     "GetVariable(Boot#### of BootCurrent)");
	T_REQUIRE(size > 8, L"%s is only %ld bytes", name, size);
	buf[size] = buf[size + 1] = 0;
	fpl = buf[4] | buf[5] << 8;
	desc = (const CHAR16 *)(buf + 6);
	UINTN dlen = StrLen(desc);
	T_REQUIRE(6 + 2 * (dlen + 1) + fpl <= size && fpl >= 4,
		  L"%s: description and FilePathList (%d bytes) overrun its %ld bytes", name, fpl,
		  size);
	t_ok(T_NAME, L"BootOrder %ld entries (first 0x%x), BootCurrent 0x%x, %s '%s'", entries,
	     first, current, name, desc);
out:
	return;
}
#undef T_NAME
