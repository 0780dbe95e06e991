/* UEFI variables in RAM (efi/variables.c), UEFI 2.10 s.8.2. A pure store:
 * one fixed arena inside the structure (the firmware keeps its one store in
 * .bss, which stays mapped as runtime memory after ExitBootServices; no
 * pool memory is ever used). Nothing survives a reset: "non-volatile"
 * variables are kept, and reported, exactly like volatile ones.
 *
 * Every function returns the EFI_STATUS the runtime service returns; the
 * EFIAPI entry points in efi/runtime.c only bound the caller's strings and
 * pass efi_at_runtime() as `runtime`. At runtime only RUNTIME_ACCESS
 * variables are visible, and only those can be written.
 *
 * Policy choices (documented in docs/uefi.md once it exists):
 * - NON_VOLATILE writes at runtime succeed, in RAM: Linux's efivarfs and
 *   systemd (`bootctl set-oneshot`, LoaderEntryOneShot) expect them to.
 * - AUTHENTICATED_WRITE_ACCESS (deprecated) and ENHANCED_AUTHENTICATED_ACCESS
 *   answer EFI_UNSUPPORTED; TIME_BASED_AUTHENTICATED_WRITE_ACCESS answers
 *   EFI_SECURITY_VIOLATION (no key database, so no signature can verify);
 *   HARDWARE_ERROR_RECORD answers EFI_UNSUPPORTED (no HwErrRecSupport).
 * - Variables the firmware publishes as read-only (SecureBoot, SetupMode,
 *   BootCurrent, OsIndicationsSupported, *LangCodes) answer
 *   EFI_WRITE_PROTECTED to SetVariable. */
#ifndef WB_EFI_VARS_H
#define WB_EFI_VARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <efi_types.h>

/* Bytes of the arena: record headers, names and data together. */
#define EFI_VARS_ARENA (64 * 1024)
/* Longest name in bytes, its NUL included (EDK2 allows about as much). */
#define EFI_VARS_NAME_MAX 1024
/* Longest device path efi_vars_set_boot_globals takes for Boot0001. */
#define EFI_VARS_BOOT_PATH_MAX 4096

/* Attribute bits SetVariable knows (UEFI 2.10 s.8.2.3). */
#define EFI_VARS_ATTR_ENHANCED_AUTH 0x00000080u
#define EFI_VARS_ATTR_STORED                                                                       \
	(EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)

struct efi_vars {
	size_t used; /* bytes of arena holding records */
	uint8_t arena[EFI_VARS_ARENA] __attribute__((aligned(8)));
};

/* Empty the store. */
void efi_vars_init(struct efi_vars *vs);

/* Number of UCS-2 units before the NUL in name, looking at no more than
 * max_bytes; -1 if there is no NUL within them. */
long efi_vars_name_len(const CHAR16 *name, size_t max_bytes);

/* GetVariable (s.8.2.1). attrs may be NULL; it is set on EFI_SUCCESS and on
 * EFI_BUFFER_TOO_SMALL, which also sets *size to the size needed. */
EFI_STATUS efi_vars_get(const struct efi_vars *vs, bool runtime, const CHAR16 *name,
			const EFI_GUID *guid, UINT32 *attrs, UINTN *size, void *data);

/* SetVariable (s.8.2.3): create, replace, append (APPEND_WRITE), or delete
 * (size 0 or no access attributes). */
EFI_STATUS efi_vars_set(struct efi_vars *vs, bool runtime, const CHAR16 *name,
			const EFI_GUID *guid, UINT32 attrs, UINTN size, const void *data);

/* GetNextVariableName (s.8.2.2): *name_size is the caller's buffer in bytes;
 * an empty name starts the walk; EFI_NOT_FOUND after the last one. */
EFI_STATUS efi_vars_next_name(const struct efi_vars *vs, bool runtime, UINTN *name_size,
			      CHAR16 *name, EFI_GUID *guid);

/* QueryVariableInfo (s.8.2.4): the one arena, honestly. */
EFI_STATUS efi_vars_query(const struct efi_vars *vs, bool runtime, UINT32 attrs,
			  UINT64 *max_storage, UINT64 *remaining, UINT64 *max_var);

/* The firmware's own write: creates or replaces a variable that SetVariable
 * may then never change (EFI_WRITE_PROTECTED). attrs as for efi_vars_set. */
EFI_STATUS efi_vars_set_readonly(struct efi_vars *vs, const CHAR16 *name, const EFI_GUID *guid,
				 UINT32 attrs, UINTN size, const void *data);

/* What the firmware publishes before it starts a boot option (UEFI 2.10
 * s.3.3, Table 3.1). */
struct efi_boot_globals {
	const void *device_path; /* of Boot0001; ends with an End node */
	size_t device_path_len;
	UINT16 timeout; /* seconds, the Timeout variable */
};

/* Seed the globals: BootOrder = {0001}, Boot0001 (an EFI_LOAD_OPTION,
 * active, "wireboot network boot" + the device path), BootCurrent = 0001,
 * Timeout, PlatformLang "en-US", Lang "eng", PlatformLangCodes, LangCodes,
 * OsIndicationsSupported 0, SecureBoot 0, SetupMode 1 (no PK enrolled, s.32.3).
 * EFI_INVALID_PARAMETER for a device path that is not a whole path. */
EFI_STATUS efi_vars_set_boot_globals(struct efi_vars *vs, const struct efi_boot_globals *g);

#endif
