/* EFI_RNG_PROTOCOL (UEFI 2.10 s.37.5) on its own handle: RDSEED, else
 * RDRAND, else TSC jitter. Linux's EFI stub seeds its KASLR and the
 * kernel's random pool from it. */
#include <string.h>
#include <efi_handle.h>
#include <efi_rng.h>
#include <io.h>
#include <log.h>

static const EFI_GUID rng_guid = EFI_RNG_PROTOCOL_GUID;
static const EFI_GUID raw_guid = EFI_RNG_ALGORITHM_RAW;
static bool have_rdseed, have_rdrand;

static bool hw_random(uint64_t *v)
{
	unsigned char ok = 0;

	for (int i = 0; i < 32 && !ok && have_rdseed; i++)
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
	for (int i = 0; i < 10 && !ok && have_rdrand; i++)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

/* No RNG instruction (QEMU's default CPU model has none): fold the low
 * bits of many TSC deltas, whose jitter under a hypervisor is real if
 * small, through a multiply-xorshift mixer. */
static uint64_t jitter_random(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ULL;

	for (int i = 0; i < 64; i++) {
		uint64_t a = rdtsc();
		cpu_pause();
		s ^= rdtsc() - a;
		s *= 0xbf58476d1ce4e5b9ULL;
		s ^= s >> 31;
	}
	return s;
}

static EFI_STATUS EFIAPI rng_get_info(EFI_RNG_PROTOCOL *self, UINTN *size, EFI_RNG_ALGORITHM *list)
{
	if (!size)
		return EFI_INVALID_PARAMETER;
	if (*size < sizeof(EFI_RNG_ALGORITHM)) {
		*size = sizeof(EFI_RNG_ALGORITHM);
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!list)
		return EFI_INVALID_PARAMETER;
	*size = sizeof(EFI_RNG_ALGORITHM);
	memcpy(list, &raw_guid, sizeof(raw_guid));
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI rng_get_rng(EFI_RNG_PROTOCOL *self, EFI_RNG_ALGORITHM *alg, UINTN len,
				     UINT8 *out)
{
	if (!out || !len)
		return EFI_INVALID_PARAMETER;
	if (alg && memcmp(alg, &raw_guid, sizeof(raw_guid)))
		return EFI_UNSUPPORTED;
	while (len) {
		uint64_t v;
		if (!hw_random(&v))
			v = jitter_random();
		size_t n = len < 8 ? len : 8;
		memcpy(out, &v, n);
		out += n;
		len -= n;
	}
	return EFI_SUCCESS;
}

static EFI_RNG_PROTOCOL rng = { rng_get_info, rng_get_rng };

void efi_rng_install(void)
{
	uint32_t a, b, c, d;
	EFI_HANDLE h = NULL;

	cpuid(1, 0, &a, &b, &c, &d);
	have_rdrand = c & (1u << 30);
	cpuid(7, 0, &a, &b, &c, &d);
	have_rdseed = b & (1u << 18);
	if (EFI_ERROR(efi_protocol_install(&h, &rng_guid, &rng)))
		log_warn("efi: cannot install the RNG protocol");
	log_debug("efi: RNG from %s", have_rdseed ? "RDSEED" : have_rdrand ? "RDRAND"
							     : "TSC jitter (no RNG instruction)");
}
