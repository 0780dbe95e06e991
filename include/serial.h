/* 16550 UART on COM1 (platform/serial.c): the console. */
#ifndef WB_SERIAL_H
#define WB_SERIAL_H

#include <stddef.h>

void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t n);

/* The next received byte, or -1 if none is waiting (never blocks). */
int serial_getc_nonblock(void);

#endif
