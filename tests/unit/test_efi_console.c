/* The serial console protocols (efi/console.c) through their tables:
 * what OutputString and friends put on the wire and keep in Mode, and
 * what ReadKeyStroke(Ex), WaitForKey and key notifications make of bytes
 * on the line. The UART and the clock are simulated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <efi_console.h>
#include <log.h>

/* ---- stubs: events, log, clock, UART ---- */

/* Wait events as UEFI 2.10 s.7.1 has them: CheckEvent runs the notify
 * function of an unsignaled wait event, then reports and clears. */
struct fake_event {
	EFI_EVENT_NOTIFY fn;
	VOID *ctx;
	bool signaled;
};
static struct fake_event fake_events[4];
static int fake_nevents;

EFI_STATUS EFIAPI efi_create_event(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, VOID *ctx,
				   EFI_EVENT *event)
{
	assert_int_equal(type, EVT_NOTIFY_WAIT);
	assert_non_null(fn);
	assert_true(fake_nevents < 4);
	fake_events[fake_nevents] = (struct fake_event){fn, ctx, false};
	*event = &fake_events[fake_nevents++];
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT event)
{
	((struct fake_event *)event)->signaled = true;
	return EFI_SUCCESS;
}

static EFI_STATUS check_event(EFI_EVENT event)
{
	struct fake_event *ev = event;

	if (!ev->signaled)
		ev->fn(event, ev->ctx);
	if (!ev->signaled)
		return EFI_NOT_READY;
	ev->signaled = false;
	return EFI_SUCCESS;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
}

static uint64_t now_ms;
uint64_t clock_ms(void)
{
	return now_ms;
}

static char wire[4096];
static size_t wire_len;
static const char *line_in;
static size_t line_left;

void serial_write(const char *s, size_t n)
{
	assert_true(wire_len + n < sizeof(wire));
	memcpy(wire + wire_len, s, n);
	wire_len += n;
	wire[wire_len] = 0;
}

int serial_getc_nonblock(void)
{
	if (!line_left)
		return -1;
	line_left--;
	return (uint8_t)*line_in++;
}

static void type(const char *s)
{
	line_in = s;
	line_left = strlen(s);
}

static EFI_SIMPLE_TEXT_OUT_PROTOCOL *out;
static EFI_SIMPLE_TEXT_IN_PROTOCOL *in;
static EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *inx;

static int setup(void **state)
{
	efi_console_init();
	out = efi_console_out();
	in = efi_console_in();
	inx = efi_console_in_ex();
	wire_len = 0;
	wire[0] = 0;
	line_left = 0;
	now_ms = 1000;
	return 0;
}

static void wire_is(const char *want)
{
	assert_string_equal(wire, want);
	wire_len = 0;
	wire[0] = 0;
}

/* ---- output ---- */

static void test_modes(void **state)
{
	UINTN c, r;

	assert_int_equal(out->Mode->MaxMode, 2);
	assert_int_equal(out->Mode->Mode, 0);
	assert_int_equal(out->Mode->Attribute, EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK));
	assert_true(out->Mode->CursorVisible);
	assert_int_equal(out->QueryMode(out, 0, &c, &r), EFI_SUCCESS);
	assert_int_equal(c, 80);
	assert_int_equal(r, 25);
	assert_int_equal(out->QueryMode(out, 1, &c, &r), EFI_SUCCESS);
	assert_int_equal(c, 100);
	assert_int_equal(r, 31);
	assert_int_equal(out->QueryMode(out, 2, &c, &r), EFI_UNSUPPORTED);
	assert_int_equal(out->QueryMode(out, 0, NULL, &r), EFI_INVALID_PARAMETER);
	assert_int_equal(out->SetMode(out, 2), EFI_UNSUPPORTED);
	assert_int_equal(out->Mode->Mode, 0);
	assert_int_equal(out->SetCursorPosition(out, 99, 30), EFI_UNSUPPORTED);
	assert_int_equal(out->SetMode(out, 1), EFI_SUCCESS);
	assert_int_equal(out->Mode->Mode, 1);
	wire_is("\x1b[2J\x1b[H");
	assert_int_equal(out->SetCursorPosition(out, 99, 30), EFI_SUCCESS);
	wire_is("\x1b[31;100H");
	assert_int_equal(out->Mode->CursorColumn, 99);
	assert_int_equal(out->Mode->CursorRow, 30);
	assert_int_equal(out->SetCursorPosition(out, 100, 0), EFI_UNSUPPORTED);
	assert_int_equal(out->SetMode(out, 0), EFI_SUCCESS);
	assert_int_equal(out->Mode->CursorColumn, 0);
	assert_int_equal(out->Mode->CursorRow, 0);
}

