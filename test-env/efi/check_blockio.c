/* Block IO and Disk IO on the firmware's disks (UEFI 2.10 s.13.9, s.13.7).
 *
 * Runs only on disks test_disk_blockio.py prepared; efitest prints nothing
 * here when there are none (test_efi.py attaches no disk). The host wrote
 * a known pattern over the whole image, T_PAT(offset), and a 16-byte magic
 * at offset 0 naming the disk's role: "WBBLKTEST-RW" (writable, the checks
 * write into it and the host reads the writes back from the image file
 * after the VM exits) or "WBBLKTEST-RO" (attached read-only). Disks must be
 * at least 16 MiB. Offsets and patterns are shared with the host test. */
#include "efitest.h"

#define T_MAGIC_LEN 16
#define T_PAT(o)  ((UINT8)(((o) >> 9) * 7 + (o)))          /* the image as written */
#define T_WPAT(o) ((UINT8)(((o) >> 9) * 13 + (o) * 3 + 0x3c)) /* WriteBlocks */
#define T_DPAT(o) ((UINT8)((o) * 5 + 0x11))                 /* WriteDisk */

#define T_W1_OFF  (1ULL << 20) /* WriteBlocks: 64 KiB at 1 MiB */
#define T_W1_LEN  (64U << 10)
#define T_W2_OFF  (8ULL << 20) /* WriteBlocks: 5 MiB at 8 MiB, more than one request */
#define T_W2_LEN  (5U << 20)
#define T_D_OFF	  ((2ULL << 20) + 300) /* WriteDisk: 1500 bytes across block edges */
#define T_D_LEN	  1500
#define T_BIG_LEN (6U << 20) /* one ReadBlocks bigger than any one virtio request */

static const char t_magic_rw[] = "WBBLKTEST-RW", t_magic_ro[] = "WBBLKTEST-RO";

/* Offset of the first byte of buf (len bytes, from disk offset base) that
 * differs from T_PAT, skipping the magic at 0; -1 when all match. */
static INT64 t_pat_diff(const UINT8 *buf, UINTN len, UINT64 base)
{
	for (UINTN i = 0; i < len; i++) {
		UINT64 o = base + i;
		if (o >= T_MAGIC_LEN && buf[i] != T_PAT(o))
			return (INT64)o;
	}
	return -1;
}

/* The magic at the start of the disk behind bio, as 'W', 'R' or 0. */
static char t_role(EFI_BLOCK_IO *bio)
{
	UINT8 *b = NULL;
	char role = 0;

	if (bio->Media->LogicalPartition || !bio->Media->MediaPresent ||
	    bio->Media->BlockSize < T_MAGIC_LEN ||
	    EFI_ERROR(BS->AllocatePool(EfiLoaderData, bio->Media->BlockSize, (void **)&b)))
		return 0;
	if (!EFI_ERROR(bio->ReadBlocks(bio, bio->Media->MediaId, 0, bio->Media->BlockSize, b))) {
		if (CompareMem(b, (void *)t_magic_rw, sizeof(t_magic_rw)) == 0)
			role = 'W';
		else if (CompareMem(b, (void *)t_magic_ro, sizeof(t_magic_ro)) == 0)
			role = 'R';
	}
	BS->FreePool(b);
	return role;
}

/* The handle's device path as text (libefi's own formatter). */
static CHAR16 *t_path_text(EFI_HANDLE h)
{
	EFI_DEVICE_PATH *dp = DevicePathFromHandle(h);

	return dp ? DevicePathToStr(dp) : NULL;
}

#define T_NAME "blockio"
/* The writable disk: Media, reads of LBA 0, a 6 MiB range and the last
 * blocks, every error status, writes read back and flushed, Reset. */
