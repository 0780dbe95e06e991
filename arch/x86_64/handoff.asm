; Jump to a Linux kernel's 64-bit entry (boot protocol 2.12+, "64-bit boot
; protocol"): long mode, identity-mapped, interrupts off, %rsi = boot_params,
; CS = __BOOT_CS (0x10) and DS/ES/SS = __BOOT_DS (0x18), which is already
; wireboot's own GDT layout (entry.asm).
;
; void linux_jump64(uint64_t entry, uint64_t boot_params)  [SysV: rdi, rsi]

global linux_jump64

section .text
bits 64
linux_jump64:
	cli
	cld
	mov	ax, 0x18
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	rax, rdi
	xor	ebx, ebx
	xor	ecx, ecx
	xor	edx, edx
	xor	edi, edi
	xor	ebp, ebp
	jmp	rax
