/* pxetest: an EFI application, booted as the DHCP boot file, that calls every
 * function of EFI_PXE_BASE_CODE_PROTOCOL (UEFI 2.10 s.24.3) on the NIC it
 * came from and checks the results against the test network that
 * test-env/test_pxe_bc.py sets up. It prints, on ConOut:
 *
 *   PXETEST ok <check>: <what was verified>
 *   PXETEST FAIL <check>: <the step that failed, its arguments and status>
 *   PXETEST done: <N> ok, <M> failed
 *
 * Lines longer than 76 characters go on in continuation lines that start
 * with four spaces (the test joins them again, exactly).
 *
 * What the network holds comes from pxetest.cfg, read with Mtftp from the
 * DHCP ACK's next server: "key value" lines, keys
 *   data NAME SIZE     a file whose byte i is pxetest_pattern(i)
 *   missing NAME       a file the server does not have (TFTP error 1)
 *   unknown IP         an address nobody holds: TFTP and ARP get no answer
 *   echo IP PORT       a UDP echo server; "ttl?" is answered with the TTL
 *                      and ToS it arrived with, "bcast:..." is echoed to the
 *                      subnet's broadcast address
 *   udp_timeout MS     how long a UdpRead with nothing to read must wait
 *                      (the firmware's documented value; the spec has none)
 *   discover reply NAME | discover timeout
 *                      what the default boot server does on port 4011
 *   altip IP           a free address for SetStationIp
 *   wire yes|no        the echo server sees our TTL/ToS and can broadcast,
 *                      and answers the alternative address
 *
 * Time is measured with RDTSC, calibrated against the RTC (GetTime's
 * seconds) and cross-checked with Stall, so a firmware clock that runs
 * fast or slow cannot hide a wait that is too long. Every wait of the
 * program itself is bounded. Built with gnu-efi (test-env/efi/efi.mk). */
#include <efi.h>
#include <efilib.h>

static EFI_GUID pt_pxe_guid = EFI_PXE_BASE_CODE_PROTOCOL_GUID;
static EFI_GUID pt_load_file_guid = EFI_LOAD_FILE_PROTOCOL_GUID;

static EFI_PXE_BASE_CODE_PROTOCOL *pxe;
static EFI_PXE_BASE_CODE_MODE *mode;
static UINTN pt_passed, pt_failed;
static UINT64 tsc_khz; /* RDTSC ticks per millisecond */

/* What pxetest.cfg says about the network. */
static struct {
	CHAR8 data[64], missing[64], bootitem[64];
	UINT64 data_size;
	EFI_IP_ADDRESS server, unknown, echo, altip;
	UINT16 echo_port;
	UINT64 udp_timeout_ms;
	BOOLEAN discover_reply, wire;
} cfg;

/* Byte i of the data file; test_pxe_bc.py writes the same. */
static UINT8 pxetest_pattern(UINT64 i)
{
	return (UINT8)((((UINT32)i * 2654435761u) >> 24) ^ (UINT8)(i >> 16));
}

/* ---- output ---- */

/* Print s in pieces of 76 characters, continuations indented by four. */
static void pt_print(const CHAR16 *s)
{
	static CHAR16 piece[80];
	UINTN len = StrLen(s);

	for (UINTN pos = 0; pos < len || pos == 0; pos += 76) {
		UINTN n = len - pos > 76 ? 76 : len - pos;

		CopyMem(piece, (void *)(s + pos), n * sizeof(CHAR16));
		piece[n] = 0;
		Print(L"%s%s\r\n", pos ? L"    " : L"", piece);
		if (!len)
			break;
	}
}

static void pt_report(const CHAR16 *verdict, const char *check, const CHAR16 *fmt, va_list args)
{
	static CHAR16 detail[1024], line[1100];

	UnicodeVSPrint(detail, sizeof(detail), fmt, args);
	UnicodeSPrint(line, sizeof(line), L"PXETEST %s %a: %s", verdict, check, detail);
	pt_print(line);
}

static void pt_ok(const char *check, const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	pt_report(L"ok", check, fmt, args);
	va_end(args);
	pt_passed++;
}

static void pt_fail(const char *check, const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	pt_report(L"FAIL", check, fmt, args);
	va_end(args);
	pt_failed++;
}

/* Inside a check named by T_NAME: fail with the text and leave. */
#define REQ(cond, ...)                                                                             \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			pt_fail(T_NAME, __VA_ARGS__);                                              \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

