/* Host tests for pxe/pxelinux.c: pxelinux-style configs as distributions
 * and provisioning tools (debian-installer, Foreman, MAAS, Cobbler) write
 * them, INCLUDE through a fake io, entry choice, fallback order, initrd
 * lists and command lines.
 *
 * Tests marked "regression" failed on pxelinux.c before commit dd52927. A
 * test that meets a known bug prints what it expected and what it got,
 * then skips; once the bug is fixed it runs to the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pxelinux.h>

#define IP     "10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0"
#define BOOTIF "01-52-54-00-12-34-56"

/* A defect these tests found (now fixed): fail with its description. */
#define KNOWN_BUG(cond, ...)                                                                       \
	do {                                                                                       \
		if (cond)                                                                          \
			fail_msg("regression in pxe/pxelinux.c: " __VA_ARGS__);                    \
	} while (0)

/* ---- a fake INCLUDE server ---- */

struct fake_file {
	const char *name;
	const char *text;
};

struct fake_io {
	const struct fake_file *files;
	size_t nfiles;
	unsigned fetches, failed, releases;
	char fetched[64][128]; /* names asked for, in order */
	char *live[64];	       /* copies handed out and not released yet */
	size_t nlive;
};

/* Serve a file from an exactly sized heap copy, so ASan sees reads past len. */
static int fake_fetch(void *ctx, const char *name, const char **text, size_t *len)
{
	struct fake_io *io = ctx;

	assert_true(io->fetches < 64);
	snprintf(io->fetched[io->fetches++], sizeof(io->fetched[0]), "%s", name);
	for (size_t i = 0; i < io->nfiles; i++) {
		if (strcmp(io->files[i].name, name))
			continue;
		size_t n = strlen(io->files[i].text);
		char *copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, io->files[i].text, n);
		assert_true(io->nlive < 64);
		io->live[io->nlive++] = copy;
		*text = copy;
		*len = n;
		return 0;
	}
	io->failed++;
	return -1;
}

/* Release must name a copy still out, exactly once. */
static void fake_release(void *ctx, const char *text)
{
	struct fake_io *io = ctx;

	io->releases++;
	for (size_t i = 0; i < io->nlive; i++) {
		if (io->live[i] != text)
			continue;
		free(io->live[i]);
		io->live[i] = io->live[--io->nlive];
		return;
	}
	fail_msg("release of a text that is not out (or released twice)");
}

/* One config at a time (a static, so a skipped test leaks nothing). */
static struct pxecfg *cfg_new(void)
{
	static struct pxecfg c;

	memset(&c, 0x5a, sizeof(c)); /* pxecfg_parse must clear it */
	return &c;
}

/* Parse text[0..len) from an exactly sized heap copy; io may be NULL. */
static void parse_n(struct pxecfg *c, const char *text, size_t len, struct fake_io *fio)
{
	struct pxecfg_io io = {fake_fetch, fake_release, fio};
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, text, len);
	pxecfg_parse(c, copy, len, fio ? &io : NULL);
	/* The config keeps its own copies: scribbling on the input is harmless. */
	memset(copy, '!', len);
	free(copy);
	if (fio) {
		assert_int_equal(fio->nlive, 0);
		assert_int_equal(fio->releases, fio->fetches - fio->failed);
		assert_true(fio->fetches <= PXECFG_MAX_INCLUDES);
		assert_int_equal(c->includes, fio->fetches);
	}
}

#define PARSE(c, lit)	     parse_n((c), (lit), sizeof(lit) - 1, NULL)
#define PARSE_IO(c, lit, io) parse_n((c), (lit), sizeof(lit) - 1, (io))

static const struct pxecfg_entry *entry(const struct pxecfg *c, const char *label)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].label, label))
			return &c->e[i];
	fail_msg("no entry '%s'", label);
	return NULL;
}

static void cmdline(const struct pxecfg *c, const struct pxecfg_entry *e, char *out, size_t cap)
{
	pxecfg_cmdline(c, e, IP, BOOTIF, out, cap);
}

/* ---- real-world configs ---- */

static const char di_default[] =
    "# D-I config version 2.0\n"
    "# search path for the c32 support libraries (libcom32, libutil etc.)\n"
    "path debian-installer/amd64/boot-screens/\n"
    "include debian-installer/amd64/boot-screens/menu.cfg\n"
    "default debian-installer/amd64/boot-screens/vesamenu.c32\n"
    "prompt 0\n"
    "timeout 0\n";

static const struct fake_file di_files[] = {
    {"debian-installer/amd64/boot-screens/menu.cfg",
     "menu hshift 4\n"
     "menu width 70\n"
     "\n"
     "menu title Debian GNU/Linux installer menu (BIOS mode)\n"
     "include debian-installer/amd64/boot-screens/stdmenu.cfg\n"
     "include debian-installer/amd64/boot-screens/txt.cfg\n"
     "menu begin advanced\n"
     "    menu label ^Advanced options\n"
     "\tmenu title Advanced options\n"
     "\tinclude debian-installer/amd64/boot-screens/stdmenu.cfg\n"
     "\tlabel mainmenu\n"
     "\t\tmenu label ^Back..\n"
     "\t\tmenu exit\n"
     "\tinclude debian-installer/amd64/boot-screens/adtxt.cfg\n"
     "menu end\n"
     "label help\n"
     "\tmenu label ^Help\n"
     "\ttext help\n"
     "   Display help screens; type 'menu' at boot prompt to return to this menu\n"
     "\tendtext\n"
     "\tconfig debian-installer/amd64/boot-screens/prompt.cfg\n"},
    {"debian-installer/amd64/boot-screens/stdmenu.cfg",
     "menu background debian-installer/amd64/boot-screens/splash.png\n"
     "menu color title\t* #FFFFFFFF *\n"
     "menu color border\t* #00000000 #00000000 none\n"
     "menu tabmsg Press ENTER to boot or TAB to edit a menu entry\n"},
    {"debian-installer/amd64/boot-screens/txt.cfg",
     "label install\n"
     "\tmenu label ^Install\n"
     "\tmenu default\n"
     "\tkernel debian-installer/amd64/linux\n"
     "\tappend vga=788 initrd=debian-installer/amd64/initrd.gz --- quiet \n"},
    {"debian-installer/amd64/boot-screens/adtxt.cfg",
     "label expert\n"
     "\tmenu label E^xpert install\n"
     "\tkernel debian-installer/amd64/linux\n"
     "\tappend priority=low vga=788 initrd=debian-installer/amd64/initrd.gz --- \n"
     "label rescue\n"
     "\tmenu label ^Rescue mode\n"
     "\tkernel debian-installer/amd64/linux\n"
     "\tappend vga=788 initrd=debian-installer/amd64/initrd.gz rescue/enable=true --- quiet \n"},
};