static void test_output_string_text_and_cursor(void **state)
{
	assert_int_equal(out->OutputString(out, u"Hello\r\n"), EFI_SUCCESS);
	wire_is("Hello\r\n");
	assert_int_equal(out->Mode->CursorColumn, 0);
	assert_int_equal(out->Mode->CursorRow, 1);
	/* LF alone keeps the column: the wire's CR is undone. */
	assert_int_equal(out->OutputString(out, u"abcde\n"), EFI_SUCCESS);
	wire_is("abcde\n\x1b[5C");
	assert_int_equal(out->Mode->CursorColumn, 5);
	assert_int_equal(out->Mode->CursorRow, 2);
	/* Backspace stops at column 0. */
	assert_int_equal(out->OutputString(out, u"\r\b\bx\b"), EFI_SUCCESS);
	wire_is("\rx\b");
	assert_int_equal(out->Mode->CursorColumn, 0);
	/* Tab to the next multiple of 8. */
	assert_int_equal(out->OutputString(out, u"ab\tc"), EFI_SUCCESS);
	wire_is("ab      c");
	assert_int_equal(out->Mode->CursorColumn, 9);
	assert_int_equal(out->OutputString(out, NULL), EFI_INVALID_PARAMETER);
}

static void test_output_wraps_and_scrolls(void **state)
{
	CHAR16 line[82];

	for (int i = 0; i < 81; i++)
		line[i] = u'x';
	line[81] = 0;
	assert_int_equal(out->OutputString(out, line), EFI_SUCCESS);
	assert_int_equal(wire_len, 82); /* 80 x, a line break, 1 x */
	assert_int_equal(wire[80], '\n');
	assert_int_equal(out->Mode->CursorColumn, 1);
	assert_int_equal(out->Mode->CursorRow, 1);
	for (int i = 0; i < 40; i++)
		out->OutputString(out, u"\r\n");
	assert_int_equal(out->Mode->CursorRow, 24); /* the last row; the terminal scrolls */
}

static void test_output_unicode_and_drawing(void **state)
{
	static const CHAR16 box[] = {BOXDRAW_DOWN_RIGHT, BOXDRAW_HORIZONTAL,
				     BOXDRAW_DOUBLE_HORIZONTAL, BOXDRAW_DOWN_LEFT,
				     BOXDRAW_VERTICAL, BOXDRAW_DOUBLE_VERTICAL,
				     BOXDRAW_VERTICAL_HORIZONTAL, ARROW_UP, ARROW_DOWN,
				     GEOMETRICSHAPE_RIGHT_TRIANGLE, GEOMETRICSHAPE_LEFT_TRIANGLE,
				     BLOCKELEMENT_FULL_BLOCK, BLOCKELEMENT_LIGHT_SHADE, 0};

	assert_int_equal(out->OutputString(out, (CHAR16 *)box), EFI_SUCCESS);
	wire_is("+-=+||+^v><#:");
	assert_int_equal(out->Mode->CursorColumn, 13);
	assert_int_equal(out->OutputString(out, u"é€中"), EFI_SUCCESS);
	wire_is("\xc3\xa9\xe2\x82\xac\xe4\xb8\xad");
	assert_int_equal(out->OutputString(out, u"\U0001F600"), EFI_SUCCESS); /* a pair */
	wire_is("\xf0\x9f\x98\x80");
	assert_int_equal(out->Mode->CursorColumn, 17);
	/* A lone surrogate shows as '?'; controls are skipped. */
	CHAR16 bad[] = {'a', 0xd800, 'b', 0xdc00, 0x07, 0x1b, 0x9b, 'c', 0};
	assert_int_equal(out->OutputString(out, bad), EFI_WARN_UNKNOWN_GLYPH);
	wire_is("a?b?c");
	assert_int_equal(out->TestString(out, bad), EFI_UNSUPPORTED);
	assert_int_equal(out->TestString(out, u"plain \U0001F600 text\r\n"), EFI_SUCCESS);
	CHAR16 esc[] = {'x', 0x1b, 0};
	assert_int_equal(out->TestString(out, esc), EFI_UNSUPPORTED);
	wire_is(""); /* TestString writes nothing */
}

