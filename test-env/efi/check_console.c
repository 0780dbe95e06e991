/* The text console: Simple Text Output, Simple Text Input and Input Ex on
 * the system table's console handles (UEFI 2.10 s.12.3, s.12.4). */
#include "efitest.h"

#define T_NAME "console-out"
/* QueryMode of the current mode (mode 0 is 80x25 by s.12.4.4), TestString,
 * SetAttribute and SetCursorPosition succeed and are reflected in Mode. */
void check_console_out(void)
{
	SIMPLE_TEXT_OUTPUT_INTERFACE *out = ST->ConOut;
	UINTN cols = 0, rows = 0, c0 = 0, r0 = 0;
	INT32 attr = out->Mode->Attribute;
	EFI_STATUS st;

	T_REQUIRE(out->Mode && out->Mode->MaxMode >= 1, L"ConOut Mode missing or MaxMode 0");
	T_OK(out->QueryMode(out, out->Mode->Mode, &cols, &rows), "QueryMode(current)");
	T_REQUIRE(cols >= 80 && rows >= 25, L"current mode is %ldx%ld", cols, rows);
	T_OK(out->QueryMode(out, 0, &c0, &r0), "QueryMode(0)");
	T_REQUIRE(c0 == 80 && r0 == 25, L"mode 0 is %ldx%ld, expected 80x25", c0, r0);
	st = out->QueryMode(out, out->Mode->MaxMode, &cols, &rows);
	T_REQUIRE(st == EFI_UNSUPPORTED, L"QueryMode(MaxMode) returned %r", st);
	T_OK(out->TestString(out, L"EFITEST ascii"), "TestString");
	T_OK(out->SetAttribute(out, EFI_TEXT_ATTR(EFI_WHITE, EFI_BLACK)),
	     "SetAttribute(white on black)");
	T_REQUIRE(out->Mode->Attribute == EFI_TEXT_ATTR(EFI_WHITE, EFI_BLACK),
		  L"Mode->Attribute 0x%x after SetAttribute", out->Mode->Attribute);
	T_OK(out->SetAttribute(out, attr), "SetAttribute(restore)");
	T_OK(out->SetCursorPosition(out, 0, out->Mode->CursorRow), "SetCursorPosition(0, row)");
	T_REQUIRE(out->Mode->CursorColumn == 0, L"cursor column %d after SetCursorPosition",
		  out->Mode->CursorColumn);
	st = out->SetCursorPosition(out, cols + 5, 0);
	T_REQUIRE(st == EFI_UNSUPPORTED, L"SetCursorPosition past the last column returned %r", st);
	t_ok(T_NAME,
	     L"mode %d of %d is %ldx%ld, mode 0 80x25, TestString, SetAttribute, "
	     L"SetCursorPosition",
	     out->Mode->Mode, out->Mode->MaxMode, cols, rows);
out:
	return;
}
#undef T_NAME

#define T_NAME "console-in"
/* With nothing typed: ReadKeyStroke and ReadKeyStrokeEx say NOT_READY and
 * WaitForKey is not signalled. */
void check_console_in(void)
{
	static EFI_GUID inex_guid = EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL_GUID;
	SIMPLE_INPUT_INTERFACE *in = ST->ConIn;
	EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *inex = NULL;
	EFI_INPUT_KEY key;
	EFI_KEY_DATA kd;
	EFI_STATUS st;

	T_OK(in->Reset(in, FALSE), "ConIn Reset");
	st = in->ReadKeyStroke(in, &key);
	T_REQUIRE(st == EFI_NOT_READY, L"ReadKeyStroke with no input returned %r (key 0x%x/0x%x)",
		  st, key.ScanCode, key.UnicodeChar);
	st = BS->CheckEvent(in->WaitForKey);
	T_REQUIRE(st == EFI_NOT_READY, L"CheckEvent(WaitForKey) with no input returned %r", st);
	T_OK(BS->HandleProtocol(ST->ConsoleInHandle, &inex_guid, (void **)&inex),
	     "HandleProtocol(ConsoleInHandle, SimpleTextInputEx)");
	st = inex->ReadKeyStrokeEx(inex, &kd);
	T_REQUIRE(st == EFI_NOT_READY, L"ReadKeyStrokeEx with no input returned %r", st);
	t_ok(T_NAME, L"ReadKeyStroke, WaitForKey and ReadKeyStrokeEx NOT_READY with no input");
out:
	return;
}
#undef T_NAME