/* A call that must return exactly want. */
#define REQ_ST(call, want, what)                                                                   \
	do {                                                                                       \
		EFI_STATUS st_ = (call);                                                           \
		if (st_ != (want)) {                                                               \
			pt_fail(T_NAME, L"%a returned %r (0x%lx), expected %r", what, st_,         \
				(UINT64)st_, (EFI_STATUS)(want));                                  \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

/* IPv4 address as four numbers for %d.%d.%d.%d. */
#define IP4(a) (a).v4.Addr[0], (a).v4.Addr[1], (a).v4.Addr[2], (a).v4.Addr[3]

/* ---- time ---- */

static UINT64 rdtsc(void)
{
	UINT32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (UINT64)hi << 32 | lo;
}

static UINT64 ms_since(UINT64 t0)
{
	return tsc_khz ? (rdtsc() - t0) / tsc_khz : 0;
}

/* The TSC tick at which the RTC's second next changes; 0 when it does not
 * within limit ticks. */
static UINT64 rtc_edge(UINT64 limit)
{
	EFI_TIME t;
	UINT64 start = rdtsc();

	if (EFI_ERROR(RT->GetTime(&t, NULL)))
		return 0;
	UINT8 sec = t.Second;
	while (rdtsc() - start < limit) {
		if (EFI_ERROR(RT->GetTime(&t, NULL)))
			return 0;
		if (t.Second != sec)
			return rdtsc();
	}
	return 0;
}

/* RDTSC against the RTC over two whole seconds, and against Stall(200 ms):
 * the two must agree within 10%. The RTC's rate is the one used. */
#define T_NAME "clock"
static void check_clock(void)
{
	UINT64 t0 = rdtsc();

	BS->Stall(200000);
	UINT64 stall_khz = (rdtsc() - t0) / 200;
	REQ(stall_khz > 1000, L"Stall(200 ms) took %ld TSC ticks", stall_khz * 200);
	UINT64 limit = stall_khz * 1500; /* 1.5 s by Stall's clock */
	UINT64 a = rtc_edge(limit), b = a ? rtc_edge(limit) : 0, c = b ? rtc_edge(limit) : 0;
	REQ(a && b && c, L"the RTC's second did not change within 1.5 s (by Stall's clock)");
	UINT64 rtc_khz = (c - a) / 2000;
	tsc_khz = rtc_khz;
	UINT64 diff = rtc_khz > stall_khz ? rtc_khz - stall_khz : stall_khz - rtc_khz;
	REQ(diff * 10 <= rtc_khz, L"TSC %ld kHz by the RTC but %ld kHz by Stall", rtc_khz,
	    stall_khz);
	pt_ok(T_NAME, L"TSC %ld kHz by the RTC, %ld kHz by Stall", rtc_khz, stall_khz);
	return;
out:
	tsc_khz = stall_khz; /* something to measure with */
}
#undef T_NAME

/* ---- small helpers ---- */

static BOOLEAN ip_eq(const EFI_IP_ADDRESS *a, const EFI_IP_ADDRESS *b)
{
	return CompareMem((void *)&a->v4, (void *)&b->v4, 4) == 0;
}

static void ip_from(EFI_IP_ADDRESS *a, const UINT8 *b)
{
	SetMem(a, sizeof(*a), 0);
	CopyMem(&a->v4, (void *)b, 4);
}

static BOOLEAN str8_eq(const CHAR8 *a, const CHAR8 *b, UINTN max)
{
	for (UINTN i = 0; i < max; i++) {
		if (a[i] != b[i])
			return FALSE;
		if (!a[i])
			return TRUE;
	}
	return TRUE;
}

static UINTN str8_len(const CHAR8 *s, UINTN max)
{
	UINTN n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* s (at most max bytes, maybe unterminated) as a NUL-terminated string in
 * one of four rotating buffers, for %a. */
static const CHAR8 *s8(const CHAR8 *s, UINTN max)
{
	static CHAR8 bufs[4][129];
	static UINTN next;
	CHAR8 *b = bufs[next++ % 4];
	UINTN n = str8_len(s, max < 128 ? max : 128);

	CopyMem(b, (void *)s, n);
	b[n] = 0;
	return b;
}

static void asprint(CHAR8 *buf, UINTN size, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	AsciiVSPrint(buf, size, (CHAR8 *)fmt, args);
	va_end(args);
}

/* ---- pxetest.cfg ---- */

static BOOLEAN parse_uint(const CHAR8 **p, UINT64 *v)
{
	const CHAR8 *s = *p;
	UINT64 n = 0;

	if (*s < '0' || *s > '9')
		return FALSE;
	while (*s >= '0' && *s <= '9')
		n = n * 10 + (UINT64)(*s++ - '0');
	*v = n;
	*p = s;
	return TRUE;
}

static BOOLEAN parse_ip(const CHAR8 **p, EFI_IP_ADDRESS *a)
{
	UINT8 b[4];

	for (int i = 0; i < 4; i++) {
		UINT64 v;
		if (!parse_uint(p, &v) || v > 255 || (i < 3 && **p != '.'))
			return FALSE;
		b[i] = (UINT8)v;
		if (i < 3)
			(*p)++;
	}
	ip_from(a, b);
	return TRUE;
}

static void parse_word(const CHAR8 **p, CHAR8 *out, UINTN max)
{
	UINTN n = 0;

	while (**p == ' ')
		(*p)++;
	while (**p && **p != ' ' && **p != '\n' && n + 1 < max)
		out[n++] = *(*p)++;
	out[n] = 0;
}

static BOOLEAN key_is(const CHAR8 *line, const char *key)
{
	UINTN n = 0;

	while (key[n]) {
		if (line[n] != (CHAR8)key[n])
			return FALSE;
		n++;
	}
	return line[n] == ' ';
}

/* One line of pxetest.cfg; FALSE when it is malformed. */
static BOOLEAN parse_line(const CHAR8 *l)
{
	const CHAR8 *p = l;
	CHAR8 word[16];

	while (*p && *p != ' ')
		p++;
	if (*p)
		p++;
	if (key_is(l, "data")) {
		parse_word(&p, cfg.data, sizeof(cfg.data));
		return *p++ == ' ' && parse_uint(&p, &cfg.data_size);
	}
	if (key_is(l, "missing")) {
		parse_word(&p, cfg.missing, sizeof(cfg.missing));
		return cfg.missing[0];
	}
	if (key_is(l, "unknown"))
		return parse_ip(&p, &cfg.unknown);
	if (key_is(l, "altip"))
		return parse_ip(&p, &cfg.altip);
	if (key_is(l, "echo")) {
		UINT64 port;
		if (!parse_ip(&p, &cfg.echo) || *p++ != ' ' || !parse_uint(&p, &port) ||
		    port > 65535)
			return FALSE;
		cfg.echo_port = (UINT16)port;
		return TRUE;
	}
	if (key_is(l, "udp_timeout"))
		return parse_uint(&p, &cfg.udp_timeout_ms);
	if (key_is(l, "discover")) {
		parse_word(&p, word, sizeof(word));
		cfg.discover_reply = str8_eq(word, (const CHAR8 *)"reply", sizeof(word));
		if (cfg.discover_reply)
			parse_word(&p, cfg.bootitem, sizeof(cfg.bootitem));
		return cfg.discover_reply || str8_eq(word, (const CHAR8 *)"timeout", sizeof(word));
	}
	if (key_is(l, "wire")) {
		parse_word(&p, word, sizeof(word));
		cfg.wire = str8_eq(word, (const CHAR8 *)"yes", sizeof(word));
		return TRUE;
	}
	return FALSE;
}

/* Read pxetest.cfg from the DHCP ACK's next server with Mtftp. */
#define T_NAME "config"
static BOOLEAN read_config(void)
{
	static CHAR8 text[2048];
	UINT64 size = sizeof(text) - 1;

	ip_from(&cfg.server, mode->DhcpAck.Dhcpv4.BootpSiAddr);
	REQ_ST(pxe->Mtftp(pxe, EFI_PXE_BASE_CODE_TFTP_READ_FILE, text, FALSE, &size, NULL,
			  &cfg.server, (UINT8 *)"pxetest.cfg", NULL, FALSE),
	       EFI_SUCCESS, "Mtftp(READ_FILE pxetest.cfg)");
	text[size] = 0;
	for (CHAR8 *l = text; *l;) {
		CHAR8 *e = l;
		while (*e && *e != '\n')
			e++;
		CHAR8 end = *e;
		*e = 0;
		REQ(!*l || parse_line(l), L"bad line '%a'", l);
		if (!end)
			break;
		l = e + 1;
	}
	REQ(cfg.data[0] && cfg.data_size && cfg.missing[0] && cfg.echo_port && cfg.udp_timeout_ms &&
		cfg.unknown.v4.Addr[0] && cfg.altip.v4.Addr[0],
	    L"pxetest.cfg lacks a key (%ld bytes)", size);
	pt_ok(T_NAME, L"%ld bytes from %d.%d.%d.%d", size, IP4(cfg.server));
	return TRUE;
out:
	return FALSE;
}
#undef T_NAME

/* ---- the checks ---- */

/* The PXE Base Code handle is the one we were loaded from (s.9.1
 * DeviceHandle), and LoadFile is on it too. */
#define T_NAME "locate"
static BOOLEAN check_locate(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;
	BOOLEAN found = FALSE;
	void *lf = NULL;

	REQ_ST(BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li), EFI_SUCCESS,
	       "HandleProtocol(LoadedImage)");
	REQ_ST(BS->LocateHandleBuffer(ByProtocol, &pt_pxe_guid, NULL, &n, &hs), EFI_SUCCESS,
	       "LocateHandleBuffer(ByProtocol, PXE Base Code)");
	for (UINTN i = 0; i < n; i++)
		found |= hs[i] == li->DeviceHandle;
	FreePool(hs);
	REQ(found, L"none of the %ld PXE Base Code handles is DeviceHandle %lx", n,
	    (UINT64)(UINTN)li->DeviceHandle);
	REQ_ST(BS->HandleProtocol(li->DeviceHandle, &pt_pxe_guid, (void **)&pxe), EFI_SUCCESS,
	       "HandleProtocol(DeviceHandle, PXE Base Code)");
	REQ(pxe->Revision >= EFI_PXE_BASE_CODE_PROTOCOL_REVISION && pxe->Mode,
	    L"Revision 0x%lx, Mode %lx", pxe->Revision, (UINT64)(UINTN)pxe->Mode);
	mode = pxe->Mode;
	REQ_ST(BS->HandleProtocol(li->DeviceHandle, &pt_load_file_guid, &lf), EFI_SUCCESS,
	       "HandleProtocol(DeviceHandle, LoadFile)");
	pt_ok(T_NAME, L"PXE Base Code revision 0x%lx and LoadFile on DeviceHandle (%ld handles)",
	      pxe->Revision, n);
	return TRUE;
out:
	return FALSE;
}
#undef T_NAME

/* The boot file the DHCP ACK names: its file field, or option 67 (RFC
 * 2132 s.9.5; dnsmasq puts it there when the client asks for it). */
static const CHAR8 *ack_boot_file(void)
{
	const UINT8 *raw = mode->DhcpAck.Raw;
	UINTN size = sizeof(mode->DhcpAck.Raw);

	if (mode->DhcpAck.Dhcpv4.BootpBootFile[0])
		return s8(mode->DhcpAck.Dhcpv4.BootpBootFile, 128);
	for (UINTN i = 240; i + 1 < size && raw[i] != 255;) {
		if (raw[i] == 0) {
			i++;
			continue;
		}
		if (raw[i] == 67 && i + 2 + raw[i + 1] <= size)
			return s8((const CHAR8 *)raw + i + 2, raw[i + 1]);
		i += 2 + (UINTN)raw[i + 1];
	}
	return (const CHAR8 *)"";
}

/* Mode as the boot-time DHCP left it: started, the ACK's yiaddr is our
 * address, its siaddr and file name say where we came from. */
#define T_NAME "mode"
static void check_mode(void)
{
	EFI_PXE_BASE_CODE_DHCPV4_PACKET *ack = &mode->DhcpAck.Dhcpv4;
	EFI_IP_ADDRESS yi, si;

	REQ(mode->Started, L"Started is FALSE after the boot");
	REQ(!mode->UsingIpv6, L"UsingIpv6 is TRUE on an IPv4 boot");
	REQ(mode->DhcpDiscoverValid && mode->DhcpAckReceived,
	    L"DhcpDiscoverValid %d DhcpAckReceived %d", mode->DhcpDiscoverValid,
	    mode->DhcpAckReceived);
	REQ(ack->BootpOpcode == 2 && ack->DhcpMagik == 0x63538263,
	    L"DhcpAck: op %d magic 0x%x, not a BOOTREPLY", ack->BootpOpcode, ack->DhcpMagik);
	ip_from(&yi, ack->BootpYiAddr);
	ip_from(&si, ack->BootpSiAddr);
	REQ(ip_eq(&yi, &mode->StationIp), L"StationIp %d.%d.%d.%d but the ACK's yiaddr %d.%d.%d.%d",
	    IP4(mode->StationIp), IP4(yi));
	REQ(mode->SubnetMask.v4.Addr[0] == 255, L"SubnetMask %d.%d.%d.%d", IP4(mode->SubnetMask));
	const CHAR8 *file = ack_boot_file();
	REQ(str8_eq(file, (const CHAR8 *)"pxetest.efi", 128),
	    L"the ACK's file (field, else option 67) is '%a', not pxetest.efi", file);
	REQ(mode->AutoArp && mode->TTL, L"AutoArp %d TTL %d after the boot", mode->AutoArp,
	    mode->TTL);
	pt_ok(T_NAME,
	      L"station %d.%d.%d.%d mask %d.%d.%d.%d siaddr %d.%d.%d.%d file %a ttl %d "
	      L"filters 0x%x routes %d",
	      IP4(mode->StationIp), IP4(mode->SubnetMask), IP4(si), file, mode->TTL,
	      mode->IpFilter.Filters, mode->RouteTableEntries);
out:;
}
#undef T_NAME

#define T_NAME "start"
static void check_start(void)
{
	REQ_ST(pxe->Start(pxe, FALSE), EFI_ALREADY_STARTED, "Start(FALSE) when started");
	REQ_ST(pxe->Start(NULL, FALSE), EFI_INVALID_PARAMETER, "Start(This NULL)");
	REQ(mode->Started && mode->DhcpAckReceived, L"Start changed Mode");
	pt_ok(T_NAME, L"EFI_ALREADY_STARTED, Mode untouched");
out:;
}
#undef T_NAME

/* Dhcp while the boot-time lease stands: the same address and ACK. */
#define T_NAME "dhcp"
static void check_dhcp(void)
{
	static EFI_PXE_BASE_CODE_PACKET ack;
	EFI_IP_ADDRESS ip = mode->StationIp;

	CopyMem(&ack, &mode->DhcpAck, sizeof(ack));
	UINT64 t0 = rdtsc();
	REQ_ST(pxe->Dhcp(pxe, FALSE), EFI_SUCCESS, "Dhcp(FALSE)");
	UINT64 ms = ms_since(t0);
	REQ(mode->Started && mode->DhcpAckReceived && mode->DhcpDiscoverValid,
	    L"after Dhcp: Started %d DhcpAckReceived %d DhcpDiscoverValid %d", mode->Started,
	    mode->DhcpAckReceived, mode->DhcpDiscoverValid);
	REQ(ip_eq(&ip, &mode->StationIp), L"StationIp %d.%d.%d.%d became %d.%d.%d.%d", IP4(ip),
	    IP4(mode->StationIp));
	REQ(CompareMem(ack.Dhcpv4.BootpYiAddr, mode->DhcpAck.Dhcpv4.BootpYiAddr, 4) == 0 &&
		CompareMem(ack.Dhcpv4.BootpBootFile, mode->DhcpAck.Dhcpv4.BootpBootFile, 128) == 0,
	    L"the new DhcpAck differs in yiaddr or file");
	pt_ok(T_NAME, L"lease %d.%d.%d.%d kept, %ld ms", IP4(mode->StationIp), ms);
out:;
}
#undef T_NAME

/* Discover, type 0 (bootstrap), initial layer, default boot server. */
#define T_NAME "discover"
static void check_discover(void)
{
	UINT16 layer = EFI_PXE_BASE_CODE_BOOT_LAYER_INITIAL;
	EFI_PXE_BASE_CODE_DHCPV4_PACKET *r = &mode->PxeReply.Dhcpv4;

	REQ_ST(pxe->Discover(pxe, EFI_PXE_BASE_CODE_BOOT_TYPE_BOOTSTRAP, NULL, FALSE, NULL),
	       EFI_INVALID_PARAMETER, "Discover(Layer NULL)");
	UINT64 t0 = rdtsc();
	EFI_STATUS st =
	    pxe->Discover(pxe, EFI_PXE_BASE_CODE_BOOT_TYPE_BOOTSTRAP, &layer, FALSE, NULL);
	UINT64 ms = ms_since(t0);
	if (!cfg.discover_reply) {
		REQ(st == EFI_TIMEOUT,
		    L"Discover with no boot server returned %r after %ld ms, "
		    L"expected EFI_TIMEOUT",
		    st, ms);
		REQ(ms <= 10000, L"Discover with no boot server took %ld ms", ms);
		REQ(!mode->PxeReplyReceived, L"PxeReplyReceived without a reply");
		pt_ok(T_NAME, L"no boot server: EFI_TIMEOUT after %ld ms", ms);
		return;
	}
	REQ(st == EFI_SUCCESS, L"Discover(type 0, layer 0) returned %r after %ld ms", st, ms);
	REQ(mode->PxeDiscoverValid && mode->PxeReplyReceived,
	    L"PxeDiscoverValid %d PxeReplyReceived %d", mode->PxeDiscoverValid,
	    mode->PxeReplyReceived);
	REQ(r->BootpOpcode == 2 && str8_eq(r->BootpBootFile, cfg.bootitem, 128),
	    L"PxeReply: op %d file '%a', expected %a", r->BootpOpcode, s8(r->BootpBootFile, 128),
	    cfg.bootitem);
	REQ(mode->PxeDiscover.Dhcpv4.BootpOpcode == 1 &&
		CompareMem(mode->PxeDiscover.Dhcpv4.BootpCiAddr, &mode->StationIp, 4) == 0,
	    L"PxeDiscover: op %d ciaddr not our address", mode->PxeDiscover.Dhcpv4.BootpOpcode);
	pt_ok(T_NAME, L"reply from the default boot server: file %a layer %d, %ld ms",
	      s8(r->BootpBootFile, 128), layer, ms);
out:;
}
#undef T_NAME

static EFI_STATUS mtftp(EFI_PXE_BASE_CODE_TFTP_OPCODE op, void *buf, UINT64 *size, UINTN *blksize,
			EFI_IP_ADDRESS *server, const CHAR8 *name, BOOLEAN nobuf)
{
	return pxe->Mtftp(pxe, op, buf, FALSE, size, blksize, server, (UINT8 *)name, NULL, nobuf);
}

/* The index of the first byte of buf that is not the pattern, or n. */
static UINT64 pattern_mismatch(const UINT8 *buf, UINT64 n)
{
	for (UINT64 i = 0; i < n; i++)
		if (buf[i] != pxetest_pattern(i))
			return i;
	return n;
}

#define T_NAME "mtftp-size"
static void check_mtftp_size(void)
{
	UINT64 size = 0;

	REQ_ST(mtftp(EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, &size, NULL, &cfg.server, cfg.data,
		     FALSE),
	       EFI_SUCCESS, "Mtftp(GET_FILE_SIZE)");
	REQ(size == cfg.data_size, L"GET_FILE_SIZE of %a: %ld, expected %ld", cfg.data, size,
	    cfg.data_size);
	pt_ok(T_NAME, L"%a is %ld bytes", cfg.data, size);
out:;
}
#undef T_NAME

/* READ_FILE into a roomy buffer, with the default block size and with
 * shim's 512; then DontUseBuffer. */
#define T_NAME "mtftp-read"
static void check_mtftp_read(void)
{
	UINT64 cap = cfg.data_size + 4096, size;
	UINT8 *buf = AllocatePool(cap);
	UINTN blk = 512;
	UINT32 crc = 0, crc512 = 0;

	REQ(buf, L"AllocatePool(%ld)", cap);
	for (int pass = 0; pass < 2; pass++) {
		SetMem(buf, cap, 0xee);
		size = cap;
		UINT64 t0 = rdtsc();
		EFI_STATUS st = mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &size,
				      pass ? &blk : NULL, &cfg.server, cfg.data, FALSE);
		UINT64 ms = ms_since(t0);
		REQ(st == EFI_SUCCESS, L"READ_FILE %a (BlockSize %a) returned %r after %ld ms",
		    cfg.data, pass ? "512" : "NULL", st, ms);
		REQ(size == cfg.data_size, L"READ_FILE set BufferSize %ld, expected %ld", size,
		    cfg.data_size);
		UINT64 bad = pattern_mismatch(buf, size);
		REQ(bad == size, L"byte %ld is 0x%02x, the pattern says 0x%02x", bad, buf[bad],
		    pxetest_pattern(bad));
		REQ(buf[size] == 0xee, L"READ_FILE wrote past the file's end");
		BS->CalculateCrc32(buf, size, pass ? &crc512 : &crc);
	}
	size = 0;
	REQ_ST(
	    mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, NULL, &size, NULL, &cfg.server, cfg.data, TRUE),
	    EFI_SUCCESS, "READ_FILE with DontUseBuffer");
	pt_ok(T_NAME, L"%ld bytes match the pattern, crc32 %08x (blksize 512: %08x)", cfg.data_size,
	      crc, crc512);
out:
	if (buf)
		FreePool(buf);
}
#undef T_NAME

