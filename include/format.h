/* printf-style formatting into a callback or a buffer (lib/format.c).
 * Supports %d %i %u %x %X %o %p %s %c %%, flags - 0 + space #, width,
 * precision (also *), and length modifiers hh h l ll z j t. */
#ifndef WB_FORMAT_H
#define WB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*format_sink)(void *ctx, char c);

/* Format into sink; returns the number of characters produced. */
int format_cb(format_sink sink, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: always NUL-terminates when size > 0; returns the
 * length the full output would have had. */
int format_vbuf(char *buf, size_t size, const char *fmt, va_list ap);
int format_buf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "7.8 MiB" or "171 KiB", for transfer lines. */
void format_size(char *buf, size_t n, uint64_t bytes);
/* "17.4 MB/s" for bytes in ms milliseconds. */
void format_rate(char *buf, size_t n, uint64_t bytes, uint64_t ms);

#endif
