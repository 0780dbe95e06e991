/* Host tests for platform/config.c: the key=value settings parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <config.h>

#define MMIO "virtio_mmio.device"

/* Parse a string literal (embedded NULs included) from an exactly sized
 * heap copy, so ASan catches a read past len. */
#define PARSE(c, lit, src) parse_exact((c), (lit), sizeof(lit) - 1, (src))

static size_t parse_exact(struct config *c, const char *text, size_t len, enum config_source src)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	size_t n = config_parse(c, copy, len, src);
	/* The config keeps its own copies: scribbling on the input is harmless. */
	memset(copy, '!', len);
	free(copy);
	return n;
}

static void assert_problems(const struct config *c, const char *const *want, size_t n,
			    enum config_source src)
{
	assert_int_equal(c->n_problems, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(c->problem[i], want[i]);
		assert_int_equal(c->problem_src[i], src);
	}
}

static void test_empty_input_sets_nothing(void **state)
{
	struct config c;

	config_init(&c);
	assert_int_equal(config_parse(&c, NULL, 0, CONFIG_SRC_CMDLINE), 0);
	assert_int_equal(PARSE(&c, "", CONFIG_SRC_CMDLINE), 0);
	assert_int_equal(PARSE(&c, " \t\r\n\v\f ", CONFIG_SRC_CMDLINE), 0);
	assert_int_equal(PARSE(&c, "# only a comment", CONFIG_SRC_FW_CFG), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.n_problems + c.more_problems, 0);
	assert_null(config_get(&c, "log"));
	assert_null(config_get_nth(&c, MMIO, 0));
}

