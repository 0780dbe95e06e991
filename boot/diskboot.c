/* Disk boot: every file system the disk layer put EFI_SIMPLE_FILE_SYSTEM
 * on (EFI System Partitions first), in turn:
 *
 *   \loader\entries\*.conf  Boot Loader Specification type 1 entries
 *                           (disk/bls.c): the default (loader.conf's
 *                           glob, else the first after the spec's sort),
 *                           then the others in order; a linux entry goes
 *                           through the payload table as a network boot's
 *                           kernel does, an efi entry runs as an EFI
 *                           program from <partition>/File(path)
 *   \EFI\BOOT\BOOTX64.EFI   the removable-media boot program (UEFI 2.10
 *                           s.3.5.1.1), with the partition as its device
 *
 * Files are read through EFI_FILE_PROTOCOL (GetInfo for the size, then
 * Read into pages of loader data), so any file system driver works. */
#include <string.h>
#include <bls.h>
#include <disk.h>
#include <diskboot.h>
#include <efi_devpath.h>
#include <efi_file.h>
#include <efi_handle.h>
#include <efi_run.h>
#include <efi_status.h>
#include <fetch.h>
#include <format.h>
#include <linux.h>
#include <log.h>
#include <payload.h>
#include <sysmem.h>

#define DISKBOOT_MAX_DIR_READS 4096 /* directory entries looked at, per directory */
#define DISKBOOT_INFO_MAX      4096 /* bytes of one EFI_FILE_INFO we accept */
#define DISKBOOT_BOOT_FILE     "\\EFI\\BOOT\\BOOTX64.EFI"

static const EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
static const EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
/* linux_boot=efi for this run (diskboot_run). */
static bool linux_efi;
/* UEFI 2.10 s.13.18 EFI_PARTITION_INFO_PROTOCOL (not in gnu-efi's headers). */
static const EFI_GUID part_info_guid = {
    0x8cf2f62c, 0xbc9b, 0x4821, {0x80, 0x8d, 0xec, 0x9e, 0xc4, 0x21, 0xa1, 0xa0}};
static const EFI_GUID esp_type_guid = {
    0xc12a7328, 0xf81f, 0x11d2, {0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b}};

/* One file system being tried. */
struct volume {
	EFI_HANDLE handle;
	EFI_DEVICE_PATH *dp; /* the partition's device path */
	EFI_FILE_HANDLE root;
	char name[40]; /* "disk0 part1" */
};

/* The last HD node of a valid path, or NULL. */
static const uint8_t *hd_node(const EFI_DEVICE_PATH *dp)
{
	size_t size = efi_devpath_size(dp, EFI_DEVPATH_LIMIT);
	const uint8_t *p = (const uint8_t *)dp, *hd = NULL;

	if (!size)
		return NULL;
	for (size_t at = 0; at + 4 <= size;) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)(p + at);
		if (efi_dp_is_end(n))
			break;
		if (efi_dp_type(n) == MEDIA_DEVICE_PATH &&
		    efi_dp_subtype(n) == MEDIA_HARDDRIVE_DP && efi_dp_node_len(n) >= EFI_DP_LEN_HD)
			hd = p + at;
		at += efi_dp_node_len(n);
	}
	return hd;
}

/* "diskN partM": N the disk (disk_handle) whose device path leads to the
 * partition's HD node, M that node's partition number; "diskN" for a
 * file system on a whole disk; "fsK" when the path names no disk of ours. */
static void volume_name(struct volume *v, size_t k)
{
	const uint8_t *hd = hd_node(v->dp);
	size_t prefix =
	    hd ? (size_t)(hd - (const uint8_t *)v->dp) : efi_devpath_instance_size(v->dp);

	format_buf(v->name, sizeof(v->name), "fs%zu", k);
	for (size_t i = 0; i < disk_count(); i++) {
		EFI_DEVICE_PATH *d = efi_protocol_find(disk_handle(i), &dp_guid);
		if (!d || !efi_devpath_valid(d, EFI_DEVPATH_LIMIT) ||
		    efi_devpath_instance_size(d) != prefix || memcmp(d, v->dp, prefix))
			continue;
		if (!hd) {
			format_buf(v->name, sizeof(v->name), "disk%zu", i);
			return;
		}
		uint32_t part = (uint32_t)hd[4] | (uint32_t)hd[5] << 8 | (uint32_t)hd[6] << 16 |
				(uint32_t)hd[7] << 24;
		format_buf(v->name, sizeof(v->name), "disk%zu part%u", i, part);
		return;
	}
}

