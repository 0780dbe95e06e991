; wireboot entry: both boot paths arrive here in 32-bit protected mode.
;
;   pvh_entry32  - from a PVH loader (QEMU -kernel, microvm, Cloud Hypervisor,
;                  Firecracker): paging off, %ebx = hvm_start_info.
;   rom_entry32  - from the reset stub (reset.asm) after it copied this image
;                  from ROM to RAM: %ebp:%esp = TSC read at the reset vector.
;
; Both record how we came in, zero .bss, build a 4 GiB identity map with
; 2 MiB pages, enter long mode and call wb_main(kind, start_info).
; paging_init() in C later replaces these tables with a map of all RAM.

BOOT_ENTRY_PVH	equ 1
BOOT_ENTRY_ROM	equ 2

SEL_CODE32	equ 0x08
SEL_CODE64	equ 0x10	; Linux's __BOOT_CS
SEL_DATA	equ 0x18	; Linux's __BOOT_DS

STACK_SIZE	equ 0x10000

extern wb_main
extern __bss_start
extern __bss_end

global pvh_entry32
global rom_entry32
global entry_tsc
global boot_gdt
global boot_stack_top
global boot_stack_guard

section .text.entry progbits alloc exec nowrite align=16
bits 32

pvh_entry32:
	rdtsc
	mov	ebp, eax
	mov	esp, edx
	mov	esi, ebx
	mov	edi, BOOT_ENTRY_PVH
	jmp	entry32_common

rom_entry32:
	xor	esi, esi
	mov	edi, BOOT_ENTRY_ROM

entry32_common:
	cli
	cld
	; Our own GDT: the loader's may live in memory we are about to reuse.
	lgdt	[boot_gdtr]
	jmp	SEL_CODE32:.flat
.flat:
	mov	ax, SEL_DATA
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	fs, ax
	mov	gs, ax

	; .bss is about to be zeroed: keep the inputs in .data.
	mov	[entry_tsc], ebp
	mov	[entry_tsc + 4], esp
	mov	[entry_kind], edi
	mov	[entry_info], esi

	mov	edi, __bss_start
	mov	ecx, __bss_end
	sub	ecx, edi
	shr	ecx, 2
	xor	eax, eax
	rep stosd

	mov	esp, boot_stack_top

	; PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages.
	mov	dword [early_pml4], early_pdpt + 0x003
	mov	ecx, 0
.pdpt:
	mov	eax, ecx
	shl	eax, 12
	add	eax, early_pd + 0x003
	mov	[early_pdpt + ecx * 8], eax
	inc	ecx
	cmp	ecx, 4
	jb	.pdpt

	xor	ecx, ecx
.pd:
	mov	eax, ecx
	shl	eax, 21
	or	eax, 0x083		; present, writable, 2 MiB page
	mov	[early_pd + ecx * 8], eax
	mov	eax, ecx
	shr	eax, 11			; bits 32+ of (ecx << 21)
	mov	[early_pd + ecx * 8 + 4], eax
	inc	ecx
	cmp	ecx, 2048
	jb	.pd

	; CR4: PAE, plus OSFXSR/OSXMMEXCPT so EFI programs may use SSE.
	mov	eax, cr4
	or	eax, (1 << 5) | (1 << 9) | (1 << 10)
	mov	cr4, eax
	mov	eax, early_pml4
	mov	cr3, eax

	mov	ecx, 0xC0000080		; EFER
	rdmsr
	or	eax, (1 << 8)		; LME
	wrmsr

	; CR0: paging and protection on; caches on (CD/NW off); x87/SSE usable
	; (EM off, MP on, NE on).
	mov	eax, cr0
	and	eax, ~((1 << 30) | (1 << 29) | (1 << 2))
	or	eax, (1 << 31) | (1 << 5) | (1 << 1) | 1
	mov	cr0, eax

	jmp	SEL_CODE64:long_entry

bits 64
long_entry:
	mov	ax, SEL_DATA
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	xor	eax, eax
	mov	fs, ax
	mov	gs, ax
	mov	rsp, boot_stack_top
	fninit
	mov	edi, [entry_kind]
	mov	esi, [entry_info]
	call	wb_main
.hang:
	cli
	hlt
	jmp	.hang

section .rodata
align 16
; 0x08: 32-bit code, 0x10: 64-bit code, 0x18: flat data (32/64-bit).
boot_gdt:
	dq	0
	dq	0x00CF9A000000FFFF
	dq	0x00AF9A000000FFFF
	dq	0x00CF92000000FFFF
boot_gdt_end:

boot_gdtr:
	dw	boot_gdt_end - boot_gdt - 1
	dq	boot_gdt

section .data
align 8
entry_tsc:	dq 0
entry_kind:	dd 0
entry_info:	dd 0

section .bss
alignb 4096
early_pml4:	resb 4096
early_pdpt:	resb 4096
early_pd:	resb 4 * 4096
; Left unmapped by paging_init(): a stack overflow faults here (and the
; double fault runs on its own IST stack) instead of overwriting .bss.
boot_stack_guard:
		resb 4096
boot_stack:	resb STACK_SIZE
boot_stack_top:

; PVH: Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY (18) with the 32-bit entry.
; 4-byte aligned as loaders (QEMU, Cloud Hypervisor) expect.
section .note.Xen note alloc noexec nowrite align=4
	dd	4
	dd	8
	dd	18
	db	"Xen", 0
	dq	pvh_entry32
