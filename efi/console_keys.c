/* Serial bytes -> EFI keys (UEFI 2.10 s.12.2/12.3 scan codes). Pure: the
 * caller supplies each byte's arrival time, so a lone ESC can be told from
 * the start of an escape sequence. Sequences follow ECMA-48 (CSI: ESC [
 * parameters final; SS3: ESC O final) as VT100, xterm and the Linux
 * console send them. */
#include <string.h>
#include <efi_console.h>

#define ESC 0x1b

void con_keys_init(struct con_keys *k)
{
	memset(k, 0, sizeof(*k));
}

static void push(struct con_keys *k, UINT16 scan, CHAR16 ch, UINT32 shift)
{
	if (k->count == CON_KEYS_QUEUE) {
		k->dropped++;
		return;
	}
	EFI_KEY_DATA *d = &k->q[(k->head + k->count) % CON_KEYS_QUEUE];
	memset(d, 0, sizeof(*d));
	d->Key.ScanCode = scan;
	d->Key.UnicodeChar = ch;
	d->KeyState.KeyShiftState = shift;
	k->count++;
}

bool con_keys_pop(struct con_keys *k, EFI_KEY_DATA *out)
{
	if (!k->count)
		return false;
	*out = k->q[k->head];
	k->head = (k->head + 1) % CON_KEYS_QUEUE;
	k->count--;
	return true;
}

bool con_keys_peek(const struct con_keys *k, unsigned i, EFI_KEY_DATA *out)
{
	if (i >= k->count)
		return false;
	*out = k->q[(k->head + i) % CON_KEYS_QUEUE];
	return true;
}

bool con_keys_waiting(const struct con_keys *k)
{
	return k->seq_len > 0;
}

/* xterm's modifier parameter (1 + Shift 1 | Alt 2 | Ctrl 4 | Meta 8) as
 * an EFI shift state; 0 (not valid) without modifiers. */
static UINT32 modifiers(unsigned m)
{
	if (m < 2 || m > 16)
		return 0;
	m -= 1;
	UINT32 s = EFI_SHIFT_STATE_VALID;
	if (m & 1)
		s |= EFI_LEFT_SHIFT_PRESSED;
	if (m & 2)
		s |= EFI_LEFT_ALT_PRESSED;
	if (m & 4)
		s |= EFI_LEFT_CONTROL_PRESSED;
	if (m & 8)
		s |= EFI_LEFT_LOGO_PRESSED;
	return s;
}

/* Scan code of a final byte shared by CSI and SS3 (A-D, H, F, P-S). */
static UINT16 final_scan(uint8_t f)
{
	switch (f) {
	case 'A': return SCAN_UP;
	case 'B': return SCAN_DOWN;
	case 'C': return SCAN_RIGHT;
	case 'D': return SCAN_LEFT;
	case 'H': return SCAN_HOME;
	case 'F': return SCAN_END;
	case 'P': return SCAN_F1;
	case 'Q': return SCAN_F2;
	case 'R': return SCAN_F3;
	case 'S': return SCAN_F4;
	default: return SCAN_NULL;
	}
}

/* ESC [ n ~ : VT220 editing keys and function keys (xterm, Linux). */
static UINT16 tilde_scan(unsigned n)
{
	static const UINT16 map[] = {
		[1] = SCAN_HOME,  [2] = SCAN_INSERT, [3] = SCAN_DELETE, [4] = SCAN_END,
		[5] = SCAN_PAGE_UP, [6] = SCAN_PAGE_DOWN, [7] = SCAN_HOME, [8] = SCAN_END,
		[11] = SCAN_F1,   [12] = SCAN_F2,    [13] = SCAN_F3,    [14] = SCAN_F4,
		[15] = SCAN_F5,   [17] = SCAN_F6,    [18] = SCAN_F7,    [19] = SCAN_F8,
		[20] = SCAN_F9,   [21] = SCAN_F10,   [23] = SCAN_F11,   [24] = SCAN_F12,
	};
	return n < sizeof(map) / sizeof(map[0]) ? map[n] : SCAN_NULL;
}