static void test_attributes_as_sgr(void **state)
{
	assert_int_equal(out->SetAttribute(out, EFI_TEXT_ATTR(EFI_YELLOW, EFI_BLUE)),
			 EFI_SUCCESS);
	wire_is("\x1b[0;93;44m");
	assert_int_equal(out->Mode->Attribute, 0x1e);
	assert_int_equal(out->SetAttribute(out, EFI_TEXT_ATTR(EFI_RED, EFI_LIGHTGRAY)),
			 EFI_SUCCESS);
	wire_is("\x1b[0;31;47m");
	assert_int_equal(out->SetAttribute(out, EFI_TEXT_ATTR(EFI_DARKGRAY, EFI_CYAN)),
			 EFI_SUCCESS);
	wire_is("\x1b[0;90;46m");
	assert_int_equal(out->SetAttribute(out, 0x80), EFI_UNSUPPORTED);
	assert_int_equal(out->Mode->Attribute, EFI_TEXT_ATTR(EFI_DARKGRAY, EFI_CYAN));
	wire_is("");
}

static void test_clear_cursor_reset(void **state)
{
	out->OutputString(out, u"abc\r\ndef");
	wire_is("abc\r\ndef");
	assert_int_equal(out->ClearScreen(out), EFI_SUCCESS);
	wire_is("\x1b[2J\x1b[H");
	assert_int_equal(out->Mode->CursorColumn, 0);
	assert_int_equal(out->Mode->CursorRow, 0);
	assert_int_equal(out->EnableCursor(out, FALSE), EFI_SUCCESS);
	wire_is("\x1b[?25l");
	assert_false(out->Mode->CursorVisible);
	assert_int_equal(out->SetCursorPosition(out, 79, 24), EFI_SUCCESS);
	wire_is("\x1b[25;80H");
	assert_int_equal(out->SetCursorPosition(out, 80, 0), EFI_UNSUPPORTED);
	assert_int_equal(out->SetCursorPosition(out, 0, 25), EFI_UNSUPPORTED);
	out->SetAttribute(out, 0x4f);
	out->SetMode(out, 1);
	wire_len = 0;
	assert_int_equal(out->Reset(out, FALSE), EFI_SUCCESS);
	wire_is("\x1b[0;37;40m\x1b[?25h\x1b[2J\x1b[H");
	assert_int_equal(out->Mode->Mode, 0);
	assert_int_equal(out->Mode->Attribute, 0x07);
	assert_true(out->Mode->CursorVisible);
	assert_int_equal(out->Mode->CursorRow, 0);
}

/* ---- input ---- */

static void test_read_keys(void **state)
{
	EFI_INPUT_KEY key;
	EFI_KEY_DATA kd;

	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_NOT_READY);
	assert_int_equal(in->ReadKeyStroke(in, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(inx->ReadKeyStrokeEx(inx, NULL), EFI_INVALID_PARAMETER);
	type("a\x1b[A\x1b[1;5B\r");
	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_SUCCESS);
	assert_int_equal(key.ScanCode, 0);
	assert_int_equal(key.UnicodeChar, 'a');
	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_SUCCESS);
	assert_int_equal(key.ScanCode, SCAN_UP);
	assert_int_equal(inx->ReadKeyStrokeEx(inx, &kd), EFI_SUCCESS);
	assert_int_equal(kd.Key.ScanCode, SCAN_DOWN);
	assert_int_equal(kd.KeyState.KeyShiftState,
			 EFI_SHIFT_STATE_VALID | EFI_LEFT_CONTROL_PRESSED);
	assert_int_equal(inx->ReadKeyStrokeEx(inx, &kd), EFI_SUCCESS);
	assert_int_equal(kd.Key.UnicodeChar, CHAR_CARRIAGE_RETURN);
	assert_int_equal(kd.KeyState.KeyShiftState, 0);
	assert_int_equal(inx->ReadKeyStrokeEx(inx, &kd), EFI_NOT_READY);
}

