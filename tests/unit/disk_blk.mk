# Disk IO and struct blkdev over Block IO (disk/disk_io.c, disk/blkdev_efi.c):
# host unit test sources. virtio_blk.c itself is tested in QEMU
# (test-env/test_disk_blockio.py).
$(BUILD)/unit/test_disk_io: disk/disk_io.c disk/blkdev_efi.c disk/blockio_check.c
$(BUILD)/unit/test_disk_io: UNIT_CFLAGS += $(EFI_INC)
