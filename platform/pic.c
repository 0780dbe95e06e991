/* The 8259A pair of a PC: initialised as a BIOS does, all lines masked.
 * Intel 8259A data sheet (231468), "Initialization Command Words". */
#include <io.h>
#include <pic.h>

#define PIC1_CMD 0x20
#define PIC2_CMD 0xa0

#define ICW1_INIT_ICW4		  0x11 /* edge triggered, cascade, ICW4 follows */
#define ICW3_MASTER_SLAVE_ON_IRQ2 0x04
#define ICW3_SLAVE_ID		  0x02
#define ICW4_8086		  0x01
#define MASK_ALL_BUT_CASCADE	  0xfb
#define MASK_ALL		  0xff

/* ICW1-ICW4 for one controller, then its mask (OCW1). */
static void pic_init_one(uint16_t cmd, uint8_t base, uint8_t icw3, uint8_t mask)
{
	outb(cmd + 1, MASK_ALL);
	outb(cmd, ICW1_INIT_ICW4);
	outb(cmd + 1, base);
	outb(cmd + 1, icw3);
	outb(cmd + 1, ICW4_8086);
	outb(cmd + 1, mask); /* ICW1 cleared it */
}

void pic_init_masked(void)
{
	pic_init_one(PIC1_CMD, PIC_BIOS_MASTER_BASE, ICW3_MASTER_SLAVE_ON_IRQ2,
		     MASK_ALL_BUT_CASCADE);
	pic_init_one(PIC2_CMD, PIC_BIOS_SLAVE_BASE, ICW3_SLAVE_ID, MASK_ALL);
}

uint16_t pic_masks(void)
{
	return (uint16_t)(inb(PIC1_CMD + 1) | inb(PIC2_CMD + 1) << 8);
}