static void test_lone_escape_after_timeout(void **state)
{
	EFI_INPUT_KEY key;

	type("\x1b");
	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_NOT_READY);
	now_ms += CON_KEYS_ESC_MS / 2;
	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_NOT_READY);
	now_ms += CON_KEYS_ESC_MS;
	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_SUCCESS);
	assert_int_equal(key.ScanCode, SCAN_ESC);
	assert_int_equal(key.UnicodeChar, 0);
	/* A sequence split across polls is still one key. */
	type("\x1b[");
	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_NOT_READY);
	now_ms += 2;
	type("6~");
	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_SUCCESS);
	assert_int_equal(key.ScanCode, SCAN_PAGE_DOWN);
}

static void test_wait_for_key_events(void **state)
{
	EFI_INPUT_KEY key;

	assert_non_null(in->WaitForKey);
	assert_non_null(inx->WaitForKeyEx);
	assert_ptr_not_equal(in->WaitForKey, inx->WaitForKeyEx);
	assert_int_equal(fake_nevents, 2); /* made once, not per init */
	assert_int_equal(check_event(in->WaitForKey), EFI_NOT_READY);
	type("x");
	assert_int_equal(check_event(inx->WaitForKeyEx), EFI_SUCCESS);
	assert_int_equal(check_event(in->WaitForKey), EFI_SUCCESS);
	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_SUCCESS);
	assert_int_equal(key.UnicodeChar, 'x');
	assert_int_equal(check_event(in->WaitForKey), EFI_NOT_READY);
	/* A pending ESC signals once its timeout is over. */
	type("\x1b");
	assert_int_equal(check_event(in->WaitForKey), EFI_NOT_READY);
	now_ms += 100;
	assert_int_equal(check_event(in->WaitForKey), EFI_SUCCESS);
}

static int notified;
static EFI_KEY_DATA notified_key;

