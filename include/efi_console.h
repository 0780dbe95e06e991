/* The UEFI console over the serial port (efi/console.c), UEFI 2.10 s.12:
 * Simple Text Output, Simple Text Input and Simple Text Input Ex, and the
 * pure key parser under them (efi/console_keys.c): serial bytes and their
 * arrival times in, EFI_KEY_DATA out.
 *
 * Output: UCS-2 -> UTF-8 on the wire; box-drawing, block, triangle and
 * arrow characters become ASCII ('-', '|', '+', '#', '^', 'v', '<', '>') so
 * menus read on any terminal and in logs. Attributes are ANSI SGR colours,
 * ClearScreen is ESC[2J ESC[H, the cursor ESC[row;colH and ESC[?25h/l.
 * Modes: 0 = 80x25, 1 = 100x31; the Mode structure follows every call.
 *
 * Input: printable ASCII and UTF-8 (BMP), CR -> CHAR_CARRIAGE_RETURN (an LF
 * right after a CR is the same Enter), BS and DEL -> CHAR_BACKSPACE, Tab,
 * other control bytes as their code (Ctrl+L is 0x0c, as EDK2's terminal
 * driver reports it), VT100/xterm/Linux-console sequences for arrows,
 * Home/End/Insert/Delete/PgUp/PgDn and F1-F12, xterm modifiers (ESC[1;5A is
 * Ctrl+Up: KeyShiftState VALID | LEFT_CONTROL), ESC[Z = Shift+Tab; unknown
 * CSI sequences (mouse, focus, cursor reports) are swallowed. ESC alone
 * becomes SCAN_ESC when no byte follows within CON_KEYS_ESC_MS.
 * KeyShiftState is 0 (not valid) unless a sequence carried modifiers: a
 * serial line does not say whether Shift was down for 'A'. KeyToggleState
 * is 0 (not valid) for the same reason; SetState accepts a VALID state and
 * changes nothing. RegisterKeyNotify is real (CON_NOTIFY_MAX entries): the
 * functions run from the console's poll as keys arrive. */
#ifndef WB_EFI_CONSOLE_H
#define WB_EFI_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <efi_types.h>

/* ---- the key parser (pure) ---- */

#define CON_KEYS_QUEUE 32
#define CON_KEYS_SEQ_MAX 16
/* A lone ESC: no follow-up byte within this many milliseconds. */
#define CON_KEYS_ESC_MS 40

struct con_keys {
	uint8_t seq[CON_KEYS_SEQ_MAX]; /* pending escape sequence, seq[0] = ESC */
	uint8_t seq_len;
	bool seq_overflow;   /* too long: swallowed up to its final byte */
	uint64_t seq_ms;     /* arrival of its last byte */
	uint32_t utf8_cp;    /* pending UTF-8 character */
	uint8_t utf8_need;   /* continuation bytes still expected */
	uint8_t utf8_len;    /* its total length */
	bool after_cr;       /* the last byte was CR ... */
	uint64_t cr_ms;      /* ... at this time */
	EFI_KEY_DATA q[CON_KEYS_QUEUE];
	unsigned head, count;
	unsigned dropped;    /* keys lost to a full queue */
};

void con_keys_init(struct con_keys *k);

/* One byte from the line, received at now_ms. */
void con_keys_feed(struct con_keys *k, uint8_t byte, uint64_t now_ms);

/* Time passes: a pending ESC (or a sequence cut short) older than
 * CON_KEYS_ESC_MS becomes keys. */
void con_keys_tick(struct con_keys *k, uint64_t now_ms);

/* Take the oldest key; false if there is none. */
bool con_keys_pop(struct con_keys *k, EFI_KEY_DATA *out);

/* The i-th queued key (0 = oldest) without taking it; false past the end. */
bool con_keys_peek(const struct con_keys *k, unsigned i, EFI_KEY_DATA *out);

/* True while a sequence is pending (a poller should come back after
 * CON_KEYS_ESC_MS). */
bool con_keys_waiting(const struct con_keys *k);

/* ---- the protocols (efi/console.c) ---- */

#define CON_NOTIFY_MAX 8

/* Create the WaitForKey events, reset the modes. Needs the pool (events). */
void efi_console_init(void);

EFI_SIMPLE_TEXT_OUT_PROTOCOL *efi_console_out(void);
EFI_SIMPLE_TEXT_IN_PROTOCOL *efi_console_in(void);
EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *efi_console_in_ex(void);

/* The console handle's device path: Acpi(PNP0501,0)/Uart(115200,8,N,1)/
 * VenMsg(VT-UTF8)/End, as EDK2 describes a serial terminal on COM1. */
EFI_DEVICE_PATH *efi_console_device_path(void);

/* Read what the serial line has, run key notifications. For the event
 * loop's poll hook; the protocols call it themselves too. */
void efi_console_poll(void);

#endif
