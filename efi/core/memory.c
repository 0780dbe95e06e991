/* UEFI memory services over the one memory map (UEFI 2.10 s.7.2):
 * AllocatePages, FreePages, GetMemoryMap, AllocatePool, FreePool. Pages and
 * pool come from sys_memmap and sys_pool, so GetMemoryMap, the e820 table
 * for Linux and the firmware's own allocations are one view. */
#include <stdbool.h>
#include <string.h>
#include <crc32.h>
#include <efi_memory.h>
#include <log.h>
#include <sysmem.h>

/* Nothing below 1 MiB: real-mode structures live there (as sysmem.c). */
#define EFI_ALLOC_MIN (1ULL << 20)
/* Types an OS loader or OEM may define (UEFI 2.10 s.7.2, Table 7-6). */
#define EFI_OEM_TYPE_MIN 0x70000000u

extern char __image_start[], __image_end[];

/* Valid for AllocatePages: the spec's types but conventional memory and
 * persistent memory, or the OEM / OS-loader ranges. */
static bool type_allocatable(UINT32 t)
{
	if (t >= EFI_OEM_TYPE_MIN)
		return true;
	return t < MEM_TYPE_COUNT && t != MEM_FREE && t != MEM_PERSISTENT;
}

EFI_STATUS efi_mem_allocate_pages(EFI_ALLOCATE_TYPE how, UINT32 type, UINTN pages,
				  EFI_PHYSICAL_ADDRESS *addr)
{
	uint64_t base;
	int rc;

	if (!addr || !type_allocatable(type))
		return EFI_INVALID_PARAMETER;
	if (!pages)
		return EFI_INVALID_PARAMETER;
	if (pages > (UINT64_MAX >> PAGE_SHIFT))
		return EFI_OUT_OF_RESOURCES;
	switch (how) {
	case AllocateAnyPages:
		/* Below 4 GiB first, as other firmware does (32-bit DMA, loaders
		 * that keep 32-bit pointers). */
		rc = memmap_alloc(&sys_memmap, pages, type, PAGE_SIZE, EFI_ALLOC_MIN, 1ULL << 32,
				  &base);
		if (rc)
			rc = memmap_alloc(&sys_memmap, pages, type, PAGE_SIZE, EFI_ALLOC_MIN,
					  UINT64_MAX, &base);
		break;
	case AllocateMaxAddress:
		if (*addr < EFI_ALLOC_MIN)
			return EFI_NOT_FOUND;
		/* *addr is the highest address any allocated byte may have. */
		rc = memmap_alloc(&sys_memmap, pages, type, PAGE_SIZE, EFI_ALLOC_MIN,
				  *addr == UINT64_MAX ? UINT64_MAX : *addr + 1, &base);
		break;
	case AllocateAddress:
		if (*addr & (PAGE_SIZE - 1))
			return EFI_INVALID_PARAMETER;
		base = *addr;
		rc = memmap_alloc_at(&sys_memmap, base, pages, type);
		if (rc == MEMMAP_EINVAL)
			return EFI_NOT_FOUND;
		break;
	default:
		return EFI_INVALID_PARAMETER;
	}
	if (rc)
		return how == AllocateAddress ? EFI_NOT_FOUND : EFI_OUT_OF_RESOURCES;
	*addr = base;
	return EFI_SUCCESS;
}

EFI_STATUS efi_mem_free_pages(EFI_PHYSICAL_ADDRESS addr, UINTN pages)
{
	uint64_t img = (uintptr_t)__image_start, img_end = (uintptr_t)__image_end;

	if (addr & (PAGE_SIZE - 1) || !pages)
		return EFI_INVALID_PARAMETER;
	if (pages > (UINT64_MAX >> PAGE_SHIFT) || addr + (pages << PAGE_SHIFT) < addr)
		return EFI_INVALID_PARAMETER;
	/* The firmware's own image is never a program's to free. */
	if (addr < img_end && addr + (pages << PAGE_SHIFT) > img)
		return EFI_NOT_FOUND;
	int t = memmap_type_at(&sys_memmap, addr);
	if (t < 0 || t == MEM_FREE || !type_allocatable((UINT32)t))
		return EFI_NOT_FOUND;
	/* One type over the whole range: what one AllocatePages gave. */
	if (memmap_free_typed(&sys_memmap, addr, pages, (uint32_t)t))
		return EFI_NOT_FOUND;
	return EFI_SUCCESS;
}