/* s.24.3 Mtftp: a READ_FILE buffer too small gives EFI_BUFFER_TOO_SMALL
 * with *BufferSize the file's size; nothing is written past the buffer. */
#define T_NAME "mtftp-small"
static void check_mtftp_small(void)
{
	UINT64 half = cfg.data_size / 2, size = half;
	UINT8 *buf = AllocatePool(cfg.data_size);

	REQ(buf, L"AllocatePool");
	SetMem(buf, cfg.data_size, 0xee);
	UINT64 t0 = rdtsc();
	EFI_STATUS st =
	    mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &size, NULL, &cfg.server, cfg.data, FALSE);
	UINT64 ms = ms_since(t0);
	REQ(st == EFI_BUFFER_TOO_SMALL,
	    L"READ_FILE %a into %ld bytes returned %r after %ld ms, expected EFI_BUFFER_TOO_SMALL",
	    cfg.data, half, st, ms);
	REQ(size == cfg.data_size, L"BufferSize %ld after EFI_BUFFER_TOO_SMALL, expected %ld", size,
	    cfg.data_size);
	for (UINT64 i = half; i < cfg.data_size; i++)
		REQ(buf[i] == 0xee, L"byte %ld past the %ld-byte buffer was written", i, half);
	REQ(ms <= 10000, L"EFI_BUFFER_TOO_SMALL took %ld ms", ms);
	size = 0;
	st = mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, NULL, &size, NULL, &cfg.server, cfg.data,
		   FALSE);
	REQ(st == EFI_BUFFER_TOO_SMALL && size == cfg.data_size,
	    L"READ_FILE with no buffer, size 0: %r, BufferSize %ld", st, size);
	pt_ok(T_NAME, L"EFI_BUFFER_TOO_SMALL, BufferSize %ld, %ld ms", cfg.data_size, ms);
