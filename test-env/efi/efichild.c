/* efichild: started by efitest with LoadImage from a buffer and StartImage.
 * Reads the variable the parent set, prints its load options, sets a
 * variable of its own and leaves through Exit with T_CHILD_STATUS and
 * exit data (UEFI 2.10 s.7.4.5), all of which efitest checks. */
#include "efitest.h"

static EFI_GUID t_vendor = T_VENDOR_GUID;

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static const CHAR16 exit_text[] = T_CHILD_EXIT_DATA;
	const UINT32 attrs = EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS;
	CHAR8 val[64], mine[80] = "child saw ";
	UINTN size = sizeof(val) - 1, n = 10;
	EFI_LOADED_IMAGE *li = NULL;
	CHAR16 *exit_data = NULL;
	EFI_STATUS st;

	InitializeLib(image, systab);
	st = BS->HandleProtocol(image, &gEfiLoadedImageProtocolGuid, (void **)&li);
	if (EFI_ERROR(st)) {
		Print(L"EFICHILD: no Loaded Image protocol: %r\r\n", st);
		return st;
	}
	st = RT->GetVariable(L"WbTestParent", &t_vendor, NULL, &size, val);
	if (EFI_ERROR(st)) {
		Print(L"EFICHILD: GetVariable(WbTestParent) returned %r\r\n", st);
		return st;
	}
	val[size] = 0;
	/* Short lines: no console wraps them. */
	Print(L"EFICHILD: started; load options '%s'\r\n",
	      li->LoadOptions && li->LoadOptionsSize ? (CHAR16 *)li->LoadOptions : L"(none)");
	Print(L"EFICHILD: parent variable '%a'\r\n", val);
	for (UINTN i = 0; i < size && n < sizeof(mine); i++)
		mine[n++] = val[i];
	st = RT->SetVariable(L"WbTestChild", &t_vendor, attrs, n, mine);
	if (EFI_ERROR(st)) {
		Print(L"EFICHILD: SetVariable(WbTestChild) returned %r\r\n", st);
		return st;
	}
	st = BS->AllocatePool(EfiBootServicesData, sizeof(exit_text), (void **)&exit_data);
	if (EFI_ERROR(st))
		return st;
	CopyMem(exit_data, (void *)exit_text, sizeof(exit_text));
	Print(L"EFICHILD: exiting with status 0x%lx\r\n", (UINT64)T_CHILD_STATUS);
	st = BS->Exit(image, T_CHILD_STATUS, sizeof(exit_text), exit_data);
	Print(L"EFICHILD: Exit returned %r\r\n", st);
	return st;
}
