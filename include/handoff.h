/* Leaving the firmware for good (boot/handoff.c). */
#ifndef WB_HANDOFF_H
#define WB_HANDOFF_H

/* Shut the NICs down and reset every virtio device (architecture rule 6). */
void handoff_quiesce(void);

/* Leave the legacy timer and interrupt controllers as a PC BIOS does, so
 * an OS finds what it expects whichever entry we came from: PIT channel 0
 * at the 18.2 Hz BIOS tick, both 8259s initialised (vector bases
 * 0x08/0x70) with every line masked but the cascade, the local APIC in
 * virtual wire mode. The I/O APIC is left as reset left it (every entry
 * masked); interrupts stay off. docs/boot-flow.md has the table. */
void handoff_legacy_irq(void);

/* handoff_quiesce and handoff_legacy_irq, then the last line the firmware
 * prints before a jump. */
void handoff_prepare(void);

#endif