static void test_debian_installer_tree_boots_menu_default_install(void **state)
{
	struct pxecfg *c = cfg_new();
	struct fake_io io = {.files = di_files, .nfiles = 4};
	struct pxecfg_entry tmp;
	char out[256];

	PARSE_IO(c, di_default, &io);
	assert_int_equal(io.fetches, 5);
	assert_int_equal(io.failed, 0);
	assert_string_equal(io.fetched[0], "debian-installer/amd64/boot-screens/menu.cfg");
	assert_string_equal(io.fetched[1], "debian-installer/amd64/boot-screens/stdmenu.cfg");
	assert_string_equal(io.fetched[2], "debian-installer/amd64/boot-screens/txt.cfg");
	assert_string_equal(io.fetched[3], "debian-installer/amd64/boot-screens/stdmenu.cfg");
	assert_string_equal(io.fetched[4], "debian-installer/amd64/boot-screens/adtxt.cfg");
	assert_string_equal(c->error, "");
	assert_string_equal(c->default_cmd, "debian-installer/amd64/boot-screens/vesamenu.c32");
	assert_int_equal(c->timeout, 0);
	assert_string_equal(c->menu_default, "install");
	assert_int_equal(c->skipped, 0);

	assert_int_equal(c->n, 5);
	assert_string_equal(c->e[0].label, "install");
	assert_string_equal(c->e[1].label, "mainmenu");
	assert_string_equal(c->e[2].label, "expert");
	assert_string_equal(c->e[3].label, "rescue");
	assert_string_equal(c->e[4].label, "help");

	const struct pxecfg_entry *install = &c->e[0];
	assert_string_equal(install->kernel, "debian-installer/amd64/linux");
	assert_false(install->module);
	assert_false(install->localboot);
	assert_true(install->has_append);
	assert_string_equal(install->append,
			    "vga=788 initrd=debian-installer/amd64/initrd.gz --- quiet");
	assert_string_equal(install->initrd, "debian-installer/amd64/initrd.gz");

	assert_string_equal(c->e[1].kernel, "");
	assert_string_equal(c->e[2].append,
			    "priority=low vga=788 initrd=debian-installer/amd64/initrd.gz ---");
	assert_string_equal(c->e[3].initrd, "debian-installer/amd64/initrd.gz");
	/* CONFIG chains to another config: a module, never booted as Linux. */
	assert_string_equal(c->e[4].kernel, "debian-installer/amd64/boot-screens/prompt.cfg");
	assert_true(c->e[4].module);

	/* DEFAULT is the menu module: MENU DEFAULT decides. */
	assert_ptr_equal(pxecfg_choose(c, &tmp), install);
	assert_ptr_equal(pxecfg_next(c, install), &c->e[2]);
	assert_ptr_equal(pxecfg_next(c, &c->e[2]), &c->e[3]);
	assert_null(pxecfg_next(c, &c->e[3]));

	char name[64];
	assert_true(pxecfg_initrd(install, 0, name, sizeof(name)));
	assert_string_equal(name, "debian-installer/amd64/initrd.gz");
	assert_false(pxecfg_initrd(install, 1, name, sizeof(name)));

	cmdline(c, install, out, sizeof(out));
	assert_string_equal(out, "vga=788 initrd=debian-installer/amd64/initrd.gz --- quiet");
}

static const char foreman_cfg[] =
    "DEFAULT menu\n"
    "PROMPT 0\n"
    "MENU TITLE Booting unknown host (ESC to stop)\n"
    "TIMEOUT 200\n"
    "TOTALTIMEOUT 6000\n"
    "ONTIMEOUT local\n"
    "\n"
    "LABEL local\n"
    "     MENU LABEL (local)\n"
    "     LOCALBOOT 0\n"
    "\n"
    "LABEL install\n"
    "     MENU LABEL CentOS Stream 9 install\n"
    "     KERNEL boot/centos-stream-9-x86_64-vmlinuz\n"
    "     APPEND initrd=boot/centos-stream-9-x86_64-initrd.img "
    "ks=http://foreman.example.com/unattended/provision?token=0123abcd "
    "inst.ks.sendmac ip=dhcp\n"
    "     IPAPPEND 2\n";

static void test_foreman_config_parses_localboot_and_install(void **state)
{
	struct pxecfg *c = cfg_new();
	char out[512];

	PARSE(c, foreman_cfg);
	assert_string_equal(c->default_cmd, "menu");
	assert_int_equal(c->timeout, 200);
	assert_string_equal(c->ontimeout, "local");
	assert_string_equal(c->menu_default, "");
	assert_int_equal(c->n, 2);

	const struct pxecfg_entry *local = entry(c, "local"), *inst = entry(c, "install");
	assert_true(local->localboot);
	assert_string_equal(local->kernel, "");
	assert_false(inst->localboot);
	assert_false(inst->module);
	assert_string_equal(inst->kernel, "boot/centos-stream-9-x86_64-vmlinuz");
	assert_string_equal(inst->initrd, "boot/centos-stream-9-x86_64-initrd.img");
	assert_true(inst->has_ipappend);
	assert_int_equal(inst->ipappend, 2);

	cmdline(c, inst, out, sizeof(out));
	assert_string_equal(out,
			    "initrd=boot/centos-stream-9-x86_64-initrd.img "
			    "ks=http://foreman.example.com/unattended/provision?token=0123abcd "
			    "inst.ks.sendmac ip=dhcp BOOTIF=" BOOTIF);
	/* The fallback list never runs the local entry as a kernel. */
	assert_ptr_equal(pxecfg_next(c, NULL), inst);
	assert_null(pxecfg_next(c, inst));
}

/* Foreman's "DEFAULT menu": PXELINUX looks for "menu" with the extensions
 * .c32, .img, .bss, .bin, .bs, .0 in turn (syslinux ldlinux.c,
 * file_extensions/get_extension), finds menu.c32, shows the menu and boots
 * ONTIMEOUT local after 20 s. */
static void test_foreman_default_menu_boots_ontimeout_local(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;

	PARSE(c, foreman_cfg);
	const struct pxecfg_entry *e = pxecfg_choose(c, &tmp);
	assert_non_null(e);
	/* Regression: this was a temporary entry with kernel "menu"; when
	 * fetching "menu" failed, boot_config fell back to "install", so an
	 * unknown host Foreman meant to boot locally ran the installer. */
	assert_ptr_equal(e, entry(c, "local"));
}

/* MAAS writes one label and DEFAULT naming it, with SYSAPPEND-style flags. */
static void test_maas_style_config_boots_its_label(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;
	char out[512];

	PARSE(c, "DEFAULT execute\n"
		 "LABEL execute\n"
		 "  SAY Booting under MAAS direction...\n"
		 "  KERNEL ubuntu/amd64/hwe-22.04/jammy/stable/boot-kernel\n"
		 "  INITRD ubuntu/amd64/hwe-22.04/jammy/stable/boot-initrd\n"
		 "  APPEND nomodeset ro root=squash:http://10.0.0.1:5248/images/squashfs "
		 "ip=::::maas-node:BOOTIF ip6=off overlayroot=tmpfs\n"
		 "  IPAPPEND 2\n");
	const struct pxecfg_entry *e = pxecfg_choose(c, &tmp);
	assert_ptr_equal(e, &c->e[0]);
	assert_string_equal(e->initrd, "ubuntu/amd64/hwe-22.04/jammy/stable/boot-initrd");
	cmdline(c, e, out, sizeof(out));
	assert_string_equal(out,
			    "nomodeset ro root=squash:http://10.0.0.1:5248/images/squashfs "
			    "ip=::::maas-node:BOOTIF ip6=off overlayroot=tmpfs BOOTIF=" BOOTIF);
}

/* Cobbler's pxedefault.template: the local entry is MENU DEFAULT, the
 * profiles follow, and DEFAULT is "menu" as with Foreman. */
