/* The UEFI console on the serial port: Simple Text Output (UEFI 2.10
 * s.12.4), Simple Text Input (s.12.3) and Simple Text Input Ex (s.12.2).
 * Output goes out as UTF-8 with ANSI escape sequences; input comes through
 * the key parser (efi/console_keys.c). See include/efi_console.h for the
 * choices. */
#include <string.h>
#include <clock.h>
#include <efi_console.h>
#include <efi_event.h>
#include <log.h>
#include <serial.h>

static const struct {
	UINTN cols, rows;
} con_modes[] = {{80, 25}, {100, 31}};

#define CON_NMODES ((INT32)(sizeof(con_modes) / sizeof(con_modes[0])))
#define CON_DEFAULT_ATTR EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK)

static SIMPLE_TEXT_OUTPUT_MODE con_mode;
static struct con_keys con_keys;
static bool con_polling;

static struct con_notify {
	bool used;
	EFI_KEY_DATA key;
	EFI_KEY_NOTIFY_FUNCTION fn;
} con_notifies[CON_NOTIFY_MAX];

/* ---- output ---- */

/* Bytes for the UART, sent in chunks. serial_write turns '\n' into CR LF. */
struct con_buf {
	char b[128];
	size_t n;
};

static void buf_flush(struct con_buf *o)
{
	serial_write(o->b, o->n);
	o->n = 0;
}

static void buf_put(struct con_buf *o, char c)
{
	if (o->n == sizeof(o->b))
		buf_flush(o);
	o->b[o->n++] = c;
}

static void buf_str(struct con_buf *o, const char *s)
{
	while (*s)
		buf_put(o, *s++);
}

static void buf_num(struct con_buf *o, unsigned v)
{
	char d[10];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf_put(o, d[--n]);
}

