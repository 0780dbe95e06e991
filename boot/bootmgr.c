/* Boot manager: network boot in the order a PXE user expects, and the
 * fallbacks. What a file is and how it starts is the payload table's
 * business (boot/payload.c); how it is fetched is the fetch layer's.
 *
 *   DHCP as a PXE client, or as a UEFI HTTP Boot client (net_boot), the
 *   next identity in net_boot's list only when a lease names no file
 *   DHCP lease -> boot file? (boot_url, when set, instead of DHCP's)
 *     none, pxelinux.0, lpxelinux.0  -> pxelinux.cfg/ lookup beside it
 *     fetched                        -> the payload table: a bzImage (Linux,
 *                                       command line from `cmdline`), an EFI
 *                                       program, else a pxelinux-style config
 *     an EFI program that fails      -> pxelinux.cfg/ beside it
 *
 * Around it, boot_order (net,disk by default): the network step first
 * waits up to link_timeout for a link and gives DHCP dhcp_timeout; when
 * it has nothing, one line says why and what comes next, and the disk
 * step (boot/diskboot.c) starts at once. At the end, back to main, which
 * powers off. docs/disk-boot.md has the worst cases. */
#include <string.h>
#include <bootmgr.h>
#include <clock.h>
#include <config.h>
#include <diskboot.h>
#include <fetch.h>
#include <format.h>
#include <http_boot.h>
#include <log.h>
#include <net.h>
#include <numparse.h>
#include <payload.h>
#include <pxe.h>
#include <pxe_bc.h>
#include <pxeboot.h>
#include <pxelinux.h>
#include <smbios.h>
#include <tftp.h>

/* A numeric setting from min to max; a bad value warns and gives def. */
static uint32_t uint_setting(const struct config *cfg, const char *key, uint32_t def,
			     uint32_t min, uint32_t max)
{
	const char *v = config_get(cfg, key);
	uint64_t n;

	if (!v)
		return def;
	if (!numparse_dec(v, strlen(v), &n) || n < min || n > max) {
		log_warn("config: %s=%s is not a number from %u to %u; using %u", key, v, min, max,
			 def);
		return def;
	}
	return (uint32_t)n;
}

static bool basename_is(const char *path, const char *name)
{
	const char *s = strrchr(path, '/');
	return !strcasecmp(s ? s + 1 : path, name);
}

/* PXELINUX's lookup: UUID, 01-MAC, hex IP shrinking, then "default". "Not
 * found" moves on to the next name; any other failure stops the lookup. */
static void boot_pxelinux_cfg(const struct boot_env *env, const struct pxe_dhcp_result *dhcp)
{
	char names[PXECFG_MAX_NAMES][PXECFG_NAME_LEN];
	size_t nn = pxecfg_lookup_names(smbios_system_uuid(), dhcp->ni->nif.hwaddr,
					(const uint8_t *)&dhcp->lease.addr, names);
	char srv[16];

	for (size_t i = 0; i < nn; i++) {
		char path[BOOT_PATH_LEN];
		struct fetched f;
		format_buf(path, sizeof(path), "%spxelinux.cfg/%s", env->base, names[i]);
		if (fetch_file(env->fetch, path, &f)) {
			if (f.err == FETCH_NOT_FOUND)
				continue;
			fetch_report(&f, "pxelinux.cfg lookup stopped");
			return;
		}
		pxeboot_config(env, path, (const char *)f.data, f.size);
		fetched_free(&f);
		return;
	}
	log_error("pxelinux: no config under %s:%spxelinux.cfg/ (tried %zu names, last 'default')",
		  pxe_ip_str(env->fetch->server, srv), env->base, nn);
}