static void test_cobbler_style_menu_default_local(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;

	PARSE(c, "DEFAULT menu\n"
		 "PROMPT 0\n"
		 "MENU TITLE Cobbler | https://cobbler.github.io\n"
		 "TIMEOUT 200\n"
		 "TOTALTIMEOUT 6000\n"
		 "ONTIMEOUT fedora-x86_64\n"
		 "\n"
		 "LABEL local\n"
		 "        MENU LABEL (local)\n"
		 "        MENU DEFAULT\n"
		 "        LOCALBOOT -1\n"
		 "\n"
		 "LABEL fedora-x86_64\n"
		 "        MENU LABEL fedora-x86_64\n"
		 "        kernel /images/fedora-x86_64/vmlinuz\n"
		 "        append initrd=/images/fedora-x86_64/initrd.img inst.ks=http://c/cblr/"
		 "svc/op/ks/profile/fedora-x86_64\n"
		 "        ipappend 2\n"
		 "\n"
		 "MENU end\n");
	assert_string_equal(c->menu_default, "local");
	assert_string_equal(c->ontimeout, "fedora-x86_64");
	assert_int_equal(c->n, 2);
	assert_true(c->e[0].localboot);
	assert_string_equal(c->e[1].kernel, "/images/fedora-x86_64/vmlinuz");
	assert_string_equal(c->e[1].initrd, "/images/fedora-x86_64/initrd.img");
	assert_int_equal(c->e[1].ipappend, 2);
	/* menu.c32 starts on MENU DEFAULT, and ONTIMEOUT only applies once
	 * the menu times out. Regression: a temporary entry "menu", as in the
	 * Foreman test. */
	const struct pxecfg_entry *e = pxecfg_choose(c, &tmp);
	assert_ptr_equal(e, &c->e[0]);
}

/* ---- lexical details ---- */

static void test_keywords_are_case_insensitive(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;

	PARSE(c, "dEfAuLt MixedCase\n"
		 "TiMeOuT 50\n"
		 "OnTimeOut Other\n"
		 "aPpEnD console=ttyS0\n"
		 "IPAPPEND 1\n"
		 "LaBeL MixedCase\n"
		 "  KeRnEl vmlinuz\n"
		 "  InItRd initrd.img\n"
		 "  ApPeNd root=/dev/vda\n"
		 "  SysAppend 3\n"
		 "  MeNu DeFaUlT\n"
		 "label Other\n"
		 "  LINUX vmlinuz2\n"
		 "  localBOOT 0\n");
	assert_string_equal(c->default_cmd, "MixedCase");
	assert_int_equal(c->timeout, 50);
	assert_string_equal(c->ontimeout, "Other");
	assert_string_equal(c->global_append, "console=ttyS0");
	assert_int_equal(c->global_ipappend, 1);
	assert_string_equal(c->menu_default, "MixedCase");
	assert_int_equal(c->n, 2);
	/* Values keep their case. */
	assert_string_equal(c->e[0].label, "MixedCase");
	assert_string_equal(c->e[0].kernel, "vmlinuz");
	assert_string_equal(c->e[0].initrd, "initrd.img");
	assert_string_equal(c->e[0].append, "root=/dev/vda");
	assert_int_equal(c->e[0].ipappend, 3);
	assert_true(c->e[0].has_ipappend);
	assert_string_equal(c->e[1].kernel, "vmlinuz2");
	assert_false(c->e[1].module);
	assert_true(c->e[1].localboot);
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[0]);
}

static void test_crlf_line_endings_and_tabs(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;

	PARSE(c, "DEFAULT\tlinux\r\n"
		 "\tTIMEOUT\t30\r\n"
		 "LABEL\tlinux \t\r\n"
		 "\tKERNEL\t vmlinuz\t\r\n"
		 "\tINITRD initrd.img\r\n"
		 "\tAPPEND\troot=/dev/sda\tquiet\r\n"
		 "\r\n"
		 "  # LABEL commented\r\n"
		 "LABEL rescue\r\n"
		 "KERNEL vmlinuz\r");
	assert_string_equal(c->default_cmd, "linux");
	assert_int_equal(c->timeout, 30);
	assert_int_equal(c->n, 2);
	assert_string_equal(c->e[0].label, "linux");
	assert_string_equal(c->e[0].kernel, "vmlinuz");
	assert_string_equal(c->e[0].initrd, "initrd.img");
	/* Inner whitespace is kept; CR and trailing blanks are not. */
	assert_string_equal(c->e[0].append, "root=/dev/sda\tquiet");
	assert_string_equal(c->e[1].label, "rescue");
	assert_string_equal(c->e[1].kernel, "vmlinuz");
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[0]);
}

static void test_comments_blank_and_unknown_lines_are_ignored(void **state)
{
	struct pxecfg *c = cfg_new();

	PARSE(c, "# LABEL commented\n"
		 "   #KERNEL commented\n"
		 "\n \t \n"
		 "UI vesamenu.c32\n"
		 "SERIAL 0 115200\n"
		 "SAY hello\n"
		 "F1 help.txt\n"
		 "LABELX notalabel\n"
		 "LABEL a\n"
		 "  MENU LABEL ^A # not a comment\n"
		 "  KERNEL a.krn # after the file name\n");
	assert_int_equal(c->n, 1);
	assert_string_equal(c->e[0].label, "a");
	assert_string_equal(c->e[0].kernel, "a.krn");
	assert_int_equal(c->global_append[0], '\0');
}

/* ---- APPEND, KERNEL options, INITRD ---- */

