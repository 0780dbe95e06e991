/* Leaving the firmware for good (boot/handoff.c). */
#ifndef WB_HANDOFF_H
#define WB_HANDOFF_H

/* Shut the NICs down and reset every virtio device (architecture rule 6),
 * then print the last line the firmware prints. */
void handoff_prepare(void);

#endif