/* Up to two numeric parameters of seq[from..len); missing ones are 0. */
static void params(const uint8_t *s, unsigned from, unsigned len, unsigned p[2])
{
	unsigned i = 0;

	p[0] = p[1] = 0;
	for (unsigned j = from; j < len; j++) {
		if (s[j] == ';') {
			if (++i == 2)
				return;
		} else if (s[j] >= '0' && s[j] <= '9') {
			p[i] = p[i] > 9999 ? p[i] : p[i] * 10 + (s[j] - '0');
		}
	}
}

/* A complete sequence seq[0..len), its final byte last: queue its key, or
 * nothing for a sequence that names no key. */
static void finish_seq(struct con_keys *k, const uint8_t *s, unsigned len)
{
	uint8_t f = s[len - 1];
	unsigned p[2];

	if (s[1] == 'O') { /* SS3: ESC O [modifier] final */
		params(s, 2, len - 1, p);
		UINT16 sc = final_scan(f);
		if (sc)
			push(k, sc, 0, modifiers(p[0]));
		return;
	}
	if (len == 4 && s[2] == '[') { /* Linux console: ESC [ [ A..E = F1..F5 */
		if (f >= 'A' && f <= 'E')
			push(k, (UINT16)(SCAN_F1 + (f - 'A')), 0, 0);
		return;
	}
	/* CSI with private markers (<, =, >, ?) or intermediates: reports, not keys. */
	for (unsigned j = 2; j < len - 1; j++)
		if ((s[j] < '0' || s[j] > ';'))
			return;
	params(s, 2, len - 1, p);
	if (f == '~') {
		UINT16 sc = tilde_scan(p[0]);
		if (sc)
			push(k, sc, 0, modifiers(p[1]));
	} else if (f == 'Z') {
		push(k, SCAN_NULL, CHAR_TAB, EFI_SHIFT_STATE_VALID | EFI_LEFT_SHIFT_PRESSED);
	} else if (final_scan(f) && p[0] <= 1) {
		/* ESC [ A, or ESC [ 1 ; m A with modifiers. A first parameter
		 * over 1 is a report (ESC [ row ; col R), not a key. */
		push(k, final_scan(f), 0, modifiers(p[1]));
	}
}

static void plain_byte(struct con_keys *k, uint8_t b, uint64_t now);

/* The pending sequence timed out or was cut short: ESC and what followed
 * it become ordinary keys. */
static void flush_seq(struct con_keys *k, uint64_t now)
{
	uint8_t s[CON_KEYS_SEQ_MAX];
	unsigned len = k->seq_len;
	bool overflow = k->seq_overflow;

	memcpy(s, k->seq, len);
	k->seq_len = 0;
	k->seq_overflow = false;
	if (overflow)
		return; /* a runaway sequence is noise */
	push(k, SCAN_ESC, 0, 0);
	for (unsigned i = 1; i < len; i++)
		plain_byte(k, s[i], now);
}

/* One byte while a sequence is pending. */
static void seq_byte(struct con_keys *k, uint8_t b, uint64_t now)
{
	k->seq_ms = now;
	if (k->seq_len == 1) {
		if (b == '[' || b == 'O') {
			k->seq[k->seq_len++] = b;
			return;
		}
		/* ESC then anything else: Esc, then that key (an ESC starts
		 * a new sequence). */
		k->seq_len = 0;
		push(k, SCAN_ESC, 0, 0);
		con_keys_feed(k, b, now);
		return;
	}
	if (b < 0x20 || b > 0x7e) {
		/* Not part of any sequence: drop the broken one, keep the byte. */
		k->seq_len = 0;
		k->seq_overflow = false;
		con_keys_feed(k, b, now);
		return;
	}
	bool linux_fkey = k->seq_len == 2 && k->seq[1] == '[' && b == '[';
	bool final = (b >= 0x40 && b <= 0x7e && !linux_fkey) || (k->seq[1] == 'O' && b >= 0x40);
	if (k->seq_len < CON_KEYS_SEQ_MAX)
		k->seq[k->seq_len++] = b;
	else
		k->seq_overflow = true;
	if (!final)
		return;
	if (!k->seq_overflow)
		finish_seq(k, k->seq, k->seq_len);
	k->seq_len = 0;
	k->seq_overflow = false;
}

