# Partition tables (disk/gpt.c, disk/mbr.c): fuzz targets' sources.
$(BUILD)/fuzz/fuzz_gpt: disk/gpt.c lib/crc32.c
$(BUILD)/fuzz/fuzz_mbr: disk/mbr.c
$(BUILD)/fuzz/fuzz_gpt $(BUILD)/fuzz/fuzz_mbr: FUZZ_CFLAGS += $(EFI_INC)