static void buf_utf8(struct con_buf *o, uint32_t cp)
{
	if (cp < 0x80) {
		buf_put(o, (char)cp);
	} else if (cp < 0x800) {
		buf_put(o, (char)(0xc0 | cp >> 6));
		buf_put(o, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_put(o, (char)(0xe0 | cp >> 12));
		buf_put(o, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_put(o, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_put(o, (char)(0xf0 | cp >> 18));
		buf_put(o, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_put(o, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_put(o, (char)(0x80 | (cp & 0x3f)));
	}
}

/* s.12.4.1's drawing characters as ASCII; 0 for any other character. */
static char con_ascii_glyph(CHAR16 c)
{
	switch (c) {
	case BOXDRAW_HORIZONTAL:
		return '-';
	case BOXDRAW_DOUBLE_HORIZONTAL:
		return '=';
	case BOXDRAW_VERTICAL:
	case BOXDRAW_DOUBLE_VERTICAL:
		return '|';
	case BLOCKELEMENT_LIGHT_SHADE:
		return ':';
	case GEOMETRICSHAPE_UP_TRIANGLE:
	case ARROW_UP:
		return '^';
	case GEOMETRICSHAPE_DOWN_TRIANGLE:
	case ARROW_DOWN:
		return 'v';
	case GEOMETRICSHAPE_RIGHT_TRIANGLE:
	case 0x2192: /* ARROW_RIGHT */
		return '>';
	case GEOMETRICSHAPE_LEFT_TRIANGLE:
	case 0x2190: /* ARROW_LEFT */
		return '<';
	}
	if (c >= 0x2500 && c <= 0x257f)
		return '+'; /* corners, tees, crossings */
	if (c >= 0x2580 && c <= 0x259f)
		return '#'; /* blocks */
	return 0;
}

/* ESC [ n ; m H: rows and columns count from 1 on the wire. */
static void emit_cursor(struct con_buf *o)
{
	buf_str(o, "\x1b[");
	buf_num(o, (unsigned)con_mode.CursorRow + 1);
	buf_put(o, ';');
	buf_num(o, (unsigned)con_mode.CursorColumn + 1);
	buf_put(o, 'H');
}

/* EFI colours are B=1 G=2 R=4; ANSI's are R=1 G=2 B=4. */
static unsigned ansi_colour(unsigned efi)
{
	return (efi & 1 ? 4 : 0) | (efi & 2) | (efi & 4 ? 1 : 0);
}

static void emit_attr(struct con_buf *o, unsigned attr)
{
	unsigned fg = attr & 0x0f, bg = (attr >> 4) & 0x07;

	buf_str(o, "\x1b[0;");
	buf_num(o, (fg & EFI_BRIGHT ? 90 : 30) + ansi_colour(fg & 7));
	buf_put(o, ';');
	buf_num(o, 40 + ansi_colour(bg));
	buf_put(o, 'm');
}

static void next_line(void)
{
	if (con_mode.CursorRow + 1 < (INT32)con_modes[con_mode.Mode].rows)
		con_mode.CursorRow++;
}

/* One character that takes a cell. */
static void put_glyph(struct con_buf *o, uint32_t cp)
{
	char a = cp <= 0xffff ? con_ascii_glyph((CHAR16)cp) : 0;

	if (a)
		buf_put(o, a);
	else
		buf_utf8(o, cp);
	if (++con_mode.CursorColumn >= (INT32)con_modes[con_mode.Mode].cols) {
		/* Wrap explicitly: a wider terminal would not. */
		buf_put(o, '\n');
		con_mode.CursorColumn = 0;
		next_line();
	}
}

/* True for what OutputString can show: not a C0/C1 control (other than
 * NUL, BS, Tab, LF and CR) and not half a surrogate pair. */
static bool renderable(const CHAR16 *s, size_t i, size_t *used)
{
	CHAR16 c = s[i];

	*used = 1;
	if (c == CHAR_BACKSPACE || c == CHAR_TAB || c == CHAR_LINEFEED ||
	    c == CHAR_CARRIAGE_RETURN)
		return true;
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return false;
	if (c >= 0xd800 && c <= 0xdbff && s[i + 1] >= 0xdc00 && s[i + 1] <= 0xdfff) {
		*used = 2;
		return true;
	}
	return c < 0xd800 || c > 0xdfff;
}

/* s.12.4.3 */
static EFI_STATUS EFIAPI con_output_string(EFI_SIMPLE_TEXT_OUT_PROTOCOL *this, CHAR16 *s)
{
	struct con_buf o = {.n = 0};
	bool unknown = false;
	size_t used;

	if (!s)
		return EFI_INVALID_PARAMETER;
	for (size_t i = 0; s[i]; i += used) {
		CHAR16 c = s[i];
		if (!renderable(s, i, &used)) {
			unknown = true;
			if (c >= 0xd800 && c <= 0xdfff)
				put_glyph(&o, '?');
			continue;
		}
		switch (c) {
		case CHAR_CARRIAGE_RETURN:
			buf_put(&o, '\r');
			con_mode.CursorColumn = 0;
			break;
		case CHAR_LINEFEED:
			/* The wire's '\n' is CR LF: put the column back. */
			buf_put(&o, '\n');
			next_line();
			if (con_mode.CursorColumn) {
				buf_str(&o, "\x1b[");
				buf_num(&o, (unsigned)con_mode.CursorColumn);
				buf_put(&o, 'C');
			}
			break;
		case CHAR_BACKSPACE:
			if (con_mode.CursorColumn) {
				buf_put(&o, '\b');
				con_mode.CursorColumn--;
			}
			break;
		case CHAR_TAB:
			do
				put_glyph(&o, ' ');
			while (con_mode.CursorColumn % 8);
			break;
		default:
			if (used == 2)
				put_glyph(&o, 0x10000 + ((uint32_t)(c - 0xd800) << 10) + (s[i + 1] - 0xdc00));
			else
				put_glyph(&o, c);
		}
	}
	buf_flush(&o);
	return unknown ? EFI_WARN_UNKNOWN_GLYPH : EFI_SUCCESS;
}

/* s.12.4.4 */
static EFI_STATUS EFIAPI con_test_string(EFI_SIMPLE_TEXT_OUT_PROTOCOL *this, CHAR16 *s)
{
	size_t used;

	if (!s)
		return EFI_INVALID_PARAMETER;
	for (size_t i = 0; s[i]; i += used)
		if (!renderable(s, i, &used))
			return EFI_UNSUPPORTED;
	return EFI_SUCCESS;
}

/* s.12.4.5 */
static EFI_STATUS EFIAPI con_query_mode(EFI_SIMPLE_TEXT_OUT_PROTOCOL *this, UINTN mode,
					UINTN *cols, UINTN *rows)
{
	if (mode >= (UINTN)CON_NMODES)
		return EFI_UNSUPPORTED;
	if (!cols || !rows)
		return EFI_INVALID_PARAMETER;
	*cols = con_modes[mode].cols;
	*rows = con_modes[mode].rows;
	return EFI_SUCCESS;
}

/* s.12.4.8 */
static EFI_STATUS EFIAPI con_clear_screen(EFI_SIMPLE_TEXT_OUT_PROTOCOL *this)
{
	struct con_buf o = {.n = 0};

	buf_str(&o, "\x1b[2J\x1b[H");
	buf_flush(&o);
	con_mode.CursorColumn = 0;
	con_mode.CursorRow = 0;
	return EFI_SUCCESS;
}

/* s.12.4.6: the new geometry, cleared, the cursor at (0,0). */
static EFI_STATUS EFIAPI con_set_mode(EFI_SIMPLE_TEXT_OUT_PROTOCOL *this, UINTN mode)
{
	if (mode >= (UINTN)CON_NMODES)
		return EFI_UNSUPPORTED;
	con_mode.Mode = (INT32)mode;
	return con_clear_screen(this);
}

/* s.12.4.7: foreground in bits 0-3, background in bits 4-6. */
static EFI_STATUS EFIAPI con_set_attribute(EFI_SIMPLE_TEXT_OUT_PROTOCOL *this, UINTN attr)
{
	struct con_buf o = {.n = 0};

	if (attr & ~(UINTN)0x7f)
		return EFI_UNSUPPORTED;
	emit_attr(&o, (unsigned)attr);
	buf_flush(&o);
	con_mode.Attribute = (INT32)attr;
	return EFI_SUCCESS;
}

/* s.12.4.9 */
static EFI_STATUS EFIAPI con_set_cursor_position(EFI_SIMPLE_TEXT_OUT_PROTOCOL *this, UINTN col,
						 UINTN row)
{
	struct con_buf o = {.n = 0};

	if (col >= con_modes[con_mode.Mode].cols || row >= con_modes[con_mode.Mode].rows)
		return EFI_UNSUPPORTED;
	con_mode.CursorColumn = (INT32)col;
	con_mode.CursorRow = (INT32)row;
	emit_cursor(&o);
	buf_flush(&o);
	return EFI_SUCCESS;
}

/* s.12.4.10 */
static EFI_STATUS EFIAPI con_enable_cursor(EFI_SIMPLE_TEXT_OUT_PROTOCOL *this, BOOLEAN visible)
{
	struct con_buf o = {.n = 0};

	buf_str(&o, visible ? "\x1b[?25h" : "\x1b[?25l");
	buf_flush(&o);
	con_mode.CursorVisible = visible ? TRUE : FALSE;
	return EFI_SUCCESS;
}

/* s.12.4.2: default colours, mode 0, cleared, cursor shown. */
static EFI_STATUS EFIAPI con_out_reset(EFI_SIMPLE_TEXT_OUT_PROTOCOL *this, BOOLEAN extended)
{
	con_set_attribute(this, CON_DEFAULT_ATTR);
	con_enable_cursor(this, TRUE);
	return con_set_mode(this, 0);
}

static EFI_SIMPLE_TEXT_OUT_PROTOCOL con_out = {
	.Reset = con_out_reset,
	.OutputString = con_output_string,
	.TestString = con_test_string,
	.QueryMode = con_query_mode,
	.SetMode = con_set_mode,
	.SetAttribute = con_set_attribute,
	.ClearScreen = con_clear_screen,
	.SetCursorPosition = con_set_cursor_position,
	.EnableCursor = con_enable_cursor,
	.Mode = &con_mode,
};

/* ---- input ---- */

/* EDK2's rule: scan code and character equal; shift and toggle states
 * compared only where the registration says they are valid. */
static bool notify_matches(const EFI_KEY_DATA *reg, const EFI_KEY_DATA *k)
{
	if (reg->Key.ScanCode != k->Key.ScanCode || reg->Key.UnicodeChar != k->Key.UnicodeChar)
		return false;
	if ((reg->KeyState.KeyShiftState & EFI_SHIFT_STATE_VALID) &&
	    reg->KeyState.KeyShiftState != k->KeyState.KeyShiftState)
		return false;
	if ((reg->KeyState.KeyToggleState & EFI_TOGGLE_STATE_VALID) &&
	    reg->KeyState.KeyToggleState != k->KeyState.KeyToggleState)
		return false;
	return true;
}

void efi_console_poll(void)
{
	EFI_KEY_DATA fresh[CON_KEYS_QUEUE];
	unsigned before, n = 0;
	int c;

	if (con_polling)
		return; /* a key notification reading keys */
	con_polling = true;
	before = con_keys.count;
	uint64_t now = clock_ms();
	for (int budget = 256; budget && (c = serial_getc_nonblock()) >= 0; budget--)
		con_keys_feed(&con_keys, (uint8_t)c, now);
	con_keys_tick(&con_keys, now);
	for (unsigned i = before; i < con_keys.count; i++)
		con_keys_peek(&con_keys, i, &fresh[n++]);
	for (unsigned i = 0; i < n; i++)
		for (int j = 0; j < CON_NOTIFY_MAX; j++)
			if (con_notifies[j].used && notify_matches(&con_notifies[j].key, &fresh[i]))
				con_notifies[j].fn(&fresh[i]);
	con_polling = false;
}

/* WaitForKey / WaitForKeyEx: signaled while a key is waiting. */
static VOID EFIAPI con_wait_notify(EFI_EVENT event, VOID *ctx)
{
	efi_console_poll();
	if (con_keys.count)
		efi_signal_event(event);
}

static bool next_key(EFI_KEY_DATA *k)
{
	efi_console_poll();
	return con_keys_pop(&con_keys, k);
}

/* s.12.3.2: forget what was typed, on the line and in the parser. */
static void input_reset(void)
{
	con_keys_init(&con_keys);
	for (int i = 0; i < 64 && serial_getc_nonblock() >= 0; i++)
		;
}

static EFI_STATUS EFIAPI con_in_reset(EFI_SIMPLE_TEXT_IN_PROTOCOL *this, BOOLEAN extended)
{
	input_reset();
	return EFI_SUCCESS;
}

/* s.12.3.3 */
static EFI_STATUS EFIAPI con_read_key(EFI_SIMPLE_TEXT_IN_PROTOCOL *this, EFI_INPUT_KEY *key)
{
	EFI_KEY_DATA k;

	if (!key)
		return EFI_INVALID_PARAMETER;
	if (!next_key(&k))
		return EFI_NOT_READY;
	*key = k.Key;
	return EFI_SUCCESS;
}

static EFI_SIMPLE_TEXT_IN_PROTOCOL con_in = {
	.Reset = con_in_reset,
	.ReadKeyStroke = con_read_key,
};

static EFI_STATUS EFIAPI con_in_ex_reset(EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *this,
					 BOOLEAN extended)
{
	input_reset();
	return EFI_SUCCESS;
}

/* s.12.2.3 */
static EFI_STATUS EFIAPI con_read_key_ex(EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *this,
					 EFI_KEY_DATA *data)
{
	if (!data)
		return EFI_INVALID_PARAMETER;
	if (!next_key(data))
		return EFI_NOT_READY;
	return EFI_SUCCESS;
}

/* s.12.2.4: a serial line has no lock LEDs to set. */
static EFI_STATUS EFIAPI con_set_state(EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *this,
				       EFI_KEY_TOGGLE_STATE *state)
{
	if (!state)
		return EFI_INVALID_PARAMETER;
	if (!(*state & EFI_TOGGLE_STATE_VALID))
		return EFI_UNSUPPORTED;
	return EFI_SUCCESS;
}

/* s.12.2.5: the handle is the table entry; one registration per key and
 * function. */
static EFI_STATUS EFIAPI con_register_notify(EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *this,
					     EFI_KEY_DATA *key, EFI_KEY_NOTIFY_FUNCTION fn,
					     VOID **handle)
{
	struct con_notify *free_slot = NULL;

	if (!key || !fn || !handle)
		return EFI_INVALID_PARAMETER;
	for (int i = 0; i < CON_NOTIFY_MAX; i++) {
		struct con_notify *n = &con_notifies[i];
		if (n->used && n->fn == fn && !memcmp(&n->key, key, sizeof(*key))) {
			*handle = n;
			return EFI_SUCCESS;
		}
		if (!n->used && !free_slot)
			free_slot = n;
	}
	if (!free_slot)
		return EFI_OUT_OF_RESOURCES;
	free_slot->used = true;
	memset(&free_slot->key, 0, sizeof(free_slot->key));
	free_slot->key.Key = key->Key;
	free_slot->key.KeyState = key->KeyState;
	free_slot->fn = fn;
	*handle = free_slot;
	return EFI_SUCCESS;
}

/* s.12.2.6 */
static EFI_STATUS EFIAPI con_unregister_notify(EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *this,
					       VOID *handle)
{
	for (int i = 0; i < CON_NOTIFY_MAX; i++) {
		if (handle == &con_notifies[i] && con_notifies[i].used) {
			con_notifies[i].used = false;
			return EFI_SUCCESS;
		}
	}
	return EFI_INVALID_PARAMETER;
}

static EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL con_in_ex = {
	.Reset = con_in_ex_reset,
	.ReadKeyStrokeEx = con_read_key_ex,
	.SetState = con_set_state,
	.RegisterKeyNotify = con_register_notify,
	.UnregisterKeyNotify = con_unregister_notify,
};

/* UEFI 2.10 s.10.3.3 (ACPI), s.10.3.5.17 (UART), s.10.3.5.18 (vendor). */
static struct __attribute__((packed)) {
	struct __attribute__((packed)) {
		UINT8 type, sub;
		UINT16 len;
		UINT32 hid, uid;
	} acpi;
	struct __attribute__((packed)) {
		UINT8 type, sub;
		UINT16 len;
		UINT32 reserved;
		UINT64 baud;
		UINT8 data_bits, parity, stop_bits;
	} uart;
	struct __attribute__((packed)) {
		UINT8 type, sub;
		UINT16 len;
		EFI_GUID guid;
	} vt;
	struct __attribute__((packed)) {
		UINT8 type, sub;
		UINT16 len;
	} end;
} con_path = {
	.acpi = {ACPI_DEVICE_PATH, ACPI_DP, 12, EISA_PNP_ID(0x0501), 0},
	.uart = {MESSAGING_DEVICE_PATH, MSG_UART_DP, 19, 0, 115200, 8, 1 /* none */, 1 /* one */},
	.vt = {MESSAGING_DEVICE_PATH, MSG_VENDOR_DP, 20, EFI_VT_UTF8_GUID},
	.end = {END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, 4},
};

void efi_console_init(void)
{
	con_mode = (SIMPLE_TEXT_OUTPUT_MODE){
		.MaxMode = CON_NMODES,
		.Mode = 0,
		.Attribute = CON_DEFAULT_ATTR,
		.CursorVisible = TRUE,
	};
	con_keys_init(&con_keys);
	memset(con_notifies, 0, sizeof(con_notifies));
	if (!con_in.WaitForKey &&
	    efi_create_event(EVT_NOTIFY_WAIT, TPL_NOTIFY, con_wait_notify, NULL,
			     &con_in.WaitForKey) != EFI_SUCCESS)
		log_error("efi: console: no WaitForKey event (out of memory)");
	if (!con_in_ex.WaitForKeyEx &&
	    efi_create_event(EVT_NOTIFY_WAIT, TPL_NOTIFY, con_wait_notify, NULL,
			     &con_in_ex.WaitForKeyEx) != EFI_SUCCESS)
		log_error("efi: console: no WaitForKeyEx event (out of memory)");
}

EFI_SIMPLE_TEXT_OUT_PROTOCOL *efi_console_out(void)
{
	return &con_out;
}

EFI_SIMPLE_TEXT_IN_PROTOCOL *efi_console_in(void)
{
	return &con_in;
}

EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *efi_console_in_ex(void)
{
	return &con_in_ex;
}

EFI_DEVICE_PATH *efi_console_device_path(void)
{
	return (EFI_DEVICE_PATH *)&con_path;
}
