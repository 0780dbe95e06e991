/* Fuzz the serial key parser (efi/console_keys.c). The input is the line:
 * each byte is fed at the current time, except 0xfe, which makes the next
 * byte a pause (that many milliseconds, then a tick) -- so a lone ESC, a
 * sequence cut short and a CR LF pair all happen. Keys are taken now and
 * then (byte 0xfd). Checked: every key is one a keyboard could send (a
 * scan code up to SCAN_ESC with no character, or a character that is no
 * surrogate), shift states carry their VALID bit, the queue stays within
 * bounds, nothing is pending after a long pause, and a plain 'Z' fed last
 * always comes out last: the parser recovers from anything. Any crash,
 * sanitizer report or abort is a bug. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <efi_console.h>

static struct con_keys k;

static void check_key(const EFI_KEY_DATA *d)
{
	if (d->Key.ScanCode > SCAN_ESC)
		abort();
	if (d->Key.ScanCode && d->Key.UnicodeChar)
		abort();
	if (!d->Key.ScanCode && !d->Key.UnicodeChar)
		abort();
	if (d->Key.UnicodeChar >= 0xd800 && d->Key.UnicodeChar <= 0xdfff)
		abort();
	if (d->KeyState.KeyShiftState && !(d->KeyState.KeyShiftState & EFI_SHIFT_STATE_VALID))
		abort();
	if (d->KeyState.KeyToggleState)
		abort();
}

static EFI_KEY_DATA last;

static void drain(void)
{
	EFI_KEY_DATA d;
	unsigned n = 0;

	if (k.count > CON_KEYS_QUEUE || k.head >= CON_KEYS_QUEUE)
		abort();
	while (con_keys_pop(&k, &d)) {
		check_key(&d);
		last = d;
		if (++n > CON_KEYS_QUEUE)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	uint64_t now = 1000;

	con_keys_init(&k);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == 0xfe && i + 1 < len) {
			now += p[++i];
			con_keys_tick(&k, now);
		} else if (p[i] == 0xfd) {
			drain();
		} else {
			con_keys_feed(&k, p[i], now);
		}
		if (k.count > CON_KEYS_QUEUE)
			abort();
	}
	now += CON_KEYS_ESC_MS;
	con_keys_tick(&k, now);
	if (con_keys_waiting(&k))
		abort();
	drain();
	con_keys_feed(&k, 'Z', now + 1000);
	drain();
	if (last.Key.UnicodeChar != 'Z' || last.Key.ScanCode)
		abort();
	return 0;
}
