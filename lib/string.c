/* Freestanding memory and string functions. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

/* 32 bytes a loop step through four registers, then eight bytes a rep
 * step, then the tail. Under TCG every step of a rep string instruction is
 * a pass through the translated block, with the direction flag read and
 * the count tested each time, and costs about the same whatever its
 * width; a plain loop of loads and stores pays that once per 32 bytes.
 * Each block is loaded before it is stored, so a forward copy to a lower,
 * overlapping address (memmove's) is safe. */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;
	size_t blocks = n >> 5, words = (n & 31) >> 3, tail = n & 7;

	if (blocks)
		__asm__ volatile("1:\n\t"
				 "movq (%[s]), %%rax\n\t"
				 "movq 8(%[s]), %%rdx\n\t"
				 "movq 16(%[s]), %%r8\n\t"
				 "movq 24(%[s]), %%r9\n\t"
				 "movq %%rax, (%[d])\n\t"
				 "movq %%rdx, 8(%[d])\n\t"
				 "movq %%r8, 16(%[d])\n\t"
				 "movq %%r9, 24(%[d])\n\t"
				 "addq $32, %[s]\n\t"
				 "addq $32, %[d]\n\t"
				 "decq %[b]\n\t"
				 "jnz 1b"
				 : [d] "+r"(dst), [s] "+r"(src), [b] "+r"(blocks)
				 :
				 : "rax", "rdx", "r8", "r9", "memory", "cc");
	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(words) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(tail) : : "memory");
	return ret;
}

/* Forward copies are memcpy's; an overlap with dst above src copies from
 * the top down, eight bytes a step as memcpy (the direction flag is set
 * only for the two rep instructions). */
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	size_t tail = n & 7, words = n >> 3;
	unsigned char *dt = d + n - 1;
	const unsigned char *st = s + n - 1;
	__asm__ volatile("std; rep movsb; cld"
			 : "+D"(dt), "+S"(st), "+c"(tail)
			 :
			 : "memory", "cc");
	/* rdi/rsi now sit on the last byte of the words still to copy. */
	dt -= 7;
	st -= 7;
	__asm__ volatile("std; rep movsq; cld"
			 : "+D"(dt), "+S"(st), "+c"(words)
			 :
			 : "memory", "cc");
	return dst;
}

/* Eight bytes a step, then the tail, as memcpy. */
void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;
	size_t words = n >> 3, tail = n & 7;
	uint64_t v = (uint8_t)c * 0x0101010101010101ULL;

	__asm__ volatile("rep stosq" : "+D"(dst), "+c"(words) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(tail) : "a"(v) : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++)
		if (p[i] == (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

char *strstr(const char *h, const char *n)
{
	size_t nl = strlen(n);

	if (!nl)
		return (char *)h;
	for (; *h; h++)
		if (*h == *n && !strncmp(h, n, nl))
			return (char *)h;
	return NULL;
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

int strncasecmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
		if (x != y || !x)
			return x - y;
	}
	return 0;
}

int strcasecmp(const char *a, const char *b)
{
	return strncasecmp(a, b, SIZE_MAX);
}