out:
	if (buf)
		FreePool(buf);
}
#undef T_NAME

/* A file the server lacks: EFI_TFTP_ERROR, TftpError holds the server's
 * error 1 (file not found, RFC 1350) and its text. */
#define T_NAME "mtftp-missing"
static void check_mtftp_missing(void)
{
	static UINT8 buf[4096];
	UINT64 size = sizeof(buf);

	UINT64 t0 = rdtsc();
	EFI_STATUS st = mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &size, NULL, &cfg.server,
			      cfg.missing, FALSE);
	UINT64 ms = ms_since(t0);
	REQ(st == EFI_TFTP_ERROR, L"READ_FILE %a returned %r after %ld ms, expected EFI_TFTP_ERROR",
	    cfg.missing, st, ms);
	REQ(mode->TftpErrorReceived, L"TftpErrorReceived is FALSE");
	REQ(mode->TftpError.ErrorCode == 1, L"TftpError.ErrorCode %d, expected 1 ('%a')",
	    mode->TftpError.ErrorCode, s8(mode->TftpError.ErrorString, 127));
	REQ(ms <= 10000, L"the error took %ld ms", ms);
	size = 0;
	st = mtftp(EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, &size, NULL, &cfg.server,
		   cfg.missing, FALSE);
	REQ(st == EFI_TFTP_ERROR && mode->TftpError.ErrorCode == 1,
	    L"GET_FILE_SIZE of %a: %r, ErrorCode %d", cfg.missing, st, mode->TftpError.ErrorCode);
	pt_ok(T_NAME, L"EFI_TFTP_ERROR, error 1 '%a', %ld ms", s8(mode->TftpError.ErrorString, 127),
	      ms);
