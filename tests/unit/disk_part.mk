# Partition tables (disk/gpt.c, disk/mbr.c): host unit tests' sources.
$(BUILD)/unit/test_gpt: disk/gpt.c lib/crc32.c
$(BUILD)/unit/test_mbr: disk/mbr.c disk/gpt.c lib/crc32.c
$(BUILD)/unit/test_gpt $(BUILD)/unit/test_mbr: UNIT_CFLAGS += $(EFI_INC)
