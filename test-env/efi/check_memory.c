/* Memory services: GetMemoryMap, AllocatePages/FreePages, AllocatePool/
 * FreePool (UEFI 2.10 s.7.2). */
#include "efitest.h"

struct t_map {
	EFI_MEMORY_DESCRIPTOR *buf;
	UINTN size, key, desc_size, count;
	UINT32 desc_version;
};

/* The descriptor at index i of a map. */
static EFI_MEMORY_DESCRIPTOR *t_desc(struct t_map *m, UINTN i)
{
	return (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)m->buf + i * m->desc_size);
}

/* Fetch the memory map into a pool buffer with room to spare. */
static EFI_STATUS t_get_map(struct t_map *m)
{
	EFI_STATUS st;

	m->buf = NULL;
	m->size = 0;
	st = BS->GetMemoryMap(&m->size, NULL, &m->key, &m->desc_size, &m->desc_version);
	if (st != EFI_BUFFER_TOO_SMALL)
		return st == EFI_SUCCESS ? EFI_PROTOCOL_ERROR : st;
	/* Our own pool allocation may split a descriptor: ask for spare room. */
	m->size += 8 * m->desc_size;
	st = BS->AllocatePool(EfiLoaderData, m->size, (void **)&m->buf);
	if (EFI_ERROR(st))
		return st;
	st = BS->GetMemoryMap(&m->size, m->buf, &m->key, &m->desc_size, &m->desc_version);
	if (EFI_ERROR(st)) {
		BS->FreePool(m->buf);
		m->buf = NULL;
		return st;
	}
	m->count = m->size / m->desc_size;
	return EFI_SUCCESS;
}

static void t_put_map(struct t_map *m)
{
	if (m->buf)
		BS->FreePool(m->buf);
	m->buf = NULL;
}

/* The descriptor containing addr, or NULL. */
static EFI_MEMORY_DESCRIPTOR *t_map_find(struct t_map *m, EFI_PHYSICAL_ADDRESS addr)
{
	for (UINTN i = 0; i < m->count; i++) {
		EFI_MEMORY_DESCRIPTOR *d = t_desc(m, i);

		if (addr >= d->PhysicalStart && addr - d->PhysicalStart < d->NumberOfPages * 4096)
			return d;
	}
	return NULL;
}

#define T_NAME "memmap"
/* UEFI 2.10 s.7.2.3: sizing call, descriptors page-aligned, sorted, not
 * overlapping; the map key changes with every allocation and free; an
 * allocation shows up with its type. */
