/* The 8254 PIT: the BIOS tick a hand-off leaves on channel 0, and its
 * read-back status. Intel 8254 data sheet (231164), "Read-Back Command". */
#include <io.h>
#include <pit.h>

#define PIT_CH0 0x40
#define PIT_CMD 0x43

#define PIT_SEL_CH0	0x00
#define PIT_ACCESS_LOHI 0x30
#define PIT_MODE3	0x06
#define PIT_READBACK	0xc0
#define PIT_RB_NO_COUNT 0x20 /* latch the status only */

void pit_set_bios_tick(void)
{
	/* Count 0 means 65536: 1193182 Hz / 65536 = 18.2 Hz, the IBM PC
	 * tick SeaBIOS programs (and the 8254's state after QEMU's reset). */
	outb(PIT_CMD, PIT_SEL_CH0 | PIT_ACCESS_LOHI | PIT_MODE3);
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);
}

uint8_t pit_status(unsigned channel)
{
	if (channel > 2)
		return 0xff;
	outb(PIT_CMD, PIT_READBACK | PIT_RB_NO_COUNT | (uint8_t)(2u << channel));
	return inb(PIT_CH0 + channel);
}
