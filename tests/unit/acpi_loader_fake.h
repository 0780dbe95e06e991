/* A fake fw_cfg for acpi_loader_run(), shared by the unit test and the fuzz
 * target. Files are loaded into an arena below 2 GiB (so 4-byte pointers to
 * them fit, as they do in the firmware) that ASan sees as poisoned except
 * for the bytes of loaded files: any write the loader makes outside a file
 * is reported. Writes to fw_cfg are recorded. Header-only. */
#ifndef WB_TEST_ACPI_LOADER_FAKE_H
#define WB_TEST_ACPI_LOADER_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sanitizer/asan_interface.h>
#include <acpi_tables.h>
#include "le_bytes.h"

#define FAKE_ARENA_SIZE (4u << 20)
#define FAKE_REDZONE	64
#define FAKE_FILES	40
#define FAKE_WRITES	16

struct fake_file {
	char name[ACPI_LOADER_NAME];
	const uint8_t *data;
	uint32_t size;
	uint8_t *loaded; /* where load() put it, or NULL */
	uint32_t align;
	uint8_t zone;
};

struct fake_write {
	char name[ACPI_LOADER_NAME];
	uint32_t offset;
	uint32_t len;
	uint8_t val[8];
};

struct fake_fw_cfg {
	struct fake_file file[FAKE_FILES];
	size_t nfiles;
	size_t loads;
	struct fake_write write[FAKE_WRITES];
	size_t nwrites;
	bool fail_writes;
	bool any_name; /* an unknown name picks a file by its hash (fuzzing) */
	uint8_t *arena;
	size_t used;
};

/* The arena, mapped once per process below 2 GiB. */
static inline uint8_t *fake_arena(void)
{
	static uint8_t *arena;

	if (!arena) {
		void *p = mmap(NULL, FAKE_ARENA_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap MAP_32BIT");
			abort();
		}
		arena = p;
	}
	return arena;
}

/* How much of the arena the last run touched: all of it at first. */
static inline size_t *fake_arena_dirty(void)
{
	static size_t dirty = FAKE_ARENA_SIZE;

	return &dirty;
}

/* Start over: no files, nothing loaded, the whole arena poisoned. */
static inline void fake_reset(struct fake_fw_cfg *f)
{
	size_t *dirty = fake_arena_dirty();

	memset(f, 0, sizeof(*f));
	f->arena = fake_arena();
	ASAN_UNPOISON_MEMORY_REGION(f->arena, *dirty);
	memset(f->arena, 0xcc, *dirty);
	ASAN_POISON_MEMORY_REGION(f->arena, *dirty);
	*dirty = 0;
}

/* Offer fw_cfg file 'name' with contents data[0..size); data must outlive
 * the loader run. */
static inline void fake_add_file(struct fake_fw_cfg *f, const char *name, const void *data,
				 uint32_t size)
{
	if (f->nfiles == FAKE_FILES)
		abort();
	struct fake_file *ff = &f->file[f->nfiles++];
	snprintf(ff->name, sizeof(ff->name), "%s", name);
	ff->data = data;
	ff->size = size;
}

static inline struct fake_file *fake_find(struct fake_fw_cfg *f, const char *name)
{
	for (size_t i = 0; i < f->nfiles; i++)
		if (!strcmp(f->file[i].name, name))
			return &f->file[i];
	if (!f->any_name)
		return NULL;
	uint32_t h = 0;
	for (const char *c = name; *c; c++)
		h = h * 31 + (uint8_t)*c;
	/* One slot past the last file: no such file. */
	h %= (uint32_t)f->nfiles + 1;
	return h < f->nfiles ? &f->file[h] : NULL;
}