out:;
}
#undef T_NAME

/* A server that never answers: EFI_TIMEOUT, in bounded time. */
#define T_NAME "mtftp-unknown"
static void check_mtftp_unknown(void)
{
	static UINT8 buf[512];
	UINT64 size = sizeof(buf);

	UINT64 t0 = rdtsc();
	EFI_STATUS st = mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &size, NULL, &cfg.unknown,
			      cfg.data, FALSE);
	UINT64 ms = ms_since(t0);
	REQ(st == EFI_TIMEOUT,
	    L"READ_FILE from %d.%d.%d.%d returned %r after %ld ms, expected "
	    L"EFI_TIMEOUT",
	    IP4(cfg.unknown), st, ms);
	REQ(!mode->TftpErrorReceived, L"TftpErrorReceived with no server");
	REQ(ms <= 15000, L"EFI_TIMEOUT after %ld ms", ms);
	pt_ok(T_NAME, L"%d.%d.%d.%d: EFI_TIMEOUT after %ld ms", IP4(cfg.unknown), ms);
out:;
}
#undef T_NAME

/* Bad arguments (s.24.3 Mtftp): EFI_INVALID_PARAMETER, no traffic. */
#define T_NAME "mtftp-args"
static void check_mtftp_args(void)
{
	static UINT8 buf[512];
	UINT64 size = sizeof(buf);
	UINTN small = 100;
	EFI_IP_ADDRESS bcast;

	SetMem(&bcast, sizeof(bcast), 0);
	SetMem(&bcast.v4, 4, 0xff);
	REQ_ST(mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &size, &small, &cfg.server, cfg.data,
		     FALSE),
	       EFI_INVALID_PARAMETER, "READ_FILE with BlockSize 100");
	REQ_ST(mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &size, NULL, &cfg.server, NULL, FALSE),
	       EFI_INVALID_PARAMETER, "READ_FILE with Filename NULL");
	REQ_ST(
	    mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, NULL, NULL, &cfg.server, cfg.data, FALSE),
	    EFI_INVALID_PARAMETER, "READ_FILE with BufferSize NULL");
	REQ_ST(mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &size, NULL, &bcast, cfg.data, FALSE),
	       EFI_INVALID_PARAMETER, "READ_FILE from 255.255.255.255");
	REQ_ST(
	    mtftp(EFI_PXE_BASE_CODE_MTFTP_LAST + 1, buf, &size, NULL, &cfg.server, cfg.data, FALSE),
	    EFI_INVALID_PARAMETER, "Mtftp with an unknown Operation");
	pt_ok(T_NAME, L"EFI_INVALID_PARAMETER for BlockSize 100, no name, no size, broadcast, "
		      L"a bad operation");
out:;
}
#undef T_NAME

/* ---- UDP ---- */

static UINT16 udp_port; /* the source port UdpWrite chose for us */

/* Send data to the echo server from udp_port (chosen on the first call). */
static EFI_STATUS udp_send(const void *data, UINTN len)
{
	UINT16 dport = cfg.echo_port;
	UINT16 op = udp_port ? 0 : EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT;

	return pxe->UdpWrite(pxe, op, &cfg.echo, &dport, NULL, NULL, &udp_port, NULL, NULL, &len,
			     (void *)data);
}

/* Read the echo server's answer on udp_port, sent to address to. */
static EFI_STATUS udp_recv(EFI_IP_ADDRESS *to, void *buf, UINTN *len, UINT16 extra_flags)
{
	UINT16 sport = cfg.echo_port, dport = udp_port;
	EFI_IP_ADDRESS src = cfg.echo, dst = *to;

	return pxe->UdpRead(pxe, extra_flags, &dst, &dport, &src, &sport, NULL, NULL, len, buf);
}

/* UdpWrite to the echo server and UdpRead of its answer, exact filters;
 * then a header split and the ANY_* flags' filled-in addresses. */
