/* The Internet checksum's sum (RFC 1071) for lwIP (LWIP_CHKSUM in
 * lwipopts.h), shaped for TCG: 32 bytes a loop step as four unaligned
 * 8-byte loads whose 32-bit halves go into a 64-bit accumulator, so no
 * carry is tested inside the loop. lwIP 2.1.3's own routines load 4 bytes
 * at a time and test a carry after each add; every received TFTP byte
 * and every byte of a frame the device did not vouch for passes here. */
#include <stddef.h>
#include <stdint.h>
#include "lwipopts.h"

typedef uint64_t __attribute__((may_alias, aligned(1))) inet_sum_u64;
typedef uint16_t __attribute__((may_alias, aligned(1))) inet_sum_u16;

/* Add both 32-bit halves of v to sum. */
static inline uint64_t inet_sum_add(uint64_t sum, uint64_t v)
{
	return sum + (uint32_t)v + (v >> 32);
}

/* The ones'-complement sum of len bytes as 16-bit words in memory order
 * (x86: little-endian loads), an odd last byte as the low half of a word;
 * folded to 16 bits, not complemented: what lwip_standard_chksum returns.
 * Byte order does not matter to the sum (RFC 1071 s.2(B)). */
uint16_t wb_inet_sum(const void *data, int len)
{
	const uint8_t *p = data;
	size_t n = len > 0 ? (size_t)len : 0;
	uint64_t sum = 0;

	for (; n >= 32; n -= 32, p += 32) {
		const inet_sum_u64 *q = (const inet_sum_u64 *)p;
		sum = inet_sum_add(sum, q[0]);
		sum = inet_sum_add(sum, q[1]);
		sum = inet_sum_add(sum, q[2]);
		sum = inet_sum_add(sum, q[3]);
	}
	for (; n >= 8; n -= 8, p += 8)
		sum = inet_sum_add(sum, *(const inet_sum_u64 *)p);
	for (; n >= 2; n -= 2, p += 2)
		sum += *(const inet_sum_u16 *)p;
	if (n)
		sum += *p;
	/* A 64-bit sum of 32-bit words folds to 16 bits with its carries. */
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}
