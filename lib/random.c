/* xorshift64* seeded from RDRAND when the CPU has it, the TSC, and
 * whatever per-VM bytes callers mix in: a rack of VMs started in the same
 * millisecond still picks different DHCP xids. */
#include <io.h>
#include <random.h>

static uint64_t state;

static uint64_t rdrand64(void)
{
	uint32_t a, b, c, d;
	uint64_t v = 0;
	unsigned char ok = 0;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 30)))
		return 0;
	for (int i = 0; i < 10 && !ok; i++)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
	return ok ? v : 0;
}

static void seed(void)
{
	state ^= rdtsc() * 0x9e3779b97f4a7c15ULL ^ rdrand64();
	if (!state)
		state = 0x853c49e6748fea9bULL;
}

void random_mix(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		state = (state ^ b[i]) * 0x100000001b3ULL; /* FNV-1a step */
	seed();
}

uint32_t random_u32(void)
{
	if (!state)
		seed();
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (uint32_t)((state * 0x2545f4914f6cdd1dULL) >> 32);
}

uint32_t random_below(uint32_t n)
{
	return n ? (uint32_t)(((uint64_t)random_u32() * n) >> 32) : 0;
}
