/* Host tests for disk/bls.c: Boot Loader Specification type 1 entries as
 * Debian's, Fedora's and systemd's kernel-install write them, the line
 * rules, every bound, loader.conf, boot counting, the spec's sort order,
 * the default entry and its glob, and the UAPI version comparison checked
 * against what systemd 252's `systemd-analyze compare-versions` printed
 * for the same pairs. Every text is parsed from an exactly sized heap
 * copy, so ASan catches a read past its length. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bls.h>

/* bls_entry_parse over an exactly sized copy of text (len bytes). */
static enum bls_result parse_n(struct bls_entry *e, const char *name, const char *text, size_t len,
			       const char **why)
{
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, text, len);
	enum bls_result r = bls_entry_parse(e, name, copy, len, why);
	free(copy);
	return r;
}

static enum bls_result parse(struct bls_entry *e, const char *name, const char *text)
{
	return parse_n(e, name, text, strlen(text), NULL);
}

static void add(struct bls_set *s, const char *name, const char *text)
{
	char *copy = malloc(strlen(text) + 1);

	assert_non_null(copy);
	memcpy(copy, text, strlen(text));
	assert_int_equal(bls_set_add(s, name, copy, strlen(text), NULL), BLS_OK);
	free(copy);
}

/* The sorted names, "a b c". */
static const char *order_str(const struct bls_set *s)
{
	static char buf[4096];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "",
				      s->e[s->order[i]].name);
	return buf;
}

/* ---- entries ---- */

