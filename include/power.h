/* Power off the VM (platform/power.c). */
#ifndef WB_POWER_H
#define WB_POWER_H

/* ACPI S5 through the FADT (PM1 control or the hardware-reduced sleep
 * register), then QEMU's isa-debug-exit; halts if nothing works. */
__attribute__((noreturn)) void power_off(void);

#endif