static void test_global_append_used_by_labels_without_append(void **state)
{
	struct pxecfg *c = cfg_new();
	char out[128];

	PARSE(c, "APPEND console=ttyS0 quiet\n"
		 "LABEL plain\n"
		 "  KERNEL vmlinuz\n"
		 "LABEL own\n"
		 "  KERNEL vmlinuz\n"
		 "  APPEND root=/dev/vda\n"
		 "LABEL none\n"
		 "  KERNEL vmlinuz\n"
		 "  APPEND -\n");
	assert_string_equal(c->global_append, "console=ttyS0 quiet");
	assert_false(c->e[0].has_append);
	cmdline(c, &c->e[0], out, sizeof(out));
	assert_string_equal(out, "console=ttyS0 quiet");
	/* An own APPEND replaces the global one; it does not add to it. */
	cmdline(c, &c->e[1], out, sizeof(out));
	assert_string_equal(out, "root=/dev/vda");
	/* "APPEND -": no options at all. */
	assert_true(c->e[2].has_append);
	assert_string_equal(c->e[2].append, "");
	cmdline(c, &c->e[2], out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_global_append_dash_means_none(void **state)
{
	struct pxecfg *c = cfg_new();
	char out[64];

	PARSE(c, "APPEND -\nLABEL a\nKERNEL a\n");
	assert_string_equal(c->global_append, "");
	cmdline(c, &c->e[0], out, sizeof(out));
	assert_string_equal(out, "");
	/* Only a lone "-" means none. */
	PARSE(c, "APPEND -v\nLABEL a\nKERNEL a\n");
	assert_string_equal(c->global_append, "-v");
}

static void test_kernel_options_after_file_name(void **state)
{
	struct pxecfg *c = cfg_new();

	PARSE(c, "LABEL opts\n"
		 "  KERNEL vmlinuz root=/dev/sda  ro \n"
		 "LABEL later\n"
		 "  KERNEL vmlinuz root=/dev/sda\n"
		 "  APPEND quiet\n"
		 "LABEL earlier\n"
		 "  APPEND quiet\n"
		 "  KERNEL vmlinuz root=/dev/sda\n"
		 "LABEL withinitrd\n"
		 "  KERNEL vmlinuz initrd=a.img\n");
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(c->e[i].kernel, "vmlinuz");
		assert_false(c->e[i].module);
	}
	char out[64];
	cmdline(c, &c->e[0], out, sizeof(out));
	assert_string_equal(out, "root=/dev/sda  ro");
	assert_string_equal(c->e[3].initrd, "a.img");
}

/* syslinux's record() (com32/elflink/ldlinux/readconfig.c) builds the
 * command line from the whole KERNEL line, then the own or global APPEND. */
static void test_kernel_options_reach_the_command_line(void **state)
{
	struct pxecfg *c = cfg_new();
	char out[128];

	PARSE(c, "LABEL opts\n  KERNEL vmlinuz root=/dev/sda ro\n");
	cmdline(c, &c->e[0], out, sizeof(out));
	/* Regression: "", the options were kept in e->append without
	 * has_append, so pxecfg_cmdline used the (empty) global APPEND. */
	assert_string_equal(out, "root=/dev/sda ro");
}

/* syslinux's record() makes the command line from the whole KERNEL line
 * and then the label's APPEND, or the global one when it has none; "APPEND
 * -" drops only the APPEND. KERNEL's options never replace an APPEND. */
static void test_kernel_options_combine_with_append(void **state)
{
	static const char *const want[] = {"root=/dev/sda console=ttyS0 initrd=g.img",
					   "root=/dev/sda quiet", "root=/dev/sda quiet",
					   "root=/dev/sda"};
	struct pxecfg *c = cfg_new();
	char out[4][128];

	PARSE(c, "APPEND console=ttyS0 initrd=g.img\n"
		 "LABEL global\n  KERNEL vmlinuz root=/dev/sda\n"
		 "LABEL after\n  KERNEL vmlinuz root=/dev/sda\n  APPEND quiet\n"
		 "LABEL before\n  APPEND quiet\n  KERNEL vmlinuz root=/dev/sda\n"
		 "LABEL dash\n  KERNEL vmlinuz root=/dev/sda\n  APPEND -\n");
	for (size_t i = 0; i < 4; i++)
		cmdline(c, &c->e[i], out[i], sizeof(out[i]));
	/* Actual: "root=/dev/sda" (no global APPEND, no initrd), "quiet",
	 * "quiet" and "": KERNEL's options are stored as the label's own
	 * APPEND, so they replace the global APPEND, and an APPEND replaces
	 * them (or, before KERNEL, keeps them out). */
	KNOWN_BUG(strcmp(out[0], want[0]) || strcmp(out[1], want[1]) || strcmp(out[2], want[2]) ||
		      strcmp(out[3], want[3]) || strcmp(c->e[0].initrd, "g.img"),
		  "KERNEL options with APPEND: expected '%s' / '%s' / '%s' / '%s' and initrd "
		  "'g.img', got '%s' / '%s' / '%s' / '%s' and initrd '%s'",
		  want[0], want[1], want[2], want[3], out[0], out[1], out[2], out[3],
		  c->e[0].initrd);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(out[i], want[i]);
	assert_string_equal(c->e[0].initrd, "g.img");
}

static void test_initrd_from_append_when_initrd_absent(void **state)
{
	struct pxecfg *c = cfg_new();
	static const char *const several[] = {"a.img", "b.img", "c.img"};
	char name[64];

	PARSE(c, "LABEL one\n"
		 "  KERNEL k\n"
		 "  APPEND root=/dev/ram0 initrd=one.img quiet\n"
		 "LABEL several\n"
		 "  KERNEL k\n"
		 "  APPEND initrd=a.img,b.img quiet initrd=c.img\n"
		 "LABEL lookalike\n"
		 "  KERNEL k\n"
		 "  APPEND xinitrd=no.img rd.initrd=no2.img\n"
		 "LABEL initrd_wins\n"
		 "  KERNEL k\n"
		 "  APPEND initrd=from-append.img\n"
		 "  INITRD from-initrd.img,second.img\n"
		 "LABEL initrd_first\n"
		 "  INITRD first.img\n"
		 "  KERNEL k\n"
		 "  APPEND initrd=from-append.img\n");
	assert_string_equal(c->e[0].initrd, "one.img");
	assert_string_equal(c->e[1].initrd, "a.img,b.img,c.img");
	for (size_t i = 0; i < 3; i++) {
		assert_true(pxecfg_initrd(&c->e[1], i, name, sizeof(name)));
		assert_string_equal(name, several[i]);
	}
	assert_false(pxecfg_initrd(&c->e[1], 3, name, sizeof(name)));
	assert_string_equal(c->e[2].initrd, "");
	assert_false(pxecfg_initrd(&c->e[2], 0, name, sizeof(name)));
	assert_string_equal(c->e[3].initrd, "from-initrd.img,second.img");
	assert_string_equal(c->e[4].initrd, "first.img");
	/* The command line still carries the APPEND as written. */
	char out[128];
	cmdline(c, &c->e[3], out, sizeof(out));
	assert_string_equal(out, "initrd=from-append.img");
}

/* A label without APPEND boots with the global APPEND; in syslinux that
 * includes its initrd= (record() puts the global APPEND on the entry's
 * command line and the Linux loader takes initrd= from there). */
static void test_initrd_from_global_append(void **state)
{
	struct pxecfg *c = cfg_new();
	char out[128];

	PARSE(c, "APPEND initrd=initrd.img console=ttyS0\n"
		 "LABEL linux\n"
		 "  KERNEL vmlinuz\n");
	cmdline(c, &c->e[0], out, sizeof(out));
	assert_string_equal(out, "initrd=initrd.img console=ttyS0");
	/* Regression: "", only the entry's own APPEND was searched, so the
	 * kernel booted without the initrd its command line names. */
	assert_string_equal(c->e[0].initrd, "initrd.img");
}

/* ---- IPAPPEND ---- */

static void test_ipappend_adds_ip_and_bootif(void **state)
{
	struct pxecfg *c = cfg_new();
	char out[256];

	PARSE(c, "LABEL none\n  KERNEL k\n  APPEND root=/dev/nfs\n"
		 "LABEL ip\n  KERNEL k\n  APPEND root=/dev/nfs\n  IPAPPEND 1\n"
		 "LABEL bootif\n  KERNEL k\n  APPEND root=/dev/nfs\n  IPAPPEND 2\n"
		 "LABEL both\n  KERNEL k\n  APPEND root=/dev/nfs\n  IPAPPEND 3\n"
		 "LABEL bare\n  KERNEL k\n  IPAPPEND 3\n"
		 "LABEL zero\n  KERNEL k\n  APPEND a\n  SYSAPPEND 0\n");
	cmdline(c, &c->e[0], out, sizeof(out));
	assert_string_equal(out, "root=/dev/nfs");
	cmdline(c, &c->e[1], out, sizeof(out));
	assert_string_equal(out, "root=/dev/nfs ip=" IP);
	cmdline(c, &c->e[2], out, sizeof(out));
	assert_string_equal(out, "root=/dev/nfs BOOTIF=" BOOTIF);
	cmdline(c, &c->e[3], out, sizeof(out));
	assert_string_equal(out, "root=/dev/nfs ip=" IP " BOOTIF=" BOOTIF);
	cmdline(c, &c->e[4], out, sizeof(out));
	assert_string_equal(out, "ip=" IP " BOOTIF=" BOOTIF);
	/* Without the strings, nothing is added. */
	pxecfg_cmdline(c, &c->e[3], NULL, NULL, out, sizeof(out));
	assert_string_equal(out, "root=/dev/nfs");
	pxecfg_cmdline(c, &c->e[3], NULL, BOOTIF, out, sizeof(out));
	assert_string_equal(out, "root=/dev/nfs BOOTIF=" BOOTIF);
	assert_true(c->e[5].has_ipappend);
	assert_int_equal(c->e[5].ipappend, 0);
	cmdline(c, &c->e[5], out, sizeof(out));
	assert_string_equal(out, "a");
}

static void test_global_ipappend_unless_label_sets_its_own(void **state)
{
	struct pxecfg *c = cfg_new();
	char out[256];

	PARSE(c, "IPAPPEND 2\n"
		 "LABEL inherit\n  KERNEL k\n  APPEND x\n"
		 "LABEL off\n  KERNEL k\n  APPEND x\n  IPAPPEND 0\n");
	assert_int_equal(c->global_ipappend, 2);
	cmdline(c, &c->e[0], out, sizeof(out));
	assert_string_equal(out, "x BOOTIF=" BOOTIF);
	cmdline(c, &c->e[1], out, sizeof(out));
	assert_string_equal(out, "x");
}

static void test_cmdline_truncates_to_capacity(void **state)
{
	struct pxecfg *c = cfg_new();
	char out[64];

	PARSE(c, "LABEL a\n  KERNEL k\n  APPEND 0123456789abcdef\n  IPAPPEND 3\n");
	for (size_t cap = 1; cap <= sizeof(out); cap++) {
		memset(out, '#', sizeof(out));
		cmdline(c, &c->e[0], out, cap);
		size_t n = strnlen(out, cap);
		assert_true(n < cap);
		for (size_t i = cap; i < sizeof(out); i++)
			assert_int_equal(out[i], '#');
		/* Always a prefix of the full line. */
		assert_memory_equal(out, "0123456789abcdef ip=" IP " BOOTIF=" BOOTIF, n);
	}
	cmdline(c, &c->e[0], out, 11);
	assert_string_equal(out, "0123456789");
}

/* ---- INCLUDE ---- */

static void test_nested_includes_in_order(void **state)
{
	static const struct fake_file files[] = {
	    {"a.cfg", "LABEL a\n  KERNEL a.krn\nINCLUDE b.cfg\nLABEL a2\n  KERNEL a2.krn\n"},
	    {"b.cfg", "LABEL b\n  KERNEL b.krn\n  INCLUDE c.cfg some tag\n"},
	    {"c.cfg", "DEFAULT b\nLABEL c\n  KERNEL c.krn\n"},
	};
	struct pxecfg *c = cfg_new();
	struct fake_io io = {.files = files, .nfiles = 3};
	struct pxecfg_entry tmp;

	PARSE_IO(c, "LABEL top\n  KERNEL top.krn\nINCLUDE a.cfg\nLABEL last\n  KERNEL l.krn\n",
		 &io);
	assert_int_equal(io.fetches, 3);
	assert_string_equal(io.fetched[0], "a.cfg");
	assert_string_equal(io.fetched[1], "b.cfg");
	assert_string_equal(io.fetched[2], "c.cfg");
	assert_string_equal(c->error, "");
	assert_int_equal(c->n, 6);
	const char *want[] = {"top", "a", "b", "c", "a2", "last"};
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(c->e[i].label, want[i]);
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[2]);
}

