/* Disk boot (boot/diskboot.c): every EFI System Partition the disk layer
 * found (a handle with EFI_SIMPLE_FILE_SYSTEM_PROTOCOL under a virtio-blk
 * disk), in order: Boot Loader Spec type 1 entries booted by wireboot, else
 * \EFI\BOOT\BOOTX64.EFI. */
#ifndef WB_DISKBOOT_H
#define WB_DISKBOOT_H

/* Connect the disks (disk_init), then try each ESP. Returns only when
 * nothing on any disk booted, after one log line saying why; -1. */
int diskboot_run(void);

#endif