/* An EFI System Partition by EFI_PARTITION_INFO_PROTOCOL (UEFI 2.10
 * s.13.18: System set, a GPT type of c12a7328-..., or MBR type 0xEF).
 * Without the protocol nobody can tell: not counted as one. */
static bool is_esp(EFI_HANDLE h)
{
	const uint8_t *pi = efi_protocol_find(h, &part_info_guid);

	if (!pi)
		return false;
	uint32_t type = (uint32_t)pi[4] | (uint32_t)pi[5] << 8;
	if (pi[8] == 1)
		return true;
	if (type == 2 && !memcmp(pi + 16, &esp_type_guid, sizeof(esp_type_guid)))
		return true;
	return type == 1 && pi[16 + 4] == 0xef;
}

/* path ("/a/b", "a//b", "\a") as an absolute EFI path "\a\b" in out;
 * false when it does not fit. */
static bool efi_path(const char *path, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *p = path;; p++) {
		bool sep = *p == '/' || *p == '\\';
		if (sep && o && out[o - 1] == '\\')
			continue;
		if (!*p)
			break;
		if (o + 2 >= cap)
			return false;
		if (!o && !sep)
			out[o++] = '\\';
		out[o++] = sep ? '\\' : *p;
	}
	if (!o)
		out[o++] = '\\';
	out[o] = '\0';
	return true;
}

static void ucs2(const char *s, CHAR16 *out, size_t cap)
{
	size_t i = 0;

	for (; s[i] && i + 1 < cap; i++)
		out[i] = (unsigned char)s[i];
	out[i] = 0;
}

/* A failure in out->reason (and out->err), as the fetch layer reports. */
static int read_fail(struct fetched *out, enum fetch_err err, const char *why, EFI_STATUS st)
{
	out->err = err;
	if (st)
		format_buf(out->reason, sizeof(out->reason), "%s (%s)", why, efi_status_str(st));
	else
		format_buf(out->reason, sizeof(out->reason), "%s", why);
	return -1;
}

/* Read the file at path (an EFI path, "\a\b") on v into pages of loader
 * data, as a struct fetched (where = "disk0 part1:\a\b"). At most max
 * bytes. 0, or -1 with out->reason set and nothing kept. */
