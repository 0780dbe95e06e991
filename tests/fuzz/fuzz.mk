# libFuzzer targets for every parser of outside input (tests/fuzz/fuzz_*.c,
# picked up by name: a new target joins every rule below by existing).
#   make fuzz                 build each and run it for FUZZ_SECONDS
#   make fuzz-build           only build them, into $(BUILD)/fuzz/
#   make fuzz-replay          run every seed and regression input once
#   make fuzz-run-fuzz_config one target
#   make fuzz-long            the campaign: every target, one at a time under
#                             `nice -n 19`, for FUZZ_RUNS (10^7) executions
#                             or FUZZ_LONG_SECONDS (3600) each, whichever
#                             comes first; prints a table (tests/fuzz/campaign.py).
#                             FUZZ_LONG_BUDGET=<s> caps the whole run: each
#                             target gets an equal share of what is left
#   make fuzz-long-fuzz_dhcp  one target of it; its log, ending in libFuzzer's
#                             `#N DONE cov: ... exec/s:` line and final
#                             stats, is $(BUILD)/fuzz/long/<target>.log
# `make unit` and `make test` build every target and replay its inputs too
# (scripts/test.sh): one pass or fail line per target.
# Inputs, per target:
#   tests/fuzz/corpus/<target>/       seeds (written by tests/fuzz/mkseeds.py)
#   tests/fuzz/regressions/<target>/  inputs that once crashed, kept so a
#                                     fixed bug stays fixed
# A fuzzing run keeps what it learns in $(BUILD)/fuzz/corpus/<target>/. A
# crash, leak, timeout or sanitizer report fails the run and leaves the
# reproducer in $(BUILD)/fuzz/<target>-crash-<sha1>; replay it with
# $(BUILD)/fuzz/<target> <file>, and once fixed, move it to
# tests/fuzz/regressions/<target>/ under a name that says what it hit.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
FUZZ_RUNS ?= 10000000
FUZZ_LONG_SECONDS ?= 3600
FUZZ_LONG_TARGETS ?= $(FUZZ_TARGETS)
FUZZ_NICE ?= nice -n 19
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -idirafter include \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
FUZZ_HEADERS := $(wildcard include/*.h tests/unit/*.h)

$(FUZZ_BINS): $(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

.PHONY: fuzz fuzz-build fuzz-replay fuzz-long $(FUZZ_TARGETS:%=fuzz-run-%) \
	$(FUZZ_TARGETS:%=fuzz-long-%)
fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_TARGETS:%=fuzz-run-%)

fuzz-replay: $(FUZZ_BINS)
	@WB_UNIT_ONLY=1 scripts/test.sh $(FUZZ_BINS)

$(FUZZ_TARGETS:%=fuzz-run-%): fuzz-run-%: $(BUILD)/fuzz/%
	@mkdir -p $(BUILD)/fuzz/corpus/$*
	$< -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
		-artifact_prefix=$(BUILD)/fuzz/$*- \
		$(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) \
		$(BUILD)/fuzz/corpus/$* $(wildcard tests/fuzz/corpus/$* tests/fuzz/regressions/$*)

# The long mode. The script runs `make fuzz-long-<target>` for each target in
# turn (never two at once, whatever -j says) and prints the table that
# docs/testing.md records; its exit status fails if any target did.
fuzz-long: $(FUZZ_BINS)
	@tests/fuzz/campaign.py --build $(BUILD) $(if $(FUZZ_LONG_BUDGET),--budget $(FUZZ_LONG_BUDGET)) \
		$(FUZZ_LONG_TARGETS)

# libFuzzer's default is one fuzzing process (no -jobs, no -workers, no -fork).
# FUZZ_LONG_FLAGS_<target>: libFuzzer options of one target's long run.
# fuzz_fat's inputs take from microseconds to 0.2 s (a directory of 65536
# entries, the spec's limit, listed whole under the sanitizers). Scheduled
# by rare features alone, a run came to spend its time on the slow ones:
# from 3,400 exec/s in its first 10 minutes down to about 200 an hour in.
# Scaled by each input's run time, the schedule still fuzzes them, less
# often: 3,400 exec/s from the same corpus, and the same coverage.
FUZZ_LONG_FLAGS_fuzz_fat := -entropic_scale_per_exec_time=1
$(FUZZ_TARGETS:%=fuzz-long-%): fuzz-long-%: $(BUILD)/fuzz/%
	@mkdir -p $(BUILD)/fuzz/corpus/$* $(BUILD)/fuzz/long
	@echo "  FUZZ    $* (-runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_LONG_SECONDS) $(FUZZ_LONG_FLAGS_$*)) > $(BUILD)/fuzz/long/$*.log"
	$(Q)$(FUZZ_NICE) $< -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_LONG_SECONDS) -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/$*- $(FUZZ_LONG_FLAGS_$*) \
		$(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) \
		$(BUILD)/fuzz/corpus/$* $(wildcard tests/fuzz/corpus/$* tests/fuzz/regressions/$*) \
		> $(BUILD)/fuzz/long/$*.log 2>&1 || { tail -n 60 $(BUILD)/fuzz/long/$*.log; exit 1; }

# Each target's firmware sources, one line per target. Never lib/string.c: on
# the host the C library's string functions are the ones to use.
$(BUILD)/fuzz/fuzz_memmap: platform/memmap.c
$(BUILD)/fuzz/fuzz_config: platform/config.c
$(BUILD)/fuzz/fuzz_acpi_tables: platform/acpi_tables.c lib/format.c
$(BUILD)/fuzz/fuzz_acpi_loader: platform/acpi_tables.c lib/format.c
$(BUILD)/fuzz/fuzz_mmio_cmdline: platform/mmio_cmdline.c
$(BUILD)/fuzz/fuzz_dhcp: pxe/dhcp_client.c pxe/dhcp_packet.c
$(BUILD)/fuzz/fuzz_tftp: pxe/tftp.c pxe/tftp_packet.c lib/format.c
$(BUILD)/fuzz/fuzz_pxelinux: pxe/pxelinux.c
$(BUILD)/fuzz/fuzz_bzimage: boot/bzimage.c platform/memmap.c
$(BUILD)/fuzz/fuzz_pe: efi/pe.c
$(BUILD)/fuzz/fuzz_snp_frame: snp/snp_frame.c
$(BUILD)/fuzz/fuzz_snp_frame: FUZZ_CFLAGS += $(EFI_INC)
$(BUILD)/fuzz/fuzz_smbios: platform/smbios_parse.c
$(BUILD)/fuzz/fuzz_devpath: efi/core/devpath.c efi/core/devpath_text.c efi/core/handle.c \
	efi/core/handle_locate.c efi/core/driver.c
$(BUILD)/fuzz/fuzz_devpath: FUZZ_CFLAGS += $(EFI_INC)
$(BUILD)/fuzz/fuzz_efi_vars: efi/variables.c
$(BUILD)/fuzz/fuzz_efi_vars: FUZZ_CFLAGS += $(EFI_INC)
$(BUILD)/fuzz/fuzz_console_keys: efi/console_keys.c
$(BUILD)/fuzz/fuzz_console_keys: FUZZ_CFLAGS += $(EFI_INC)
$(BUILD)/fuzz/fuzz_url: boot/fetch_url.c
$(BUILD)/fuzz/fuzz_http_head: httpboot/http_parse.c
$(BUILD)/fuzz/fuzz_http_chunked: httpboot/http_chunked.c httpboot/http_parse.c