/* UTF-8 (RFC 3629): the lead byte's length and payload; 0 if it is none. */
static unsigned utf8_lead(uint8_t b, uint32_t *cp)
{
	if (b >= 0xc2 && b <= 0xdf) {
		*cp = b & 0x1f;
		return 2;
	}
	if (b >= 0xe0 && b <= 0xef) {
		*cp = b & 0x0f;
		return 3;
	}
	if (b >= 0xf0 && b <= 0xf4) {
		*cp = b & 0x07;
		return 4;
	}
	return 0;
}

/* A continuation byte of the pending UTF-8 character. */
static void utf8_cont(struct con_keys *k, uint8_t b)
{
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};

	k->utf8_cp = k->utf8_cp << 6 | (b & 0x3f);
	if (--k->utf8_need)
		return;
	uint32_t cp = k->utf8_cp;
	/* Overlong, surrogate, or beyond UCS-2: no key. */
	if (cp >= min[k->utf8_len] && cp <= 0xffff && (cp < 0xd800 || cp > 0xdfff))
		push(k, SCAN_NULL, (CHAR16)cp, 0);
}

/* One byte outside any sequence. */
static void plain_byte(struct con_keys *k, uint8_t b, uint64_t now)
{
	bool lf_after_cr = k->after_cr && now - k->cr_ms <= CON_KEYS_ESC_MS;

	k->after_cr = false;
	if (k->utf8_need) {
		if ((b & 0xc0) == 0x80) {
			utf8_cont(k, b);
			return;
		}
		k->utf8_need = 0; /* cut short: dropped; b counts afresh */
	}
	if (b >= 0x80) {
		unsigned n = utf8_lead(b, &k->utf8_cp);
		/* A stray continuation or an invalid lead byte is dropped. */
		k->utf8_need = (uint8_t)(n ? n - 1 : 0);
		k->utf8_len = (uint8_t)n;
		return;
	}
	switch (b) {
	case 0x00:
		return; /* telnet's CR NUL, padding */
	case '\r':
		k->after_cr = true;
		k->cr_ms = now;
		push(k, SCAN_NULL, CHAR_CARRIAGE_RETURN, 0);
		return;
	case '\n':
		if (!lf_after_cr)
			push(k, SCAN_NULL, CHAR_LINEFEED, 0);
		return;
	case 0x08:
	case 0x7f:
		push(k, SCAN_NULL, CHAR_BACKSPACE, 0);
		return;
	default:
		push(k, SCAN_NULL, b, 0);
	}
}

void con_keys_tick(struct con_keys *k, uint64_t now_ms)
{
	if (k->seq_len && now_ms - k->seq_ms >= CON_KEYS_ESC_MS)
		flush_seq(k, now_ms);
}

void con_keys_feed(struct con_keys *k, uint8_t b, uint64_t now_ms)
{
	/* A sequence that waited too long is over before this byte counts. */
	if (k->seq_len && now_ms - k->seq_ms >= CON_KEYS_ESC_MS)
		flush_seq(k, now_ms);
	if (k->seq_len) {
		seq_byte(k, b, now_ms);
		return;
	}
	if (b == ESC) {
		k->utf8_need = 0;
		k->after_cr = false;
		k->seq[0] = ESC;
		k->seq_len = 1;
		k->seq_ms = now_ms;
		return;
	}
	plain_byte(k, b, now_ms);
}