static inline uint8_t *fake_load(void *ctx, const char *name, uint32_t align, uint8_t zone,
				 uint32_t *size)
{
	struct fake_fw_cfg *f = ctx;
	struct fake_file *ff = fake_find(f, name);

	f->loads++;
	if (!ff)
		return NULL;
	/* The loader promises a power of two; the firmware's loader relies on it. */
	if (!align || (align & (align - 1)))
		abort();
	uintptr_t a = align < 16 ? 16 : align;
	uintptr_t start = ((uintptr_t)f->arena + f->used + FAKE_REDZONE + a - 1) & ~(a - 1);
	if (start + ff->size + FAKE_REDZONE > (uintptr_t)f->arena + FAKE_ARENA_SIZE)
		return NULL;
	uint8_t *p = (uint8_t *)start;
	ASAN_UNPOISON_MEMORY_REGION(p, ff->size);
	memcpy(p, ff->data, ff->size);
	f->used = start + ff->size - (uintptr_t)f->arena;
	if (*fake_arena_dirty() < f->used)
		*fake_arena_dirty() = f->used;
	ff->loaded = p;
	ff->align = align;
	ff->zone = zone;
	*size = ff->size;
	return p;
}

static inline int fake_write(void *ctx, const char *name, uint32_t offset, const void *val,
			     uint32_t len)
{
	struct fake_fw_cfg *f = ctx;

	if (len > 8 || strnlen(name, ACPI_LOADER_NAME) == ACPI_LOADER_NAME)
		abort(); /* the loader must check these before it asks */
	if (f->fail_writes)
		return -1;
	if (f->nwrites < FAKE_WRITES) {
		struct fake_write *w = &f->write[f->nwrites];
		snprintf(w->name, sizeof(w->name), "%s", name);
		w->offset = offset;
		w->len = len;
		memcpy(w->val, val, len);
	}
	f->nwrites++;
	return 0;
}

static inline struct acpi_loader_ops fake_ops(struct fake_fw_cfg *f)
{
	return (struct acpi_loader_ops){fake_load, fake_write, f};
}

/* ---- Building loader scripts (QEMU hw/acpi/bios-linker-loader.c) ---- */

#define LOADER_CMD 128

struct loader_script {
	uint8_t b[LOADER_CMD * 64];
	size_t len;
};

static inline uint8_t *script_cmd(struct loader_script *s, uint32_t type)
{
	if (s->len + LOADER_CMD > sizeof(s->b))
		abort();
	uint8_t *c = &s->b[s->len];
	memset(c, 0, LOADER_CMD);
	memcpy(c, &type, 4);
	s->len += LOADER_CMD;
	return c;
}

static inline void put_name(uint8_t *field, const char *name)
{
	strncpy((char *)field, name, ACPI_LOADER_NAME);
}

static inline void script_allocate(struct loader_script *s, const char *file, uint32_t align,
				   uint8_t zone)
{
	uint8_t *c = script_cmd(s, 1);
	put_name(c + 4, file);
	put32(c + 60, align);
	c[64] = zone;
}

static inline void script_add_pointer(struct loader_script *s, const char *dst, const char *src,
				      uint32_t offset, uint8_t size)
{
	uint8_t *c = script_cmd(s, 2);
	put_name(c + 4, dst);
	put_name(c + 60, src);
	put32(c + 116, offset);
	c[120] = size;
}

static inline void script_add_checksum(struct loader_script *s, const char *file, uint32_t offset,
				       uint32_t start, uint32_t length)
{
	uint8_t *c = script_cmd(s, 3);
	put_name(c + 4, file);
	put32(c + 60, offset);
	put32(c + 64, start);
	put32(c + 68, length);
}

static inline void script_write_pointer(struct loader_script *s, const char *dst, const char *src,
					uint32_t dst_offset, uint32_t src_offset, uint8_t size)
{
	uint8_t *c = script_cmd(s, 4);
	put_name(c + 4, dst);
	put_name(c + 60, src);
	put32(c + 116, dst_offset);
	put32(c + 120, src_offset);
	c[124] = size;
}

#endif
