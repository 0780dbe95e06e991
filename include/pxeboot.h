/* Booting from a pxelinux-style config (boot/pxeboot.c): parse it (pure,
 * pxe/pxelinux.c), then boot its default entry, then the others in file
 * order, each kernel through the payload table. */
#ifndef WB_PXEBOOT_H
#define WB_PXEBOOT_H

#include <stddef.h>
#include <payload.h>

/* Boot from config text (named name in messages). Returns only when no
 * entry booted: -1, every failure printed. */
int pxeboot_config(const struct boot_env *env, const char *name, const char *text, size_t len);

/* A name from a config made a path for the fetch layer: "::x" is absolute
 * (PXELINUX's syntax), "/x" and URLs go as they are, anything else is
 * relative to the boot file's directory. When that directory is a URL
 * (a config fetched over HTTP), every name but a URL is a reference
 * resolved against it (RFC 3986 s.5.2: "/x" and "::x" from the server's
 * root, "../x" one level up). */
void pxeboot_resolve(const struct boot_env *env, const char *name, char *out, size_t cap);

#endif
