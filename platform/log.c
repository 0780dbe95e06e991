/* Timestamped console logging over the serial port. */
#include <stdarg.h>
#include <stdint.h>
#include <clock.h>
#include <format.h>
#include <log.h>
#include <serial.h>

static enum log_level log_level = LOG_INFO;

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

static void con_sink(void *ctx, char c)
{
	(void)ctx;
	serial_putc(c);
}

static void con_vprintf(const char *fmt, va_list ap)
{
	format_cb(con_sink, 0, fmt, ap);
}

void con_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const tag[] = { "error: ", "warning: ", "", "" };
	va_list ap;

	if (level > log_level)
		return;
	uint64_t us = clock_us_since_entry();
	con_printf("[%6u.%03u ms] %s", (unsigned)(us / 1000), (unsigned)(us % 1000), tag[level]);
	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
	serial_putc('\n');
}
