/* lwIP's platform hooks: clock, memory, randomness, diagnostics. */
#include <stdarg.h>
#include <string.h>
#include <clock.h>
#include <format.h>
#include <io.h>
#include <log.h>
#include <sysmem.h>
#include <random.h>
#include "lwip/sys.h"

u32_t sys_now(void)
{
	return (u32_t)clock_ms();
}

void *lwip_port_malloc(size_t size)
{
	return pool_alloc(&sys_pool, size, MEM_BS_DATA);
}

void *lwip_port_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return sysmem_zalloc(n * size);
}

void lwip_port_free(void *p)
{
	sysmem_free(p);
}

uint32_t lwip_port_rand(void)
{
	return random_u32();
}

void lwip_port_diag(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	format_vbuf(line, sizeof(line), fmt, ap);
	va_end(ap);
	size_t n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	log_debug("lwip: %s", line);
}

void lwip_port_assert(const char *msg, const char *file, int line)
{
	log_error("lwip: assertion \"%s\" failed at %s:%d; halted", msg, file, line);
	cpu_halt_forever();
}
