/* The disk stack, bottom up (architecture rule 2): every virtio-blk disk's
 * partitions become child handles, and every FAT volume on a partition (or
 * on a disk with no partition table) gets Simple File System, so EFI
 * programs see the disks as they would after OVMF's connect-all. */
#include <disk.h>
#include <fat.h>
#include <partition.h>

/* More partitions than this on one disk are left without a file system. */
#define CONNECT_MAX_PARTS 128

size_t disk_connect_all(void)
{
	static EFI_HANDLE parts[CONNECT_MAX_PARTS];
	size_t volumes = 0;

	for (size_t i = 0; i < disk_count(); i++) {
		EFI_HANDLE disk = disk_handle(i);
		if (!partition_connect(disk)) {
			/* No table: maybe a file system on the whole disk. */
			volumes += fat_connect(disk) == 0;
			continue;
		}
		size_t n = partition_children(disk, parts, CONNECT_MAX_PARTS);
		for (size_t k = 0; k < n && k < CONNECT_MAX_PARTS; k++)
			volumes += fat_connect(parts[k]) == 0;
	}
	return volumes;
}