void check_memmap(void)
{
	struct t_map m = {0}, m2 = {0};
	EFI_PHYSICAL_ADDRESS page = 0;
	UINTN size = 0, key, dsize;
	UINT32 dver;
	UINT64 conventional = 0;
	EFI_STATUS st;

	st = BS->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
	T_REQUIRE(
	    st == EFI_BUFFER_TOO_SMALL && size > 0,
	    L"GetMemoryMap with size 0 returned %r and size %ld, expected BUFFER_TOO_SMALL and "
	    L"the needed size",
	    st, size);
	T_OK(t_get_map(&m), "GetMemoryMap");
	T_REQUIRE(m.desc_size >= sizeof(EFI_MEMORY_DESCRIPTOR) && m.desc_size % 8 == 0,
		  L"descriptor size %ld", m.desc_size);
	T_REQUIRE(m.desc_version == EFI_MEMORY_DESCRIPTOR_VERSION, L"descriptor version %d",
		  m.desc_version);
	T_REQUIRE(m.count >= 3, L"only %ld descriptors", m.count);
	for (UINTN i = 0; i < m.count; i++) {
		EFI_MEMORY_DESCRIPTOR *d = t_desc(&m, i);

		T_REQUIRE((d->PhysicalStart & 4095) == 0, L"descriptor %ld starts at 0x%lx", i,
			  d->PhysicalStart);
		T_REQUIRE(d->NumberOfPages > 0, L"descriptor %ld has 0 pages", i);
		T_REQUIRE(d->Type < EfiMaxMemoryType, L"descriptor %ld has type %d", i, d->Type);
		if (d->Type == EfiConventionalMemory)
			conventional += d->NumberOfPages;
		if (i == 0)
			continue;
		EFI_MEMORY_DESCRIPTOR *p = t_desc(&m, i - 1);
		T_REQUIRE(p->PhysicalStart < d->PhysicalStart,
			  L"not sorted: descriptor %ld at 0x%lx follows one at 0x%lx", i,
			  d->PhysicalStart, p->PhysicalStart);
		T_REQUIRE(p->PhysicalStart + p->NumberOfPages * 4096 <= d->PhysicalStart,
			  L"descriptors %ld and %ld overlap at 0x%lx", i - 1, i, d->PhysicalStart);
	}
	T_REQUIRE(conventional >= 256, L"only %ld free pages", conventional);

	T_OK(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 3, &page), "AllocatePages");
	T_OK(t_get_map(&m2), "GetMemoryMap after AllocatePages");
	T_REQUIRE(m2.key != m.key, L"map key 0x%lx unchanged after AllocatePages", m.key);
	EFI_MEMORY_DESCRIPTOR *d = t_map_find(&m2, page);
	T_REQUIRE(d && d->Type == EfiLoaderData && t_map_find(&m2, page + 2 * 4096) == d,
		  L"allocated pages at 0x%lx not shown as one LoaderData range (type %d)", page,
		  d ? (INT32)d->Type : -1);
	key = m2.key;
	t_put_map(&m2);
	T_OK(BS->FreePages(page, 3), "FreePages");
	page = 0;
	T_OK(t_get_map(&m2), "GetMemoryMap after FreePages");
	T_REQUIRE(m2.key != key, L"map key 0x%lx unchanged after FreePages", key);
	t_ok(T_NAME,
	     L"%ld descriptors, sorted, no overlap, page-aligned, %ld MiB free; key "
	     L"changes after AllocatePages and FreePages",
	     m.count, conventional >> 8);
out:
	if (page)
		BS->FreePages(page, 3);
	t_put_map(&m);
	t_put_map(&m2);
}
#undef T_NAME

#define T_NAME "pages"
/* UEFI 2.10 s.7.2.1/7.2.2: the three allocation kinds, FreePages and its
 * errors. */
