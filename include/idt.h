/* Exception handling (arch/x86_64/idt.c): every CPU exception prints the
 * vector, error code, RIP, CR2 and registers to the console, then halts. */
#ifndef WB_IDT_H
#define WB_IDT_H

void idt_init(void);

#endif