static EFI_STATUS EFIAPI on_key(EFI_KEY_DATA *k)
{
	notified++;
	notified_key = *k;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI on_key2(EFI_KEY_DATA *k)
{
	EFI_INPUT_KEY key;

	notified += 100;
	/* Reading keys from inside a notification must not recurse. */
	return in->ReadKeyStroke(in, &key);
}

static void test_key_notifications(void **state)
{
	EFI_KEY_DATA q = {.Key = {0, 'q'}}, f1 = {.Key = {SCAN_F1, 0}};
	EFI_KEY_DATA ctrl_up = {.Key = {SCAN_UP, 0},
				.KeyState = {EFI_SHIFT_STATE_VALID | EFI_LEFT_CONTROL_PRESSED, 0}};
	VOID *h1, *h2, *h3, *again;
	EFI_INPUT_KEY key;

	assert_int_equal(inx->RegisterKeyNotify(inx, NULL, on_key, &h1), EFI_INVALID_PARAMETER);
	assert_int_equal(inx->RegisterKeyNotify(inx, &q, NULL, &h1), EFI_INVALID_PARAMETER);
	assert_int_equal(inx->RegisterKeyNotify(inx, &q, on_key, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(inx->RegisterKeyNotify(inx, &q, on_key, &h1), EFI_SUCCESS);
	assert_int_equal(inx->RegisterKeyNotify(inx, &q, on_key, &again), EFI_SUCCESS);
	assert_ptr_equal(h1, again);
	assert_int_equal(inx->RegisterKeyNotify(inx, &ctrl_up, on_key, &h2), EFI_SUCCESS);
	assert_int_equal(inx->RegisterKeyNotify(inx, &f1, on_key2, &h3), EFI_SUCCESS);

	notified = 0;
	type("aq\x1b[A");
	efi_console_poll();
	assert_int_equal(notified, 1); /* q; a plain Up is not Ctrl+Up */
	assert_int_equal(notified_key.Key.UnicodeChar, 'q');
	type("\x1b[1;5A\x1bOP");
	efi_console_poll();
	assert_int_equal(notified, 102);
	assert_int_equal(notified_key.Key.ScanCode, SCAN_UP);
	/* Notified keys stay queued; the notification's own read (which
	 * did not poll again) took the oldest one. */
	int n = 0;
	while (in->ReadKeyStroke(in, &key) == EFI_SUCCESS)
		n++;
	assert_int_equal(n, 4);

	assert_int_equal(inx->UnregisterKeyNotify(inx, h1), EFI_SUCCESS);
	assert_int_equal(inx->UnregisterKeyNotify(inx, h1), EFI_INVALID_PARAMETER);
	assert_int_equal(inx->UnregisterKeyNotify(inx, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(inx->UnregisterKeyNotify(inx, &key), EFI_INVALID_PARAMETER);
	type("q");
	efi_console_poll();
	assert_int_equal(notified, 102);

	/* The table is bounded. */
	EFI_KEY_DATA k = {.Key = {0, 'a'}};
	EFI_STATUS st = EFI_SUCCESS;
	int registered = 0;
	for (int i = 0; i < CON_NOTIFY_MAX + 2 && st == EFI_SUCCESS; i++) {
		k.Key.UnicodeChar = (CHAR16)('a' + i);
		st = inx->RegisterKeyNotify(inx, &k, on_key, &again);
		registered += st == EFI_SUCCESS;
	}
	assert_int_equal(st, EFI_OUT_OF_RESOURCES);
	assert_int_equal(registered, CON_NOTIFY_MAX - 2);
}

static void test_reset_and_set_state(void **state)
{
	EFI_INPUT_KEY key;
	EFI_KEY_TOGGLE_STATE ts;

	type("abc");
	efi_console_poll();
	type("def");
	assert_int_equal(in->Reset(in, FALSE), EFI_SUCCESS);
	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_NOT_READY);
	type("g");
	assert_int_equal(inx->Reset(inx, TRUE), EFI_SUCCESS);
	assert_int_equal(in->ReadKeyStroke(in, &key), EFI_NOT_READY);
	assert_int_equal(inx->SetState(inx, NULL), EFI_INVALID_PARAMETER);
	ts = EFI_CAPS_LOCK_ACTIVE;
	assert_int_equal(inx->SetState(inx, &ts), EFI_UNSUPPORTED);
	ts = EFI_TOGGLE_STATE_VALID | EFI_KEY_STATE_EXPOSED;
	assert_int_equal(inx->SetState(inx, &ts), EFI_SUCCESS);
}

static void test_device_path(void **state)
{
	const uint8_t *p = (const uint8_t *)efi_console_device_path();
	static const uint8_t want[][3] = {{2, 1, 12}, {3, 0x0e, 19}, {3, 0x0a, 20}, {0x7f, 0xff, 4}};
	size_t off = 0;

	for (int i = 0; i < 4; i++) {
		assert_int_equal(p[off], want[i][0]);
		assert_int_equal(p[off + 1], want[i][1]);
		assert_int_equal(p[off + 2] | p[off + 3] << 8, want[i][2]);
		off += want[i][2];
	}
	uint32_t hid;
	uint64_t baud;
	memcpy(&hid, p + 4, 4);
	memcpy(&baud, p + 12 + 8, 8);
	assert_int_equal(hid, 0x050141d0); /* PNP0501 */
	assert_int_equal(baud, 115200);
	assert_int_equal(p[12 + 16], 8); /* data bits */
	EFI_GUID vt = EFI_VT_UTF8_GUID;
	assert_memory_equal(p + 31 + 4, &vt, sizeof(vt));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_modes, setup),
		cmocka_unit_test_setup(test_output_string_text_and_cursor, setup),
		cmocka_unit_test_setup(test_output_wraps_and_scrolls, setup),
		cmocka_unit_test_setup(test_output_unicode_and_drawing, setup),
		cmocka_unit_test_setup(test_attributes_as_sgr, setup),
		cmocka_unit_test_setup(test_clear_cursor_reset, setup),
		cmocka_unit_test_setup(test_read_keys, setup),
		cmocka_unit_test_setup(test_lone_escape_after_timeout, setup),
		cmocka_unit_test_setup(test_wait_for_key_events, setup),
		cmocka_unit_test_setup(test_key_notifications, setup),
		cmocka_unit_test_setup(test_reset_and_set_state, setup),
		cmocka_unit_test_setup(test_device_path, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
