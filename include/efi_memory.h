/* UEFI memory services (efi/core/memory.c), UEFI 2.10 s.7.2, over the one
 * memory map. The efi_mem_* functions are the internal ones; the boot
 * services table gets EFIAPI wrappers through efi_mem_fill_boot_services. */
#ifndef WB_EFI_MEMORY_H
#define WB_EFI_MEMORY_H

#include <efi_types.h>

/* GetMemoryMap's descriptor stride: larger than the structure, as OVMF's,
 * so a program that ignores DescriptorSize fails here and not on a PC. */
#define EFI_MEM_DESC_SIZE (sizeof(EFI_MEMORY_DESCRIPTOR) + 8)

EFI_STATUS efi_mem_allocate_pages(EFI_ALLOCATE_TYPE how, UINT32 type, UINTN pages,
				  EFI_PHYSICAL_ADDRESS *addr);
EFI_STATUS efi_mem_free_pages(EFI_PHYSICAL_ADDRESS addr, UINTN pages);
EFI_STATUS efi_mem_get_map(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key, UINTN *desc_size,
			   UINT32 *version);
EFI_STATUS efi_mem_allocate_pool(UINT32 type, UINTN size, VOID **buf);
EFI_STATUS efi_mem_free_pool(VOID *buf);

/* The key GetMemoryMap hands out now; it changes with every change. */
UINTN efi_mem_map_key(void);

void efi_mem_fill_boot_services(EFI_BOOT_SERVICES *bs);

#endif