static void test_debian_entry_every_key(void **state)
{
	static struct bls_entry e;
	const char *why = NULL;
	const char *text =
	    "# Boot Loader Specification type#1 entry\n"
	    "# File created by /usr/lib/kernel/install.d/90-loaderentry.install\n"
	    "title      Debian GNU/Linux 12 (bookworm)\n"
	    "version    6.1.0-18-amd64\n"
	    "machine-id 4098b3f648d74c13b1f04ccfba7798e8\n"
	    "sort-key   debian\n"
	    "options    root=UUID=6d3376e4-fc93-4509-95ec-a21d68011da2 ro\n"
	    "options    quiet console=ttyS0\n"
	    "architecture x64\n"
	    "linux      /4098b3f648d74c13b1f04ccfba7798e8/6.1.0-18-amd64/linux\n"
	    "initrd     /4098b3f648d74c13b1f04ccfba7798e8/6.1.0-18-amd64/microcode\n"
	    "initrd     /4098b3f648d74c13b1f04ccfba7798e8/6.1.0-18-amd64/initrd.img\n"
	    "devicetree /dtb/ignored.dtb\n"
	    "grub_class kernel\n";

	assert_int_equal(parse_n(&e, "4098b3f648d74c13b1f04ccfba7798e8-6.1.0-18-amd64.conf", text,
				 strlen(text), &why),
			 BLS_OK);
	assert_string_equal(why, "ok");
	assert_string_equal(e.name, "4098b3f648d74c13b1f04ccfba7798e8-6.1.0-18-amd64.conf");
	assert_string_equal(e.title, "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(e.version, "6.1.0-18-amd64");
	assert_string_equal(e.machine_id, "4098b3f648d74c13b1f04ccfba7798e8");
	assert_string_equal(e.sort_key, "debian");
	assert_string_equal(e.kernel, "/4098b3f648d74c13b1f04ccfba7798e8/6.1.0-18-amd64/linux");
	assert_string_equal(e.efi, "");
	assert_int_equal(e.n_initrds, 2);
	assert_string_equal(e.initrd[0],
			    "/4098b3f648d74c13b1f04ccfba7798e8/6.1.0-18-amd64/microcode");
	assert_string_equal(e.initrd[1],
			    "/4098b3f648d74c13b1f04ccfba7798e8/6.1.0-18-amd64/initrd.img");
	assert_string_equal(e.options, "root=UUID=6d3376e4-fc93-4509-95ec-a21d68011da2 ro "
				       "quiet console=ttyS0");
	assert_int_equal(e.tries_left, -1);
}

/* Tabs, CRLF, leading blanks, trailing blanks, quotes, indented comments. */
static void test_line_rules(void **state)
{
	static struct bls_entry e;
	const char *text = "  \t# indented comment\r\n"
			   "title\t\"Fedora Linux 39\"  \r\n"
			   "\tlinux\t \t/vmlinuz-6.5  \t\r\n"
			   "options  a=\"b c\"\r\n"
			   "options \"quoted whole\"\r\n"
			   "version\n"		 /* no value: ignored */
			   "initrd   \t \n"	 /* blanks only: ignored */
			   "Linux /wrong-case\n" /* keys are case-sensitive */
			   "\n\n"
			   "efi /EFI/tool.efi"; /* no final newline */

	assert_int_equal(parse(&e, "fedora.conf", text), BLS_OK);
	assert_string_equal(e.title, "Fedora Linux 39");
	assert_string_equal(e.kernel, "/vmlinuz-6.5");
	assert_string_equal(e.options, "a=\"b c\" quoted whole");
	assert_string_equal(e.version, "");
	assert_int_equal(e.n_initrds, 0);
	assert_string_equal(e.efi, "/EFI/tool.efi");
}

static void test_later_single_key_replaces(void **state)
{
	static struct bls_entry e;

	assert_int_equal(parse(&e, "x.conf", "title one\ntitle two\nlinux /a\nlinux /b\n"), BLS_OK);
	assert_string_equal(e.title, "two");
	assert_string_equal(e.kernel, "/b");
}

static void test_efi_only_entry_is_bootable(void **state)
{
	static struct bls_entry e;

	assert_int_equal(parse(&e, "shell.conf",
			       "title UEFI shell\nefi /EFI/tools/shell.efi\n"
			       "options -nostartup\n"),
			 BLS_OK);
	assert_string_equal(e.efi, "/EFI/tools/shell.efi");
	assert_string_equal(e.kernel, "");
	assert_string_equal(e.options, "-nostartup");
}

static void test_no_linux_or_efi_is_not_bootable(void **state)
{
	static struct bls_entry e;
	const char *why = NULL;
	const char *text = "title Only a title\nversion 1\ninitrd /initrd\noptions quiet\n";

	assert_int_equal(parse_n(&e, "x.conf", text, strlen(text), &why), BLS_NOT_BOOTABLE);
	assert_string_equal(why, "no linux or efi line");
	assert_int_equal(parse(&e, "empty.conf", ""), BLS_NOT_BOOTABLE);
	assert_int_equal(parse(&e, "comments.conf", "# linux /vmlinuz\n  # efi /x.efi\n"),
			 BLS_NOT_BOOTABLE);
}

static void test_architecture(void **state)
{
	static struct bls_entry e;
	const char *why = NULL;

	const char *arm = "linux /Image\narchitecture aa64\n";

	assert_int_equal(parse_n(&e, "arm.conf", arm, strlen(arm), &why), BLS_OTHER_ARCH);
	assert_string_equal(why, "for another architecture");
	assert_int_equal(parse(&e, "ia32.conf", "linux /vmlinuz\narchitecture IA32\n"),
			 BLS_OTHER_ARCH);
	assert_int_equal(parse(&e, "x64.conf", "linux /vmlinuz\narchitecture X64\n"), BLS_OK);
	assert_int_equal(parse(&e, "x64b.conf", "architecture x64\nlinux /vmlinuz\n"), BLS_OK);
	/* "x64x" is not x64; the last line counts. */
	assert_int_equal(parse(&e, "x64x.conf", "linux /vmlinuz\narchitecture x64x\n"),
			 BLS_OTHER_ARCH);
	assert_int_equal(parse(&e, "last.conf", "architecture aa64\narchitecture x64\nlinux /v\n"),
			 BLS_OK);
}

static void test_file_size_limit(void **state)
{
	static struct bls_entry e;
	size_t n = BLS_FILE_MAX + 1;
	char *big = malloc(n);

	assert_non_null(big);
	memset(big, '#', n);
	memcpy(big, "linux /vmlinuz\n", 15);
	big[n - 2] = '\n';
	assert_int_equal(parse_n(&e, "big.conf", big, n, NULL), BLS_TOO_LARGE);
	/* Exactly the limit is read. */
	assert_int_equal(parse_n(&e, "limit.conf", big, n - 1, NULL), BLS_OK);
	assert_string_equal(e.kernel, "/vmlinuz");
	free(big);
}

static void test_value_bounds(void **state)
{
	static struct bls_entry e;
	static char text[8192], path[300];
	const char *why = NULL;

	/* A 255-byte path fits, 256 does not (never cut). */
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[255] = '\0';
	snprintf(text, sizeof(text), "linux %s\n", path);
	assert_int_equal(parse(&e, "p255.conf", text), BLS_OK);
	assert_int_equal(strlen(e.kernel), 255);
	path[255] = 'p';
	path[256] = '\0';
	snprintf(text, sizeof(text), "linux %s\n", path);
	assert_int_equal(parse_n(&e, "p256.conf", text, strlen(text), &why), BLS_BAD_VALUE);
	assert_string_equal(why, "linux path longer than 255 bytes");
	snprintf(text, sizeof(text), "linux /v\ninitrd %s\n", path);
	assert_int_equal(parse(&e, "i256.conf", text), BLS_BAD_VALUE);
	snprintf(text, sizeof(text), "efi %s\n", path);
	assert_int_equal(parse(&e, "e256.conf", text), BLS_BAD_VALUE);

	/* Eight initrds, not nine. */
	strcpy(text, "linux /v\n");
	for (int i = 0; i < BLS_MAX_INITRDS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "initrd /i%d\n", i);
	assert_int_equal(parse(&e, "i8.conf", text), BLS_OK);
	assert_int_equal(e.n_initrds, BLS_MAX_INITRDS);
	assert_string_equal(e.initrd[7], "/i7");
	strcat(text, "initrd /i8\n");
	assert_int_equal(parse_n(&e, "i9.conf", text, strlen(text), &why), BLS_BAD_VALUE);
	assert_string_equal(why, "more than 8 initrd lines");

	/* Options: 2047 bytes in all fit, one more does not. */
	static char opt[1100];
	memset(opt, 'o', 1023);
	opt[1023] = '\0';
	snprintf(text, sizeof(text), "linux /v\noptions %s\noptions %s\n", opt, opt);
	assert_int_equal(parse(&e, "o2047.conf", text), BLS_OK);
	assert_int_equal(strlen(e.options), 2047);
	assert_int_equal(e.options[1023], ' ');
	snprintf(text, sizeof(text), "linux /v\noptions %s\noptions %sX\n", opt, opt);
	assert_int_equal(parse(&e, "o2048.conf", text), BLS_BAD_VALUE);

	/* Version, machine-id and sort-key must fit; the title is cut. */
	memset(opt, 'v', 200);
	opt[200] = '\0';
	snprintf(text, sizeof(text), "linux /v\nversion %s\n", opt);
	assert_int_equal(parse(&e, "ver.conf", text), BLS_BAD_VALUE);
	snprintf(text, sizeof(text), "linux /v\nsort-key %s\n", opt);
	assert_int_equal(parse(&e, "sk.conf", text), BLS_BAD_VALUE);
	snprintf(text, sizeof(text), "linux /v\nmachine-id %s\n", opt);
	assert_int_equal(parse(&e, "mid.conf", text), BLS_BAD_VALUE);
	snprintf(text, sizeof(text), "linux /v\ntitle %s\n", opt);
	assert_int_equal(parse(&e, "title.conf", text), BLS_OK);
	assert_int_equal(strlen(e.title), BLS_TITLE_LEN - 1);
}

static void test_paths_must_be_printable_ascii(void **state)
{
	static struct bls_entry e;
	const char *why = NULL;

	const char *utf8 = "linux /k\xc3\xa9rnel\n";

	assert_int_equal(parse_n(&e, "u.conf", utf8, strlen(utf8), &why), BLS_BAD_VALUE);
	assert_string_equal(why, "linux path with a control or non-ASCII byte");
	assert_int_equal(parse(&e, "ctl.conf", "linux /a\x01b\n"), BLS_BAD_VALUE);
	assert_int_equal(parse(&e, "ictl.conf", "linux /a\ninitrd /i\x7f\n"), BLS_BAD_VALUE);
	/* An empty path after unquoting. */
	assert_int_equal(parse(&e, "q.conf", "linux \"\"\n"), BLS_BAD_VALUE);
	/* Options and titles may hold UTF-8. */
	assert_int_equal(parse(&e, "t.conf", "title Caf\xc3\xa9\nlinux /v\noptions x=\xc3\xa9\n"),
			 BLS_OK);
	assert_string_equal(e.title, "Caf\xc3\xa9");
}

/* A NUL ends the text: nothing after it is read. */
static void test_nul_ends_text(void **state)
{
	static struct bls_entry e;
	const char text[] = "title t\nlinux /a\n\0linux /b\ninitrd /i\n";

	assert_int_equal(parse_n(&e, "nul.conf", text, sizeof(text) - 1, NULL), BLS_OK);
	assert_string_equal(e.kernel, "/a");
	assert_int_equal(e.n_initrds, 0);
	assert_int_equal(parse_n(&e, "nul2.conf", "\0linux /a\n", 10, NULL), BLS_NOT_BOOTABLE);
}

static void test_names(void **state)
{
	static char name[300];
	static struct bls_entry e;
	const char *why = NULL;

	assert_true(bls_name_ok("a.conf"));
	assert_true(bls_name_ok("Debian-6.1.0-18-amd64.CONF"));
	assert_true(bls_name_ok("fedora+3-1.conf"));
	assert_false(bls_name_ok(".conf"));
	assert_false(bls_name_ok(".hidden.conf"));
	assert_false(bls_name_ok("entry.conf~"));
	assert_false(bls_name_ok("entry.cfg"));
	assert_false(bls_name_ok("conf"));
	assert_false(bls_name_ok(""));
	assert_false(bls_name_ok("tab\t.conf"));
	memset(name, 'n', sizeof(name));
	strcpy(name + 250, ".conf"); /* 255 bytes */
	assert_true(bls_name_ok(name));
	memset(name, 'n', sizeof(name));
	strcpy(name + 251, ".conf"); /* 256 bytes */
	assert_false(bls_name_ok(name));
	assert_int_equal(parse_n(&e, "x.txt", "linux /v\n", 9, &why), BLS_BAD_NAME);
	assert_string_equal(why, "a file name that is not <name>.conf");
}

static void test_boot_counting(void **state)
{
	static struct bls_entry e;

	assert_int_equal(parse(&e, "fedora+3-1.conf", "linux /v\n"), BLS_OK);
	assert_int_equal(e.tries_left, 3);
	assert_int_equal(e.tries_done, 1);
	assert_int_equal(parse(&e, "fedora+2.conf", "linux /v\n"), BLS_OK);
	assert_int_equal(e.tries_left, 2);
	assert_int_equal(e.tries_done, 0);
	assert_int_equal(parse(&e, "fedora+0-5.conf", "linux /v\n"), BLS_OK);
	assert_int_equal(e.tries_left, 0);
	assert_int_equal(e.tries_done, 5);
	/* Not counters: letters, nothing after '+', a huge number. */
	assert_int_equal(parse(&e, "a+b.conf", "linux /v\n"), BLS_OK);
	assert_int_equal(e.tries_left, -1);
	assert_int_equal(parse(&e, "a+.conf", "linux /v\n"), BLS_OK);
	assert_int_equal(e.tries_left, -1);
	assert_int_equal(parse(&e, "a+1-.conf", "linux /v\n"), BLS_OK);
	assert_int_equal(e.tries_left, -1);
	assert_int_equal(parse(&e, "a+99999999999999999999.conf", "linux /v\n"), BLS_OK);
	assert_int_equal(e.tries_left, -1);
}

/* ---- the version comparison ---- */

/* Pairs and what systemd 252's `systemd-analyze compare-versions a b`
 * printed for them (the spec's own examples where systemd agrees). */
static const struct {
	const char *a, *op, *b;
} versions[] = {
    {"11", "==", "11"},
    {"systemd-123", "==", "systemd-123"},
    {"bar-123", "<", "foo-123"},
    {"123a", ">", "123"},
    {"123.a", ">", "123"},
    {"123.a", "<", "123.b"},
    {"123a", ">", "123.a"},
    {"11\xce\xb1", "==", "11\xce\xb2"},
    {"A", "<", "a"},
    {"", "<", "0"},
    {"0.", ">", "0"},
    {"0.0", ">", "0"},
    {"1_", "==", "1"},
    {"_1", "==", "1"},
    {"1_", "<", "1.2"},
    {"1_2_3", ">", "1.3.3"},
    {"1+", "==", "1"},
    {"+1", "==", "1"},
    {"1+2+3", ">", "1.3.3"},
    /* Where the spec's examples and systemd 252 disagree, systemd's
     * order (what systemd-boot sorts by) is the one kept. */
    {"", ">", "~"},
    {"0", ">", "~"},
    {"~", "<", "~~"},
    {"1.0~rc1", "<", "1.0"},
    {"1.0^x", ">", "1.0"},
    {"123^post1", "<", "123.a-1"},
    {"123-1.1", "<", "123^post1"},
    {"1.0-1", ">", "1.0"},
    {"1.0-1", "<", "1.0.1"},
    {"1-", ">", "1"},
    {"a", "<", "1"},
    {"0", ">", "a"},
    {"00", "==", "0"},
    {"007", "==", "7"},
    {"122.1", "<", "123~rc1-1"},
    {"123", "<", "123-a"},
    {"123-a.1", "<", "123-1"},
    {"123.1-1", "<", "123a-1"},
    {"123a-1", "<", "124-1"},
    {"6.1.0-18-amd64", ">", "6.1.0-9-amd64"},
    {"6.1.0-9-amd64", ">", "5.10.0-28-amd64"},
    {"99999999999999999999999", ">", "99999999999999999999998"},
    {"5.14.0-362.el9", "<", "5.14.0-362.13.1.el9"},
};

static void test_vercmp_matches_systemd(void **state)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		int r = bls_vercmp(versions[i].a, versions[i].b);
		int back = bls_vercmp(versions[i].b, versions[i].a);
		const char *got = r < 0 ? "<" : r > 0 ? ">" : "==";
		if (strcmp(got, versions[i].op))
			fail_msg("'%s' %s '%s' expected, got %s", versions[i].a, versions[i].op,
				 versions[i].b, got);
		/* Antisymmetric. */
		assert_int_equal(r<0, back> 0);
		assert_int_equal(r == 0, back == 0);
	}
	assert_int_equal(bls_vercmp(NULL, ""), 0);
	assert_true(bls_vercmp(NULL, "1") < 0);
}