static int file_read(const struct volume *v, const char *path, uint64_t max, struct fetched *out)
{
	static CHAR16 wpath[BLS_NAME_LEN + 32];
	EFI_FILE_HANDLE f;
	EFI_STATUS st;

	memset(out, 0, sizeof(*out));
	out->scheme = "disk";
	format_buf(out->where, sizeof(out->where), "%s:%s", v->name, path);
	if (strlen(path) >= sizeof(wpath) / sizeof(wpath[0]))
		return read_fail(out, FETCH_OTHER, "path too long", 0);
	ucs2(path, wpath, sizeof(wpath) / sizeof(wpath[0]));
	st = v->root->Open(v->root, &f, wpath, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return read_fail(out, st == EFI_NOT_FOUND ? FETCH_NOT_FOUND : FETCH_OTHER,
				 st == EFI_NOT_FOUND ? "not found" : "cannot open",
				 st == EFI_NOT_FOUND ? 0 : st);
	uint8_t *buf;
	uint64_t size, pages;
	st = efi_file_read_all(f, MEM_LOADER_DATA, max, &buf, &size, &pages);
	f->Close(f);
	switch (st) {
	case EFI_SUCCESS:
		break;
	case EFI_ACCESS_DENIED:
		return read_fail(out, FETCH_OTHER, "a directory, not a file", 0);
	case EFI_BAD_BUFFER_SIZE: {
		char why[96];
		format_buf(why, sizeof(why), "larger than the %llu bytes there is room for",
			   (unsigned long long)max);
		return read_fail(out, FETCH_TOO_LARGE, why, 0);
	}
	case EFI_OUT_OF_RESOURCES:
		return read_fail(out, FETCH_TOO_LARGE, "no memory for it", 0);
	case EFI_VOLUME_CORRUPTED:
		return read_fail(out, FETCH_OTHER, "shorter than its directory entry says", 0);
	default:
		return read_fail(out, FETCH_OTHER, "read failed", st);
	}
	out->data = buf;
	out->size = size;
	out->pages = pages;
	return 0;
}

/* The biggest kernel or initrd worth reading: what memory holds, less what
 * the OS needs to start. */
static uint64_t payload_max(void)
{
	return sysmem_largest_free(SYSMEM_KEEP_FOR_OS);
}

/* Run an EFI program read from v at path (an EFI path) with
 * <partition>/File(path) as its device path, so its LoadedImage's
 * DeviceHandle is the partition (systemd-boot and GRUB find their ESP
 * that way). Initrds are offered through LoadFile2. Returns when the
 * program could not start or returned. */
static void run_efi(const struct volume *v, const char *path, const struct fetched *f,
		    const char *cmdline, const struct fetched *initrds, size_t n)
{
	struct efi_dp_builder b;
	uint8_t *joined = NULL;
	uint64_t joined_size = 0;

	efi_dp_init(&b, NULL, 0);
	efi_dp_add_path(&b, v->dp);
	efi_dp_add_file(&b, path);
	EFI_DEVICE_PATH *dp = efi_dp_finish(&b);
	if (!dp) {
		log_error("disk: %s: no memory for the device path of %s", v->name, path);
		return;
	}
	struct efi_run r = {
	    .name = f->where,
	    .data = f->data,
	    .size = f->size,
	    .device_path = dp,
	    .cmdline = cmdline,
	};
	if (n == 1) {
		r.initrd = initrds[0].data;
		r.initrd_size = initrds[0].size;
	} else if (n > 1) {
		joined = linux_initrd_concat(initrds, n, 0, &joined_size);
		if (!joined) {
			log_error("disk: %s: no memory to join %zu initrds", f->where, n);
			sysmem_free(dp);
			return;
		}
		r.initrd = joined;
		r.initrd_size = joined_size;
	}
	efi_run_image(&r);
	if (joined)
		memmap_free(&sys_memmap, (uintptr_t)joined,
			    memmap_pages(joined_size ? joined_size : 1));
	sysmem_free(dp); /* LoadImage kept its own copies */
}

/* Read an entry's files and boot it; returns when it did not boot, with
 * everything it read given back and one line saying why. */
static void boot_entry(const struct volume *v, const struct bls_entry *e)
{
	char path[BLS_PATH_LEN + 2], rd_path[BLS_PATH_LEN + 2];
	struct fetched k, rd[BLS_MAX_INITRDS];
	size_t n = 0;
	bool is_linux = e->kernel[0] != '\0';

	/* Paths from bls.c fit BLS_PATH_LEN, so efi_path's "\\" more fits too. */
	efi_path(is_linux ? e->kernel : e->efi, path, sizeof(path));
	if (file_read(v, path, payload_max(), &k)) {
		log_error("disk: %s: %s; entry '%s' skipped", k.where, k.reason, e->name);
		return;
	}
	for (; n < e->n_initrds; n++) {
		efi_path(e->initrd[n], rd_path, sizeof(rd_path));
		if (file_read(v, rd_path, payload_max(), &rd[n])) {
			log_error("disk: %s: initrd: %s; entry '%s' skipped", rd[n].where,
				  rd[n].reason, e->name);
			goto out;
		}
	}
	const struct payload_kind *kind = payload_detect(&k);
	if (kind->type == PAYLOAD_CONFIG || (!is_linux && kind->type != PAYLOAD_EFI)) {
		log_error("disk: %s is %s; entry '%s' skipped", k.where,
			  is_linux ? "neither a Linux kernel nor an EFI program"
				   : "not an EFI program (no PE/COFF header)",
			  e->name);
		goto out;
	}
	log_info("disk: %s: entry '%s': %s %s, %zu initrd%s%s%s%s", v->name, e->name, kind->name,
		 path, n, n == 1 ? "" : "s", e->options[0] ? ", options '" : "", e->options,
		 e->options[0] ? "'" : "");
	if (kind->type == PAYLOAD_BZIMAGE) {
		/* The network boot's path for a kernel: the payload table's
		 * Linux row (boot protocol), with the entry's files. */
		static struct boot_env env;
		struct payload_args a = {e->options, rd, n};
		memset(&env, 0, sizeof(env));
		env.linux_efi = linux_efi;
		kind->boot(&env, k.where, &k, &a);
	} else {
		run_efi(v, path, &k, e->options, rd, n);
	}
out:
	fetched_free(&k);
	for (size_t i = 0; i < n; i++)
		fetched_free(&rd[i]);
}

/* loader/loader.conf, when there is one. */
static void read_loader_conf(const struct volume *v, struct bls_loader *l)
{
	struct fetched f;

	memset(l, 0, sizeof(*l));
	if (file_read(v, "\\loader\\loader.conf", BLS_FILE_MAX, &f)) {
		if (f.err != FETCH_NOT_FOUND)
			log_warn("disk: %s: %s; ignored", f.where, f.reason);
		return;
	}
	bls_loader_parse(l, (const char *)f.data, f.size);
	fetched_free(&f);
	if (l->pattern_cut)
		log_warn("disk: %s: loader.conf: default is longer than %d bytes; ignored", v->name,
			 BLS_NAME_LEN - 1);
	if (l->timeout[0])
		log_info("disk: %s: loader.conf: timeout %s ignored (no menu: the default boots at "
			 "once)",
			 v->name, l->timeout);
}

/* One directory entry's name as ASCII; false for a name we cannot use. */
static bool entry_name(const EFI_FILE_INFO *info, size_t size, char *out, size_t cap)
{
	size_t max = (size - SIZE_OF_EFI_FILE_INFO) / sizeof(CHAR16), i = 0;

	for (; i < max && info->FileName[i]; i++) {
		CHAR16 c = info->FileName[i];
		if (i + 1 >= cap || c < 0x20 || c > 0x7e)
			return false;
		out[i] = (char)c;
	}
	out[i] = '\0';
	return i < max; /* a name without its NUL inside the entry: refused */
}

/* Every \loader\entries\<name>.conf into s. */
static void read_entries(const struct volume *v, struct bls_set *s)
{
	static CHAR16 dir_path[sizeof("\\loader\\entries")];
	char name[BLS_NAME_LEN], path[BLS_NAME_LEN + 20];
	UINTN cap = SIZE_OF_EFI_FILE_INFO + 512;
	EFI_FILE_INFO *info;
	EFI_FILE_HANDLE dir;

	ucs2("\\loader\\entries", dir_path, sizeof(dir_path) / sizeof(dir_path[0]));
	EFI_STATUS st = v->root->Open(v->root, &dir, dir_path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st)) {
		if (st != EFI_NOT_FOUND)
			log_warn("disk: %s: cannot open \\loader\\entries (%s)", v->name,
				 efi_status_str(st));
		return;
	}
	info = efi_file_info(dir, &st);
	if (!info || !(info->Attribute & EFI_FILE_DIRECTORY)) {
		if (info)
			sysmem_free(info);
		log_warn("disk: %s: \\loader\\entries is not a directory", v->name);
		dir->Close(dir);
		return;
	}
	sysmem_free(info);
	info = sysmem_zalloc(cap);
	for (int reads = 0; info && reads < DISKBOOT_MAX_DIR_READS; reads++) {
		UINTN size = cap;
		st = dir->Read(dir, &size, info);
		if (st == EFI_BUFFER_TOO_SMALL && size > cap && size <= DISKBOOT_INFO_MAX) {
			sysmem_free(info);
			cap = size;
			info = sysmem_zalloc(cap);
			continue;
		}
		if (EFI_ERROR(st)) {
			log_warn("disk: %s: reading \\loader\\entries stopped (%s)", v->name,
				 efi_status_str(st));
			break;
		}
		if (!size)
			break; /* the end of the directory */
		if (size < SIZE_OF_EFI_FILE_INFO + sizeof(CHAR16) || size > cap ||
		    (info->Attribute & EFI_FILE_DIRECTORY) ||
		    !entry_name(info, size, name, sizeof(name)))
			continue;
		if (!bls_name_ok(name))
			continue; /* ".", "..", entries.srel, a README: not entries */
		const char *why = NULL;
		if (s->n == BLS_MAX_ENTRIES) {
			bls_set_add(s, name, "", 0, &why);
			continue;
		}
		struct fetched f;
		format_buf(path, sizeof(path), "\\loader\\entries\\%s", name);
		if (file_read(v, path, BLS_FILE_MAX, &f)) {
			log_warn("disk: %s: %s; entry skipped", f.where,
				 f.err == FETCH_TOO_LARGE ? "larger than 16 KiB" : f.reason);
			continue;
		}
		enum bls_result r = bls_set_add(s, name, (const char *)f.data, f.size, &why);
		fetched_free(&f);
		if (r == BLS_OTHER_ARCH)
			log_info("disk: %s: loader/entries/%s is for another architecture; skipped",
				 v->name, name);
		else if (r != BLS_OK)
			log_warn("disk: %s: loader/entries/%s: %s; skipped", v->name, name, why);
	}
	if (info)
		sysmem_free(info);
	if (s->dropped)
		log_warn(
		    "disk: %s: loader/entries: %zu files past the %d wireboot reads were ignored",
		    v->name, s->dropped, BLS_MAX_ENTRIES);
	dir->Close(dir);
}

