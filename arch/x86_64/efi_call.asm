; Call an EFI image's entry point (UEFI 2.10 s.2.3.4: Microsoft x64 ABI,
; handle in rcx, system table in rdx, 32 bytes of shadow space, a 16-byte
; aligned stack) on a stack of its own.
;
; uint64_t efi_call_entry(void *entry, void *handle, void *systab, void *stack_top)
;                         [SysV: rdi, rsi, rdx, rcx]
; stack_top 0: stay on the caller's stack.
;
; The program runs with interrupts on, as on a PC firmware (iPXE idles in
; `hlt` waiting for a timer tick: efi/core/tick.c); the caller's interrupt
; flag comes back with the return.

global efi_call_entry

section .text
bits 64
efi_call_entry:
	push	rbp
	mov	rbp, rsp		; rbp is callee-saved in both ABIs
	push	rbx
	push	rsi			; rsi and rdi are callee-saved under ms_abi
	push	rdi			; but not SysV: the entry may not clobber ours,
	pushfq				; and we must not clobber the caller's; nor its IF
	mov	rax, rdi
	test	rcx, rcx
	jz	.stay
	mov	rsp, rcx
.stay:
	and	rsp, -16
	mov	rcx, rsi		; ImageHandle
	; rdx already holds SystemTable
	sub	rsp, 32			; shadow space for the callee's home slots
	sti
	call	rax
	lea	rsp, [rbp - 32]
	popfq
	pop	rdi
	pop	rsi
	pop	rbx
	pop	rbp
	ret
