/* QEMU fw_cfg: item and file reads over port I/O or DMA. */
#include <string.h>
#include <compiler.h>
#include <fw_cfg.h>
#include <io.h>

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORT_DMA 0x514

#define FW_CFG_DMA_ERROR 0x01
#define FW_CFG_DMA_READ 0x02
#define FW_CFG_DMA_SKIP 0x04
#define FW_CFG_DMA_SELECT 0x08
#define FW_CFG_DMA_WRITE 0x10

struct fw_cfg_dma {
	uint32_t control;
	uint32_t length;
	uint64_t address;
} __attribute__((packed, aligned(16)));

struct fw_cfg_file {
	uint32_t size;
	uint16_t select;
	uint16_t reserved;
	char name[56];
} __attribute__((packed));

static bool present, dma;

static uint32_t be32(uint32_t v) { return __builtin_bswap32(v); }
static uint16_t be16(uint16_t v) { return __builtin_bswap16(v); }

/* Run one DMA request and wait for the device to clear control. */
static int fw_cfg_dma_run(uint32_t control, void *buf, uint32_t len)
{
	static struct fw_cfg_dma req;

	req.control = be32(control);
	req.length = be32(len);
	req.address = __builtin_bswap64((uint64_t)(uintptr_t)buf);
	barrier(); /* the request is written before the device is told */
	uint64_t a = (uintptr_t)&req;
	outl(FW_CFG_PORT_DMA, be32((uint32_t)(a >> 32)));
	outl(FW_CFG_PORT_DMA + 4, be32((uint32_t)a));
	for (;;) {
		uint32_t c = be32(*(volatile uint32_t *)&req.control);
		if (c & FW_CFG_DMA_ERROR)
			return -1;
		if (!c)
			return 0;
		cpu_pause();
	}
}

bool fw_cfg_init(void)
{
	char sig[4];

	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)inb(FW_CFG_PORT_DATA);
	present = memcmp(sig, "QEMU", 4) == 0;
	if (!present)
		return false;
	uint32_t id;
	outw(FW_CFG_PORT_SEL, FW_CFG_ID);
	id = inb(FW_CFG_PORT_DATA);
	/* DMA: feature bit 1, and the DMA register reads back "QEMU CFG". */
	dma = (id & 2) && inl(FW_CFG_PORT_DMA) == be32(0x51454d55);
	return true;
}

bool fw_cfg_present(void)
{
	return present;
}

bool fw_cfg_has_dma(void)
{
	return dma;
}

void fw_cfg_read(uint16_t sel, void *buf, uint32_t len)
{
	if (!present)
		return;
	if (dma && fw_cfg_dma_run((uint32_t)sel << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, buf,
				  len) == 0)
		return;
	outw(FW_CFG_PORT_SEL, sel);
	uint8_t *p = buf;
	for (uint32_t i = 0; i < len; i++)
		p[i] = inb(FW_CFG_PORT_DATA);
}

int fw_cfg_write(uint16_t sel, uint32_t offset, const void *buf, uint32_t len)
{
	if (!present || !dma)
		return -1;
	if (fw_cfg_dma_run((uint32_t)sel << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP, 0, offset))
		return -1;
	return fw_cfg_dma_run(FW_CFG_DMA_WRITE, (void *)buf, len);
}

#define FW_CFG_DIR_MAX 256

static struct fw_cfg_file dir[FW_CFG_DIR_MAX];
static uint32_t dir_count;
static bool dir_loaded;

/* Read the file directory once: a big-endian count, then the entries. */
static void load_dir(void)
{
	static uint8_t raw[4 + sizeof(dir)];
	uint32_t count;

	dir_loaded = true;
	fw_cfg_read(FW_CFG_FILE_DIR, raw, 4);
	memcpy(&count, raw, 4);
	count = be32(count);
	if (count > FW_CFG_DIR_MAX)
		count = FW_CFG_DIR_MAX; /* QEMU has a few dozen; the rest is unreachable */
	fw_cfg_read(FW_CFG_FILE_DIR, raw, 4 + count * (uint32_t)sizeof(struct fw_cfg_file));
	memcpy(dir, raw + 4, count * sizeof(struct fw_cfg_file));
	dir_count = count;
}

int fw_cfg_find(const char *name, uint16_t *sel, uint32_t *size)
{
	if (!present)
		return -1;
	if (!dir_loaded)
		load_dir();
	for (uint32_t i = 0; i < dir_count; i++) {
		if (strncmp(dir[i].name, name, sizeof(dir[i].name)) == 0 &&
		    strlen(name) < sizeof(dir[i].name)) {
			*sel = be16(dir[i].select);
			*size = be32(dir[i].size);
			return 0;
		}
	}
	return -1;
}
