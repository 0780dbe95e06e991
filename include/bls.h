/* Boot Loader Specification type 1 entries (disk/bls.c), as the UAPI Group's
 * Boot Loader Specification defines them: loader/entries/<name>.conf files
 * and loader/loader.conf on an ESP. Pure: the text comes in as a buffer,
 * so host unit tests and the fuzz target run it unchanged.
 *
 * Every size is bounded: an entry file over BLS_FILE_MAX bytes is refused,
 * a set keeps at most BLS_MAX_ENTRIES entries, a path, an options line or
 * a list of initrds that does not fit its field makes the entry unbootable
 * (never cut: a cut path or command line would boot something else). Only
 * the title, which is only printed, is cut to fit. */
#ifndef WB_BLS_H
#define WB_BLS_H

#include <stdbool.h>
#include <stddef.h>

#define BLS_FILE_MAX	(16 * 1024) /* bytes of an entry file or loader.conf */
#define BLS_MAX_ENTRIES 64
#define BLS_MAX_INITRDS 8
#define BLS_NAME_LEN	256 /* a file name: the spec allows 255 characters */
#define BLS_PATH_LEN	256
#define BLS_OPTIONS_LEN 2048
#define BLS_TITLE_LEN	128
#define BLS_FIELD_LEN	128   /* version, machine-id, sort-key, architecture */
#define BLS_ARCH	"x64" /* UEFI's name for x86_64: the architecture key's value */

struct bls_entry {
	char name[BLS_NAME_LEN]; /* the file name, "debian-6.1.0-amd64.conf" */
	char title[BLS_TITLE_LEN];
	char version[BLS_FIELD_LEN];
	char machine_id[BLS_FIELD_LEN];
	char sort_key[BLS_FIELD_LEN];
	char kernel[BLS_PATH_LEN]; /* the linux key; "" when absent */
	char efi[BLS_PATH_LEN];	   /* "" when absent */
	char initrd[BLS_MAX_INITRDS][BLS_PATH_LEN];
	size_t n_initrds;
	char options[BLS_OPTIONS_LEN]; /* every options line, joined by one space */
	/* Boot counting (spec "Boot counting"): a name "x+LEFT[-DONE].conf".
	 * tries_left is -1 without a counter; 0 marks a "bad" entry. */
	int tries_left;
	int tries_done;
};

/* What bls_entry_parse found. */
enum bls_result {
	BLS_OK,
	BLS_NOT_BOOTABLE, /* neither a linux nor an efi line */
	BLS_OTHER_ARCH,	  /* architecture names another machine */
	BLS_TOO_LARGE,	  /* the file is over BLS_FILE_MAX bytes */
	BLS_BAD_VALUE,	  /* a value too long, too many initrds, a bad path */
	BLS_BAD_NAME,	  /* a file name that is not "<1-250 characters>.conf" */
	BLS_NO_ROOM,	  /* bls_set_add: the set holds BLS_MAX_ENTRIES already */
};

/* Parse one entry file named name (text, len bytes; a NUL ends the text).
 * Keys (spec "Type #1 Boot Loader Entry Keys"): title, version,
 * machine-id, sort-key, linux, efi, initrd (each line one more, in order),
 * options (lines joined by a space), architecture (compared with BLS_ARCH
 * ignoring case); devicetree, devicetree-overlay and unknown keys are
 * ignored. A line is "key<blanks>value": leading blanks skipped, '#' at
 * its start a comment, trailing blanks and a CR dropped, a value in double
 * quotes unquoted. A later title, version, ... replaces an earlier one.
 * BLS_OK for a bootable entry; otherwise *why (may be NULL) gets a short
 * reason ("no linux or efi line"). e is always left NUL-terminated. */
enum bls_result bls_entry_parse(struct bls_entry *e, const char *name, const char *text, size_t len,
				const char **why);

/* True for a name the entries directory may hold: ends in ".conf" (any
 * case), does not start with '.', at most BLS_NAME_LEN - 1 bytes, no
 * control characters. */
bool bls_name_ok(const char *name);

/* loader/loader.conf: the keys wireboot reads. */
struct bls_loader {
	char default_pattern[BLS_NAME_LEN]; /* "" when not set */
	char timeout[32];		    /* as written, "" when not set */
	bool pattern_cut;		    /* the default was longer than the field: not used */
};

/* Parse loader.conf (same line rules as an entry; every key but default
 * and timeout is ignored, a later one replaces an earlier one). */
void bls_loader_parse(struct bls_loader *l, const char *text, size_t len);

/* The entries of one partition, and their order. */
struct bls_set {
	struct bls_entry e[BLS_MAX_ENTRIES];
	size_t n;
	size_t order[BLS_MAX_ENTRIES]; /* indexes into e[], best first, after bls_sort */
	size_t dropped;		       /* entry files past BLS_MAX_ENTRIES, not read */
};

void bls_set_init(struct bls_set *s);

/* Parse an entry file into the set. BLS_OK when it was added; any other
 * result leaves the set as it was. With the set full the file is not
 * parsed: BLS_NO_ROOM, counted in dropped. */
enum bls_result bls_set_add(struct bls_set *s, const char *name, const char *text, size_t len,
			    const char **why);

/* Order the set (spec "Sorting"): entries marked bad by boot counting
 * last; then, when both have a sort-key, by sort-key (strcmp order),
 * machine-id (strcmp order, an empty one first) and version (newest
 * first, bls_vercmp); an entry with a sort-key before one without; then
 * by file name without ".conf", newest version first (bls_vercmp); then
 * plain strcmp of the names, so the order never depends on the input's. */
void bls_sort(struct bls_set *s);

/* Position in s->order of the entry to boot: the first entry, in sorted
 * order, whose file name matches loader.conf's default glob (l may be
 * NULL; matched with and without ".conf", ignoring case, bls_glob), else
 * 0 (the first after sorting). -1 for an empty set. */
int bls_default(const struct bls_set *s, const struct bls_loader *l);

/* UAPI Version Format Specification comparison, as systemd implements it
 * (systemd-analyze compare-versions): <0, 0 or >0 as a sorts before,
 * with, or after b. NULL counts as "". */
int bls_vercmp(const char *a, const char *b);

/* fnmatch-style glob: '*', '?', "[abc]", "[a-z]", "[!x]" (or '^'), '\'
 * escapes; ASCII letters match either case. Linear memory, at most
 * strlen(pat) * strlen(s) steps. */
bool bls_glob(const char *pat, const char *s);

/* A message for a result: "ok", "no linux or efi line", ... */
const char *bls_result_str(enum bls_result r);

#endif