/* ---- sorting and the default ---- */

static void test_sort_newest_kernel_first_by_name(void **state)
{
	static struct bls_set s;

	bls_set_init(&s);
	/* No sort-key: the file names, newest version first. */
	add(&s, "debian-5.10.0-28-amd64.conf", "title Debian\nlinux /v5\n");
	add(&s, "debian-6.1.0-9-amd64.conf", "title Debian\nlinux /v69\n");
	add(&s, "debian-6.1.0-18-amd64.conf", "title Debian\nlinux /v618\n");
	bls_sort(&s);
	assert_string_equal(order_str(&s), "debian-6.1.0-18-amd64.conf debian-6.1.0-9-amd64.conf "
					   "debian-5.10.0-28-amd64.conf");
	assert_int_equal(bls_default(&s, NULL), 0);
	assert_string_equal(s.e[s.order[bls_default(&s, NULL)]].kernel, "/v618");
}

static void test_sort_key_machine_id_version(void **state)
{
	static struct bls_set s;

	bls_set_init(&s);
	add(&s, "z-old.conf", "sort-key fedora\nmachine-id bbb\nversion 6.5.6\nlinux /a\n");
	add(&s, "a-new.conf", "sort-key fedora\nmachine-id bbb\nversion 6.5.12\nlinux /b\n");
	add(&s, "m-other-machine.conf", "sort-key fedora\nmachine-id aaa\nversion 1\nlinux /c\n");
	add(&s, "arch.conf", "sort-key arch\nversion 1\nlinux /d\n");
	add(&s, "nokey-9.conf", "version 99\nlinux /e\n");
	add(&s, "no-mid.conf", "sort-key fedora\nversion 1\nlinux /f\n");
	bls_sort(&s);
	/* arch < fedora; within fedora: no machine-id first (empty is lower),
	 * then aaa, then bbb newest version first; an entry without
	 * sort-key after every entry with one. */
	assert_string_equal(order_str(&s), "arch.conf no-mid.conf m-other-machine.conf a-new.conf "
					   "z-old.conf nokey-9.conf");
}

