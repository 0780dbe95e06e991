/* The serial key parser (efi/console_keys.c): printable ASCII and UTF-8,
 * control keys, VT100/xterm/Linux-console escape sequences with modifiers,
 * a lone ESC after its timeout, swallowed reports, and a full queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>
#include <efi_console.h>

static struct con_keys k;

static void feed(const char *s, uint64_t t)
{
	for (size_t i = 0; s[i]; i++)
		con_keys_feed(&k, (uint8_t)s[i], t);
}

static void feed_n(const uint8_t *s, size_t n, uint64_t t)
{
	for (size_t i = 0; i < n; i++)
		con_keys_feed(&k, s[i], t);
}

static void expect(UINT16 scan, CHAR16 ch, UINT32 shift)
{
	EFI_KEY_DATA d;

	assert_true(con_keys_pop(&k, &d));
	assert_int_equal(d.Key.ScanCode, scan);
	assert_int_equal(d.Key.UnicodeChar, ch);
	assert_int_equal(d.KeyState.KeyShiftState, shift);
	assert_int_equal(d.KeyState.KeyToggleState, 0);
}

static void expect_none(void)
{
	EFI_KEY_DATA d;

	assert_false(con_keys_pop(&k, &d));
}

static int setup(void **state)
{
	con_keys_init(&k);
	return 0;
}

static void test_printable_and_controls(void **state)
{
	feed("aZ 9~", 0);
	expect(0, 'a', 0);
	expect(0, 'Z', 0);
	expect(0, ' ', 0);
	expect(0, '9', 0);
	expect(0, '~', 0);
	expect_none();
	feed("\r", 0);
	expect(0, CHAR_CARRIAGE_RETURN, 0);
	feed("\x08\x7f\t", 1);
	expect(0, CHAR_BACKSPACE, 0);
	expect(0, CHAR_BACKSPACE, 0);
	expect(0, CHAR_TAB, 0);
	feed("\x03\x0c", 2); /* Ctrl+C, Ctrl+L */
	expect(0, 0x03, 0);
	expect(0, 0x0c, 0);
	uint8_t nul[] = {'x', 0, 'y'};
	feed_n(nul, 3, 3);
	expect(0, 'x', 0);
	expect(0, 'y', 0);
	expect_none();
}

static void test_cr_lf_is_one_enter(void **state)
{
	feed("\r\n", 10);
	expect(0, CHAR_CARRIAGE_RETURN, 0);
	expect_none();
	feed("\n", 100); /* an LF alone is an LF */
	expect(0, CHAR_LINEFEED, 0);
	feed("\r", 200);
	feed("\n", 300); /* too late to belong to the CR */
	expect(0, CHAR_CARRIAGE_RETURN, 0);
	expect(0, CHAR_LINEFEED, 0);
	expect_none();
}

static void test_utf8(void **state)
{
	feed("\xc3\xa9\xe2\x82\xac\xe4\xb8\xad", 0); /* é € 中 */
	expect(0, 0xe9, 0);
	expect(0, 0x20ac, 0);
	expect(0, 0x4e2d, 0);
	expect_none();
	/* Overlong, surrogate, beyond the BMP, stray continuation, bad lead. */
	feed("\xc0\xaf\xe0\x80\xaf\xed\xa0\x80\xf0\x9f\x98\x80\x80\xff", 0);
	expect_none();
	/* Cut short by ASCII: the ASCII byte still counts. */
	feed("\xe2\x82" "a", 0);
	expect(0, 'a', 0);
	/* Cut short by a new lead byte. */
	feed("\xe2\xc3\xa9", 0);
	expect(0, 0xe9, 0);
	expect_none();
}

