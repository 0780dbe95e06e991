# wireboot: network-boot-first firmware for x86_64 VMs.
#   make          build/wireboot.elf (PVH) and build/wireboot.rom (-bios, pflash)
#   make run      boot it in QEMU (installs what is missing first)
#   make test     host unit tests + QEMU integration tests, one summary line
#   make format   clang-format the sources
#   make clean

BUILD   := build
# Short build lines; `make V=1` shows the whole commands.
ifneq ($(V),1)
Q := @
endif
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

LWIP_DIR := third_party/lwip-2.1.3/src
# gnu-efi's headers define the UEFI types; EFIAPI must mean ms_abi.
EFI_INC := -isystem /usr/include/efi -isystem /usr/include/efi/x86_64 -DHAVE_USE_MS_ABI

FW_CC   := gcc
FW_LD   := ld
NASM    := nasm
HOST_CC := gcc
PYTHON  := /usr/bin/python3
MACHINE ?= q35
ENTRY   ?= pvh
MEMORY  ?= 512M

FW_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(shell $(FW_CC) -print-file-name=include) \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fno-common -ffunction-sections --param=min-pagesize=0 \
	-Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Ilwip-port -I$(LWIP_DIR)/include -DWB_VERSION='"$(VERSION)"' \
	$(EFI_INC)
FW_LDFLAGS := -nostdlib -static -T arch/x86_64/wireboot.ld --no-warn-rwx-segments -z noexecstack --gc-sections

