/* Power off the VM (platform/power.c). */
#ifndef WB_POWER_H
#define WB_POWER_H

/* ACPI S5 through the FADT (PM1 control or the hardware-reduced sleep
 * register), then QEMU's isa-debug-exit; halts if nothing works. */
__attribute__((noreturn)) void power_off(void);

/* Look up the S5 sleep type now (DSDT), so a later power_off() -- the
 * runtime service ResetSystem's shutdown -- touches only ports and the
 * FADT's registers. */
void power_off_prepare(void);

#endif
