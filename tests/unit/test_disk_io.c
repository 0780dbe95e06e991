/* Disk IO over Block IO (disk/disk_io.c) and struct blkdev over Block IO
 * (disk/blkdev_efi.c), against a Block IO in memory that enforces its own
 * rules (block multiples, range, IoAlign): random byte ranges read and
 * written through Disk IO must match a plain copy of the disk, for block
 * sizes 512, 2048 and 4096 and IoAlign 0, 8 and 4096, with the caller's
 * buffer at odd addresses; every error status; blkdev_from_efi. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <disk.h>
#include <sysmem.h>

/* The firmware's memory, from the C library. */
struct memmap sys_memmap;
void *sysmem_zalloc(size_t size)
{
	return calloc(1, size);
}
void sysmem_free(void *p)
{
	free(p);
}
void *sysmem_alloc_pages(uint64_t pages, uint32_t type, uint64_t max_end)
{
	return aligned_alloc(PAGE_SIZE, pages * PAGE_SIZE);
}
int memmap_free(struct memmap *m, uint64_t base, uint64_t pages)
{
	free((void *)(uintptr_t)base);
	return 0;
}

/* The handle database: the last Disk IO installed. */
static EFI_DISK_IO_PROTOCOL *installed;
static bool install_fails;
EFI_STATUS efi_protocol_install(EFI_HANDLE *handle, const EFI_GUID *guid, void *iface)
{
	if (install_fails)
		return EFI_OUT_OF_RESOURCES;
	installed = iface;
	return EFI_SUCCESS;
}
void *efi_protocol_find(EFI_HANDLE handle, const EFI_GUID *guid)
{
	return installed;
}
EFI_STATUS efi_protocol_uninstall(EFI_HANDLE handle, const EFI_GUID *guid, void *iface)
{
	if (iface != installed)
		return EFI_NOT_FOUND;
	installed = NULL;
	return EFI_SUCCESS;
}

/* A Block IO over memory that checks everything a real one would. */
struct membio {
	EFI_BLOCK_IO_PROTOCOL bio;
	EFI_BLOCK_IO_MEDIA media;
	uint8_t *data;
	unsigned calls;
	bool fail; /* every transfer answers EFI_DEVICE_ERROR */
};

static EFI_STATUS membio_check(EFI_BLOCK_IO_PROTOCOL *This, UINT32 id, EFI_LBA lba, UINTN size,
			       VOID *buf)
{
	struct membio *m = (struct membio *)This;
	uint32_t bs = m->media.BlockSize;

	m->calls++;
	if (id != m->media.MediaId)
		return EFI_MEDIA_CHANGED;
	/* The caller must respect the Block IO's rules: fail the test if not. */
	assert_non_null(buf);
	assert_int_equal(size % bs, 0);
	assert_true(size > 0);
	assert_true(lba <= m->media.LastBlock);
	assert_true(size / bs - 1 <= m->media.LastBlock - lba);
	if (m->media.IoAlign > 1)
		assert_int_equal((uintptr_t)buf % m->media.IoAlign, 0);
	return m->fail ? EFI_DEVICE_ERROR : EFI_SUCCESS;
}

static EFI_STATUS EFIAPI membio_read(EFI_BLOCK_IO_PROTOCOL *This, UINT32 id, EFI_LBA lba,
				     UINTN size, VOID *buf)
{
	EFI_STATUS s = membio_check(This, id, lba, size, buf);
	struct membio *m = (struct membio *)This;
	if (!EFI_ERROR(s))
		memcpy(buf, m->data + lba * m->media.BlockSize, size);
	return s;
}

static EFI_STATUS EFIAPI membio_write(EFI_BLOCK_IO_PROTOCOL *This, UINT32 id, EFI_LBA lba,
				      UINTN size, VOID *buf)
{
	struct membio *m = (struct membio *)This;
	if (m->media.ReadOnly)
		return EFI_WRITE_PROTECTED;
	EFI_STATUS s = membio_check(This, id, lba, size, buf);
	if (!EFI_ERROR(s))
		memcpy(m->data + lba * m->media.BlockSize, buf, size);
	return s;
}

static EFI_STATUS EFIAPI membio_flush(EFI_BLOCK_IO_PROTOCOL *This)
{
	return EFI_SUCCESS;
}

