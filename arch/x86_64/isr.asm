; Exception entry stubs: each pushes a uniform frame (vector, error code)
; and jumps to the common path, which saves the registers and calls
; exc_handle(struct exc_frame *) in idt.c. That function never returns.

extern exc_handle
extern irq_tick
global isr_table
global isr_tick
global isr_ignore

section .text
bits 64

%macro ISR_NOERR 1
isr%1:
	push	0
	push	%1
	jmp	isr_common
%endmacro

%macro ISR_ERR 1
isr%1:
	push	%1
	jmp	isr_common
%endmacro

; Vectors that push an error code: 8, 10-14, 17, 21, 29, 30.
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR   29
ISR_ERR   30
ISR_NOERR 31

isr_common:
	push	rax
	push	rbx
	push	rcx
	push	rdx
	push	rsi
	push	rdi
	push	rbp
	push	r8
	push	r9
	push	r10
	push	r11
	push	r12
	push	r13
	push	r14
	push	r15
	mov	rdi, rsp
	and	rsp, -16
	call	exc_handle
.hang:
	cli
	hlt
	jmp	.hang

section .rodata
align 8
isr_table:
%assign i 0
%rep 32
	dq	isr %+ i
%assign i i + 1
%endrep

; The timer interrupt EFI programs get (efi/core/tick.c): save what the
; System V ABI lets C clobber, call irq_tick(interrupted RIP), return.
isr_tick:
	push	rax
	push	rcx
	push	rdx
	push	rsi
	push	rdi
	push	r8
	push	r9
	push	r10
	push	r11
	push	rbx
	mov	rdi, [rsp + 10 * 8]	; the interrupted RIP, first in the CPU's frame
	mov	rbx, rsp
	and	rsp, -16
	cld
	call	irq_tick
	mov	rsp, rbx
	pop	rbx
	pop	r11
	pop	r10
	pop	r9
	pop	r8
	pop	rdi
	pop	rsi
	pop	rdx
	pop	rcx
	pop	rax
	iretq

; Any other vector from 32 up: the local APIC's spurious vector (no EOI
; wanted); nothing else is unmasked while programs run.
isr_ignore:
	iretq