#define T_NAME "udp-echo"
static void check_udp_echo(void)
{
	static CHAR8 msg[64], got[128], hdr[8];
	UINTN mlen, len, hlen;

	asprint(msg, sizeof(msg), "pxetest echo %lx", rdtsc());
	mlen = str8_len(msg, sizeof(msg));
	REQ_ST(udp_send(msg, mlen), EFI_SUCCESS, "UdpWrite(ANY_SRC_PORT) to the echo server");
	REQ(udp_port, L"UdpWrite(ANY_SRC_PORT) returned source port 0");
	len = sizeof(got);
	REQ_ST(udp_recv(&mode->StationIp, got, &len, 0), EFI_SUCCESS,
	       "UdpRead(DestIp station, DestPort ours, SrcIp/SrcPort the echo server)");
	REQ(len == mlen && CompareMem(got, msg, mlen) == 0, L"read %ld bytes '%a', sent '%a'", len,
	    s8(got, len), msg);

	/* ANY_SRC_IP | ANY_SRC_PORT | ANY_DEST_IP: the fields come back filled. */
	REQ_ST(udp_send(msg, mlen), EFI_SUCCESS, "UdpWrite from the chosen port");
	{
		EFI_IP_ADDRESS src, dst;
		UINT16 sport = 0, dport = udp_port;
		SetMem(&src, sizeof(src), 0);
		SetMem(&dst, sizeof(dst), 0);
		len = sizeof(got);
		REQ_ST(pxe->UdpRead(pxe,
				    EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_IP |
					EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT |
					EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_IP,
				    &dst, &dport, &src, &sport, NULL, NULL, &len, got),
		       EFI_SUCCESS, "UdpRead(ANY_SRC_IP|ANY_SRC_PORT|ANY_DEST_IP)");
		REQ(ip_eq(&src, &cfg.echo) && sport == cfg.echo_port &&
			ip_eq(&dst, &mode->StationIp),
		    L"ANY_* read filled src %d.%d.%d.%d:%d dst %d.%d.%d.%d", IP4(src), sport,
		    IP4(dst));
	}

	/* A header buffer takes the first HeaderSize bytes. */
	REQ_ST(udp_send(msg, mlen), EFI_SUCCESS, "UdpWrite");
	{
		UINT16 sport = cfg.echo_port, dport = udp_port;
		EFI_IP_ADDRESS src = cfg.echo, dst = mode->StationIp;
		hlen = 6;
		len = sizeof(got);
		REQ_ST(pxe->UdpRead(pxe, 0, &dst, &dport, &src, &sport, &hlen, hdr, &len, got),
		       EFI_SUCCESS, "UdpRead with a 6-byte header buffer");
		REQ(len == mlen - 6 && CompareMem(hdr, msg, 6) == 0 &&
			CompareMem(got, msg + 6, len) == 0,
		    L"header/data split wrong: %ld data bytes", len);
	}
	pt_ok(T_NAME, L"%d.%d.%d.%d:%d echoed '%a' to port %d (exact, ANY_*, header split)",
	      IP4(cfg.echo), cfg.echo_port, msg, udp_port);
out:;
}
#undef T_NAME

/* s.24.3 UdpRead: a datagram larger than the buffer is
 * EFI_BUFFER_TOO_SMALL. */
#define T_NAME "udp-small"
static void check_udp_small(void)
{
	static const CHAR8 msg[] = "pxetest: a datagram larger than eight bytes";
	static CHAR8 got[8];
	UINTN len = sizeof(got);
	UINT16 main_port = udp_port;

	/* From a port of its own: what becomes of the datagram is the
	 * firmware's choice (kept or dropped), and must not reach the other
	 * checks' reads. */
	udp_port = 0;
	REQ_ST(udp_send(msg, sizeof(msg) - 1), EFI_SUCCESS, "UdpWrite");
	REQ_ST(udp_recv(&mode->StationIp, got, &len, 0), EFI_BUFFER_TOO_SMALL,
	       "UdpRead of a 43-byte datagram into 8 bytes");
	pt_ok(T_NAME, L"EFI_BUFFER_TOO_SMALL (BufferSize now %ld)", len);
out:
	udp_port = main_port;
}
#undef T_NAME

/* UdpRead with nothing to read: EFI_TIMEOUT after the firmware's wait,
 * neither early nor late. */
#define T_NAME "udp-timeout"
static void check_udp_timeout(void)
{
	static CHAR8 got[64];
	UINTN len = sizeof(got);
	UINT16 sport = cfg.echo_port, dport = 40999;

	UINT64 t0 = rdtsc();
	EFI_STATUS st = pxe->UdpRead(pxe, 0, &mode->StationIp, &dport, &cfg.echo, &sport, NULL,
				     NULL, &len, got);
	UINT64 ms = ms_since(t0);
	REQ(st == EFI_TIMEOUT, L"UdpRead on port %d (no sender) returned %r after %ld ms", dport,
	    st, ms);
	REQ(ms * 10 >= cfg.udp_timeout_ms * 9 && ms <= cfg.udp_timeout_ms + 1500,
	    L"EFI_TIMEOUT after %ld ms; the firmware's timeout is %ld ms", ms, cfg.udp_timeout_ms);
	pt_ok(T_NAME, L"EFI_TIMEOUT after %ld ms (timeout %ld ms)", ms, cfg.udp_timeout_ms);
out:;
}
#undef T_NAME

/* SetIpFilter: Mode follows; USE_FILTER reads obey it; bad filters are
 * refused (s.24.3). */
#define T_NAME "ip-filter"
static void check_ip_filter(void)
{
	EFI_PXE_BASE_CODE_IP_FILTER f, saved = mode->IpFilter;
	static CHAR8 got[128];
	static const CHAR8 uni[] = "pxetest filter", bc[] = "bcast:pxetest filter";
	UINTN len;
	EFI_IP_ADDRESS any;
	UINT16 main_port = udp_port;
	EFI_STATUS st;

	SetMem(&any, sizeof(any), 0);
	SetMem(&f, sizeof(f), 0);
	f.Filters = EFI_PXE_BASE_CODE_IP_FILTER_STATION_IP;
	REQ_ST(pxe->SetIpFilter(pxe, &f), EFI_SUCCESS, "SetIpFilter(STATION_IP)");
	REQ(mode->IpFilter.Filters == f.Filters && mode->IpFilter.IpCnt == 0,
	    L"Mode->IpFilter 0x%x/%d after SetIpFilter(STATION_IP)", mode->IpFilter.Filters,
	    mode->IpFilter.IpCnt);
	REQ_ST(udp_send(uni, sizeof(uni) - 1), EFI_SUCCESS, "UdpWrite");
	len = sizeof(got);
	REQ_ST(udp_recv(&any, got, &len, EFI_PXE_BASE_CODE_UDP_OPFLAGS_USE_FILTER), EFI_SUCCESS,
	       "UdpRead(USE_FILTER) of a unicast answer under STATION_IP");
	REQ(len == sizeof(uni) - 1 && CompareMem(got, (void *)uni, len) == 0,
	    L"USE_FILTER read %ld bytes '%a'", len, s8(got, len));

	f.IpCnt = EFI_PXE_BASE_CODE_MAX_IPCNT + 1;
	REQ_ST(pxe->SetIpFilter(pxe, &f), EFI_INVALID_PARAMETER, "SetIpFilter(IpCnt 9)");
	REQ_ST(pxe->SetIpFilter(pxe, NULL), EFI_INVALID_PARAMETER, "SetIpFilter(NULL)");

	/* BROADCAST alone: a unicast answer does not pass, a broadcast one does. */
	SetMem(&f, sizeof(f), 0);
	f.Filters = EFI_PXE_BASE_CODE_IP_FILTER_BROADCAST;
	REQ_ST(pxe->SetIpFilter(pxe, &f), EFI_SUCCESS, "SetIpFilter(BROADCAST)");
	/* The refused answer goes to a port of its own (OVMF drops it, we
	 * may keep it queued), away from the later checks' reads. */
	main_port = udp_port;
	udp_port = 0;
	st = udp_send(uni, sizeof(uni) - 1);
	REQ(st == EFI_SUCCESS, L"UdpWrite from a new port returned %r", st);
	len = sizeof(got);
	st = udp_recv(&any, got, &len, EFI_PXE_BASE_CODE_UDP_OPFLAGS_USE_FILTER);
	udp_port = main_port;
	REQ(st == EFI_TIMEOUT,
	    L"UdpRead(USE_FILTER) of a unicast answer under BROADCAST only "
	    L"returned %r, expected EFI_TIMEOUT",
	    st);
	if (cfg.wire) {
		REQ_ST(udp_send(bc, sizeof(bc) - 1), EFI_SUCCESS, "UdpWrite(bcast:)");
		len = sizeof(got);
		UINT16 sport = cfg.echo_port, dport = udp_port;
		EFI_IP_ADDRESS src = cfg.echo, dst = any;
		REQ_ST(pxe->UdpRead(pxe, EFI_PXE_BASE_CODE_UDP_OPFLAGS_USE_FILTER, &dst, &dport,
				    &src, &sport, NULL, NULL, &len, got),
		       EFI_SUCCESS, "UdpRead(USE_FILTER) of a subnet broadcast under BROADCAST");
		REQ(len == sizeof(bc) - 1 && dst.v4.Addr[3] == 255,
		    L"broadcast read: %ld bytes to %d.%d.%d.%d", len, IP4(dst));
	}
	pt_ok(T_NAME, L"STATION_IP passes unicast, BROADCAST%a; IpCnt 9 and NULL refused",
	      cfg.wire ? " passes a broadcast but not unicast" : " does not pass unicast");
out:
	udp_port = main_port;
	pxe->SetIpFilter(pxe, &saved);
}
#undef T_NAME