void check_pages(void)
{
	EFI_PHYSICAL_ADDRESS any = 0, max = 0x7fffffff, fixed = 0, busy;
	BOOLEAN max_held = FALSE;
	volatile UINT64 *p;
	EFI_STATUS st;

	T_OK(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 4, &any), "AllocateAnyPages");
	T_REQUIRE(any && (any & 4095) == 0, L"AllocateAnyPages gave 0x%lx", any);
	p = (volatile UINT64 *)any;
	p[0] = 0x1122334455667788ull;
	p[4 * 512 - 1] = ~0x1122334455667788ull;
	T_REQUIRE(p[0] == 0x1122334455667788ull && p[4 * 512 - 1] == ~0x1122334455667788ull,
		  L"pages at 0x%lx do not hold what was written", any);

	/* The range just returned is free again after FreePages: ask for it
	 * by address. */
	T_OK(BS->FreePages(any, 4), "FreePages");
	fixed = any;
	any = 0;
	busy = fixed;
	st = BS->AllocatePages(AllocateAddress, EfiLoaderData, 4, &fixed);
	if (EFI_ERROR(st))
		fixed = 0;
	T_REQUIRE(st == EFI_SUCCESS, L"AllocateAddress of just-freed pages at 0x%lx returned %r",
		  busy, st);
	T_REQUIRE(fixed == busy, L"AllocateAddress 0x%lx gave 0x%lx", busy, fixed);
	/* Asking again for the same address must fail: it is in use now. */
	busy = fixed;
	st = BS->AllocatePages(AllocateAddress, EfiLoaderData, 1, &busy);
	T_REQUIRE(st == EFI_NOT_FOUND, L"AllocateAddress of pages in use returned %r, expected %r",
		  st, EFI_NOT_FOUND);

	T_OK(BS->AllocatePages(AllocateMaxAddress, EfiBootServicesData, 2, &max),
	     "AllocateMaxAddress below 2 GiB");
	max_held = TRUE;
	T_REQUIRE(max + 2 * 4096 - 1 <= 0x7fffffff && (max & 4095) == 0,
		  L"AllocateMaxAddress 0x7fffffff gave 0x%lx", max);

	st = BS->FreePages(fixed + 1, 1);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"FreePages of an unaligned address returned %r",
		  st);
	T_OK(BS->FreePages(fixed, 4), "FreePages of the AllocateAddress range");
	st = BS->FreePages(fixed, 4);
	fixed = 0;
	T_REQUIRE(st == EFI_NOT_FOUND, L"FreePages twice returned %r, expected %r", st,
		  EFI_NOT_FOUND);
	st = BS->AllocatePages(AllocateAnyPages, (EFI_MEMORY_TYPE)0x6fffffff, 1, &busy);
	T_REQUIRE(st == EFI_INVALID_PARAMETER,
		  L"AllocatePages with invalid memory type 0x6fffffff returned %r", st);
	t_ok(T_NAME,
	     L"AllocateAnyPages, AllocateAddress (free and busy), AllocateMaxAddress "
	     L"0x%lx, FreePages (unaligned, twice) as the spec says",
	     max);
out:
	if (any)
		BS->FreePages(any, 4);
	if (fixed)
		BS->FreePages(fixed, 4);
	if (max_held)
		BS->FreePages(max, 2);
}
#undef T_NAME

#define T_NAME "pool"
/* UEFI 2.10 s.7.2.4/7.2.5: 8-byte aligned pool of any size, usable, freed. */
void check_pool(void)
{
	static const UINTN sizes[] = {1, 24, 4000, 4096, 70000, 3 << 20};
	void *bufs[6] = {0};
	void *bad = NULL;
	EFI_STATUS st;

	for (UINTN i = 0; i < 6; i++) {
		T_OK(BS->AllocatePool(EfiLoaderData, sizes[i], &bufs[i]), "AllocatePool");
		T_REQUIRE(bufs[i] && ((UINTN)bufs[i] & 7) == 0, L"pool of %ld bytes at %lx",
			  sizes[i], (UINT64)(UINTN)bufs[i]);
		BS->SetMem(bufs[i], sizes[i], (UINT8)(0x40 + i));
	}
	for (UINTN i = 0; i < 6; i++) {
		UINT8 *b = bufs[i];

		T_REQUIRE(b[0] == 0x40 + i && b[sizes[i] - 1] == 0x40 + i,
			  L"pool buffer %ld overwritten by another allocation", i);
	}
	for (UINTN i = 0; i < 6; i++) {
		T_OK(BS->FreePool(bufs[i]), "FreePool");
		bufs[i] = NULL;
	}
	st = BS->AllocatePool((EFI_MEMORY_TYPE)0x6fffffff, 16, &bad);
	T_REQUIRE(st == EFI_INVALID_PARAMETER,
		  L"AllocatePool with invalid memory type 0x6fffffff returned %r", st);
	st = BS->AllocatePool(EfiLoaderData, 16, NULL);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"AllocatePool with a NULL buffer returned %r", st);
	t_ok(T_NAME, L"6 allocations from 1 byte to 3 MiB, 8-byte aligned, independent, freed; "
		     L"bad type and NULL refused");
out:
	for (UINTN i = 0; i < 6; i++)
		if (bufs[i])
			BS->FreePool(bufs[i]);
}
#undef T_NAME
