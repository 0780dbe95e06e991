/* Boot manager: network boot with the fallbacks a PXE user expects.
 *
 *   DHCP lease -> boot file?
 *     none, pxelinux.0, lpxelinux.0  -> pxelinux.cfg/ lookup beside it
 *     fetched, bzImage               -> Linux, command line from `cmdline`
 *     fetched, PE/COFF               -> not yet (UEFI core), then pxelinux.cfg/
 *     fetched, anything else         -> a pxelinux-style config
 *   config -> default entry -> kernel + initrds -> Linux; on failure the
 *   next entry; at the end, the reason and a stop. */
#include <string.h>
#include <bootmgr.h>
#include <clock.h>
#include <format.h>
#include <linux.h>
#include <log.h>
#include <pxe.h>
#include <pxelinux.h>
#include <smbios.h>
#include <sysmem.h>

#define PATH_MAX_LEN 512

struct boot_ctx {
	const struct config *cfg;
	struct pxe_dhcp_result dhcp;
	struct pxe_tftp_opts topts;
	uint32_t server;
	char srv[16];
	char base[PATH_MAX_LEN]; /* directory of the boot file, with '/' */
};

static uint32_t uint_setting(const struct config *cfg, const char *key, uint32_t def,
			     uint32_t min, uint32_t max)
{
	const char *v = config_get(cfg, key);
	uint32_t n = 0;

	if (!v)
		return def;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9' || n > max) {
			n = max + 1;
			break;
		}
		n = n * 10 + (uint32_t)(*p - '0');
	}
	if (!*v || n < min || n > max) {
		log_warn("config: %s=%s is not a number from %u to %u; using %u", key, v, min, max,
			 def);
		return def;
	}
	return n;
}

/* A config path made absolute for the server: "::x" is absolute (PXELINUX's
 * syntax), "/x" goes as it is, anything else is relative to the boot file. */
static void resolve(const struct boot_ctx *b, const char *name, char *out, size_t cap)
{
	if (name[0] == ':' && name[1] == ':')
		format_buf(out, cap, "%s", name + 2);
	else if (name[0] == '/')
		format_buf(out, cap, "%s", name);
	else
		format_buf(out, cap, "%s%s", b->base, name);
}

/* Fetch one file; on failure print "tftp: server:file: reason; then". */
static int fetch(const struct boot_ctx *b, const char *path, struct pxe_file *f, const char *then)
{
	if (!pxe_tftp_fetch(b->server, path, &b->topts, f))
		return 0;
	if (then)
		log_error("tftp: %s:%s: %s; %s", b->srv, path, f->why, then);
	return -1;
}

static bool basename_is(const char *path, const char *name)
{
	const char *s = strrchr(path, '/');
	s = s ? s + 1 : path;
	for (; *s && *name; s++, name++)
		if ((*s | 32) != (*name | 32))
			return false;
	return !*s && !*name;
}

static bool is_pe(const uint8_t *p, size_t len)
{
	if (len < 0x40 || p[0] != 'M' || p[1] != 'Z')
		return false;
	uint32_t off = (uint32_t)(p[0x3c] | p[0x3d] << 8 | p[0x3e] << 16 | (uint32_t)p[0x3f] << 24);
	return off <= len - 4 && !memcmp(p + off, "PE\0\0", 4);
}

/* ---- INCLUDE through TFTP ---- */

static int include_fetch(void *ctx, const char *name, const char **text, size_t *len)
{
	struct boot_ctx *b = ctx;
	char path[PATH_MAX_LEN];
	struct pxe_file f;

	resolve(b, name, path, sizeof(path));
	if (fetch(b, path, &f, "INCLUDE skipped"))
		return -1;
	/* A pool copy: include_release gets only the text pointer back. */
	char *t = sysmem_zalloc(f.size + 1);
	if (t) {
		memcpy(t, f.data, f.size);
		*text = t;
		*len = f.size;
	}
	pxe_file_free(&f);
	return t ? 0 : -1;
}

static void include_release(void *ctx, const char *text)
{
	sysmem_free((char *)text);
}

/* ---- booting an entry ---- */

static void ip_strings(const struct boot_ctx *b, char *ip, size_t ipn, char *bootif, size_t bn)
{
	const struct dhcp_lease *l = &b->dhcp.lease;
	char a[16], s[16], g[16], m[16];
	const uint8_t *mac = b->dhcp.ni->nif.hwaddr;

	format_buf(ip, ipn, "%s:%s:%s:%s", pxe_ip_str(l->addr, a), pxe_ip_str(b->server, s),
		   pxe_ip_str(l->router, g), pxe_ip_str(l->mask, m));
	format_buf(bootif, bn, "01-%02x-%02x-%02x-%02x-%02x-%02x", mac[0], mac[1], mac[2], mac[3],
		   mac[4], mac[5]);
}

#define MAX_INITRDS 8