static void test_sort_bad_entries_last_and_ties_by_name(void **state)
{
	static struct bls_set s;

	bls_set_init(&s);
	add(&s, "linux-7+0-3.conf", "linux /bad\n");
	add(&s, "linux-6+2.conf", "linux /trying\n");
	add(&s, "linux-5.conf", "linux /good\n");
	/* The same version by the version rules (leading zeroes skipped):
	 * strcmp of the names decides. */
	add(&s, "same-01.conf", "linux /x\n");
	add(&s, "same-1.conf", "linux /y\n");
	bls_sort(&s);
	assert_string_equal(
	    order_str(&s), "same-01.conf same-1.conf linux-6+2.conf linux-5.conf linux-7+0-3.conf");
}

/* The order depends on the entries, never on the order they were read. */
static void test_sort_is_independent_of_input_order(void **state)
{
	static const char *names[] = {"b-2.conf",      "a-10.conf", "a-9.conf", "c.conf",
				      "a-10~rc1.conf", "x+0.conf",  "k1.conf",	"K1.conf"};
	static const char *texts[] = {"linux /1\n",
				      "linux /2\nsort-key s\nversion 3\n",
				      "linux /3\nsort-key s\nversion 3\n",
				      "efi /4\n",
				      "linux /5\n",
				      "linux /6\nsort-key a\n",
				      "linux /7\n",
				      "linux /8\n"};
	static struct bls_set s;
	char first[4096];
	size_t n = sizeof(names) / sizeof(names[0]);
	unsigned seed = 1;

	for (int round = 0; round < 50; round++) {
		size_t idx[8];
		for (size_t i = 0; i < n; i++)
			idx[i] = i;
		for (size_t i = n - 1; i > 0; i--) {
			seed = seed * 1103515245u + 12345u;
			size_t j = (seed >> 16) % (i + 1), t = idx[i];
			idx[i] = idx[j];
			idx[j] = t;
		}
		bls_set_init(&s);
		for (size_t i = 0; i < n; i++)
			add(&s, names[idx[i]], texts[idx[i]]);
		bls_sort(&s);
		if (!round)
			strcpy(first, order_str(&s));
		else
			assert_string_equal(order_str(&s), first);
	}
	/* sort-key entries first (same key and version: by name, a-10 newer
	 * than a-9); then the names newest first ('k' > 'c' > 'b' > 'a' >
	 * 'K' as bytes, "a-10~rc1" a pre-release); the bad entry (+0) last. */
	assert_string_equal(first, "a-10.conf a-9.conf k1.conf c.conf b-2.conf a-10~rc1.conf "
				   "K1.conf x+0.conf");
}

