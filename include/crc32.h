/* CRC-32 (IEEE 802.3, as zlib computes it) (lib/crc32.c). */
#ifndef WB_CRC32_H
#define WB_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32(uint32_t crc, const void *p, size_t len);

#endif
