/* Booting from a pxelinux-style config: the default entry, then the next
 * ones in file order. An entry's KERNEL may be any payload the table
 * knows (a bzImage, an EFI program), not another config. */
#include <string.h>
#include <format.h>
#include <log.h>
#include <payload.h>
#include <pxeboot.h>
#include <pxelinux.h>
#include <sysmem.h>

#define MAX_INITRDS 8

void pxeboot_resolve(const struct boot_env *env, const char *name, char *out, size_t cap)
{
	const char *why = NULL;

	/* A config fetched by URL: its names are references to resolve
	 * against that URL (RFC 3986 s.5.2), "::x" from the server's root. */
	if (strstr(env->base, "://") && !strstr(name, "://")) {
		char ref[BOOT_PATH_LEN];
		const char *r = name;
		if (name[0] == ':' && name[1] == ':') {
			for (r = name + 2; *r == '/';)
				r++;
			format_buf(ref, sizeof(ref), "/%s", r);
			r = ref;
		}
		if (!fetch_url_resolve(env->base, r, out, cap, &why))
			return;
	}
	if (name[0] == ':' && name[1] == ':')
		format_buf(out, cap, "%s", name + 2);
	else if (name[0] == '/' || strstr(name, "://"))
		format_buf(out, cap, "%s", name);
	else
		format_buf(out, cap, "%s%s", env->base, name);
}

/* ---- INCLUDE through the fetch layer ---- */

static int include_fetch(void *ctx, const char *name, const char **text, size_t *len)
{
	const struct boot_env *env = ctx;
	char path[BOOT_PATH_LEN];
	struct fetched f;

	pxeboot_resolve(env, name, path, sizeof(path));
	if (fetch_file(env->fetch, path, &f)) {
		fetch_report(&f, "INCLUDE skipped");
		return -1;
	}
	/* A pool copy: include_release gets only the text pointer back. */
	char *t = sysmem_zalloc(f.size + 1);
	if (t) {
		memcpy(t, f.data, f.size);
		*text = t;
		*len = f.size;
	}
	fetched_free(&f);
	return t ? 0 : -1;
}

static void include_release(void *ctx, const char *text)
{
	sysmem_free((char *)text);
}

/* Fetch an entry's kernel and initrds and boot them; returns on failure,
 * having freed everything it fetched. */
static void boot_entry(const struct boot_env *env, const struct pxecfg *c,
		       const struct pxecfg_entry *e)
{
	char path[BOOT_PATH_LEN], name[256];
	static char cmdline[2300];
	struct fetched kernel, initrds[MAX_INITRDS];
	size_t n = 0;

	if (e->localboot) {
		log_warn("boot: entry '%s' asks for a local boot; disk boot is not there yet", e->label);
		return;
	}
	if (e->module) {
		log_warn("boot: entry '%s' runs %s, a syslinux module; modules are not supported",
			 e->label, e->kernel);
		return;
	}
	pxeboot_resolve(env, e->kernel, path, sizeof(path));
	if (fetch_file(env->fetch, path, &kernel)) {
		fetch_report(&kernel, "entry skipped");
		return;
	}
	const struct payload_kind *k = payload_detect(&kernel);
	if (k->type == PAYLOAD_CONFIG) {
		log_error("boot: %s is neither a Linux kernel nor an EFI program; entry '%s' skipped",
			  kernel.where, e->label);
		goto out;
	}
	for (size_t i = 0; pxecfg_initrd(e, i, name, sizeof(name)); i++) {
		if (n == MAX_INITRDS) {
			log_error("boot: entry '%s' has more than %d initrds; entry skipped", e->label,
				  MAX_INITRDS);
			goto out;
		}
		pxeboot_resolve(env, name, path, sizeof(path));
		if (fetch_file(env->fetch, path, &initrds[n])) {
			fetch_report(&initrds[n], "entry skipped");
			goto out;
		}
		n++;
	}
	pxecfg_cmdline(c, e, env->ip, env->bootif, cmdline, sizeof(cmdline));
	log_info("boot: entry '%s': %s %s, %zu initrd%s", e->label, k->name, e->kernel, n,
		 n == 1 ? "" : "s");
	struct payload_args a = { cmdline, initrds, n };
	k->boot(env, e->kernel, &kernel, &a);
	/* A payload's boot returns only on failure, having printed why. */
out:
	fetched_free(&kernel);
	for (size_t i = 0; i < n; i++)
		fetched_free(&initrds[i]);
}

int pxeboot_config(const struct boot_env *env, const char *name, const char *text, size_t len)
{
	/* Pool memory, not .bss: the firmware image stays reserved as runtime
	 * memory for the OS, and a parsed config is large (PXECFG_MAX_ENTRIES). */
	struct pxecfg *c = sysmem_zalloc(sizeof(*c));
	static struct pxecfg_entry tmp;
	struct pxecfg_io io = { include_fetch, include_release, (void *)env };

	if (!c) {
		log_error("pxelinux: %s: out of memory for the parsed config", name);
		return -1;
	}
	pxecfg_parse(c, text, len, &io);
	if (c->error[0])
		log_warn("pxelinux: %s: %s", name, c->error);
	if (c->skipped)
		log_warn("pxelinux: %s: %u entries past the %d wireboot keeps were ignored", name,
			 c->skipped, PXECFG_MAX_ENTRIES);
	const struct pxecfg_entry *e = pxecfg_choose(c, &tmp);
	if (!e) {
		log_error("pxelinux: %s: no bootable entry (%zu labels)", name, c->n);
		sysmem_free(c);
		return -1;
	}
	log_info("pxelinux: %s: %zu entries, default '%s'", name, c->n, e->label);
	for (int tries = 0; e && tries <= PXECFG_MAX_ENTRIES; tries++) {
		boot_entry(env, c, e);
		e = pxecfg_next(c, e == &tmp ? NULL : e);
		if (e)
			log_info("boot: trying the next entry, '%s'", e->label);
	}
	sysmem_free(c);
	return -1;
}
