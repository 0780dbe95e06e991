# FAT fuzz targets (tests/fuzz/fuzz_fat*.c): the whole pure core.
FAT_FUZZ_SRCS := disk/fat_volume.c disk/fat_table.c disk/fat_name.c disk/fat_dir.c \
	disk/fat_node.c disk/fat_file.c platform/rtc.c
$(BUILD)/fuzz/fuzz_fat: $(FAT_FUZZ_SRCS) tests/fuzz/fat_fuzz_disk.h disk/fat_priv.h
$(BUILD)/fuzz/fuzz_fat_write: $(FAT_FUZZ_SRCS) tests/fuzz/fat_fuzz_disk.h disk/fat_priv.h