static void membio_init(struct membio *m, uint32_t bs, uint64_t blocks, uint32_t io_align)
{
	memset(m, 0, sizeof(*m));
	m->media.MediaPresent = TRUE;
	m->media.MediaId = 7;
	m->media.BlockSize = bs;
	m->media.IoAlign = io_align;
	m->media.LastBlock = blocks - 1;
	m->data = malloc(bs * blocks);
	for (uint64_t i = 0; i < bs * blocks; i++)
		m->data[i] = (uint8_t)(i * 7 + (i >> 9));
	m->bio.Media = &m->media;
	m->bio.ReadBlocks = membio_read;
	m->bio.WriteBlocks = membio_write;
	m->bio.FlushBlocks = membio_flush;
}

static EFI_DISK_IO_PROTOCOL *install_on(struct membio *m)
{
	installed = NULL;
	assert_int_equal(disk_io_install((EFI_HANDLE)m, &m->bio), EFI_SUCCESS);
	assert_non_null(installed);
	return installed;
}

/* Uninstall the Disk IO, which frees what it allocated (ASan's leak check
 * sees anything left). */
static void disk_io_release(EFI_DISK_IO_PROTOCOL *d)
{
	assert_ptr_equal(installed, d);
	assert_int_equal(disk_io_uninstall((EFI_HANDLE)1), EFI_SUCCESS);
	assert_null(installed);
	assert_int_equal(disk_io_uninstall((EFI_HANDLE)1), EFI_SUCCESS); /* none left: fine */
}

/* Random ranges through ReadDisk and WriteDisk against a shadow copy. */
static void random_ranges(uint32_t bs, uint32_t io_align)
{
	const uint64_t blocks = 64;
	const size_t size = bs * blocks;
	struct membio m;
	membio_init(&m, bs, blocks, io_align);
	uint8_t *shadow = malloc(size), *buf = malloc(size + 16);
	memcpy(shadow, m.data, size);
	EFI_DISK_IO_PROTOCOL *d = install_on(&m);
	srand(bs * 31 + io_align);

	for (int i = 0; i < 2000; i++) {
		uint64_t off = (uint64_t)rand() % size;
		size_t len =
		    1 + (size_t)rand() %
			    (i % 4 == 0 ? size - off : (3 * bs < size - off ? 3 * bs : size - off));
		size_t shift = (size_t)rand() % 16; /* odd and aligned caller buffers */
		if (rand() % 2) {
			for (size_t k = 0; k < len; k++)
				buf[shift + k] = (uint8_t)rand();
			assert_int_equal(d->WriteDisk(d, 7, off, len, buf + shift), EFI_SUCCESS);
			memcpy(shadow + off, buf + shift, len);
		} else {
			assert_int_equal(d->ReadDisk(d, 7, off, len, buf + shift), EFI_SUCCESS);
			assert_memory_equal(buf + shift, shadow + off, len);
		}
		assert_memory_equal(m.data, shadow, size);
	}
	disk_io_release(d);
	free(shadow);
	free(buf);
	free(m.data);
}

static void test_ranges_512(void **state)
{
	random_ranges(512, 0);
}
static void test_ranges_2048_align8(void **state)
{
	random_ranges(2048, 8);
}
static void test_ranges_4096_align4096(void **state)
{
	random_ranges(4096, 4096);
}
static void test_ranges_512_align512(void **state)
{
	random_ranges(512, 512);
}

