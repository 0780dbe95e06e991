/* The two cascaded 8259A interrupt controllers (platform/pic.c). */
#ifndef WB_PIC_H
#define WB_PIC_H

#include <stdint.h>

/* The PC-AT vector bases a BIOS programs: IRQ0-7 at 0x08, IRQ8-15 at 0x70. */
#define PIC_BIOS_MASTER_BASE 0x08
#define PIC_BIOS_SLAVE_BASE  0x70

/* Initialise both controllers (ICW1-ICW4: edge, cascade on IRQ2, 8086
 * mode) with the BIOS vector bases, every line masked but the cascade:
 * the masks Linux's own 16-bit setup code leaves before its 32-bit entry. */
void pic_init_masked(void);

/* The interrupt masks, master in bits 0-7, slave in bits 8-15. */
uint16_t pic_masks(void);

#endif