static void test_arrows_and_editing_keys(void **state)
{
	static const struct {
		const char *seq;
		UINT16 scan;
	} cases[] = {
		{"\x1b[A", SCAN_UP},	    {"\x1b[B", SCAN_DOWN},	{"\x1b[C", SCAN_RIGHT},
		{"\x1b[D", SCAN_LEFT},	    {"\x1b[H", SCAN_HOME},	{"\x1b[F", SCAN_END},
		{"\x1bOA", SCAN_UP},	    {"\x1bOD", SCAN_LEFT},	{"\x1bOH", SCAN_HOME},
		{"\x1bOF", SCAN_END},	    {"\x1b[1~", SCAN_HOME},	{"\x1b[2~", SCAN_INSERT},
		{"\x1b[3~", SCAN_DELETE},   {"\x1b[4~", SCAN_END},	{"\x1b[5~", SCAN_PAGE_UP},
		{"\x1b[6~", SCAN_PAGE_DOWN}, {"\x1b[7~", SCAN_HOME},	{"\x1b[8~", SCAN_END},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		feed(cases[i].seq, 1000);
		expect(cases[i].scan, 0, 0);
		expect_none();
	}
}

static void test_function_keys(void **state)
{
	static const char *const seqs[] = {
		"\x1bOP",     "\x1bOQ",	    "\x1bOR",	  "\x1bOS",	/* F1-F4 (xterm) */
		"\x1b[15~",   "\x1b[17~",   "\x1b[18~",	  "\x1b[19~",	/* F5-F8 */
		"\x1b[20~",   "\x1b[21~",   "\x1b[23~",	  "\x1b[24~",	/* F9-F12 */
	};
	for (int i = 0; i < 12; i++) {
		feed(seqs[i], 5);
		expect((UINT16)(SCAN_F1 + i), 0, 0);
	}
	/* VT220 F1-F4 and the Linux console's F1-F5. */
	feed("\x1b[11~\x1b[14~\x1b[[A\x1b[[E", 5);
	expect(SCAN_F1, 0, 0);
	expect(SCAN_F4, 0, 0);
	expect(SCAN_F1, 0, 0);
	expect(SCAN_F5, 0, 0);
	/* Unused numbers name no key. */
	feed("\x1b[16~\x1b[22~\x1b[99~\x1b[[Z", 5);
	expect_none();
}

static void test_modifiers(void **state)
{
	feed("\x1b[1;5A", 0); /* Ctrl+Up */
	expect(SCAN_UP, 0, EFI_SHIFT_STATE_VALID | EFI_LEFT_CONTROL_PRESSED);
	feed("\x1b[1;2P", 0); /* Shift+F1 */
	expect(SCAN_F1, 0, EFI_SHIFT_STATE_VALID | EFI_LEFT_SHIFT_PRESSED);
	feed("\x1b[3;3~", 0); /* Alt+Delete */
	expect(SCAN_DELETE, 0, EFI_SHIFT_STATE_VALID | EFI_LEFT_ALT_PRESSED);
	feed("\x1b[24;8~", 0); /* Shift+Alt+Ctrl+F12 */
	expect(SCAN_F12, 0,
	       EFI_SHIFT_STATE_VALID | EFI_LEFT_SHIFT_PRESSED | EFI_LEFT_ALT_PRESSED |
		       EFI_LEFT_CONTROL_PRESSED);
	feed("\x1bO5R", 0); /* Ctrl+F3, older xterm */
	expect(SCAN_F3, 0, EFI_SHIFT_STATE_VALID | EFI_LEFT_CONTROL_PRESSED);
	feed("\x1b[Z", 0); /* Shift+Tab */
	expect(0, CHAR_TAB, EFI_SHIFT_STATE_VALID | EFI_LEFT_SHIFT_PRESSED);
	feed("\x1b[1;1A", 0); /* modifier 1 = none */
	expect(SCAN_UP, 0, 0);
	expect_none();
}