/* The strings IPAPPEND adds to a config's command lines. */
static void ip_strings(struct boot_env *env, const struct pxe_dhcp_result *dhcp)
{
	const struct dhcp_lease *l = &dhcp->lease;
	char a[16], s[16], g[16], m[16];
	const uint8_t *mac = dhcp->ni->nif.hwaddr;

	format_buf(env->ip, sizeof(env->ip), "%s:%s:%s:%s", pxe_ip_str(l->addr, a),
		   pxe_ip_str(env->fetch->server, s), pxe_ip_str(l->router, g),
		   pxe_ip_str(l->mask, m));
	format_buf(env->bootif, sizeof(env->bootif), "01-%02x-%02x-%02x-%02x-%02x-%02x", mac[0],
		   mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* linux_boot: how a bzImage starts. "legacy" (the default): the 64-bit
 * boot protocol, wireboot places kernel and initrds itself; "efi": as an
 * EFI program through the kernel's EFI stub, as OVMF would. */
static bool linux_efi_setting(const struct config *cfg)
{
	const char *v = config_get(cfg, "linux_boot");

	if (!v || !strcmp(v, "legacy"))
		return false;
	if (!strcmp(v, "efi"))
		return true;
	log_warn("config: linux_boot=%s is not 'efi' or 'legacy'; using legacy", v);
	return false;
}

#define NET_BOOT_MAX 2

/* net_boot: the DHCP identities to ask with, in order, as a list of "pxe"
 * and "http" (each once). Fills order[] (true: http) and returns how
 * many; a bad value warns and gives the default, "pxe". */
static size_t net_boot_setting(const struct config *cfg, bool order[NET_BOOT_MAX])
{
	const char *v = config_get(cfg, "net_boot");
	size_t n = 0;
	bool seen[2] = { false, false };

	for (const char *p = v; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		int http = -1;
		if (len == 4 && !strncmp(p, "http", 4))
			http = 1;
		else if (len == 3 && !strncmp(p, "pxe", 3))
			http = 0;
		if (http < 0 || seen[http] || n == NET_BOOT_MAX) {
			log_warn("config: net_boot=%s is not a list of 'pxe' and 'http' "
				 "(each once); using pxe", v);
			n = 0;
			break;
		}
		seen[http] = true;
		order[n++] = http;
		p = e ? e + 1 : p + len;
		if (e && !*p) {
			log_warn("config: net_boot=%s ends with ','; using pxe", v);
			n = 0;
			break;
		}
	}
	if (!n)
		order[n++] = false;
	return n;
}

/* boot_url: a URL to boot instead of a DHCP boot file, or NULL. One that
 * does not parse warns and is not used. */
static const char *boot_url_setting(const struct config *cfg)
{
	const char *v = config_get(cfg, "boot_url");
	struct fetch_url u;
	const char *why = "not scheme://host/path";

	if (!v)
		return NULL;
	if (fetch_url_parse(v, &u, &why) != 1) {
		log_warn("config: boot_url=%s is not a URL (%s); ignored", v, why);
		return NULL;
	}
	return v;
}

/* DHCP with each identity of net_boot in turn until a lease names a boot
 * file (with boot_url, the first lease does). 0 with the lease kept in
 * *dhcp, or -1 when no exchange gave one. */
static int bootmgr_dhcp(const struct config *cfg, const char *url, struct pxe_dhcp_result *dhcp)
{
	static struct pxe_dhcp_result next;
	bool order[NET_BOOT_MAX];
	size_t n = net_boot_setting(cfg, order);
	struct pxe_dhcp_args a = {
		.timeout_ms = uint_setting(cfg, "dhcp_timeout", DHCP_TIMEOUT_DEFAULT, 0, 3600) * 1000ULL,
		.uuid = smbios_system_uuid(),
		.http = order[0],
		.address_only = url != NULL,
	};

	if (pxe_dhcp(dhcp, &a))
		return -1;
	for (size_t i = 1; i < n && !url && !dhcp->lease.boot_file[0]; i++) {
		log_info("boot: no boot file from the %s exchange; asking again as %s (net_boot)",
			 order[i - 1] ? "HTTPClient" : "PXEClient",
			 order[i] ? "HTTPClient" : "PXEClient");
		a.http = order[i];
		memset(&next, 0, sizeof(next));
		if (pxe_dhcp(&next, &a)) {
			log_info("boot: %s; the first lease stands", next.why);
			break;
		}
		pxe_dhcp_release(dhcp);
		*dhcp = next;
	}
	return 0;
}

/* Until a NIC has a link, at most link_timeout seconds. 0, or -1 with
 * why saying which NICs had none. */
static int bootmgr_link(const struct config *cfg, char *why, size_t size)
{
	uint32_t secs = uint_setting(cfg, "link_timeout", LINK_TIMEOUT_DEFAULT, 0, 3600);
	uint64_t t0 = clock_ms(), end = t0 + secs * 1000ULL;
	size_t used = 0;

	for (bool first = true;; first = false) {
		for (size_t i = 0; i < net_count(); i++) {
			if (!net_link_up(net_get(i)))
				continue;
			if (!first)
				log_info("boot: net%zu link up after %llu ms", i,
					 (unsigned long long)(clock_ms() - t0));
			return 0;
		}
		if (first && secs)
			log_info("boot: no NIC has a link yet; waiting up to %u s (link_timeout)",
				 secs);
		if (clock_ms() >= end)
			break;
		net_poll();
		clock_delay_us(1000);
	}
	for (size_t i = 0; i < net_count() && used < size; i++)
		used += (size_t)format_buf(why + used, size - used, "%snet%zu", i ? ", " : "", i);
	uint64_t ms = clock_ms() - t0;
	if (used < size)
		format_buf(why + used, size - used, " %s no link after %llu.%llu s",
			   net_count() > 1 ? "have" : "has", (unsigned long long)(ms / 1000),
			   (unsigned long long)(ms % 1000 / 100));
	return -1;
}

/* The network step: returns only when nothing booted, with why set. */
static void bootmgr_net(const struct config *cfg, char *why, size_t size)
{
	static struct pxe_dhcp_result dhcp;
	static struct fetch_ctx fc;
	static struct boot_env env;
	const char *url = boot_url_setting(cfg);

	memset(&dhcp, 0, sizeof(dhcp));
	memset(&fc, 0, sizeof(fc));
	memset(&env, 0, sizeof(env));
	if (!net_count() && !net_init()) {
		format_buf(why, size, "no network interface");
		return;
	}
	if (bootmgr_link(cfg, why, size))
		return;
	if (bootmgr_dhcp(cfg, url, &dhcp)) {
		format_buf(why, size, "%s", dhcp.why);
		return;
	}
	uint32_t wait = uint_setting(cfg, "net_wait", 0, 0, 3600);
	if (wait) {
		log_info("net: answering ping for %u s (net_wait)", wait);
		uint64_t end = clock_ms() + wait * 1000ULL;
		while (clock_ms() < end)
			net_poll();
	}
	fc.scheme = "tftp";
	fc.server = dhcp.lease.next_server ? dhcp.lease.next_server : dhcp.lease.server;
	fc.tftp_blksize = (uint16_t)uint_setting(cfg, "tftp_blksize", 65464, 8, 65464);
	fc.tftp_window = (uint16_t)uint_setting(cfg, "tftp_windowsize", 4, 1, 64);
	fc.tftp_wait_ms =
	    uint_setting(cfg, "tftp_timeout", TFTP_REQUEST_GIVE_UP_MS / 1000, 1, 3600) * 1000;
	env.fetch = &fc;
	/* EFI loaders find PXE Base Code and LoadFile on the NIC, as under OVMF. */
	pxe_bc_install(&dhcp, &fc);
	/* EFI programs fetched over HTTP get a URI device path and LoadFile. */
	http_boot_init(&dhcp, &fc);
	env.linux_efi = linux_efi_setting(cfg);
	ip_strings(&env, &dhcp);

	const char *file = dhcp.lease.boot_file;
	if (url) {
		if (file[0])
			log_info("boot: boot_url %s from the settings; DHCP's boot file "
				 "'%s' not used", url, file);
		else
			log_info("boot: boot_url %s from the settings", url);
		file = url;
	}
	const char *slash = strrchr(file, '/');
	if (slash)
		format_buf(env.base, sizeof(env.base), "%.*s", (int)(slash - file + 1), file);

	if (!file[0] || basename_is(file, "pxelinux.0") || basename_is(file, "lpxelinux.0")) {
		if (file[0])
			log_info("boot: %s is PXELINUX's BIOS loader; reading its pxelinux.cfg/", file);
		boot_pxelinux_cfg(&env, &dhcp);
		if (file[0])
			format_buf(why, size, "no pxelinux.cfg/ beside %s booted", file);
		else
			format_buf(why, size, "the lease on net%zu names no boot file and no "
				   "pxelinux.cfg/ booted", dhcp.ni->index);
		return;
	}
	struct fetched f;
	if (fetch_file(&fc, file, &f)) {
		fetch_report(&f, "no network boot");
		format_buf(why, size, "%s could not be fetched", file);
		return;
	}
	const struct payload_kind *k = payload_detect(&f);
	struct payload_args a = { config_get(cfg, "cmdline"), NULL, 0 };
	k->boot(&env, file, &f, &a);
	fetched_free(&f);
	if (k->type == PAYLOAD_EFI) {
		log_info("boot: %s did not boot; trying pxelinux.cfg/ beside it", file);
		boot_pxelinux_cfg(&env, &dhcp);
	}
	format_buf(why, size, "%s did not boot", file);
}

/* One step of boot_order; returns only when it booted nothing, with why
 * set, or empty after the disk step (diskboot_run prints its own line). */
static void bootmgr_step(const struct config *cfg, enum boot_step step, char *why, size_t size)
{
	why[0] = '\0';
	if (step == BOOT_STEP_NET)
		bootmgr_net(cfg, why, size);
	else
		diskboot_run(linux_efi_setting(cfg)); /* it prints its own line */
}

void bootmgr_run(const struct config *cfg)
{
	enum boot_step order[BOOT_STEPS];
	size_t n = config_boot_order(cfg, order);
	char why[200];

	if (!n) {
		log_warn("config: boot_order=%s is not 'net', 'disk', 'net,disk' or 'disk,net'; "
			 "using net,disk", config_get(cfg, "boot_order"));
		order[0] = BOOT_STEP_NET;
		order[1] = BOOT_STEP_DISK;
		n = 2;
	}
	for (size_t i = 0; i < n; i++) {
		bootmgr_step(cfg, order[i], why, sizeof(why));
		const char *next = i + 1 == n			     ? NULL
				   : order[i + 1] == BOOT_STEP_DISK ? "trying the disk"
								    : "trying the network";
		if (why[0])
			log_warn("boot: %s%s%s", why, next ? "; " : "", next ? next : "");
		else if (next)
			log_info("boot: %s", next);
	}
	if (n == 2)
		log_error("boot: nothing could be booted from the network or the disk; powering off");
	else
		log_error("boot: nothing could be booted (boot_order=%s); powering off",
			  config_boot_step_name(order[0]));
}
