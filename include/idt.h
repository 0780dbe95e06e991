/* Exception handling (arch/x86_64/idt.c): every CPU exception prints the
 * vector, error code, RIP, CR2 and registers to the console, then halts. */
#ifndef WB_IDT_H
#define WB_IDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The vector of the timer interrupt EFI programs get while they run
 * (efi/core/tick.c). */
#define IDT_TICK_VECTOR 0x30

void idt_init(void);

/* After a dump: describe says which loaded program holds an address
 * ("grubx64.efi+0x1234"); recover takes control back from a faulting
 * program (it returns only when there is none). */
void idt_set_fault_hooks(bool (*describe)(uint64_t addr, char *buf, size_t cap),
			 void (*recover)(void));

#endif
