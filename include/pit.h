/* The 8254 programmable interval timer (platform/pit.c). */
#ifndef WB_PIT_H
#define WB_PIT_H

#include <stdint.h>

/* Channel 0 as a PC BIOS leaves it: mode 3 (square wave), count 65536,
 * 18.2 Hz on IRQ0. Channels 1 and 2 and port 0x61 are not touched. */
void pit_set_bios_tick(void);

/* The read-back status byte of a channel (0-2): bit 7 OUT, bit 6 null
 * count, bits 5-4 access mode, bits 3-1 mode, bit 0 BCD. 0xff when no
 * PIT answers. */
uint8_t pit_status(unsigned channel);

/* The counting mode (0-5) in a status byte; modes 6 and 7 alias 2 and 3. */
static inline unsigned pit_status_mode(uint8_t status)
{
	unsigned mode = (status >> 1) & 7;

	return mode >= 6 ? mode - 4 : mode;
}

#endif
