/* QEMU fw_cfg (platform/fw_cfg.c): I/O ports 0x510/0x511, DMA at 0x514. */
#ifndef WB_FW_CFG_H
#define WB_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>

#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_FILE_DIR 0x19

/* Detect fw_cfg and its DMA interface; true if present. */
bool fw_cfg_init(void);
bool fw_cfg_present(void);
bool fw_cfg_has_dma(void);

/* Look a file up by name: 0 and its selector/size, or -1. */
int fw_cfg_find(const char *name, uint16_t *sel, uint32_t *size);

/* Read len bytes of item sel from its start. */
void fw_cfg_read(uint16_t sel, void *buf, uint32_t len);

/* Write len bytes at offset into item sel (DMA only): 0 or -1. */
int fw_cfg_write(uint16_t sel, uint32_t offset, const void *buf, uint32_t len);

#endif
