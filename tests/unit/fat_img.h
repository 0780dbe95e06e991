/* Helpers of the FAT unit tests: FAT images made by dosfstools' mkfs.fat
 * and filled by mtools (as an OS would leave them), loaded into memory as
 * a struct blkdev, saved back, and checked by fsck.fat -n and read back by
 * mtools after our writes. */
#ifndef WB_FAT_IMG_H
#define WB_FAT_IMG_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <fat.h>

#define TOOLS "PATH=\"$PATH:/usr/sbin:/sbin\" MTOOLS_SKIP_CHECK=1 MTOOLS_NO_VFAT=0 "

/* The firmware's allocator, on the host. */
void *sysmem_zalloc(size_t size)
{
	return calloc(1, size);
}

void sysmem_free(void *p)
{
	free(p);
}

struct memdisk {
	uint8_t *data;
	size_t size;
	struct blkdev dev;
	char path[64];
	unsigned writes;
};

static int memdisk_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
	struct memdisk *m = ctx;

	if (lba * m->dev.block_size + count * m->dev.block_size > m->size)
		abort(); /* blkdev_read checks the range: never reached */
	memcpy(buf, m->data + lba * m->dev.block_size, count * m->dev.block_size);
	return 0;
}

static int memdisk_write(void *ctx, uint64_t lba, uint64_t count, const void *buf)
{
	struct memdisk *m = ctx;

	if (lba * m->dev.block_size + count * m->dev.block_size > m->size)
		abort();
	memcpy(m->data + lba * m->dev.block_size, buf, count * m->dev.block_size);
	m->writes++;
	return 0;
}

/* Run a shell command built from fmt with the tools on PATH; its status. */
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int n = snprintf(cmd, sizeof(cmd), TOOLS);

	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A fresh image file: mkfs.fat with args (e.g. "-F 12"), size in KiB. */
static void img_mkfs(struct memdisk *m, const char *args, unsigned kib)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->path, sizeof(m->path), "/tmp/wb_fat_%d_XXXXXX", (int)getpid());
	int fd = mkstemp(m->path);
	if (fd < 0)
		abort();
	close(fd);
	unlink(m->path);
	if (sh("mkfs.fat -C %s -i 12345678 %s %u >/dev/null", args, m->path, kib))
		abort();
}

/* Put a file of size bytes (byte i = (i * 7 + seed) & 0xff) at ::path. */
static void img_put(struct memdisk *m, const char *path, size_t size, unsigned seed)
{
	char tmp[80];
	snprintf(tmp, sizeof(tmp), "%s.src", m->path);
	FILE *f = fopen(tmp, "wb");
	for (size_t i = 0; i < size; i++)
		fputc((int)((i * 7 + seed) & 0xff), f);
	fclose(f);
	if (sh("mcopy -o -i %s %s '::%s'", m->path, tmp, path))
		abort();
	unlink(tmp);
}

static void img_mkdir(struct memdisk *m, const char *path)
{
	if (sh("mmd -i %s '::%s'", m->path, path))
		abort();
}

/* Load the image file into memory as a device of block_size blocks. */
static void img_load(struct memdisk *m, uint32_t block_size)
{
	FILE *f = fopen(m->path, "rb");
	if (!f)
		abort();
	fseek(f, 0, SEEK_END);
	m->size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	m->data = malloc(m->size);
	if (fread(m->data, 1, m->size, f) != m->size)
		abort();
	fclose(f);
	m->dev = (struct blkdev){.ctx = m,
				 .block_size = block_size,
				 .blocks = m->size / block_size,
				 .read = memdisk_read,
				 .write = memdisk_write};
}

static void img_save(struct memdisk *m)
{
	FILE *f = fopen(m->path, "wb");
	if (!f || fwrite(m->data, 1, m->size, f) != m->size)
		abort();
	fclose(f);
}

/* Save, then fsck.fat -n: 0 when the volume is clean. Its output is shown
 * when it is not. */
__attribute__((unused)) static int img_fsck(struct memdisk *m)
{
	img_save(m);
	int st = sh("fsck.fat -n %s >%s.fsck 2>&1", m->path, m->path);
	if (st)
		sh("cat %s.fsck >&2", m->path);
	sh("rm -f %s.fsck", m->path);
	return st;
}

/* Save, then read ::path with mtools: 0 when it holds size bytes of the
 * img_put pattern with seed (or zeros from zero_from on, up to zero_to). */
__attribute__((unused)) static int img_check_file(struct memdisk *m, const char *path, size_t size,
						  unsigned seed)
{
	char tmp[80];
	img_save(m);
	snprintf(tmp, sizeof(tmp), "%s.out", m->path);
	if (sh("mcopy -o -n -i %s '::%s' %s", m->path, path, tmp))
		return -1;
	FILE *f = fopen(tmp, "rb");
	int bad = !f;
	size_t i = 0;
	for (int c; f && (c = fgetc(f)) != EOF; i++)
		if (i >= size || c != (int)((i * 7 + seed) & 0xff))
			bad = 1;
	if (f)
		fclose(f);
	unlink(tmp);
	return bad || i != size ? -1 : 0;
}

static void img_free(struct memdisk *m)
{
	unlink(m->path);
	free(m->data);
	m->data = NULL;
}

/* An ASCII string as a UCS-2 path (static buffers, two in turn). */
static const uint16_t *u(const char *s)
{
	static uint16_t buf[4][1024];
	static int k;
	uint16_t *b = buf[k++ % 4];
	size_t i = 0;

	for (; s[i] && i < 1023; i++)
		b[i] = (uint8_t)s[i];
	b[i] = 0;
	return b;
}

/* A UCS-2 name as ASCII (test output). */
static const char *a(const uint16_t *s)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];
	size_t i = 0;

	for (; s[i] && i < 511; i++)
		b[i] = s[i] < 0x80 ? (char)s[i] : '?';
	b[i] = 0;
	return b;
}

static int fixed_now(struct rtc_time *t)
{
	*t = (struct rtc_time){
	    .year = 2024, .month = 5, .day = 17, .hour = 13, .minute = 45, .second = 30};
	return 0;
}

#endif
