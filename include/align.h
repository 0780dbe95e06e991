/* Rounding to a power-of-two alignment: the one home of align-up. */
#ifndef WB_ALIGN_H
#define WB_ALIGN_H

#include <stdint.h>

/* v rounded up to a multiple of a (a power of two). Wraps past UINT64_MAX:
 * callers that take v from outside bound it first. */
static inline uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* v rounded down to a multiple of a (a power of two). */
static inline uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

#endif