/* UEFI 2.10 s.13.7.2/3: the statuses Disk IO owes before touching the disk. */
static void test_errors(void **state)
{
	struct membio m;
	uint8_t buf[64];
	membio_init(&m, 512, 16, 0);
	EFI_DISK_IO_PROTOCOL *d = install_on(&m);
	const uint64_t size = 512 * 16;

	m.calls = 0;
	assert_int_equal(d->ReadDisk(NULL, 7, 0, 1, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(d->ReadDisk(d, 8, 0, 1, buf), EFI_MEDIA_CHANGED);
	assert_int_equal(d->WriteDisk(d, 8, 0, 1, buf), EFI_MEDIA_CHANGED);
	assert_int_equal(d->ReadDisk(d, 7, size - 1, 2, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(d->ReadDisk(d, 7, size, 1, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(d->ReadDisk(d, 7, UINT64_MAX, 2, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(d->WriteDisk(d, 7, UINT64_MAX - 5, 64, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(d->ReadDisk(d, 7, 0, 1, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(d->ReadDisk(d, 7, size, 0, buf), EFI_SUCCESS);
	assert_int_equal(m.calls, 0);
	assert_int_equal(d->ReadDisk(d, 7, size - 1, 1, buf), EFI_SUCCESS);

	m.media.ReadOnly = TRUE;
	assert_int_equal(d->WriteDisk(d, 7, 3, 1, buf), EFI_WRITE_PROTECTED);
	m.media.ReadOnly = FALSE;
	m.fail = true;
	assert_int_equal(d->ReadDisk(d, 7, 3, 1, buf), EFI_DEVICE_ERROR);
	assert_int_equal(d->WriteDisk(d, 7, 0, 1024, buf), EFI_DEVICE_ERROR);
	m.fail = false;
	m.media.MediaPresent = FALSE;
	assert_int_equal(d->ReadDisk(d, 7, 0, 1, buf), EFI_NO_MEDIA);
	disk_io_release(d);
	free(m.data);

	install_fails = true;
	membio_init(&m, 512, 16, 0);
	assert_int_equal(disk_io_install((EFI_HANDLE)&m, &m.bio), EFI_OUT_OF_RESOURCES);
	install_fails = false;
	assert_int_equal(disk_io_install((EFI_HANDLE)&m, NULL), EFI_INVALID_PARAMETER);
	free(m.data);
}

/* struct blkdev over Block IO: geometry, reads and writes (through a
 * bounce when the buffer misses IoAlign), read-only, refusals. */
static void test_blkdev_from_efi(void **state)
{
	struct membio m;
	struct blkdev b;
	membio_init(&m, 512, 300, 16);
	uint8_t *buf = malloc(512 * 300 + 1);

	assert_int_equal(blkdev_from_efi(&m.bio, &b), 0);
	assert_int_equal(b.block_size, 512);
	assert_int_equal(b.blocks, 300);
	assert_false(b.read_only);
	/* 290 blocks from an odd address: more than one bounce of 64 KiB. */
	assert_int_equal(blkdev_read(&b, 5, 290, buf + 1), 0);
	assert_memory_equal(buf + 1, m.data + 5 * 512, 290 * 512);
	memset(buf + 1, 0xab, 200 * 512);
	assert_int_equal(blkdev_write(&b, 90, 200, buf + 1), 0);
	for (int i = 0; i < 200 * 512; i++)
		assert_int_equal(m.data[90 * 512 + i], 0xab);
	assert_int_equal(blkdev_read(&b, 0, 4, buf), 0); /* aligned: straight through */
	assert_int_equal(blkdev_read(&b, 299, 2, buf), -1);
	assert_int_equal(b.flush(b.ctx), 0);
	m.fail = true;
	assert_int_equal(blkdev_read(&b, 0, 1, buf + 1), -1);
	assert_int_equal(blkdev_read(&b, 0, 1, buf), -1);
	m.fail = false;

	m.media.ReadOnly = TRUE;
	assert_int_equal(blkdev_from_efi(&m.bio, &b), 0);
	assert_true(b.read_only);
	assert_int_equal(blkdev_write(&b, 0, 1, buf), -1);
	m.media.ReadOnly = FALSE;

	m.media.BlockSize = 520;
	assert_int_equal(blkdev_from_efi(&m.bio, &b), -1);
	m.media.BlockSize = 8192;
	assert_int_equal(blkdev_from_efi(&m.bio, &b), -1);
	m.media.BlockSize = 512;
	m.media.MediaPresent = FALSE;
	assert_int_equal(blkdev_from_efi(&m.bio, &b), -1);
	assert_int_equal(blkdev_from_efi(NULL, &b), -1);
	free(buf);
	free(m.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ranges_512),
	    cmocka_unit_test(test_ranges_2048_align8),
	    cmocka_unit_test(test_ranges_4096_align4096),
	    cmocka_unit_test(test_ranges_512_align512),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_blkdev_from_efi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