static void test_default_glob(void **state)
{
	static struct bls_set s;
	static struct bls_loader l;
	const char *conf;

	bls_set_init(&s);
	assert_int_equal(bls_default(&s, NULL), -1);
	add(&s, "debian-6.1.0-18-amd64.conf", "title Debian 6.1.0-18\nlinux /a\n");
	add(&s, "debian-5.10.0-28-amd64.conf", "title Debian 5.10\nlinux /b\n");
	add(&s, "fedora-6.5.conf", "title Fedora\nlinux /c\n");
	bls_sort(&s);
	assert_string_equal(order_str(&s), "fedora-6.5.conf debian-6.1.0-18-amd64.conf "
					   "debian-5.10.0-28-amd64.conf");

	conf = "# systemd-boot\ntimeout 5\ndefault debian-*\nconsole-mode max\n";
	bls_loader_parse(&l, conf, strlen(conf));
	assert_string_equal(l.default_pattern, "debian-*");
	assert_string_equal(l.timeout, "5");
	/* The first match in sorted order: the newest Debian. */
	assert_string_equal(s.e[s.order[bls_default(&s, &l)]].name, "debian-6.1.0-18-amd64.conf");

	conf = "default debian-5.10.0-28-amd64.conf\n";
	bls_loader_parse(&l, conf, strlen(conf));
	assert_string_equal(s.e[s.order[bls_default(&s, &l)]].name, "debian-5.10.0-28-amd64.conf");
	/* Without ".conf", and in another case. */
	conf = "default DEBIAN-5.10.0-28-AMD64\n";
	bls_loader_parse(&l, conf, strlen(conf));
	assert_string_equal(s.e[s.order[bls_default(&s, &l)]].name, "debian-5.10.0-28-amd64.conf");
	/* No match: the first after sorting. */
	conf = "default ubuntu-*\n";
	bls_loader_parse(&l, conf, strlen(conf));
	assert_int_equal(bls_default(&s, &l), 0);
	/* systemd-boot's @saved needs its variables: the first. */
	conf = "default @saved\n";
	bls_loader_parse(&l, conf, strlen(conf));
	assert_int_equal(bls_default(&s, &l), 0);
}

