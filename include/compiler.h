/* Compiler-level helpers shared by every layer. */
#ifndef WB_COMPILER_H
#define WB_COMPILER_H

/* Keep the compiler from moving memory accesses across this point (no CPU
 * fence: x86 keeps stores in order; use mfence where a device needs it). */
static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

#endif