/* Arp resolves the server and fills Mode's ARP cache; an address nobody
 * holds times out in bounded time. */
#define T_NAME "arp"
static void check_arp(void)
{
	EFI_MAC_ADDRESS mac;
	BOOLEAN cached = FALSE;

	SetMem(&mac, sizeof(mac), 0);
	REQ_ST(pxe->Arp(pxe, &cfg.server, &mac), EFI_SUCCESS, "Arp(the server)");
	UINT8 zero[6] = {0};
	REQ(CompareMem(mac.Addr, zero, 6) != 0, L"Arp returned MAC 00:00:00:00:00:00");
	for (UINT32 i = 0; i < mode->ArpCacheEntries && i < EFI_PXE_BASE_CODE_MAX_ARP_ENTRIES; i++)
		if (ip_eq(&mode->ArpCache[i].IpAddr, &cfg.server))
			cached = CompareMem(mode->ArpCache[i].MacAddr.Addr, mac.Addr, 6) == 0;
	REQ(cached, L"Mode's ARP cache (%d entries) lacks %d.%d.%d.%d at the MAC Arp gave",
	    mode->ArpCacheEntries, IP4(cfg.server));
	REQ_ST(pxe->Arp(pxe, NULL, &mac), EFI_INVALID_PARAMETER, "Arp(NULL)");
	UINT64 t0 = rdtsc();
	EFI_STATUS st = pxe->Arp(pxe, &cfg.unknown, NULL);
	UINT64 ms = ms_since(t0);
	REQ(st == EFI_TIMEOUT, L"Arp(%d.%d.%d.%d, nobody) returned %r after %ld ms",
	    IP4(cfg.unknown), st, ms);
	REQ(ms <= 10000, L"Arp of nobody took %ld ms", ms);
	pt_ok(T_NAME,
	      L"%d.%d.%d.%d is at %02x:%02x:%02x:%02x:%02x:%02x, in Mode's cache; nobody: "
	      L"EFI_TIMEOUT after %ld ms",
	      IP4(cfg.server), mac.Addr[0], mac.Addr[1], mac.Addr[2], mac.Addr[3], mac.Addr[4],
	      mac.Addr[5], ms);
out:;
}
#undef T_NAME

/* SetParameters: Mode follows, the TTL and ToS reach the wire. */
#define T_NAME "set-parameters"
static void check_set_parameters(void)
{
	UINT8 ttl = 33, tos = 0x20, old_ttl = mode->TTL, old_tos = mode->ToS;
	BOOLEAN f = FALSE, t = TRUE, old_arp = mode->AutoArp;
	static const CHAR8 q[] = "ttl?";
	static CHAR8 got[64];
	UINTN len = sizeof(got);

	REQ_ST(pxe->SetParameters(pxe, &f, NULL, &ttl, &tos, NULL), EFI_SUCCESS,
	       "SetParameters(AutoArp FALSE, TTL 33, ToS 0x20)");
	REQ(!mode->AutoArp && mode->TTL == 33 && mode->ToS == 0x20,
	    L"Mode: AutoArp %d TTL %d ToS 0x%x", mode->AutoArp, mode->TTL, mode->ToS);
	REQ_ST(pxe->SetParameters(pxe, &t, NULL, NULL, NULL, NULL), EFI_SUCCESS,
	       "SetParameters(AutoArp TRUE)");
	REQ(mode->AutoArp && mode->TTL == 33, L"a NULL TTL changed Mode->TTL to %d", mode->TTL);
	if (cfg.wire) {
		REQ_ST(udp_send(q, sizeof(q) - 1), EFI_SUCCESS, "UdpWrite(ttl?)");
		REQ_ST(udp_recv(&mode->StationIp, got, &len, 0), EFI_SUCCESS, "UdpRead(ttl=)");
		got[len < sizeof(got) ? len : sizeof(got) - 1] = 0;
		REQ(str8_eq(got, (const CHAR8 *)"ttl=33 tos=32", sizeof(got)),
		    L"the echo server saw '%a', expected 'ttl=33 tos=32'", got);
	}
	/* s.24.3: MakeCallback needs a Callback protocol on the handle; we have none. */
	REQ_ST(pxe->SetParameters(pxe, NULL, NULL, NULL, NULL, &t), EFI_INVALID_PARAMETER,
	       "SetParameters(MakeCallback TRUE) with no Callback protocol");
	REQ(!mode->MakeCallbacks, L"MakeCallbacks TRUE after a refused call");
	pt_ok(T_NAME, L"AutoArp, TTL 33, ToS 0x20 in Mode%a; MakeCallback refused",
	      cfg.wire ? " and on the wire" : "");
out:
	pxe->SetParameters(pxe, &old_arp, NULL, &old_ttl, &old_tos, NULL);
}
#undef T_NAME

/* SetStationIp moves us to another address (and the echo answers us
 * there), refuses a bad mask, and moves back. */
