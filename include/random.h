/* Random numbers for protocol identifiers (lib/random.c): DHCP xids, TFTP
 * ports, backoff jitter. Not for cryptography. */
#ifndef WB_RANDOM_H
#define WB_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Mix bytes that differ between VMs (MAC addresses, UUID) into the state. */
void random_mix(const void *p, size_t len);
uint32_t random_u32(void);
/* Uniform in [0, n) for n > 0. */
uint32_t random_below(uint32_t n);

#endif