static void test_missing_include_is_reported_and_parsing_continues(void **state)
{
	static const struct fake_file files[] = {{"there.cfg", "LABEL there\nKERNEL t\n"}};
	struct pxecfg *c = cfg_new();
	struct fake_io io = {.files = files, .nfiles = 1};

	PARSE_IO(c,
		 "LABEL a\nKERNEL a\nINCLUDE missing.cfg\nINCLUDE gone.cfg\n"
		 "INCLUDE there.cfg\nLABEL b\nKERNEL b\n",
		 &io);
	assert_int_equal(io.fetches, 3);
	assert_int_equal(io.failed, 2);
	assert_int_equal(io.releases, 1);
	assert_non_null(strstr(c->error, "missing.cfg"));
	assert_string_equal(c->error, "cannot fetch INCLUDE missing.cfg");
	assert_int_equal(c->n, 3);
	assert_string_equal(c->e[1].label, "there");
	assert_string_equal(c->e[2].label, "b");
}

static void test_include_without_io_is_ignored(void **state)
{
	struct pxecfg *c = cfg_new();

	PARSE(c, "INCLUDE other.cfg\nMENU INCLUDE m.cfg\nLABEL a\nKERNEL a\n");
	assert_int_equal(c->includes, 0);
	assert_string_equal(c->error, "");
	assert_int_equal(c->n, 1);
}

static void test_self_include_loop_is_stopped(void **state)
{
	static const struct fake_file files[] = {
	    {"loop.cfg", "LABEL l\nKERNEL l\nINCLUDE loop.cfg\n"}};
	struct pxecfg *c = cfg_new();
	struct fake_io io = {.files = files, .nfiles = 1};

	PARSE_IO(c, "INCLUDE loop.cfg\nLABEL after\nKERNEL after\n", &io);
	assert_int_equal(io.fetches, PXECFG_MAX_DEPTH);
	assert_non_null(strstr(c->error, "loop"));
	assert_non_null(strstr(c->error, "loop.cfg"));
	assert_int_equal(c->n, PXECFG_MAX_DEPTH + 1);
	assert_string_equal(c->e[PXECFG_MAX_DEPTH].label, "after");
}

static void test_mutual_include_loop_is_stopped(void **state)
{
	static const struct fake_file files[] = {
	    {"a.cfg", "LABEL a\nKERNEL a\nINCLUDE b.cfg\n"},
	    {"b.cfg", "LABEL b\nKERNEL b\nMENU INCLUDE a.cfg Title\n"},
	};
	struct pxecfg *c = cfg_new();
	struct fake_io io = {.files = files, .nfiles = 2};

	PARSE_IO(c, "INCLUDE a.cfg\n", &io);
	assert_int_equal(io.fetches, PXECFG_MAX_DEPTH);
	assert_non_null(strstr(c->error, "loop"));
	assert_int_equal(c->n, PXECFG_MAX_DEPTH);
}

/* A file that includes itself twice: a binary tree of fetches, cut by the
 * total, not only by the depth. */
static void test_branching_include_loop_stops_at_max_includes(void **state)
{
	static const struct fake_file files[] = {{"x.cfg", "INCLUDE x.cfg\nINCLUDE x.cfg\n"}};
	struct pxecfg *c = cfg_new();
	struct fake_io io = {.files = files, .nfiles = 1};

	PARSE_IO(c, "INCLUDE x.cfg\nLABEL a\nKERNEL a\n", &io);
	assert_int_equal(io.fetches, PXECFG_MAX_INCLUDES);
	assert_int_equal(c->includes, PXECFG_MAX_INCLUDES);
	assert_non_null(strstr(c->error, "loop"));
	assert_int_equal(c->n, 1);
}

static void test_many_includes_stop_at_max_includes(void **state)
{
	static const struct fake_file files[] = {{"e.cfg", "# empty\n"}};
	struct pxecfg *c = cfg_new();
	struct fake_io io = {.files = files, .nfiles = 1};
	char text[40 * 14 + 32] = "";

	for (int i = 0; i < 40; i++)
		strcat(text, "INCLUDE e.cfg\n");
	strcat(text, "LABEL a\nKERNEL a\n");
	parse_n(c, text, strlen(text), &io);
	assert_int_equal(io.fetches, PXECFG_MAX_INCLUDES);
	assert_string_equal(c->error, "more than 32 INCLUDEs (a loop?): e.cfg");
	assert_int_equal(c->n, 1);
}

static void test_menu_include_fetches_first_word(void **state)
{
	static const struct fake_file files[] = {
	    {"sub.cfg", "LABEL sub\n  KERNEL sub.krn\n  MENU DEFAULT\n"},
	};
	struct pxecfg *c = cfg_new();
	struct fake_io io = {.files = files, .nfiles = 1};
	struct pxecfg_entry tmp;

	PARSE_IO(c,
		 "DEFAULT vesamenu.c32\nLABEL a\nKERNEL a\nMENU INCLUDE  sub.cfg  Sub menu title\n"
		 "MENU INCLUDE\n",
		 &io);
	assert_int_equal(io.fetches, 1);
	assert_string_equal(io.fetched[0], "sub.cfg");
	assert_string_equal(c->menu_default, "sub");
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[1]);
}