static void t_blockio_rw(EFI_HANDLE h, EFI_BLOCK_IO *bio)
{
	EFI_BLOCK_IO_MEDIA *m = bio->Media;
	UINT32 bs = m->BlockSize, id = m->MediaId;
	UINT64 last = m->LastBlock;
	UINT8 *big = NULL, *blk = NULL;
	CHAR16 *path = t_path_text(h);
	INT64 bad;

	T_REQUIRE(bs >= 512 && (bs & (bs - 1)) == 0, L"BlockSize %d", bs);
	T_REQUIRE(!m->ReadOnly && !m->LogicalPartition && m->MediaPresent && !m->RemovableMedia,
		  L"Media ReadOnly %d LogicalPartition %d MediaPresent %d RemovableMedia %d",
		  m->ReadOnly, m->LogicalPartition, m->MediaPresent, m->RemovableMedia);
	T_REQUIRE(bio->Revision >= EFI_BLOCK_IO_PROTOCOL_REVISION3 &&
			  m->LogicalBlocksPerPhysicalBlock >= 1,
		  L"Revision 0x%lx, LogicalBlocksPerPhysicalBlock %d", bio->Revision,
		  m->LogicalBlocksPerPhysicalBlock);
	T_REQUIRE((last + 1) * bs >= T_W2_OFF + T_W2_LEN, L"disk of %ld blocks too small",
		  last + 1);
	T_OK(BS->AllocatePool(EfiLoaderData, T_BIG_LEN, (void **)&big), "AllocatePool(6 MiB)");
	T_OK(BS->AllocatePool(EfiLoaderData, 2 * bs, (void **)&blk), "AllocatePool(2 blocks)");

	/* Reads. */
	T_OK(bio->ReadBlocks(bio, id, 0, bs, blk), "ReadBlocks(lba 0)");
	bad = t_pat_diff(blk, bs, 0);
	T_REQUIRE(bad < 0, L"lba 0: byte %ld differs from the image", bad);
	T_OK(bio->ReadBlocks(bio, id, 1, T_BIG_LEN, big), "ReadBlocks(lba 1, 6 MiB)");
	bad = t_pat_diff(big, T_BIG_LEN, bs);
	T_REQUIRE(bad < 0, L"6 MiB read at lba 1: byte %ld differs from the image", bad);
	T_OK(bio->ReadBlocks(bio, id, last - 7, 8 * bs, big), "ReadBlocks(last 8 blocks)");
	bad = t_pat_diff(big, 8 * bs, (last - 7) * bs);
	T_REQUIRE(bad < 0, L"last 8 blocks: byte %ld differs from the image", bad);

	/* Errors, UEFI 2.10 s.13.9.3 and s.13.9.4. */
	T_STATUS(bio->ReadBlocks(bio, id, 0, bs + 1, blk), EFI_BAD_BUFFER_SIZE,
		 "ReadBlocks(BlockSize + 1 bytes)");
	T_STATUS(bio->WriteBlocks(bio, id, 0, bs / 2, blk), EFI_BAD_BUFFER_SIZE,
		 "WriteBlocks(BlockSize / 2 bytes)");
	T_STATUS(bio->ReadBlocks(bio, id, last + 1, bs, blk), EFI_INVALID_PARAMETER,
		 "ReadBlocks(LastBlock + 1)");
	T_STATUS(bio->ReadBlocks(bio, id, last, 2 * bs, blk), EFI_INVALID_PARAMETER,
		 "ReadBlocks(LastBlock, 2 blocks)");
	T_STATUS(bio->WriteBlocks(bio, id, last, 2 * bs, blk), EFI_INVALID_PARAMETER,
		 "WriteBlocks(LastBlock, 2 blocks)");
	T_STATUS(bio->ReadBlocks(bio, id, ~0ULL, bs, blk), EFI_INVALID_PARAMETER,
		 "ReadBlocks(lba 2^64-1)");
	T_STATUS(bio->ReadBlocks(bio, id + 1, 0, bs, blk), EFI_MEDIA_CHANGED,
		 "ReadBlocks(MediaId + 1)");
	T_STATUS(bio->WriteBlocks(bio, id + 1, 0, bs, blk), EFI_MEDIA_CHANGED,
		 "WriteBlocks(MediaId + 1)");
	T_STATUS(bio->ReadBlocks(bio, id, 0, bs, NULL), EFI_INVALID_PARAMETER,
		 "ReadBlocks(NULL buffer)");
	T_STATUS(bio->ReadBlocks(bio, id, 0, 0, blk), EFI_SUCCESS, "ReadBlocks(0 bytes)");
	T_REQUIRE(m->IoAlign <= 1, L"IoAlign %d (this check expects any address to do)",
		  m->IoAlign);
	T_OK(bio->ReadBlocks(bio, id, 0, bs, blk + 1), "ReadBlocks into an odd address");
	bad = t_pat_diff(blk + 1, bs, 0);
	T_REQUIRE(bad < 0, L"lba 0 read to an odd address: byte %ld differs", bad);

	/* Writes: read back, flushed; the host checks the image afterwards. */
	for (UINTN i = 0; i < T_W1_LEN; i++)
		big[i] = T_WPAT(T_W1_OFF + i);
	T_OK(bio->WriteBlocks(bio, id, T_W1_OFF / bs, T_W1_LEN, big), "WriteBlocks(64 KiB)");
	for (UINTN i = 0; i < T_W2_LEN; i++)
		big[i] = T_WPAT(T_W2_OFF + i);
	T_OK(bio->WriteBlocks(bio, id, T_W2_OFF / bs, T_W2_LEN, big), "WriteBlocks(5 MiB)");
	T_OK(bio->FlushBlocks(bio), "FlushBlocks");
	SetMem(big, T_BIG_LEN, 0);
	T_OK(bio->ReadBlocks(bio, id, T_W2_OFF / bs - 1, T_W2_LEN + 2 * bs, big),
	     "ReadBlocks(5 MiB written, a block either side)");
	bad = t_pat_diff(big, bs, T_W2_OFF - bs);
	T_REQUIRE(bad < 0, L"block before the 5 MiB write: byte %ld changed", bad);
	bad = t_pat_diff(big + bs + T_W2_LEN, bs, T_W2_OFF + T_W2_LEN);
	T_REQUIRE(bad < 0, L"block after the 5 MiB write: byte %ld changed", bad);
	for (UINTN i = 0; i < T_W2_LEN; i++)
		T_REQUIRE(big[bs + i] == T_WPAT(T_W2_OFF + i),
			  L"5 MiB write read back: byte %ld is 0x%x, wrote 0x%x", T_W2_OFF + i,
			  big[bs + i], T_WPAT(T_W2_OFF + i));
	T_OK(bio->ReadBlocks(bio, id, T_W1_OFF / bs, T_W1_LEN, big), "ReadBlocks(64 KiB written)");
	for (UINTN i = 0; i < T_W1_LEN; i++)
		T_REQUIRE(big[i] == T_WPAT(T_W1_OFF + i),
			  L"64 KiB write read back: byte %ld differs", T_W1_OFF + i);

	/* Reset, then the disk still reads. */
	T_OK(bio->Reset(bio, FALSE), "Reset");
	T_OK(bio->ReadBlocks(bio, id, 0, bs, blk), "ReadBlocks(lba 0) after Reset");
	bad = t_pat_diff(blk, bs, 0);
	T_REQUIRE(bad < 0, L"lba 0 after Reset: byte %ld differs", bad);

	t_ok(T_NAME,
	     L"%s: %ld blocks of %d bytes, revision 0x%lx, IoAlign %d, %d logical per "
	     L"physical block, write caching %d; read lba 0, 6 MiB, the last 8 blocks; every "
	     L"error status; wrote 64 KiB and 5 MiB, flushed, read back; Reset",
	     path ? path : L"(no device path)", last + 1, bs, bio->Revision, m->IoAlign,
	     m->LogicalBlocksPerPhysicalBlock, m->WriteCaching);
out:
	if (big)
		BS->FreePool(big);
	if (blk)
		BS->FreePool(blk);
	if (path)
		FreePool(path);
}
#undef T_NAME

