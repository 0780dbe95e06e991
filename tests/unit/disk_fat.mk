# FAT (disk/fat_*.c): the host tests link the whole pure core.
FAT_CORE_SRCS := disk/fat_volume.c disk/fat_table.c disk/fat_name.c disk/fat_dir.c \
	disk/fat_node.c disk/fat_file.c platform/rtc.c
$(BUILD)/unit/test_fat: $(FAT_CORE_SRCS) disk/fat_priv.h
$(BUILD)/unit/test_fat_bad: $(FAT_CORE_SRCS) disk/fat_priv.h