static void test_later_value_of_single_key_replaces_earlier(void **state)
{
	struct config c;

	config_init(&c);
	assert_int_equal(PARSE(&c, "log=debug log=info\tlog=warn", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "warn");
	assert_int_equal(c.n, 1);
	assert_string_equal(config_get_nth(&c, "log", 0), "warn");
	assert_null(config_get_nth(&c, "log", 1));
}

static void test_fw_cfg_parsed_after_cmdline_wins(void **state)
{
	struct config c;

	config_init(&c);
	assert_int_equal(PARSE(&c, "log=debug " MMIO "=4K@0xd0000000:5", CONFIG_SRC_CMDLINE), 0);
	assert_int_equal(config_source_of(&c, "log"), CONFIG_SRC_CMDLINE);
	assert_int_equal(PARSE(&c, "log=trace\n", CONFIG_SRC_FW_CFG), 0);
	assert_string_equal(config_get(&c, "log"), "trace");
	assert_int_equal(config_source_of(&c, "log"), CONFIG_SRC_FW_CFG);
	assert_int_equal(config_source_of(&c, MMIO), CONFIG_SRC_CMDLINE);
	assert_string_equal(config_source_name(CONFIG_SRC_CMDLINE), "command line");
	assert_string_equal(config_source_name(CONFIG_SRC_FW_CFG), "fw_cfg opt/wireboot/config");
}

static void test_multi_key_keeps_every_value_in_order(void **state)
{
	struct config c;

	config_init(&c);
	assert_int_equal(
	    PARSE(&c, MMIO "=4K@0xd0000000:5 log=x " MMIO "=4K@0xd0001000:6", CONFIG_SRC_CMDLINE),
	    0);
	assert_int_equal(PARSE(&c, MMIO "=512@0xd0002000:7", CONFIG_SRC_FW_CFG), 0);
	assert_string_equal(config_get_nth(&c, MMIO, 0), "4K@0xd0000000:5");
	assert_string_equal(config_get_nth(&c, MMIO, 1), "4K@0xd0001000:6");
	assert_string_equal(config_get_nth(&c, MMIO, 2), "512@0xd0002000:7");
	assert_null(config_get_nth(&c, MMIO, 3));
	assert_string_equal(config_get(&c, MMIO), "512@0xd0002000:7");
	assert_int_equal(config_source_of(&c, MMIO), CONFIG_SRC_FW_CFG);
	assert_string_equal(config_get(&c, "log"), "x");
	/* A key is the whole name, not a prefix. */
	assert_null(config_get(&c, "virtio_mmio"));
	assert_null(config_get_nth(&c, "virtio_mmio", 0));
}

static void test_unknown_keys_and_bare_tokens_are_problems(void **state)
{
	static const char *const cmd_problems[] = {"foo=1", "bare", "=v", "log", "LOG=x", "logx=1"};
	static const char *const fw_problems[] = {"nope=\"a b\""};
	struct config c;

	config_init(&c);
	assert_int_equal(PARSE(&c, "foo=1 log=ok bare =v log LOG=x logx=1", CONFIG_SRC_CMDLINE), 6);
	assert_problems(&c, cmd_problems, 6, CONFIG_SRC_CMDLINE);
	assert_string_equal(config_get(&c, "log"), "ok");
	assert_null(config_get(&c, "foo"));

	config_init(&c);
	assert_int_equal(PARSE(&c, "nope=\"a b\" log=y", CONFIG_SRC_FW_CFG), 1);
	assert_problems(&c, fw_problems, 1, CONFIG_SRC_FW_CFG);
	assert_string_equal(config_get(&c, "log"), "y");
	assert_int_equal(c.more_problems, 0);
}

static void test_hash_comments_out_the_rest_of_its_line(void **state)
{
	struct config c;

	config_init(&c);
	assert_int_equal(PARSE(&c,
			       "# wireboot settings\n"
			       "log=a # log=b " MMIO "=1@2:3 junk\n"
			       "  #indented comment log=d\n"
			       "log=c\n"
			       "#last line without newline log=e",
			       CONFIG_SRC_FW_CFG),
			 0);
	assert_string_equal(config_get(&c, "log"), "c");
	assert_null(config_get(&c, MMIO));
	/* Only at the start of a token. */
	config_init(&c);
	assert_int_equal(PARSE(&c, "log=a#b", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "a#b");
}

static void test_quoted_values_hold_spaces(void **state)
{
	struct config c;

	config_init(&c);
	assert_int_equal(PARSE(&c, "log=\"a b\" " MMIO "=\"x\ty z\"", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "a b");
	assert_string_equal(config_get(&c, MMIO), "x\ty z");
	assert_int_equal(PARSE(&c, "log=\"\"", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "");
	assert_int_equal(PARSE(&c, "log=\"# not a comment\"", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "# not a comment");
	/* An unterminated quote runs to the end of the input. */
	assert_int_equal(PARSE(&c, "log=\"abc def", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "abc def");
	assert_int_equal(c.n_problems, 0);
}

static void test_empty_value_is_an_empty_string(void **state)
{
	struct config c;

	config_init(&c);
	assert_int_equal(PARSE(&c, "log=", CONFIG_SRC_CMDLINE), 0);
	assert_non_null(config_get(&c, "log"));
	assert_string_equal(config_get(&c, "log"), "");
	/* Everything after the first '=' is the value. */
	assert_int_equal(PARSE(&c, "log=a=b", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "a=b");
}

static void test_entry_table_overflow_is_a_problem(void **state)
{
	struct config c;
	char text[CONFIG_MAX_ENTRIES * 32 + 64];
	size_t len = 0;

	config_init(&c);
	for (int i = 0; i <= CONFIG_MAX_ENTRIES; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, MMIO "=%d ", i);
	assert_int_equal(parse_exact(&c, text, len, CONFIG_SRC_CMDLINE), 1);
	assert_int_equal(c.n, CONFIG_MAX_ENTRIES);
	assert_string_equal(config_get_nth(&c, MMIO, 0), "0");
	assert_string_equal(config_get_nth(&c, MMIO, CONFIG_MAX_ENTRIES - 1), "47");
	assert_null(config_get_nth(&c, MMIO, CONFIG_MAX_ENTRIES));
	assert_int_equal(c.n_problems, 1);
	assert_string_equal(c.problem[0], MMIO "=48");
	assert_int_equal(PARSE(&c, "log=a", CONFIG_SRC_CMDLINE), 1); /* no entry for a new key */
	assert_null(config_get(&c, "log"));
}

static void test_store_overflow_is_counted(void **state)
{
	struct config c;
	static char text[8 * 1024];
	size_t len = 0, before;

	config_init(&c);
	/* Five values of 1000 bytes: four fit in the 4 KiB store. */
	for (int i = 0; i < 5; i++) {
		len += (size_t)snprintf(text + len, sizeof(text) - len, "log=");
		memset(text + len, 'a' + i, 1000);
		len += 1000;
		text[len++] = ' ';
	}
	before = c.n_problems + c.more_problems;
	size_t n = parse_exact(&c, text, len, CONFIG_SRC_CMDLINE);
	assert_true(n >= 1);
	assert_int_equal(c.n_problems + c.more_problems - before, n);
	assert_true(c.used <= CONFIG_STORE);
	const char *log = config_get(&c, "log");
	assert_non_null(log);
	assert_int_equal(strlen(log), 1000);
	assert_int_equal(log[0], 'd'); /* the last value that fit */
	/* Once nothing fits, every further problem is still counted. */
	size_t total = c.n_problems + c.more_problems;
	assert_int_equal(
	    PARSE(&c,
		  "log=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
		  "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz "
		  "unknown1 unknown2",
		  CONFIG_SRC_CMDLINE),
	    3);
	assert_int_equal(c.n_problems + c.more_problems, total + 3);
	assert_true(c.used <= CONFIG_STORE);
	assert_int_equal(config_get(&c, "log")[0], 'd');
	for (size_t i = 0; i < c.n_problems; i++)
		assert_true(strlen(c.problem[i]) <= 64);
}

static void test_problem_overflow_is_counted_in_more_problems(void **state)
{
	struct config c;

	config_init(&c);
	assert_int_equal(PARSE(&c, "u0 u1 u2 u3 u4 u5 u6 u7 u8 u9 u10 u11", CONFIG_SRC_CMDLINE),
			 12);
	assert_int_equal(c.n_problems, CONFIG_MAX_PROBLEMS);
	assert_int_equal(c.more_problems, 12 - CONFIG_MAX_PROBLEMS);
	for (int i = 0; i < CONFIG_MAX_PROBLEMS; i++) {
		char want[16];
		snprintf(want, sizeof(want), "u%d", i);
		assert_string_equal(c.problem[i], want);
	}
	assert_int_equal(PARSE(&c, "more log=fine", CONFIG_SRC_FW_CFG), 1);
	assert_int_equal(c.more_problems, 12 - CONFIG_MAX_PROBLEMS + 1);
	assert_string_equal(config_get(&c, "log"), "fine");
}

static void test_long_problem_token_is_shortened(void **state)
{
	struct config c;
	char text[200];

	memset(text, 'k', 150);
	memcpy(text + 150, "=value", 6);
	config_init(&c);
	assert_int_equal(parse_exact(&c, text, 156, CONFIG_SRC_CMDLINE), 1);
	assert_int_equal(strlen(c.problem[0]), 64);
	assert_memory_equal(c.problem[0], text, 64);
}

static void test_embedded_nul_stops_parsing(void **state)
{
	struct config c;

	config_init(&c);
	assert_int_equal(PARSE(&c, "log=a\0log=b", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "a");

	config_init(&c);
	assert_int_equal(PARSE(&c, "log=ab\0cd log=x", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "ab");

	config_init(&c);
	assert_int_equal(PARSE(&c, "log=\"a\0b\" log=x", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "a");

	config_init(&c);
	assert_int_equal(PARSE(&c, "log=a \0 bogus log=x", CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "a");

	config_init(&c);
	assert_int_equal(PARSE(&c, "\0log=x", CONFIG_SRC_CMDLINE), 0);
	assert_null(config_get(&c, "log"));
}

/* Was a bug: platform/config.c config_parse() skips a '#' comment up to the next
 * '\n' without stopping at a NUL, so "# c\0\nlog=evil" sets log to "evil"
 * although parsing should have stopped at the NUL (fw_cfg and command-line
 * buffers end at their first NUL). Fixed; kept as a regression test. */
static void test_embedded_nul_in_a_comment_stops_parsing(void **state)
{
	struct config c;

	config_init(&c);
	assert_int_equal(PARSE(&c, "# c\0\nlog=evil", CONFIG_SRC_CMDLINE), 0);
	assert_null(config_get(&c, "log"));
}

static void test_reads_stay_within_len(void **state)
{
	struct config c;

	/* Each input ends mid-construct; the exact-size copy makes ASan check. */
	config_init(&c);
	PARSE(&c, "log=", CONFIG_SRC_CMDLINE);
	PARSE(&c, "log=\"", CONFIG_SRC_CMDLINE);
	PARSE(&c, "log=\"x", CONFIG_SRC_CMDLINE);
	PARSE(&c, "#", CONFIG_SRC_CMDLINE);
	PARSE(&c, "=", CONFIG_SRC_CMDLINE);
	PARSE(&c, "a", CONFIG_SRC_CMDLINE);
	PARSE(&c, " ", CONFIG_SRC_CMDLINE);
	/* A length shorter than the string: the rest is not input. */
	assert_int_equal(config_parse(&c, "log=abcdef", 6, CONFIG_SRC_CMDLINE), 0);
	assert_string_equal(config_get(&c, "log"), "ab");
}

/* Parse "boot_order=<v>" into a fresh config and run config_boot_order. */
static size_t order_of(const char *v, enum boot_step order[BOOT_STEPS])
{
	static struct config c;
	char line[128];

	config_init(&c);
	snprintf(line, sizeof(line), "boot_order=%s", v);
	assert_int_equal(parse_exact(&c, line, strlen(line), CONFIG_SRC_CMDLINE), 0);
	return config_boot_order(&c, order);
}

static void test_boot_order_default_is_net_then_disk(void **state)
{
	struct config c;
	enum boot_step o[BOOT_STEPS];

	config_init(&c);
	assert_int_equal(config_boot_order(&c, o), 2);
	assert_int_equal(o[0], BOOT_STEP_NET);
	assert_int_equal(o[1], BOOT_STEP_DISK);
	assert_string_equal(config_boot_step_name(o[0]), "net");
	assert_string_equal(config_boot_step_name(o[1]), "disk");
}

static void test_boot_order_values(void **state)
{
	enum boot_step o[BOOT_STEPS];

	assert_int_equal(order_of("disk", o), 1);
	assert_int_equal(o[0], BOOT_STEP_DISK);
	assert_int_equal(order_of("net", o), 1);
	assert_int_equal(o[0], BOOT_STEP_NET);
	assert_int_equal(order_of("disk,net", o), 2);
	assert_int_equal(o[0], BOOT_STEP_DISK);
	assert_int_equal(o[1], BOOT_STEP_NET);
	assert_int_equal(order_of("net,disk", o), 2);
	assert_int_equal(o[0], BOOT_STEP_NET);
	assert_int_equal(o[1], BOOT_STEP_DISK);
}

static void test_boot_order_bad_values_give_zero(void **state)
{
	static const char *const bad[] = {
		"",	     ",",	 "net,",     ",disk",	  "net,,disk", "disk,disk",
		"net,net",   "net,disk,net", "NET",	     "nets",	  "ne",	       "disk net",
		"network",   "pxe",	 "disk,usb", "net;disk",
	};
	enum boot_step o[BOOT_STEPS];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		static struct config c;
		config_init(&c);
		/* A space needs quotes to get into the value at all. */
		if (!strcmp(bad[i], "disk net")) {
			assert_int_equal(PARSE(&c, "boot_order=\"disk net\"", CONFIG_SRC_FW_CFG), 0);
			assert_int_equal(config_boot_order(&c, o), 0);
			continue;
		}
		assert_int_equal(order_of(bad[i], o), 0);
	}
}

static void test_boot_order_later_setting_wins(void **state)
{
	struct config c;
	enum boot_step o[BOOT_STEPS];

	config_init(&c);
	PARSE(&c, "boot_order=net link_timeout=5 dhcp_timeout=4", CONFIG_SRC_CMDLINE);
	PARSE(&c, "boot_order=disk", CONFIG_SRC_FW_CFG);
	assert_int_equal(c.n_problems, 0);
	assert_int_equal(config_boot_order(&c, o), 1);
	assert_int_equal(o[0], BOOT_STEP_DISK);
	assert_string_equal(config_get(&c, "link_timeout"), "5");
	assert_string_equal(config_get(&c, "dhcp_timeout"), "4");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_input_sets_nothing),
	    cmocka_unit_test(test_later_value_of_single_key_replaces_earlier),
	    cmocka_unit_test(test_fw_cfg_parsed_after_cmdline_wins),
	    cmocka_unit_test(test_multi_key_keeps_every_value_in_order),
	    cmocka_unit_test(test_unknown_keys_and_bare_tokens_are_problems),
	    cmocka_unit_test(test_hash_comments_out_the_rest_of_its_line),
	    cmocka_unit_test(test_quoted_values_hold_spaces),
	    cmocka_unit_test(test_empty_value_is_an_empty_string),
	    cmocka_unit_test(test_entry_table_overflow_is_a_problem),
	    cmocka_unit_test(test_store_overflow_is_counted),
	    cmocka_unit_test(test_problem_overflow_is_counted_in_more_problems),
	    cmocka_unit_test(test_long_problem_token_is_shortened),
	    cmocka_unit_test(test_embedded_nul_stops_parsing),
	    cmocka_unit_test(test_embedded_nul_in_a_comment_stops_parsing),
	    cmocka_unit_test(test_reads_stay_within_len),
	    cmocka_unit_test(test_boot_order_default_is_net_then_disk),
	    cmocka_unit_test(test_boot_order_values),
	    cmocka_unit_test(test_boot_order_bad_values_give_zero),
	    cmocka_unit_test(test_boot_order_later_setting_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
