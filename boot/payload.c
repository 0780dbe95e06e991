/* Payload detection: a table of kinds, each with a probe and a boot
 * function. Order matters: the config row takes anything, so it is last. */
#include <string.h>
#include <efi_boot.h>
#include <linux.h>
#include <log.h>
#include <payload.h>
#include <pxeboot.h>

bool payload_is_pe(const uint8_t *p, size_t len)
{
	if (len < 0x40 || p[0] != 'M' || p[1] != 'Z')
		return false;
	uint32_t off = (uint32_t)(p[0x3c] | p[0x3d] << 8 | p[0x3e] << 16 | (uint32_t)p[0x3f] << 24);
	return off <= len - 4 && !memcmp(p + off, "PE\0\0", 4);
}

static bool any_text(const uint8_t *p, size_t len)
{
	return true;
}

/* A bzImage through the boot protocol, or (linux_boot=efi) through its
 * EFI stub: a bzImage since Linux 3.3 is a PE/COFF program too. */
static int boot_bzimage(const struct boot_env *env, const char *name, const struct fetched *f,
			const struct payload_args *a)
{
	if (env->linux_efi) {
		if (payload_is_pe(f->data, f->size))
			return efi_boot_payload(name, f, a);
		log_warn("linux: %s has no EFI stub; starting it through the boot protocol", name);
	}
	return linux_boot(name, f, a->initrds, a->n_initrds, a->cmdline ? a->cmdline : "");
}

static int boot_efi(const struct boot_env *env, const char *name, const struct fetched *f,
		    const struct payload_args *a)
{
	return efi_boot_payload(name, f, a);
}

static int boot_config(const struct boot_env *env, const char *name, const struct fetched *f,
		       const struct payload_args *a)
{
	return pxeboot_config(env, name, (const char *)f->data, f->size);
}

static const struct payload_kind kinds[] = {
	{ PAYLOAD_BZIMAGE, "Linux kernel", linux_is_bzimage, boot_bzimage },
	{ PAYLOAD_EFI, "EFI program", payload_is_pe, boot_efi },
	{ PAYLOAD_CONFIG, "pxelinux config", any_text, boot_config },
};

const struct payload_kind *payload_detect(const struct fetched *f)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].probe(f->data, f->size))
			return &kinds[i];
	return &kinds[sizeof(kinds) / sizeof(kinds[0]) - 1];
}
