/* SMBIOS as an EFI configuration table (UEFI 2.10 s.4.6, SMBIOS 3.6
 * s.5.2): QEMU's fw_cfg anchor and structures, copied into runtime memory
 * with the anchor's table address and checksums filled in; where the VMM
 * gives none (microvm), a minimal table of our own. */
#include <string.h>
#include <chipset.h>
#include <efi_smbios.h>
#include <efi_systab.h>
#include <fw_cfg.h>
#include <smbios.h>
#include <sysmem.h>

/* Sum of bytes, for the entry point checksums (SMBIOS 3.6 s.5.2). */
static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s;
}

/* Types 0, 1 and 127 behind a 3.0 entry point, so programs and the OS
 * find the firmware and the machine named (dmidecode, systemd). */
static void install_minimal(void)
{
	const struct smbios_ids ids = { "wireboot", WB_VERSION, fw_cfg_present() ? "QEMU" : NULL,
					chipset_name(chipset_detect()) };
	uint8_t *mem = sysmem_alloc_pages(1, MEM_RT_DATA, 1ULL << 32);
	if (!mem)
		return;
	size_t n = smbios_build_minimal(mem + 64, PAGE_SIZE - 64, &ids);
	if (!n) {
		memmap_free(&sys_memmap, (uintptr_t)mem, 1);
		return;
	}
	smbios_entry3(mem, (uintptr_t)(mem + 64), (uint32_t)n);
	static const EFI_GUID g3 = SMBIOS3_TABLE_GUID;
	efi_install_config_table(&g3, mem);
}

void efi_smbios_install(void)
{
	uint16_t asel, tsel;
	uint32_t alen, tlen;

	if (fw_cfg_find("etc/smbios/smbios-anchor", &asel, &alen) ||
	    fw_cfg_find("etc/smbios/smbios-tables", &tsel, &tlen) || alen < 24 || alen > 64 ||
	    !tlen || tlen > (1u << 20)) {
		install_minimal();
		return;
	}
	/* Runtime data: the OS reads the tables after ExitBootServices. */
	uint8_t *mem = sysmem_alloc_pages(memmap_pages(64 + tlen), MEM_RT_DATA, 1ULL << 32);
	if (!mem)
		return;
	uint8_t *anchor = mem, *tables = mem + 64;
	fw_cfg_read(asel, anchor, alen);
	fw_cfg_read(tsel, tables, tlen);
	uint64_t at = (uintptr_t)tables;
	if (!memcmp(anchor, "_SM3_", 5) && anchor[6] >= 24 && anchor[6] <= alen) {
		/* 64-bit entry point: table address at offset 0x10. */
		memcpy(anchor + 0x10, &at, 8);
		anchor[5] = 0;
		anchor[5] = (uint8_t)-sum8(anchor, anchor[6]);
		static const EFI_GUID g3 = SMBIOS3_TABLE_GUID;
		efi_install_config_table(&g3, anchor);
	} else if (!memcmp(anchor, "_SM_", 4) && anchor[5] >= 31 && anchor[5] <= alen) {
		/* 32-bit entry point: table address at 0x18, intermediate
		 * checksum over 0x10.., then the whole one. */
		uint32_t at32 = (uint32_t)at;
		memcpy(anchor + 0x18, &at32, 4);
		anchor[0x15] = 0;
		anchor[0x15] = (uint8_t)-sum8(anchor + 0x10, 15);
		anchor[4] = 0;
		anchor[4] = (uint8_t)-sum8(anchor, anchor[5]);
		static const EFI_GUID g2 = SMBIOS_TABLE_GUID;
		efi_install_config_table(&g2, anchor);
	}
}