#define T_NAME "set-station-ip"
static void check_set_station_ip(void)
{
	EFI_IP_ADDRESS ip = mode->StationIp, mask = mode->SubnetMask, bad;
	static const CHAR8 msg[] = "pxetest from altip";
	static CHAR8 got[64];
	UINTN len = sizeof(got);

	REQ_ST(pxe->SetStationIp(pxe, &cfg.altip, NULL), EFI_SUCCESS, "SetStationIp(altip)");
	REQ(ip_eq(&mode->StationIp, &cfg.altip) && ip_eq(&mode->SubnetMask, &mask),
	    L"Mode: %d.%d.%d.%d/%d.%d.%d.%d", IP4(mode->StationIp), IP4(mode->SubnetMask));
	if (cfg.wire) {
		REQ_ST(udp_send(msg, sizeof(msg) - 1), EFI_SUCCESS, "UdpWrite from altip");
		REQ_ST(udp_recv(&cfg.altip, got, &len, 0), EFI_SUCCESS,
		       "UdpRead(DestIp altip) of the echo");
		REQ(len == sizeof(msg) - 1, L"echo to altip: %ld bytes", len);
	}
	SetMem(&bad, sizeof(bad), 0);
	bad.v4.Addr[0] = 255;
	bad.v4.Addr[2] = 255; /* 255.0.255.0: not contiguous */
	REQ_ST(pxe->SetStationIp(pxe, NULL, &bad), EFI_INVALID_PARAMETER,
	       "SetStationIp(mask 255.0.255.0)");
	REQ_ST(pxe->SetStationIp(pxe, &ip, &mask), EFI_SUCCESS, "SetStationIp(back)");
	REQ(ip_eq(&mode->StationIp, &ip), L"StationIp %d.%d.%d.%d after moving back",
	    IP4(mode->StationIp));
	pt_ok(T_NAME, L"%d.%d.%d.%d%a and back to %d.%d.%d.%d; a bad mask refused", IP4(cfg.altip),
	      cfg.wire ? " (echo answered there)" : "", IP4(ip));
	return;
out:
	pxe->SetStationIp(pxe, &ip, &mask);
}
#undef T_NAME

/* SetPackets replaces exactly the packets and flags it is given. */
#define T_NAME "set-packets"
static void check_set_packets(void)
{
	static EFI_PXE_BASE_CODE_PACKET saved_offer, saved_ack, fake;
	BOOLEAN saved_flag = mode->ProxyOfferReceived, t = TRUE;

	CopyMem(&saved_offer, &mode->ProxyOffer, sizeof(fake));
	CopyMem(&saved_ack, &mode->DhcpAck, sizeof(fake));
	SetMem(&fake, sizeof(fake), 0);
	fake.Dhcpv4.BootpOpcode = 2;
	CopyMem(fake.Dhcpv4.BootpBootFile, "pxetest-set-packets", 20);
	REQ_ST(pxe->SetPackets(pxe, NULL, NULL, &t, NULL, NULL, NULL, NULL, NULL, &fake, NULL, NULL,
			       NULL),
	       EFI_SUCCESS, "SetPackets(ProxyOffer)");
	REQ(mode->ProxyOfferReceived && CompareMem(&mode->ProxyOffer, &fake, sizeof(fake)) == 0,
	    L"ProxyOffer not replaced (flag %d)", mode->ProxyOfferReceived);
	REQ(mode->DhcpAckReceived && CompareMem(&mode->DhcpAck, &saved_ack, sizeof(fake)) == 0,
	    L"SetPackets changed the DhcpAck it was not given");
	REQ_ST(pxe->SetPackets(pxe, NULL, NULL, &saved_flag, NULL, NULL, NULL, NULL, NULL,
			       &saved_offer, NULL, NULL, NULL),
	       EFI_SUCCESS, "SetPackets(restore)");
	REQ(mode->ProxyOfferReceived == saved_flag, L"ProxyOfferReceived not restored");
	pt_ok(T_NAME, L"ProxyOffer set and restored, DhcpAck untouched");
out:;
}
#undef T_NAME

/* Stop: everything but Start answers EFI_NOT_STARTED. Start clears Mode,
 * Dhcp fills it again, Mtftp works again. */
#define T_NAME "stop-start"
static void check_stop_start(void)
{
	EFI_IP_ADDRESS ip = mode->StationIp;
	UINT64 size = 0;
	static CHAR8 got[16];
	UINTN len = sizeof(got);
	UINT16 port = 40998;

	REQ_ST(pxe->Stop(pxe), EFI_SUCCESS, "Stop");
	REQ(!mode->Started, L"Started TRUE after Stop");
	REQ_ST(pxe->Stop(pxe), EFI_NOT_STARTED, "Stop when stopped");
	REQ_ST(pxe->Dhcp(pxe, FALSE), EFI_NOT_STARTED, "Dhcp when stopped");
	REQ_ST(mtftp(EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, &size, NULL, &cfg.server, cfg.data,
		     FALSE),
	       EFI_NOT_STARTED, "Mtftp when stopped");
	REQ_ST(pxe->UdpRead(pxe,
			    EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_IP |
				EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_SRC_PORT |
				EFI_PXE_BASE_CODE_UDP_OPFLAGS_ANY_DEST_IP,
			    NULL, &port, NULL, NULL, NULL, NULL, &len, got),
	       EFI_NOT_STARTED, "UdpRead when stopped");
	REQ_ST(pxe->Start(pxe, TRUE), mode->Ipv6Supported ? EFI_SUCCESS : EFI_UNSUPPORTED,
	       "Start(UseIpv6 TRUE)");
	if (mode->Started)
		REQ_ST(pxe->Stop(pxe), EFI_SUCCESS, "Stop after Start(IPv6)");
	REQ_ST(pxe->Start(pxe, FALSE), EFI_SUCCESS, "Start(FALSE)");
	REQ(mode->Started && !mode->UsingIpv6 && !mode->DhcpAckReceived,
	    L"after Start: Started %d UsingIpv6 %d DhcpAckReceived %d", mode->Started,
	    mode->UsingIpv6, mode->DhcpAckReceived);
	REQ_ST(pxe->Dhcp(pxe, FALSE), EFI_SUCCESS, "Dhcp after Start");
	REQ(mode->DhcpAckReceived && ip_eq(&mode->StationIp, &ip),
	    L"after Dhcp: DhcpAckReceived %d StationIp %d.%d.%d.%d", mode->DhcpAckReceived,
	    IP4(mode->StationIp));
	REQ_ST(mtftp(EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, &size, NULL, &cfg.server, cfg.data,
		     FALSE),
	       EFI_SUCCESS, "Mtftp(GET_FILE_SIZE) after Start and Dhcp");
	REQ(size == cfg.data_size, L"size %ld after restart", size);
	pt_ok(T_NAME, L"EFI_NOT_STARTED while stopped; Start, Dhcp, Mtftp work again");
out:;
}
#undef T_NAME

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	InitializeLib(image, systab);
	BS->SetWatchdogTimer(0, 0, 0, NULL);
	Print(L"PXETEST start\r\n");
	/* Mode first, before any call can change it. */
	if (check_locate(image)) {
		check_mode();
		check_clock();
		if (read_config()) {
			check_start();
			check_dhcp();
			check_discover();
			check_mtftp_size();
			check_mtftp_read();
			check_mtftp_small();
			check_mtftp_missing();
			check_mtftp_unknown();
			check_mtftp_args();
			check_udp_echo();
			check_udp_small();
			check_udp_timeout();
			check_ip_filter();
			check_arp();
			check_set_parameters();
			check_set_station_ip();
			check_set_packets();
			check_stop_start();
		}
	}
	Print(L"PXETEST done: %ld ok, %ld failed\r\n", pt_passed, pt_failed);
	return pt_failed ? EFI_ABORTED : EFI_SUCCESS;
}