/* BLS entries on v, default first. True when there were any (whether or
 * not one booted). */
static bool try_bls(const struct volume *v)
{
	struct bls_set *s = sysmem_zalloc(sizeof(*s));
	static struct bls_loader l;

	if (!s) {
		log_error("disk: %s: out of memory for the entry list", v->name);
		return false;
	}
	bls_set_init(s);
	read_entries(v, s);
	if (!s->n) {
		sysmem_free(s);
		return false;
	}
	read_loader_conf(v, &l);
	bls_sort(s);
	int d = bls_default(s, &l);
	const struct bls_entry *e = &s->e[s->order[d]];
	const char *label = e->title[0] ? e->title : e->version;
	log_info("disk: %s: loader/entries: %zu entr%s, default '%s'%s%s%s", v->name, s->n,
		 s->n == 1 ? "y" : "ies", e->name, label[0] ? " (" : "", label,
		 label[0] ? ")" : "");
	if (l.default_pattern[0]) {
		char stem[BLS_NAME_LEN];
		format_buf(stem, sizeof(stem), "%.*s", (int)(strlen(e->name) - 5), e->name);
		if (!bls_glob(l.default_pattern, e->name) && !bls_glob(l.default_pattern, stem))
			log_warn("disk: %s: loader.conf: default '%s' matches no entry; the first "
				 "after sorting boots",
				 v->name, l.default_pattern);
	}
	boot_entry(v, e);
	for (size_t i = 0; i < s->n; i++) {
		if ((int)i == d)
			continue;
		e = &s->e[s->order[i]];
		log_info("disk: %s: trying the next entry, '%s'", v->name, e->name);
		boot_entry(v, e);
	}
	sysmem_free(s);
	return true;
}