static void test_loader_conf(void **state)
{
	static struct bls_loader l;
	static char text[1024];
	const char *conf = "  timeout   menu-force \r\n"
			   "default \"a b*\"\n"
			   "#default nope\n"
			   "editor no\n"
			   "default second*\n"
			   "auto-entries yes\n";

	bls_loader_parse(&l, conf, strlen(conf));
	assert_string_equal(l.default_pattern, "second*");
	assert_string_equal(l.timeout, "menu-force");
	assert_false(l.pattern_cut);
	bls_loader_parse(&l, "", 0);
	assert_string_equal(l.default_pattern, "");
	assert_string_equal(l.timeout, "");
	/* A pattern longer than the field is not used (not cut). */
	strcpy(text, "default ");
	memset(text + 8, 'x', 300);
	text[308] = '\0';
	bls_loader_parse(&l, text, strlen(text));
	assert_true(l.pattern_cut);
	assert_string_equal(l.default_pattern, "");
}

static void test_glob(void **state)
{
	assert_true(bls_glob("*", ""));
	assert_true(bls_glob("", ""));
	assert_false(bls_glob("", "a"));
	assert_true(bls_glob("a*c", "abbbc"));
	assert_false(bls_glob("a*c", "abbbd"));
	assert_true(bls_glob("a?c", "abc"));
	assert_false(bls_glob("a?c", "ac"));
	assert_true(bls_glob("*.conf", "x.CONF"));
	assert_true(bls_glob("[a-c]x", "Bx"));
	assert_false(bls_glob("[a-c]x", "dx"));
	assert_true(bls_glob("[!a-c]x", "dx"));
	assert_false(bls_glob("[^a-c]x", "ax"));
	assert_true(bls_glob("[]]", "]"));
	assert_true(bls_glob("[", "[")); /* no closing ']': a plain '[' */
	assert_true(bls_glob("a[b", "a[b"));
	assert_true(bls_glob("\\*", "*"));
	assert_false(bls_glob("\\*", "x"));
	assert_true(bls_glob("*-6.1.*", "debian-6.1.0-18-amd64.conf"));
	assert_true(bls_glob("**a**", "a"));
	assert_true(bls_glob("a*b*c", "aXbYbZc"));
	assert_false(bls_glob("a*b*c", "aXbYbZ"));
}