/* ---- TEXT HELP, limits, truncation, NUL ---- */

static void test_text_help_hides_keywords(void **state)
{
	struct pxecfg *c = cfg_new();

	PARSE(c, "LABEL a\n"
		 "  KERNEL a.krn\n"
		 "  TEXT HELP\n"
		 "    LABEL hidden\n"
		 "    KERNEL evil\n"
		 "    APPEND evil\n"
		 "    DEFAULT hidden\n"
		 "    INCLUDE evil.cfg\n"
		 "  ENDTEXT\n"
		 "  APPEND real\n"
		 "LABEL b\n"
		 "  KERNEL b.krn\n"
		 "  text help\n"
		 "  never closed: the rest of the file is help text\n"
		 "LABEL c\n"
		 "  KERNEL c.krn\n");
	assert_int_equal(c->n, 2);
	assert_string_equal(c->e[0].kernel, "a.krn");
	assert_string_equal(c->e[0].append, "real");
	assert_string_equal(c->e[1].label, "b");
	assert_string_equal(c->default_cmd, "");
}

static void test_entries_past_max_are_counted_in_skipped(void **state)
{
	struct pxecfg *c = cfg_new();
	size_t cap = (PXECFG_MAX_ENTRIES + 5) * 40;
	char *text = malloc(cap), *p = text;

	assert_non_null(text);
	for (int i = 0; i < PXECFG_MAX_ENTRIES + 5; i++)
		p += sprintf(p, "LABEL l%d\n  KERNEL k%d\n", i, i);
	parse_n(c, text, (size_t)(p - text), NULL);
	assert_int_equal(c->n, PXECFG_MAX_ENTRIES);
	assert_int_equal(c->skipped, 5);
	assert_string_equal(c->e[PXECFG_MAX_ENTRIES - 1].label, "l127");
	assert_string_equal(c->e[PXECFG_MAX_ENTRIES - 1].kernel, "k127");
	free(text);
}

/* Lines under a label that did not fit belong to that label, not to the
 * global settings. */
static void test_skipped_label_does_not_change_global_append(void **state)
{
	struct pxecfg *c = cfg_new();
	size_t cap = PXECFG_MAX_ENTRIES * 40 + 256;
	char *text = malloc(cap), *p = text;
	char out[160];

	assert_non_null(text);
	p += sprintf(p, "APPEND console=ttyS0\nIPAPPEND 0\n");
	for (int i = 0; i < PXECFG_MAX_ENTRIES; i++)
		p += sprintf(p, "LABEL l%d\n  KERNEL k%d\n", i, i);
	p += sprintf(p, "LABEL extra\n  KERNEL x\n  APPEND rd.break init=/bin/sh\n  IPAPPEND 3\n");
	parse_n(c, text, (size_t)(p - text), NULL);
	free(text);
	assert_int_equal(c->skipped, 1);
	cmdline(c, &c->e[0], out, sizeof(out));
	/* Regression: "rd.break init=/bin/sh ip=... BOOTIF=...", the extra
	 * label's APPEND and IPAPPEND became the global ones. */
	assert_string_equal(c->global_append, "console=ttyS0");
	assert_int_equal(c->global_ipappend, 0);
	assert_string_equal(out, "console=ttyS0");
}

static void test_overlong_values_are_cut_safely(void **state)
{
	struct pxecfg *c = cfg_new();
	size_t cap = 16384;
	char *text = malloc(cap), *p = text;

	assert_non_null(text);
	p += sprintf(p, "DEFAULT %0700d\nONTIMEOUT %0400d\nAPPEND %03000d\n", 1, 2, 3);
	p += sprintf(p, "LABEL %0400d\n  KERNEL %0300d\n  APPEND %03000d\n  INITRD %0600d\n", 4, 5,
		     6, 7);
	p += sprintf(p, "LABEL l2\n  KERNEL k\n  APPEND ");
	for (int i = 0; i < 60; i++)
		p += sprintf(p, "initrd=%020d ", i);
	p += sprintf(p, "\n");
	assert_true((size_t)(p - text) < cap);
	parse_n(c, text, (size_t)(p - text), NULL);
	free(text);
	assert_int_equal(strlen(c->default_cmd), sizeof(c->default_cmd) - 1);
	assert_int_equal(strlen(c->ontimeout), sizeof(c->ontimeout) - 1);
	assert_int_equal(strlen(c->global_append), sizeof(c->global_append) - 1);
	assert_int_equal(c->n, 2);
	const struct pxecfg_entry *e = &c->e[0];
	assert_int_equal(strlen(e->label), sizeof(e->label) - 1);
	assert_int_equal(strlen(e->kernel), sizeof(e->kernel) - 1);
	assert_int_equal(strlen(e->append), sizeof(e->append) - 1);
	assert_int_equal(strlen(e->initrd), sizeof(e->initrd) - 1);
	assert_int_equal(e->append[sizeof(e->append) - 2], '0');
	/* 60 initrds of 20 characters do not fit in 511: cut, still a list. */
	e = &c->e[1];
	assert_int_equal(strlen(e->initrd), sizeof(e->initrd) - 1);
	assert_memory_equal(e->initrd, "00000000000000000000,00000000000000000001,", 42);
	char name[32];
	assert_true(pxecfg_initrd(e, 0, name, sizeof(name)));
	assert_string_equal(name, "00000000000000000000");
	assert_true(pxecfg_initrd(e, 23, name, sizeof(name)));
	assert_string_equal(name, "00000000000000000023");
	assert_true(pxecfg_initrd(e, 24, name, sizeof(name)));
	assert_int_equal(strlen(name), 511 - 24 * 21);
	assert_false(pxecfg_initrd(e, 25, name, sizeof(name)));

	/* The command line of a cut APPEND fits a buffer of the documented sizes. */
	char out[2300];
	cmdline(c, &c->e[0], out, sizeof(out));
	assert_int_equal(strlen(out), 2047);
}

/* Found by fuzz_pxelinux. Regression: set_str trimmed trailing blanks
 * before cutting, so a label cut to fit could end in a blank; MENU DEFAULT
 * copied it through set_str again, trimmed, and no entry had that name. */
static void test_menu_default_on_cut_label_is_chosen(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;
	size_t k = sizeof(c->e[0].label) - 2;
	char label[sizeof(c->e[0].label) + 16], text[sizeof(label) + 128];

	memset(label, 'x', k);
	strcpy(label + k, " profile"); /* the cut lands just after the blank */
	int n = snprintf(
	    text, sizeof(text),
	    "DEFAULT vesamenu.c32\nLABEL first\nKERNEL f\nLABEL %s\nKERNEL k\nMENU DEFAULT\n",
	    label);
	parse_n(c, text, (size_t)n, NULL);
	assert_int_equal(strlen(c->e[1].label), k);
	assert_string_equal(c->menu_default, c->e[1].label);
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[1]);
}

/* Cobbler and Foreman name labels after profiles and hosts. Regression:
 * labels held 63 characters but DEFAULT 511, so a DEFAULT naming a longer
 * label matched no entry and became a kernel of that name. */
static void test_default_names_a_long_label(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;
	const char *label = "centos-7.9-x86_64-minimal-with-extra-packages-for-datacenter-v2-2024";
	char text[512];

	int n = snprintf(text, sizeof(text),
			 "DEFAULT %s\nONTIMEOUT %s\nLABEL first\nKERNEL f\nLABEL %s\nKERNEL k\n",
			 label, label, label);
	parse_n(c, text, (size_t)n, NULL);
	assert_string_equal(c->e[1].label, label);
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[1]);
	/* ONTIMEOUT names it as well. */
	c->default_cmd[0] = '\0';
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[1]);
}