#define T_NAME "diskio"
/* Disk IO on the writable disk: reads across block edges into odd
 * addresses, a write that patches two partial blocks, every error status. */
static void t_diskio(EFI_HANDLE h, EFI_BLOCK_IO *bio)
{
	EFI_DISK_IO *dio = NULL;
	UINT32 bs = bio->Media->BlockSize, id = bio->Media->MediaId;
	UINT64 size = (bio->Media->LastBlock + 1) * bs;
	static UINT8 buf[3 * 4096 + 2048];
	INT64 bad;

	T_OK(BS->HandleProtocol(h, &DiskIoProtocol, (void **)&dio), "HandleProtocol(DiskIo)");
	T_REQUIRE(dio->Revision >= EFI_DISK_IO_PROTOCOL_REVISION, L"Revision 0x%lx",
		  dio->Revision);
	T_OK(dio->ReadDisk(dio, id, bs - 5, 10, buf + 1), "ReadDisk(10 bytes across lba 0/1)");
	bad = t_pat_diff(buf + 1, 10, bs - 5);
	T_REQUIRE(bad < 0, L"10 bytes across a block edge: byte %ld differs", bad);
	T_OK(dio->ReadDisk(dio, id, 3 * bs + 100, 2 * bs + 77, buf + 3),
	     "ReadDisk(3 partial or whole blocks, odd address)");
	bad = t_pat_diff(buf + 3, 2 * bs + 77, 3 * bs + 100);
	T_REQUIRE(bad < 0, L"ReadDisk over 3 blocks: byte %ld differs", bad);
	T_OK(dio->ReadDisk(dio, id, size - 7, 7, buf), "ReadDisk(the last 7 bytes)");
	bad = t_pat_diff(buf, 7, size - 7);
	T_REQUIRE(bad < 0, L"the last 7 bytes: byte %ld differs", bad);
	T_STATUS(dio->ReadDisk(dio, id, size - 7, 8, buf), EFI_INVALID_PARAMETER,
		 "ReadDisk(8 bytes, 7 before the end)");
	T_STATUS(dio->ReadDisk(dio, id, ~0ULL, 2, buf), EFI_INVALID_PARAMETER,
		 "ReadDisk(offset 2^64-1, 2 bytes)");
	T_STATUS(dio->ReadDisk(dio, id + 1, 0, 1, buf), EFI_MEDIA_CHANGED,
		 "ReadDisk(MediaId + 1)");
	T_STATUS(dio->WriteDisk(dio, id + 1, 0, 1, buf), EFI_MEDIA_CHANGED,
		 "WriteDisk(MediaId + 1)");
	T_STATUS(dio->ReadDisk(dio, id, 0, 0, buf), EFI_SUCCESS, "ReadDisk(0 bytes)");

	for (UINTN i = 0; i < T_D_LEN; i++)
		buf[1 + i] = T_DPAT(T_D_OFF + i);
	T_OK(dio->WriteDisk(dio, id, T_D_OFF, T_D_LEN, buf + 1), "WriteDisk(1500 bytes)");
	SetMem(buf, sizeof(buf), 0);
	T_OK(dio->ReadDisk(dio, id, T_D_OFF, T_D_LEN, buf + 5), "ReadDisk(1500 bytes written)");
	for (UINTN i = 0; i < T_D_LEN; i++)
		T_REQUIRE(buf[5 + i] == T_DPAT(T_D_OFF + i),
			  L"WriteDisk read back: byte %ld differs", T_D_OFF + i);
	/* The blocks it touched, whole: bytes outside the write kept the image. */
	UINT64 first = T_D_OFF / bs, lastb = (T_D_OFF + T_D_LEN - 1) / bs;
	T_REQUIRE((lastb - first + 1) * bs <= sizeof(buf), L"blocks of %d bytes", bs);
	T_OK(bio->ReadBlocks(bio, id, first, (lastb - first + 1) * bs, buf),
	     "ReadBlocks(the blocks WriteDisk touched)");
	bad = t_pat_diff(buf, T_D_OFF - first * bs, first * bs);
	T_REQUIRE(bad < 0, L"before the WriteDisk range: byte %ld changed", bad);
	UINT64 end = T_D_OFF + T_D_LEN;
	bad = t_pat_diff(buf + (end - first * bs), (lastb + 1) * bs - end, end);
	T_REQUIRE(bad < 0, L"after the WriteDisk range: byte %ld changed", bad);
	T_OK(bio->FlushBlocks(bio), "FlushBlocks");

	t_ok(T_NAME,
	     L"ReadDisk across block edges into odd addresses, the last bytes, past the end "
	     L"and MediaId refused; WriteDisk of %d bytes at %ld patched blocks %ld-%ld and "
	     L"kept their other bytes",
	     T_D_LEN, T_D_OFF, first, lastb);
out:
	return;
}
#undef T_NAME

