/* Disk boot (boot/diskboot.c): every EFI System Partition the disk layer
 * found (a handle with EFI_SIMPLE_FILE_SYSTEM_PROTOCOL under a virtio-blk
 * disk), in order: Boot Loader Spec type 1 entries booted by wireboot, else
 * \EFI\BOOT\BOOTX64.EFI. */
#ifndef WB_DISKBOOT_H
#define WB_DISKBOOT_H

#include <stdbool.h>

/* Try each file system the disk layer connected (disk/connect.c), ESPs
 * first; linux_efi (linux_boot=efi) starts BLS kernels through their EFI
 * stub, as the network boot does. Returns only when nothing on any disk
 * booted, after one log line saying why; -1. */
int diskboot_run(bool linux_efi);

#endif
