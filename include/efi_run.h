/* Running an EFI program from memory (efi/run.c). */
#ifndef WB_EFI_RUN_H
#define WB_EFI_RUN_H

#include <stddef.h>
#include <efi_types.h>

struct efi_run {
	const char *name;       /* for messages */
	const void *data;       /* the PE file */
	size_t size;
	EFI_DEVICE_PATH *device_path; /* where it came from, or NULL */
	const char *cmdline;    /* LoadOptions, or NULL */
	const void *initrd;     /* offered through LoadFile2, or NULL */
	size_t initrd_size;
};

/* Load, start, and return what the program returned (after one log line);
 * the buffers stay the caller's. Returns only if the program returns. */
EFI_STATUS efi_run_image(const struct efi_run *r);

#endif