/* A pattern that makes naive recursion exponential finishes at once. */
static void test_glob_is_bounded(void **state)
{
	static char pat[300], s[300];

	for (int i = 0; i < 120; i++) {
		pat[2 * i] = '*';
		pat[2 * i + 1] = 'a';
	}
	strcpy(pat + 240, "b"); /* "*a*a...*ab": 120 a's, the last right before a b */
	memset(s, 'a', 250);
	s[250] = '\0';
	assert_false(bls_glob(pat, s)); /* no b */
	memset(s, 'a', 119);
	strcpy(s + 119, "b");
	assert_false(bls_glob(pat, s)); /* one a short */
	memset(s, 'a', 250);
	strcpy(s + 250, "b");
	assert_true(bls_glob(pat, s));
	strcpy(s + 120, "b");
	assert_true(bls_glob(pat, s)); /* exactly 120 */
}

static void test_set_bounds_and_bad_entries(void **state)
{
	static struct bls_set s;
	char name[32];

	bls_set_init(&s);
	/* A bad entry is not added. */
	assert_int_equal(bls_set_add(&s, "bad.conf", "title x\n", 8, NULL), BLS_NOT_BOOTABLE);
	assert_int_equal(bls_set_add(&s, "bad.txt", "linux /v\n", 9, NULL), BLS_BAD_NAME);
	assert_int_equal(s.n, 0);
	for (int i = 0; i < BLS_MAX_ENTRIES; i++) {
		snprintf(name, sizeof(name), "e-%d.conf", i);
		add(&s, name, "linux /v\n");
	}
	assert_int_equal(s.n, BLS_MAX_ENTRIES);
	const char *why = NULL;
	assert_int_equal(bls_set_add(&s, "one-more.conf", "linux /v\n", 9, &why), BLS_NO_ROOM);
	assert_string_equal(why, "no room: more than 64 entry files");
	assert_int_equal(s.n, BLS_MAX_ENTRIES);
	assert_int_equal(s.dropped, 1);
	bls_sort(&s);
	assert_string_equal(s.e[s.order[0]].name, "e-63.conf");
	assert_string_equal(s.e[s.order[63]].name, "e-0.conf");
}