static void test_overlong_include_name_in_error(void **state)
{
	struct pxecfg *c = cfg_new();
	struct fake_io io = {0};
	char text[400];

	int n = snprintf(text, sizeof(text), "INCLUDE %0300d\n", 9);
	parse_n(c, text, (size_t)n, &io);
	assert_int_equal(io.fetches, 1);
	assert_int_equal(strlen(io.fetched[0]), 127); /* fake_io's own record is cut */
	assert_int_equal(strlen(c->error), sizeof(c->error) - 1);
	assert_memory_equal(c->error, "cannot fetch INCLUDE 000", 24);
}

static void test_embedded_nul_stops_parsing(void **state)
{
	struct pxecfg *c = cfg_new();

	PARSE(c, "LABEL a\nKERNEL a.krn\n\0LABEL b\nKERNEL b.krn\n");
	assert_int_equal(c->n, 1);
	PARSE(c, "LABEL a\nKERNEL vm\0linuz\nLABEL b\nKERNEL b.krn\n");
	assert_int_equal(c->n, 1);
	assert_string_equal(c->e[0].kernel, "vm");
	PARSE(c, "\0LABEL a\n");
	assert_int_equal(c->n, 0);
	/* len bounds the text even without a NUL or a final newline. */
	parse_n(c, "LABEL abcdef", 8, NULL);
	assert_int_equal(c->n, 1);
	assert_string_equal(c->e[0].label, "ab");
	parse_n(c, "", 0, NULL);
	assert_int_equal(c->n, 0);
}

/* ---- choice ---- */

static void test_default_label_is_case_insensitive(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;

	PARSE(c, "DEFAULT LINUX\nLABEL other\nKERNEL o\nLABEL Linux\nKERNEL vmlinuz\n");
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[1]);
}

static void test_default_module_falls_back_in_order(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;

	/* MENU DEFAULT first... */
	PARSE(c, "DEFAULT vesamenu.c32\nONTIMEOUT b\n"
		 "LABEL a\nKERNEL a\nLABEL b\nKERNEL b\nLABEL c\nKERNEL c\nMENU DEFAULT\n");
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[2]);
	/* ...then ONTIMEOUT (a label, case-insensitive)... */
	PARSE(c, "DEFAULT menu.C32\nONTIMEOUT B\nLABEL a\nKERNEL a\nLABEL b\nKERNEL b\n");
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[1]);
	/* ...then the first entry with a kernel. */
	PARSE(c, "DEFAULT menu.c32\nLABEL nothing\nMENU LABEL x\nLABEL a\nKERNEL a\nLABEL "
		 "b\nKERNEL b\n");
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[1]);
	/* No DEFAULT at all behaves the same. */
	PARSE(c, "LABEL a\nKERNEL a\nLABEL b\nKERNEL b\nMENU DEFAULT\n");
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[1]);
	PARSE(c, "ONTIMEOUT nosuch\nLABEL a\nKERNEL a\n");
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[0]);
}

static void test_fallback_choice_skips_modules(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;

	PARSE(c, "DEFAULT vesamenu.c32\n"
		 "ONTIMEOUT reboot\n"
		 "LABEL hdt\n  MENU DEFAULT\n  COM32 hdt.c32\n"
		 "LABEL reboot\n  KERNEL reboot.c32\n"
		 "LABEL chain\n  CONFIG other.cfg\n"
		 "LABEL memtest\n  LINUX memtest.C32\n"
		 "LABEL fd\n  FDIMAGE floppy.img\n"
		 "LABEL pxe\n  PXE pxelinux.0\n"
		 "LABEL linux\n  KERNEL vmlinuz\n");
	for (size_t i = 0; i < 6; i++)
		assert_true(c->e[i].module);
	assert_false(c->e[6].module);
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[6]);
}

static void test_default_command_line_becomes_temporary_entry(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;
	char out[128];

	PARSE(c, "DEFAULT vmlinuz root=/dev/sda initrd=x.img,y.img\n"
		 "APPEND console=ttyS0\nIPAPPEND 1\n"
		 "LABEL a\nKERNEL a\n");
	const struct pxecfg_entry *e = pxecfg_choose(c, &tmp);
	assert_ptr_equal(e, &tmp);
	assert_string_equal(tmp.label, "default");
	assert_string_equal(tmp.kernel, "vmlinuz");
	assert_true(tmp.has_append);
	assert_string_equal(tmp.append, "root=/dev/sda initrd=x.img,y.img");
	assert_string_equal(tmp.initrd, "x.img,y.img");
	assert_false(tmp.module);
	assert_false(tmp.localboot);
	cmdline(c, &tmp, out, sizeof(out));
	assert_string_equal(out, "root=/dev/sda initrd=x.img,y.img ip=" IP);
	/* Its fallbacks are the file's entries. */
	assert_ptr_equal(pxecfg_next(c, &tmp), &c->e[0]);

	/* A bare kernel takes the global APPEND. */
	memset(&tmp, 0x5a, sizeof(tmp));
	PARSE(c, "DEFAULT bzImage\nAPPEND console=ttyS0\n");
	assert_ptr_equal(pxecfg_choose(c, &tmp), &tmp);
	assert_string_equal(tmp.kernel, "bzImage");
	assert_false(tmp.has_append);
	assert_string_equal(tmp.initrd, "");
	cmdline(c, &tmp, out, sizeof(out));
	assert_string_equal(out, "console=ttyS0");
}

static void test_localboot_default_is_chosen(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;

	PARSE(c, "DEFAULT local\nLABEL linux\nKERNEL vmlinuz\nLABEL local\nLOCALBOOT 0\n");
	const struct pxecfg_entry *e = pxecfg_choose(c, &tmp);
	assert_ptr_equal(e, &c->e[1]);
	assert_true(e->localboot);
	/* LOCALBOOT counts as bootable for ONTIMEOUT too. */
	PARSE(c, "DEFAULT menu.c32\nONTIMEOUT local\nLABEL linux\nKERNEL vmlinuz\n"
		 "LABEL local\nLOCALBOOT 0\n");
	assert_ptr_equal(pxecfg_choose(c, &tmp), &c->e[1]);
}

static void test_nothing_bootable_gives_null(void **state)
{
	struct pxecfg *c = cfg_new();
	struct pxecfg_entry tmp;

	PARSE(c, "");
	assert_null(pxecfg_choose(c, &tmp));
	PARSE(c, "DEFAULT vesamenu.c32\nMENU DEFAULT\nLABEL hdt\nCOM32 hdt.c32\nMENU DEFAULT\n"
		 "LABEL empty\nMENU LABEL nothing here\nLABEL cfg\nCONFIG x.cfg\n");
	assert_null(pxecfg_choose(c, &tmp));
	assert_null(pxecfg_next(c, NULL));
	/* KERNEL before any LABEL belongs to nothing. */
	PARSE(c, "KERNEL vmlinuz\nINITRD i\nLOCALBOOT 0\nMENU DEFAULT\n");
	assert_int_equal(c->n, 0);
	assert_string_equal(c->menu_default, "");
	assert_null(pxecfg_choose(c, &tmp));
}

/* ---- fallback order ---- */