/* Caching and runtime attributes a descriptor of this type carries. */
static UINT64 attributes_of(UINT32 type)
{
	const UINT64 ram = EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB;

	switch (type) {
	case MEM_RT_CODE:
	case MEM_RT_DATA:
		return ram | EFI_MEMORY_RUNTIME;
	case MEM_MMIO:
	case MEM_MMIO_PORT:
		/* Only registers runtime services use are in the map (efi/init.c). */
		return EFI_MEMORY_UC | EFI_MEMORY_RUNTIME;
	case MEM_RESERVED:
	case MEM_UNUSABLE:
		return EFI_MEMORY_UC;
	default:
		return ram;
	}
}

UINTN efi_mem_map_key(void)
{
	/* Any change to the map changes its bytes: a CRC of the table is a
	 * key that changes on every allocation and free, with no counter to
	 * keep in step with every caller of memmap_*(). */
	uint32_t k = crc32(0, sys_memmap.r, sys_memmap.count * sizeof(sys_memmap.r[0]));
	return ((UINTN)sys_memmap.count << 32) | k;
}

EFI_STATUS efi_mem_get_map(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key, UINTN *desc_size,
			   UINT32 *version)
{
	if (!size)
		return EFI_INVALID_PARAMETER;
	UINTN need = sys_memmap.count * EFI_MEM_DESC_SIZE;
	if (desc_size)
		*desc_size = EFI_MEM_DESC_SIZE;
	if (version)
		*version = EFI_MEMORY_DESCRIPTOR_VERSION;
	if (*size < need) {
		*size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!map)
		return EFI_INVALID_PARAMETER;
	*size = need;
	for (size_t i = 0; i < sys_memmap.count; i++) {
		EFI_MEMORY_DESCRIPTOR *d =
			(EFI_MEMORY_DESCRIPTOR *)((uint8_t *)map + i * EFI_MEM_DESC_SIZE);
		const struct mem_range *r = &sys_memmap.r[i];
		memset(d, 0, EFI_MEM_DESC_SIZE);
		d->Type = r->type;
		d->PhysicalStart = r->base;
		d->VirtualStart = 0;
		d->NumberOfPages = r->pages;
		d->Attribute = attributes_of(r->type);
	}
	if (key)
		*key = efi_mem_map_key();
	return EFI_SUCCESS;
}

EFI_STATUS efi_mem_allocate_pool(UINT32 type, UINTN size, VOID **buf)
{
	if (!buf || type >= MEM_TYPE_COUNT || type == MEM_FREE || type == MEM_PERSISTENT)
		return EFI_INVALID_PARAMETER;
	*buf = pool_alloc(&sys_pool, size, type);
	return *buf ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
}

EFI_STATUS efi_mem_free_pool(VOID *buf)
{
	if (!buf || pool_free(&sys_pool, buf))
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

/* ---- EFIAPI entry points ---- */

static EFI_STATUS EFIAPI bs_allocate_pages(EFI_ALLOCATE_TYPE how, EFI_MEMORY_TYPE type, UINTN pages,
					   EFI_PHYSICAL_ADDRESS *addr)
{
	return efi_mem_allocate_pages(how, (UINT32)type, pages, addr);
}

static EFI_STATUS EFIAPI bs_free_pages(EFI_PHYSICAL_ADDRESS addr, UINTN pages)
{
	return efi_mem_free_pages(addr, pages);
}

static EFI_STATUS EFIAPI bs_get_memory_map(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key,
					   UINTN *desc_size, UINT32 *version)
{
	return efi_mem_get_map(size, map, key, desc_size, version);
}

static EFI_STATUS EFIAPI bs_allocate_pool(EFI_MEMORY_TYPE type, UINTN size, VOID **buf)
{
	return efi_mem_allocate_pool((UINT32)type, size, buf);
}

static EFI_STATUS EFIAPI bs_free_pool(VOID *buf)
{
	return efi_mem_free_pool(buf);
}

void efi_mem_fill_boot_services(EFI_BOOT_SERVICES *bs)
{
	bs->AllocatePages = bs_allocate_pages;
	bs->FreePages = bs_free_pages;
	bs->GetMemoryMap = bs_get_memory_map;
	bs->AllocatePool = bs_allocate_pool;
	bs->FreePool = bs_free_pool;
}
