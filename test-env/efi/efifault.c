/* efifault: an EFI program that faults on purpose (an invalid opcode), so
 * the tests can see the firmware name the image and offset in its dump,
 * take control back (StartImage returns EFI_ABORTED) and go on booting. */
#include "efitest.h"

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	InitializeLib(image, systab);
	Print(L"EFIFAULT: executing ud2\r\n");
	__asm__ volatile("ud2");
	Print(L"EFIFAULT: still running after ud2\r\n");
	return EFI_SUCCESS;
}
