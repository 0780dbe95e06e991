# EFI test programs (gnu-efi) and the EFI payload tree for issue 8's tests.
# Included by the root Makefile; usable alone for a quick build:
#   make -f test-env/efi/efi.mk efi-tests    build/efi-tests/efitest.efi, efichild.efi,
#                                            pxetest.efi (test_pxe_bc.py's boot file)
#   make -f test-env/efi/efi.mk efi-tree     build/efi-tree: the TFTP root test_efi.py serves
#
# gnu-efi 3.0.15 (Debian 12) is built with GNU_EFI_USE_MS_ABI: EFIAPI means
# __attribute__((ms_abi)), firmware calls are plain C calls (no
# uefi_call_wrapper, no EFI_FUNCTION_WRAPPER), and crt0 calls efi_main with
# the System V convention after relocating the image itself from its ELF
# .rela entries. Flags follow gnu-efi's own Make.defaults for x86_64.

BUILD ?= build
ifneq ($(V),1)
Q ?= @
endif

EFI_TEST_DIR  := $(BUILD)/efi-tests
EFI_TREE      := $(BUILD)/efi-tree
EFI_TEST_BINS := $(EFI_TEST_DIR)/efitest.efi $(EFI_TEST_DIR)/efichild.efi \
	$(EFI_TEST_DIR)/efifault.efi $(EFI_TEST_DIR)/pxetest.efi

GNUEFI_LIB    := /usr/lib
GNUEFI_CRT0   := $(GNUEFI_LIB)/crt0-efi-x86_64.o
GNUEFI_LDS    := $(GNUEFI_LIB)/elf_x86_64_efi.lds

EFI_TEST_CFLAGS := -std=gnu11 -O2 -g -fpic -fshort-wchar -ffreestanding -fno-stack-protector \
	-fno-stack-check -fno-strict-aliasing -mno-red-zone -maccumulate-outgoing-args \
	-DGNU_EFI_USE_MS_ABI -Wall -Wextra -Werror -Wno-unused-parameter -Wno-pointer-sign \
	-isystem /usr/include/efi -isystem /usr/include/efi/x86_64 -isystem /usr/include/efi/protocol
EFI_TEST_LDFLAGS := -nostdlib --no-undefined --build-id=sha1 -shared -Bsymbolic \
	-z nocombreloc --no-warn-rwx-segments -T $(GNUEFI_LDS)
EFI_TEST_LIBS := -L$(GNUEFI_LIB) -lefi -lgnuefi $(shell gcc -print-libgcc-file-name)
# The sections gnu-efi's PE image is made of (its Make.rules).
EFI_TEST_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
	-j .rela -j '.rel.*' -j '.rela.*' -j .reloc

EFITEST_SRCS := $(addprefix test-env/efi/,efitest.c check_memory.c check_events.c \
	check_protocols.c check_services.c check_image.c check_runtime.c check_rng.c \
	check_snp.c check_console.c check_blockio.c check_fileio.c)
EFITEST_OBJS := $(EFITEST_SRCS:test-env/efi/%.c=$(EFI_TEST_DIR)/obj/%.o) \
	$(EFI_TEST_DIR)/obj/child_blob.o
EFICHILD_OBJS := $(EFI_TEST_DIR)/obj/efichild.o
EFIFAULT_OBJS := $(EFI_TEST_DIR)/obj/efifault.o
PXETEST_OBJS  := $(EFI_TEST_DIR)/obj/pxetest.o

.PHONY: efi-tests efi-tree
efi-tests: $(EFI_TEST_BINS)

$(EFI_TEST_DIR)/obj/%.o: test-env/efi/%.c test-env/efi/efitest.h
	@mkdir -p $(dir $@)
	@echo "  EFICC   $<"
	$(Q)gcc $(EFI_TEST_CFLAGS) -c $< -o $@

# efitest carries efichild.efi inside it, to LoadImage it from a buffer.
$(EFI_TEST_DIR)/obj/child_blob.o: test-env/efi/child_blob.S $(EFI_TEST_DIR)/efichild.efi
	@mkdir -p $(dir $@)
	@echo "  EFIAS   $<"
	$(Q)gcc -c -DEFICHILD_PATH='"$(EFI_TEST_DIR)/efichild.efi"' $< -o $@

# crt0 first: it is the entry point and relocates the image.
$(EFI_TEST_DIR)/%.so: $(GNUEFI_CRT0) $(GNUEFI_LDS)
	@echo "  EFILD   $@"
	$(Q)ld $(EFI_TEST_LDFLAGS) -o $@ $(GNUEFI_CRT0) \
		$(filter-out $(GNUEFI_CRT0),$(filter %.o,$^)) $(EFI_TEST_LIBS)

$(EFI_TEST_DIR)/efitest.so: $(EFITEST_OBJS)
$(EFI_TEST_DIR)/efichild.so: $(EFICHILD_OBJS)
$(EFI_TEST_DIR)/efifault.so: $(EFIFAULT_OBJS)
$(EFI_TEST_DIR)/pxetest.so: $(PXETEST_OBJS)

# subsystem 10: EFI application.
$(EFI_TEST_DIR)/%.efi: $(EFI_TEST_DIR)/%.so
	@echo "  EFIPE   $@"
	$(Q)objcopy $(EFI_TEST_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@

# The TFTP root of the UEFI integration tests: the test programs, a UKI,
# Debian's kernel as vmlinuz.efi and the initramfs both boot.
efi-tree: $(EFI_TREE)/efitest.efi
$(EFI_TREE)/efitest.efi: $(EFI_TEST_BINS) test-env/payload/mkefitree.sh \
		test-env/payload/mkuki.sh test-env/payload/efi-init.sh
	$(Q)test-env/payload/mkefitree.sh $(EFI_TREE) $(EFI_TEST_DIR)
