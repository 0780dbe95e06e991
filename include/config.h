/* Settings without rebuilding (platform/config.c): key=value pairs from the
 * PVH command line and the fw_cfg file opt/wireboot/config, the file parsed
 * last so it wins. Pure parser, host-tested. docs/config.md lists every key. */
#ifndef WB_CONFIG_H
#define WB_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_ENTRIES 48
#define CONFIG_STORE 4096
#define CONFIG_MAX_PROBLEMS 8

enum config_source { CONFIG_SRC_CMDLINE, CONFIG_SRC_FW_CFG };

struct config_entry {
	const char *key;
	const char *value;
	enum config_source source;
};

struct config {
	struct config_entry e[CONFIG_MAX_ENTRIES];
	size_t n;
	char store[CONFIG_STORE];
	size_t used;
	/* Tokens that were not taken: unknown keys, tokens without '=', or
	 * overflow. Each is "token" as written (possibly shortened). */
	const char *problem[CONFIG_MAX_PROBLEMS];
	enum config_source problem_src[CONFIG_MAX_PROBLEMS];
	size_t n_problems;   /* stored in problem[] */
	size_t more_problems; /* not stored: problem[] was full */
};

void config_init(struct config *c);

/* Parse whitespace-separated key=value tokens. '#' at the start of a token
 * comments out the rest of its line; a value may be "double quoted" to hold
 * spaces. A later value of a single-valued key replaces the earlier one.
 * Returns the number of new problems. */
size_t config_parse(struct config *c, const char *text, size_t len, enum config_source src);

/* The value of key (the last one given), or NULL. */
const char *config_get(const struct config *c, const char *key);

/* The n-th value of a multi-valued key, or NULL. */
const char *config_get_nth(const struct config *c, const char *key, size_t n);

/* Where a key's value came from (only meaningful if config_get != NULL). */
enum config_source config_source_of(const struct config *c, const char *key);

const char *config_source_name(enum config_source src);

/* What the boot manager tries, in boot_order's order. */
enum boot_step { BOOT_STEP_NET, BOOT_STEP_DISK };
#define BOOT_STEPS 2

/* boot_order: fills order[] and returns how many steps (1 or 2); unset
 * gives net,disk. 0 when the value is not a comma-separated list of "net"
 * and "disk", each at most once; order[] is then undefined. */
size_t config_boot_order(const struct config *c, enum boot_step order[BOOT_STEPS]);

/* "net" or "disk", as boot_order spells it. */
const char *config_boot_step_name(enum boot_step s);

#endif