static void test_lone_escape_needs_its_timeout(void **state)
{
	feed("\x1b", 100);
	assert_true(con_keys_waiting(&k));
	con_keys_tick(&k, 100 + CON_KEYS_ESC_MS - 1);
	expect_none();
	con_keys_tick(&k, 100 + CON_KEYS_ESC_MS);
	expect(SCAN_ESC, 0, 0);
	assert_false(con_keys_waiting(&k));
	expect_none();
	/* A late '[' after an ESC is two keys, even without a tick between. */
	feed("\x1b", 1000);
	feed("[A", 1000 + CON_KEYS_ESC_MS + 5);
	expect(SCAN_ESC, 0, 0);
	expect(0, '[', 0);
	expect(0, 'A', 0);
	/* ESC ESC: the first is Esc at once, the second waits. */
	feed("\x1b\x1b", 2000);
	expect(SCAN_ESC, 0, 0);
	expect_none();
	con_keys_tick(&k, 3000);
	expect(SCAN_ESC, 0, 0);
	/* ESC then a letter (Alt+x on many terminals): Esc, then x. */
	feed("\x1bx", 4000);
	expect(SCAN_ESC, 0, 0);
	expect(0, 'x', 0);
	expect_none();
}

static void test_cut_short_sequences(void **state)
{
	/* A sequence that stops: Esc and its bytes, as keys. */
	feed("\x1b[1", 0);
	con_keys_tick(&k, 1000);
	expect(SCAN_ESC, 0, 0);
	expect(0, '[', 0);
	expect(0, '1', 0);
	expect_none();
	/* A control byte inside a sequence ends it; the byte counts. */
	feed("\x1b[1\r", 0);
	expect(0, CHAR_CARRIAGE_RETURN, 0);
	/* A new ESC inside a CSI: the broken one is dropped. */
	feed("\x1b[2\x1b[B", 0);
	expect(SCAN_DOWN, 0, 0);
	expect_none();
}

static void test_reports_are_swallowed(void **state)
{
	/* Cursor position report, device attributes, focus, SGR mouse, a
	 * runaway parameter list. */
	feed("\x1b[24;80R\x1b[?1;2c\x1b[I\x1b[O\x1b[<0;10;5M", 0);
	feed("\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13A", 0);
	feed("\x1b[ q", 0);
	expect_none();
	feed("k", 0);
	expect(0, 'k', 0);
	expect_none();
	assert_false(con_keys_waiting(&k));
}

static void test_queue_full_drops_newest(void **state)
{
	EFI_KEY_DATA d;

	for (int i = 0; i < CON_KEYS_QUEUE + 5; i++)
		con_keys_feed(&k, (uint8_t)('A' + i % 26), 0);
	assert_int_equal(k.count, CON_KEYS_QUEUE);
	assert_int_equal(k.dropped, 5);
	assert_true(con_keys_peek(&k, 0, &d));
	assert_int_equal(d.Key.UnicodeChar, 'A');
	assert_true(con_keys_peek(&k, CON_KEYS_QUEUE - 1, &d));
	assert_false(con_keys_peek(&k, CON_KEYS_QUEUE, &d));
	for (int i = 0; i < CON_KEYS_QUEUE; i++) {
		assert_true(con_keys_pop(&k, &d));
		assert_int_equal(d.Key.UnicodeChar, 'A' + i % 26);
	}
	expect_none();
	/* The ring wraps. */
	feed("xyz", 0);
	expect(0, 'x', 0);
	expect(0, 'y', 0);
	expect(0, 'z', 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_printable_and_controls, setup),
		cmocka_unit_test_setup(test_cr_lf_is_one_enter, setup),
		cmocka_unit_test_setup(test_utf8, setup),
		cmocka_unit_test_setup(test_arrows_and_editing_keys, setup),
		cmocka_unit_test_setup(test_function_keys, setup),
		cmocka_unit_test_setup(test_modifiers, setup),
		cmocka_unit_test_setup(test_lone_escape_needs_its_timeout, setup),
		cmocka_unit_test_setup(test_cut_short_sequences, setup),
		cmocka_unit_test_setup(test_reports_are_swallowed, setup),
		cmocka_unit_test_setup(test_queue_full_drops_newest, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
