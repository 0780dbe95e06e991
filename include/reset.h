/* Reset the VM (platform/reset.c). Port I/O first, so it works for the
 * runtime service ResetSystem after ExitBootServices too. */
#ifndef WB_RESET_H
#define WB_RESET_H

#include <stdbool.h>

/* The reset control register 0xcf9 (cold: full reset), the keyboard
 * controller's pulse (0x64 <- 0xfe), the FADT's reset register, then a
 * triple fault. */
__attribute__((noreturn)) void reset_system(bool cold);

#endif
