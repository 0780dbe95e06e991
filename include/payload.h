/* Payload kinds (boot/payload.c): what a fetched file is and how to start
 * it, as a table of {probe, boot} rows (ARCHITECTURE.md rule 8). A new
 * kind (a script, an ISO) is a new row; the boot manager only keeps the
 * order and the fallbacks. */
#ifndef WB_PAYLOAD_H
#define WB_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fetch.h>

#define BOOT_PATH_LEN 512

/* What a payload may need from the network boot that found it. */
struct boot_env {
	const struct fetch_ctx *fetch;
	char base[BOOT_PATH_LEN]; /* the boot file's directory, with '/', or "" */
	char ip[80];		  /* IPAPPEND 1: client:server:gateway:netmask */
	char bootif[32];	  /* IPAPPEND 2: 01-<mac> */
	bool linux_efi;		  /* linux_boot=efi: kernels start through their EFI stub */
};

/* What comes with the payload: a command line and, for Linux, initrds. */
struct payload_args {
	const char *cmdline;
	const struct fetched *initrds;
	size_t n_initrds;
};

enum payload_type { PAYLOAD_BZIMAGE, PAYLOAD_EFI, PAYLOAD_CONFIG };

struct payload_kind {
	enum payload_type type;
	const char *name; /* "Linux kernel", "EFI program", "pxelinux config" */
	bool (*probe)(const uint8_t *p, size_t len);
	/* Start it; returns only on failure, -1 after printing why. f and a
	 * stay the caller's. */
	int (*boot)(const struct boot_env *env, const char *name, const struct fetched *f,
		    const struct payload_args *a);
};

/* The first row whose probe accepts the file; the config row takes
 * anything, so never NULL. */
const struct payload_kind *payload_detect(const struct fetched *f);

/* An MZ header whose e_lfanew points at "PE\0\0" inside the buffer (PE/COFF
 * s.2 and s.3). */
bool payload_is_pe(const uint8_t *p, size_t len);

#endif
