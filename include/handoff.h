/* Leaving the firmware for good (boot/handoff.c). */
#ifndef WB_HANDOFF_H
#define WB_HANDOFF_H

/* Shut the NICs down and reset every virtio device (architecture rule 6). */
void handoff_quiesce(void);

/* handoff_quiesce, then the last line the firmware prints before a jump. */
void handoff_prepare(void);

#endif
