/* The boot manager (boot/bootmgr.c): what to boot, in which order, and
 * what happens when something fails. */
#ifndef WB_BOOTMGR_H
#define WB_BOOTMGR_H

#include <config.h>

/* Defaults of the network's time limits, in seconds: together they bound
 * how long a network with nothing to give delays the disk
 * (docs/disk-boot.md). */
#define LINK_TIMEOUT_DEFAULT 2 /* link_timeout: until some NIC has a link */
#define DHCP_TIMEOUT_DEFAULT 10 /* dhcp_timeout: DHCP on all NICs together */

/* Run boot_order (net,disk by default): network boot (link, DHCP, boot
 * file, pxelinux.cfg, Linux), disk boot (boot/diskboot.c). Returns only
 * when nothing could be booted, after the final line; main powers off. */
void bootmgr_run(const struct config *cfg);

#endif
