# The firmware sources each host unit test links (the root Makefile's
# pattern rule compiles tests/unit/<test>.c with them, -lcmocka). Never
# lib/string.c: on the host the C library's string functions are used.
$(BUILD)/unit/test_memmap: platform/memmap.c
$(BUILD)/unit/test_pool: platform/memmap.c platform/pool.c
$(BUILD)/unit/test_format: lib/format.c
$(BUILD)/unit/test_config: platform/config.c
$(BUILD)/unit/test_acpi_tables: platform/acpi_tables.c lib/format.c
$(BUILD)/unit/test_pxelinux_names: pxe/pxelinux_names.c
$(BUILD)/unit/test_pe: efi/pe.c
$(BUILD)/unit/test_efi_vars: efi/variables.c
$(BUILD)/unit/test_efi_vars: UNIT_CFLAGS += $(EFI_INC)
$(BUILD)/unit/test_rtc: platform/rtc.c
$(BUILD)/unit/test_fetch_url: boot/fetch_url.c
$(BUILD)/unit/test_efi_runtime: efi/runtime.c efi/variables.c platform/rtc.c lib/crc32.c
$(BUILD)/unit/test_efi_runtime: UNIT_CFLAGS += $(EFI_INC)
$(BUILD)/unit/test_efi_handle: efi/core/handle.c efi/core/handle_locate.c efi/core/driver.c \
	efi/core/devpath.c
$(BUILD)/unit/test_efi_handle: UNIT_CFLAGS += $(EFI_INC)
$(BUILD)/unit/test_efi_devpath: efi/core/devpath.c efi/core/devpath_text.c
$(BUILD)/unit/test_efi_devpath: UNIT_CFLAGS += $(EFI_INC)
$(BUILD)/unit/test_console_keys: efi/console_keys.c
$(BUILD)/unit/test_console_keys: UNIT_CFLAGS += $(EFI_INC)
$(BUILD)/unit/test_efi_console: efi/console.c efi/console_keys.c
$(BUILD)/unit/test_efi_console: UNIT_CFLAGS += $(EFI_INC)
$(BUILD)/unit/test_http_client: httpboot/http_client.c httpboot/http_parse.c httpboot/http_chunked.c \
	boot/fetch_url.c lib/format.c
$(BUILD)/unit/test_http_parse: httpboot/http_parse.c
$(BUILD)/unit/test_http_chunked: httpboot/http_chunked.c httpboot/http_parse.c
$(BUILD)/unit/test_pxe_bc: pxe/pxe_bc_mode.c
$(BUILD)/unit/test_pxe_bc: UNIT_CFLAGS += $(EFI_INC)
$(BUILD)/unit/test_inet_sum: lwip-port/inet_sum.c
$(BUILD)/unit/test_http_boot: httpboot/http_boot_dp.c efi/core/devpath.c efi/core/devpath_text.c
$(BUILD)/unit/test_http_boot: UNIT_CFLAGS += $(EFI_INC)
$(BUILD)/unit/test_tftp_restart: pxe/tftp.c pxe/tftp_packet.c lib/format.c
