; wireboot reset vector: the last 4 KiB of the ROM image, at 0xFFFFF000.
;
; The CPU starts here in real mode (CS base 0xFFFF0000, IP 0xFFF0). We switch
; to 32-bit protected mode with a flat GDT, copy the firmware image from ROM
; to its link address in RAM, and jump to rom_entry32 (entry.asm). Nothing
; runs from ROM after that; RAM on a VM is usable at reset.
;
; Defined by the build (Makefile): PAYLOAD_SRC (ROM address of the image),
; PAYLOAD_DWORDS (its size / 4), LOAD_ADDR (link address), ENTRY32.

SEL_CODE32	equ 0x08
SEL_DATA	equ 0x18

bits 16
org 0xFFFFF000

align 16
rom_gdt:
	dq	0
	dq	0x00CF9A000000FFFF
	dq	0x00AF9A000000FFFF
	dq	0x00CF92000000FFFF
rom_gdt_end:

rom_gdtr:
	dw	rom_gdt_end - rom_gdt - 1
	dd	rom_gdt

reset16:
	cli
	cld
	; Offsets are relative to CS base 0xFFFF0000; o32 loads a 32-bit base.
	o32 lgdt [cs:(rom_gdtr - $$ + 0xF000)]
	mov	eax, cr0
	or	al, 1
	mov	cr0, eax
	jmp	dword SEL_CODE32:reset32

bits 32
reset32:
	; The TSC at (almost) reset time: wireboot's "time since entry" starts here.
	rdtsc
	mov	ebp, eax
	mov	esp, edx
	mov	ax, SEL_DATA
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	esi, PAYLOAD_SRC
	mov	edi, LOAD_ADDR
	mov	ecx, PAYLOAD_DWORDS
	rep movsd
	mov	eax, ENTRY32
	jmp	eax

	times 0xFF0 - ($ - $$) db 0xFF
bits 16
reset_vector:
	jmp	near reset16
	times 0x1000 - ($ - $$) db 0xFF
