/* pxelinux-style configuration files (pxe/pxelinux.c), as PXELINUX and
 * the provisioning tools that write for it understand them. Pure: INCLUDE
 * goes through a callback, so host tests and fuzz targets run it. */
#ifndef WB_PXELINUX_H
#define WB_PXELINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PXECFG_MAX_ENTRIES 128
#define PXECFG_MAX_DEPTH 8     /* nested INCLUDEs */
#define PXECFG_MAX_INCLUDES 32 /* INCLUDEs in all */

struct pxecfg_entry {
	char label[256]; /* Cobbler and Foreman name labels after long profile names */
	char kernel[256];
	char kernel_args[512]; /* options after KERNEL's file name */
	char initrd[512]; /* comma-separated, from INITRD or initrd= in APPEND */
	char append[2048];
	bool has_append;  /* its own APPEND (even "APPEND -") */
	int ipappend;     /* bit 0: ip=..., bit 1: BOOTIF=... */
	bool has_ipappend;
	bool localboot;
	bool module;      /* KERNEL names a .c32 module, COM32 or CONFIG */
};

struct pxecfg {
	struct pxecfg_entry e[PXECFG_MAX_ENTRIES];
	size_t n;
	char default_cmd[512];
	char ontimeout[256];
	char menu_default[256];
	char global_append[2048];
	int global_ipappend;
	unsigned timeout; /* tenths of a second */
	unsigned includes;
	char error[160]; /* the first problem that stopped an INCLUDE, "" if none */
	unsigned skipped; /* entries past PXECFG_MAX_ENTRIES */
};

/* Fetch an INCLUDEd file: 0 and text/len (valid until release), or -1. */
struct pxecfg_io {
	int (*fetch)(void *ctx, const char *name, const char **text, size_t *len);
	void (*release)(void *ctx, const char *text);
	void *ctx;
};

/* Parse text (and its INCLUDEs, through io, which may be NULL). */
void pxecfg_parse(struct pxecfg *c, const char *text, size_t len, const struct pxecfg_io *io);

/* The entry to boot without a keyboard: DEFAULT's label, else MENU DEFAULT,
 * else ONTIMEOUT, else the first entry with a kernel. A DEFAULT that is a
 * command line ("vmlinuz root=...") becomes an entry of its own in *tmp.
 * NULL if there is nothing bootable. */
const struct pxecfg_entry *pxecfg_choose(const struct pxecfg *c, struct pxecfg_entry *tmp);

/* The entry after e in file order that has a kernel (the fallback when e
 * fails), or NULL. */
const struct pxecfg_entry *pxecfg_next(const struct pxecfg *c, const struct pxecfg_entry *e);

/* Split the comma-separated initrd list: the i-th name into buf, false past the end. */
bool pxecfg_initrd(const struct pxecfg_entry *e, size_t i, char *buf, size_t cap);

/* The kernel command line, as syslinux builds it: KERNEL's options, then
 * APPEND (the label's own, else the global one), then IPAPPEND strings.
 * ip: "client:server:gateway:netmask" (bit 0); bootif: "01-aa-bb-..." (bit 1). */
void pxecfg_cmdline(const struct pxecfg *c, const struct pxecfg_entry *e, const char *ip,
		    const char *bootif, char *out, size_t cap);

#define PXECFG_NAME_LEN 37   /* a UUID's 36 characters and the NUL */
#define PXECFG_MAX_NAMES 11  /* UUID, 01-MAC, 8 hex-address prefixes, default */

/* The names to look for under pxelinux.cfg/, in PXELINUX's order
 * (syslinux doc/pxelinux.txt): the SMBIOS UUID when there is one (lower
 * case, 8-4-4-4-12), "01-" and the MAC (lower case, dashes), the IPv4
 * address in upper-case hex cut one digit at a time from 8 to 1, then
 * "default". uuid may be NULL; ip is in network order. Returns the count
 * (pxelinux_names.c). */
size_t pxecfg_lookup_names(const uint8_t *uuid, const uint8_t mac[6], const uint8_t ip[4],
			   char names[PXECFG_MAX_NAMES][PXECFG_NAME_LEN]);

#endif