#define T_NAME "blockio-ro"
/* The read-only disk: it reads, and refuses writes through Block IO and
 * Disk IO with EFI_WRITE_PROTECTED. */
static void t_blockio_ro(EFI_HANDLE h, EFI_BLOCK_IO *bio)
{
	EFI_BLOCK_IO_MEDIA *m = bio->Media;
	EFI_DISK_IO *dio = NULL;
	UINT32 bs = m->BlockSize, id = m->MediaId;
	UINT8 *blk = NULL;
	INT64 bad;

	T_REQUIRE(m->ReadOnly, L"Media->ReadOnly is FALSE on the read-only disk");
	T_OK(BS->AllocatePool(EfiLoaderData, bs, (void **)&blk), "AllocatePool");
	T_OK(bio->ReadBlocks(bio, id, 0, bs, blk), "ReadBlocks(lba 0)");
	bad = t_pat_diff(blk, bs, 0);
	T_REQUIRE(bad < 0, L"lba 0: byte %ld differs", bad);
	T_STATUS(bio->WriteBlocks(bio, id, 1, bs, blk), EFI_WRITE_PROTECTED, "WriteBlocks");
	T_OK(BS->HandleProtocol(h, &DiskIoProtocol, (void **)&dio), "HandleProtocol(DiskIo)");
	T_STATUS(dio->WriteDisk(dio, id, 700, 3, blk), EFI_WRITE_PROTECTED, "WriteDisk");
	T_OK(bio->FlushBlocks(bio), "FlushBlocks");
	t_ok(T_NAME, L"%ld blocks of %d bytes, ReadOnly; lba 0 reads; WriteBlocks and WriteDisk "
		     L"answer EFI_WRITE_PROTECTED", m->LastBlock + 1, bs);
out:
	if (blk)
		BS->FreePool(blk);
}
#undef T_NAME

/* Every Block IO handle with a test magic: the first writable and the
 * first read-only one are checked. */
void check_blockio(void)
{
	EFI_HANDLE *hs = NULL, rw = NULL, ro = NULL;
	EFI_BLOCK_IO *rw_bio = NULL, *ro_bio = NULL;
	UINTN n = 0;

	if (BS->LocateHandleBuffer(ByProtocol, &BlockIoProtocol, NULL, &n, &hs) != EFI_SUCCESS)
		return;
	for (UINTN i = 0; i < n; i++) {
		EFI_BLOCK_IO *bio;

		if (EFI_ERROR(BS->HandleProtocol(hs[i], &BlockIoProtocol, (void **)&bio)))
			continue;
		char role = t_role(bio);
		if (role == 'W' && !rw) {
			rw = hs[i];
			rw_bio = bio;
		} else if (role == 'R' && !ro) {
			ro = hs[i];
			ro_bio = bio;
		}
	}
	BS->FreePool(hs);
	if (rw) {
		t_blockio_rw(rw, rw_bio);
		t_diskio(rw, rw_bio);
	}
	if (ro)
		t_blockio_ro(ro, ro_bio);
}
