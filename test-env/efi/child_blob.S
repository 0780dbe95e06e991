/* efichild.efi as bytes inside efitest, for LoadImage from a buffer.
 * EFICHILD_PATH comes from efi.mk. */
	.section .rodata
	.balign 16
	.globl efichild_image, efichild_image_end
	.hidden efichild_image, efichild_image_end
efichild_image:
	.incbin EFICHILD_PATH
efichild_image_end:
	.section .note.GNU-stack, "", @progbits