/* Fetch an entry's kernel and initrds and boot them; returns on failure. */
static void boot_entry(struct boot_ctx *b, const struct pxecfg *c, const struct pxecfg_entry *e)
{
	char path[PATH_MAX_LEN], ip[80], bootif[32];
	static char cmdline[2300];
	struct pxe_file kernel, initrds[MAX_INITRDS];
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
	resolve(b, e->kernel, path, sizeof(path));
	if (fetch(b, path, &kernel, "entry skipped"))
		return;
	if (!linux_is_bzimage(kernel.data, kernel.size)) {
		log_error("boot: %s:%s is not a Linux kernel (no bzImage header); entry '%s' skipped",
			  b->srv, path, e->label);
		pxe_file_free(&kernel);
		return;
	}
	char name[256];
	for (size_t i = 0; pxecfg_initrd(e, i, name, sizeof(name)); i++) {
		if (n == MAX_INITRDS) {
			log_error("boot: entry '%s' has more than %d initrds; entry skipped", e->label,
				  MAX_INITRDS);
			goto fail;
		}
		resolve(b, name, path, sizeof(path));
		if (fetch(b, path, &initrds[n], "entry skipped"))
			goto fail;
		n++;
	}
	ip_strings(b, ip, sizeof(ip), bootif, sizeof(bootif));
	pxecfg_cmdline(c, e, ip, bootif, cmdline, sizeof(cmdline));
	log_info("boot: entry '%s': kernel %s, %zu initrd%s", e->label, e->kernel, n,
		 n == 1 ? "" : "s");
	linux_boot(e->kernel, &kernel, initrds, n, cmdline);
	/* linux_boot only returns on failure; it printed why. */
fail:
	pxe_file_free(&kernel);
	for (size_t i = 0; i < n; i++)
		pxe_file_free(&initrds[i]);
}

/* Boot from a config text: the default entry, then the others in order. */
static void boot_config(struct boot_ctx *b, const char *name, const char *text, size_t len)
{
	static struct pxecfg c;
	static struct pxecfg_entry tmp;
	struct pxecfg_io io = { include_fetch, include_release, b };

	pxecfg_parse(&c, text, len, &io);
	if (c.error[0])
		log_warn("pxelinux: %s: %s", name, c.error);
	if (c.skipped)
		log_warn("pxelinux: %s: %u entries past the %d wireboot keeps were ignored", name,
			 c.skipped, PXECFG_MAX_ENTRIES);
	const struct pxecfg_entry *e = pxecfg_choose(&c, &tmp);
	if (!e) {
		log_error("pxelinux: %s: no bootable entry (%zu labels)", name, c.n);
		return;
	}
	log_info("pxelinux: %s: %zu entries, default '%s'", name, c.n, e->label);
	for (int tries = 0; e && tries <= PXECFG_MAX_ENTRIES; tries++) {
		boot_entry(b, &c, e);
		e = pxecfg_next(&c, e == &tmp ? NULL : e);
		if (e)
			log_info("boot: trying the next entry, '%s'", e->label);
	}
}

/* PXELINUX's lookup: UUID, 01-MAC, hex IP shrinking, then "default". */
static void boot_pxelinux_cfg(struct boot_ctx *b)
{
	char names[PXECFG_MAX_NAMES][PXECFG_NAME_LEN];
	size_t nn = pxecfg_lookup_names(smbios_system_uuid(), b->dhcp.ni->nif.hwaddr,
					(const uint8_t *)&b->dhcp.lease.addr, names);

	for (size_t i = 0; i < nn; i++) {
		char path[PATH_MAX_LEN];
		struct pxe_file f;
		format_buf(path, sizeof(path), "%spxelinux.cfg/%s", b->base, names[i]);
		if (pxe_tftp_fetch(b->server, path, &b->topts, &f)) {
			if (f.err_code == 1)
				continue; /* not found: the next name */
			log_error("tftp: %s:%s: %s; pxelinux.cfg lookup stopped", b->srv, path, f.why);
			return;
		}
		boot_config(b, path, (const char *)f.data, f.size);
		pxe_file_free(&f);
		return;
	}
	log_error("pxelinux: no config under %s:%spxelinux.cfg/ (tried %zu names, last 'default')",
		  b->srv, b->base, nn);
}

void bootmgr_run(const struct config *cfg)
{
	static struct boot_ctx b;

	memset(&b, 0, sizeof(b));
	b.cfg = cfg;
	if (pxe_dhcp(&b.dhcp, uint_setting(cfg, "dhcp_timeout", 30, 0, 3600) * 1000ULL,
		     smbios_system_uuid()))
		return;
	uint32_t wait = uint_setting(cfg, "net_wait", 0, 0, 3600);
	if (wait) {
		log_info("net: answering ping for %u s (net_wait)", wait);
		uint64_t end = clock_ms() + wait * 1000ULL;
		while (clock_ms() < end)
			net_poll();
	}
	b.topts.blksize = (uint16_t)uint_setting(cfg, "tftp_blksize", 65464, 8, 65464);
	b.topts.window = (uint16_t)uint_setting(cfg, "tftp_windowsize", 4, 1, 64);
	b.server = b.dhcp.lease.next_server ? b.dhcp.lease.next_server : b.dhcp.lease.server;
	pxe_ip_str(b.server, b.srv);

	const char *file = b.dhcp.lease.boot_file;
	const char *slash = strrchr(file, '/');
	if (slash)
		format_buf(b.base, sizeof(b.base), "%.*s", (int)(slash - file + 1), file);

	if (!file[0] || basename_is(file, "pxelinux.0") || basename_is(file, "lpxelinux.0")) {
		if (file[0])
			log_info("boot: %s is PXELINUX's BIOS loader; reading its pxelinux.cfg/", file);
		boot_pxelinux_cfg(&b);
		return;
	}
	struct pxe_file f;
	if (fetch(&b, file, &f, "no network boot"))
		return;
	if (linux_is_bzimage(f.data, f.size)) {
		const char *cl = config_get(cfg, "cmdline");
		linux_boot(file, &f, NULL, 0, cl ? cl : "");
		pxe_file_free(&f);
		return;
	}
	if (is_pe(f.data, f.size)) {
		log_warn("boot: %s is an EFI program; EFI programs are not supported yet (the UEFI "
			 "core comes next); trying pxelinux.cfg/ beside it", file);
		pxe_file_free(&f);
		boot_pxelinux_cfg(&b);
		return;
	}
	boot_config(&b, file, (const char *)f.data, f.size);
	pxe_file_free(&f);
}
