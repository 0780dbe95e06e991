/* The RNG protocol (UEFI 2.10 s.37.5). */
#include "efitest.h"

static EFI_GUID t_rng_guid = EFI_RNG_PROTOCOL_GUID;

#define T_NAME "rng"
/* GetInfo lists at least one algorithm; GetRNG with the default algorithm
 * fills odd-sized buffers, two draws differ and are not all zero; a
 * length of 0 is refused. */
void check_rng(void)
{
	EFI_RNG_PROTOCOL *rng;
	EFI_RNG_ALGORITHM algs[8];
	UINT8 a[37], b[37];
	UINTN size = sizeof(algs), zeros = 0;
	EFI_STATUS st;

	T_OK(BS->LocateProtocol(&t_rng_guid, NULL, (void **)&rng), "LocateProtocol(RNG)");
	T_OK(rng->GetInfo(rng, &size, algs), "GetInfo");
	T_REQUIRE(size >= sizeof(EFI_RNG_ALGORITHM) && size % sizeof(EFI_RNG_ALGORITHM) == 0,
		  L"GetInfo listed %ld bytes of algorithms", size);
	SetMem(a, sizeof(a), 0);
	SetMem(b, sizeof(b), 0);
	T_OK(rng->GetRNG(rng, NULL, sizeof(a), a), "GetRNG(default, 37 bytes)");
	T_OK(rng->GetRNG(rng, NULL, sizeof(b), b), "GetRNG(default, 37 bytes) again");
	T_REQUIRE(CompareMem(a, b, sizeof(a)) != 0, L"two GetRNG calls gave the same bytes");
	for (UINTN i = 0; i < sizeof(a); i++)
		zeros += a[i] == 0;
	T_REQUIRE(zeros < 8, L"GetRNG gave %ld zero bytes of 37", zeros);
	st = rng->GetRNG(rng, NULL, 0, a);
	T_REQUIRE(st == EFI_INVALID_PARAMETER, L"GetRNG of 0 bytes returned %r", st);
	t_ok(T_NAME, L"%ld algorithms (first %g), two default draws of 37 bytes differ",
	     size / sizeof(EFI_RNG_ALGORITHM), &algs[0]);
out:
	return;
}
#undef T_NAME