/* \EFI\BOOT\BOOTX64.EFI on v. True when it was there. */
static bool try_removable(const struct volume *v)
{
	struct fetched f;

	if (file_read(v, DISKBOOT_BOOT_FILE, payload_max(), &f)) {
		if (f.err != FETCH_NOT_FOUND)
			log_error("disk: %s: %s", f.where, f.reason);
		return f.err != FETCH_NOT_FOUND;
	}
	log_info("disk: %s: starting %s", v->name, DISKBOOT_BOOT_FILE);
	run_efi(v, DISKBOOT_BOOT_FILE, &f, NULL, NULL, 0);
	fetched_free(&f);
	return true;
}

/* Open v's root and try what it holds; true if it held something to boot. */
static bool try_volume(struct volume *v, bool esp)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs = efi_protocol_find(v->handle, &sfs_guid);
	EFI_STATUS st;

	if (!sfs || !v->dp)
		return false;
	st = sfs->OpenVolume(sfs, &v->root);
	if (EFI_ERROR(st)) {
		log_warn("disk: %s: cannot open its file system (%s)", v->name, efi_status_str(st));
		return false;
	}
	log_debug("disk: %s: a file system%s", v->name, esp ? " (EFI System Partition)" : "");
	bool found = try_bls(v);
	found |= try_removable(v);
	v->root->Close(v->root);
	v->root = NULL;
	return found;
}

int diskboot_run(bool efi_stub)
{
	linux_efi = efi_stub;
	size_t n = efi_handles_with(&sfs_guid, NULL, 0), found = 0;
	EFI_HANDLE *h = n ? sysmem_zalloc(n * sizeof(*h)) : NULL;

	if (h) {
		size_t again = efi_handles_with(&sfs_guid, h, n);
		n = again < n ? again : n;
	}
	/* EFI System Partitions first, then every other file system. */
	for (int pass = 0; h && pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			bool esp = is_esp(h[i]);
			if (esp != (pass == 0))
				continue;
			struct volume v = {.handle = h[i], .dp = efi_protocol_find(h[i], &dp_guid)};
			if (!v.dp || !efi_devpath_valid(v.dp, EFI_DEVPATH_LIMIT))
				continue;
			volume_name(&v, i);
			found += try_volume(&v, esp);
		}
	}
	if (h)
		sysmem_free(h);
	if (!found)
		log_error("disk: no EFI System Partition with loader/entries or "
			  "EFI/BOOT/BOOTX64.EFI; nothing to boot (%zu file system%s)",
			  n, n == 1 ? "" : "s");
	else
		log_error("disk: nothing on the disks booted");
	return -1;
}