static void test_next_skips_modules_and_localboot(void **state)
{
	struct pxecfg *c = cfg_new();

	PARSE(c, "LABEL a\nKERNEL a\n"
		 "LABEL mod\nCOM32 menu.c32\n"
		 "LABEL local\nLOCALBOOT 0\n"
		 "LABEL localk\nKERNEL k\nLOCALBOOT 0\n"
		 "LABEL none\nAPPEND x\n"
		 "LABEL c32\nKERNEL hdt.c32\n"
		 "LABEL e\nLINUX e\n"
		 "LABEL f\nKERNEL f\n");
	assert_int_equal(c->n, 8);
	assert_ptr_equal(pxecfg_next(c, NULL), &c->e[0]);
	assert_ptr_equal(pxecfg_next(c, &c->e[0]), &c->e[6]);
	assert_ptr_equal(pxecfg_next(c, &c->e[1]), &c->e[6]);
	assert_ptr_equal(pxecfg_next(c, &c->e[6]), &c->e[7]);
	assert_null(pxecfg_next(c, &c->e[7]));
}

/* ---- initrd lists ---- */

static void test_initrd_list_split(void **state)
{
	struct pxecfg_entry e = {0};
	char buf[16];

	strcpy(e.initrd, "a.img,b.img,c.img");
	assert_true(pxecfg_initrd(&e, 0, buf, sizeof(buf)));
	assert_string_equal(buf, "a.img");
	assert_true(pxecfg_initrd(&e, 2, buf, sizeof(buf)));
	assert_string_equal(buf, "c.img");
	assert_false(pxecfg_initrd(&e, 3, buf, sizeof(buf)));
	assert_false(pxecfg_initrd(&e, 1000, buf, sizeof(buf)));
	assert_false(pxecfg_initrd(&e, (size_t)-1, buf, sizeof(buf)));
	/* Cut to the buffer. */
	assert_true(pxecfg_initrd(&e, 1, buf, 4));
	assert_string_equal(buf, "b.i");
	/* Trailing comma, empty list. */
	strcpy(e.initrd, "a.img,");
	assert_false(pxecfg_initrd(&e, 1, buf, sizeof(buf)));
	e.initrd[0] = '\0';
	assert_false(pxecfg_initrd(&e, 0, buf, sizeof(buf)));
}

static void test_initrd_list_skips_empty_items(void **state)
{
	struct pxecfg_entry e = {0};
	char buf[16];

	strcpy(e.initrd, "a,,b");
	assert_true(pxecfg_initrd(&e, 0, buf, sizeof(buf)));
	assert_string_equal(buf, "a");
	assert_true(pxecfg_initrd(&e, 1, buf, sizeof(buf)));
	assert_string_equal(buf, "b");
	/* Regression: index 2 gave "b" again and bootmgr.c loaded it twice. */
	assert_false(pxecfg_initrd(&e, 2, buf, sizeof(buf)));
	strcpy(e.initrd, ",a");
	assert_true(pxecfg_initrd(&e, 0, buf, sizeof(buf)));
	assert_string_equal(buf, "a");
	assert_false(pxecfg_initrd(&e, 1, buf, sizeof(buf)));
	strcpy(e.initrd, ",,");
	assert_false(pxecfg_initrd(&e, 0, buf, sizeof(buf)));

	/* The same list from initrd= options, one of them empty. */
	struct pxecfg *c = cfg_new();
	PARSE(c, "LABEL a\n  KERNEL k\n  APPEND initrd=a initrd= initrd=b\n");
	assert_string_equal(c->e[0].initrd, "a,,b");
	assert_true(pxecfg_initrd(&c->e[0], 1, buf, sizeof(buf)));
	assert_string_equal(buf, "b");
	assert_false(pxecfg_initrd(&c->e[0], 2, buf, sizeof(buf)));
}

/* "INITRD a.img, ,b.img": an item of blanks names no file. */
static void test_initrd_list_blank_item_is_no_name(void **state)
{
	struct pxecfg_entry e = {0};
	char buf[16];
	size_t n = 0;

	strcpy(e.initrd, "a.img, ,b.img");
	assert_true(pxecfg_initrd(&e, 0, buf, sizeof(buf)));
	assert_string_equal(buf, "a.img");
	bool blank = false;
	for (size_t i = 0; i < 4 && pxecfg_initrd(&e, i, buf, sizeof(buf)); i++, n++)
		blank |= !buf[0];
	/* Actual: three names, the second "" (the blank item trimmed), which
	 * bootmgr.c resolves to the directory and fails to fetch, so the
	 * whole entry is skipped. */
	KNOWN_BUG(blank,
		  "initrd list 'a.img, ,b.img': expected 2 non-empty names, got %zu, one "
		  "of them empty",
		  n);
	assert_int_equal(n, 2);
	assert_true(pxecfg_initrd(&e, 1, buf, sizeof(buf)));
	assert_string_equal(buf, "b.img");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_debian_installer_tree_boots_menu_default_install),
	    cmocka_unit_test(test_foreman_config_parses_localboot_and_install),
	    cmocka_unit_test(test_foreman_default_menu_boots_ontimeout_local),
	    cmocka_unit_test(test_maas_style_config_boots_its_label),
	    cmocka_unit_test(test_cobbler_style_menu_default_local),
	    cmocka_unit_test(test_keywords_are_case_insensitive),
	    cmocka_unit_test(test_crlf_line_endings_and_tabs),
	    cmocka_unit_test(test_comments_blank_and_unknown_lines_are_ignored),
	    cmocka_unit_test(test_global_append_used_by_labels_without_append),
	    cmocka_unit_test(test_global_append_dash_means_none),
	    cmocka_unit_test(test_kernel_options_after_file_name),
	    cmocka_unit_test(test_kernel_options_reach_the_command_line),
	    cmocka_unit_test(test_kernel_options_combine_with_append),
	    cmocka_unit_test(test_initrd_from_append_when_initrd_absent),
	    cmocka_unit_test(test_initrd_from_global_append),
	    cmocka_unit_test(test_ipappend_adds_ip_and_bootif),
	    cmocka_unit_test(test_global_ipappend_unless_label_sets_its_own),
	    cmocka_unit_test(test_cmdline_truncates_to_capacity),
	    cmocka_unit_test(test_nested_includes_in_order),
	    cmocka_unit_test(test_missing_include_is_reported_and_parsing_continues),
	    cmocka_unit_test(test_include_without_io_is_ignored),
	    cmocka_unit_test(test_self_include_loop_is_stopped),
	    cmocka_unit_test(test_mutual_include_loop_is_stopped),
	    cmocka_unit_test(test_branching_include_loop_stops_at_max_includes),
	    cmocka_unit_test(test_many_includes_stop_at_max_includes),
	    cmocka_unit_test(test_menu_include_fetches_first_word),
	    cmocka_unit_test(test_text_help_hides_keywords),
	    cmocka_unit_test(test_entries_past_max_are_counted_in_skipped),
	    cmocka_unit_test(test_skipped_label_does_not_change_global_append),
	    cmocka_unit_test(test_overlong_values_are_cut_safely),
	    cmocka_unit_test(test_menu_default_on_cut_label_is_chosen),
	    cmocka_unit_test(test_default_names_a_long_label),
	    cmocka_unit_test(test_overlong_include_name_in_error),
	    cmocka_unit_test(test_embedded_nul_stops_parsing),
	    cmocka_unit_test(test_default_label_is_case_insensitive),
	    cmocka_unit_test(test_default_module_falls_back_in_order),
	    cmocka_unit_test(test_fallback_choice_skips_modules),
	    cmocka_unit_test(test_default_command_line_becomes_temporary_entry),
	    cmocka_unit_test(test_localboot_default_is_chosen),
	    cmocka_unit_test(test_nothing_bootable_gives_null),
	    cmocka_unit_test(test_next_skips_modules_and_localboot),
	    cmocka_unit_test(test_initrd_list_split),
	    cmocka_unit_test(test_initrd_list_skips_empty_items),
	    cmocka_unit_test(test_initrd_list_blank_item_is_no_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
