/* The boot manager (boot/bootmgr.c): what to boot, in which order, and
 * what happens when something fails. */
#ifndef WB_BOOTMGR_H
#define WB_BOOTMGR_H

#include <config.h>

/* Network boot: DHCP, boot file, pxelinux.cfg, Linux. Returns only when
 * nothing could be booted; every failure has printed its line. */
void bootmgr_run(const struct config *cfg);

#endif
