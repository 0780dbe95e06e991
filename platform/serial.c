/* 16550 UART on COM1, 115200 8N1, polled. */
#include <stdint.h>
#include <io.h>
#include <serial.h>

#define COM1 0x3f8
#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20

static int serial_ok;

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80); /* DLAB: divisor follows */
	outb(COM1 + 0, 0x01);        /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7); /* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
	/* No UART answers 0xff on LSR: skip output rather than spin forever. */
	serial_ok = inb(COM1 + UART_LSR) != 0xff;
}

void serial_putc(char c)
{
	if (!serial_ok)
		return;
	if (c == '\n')
		serial_putc('\r');
	for (int spins = 0; !(inb(COM1 + UART_LSR) & UART_LSR_THRE) && spins < 100000; spins++)
		cpu_pause();
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

int serial_getc_nonblock(void)
{
	if (!serial_ok || !(inb(COM1 + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(COM1 + UART_RBR);
}