FW_C_SRCS := $(wildcard arch/x86_64/*.c platform/*.c lib/*.c boot/*.c drivers/virtio/*.c snp/*.c \
	lwip-port/*.c pxe/*.c httpboot/*.c efi/*.c efi/core/*.c disk/*.c)

# lwIP 2.1.3 from Debian's source package (scripts/deps.sh), compiled untouched.
LWIP_SRCS := $(addprefix $(LWIP_DIR)/core/,init.c def.c dns.c inet_chksum.c ip.c mem.c memp.c \
	netif.c pbuf.c raw.c stats.c sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c) \
	$(addprefix $(LWIP_DIR)/core/ipv4/,etharp.c icmp.c ip4.c ip4_addr.c ip4_frag.c) \
	$(LWIP_DIR)/netif/ethernet.c
LWIP_INC := -Ilwip-port -I$(LWIP_DIR)/include
FW_ASM_SRCS := arch/x86_64/entry.asm arch/x86_64/isr.asm arch/x86_64/handoff.asm \
	arch/x86_64/efi_call.asm
FW_OBJS := $(FW_C_SRCS:%.c=$(BUILD)/fw/%.o) $(FW_ASM_SRCS:%.asm=$(BUILD)/fw/%.o) \
	$(LWIP_SRCS:$(LWIP_DIR)/%.c=$(BUILD)/lwip/%.o)

.PHONY: all run test unit format clean deps demo efi-tests efi-tree

all: $(BUILD)/wireboot.elf $(BUILD)/wireboot.rom

# scripts/deps.sh installs the toolchain (gcc, nasm, gnu-efi) and fetches lwIP
# (Debian's source package, checked), then leaves this stamp. Every firmware
# C file includes lwIP's or gnu-efi's headers, so every firmware object waits
# for it: `make -j2` in a fresh clone works.
LWIP_STAMP := third_party/lwip-2.1.3/.checked

$(LWIP_STAMP):
	scripts/deps.sh

$(BUILD)/fw/%.o: %.c | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(FW_CC) $(FW_CFLAGS) -MMD -MP -c $< -o $@

# lwIP is third-party code: its own warnings are not ours to fix.
$(BUILD)/lwip/%.o: $(LWIP_DIR)/%.c | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (lwIP)"
	$(Q)$(FW_CC) $(filter-out -Werror -Wextra,$(FW_CFLAGS)) -w $(LWIP_INC) -MMD -MP -c $< -o $@

# lwIP's sources exist once the fetch is done.
$(LWIP_SRCS): | $(LWIP_STAMP)

$(BUILD)/fw/%.o: %.asm | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) -f elf64 -g -o $@ $<

# The version string changes with every commit: rebuild what prints it
# (the log's first line, HTTP's User-Agent, SMBIOS type 0).
$(BUILD)/fw/boot/banner.o $(BUILD)/fw/boot/main.o $(BUILD)/fw/httpboot/http_client.o \
	$(BUILD)/fw/efi/smbios.o: FORCE
FORCE:

# The shipped ELF has no debug info; build/wireboot-debug.elf keeps it for gdb.
$(BUILD)/wireboot-debug.elf: $(FW_OBJS) arch/x86_64/wireboot.ld
	@echo "  LD      $@"
	$(Q)$(FW_LD) $(FW_LDFLAGS) -o $@ $(FW_OBJS)

$(BUILD)/wireboot.elf: $(BUILD)/wireboot-debug.elf
	@echo "  STRIP   $@"
	$(Q)objcopy --strip-debug $< $@

$(BUILD)/wireboot.rom: $(BUILD)/wireboot.elf arch/x86_64/reset.asm scripts/mkrom.sh
	$(Q)scripts/mkrom.sh $< arch/x86_64/reset.asm $@

-include $(shell find $(BUILD)/fw $(BUILD)/lwip -name '*.d' 2>/dev/null)

# After the stamp's own run (a fresh clone), so two never run at once under -j.
deps: | $(LWIP_STAMP)
	$(Q)scripts/deps.sh

# The demo tree `make run` boots: Debian's kernel + a busybox initramfs.
DEMO     := $(BUILD)/demo
TFTP_DIR ?= $(DEMO)
BOOTFILE ?= pxelinux.0

demo: $(DEMO)/pxelinux.cfg/default
$(DEMO)/pxelinux.cfg/default: test-env/payload/mkdemo.sh
	$(Q)test-env/payload/mkdemo.sh $(DEMO)

# EFI test programs (gnu-efi) and the EFI payload tree test_efi.py boots:
# efitest.efi, a UKI, the kernel as an EFI program (test-env/efi/efi.mk).
-include test-env/efi/efi.mk
$(EFI_TEST_BINS): | $(LWIP_STAMP)

run: deps all demo
	MACHINE=$(MACHINE) ENTRY=$(ENTRY) MEMORY=$(MEMORY) TFTP_DIR=$(TFTP_DIR) BOOTFILE=$(BOOTFILE) \
		$(PYTHON) test-env/run.py

# Host unit tests: the firmware's own parsers and allocators, built with the
# host compiler. -idirafter keeps the C library's headers ahead of ours.
# Undefined behaviour aborts the test (-fno-sanitize-recover=all), and
# scripts/test.sh fails a test whose output holds any sanitizer report.
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -idirafter include \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

# Each test's firmware sources are listed in tests/unit/unit.mk.
-include tests/unit/unit.mk
# The disk layer's tests list their sources in tests/unit/disk_*.mk, one per part.
-include $(wildcard tests/unit/disk_*.mk)
$(BUILD)/unit/test_mmio_cmdline: platform/mmio_cmdline.c
$(BUILD)/unit/test_dhcp: pxe/dhcp_packet.c
$(BUILD)/unit/test_dhcp_client: pxe/dhcp_client.c pxe/dhcp_packet.c
$(BUILD)/unit/test_snp_frame: snp/snp_frame.c
$(BUILD)/unit/test_smbios: platform/smbios_parse.c platform/smbios_build.c
$(BUILD)/unit/test_efi_event: efi/core/event.c
$(BUILD)/unit/test_tftp: pxe/tftp.c pxe/tftp_packet.c lib/format.c
$(BUILD)/unit/test_pxelinux: pxe/pxelinux.c
$(BUILD)/unit/test_bzimage: boot/bzimage.c platform/memmap.c
$(BUILD)/unit/test_efi_event: UNIT_CFLAGS += $(EFI_INC)
$(BUILD)/unit/test_snp_frame: UNIT_CFLAGS += $(EFI_INC)

$(BUILD)/unit/%: tests/unit/%.c $(wildcard include/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) -o $@ $(filter %.c,$^) -lcmocka

# libFuzzer targets for every parser of outside input (`make fuzz`); each
# target's sources are listed in tests/fuzz/fuzz.mk.
-include tests/fuzz/fuzz.mk
-include $(wildcard tests/fuzz/disk_*.mk)

# The host tests need deps.sh's compilers and cmocka too.
$(UNIT_TESTS) $(FUZZ_BINS): | $(LWIP_STAMP)

# `make unit`: the host unit tests, then every fuzz target replays its seeds
# and its regression inputs once (tests/fuzz/{corpus,regressions}/<target>/).
# `make test` adds the QEMU integration tests. One summary line each.
unit: $(UNIT_TESTS) $(FUZZ_BINS)
	@WB_UNIT_ONLY=1 scripts/test.sh $(UNIT_TESTS) $(FUZZ_BINS)

test: deps all demo efi-tree $(UNIT_TESTS) $(FUZZ_BINS)
	@scripts/test.sh $(UNIT_TESTS) $(FUZZ_BINS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