static void test_result_strings(void **state)
{
	for (int r = BLS_OK; r <= BLS_NO_ROOM; r++)
		assert_string_not_equal(bls_result_str((enum bls_result)r), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_debian_entry_every_key),
	    cmocka_unit_test(test_line_rules),
	    cmocka_unit_test(test_later_single_key_replaces),
	    cmocka_unit_test(test_efi_only_entry_is_bootable),
	    cmocka_unit_test(test_no_linux_or_efi_is_not_bootable),
	    cmocka_unit_test(test_architecture),
	    cmocka_unit_test(test_file_size_limit),
	    cmocka_unit_test(test_value_bounds),
	    cmocka_unit_test(test_paths_must_be_printable_ascii),
	    cmocka_unit_test(test_nul_ends_text),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_boot_counting),
	    cmocka_unit_test(test_vercmp_matches_systemd),
	    cmocka_unit_test(test_sort_newest_kernel_first_by_name),
	    cmocka_unit_test(test_sort_key_machine_id_version),
	    cmocka_unit_test(test_sort_bad_entries_last_and_ties_by_name),
	    cmocka_unit_test(test_sort_is_independent_of_input_order),
	    cmocka_unit_test(test_default_glob),
	    cmocka_unit_test(test_loader_conf),
	    cmocka_unit_test(test_glob),
	    cmocka_unit_test(test_glob_is_bounded),
	    cmocka_unit_test(test_set_bounds_and_bad_entries),
	    cmocka_unit_test(test_result_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
