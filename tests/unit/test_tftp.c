/* The TFTP read client (pxe/tftp.c): request bytes, OACK parsing, and whole
 * transfers against a scripted server (tftp_fake.h) with loss, duplicates,
 * reordering, strangers, lying and silent servers, in simulated time.
 *
 * Tests named test_bug_* pin down defects these tests found in pxe/tftp.c
 * (all fixed): each says what should happen and what used to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <tftp.h>
#include "tftp_fake.h"

#define S SIM_START_MS

/* A request before any round trip is measured: 250 ms, doubling to 1 s. */
static uint64_t backoff_at(unsigned n)
{
	return backoff_capped(TFTP_FIRST_TIMEOUT_MS, n, TFTP_MAX_REQUEST_TIMEOUT_MS);
}

/* Read requests sent again before TFTP_REQUEST_GIVE_UP_MS runs out. */
static unsigned request_retries(void)
{
	unsigned n = 0;

	while (backoff_at(n + 1) < TFTP_REQUEST_GIVE_UP_MS)
		n++;
	return n;
}

static void assert_received_whole_file(const struct sim *m)
{
	if (m->x.state != TFTP_DONE)
		fail_msg("state %d, not TFTP_DONE: \"%s\"", m->x.state, m->x.why);
	assert_int_equal(m->x.err_code, 0);
	assert_string_equal(m->x.why, "");
	assert_int_equal(m->x.bytes, m->len);
	if (m->len)
		assert_memory_equal(m->x.buf, m->file, m->len);
	assert_true(m->x.cap >= m->len);
}

static void assert_acks(const struct sim *m, const uint16_t *want, size_t n)
{
	if (m->nacks != n || memcmp(m->acks, want, n * sizeof(*want))) {
		fprintf(stderr, "ACKs sent:");
		for (size_t i = 0; i < m->nacks; i++)
			fprintf(stderr, " %u", m->acks[i]);
		fprintf(stderr, "\n");
	}
	for (size_t i = 0; i < n && i < m->nacks; i++)
		if (m->acks[i] != want[i])
			fail_msg("ACK #%zu is %u, expected %u", i, m->acks[i], want[i]);
	assert_int_equal(m->nacks, n);
}

/* ACKs 0..n-1 in order: a lock-step transfer of n-1 blocks after an OACK. */
static void assert_acks_count_up(const struct sim *m, size_t n)
{
	for (size_t i = 0; i < n && i < m->nacks; i++)
		if (m->acks[i] != (uint16_t)i)
			fail_msg("ACK #%zu is %u, expected %u", i, m->acks[i],
				 (unsigned)(uint16_t)i);
	assert_int_equal(m->nacks, n);
}

static void assert_failed(const struct sim *m, int code, const char *why)
{
	assert_int_equal(m->x.state, TFTP_FAILED);
	assert_int_equal(m->x.err_code, code);
	assert_string_equal(m->x.why, why);
}

static void assert_sent_error(const struct sim *m, unsigned i, uint16_t port, uint16_t code,
			      const char *msg)
{
	assert_true(i < m->nerrs);
	assert_int_equal(m->errs[i].port, port);
	assert_int_equal(m->errs[i].code, code);
	assert_string_equal(m->errs[i].msg, msg);
}

static void assert_counters(const struct sim *m, uint64_t dups, uint64_t out_of_order,
			    uint64_t retransmits)
{
	assert_int_equal(m->x.dups, dups);
	assert_int_equal(m->x.out_of_order, out_of_order);
	assert_int_equal(m->x.retransmits, retransmits);
}

static void done(struct sim *m, uint8_t *file)
{
	sim_free(m);
	free(file);
}

/* ---- RRQ bytes (RFC 1350 s.5, RFC 2347 s.2) ---- */

static const uint8_t RRQ_PLAIN[] = "\0\1boot.efi\0octet";
static const uint8_t RRQ_OPTS[] =
    "\0\1boot.efi\0octet\0blksize\0001428\0tsize\0000\0windowsize\0004";

static void test_rrq_without_options_is_name_and_mode(void **state)
{
	uint8_t buf[64];

	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(tftp_build_rrq(buf, sizeof(buf), "boot.efi", 0, 0, false),
			 sizeof(RRQ_PLAIN));
	assert_memory_equal(buf, RRQ_PLAIN, sizeof(RRQ_PLAIN));
	assert_int_equal(buf[sizeof(RRQ_PLAIN)], 0xaa);
	/* windowsize 1 is lock-step: not worth asking for */
	assert_int_equal(tftp_build_rrq(buf, sizeof(buf), "boot.efi", 0, 1, false),
			 sizeof(RRQ_PLAIN));
}

static void test_rrq_with_options_blksize_tsize_windowsize(void **state)
{
	uint8_t buf[128];

	assert_int_equal(tftp_build_rrq(buf, sizeof(buf), "boot.efi", 1428, 4, true),
			 sizeof(RRQ_OPTS));
	assert_memory_equal(buf, RRQ_OPTS, sizeof(RRQ_OPTS));

	static const uint8_t only_bs[] = "\0\1a\0octet\0blksize\00065464";
	assert_int_equal(tftp_build_rrq(buf, sizeof(buf), "a", 65464, 0, false), sizeof(only_bs));
	assert_memory_equal(buf, only_bs, sizeof(only_bs));

	static const uint8_t only_ts[] = "\0\1a\0octet\0tsize\0000";
	assert_int_equal(tftp_build_rrq(buf, sizeof(buf), "a", 0, 1, true), sizeof(only_ts));
	assert_memory_equal(buf, only_ts, sizeof(only_ts));

	static const uint8_t only_win[] = "\0\1a\0octet\0windowsize\00064";
	assert_int_equal(tftp_build_rrq(buf, sizeof(buf), "a", 0, 64, false), sizeof(only_win));
	assert_memory_equal(buf, only_win, sizeof(only_win));
}

static void test_rrq_too_small_buffer_returns_0(void **state)
{
	uint8_t buf[128];

	for (size_t cap = 0; cap < sizeof(RRQ_OPTS); cap++) {
		memset(buf, 0xaa, sizeof(buf));
		assert_int_equal(tftp_build_rrq(buf, cap, "boot.efi", 1428, 4, true), 0);
		for (size_t i = cap; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0xaa); /* nothing written past cap */
	}
	assert_int_equal(tftp_build_rrq(buf, sizeof(RRQ_OPTS), "boot.efi", 1428, 4, true),
			 sizeof(RRQ_OPTS));
	for (size_t cap = 0; cap < sizeof(RRQ_PLAIN); cap++)
		assert_int_equal(tftp_build_rrq(buf, cap, "boot.efi", 0, 0, false), 0);
}

static void test_start_sends_the_rrq_to_port_69(void **state)
{
	uint8_t *file = make_file(10);
	struct sim *m = sim_new(file, 10, 1428, 4, true);

	m->k.mute = true;
	tftp_start(&m->x, S);
	assert_int_equal(m->x.state, TFTP_REQUESTING);
	assert_true(m->x.options_sent);
	assert_int_equal(m->rrqs, 1);
	assert_int_equal(m->rrq_len[0], sizeof(RRQ_OPTS));
	assert_memory_equal(m->rrq[0], RRQ_OPTS, sizeof(RRQ_OPTS));
	/* A request without options says so. */
	struct sim *p = sim_new(file, 10, 0, 1, false);
	p->k.mute = true;
	tftp_start(&p->x, S);
	assert_false(p->x.options_sent);
	assert_int_equal(p->rrq_len[0], sizeof(RRQ_PLAIN));
	assert_memory_equal(p->rrq[0], RRQ_PLAIN, sizeof(RRQ_PLAIN));
	sim_free(p);
	done(m, file);
}

static void test_start_with_a_name_too_long_for_a_request_fails(void **state)
{
	char name[600];
	uint8_t *file = make_file(10);
	struct sim *m = sim_new(file, 10, 1428, 4, true);

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	m->x.filename = name;
	tftp_start(&m->x, S);
	assert_failed(m, -1, "file name too long for a request");
	assert_int_equal(m->rrqs, 0);
	done(m, file);
}

/* ---- OACK parsing (RFC 2347, 2348, 2349, 7440) ---- */

static int oack(const char *opts, size_t len, uint16_t *bs, uint16_t *win, uint64_t *tsize,
		bool *has_tsize)
{
	return tftp_parse_oack((const uint8_t *)opts, len, bs, win, tsize, has_tsize);
}

#define OACK(s) (s), sizeof(s) - 1 /* a literal, without the C string's own NUL */

static void test_oack_grants_within_the_request_are_accepted(void **state)
{
	uint16_t bs = 1428, win = 8;
	uint64_t tsize = 0;
	bool has = false;

	assert_int_equal(oack(OACK("blksize\0001024\0tsize\00012345\0windowsize\0004\0"), &bs, &win,
			      &tsize, &has),
			 0);
	assert_int_equal(bs, 1024);
	assert_int_equal(win, 4);
	assert_true(has);
	assert_int_equal(tsize, 12345);

	/* exactly what was asked, and the smallest legal values */
	bs = 1428, win = 8;
	assert_int_equal(oack(OACK("windowsize\0008\0blksize\0001428\0"), &bs, &win, &tsize, &has),
			 0);
	assert_int_equal(bs, 1428);
	assert_int_equal(win, 8);
	bs = 1428, win = 8;
	assert_int_equal(oack(OACK("blksize\0008\0windowsize\0001\0"), &bs, &win, &tsize, &has), 0);
	assert_int_equal(bs, 8);
	assert_int_equal(win, 1);
	/* tsize is 64-bit */
	has = false;
	bs = 512, win = 1;
	assert_int_equal(oack(OACK("tsize\0008589934592\0"), &bs, &win, &tsize, &has), 0);
	assert_true(has);
	assert_int_equal(tsize, 8589934592ull);
}

static void test_oack_blksize_above_request_or_below_8_is_refused(void **state)
{
	uint16_t bs, win;
	uint64_t tsize = 0;
	bool has = false;

	bs = 1428, win = 1;
	assert_int_equal(oack(OACK("blksize\0001429\0"), &bs, &win, &tsize, &has), -1);
	bs = 1428, win = 1;
	assert_int_equal(oack(OACK("blksize\0007\0"), &bs, &win, &tsize, &has), -1);
	bs = 1428, win = 1;
	assert_int_equal(oack(OACK("blksize\0000\0"), &bs, &win, &tsize, &has), -1);
	/* 65544 is 8 modulo 65536: the check must see the whole value */
	bs = TFTP_MAX_BLKSIZE, win = 1;
	assert_int_equal(oack(OACK("blksize\00065544\0"), &bs, &win, &tsize, &has), -1);
	bs = 1428, win = 1;
	assert_int_equal(oack(OACK("blksize\00099999999999999999999\0"), &bs, &win, &tsize, &has),
			 -1);
	/* a block size we did not ask for at all */
	bs = 0, win = 1;
	assert_int_equal(oack(OACK("blksize\000512\0"), &bs, &win, &tsize, &has), -1);
}

static void test_oack_windowsize_0_or_above_request_is_refused(void **state)
{
	uint16_t bs, win;
	uint64_t tsize = 0;
	bool has = false;

	bs = 512, win = 8;
	assert_int_equal(oack(OACK("windowsize\0000\0"), &bs, &win, &tsize, &has), -1);
	bs = 512, win = 8;
	assert_int_equal(oack(OACK("windowsize\0009\0"), &bs, &win, &tsize, &has), -1);
	bs = 512, win = 8;
	assert_int_equal(oack(OACK("windowsize\00065544\0"), &bs, &win, &tsize, &has), -1);
	bs = 512, win = 1; /* not asked: only 1 is no change */
	assert_int_equal(oack(OACK("windowsize\0002\0"), &bs, &win, &tsize, &has), -1);
}

static void test_oack_option_we_did_not_request_is_refused(void **state)
{
	uint16_t bs = 1428, win = 8;
	uint64_t tsize = 0;
	bool has = false;

	assert_int_equal(oack(OACK("timeout\0005\0"), &bs, &win, &tsize, &has), -1);
	bs = 1428, win = 8;
	assert_int_equal(oack(OACK("blksize\0001024\0timeout\0005\0"), &bs, &win, &tsize, &has),
			 -1);
	bs = 1428, win = 8;
	assert_int_equal(oack(OACK("multicast\0\0"), &bs, &win, &tsize, &has), -1);
	bs = 1428, win = 8;
	assert_int_equal(oack(OACK("\0005\0"), &bs, &win, &tsize, &has), -1);
	bs = 1428, win = 8; /* a prefix of a name is another name */
	assert_int_equal(oack(OACK("blk\000512\0"), &bs, &win, &tsize, &has), -1);
	bs = 1428, win = 8;
	assert_int_equal(oack(OACK("blksizes\000512\0"), &bs, &win, &tsize, &has), -1);
}

static void test_oack_missing_nul_terminators_are_refused(void **state)
{
	uint16_t bs, win;
	uint64_t tsize = 0;
	bool has = false;
	static const char good[] = "blksize\0001024\0windowsize\0004\0";

	/* Every strict prefix of a good OACK ends inside a name or a value. */
	for (size_t n = 1; n < sizeof(good) - 1; n++) {
		bs = 1428, win = 8;
		/* only "blksize\0" "1024\0" is whole */
		assert_int_equal(oack(good, n, &bs, &win, &tsize, &has), n == 13 ? 0 : -1);
	}
	bs = 1428, win = 8;
	assert_int_equal(oack(OACK("blksize"), &bs, &win, &tsize, &has), -1);
	bs = 1428, win = 8;
	assert_int_equal(oack(OACK("blksize\0"), &bs, &win, &tsize, &has), -1);
	bs = 1428, win = 8;
	assert_int_equal(oack(OACK("blksize\0001024"), &bs, &win, &tsize, &has), -1);
}

static void test_oack_non_decimal_values_are_refused(void **state)
{
	static const char *const bad[] = {"",	"0x10", "12a", " 12", "12 ",
					  "-1", "+1",	"1e3", "1.0", "1\xff"};
	char buf[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint16_t bs = 1428, win = 8;
		uint64_t tsize = 0;
		bool has = false;
		static const char *const names[] = {"blksize", "windowsize", "tsize"};
		for (size_t j = 0; j < 3; j++) {
			size_t n =
			    (size_t)snprintf(buf, sizeof(buf), "%s%c%s", names[j], 0, bad[i]);
			buf[n++] = '\0';
			bs = 1428, win = 8;
			if (oack(buf, n, &bs, &win, &tsize, &has) != -1)
				fail_msg("%s=\"%s\" was accepted", names[j], bad[i]);
		}
	}
	/* 20 digits past UINT64_MAX must not wrap */
	uint16_t bs = 512, win = 1;
	uint64_t tsize = 0;
	bool has = false;
	assert_int_equal(oack(OACK("tsize\00099999999999999999999\0"), &bs, &win, &tsize, &has),
			 -1);
}

static void test_oack_option_names_are_case_insensitive(void **state)
{
	uint16_t bs = 1428, win = 8;
	uint64_t tsize = 0;
	bool has = false;

	assert_int_equal(
	    oack(OACK("BlkSize\0001000\0WINDOWSIZE\0003\0TSize\00077\0"), &bs, &win, &tsize, &has),
	    0);
	assert_int_equal(bs, 1000);
	assert_int_equal(win, 3);
	assert_true(has);
	assert_int_equal(tsize, 77);
}

static void test_oack_omitted_options_come_back_as_512_and_1(void **state)
{
	uint16_t bs = 1428, win = 8;
	uint64_t tsize = 99;
	bool has = false;

	assert_int_equal(oack("", 0, &bs, &win, &tsize, &has), 0);
	assert_int_equal(bs, 512);
	assert_int_equal(win, 1);
	assert_false(has);
	assert_int_equal(tsize, 99);

	bs = 1428, win = 8;
	assert_int_equal(oack(OACK("tsize\0005\0"), &bs, &win, &tsize, &has), 0);
	assert_int_equal(bs, 512);
	assert_int_equal(win, 1);
	assert_true(has);
	assert_int_equal(tsize, 5);
}

/* ---- Whole transfers ---- */

static void test_lockstep_512_when_the_server_ignores_options(void **state)
{
	uint8_t *file = make_file(1300);
	struct sim *m = sim_new(file, 1300, 1428, 4, true);

	m->k.ignore_options = true;
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {1, 2, 3}; /* 512 + 512 + 276 */
	assert_acks(m, acks, 3);
	assert_int_equal(m->x.blksize, 512);
	assert_int_equal(m->x.window, 1);
	assert_false(m->x.has_tsize);
	assert_int_equal(m->x.tid, SRV_PORT);
	assert_int_equal(m->x.acks, 3);
	assert_int_equal(m->x.next, 4);
	assert_counters(m, 0, 0, 0);
	assert_int_equal(m->rrqs, 1);
	assert_int_equal(m->nerrs, 0);
	/* No size known: one 1 MiB buffer to start with. */
	assert_int_equal(m->grow_calls, 1);
	assert_int_equal(m->grow_need, 1 << 20);
	done(m, file);
}

static void test_blksize_1428_with_tsize(void **state)
{
	uint8_t *file = make_file(100000);
	struct sim *m = sim_new(file, 100000, 1428, 0, true);

	sim_run(m);
	assert_received_whole_file(m);
	assert_acks_count_up(m, 72); /* ACK 0 for the OACK, then 70 full blocks + 40 bytes */
	assert_int_equal(m->x.blksize, 1428);
	assert_int_equal(m->x.window, 1);
	assert_true(m->x.has_tsize);
	assert_int_equal(m->x.tsize, 100000);
	assert_counters(m, 0, 0, 0);
	/* tsize known: one allocation for the whole file */
	assert_int_equal(m->grow_calls, 1);
	assert_int_equal(m->grow_need, 100000); /* exactly tsize */
	done(m, file);
}

static void test_windowsize_4_with_blksize_1024(void **state)
{
	uint8_t *file = make_file(10 * 1024 + 100);
	struct sim *m = sim_new(file, 10 * 1024 + 100, 1024, 4, true);

	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {0, 4, 8, 11};
	assert_acks(m, acks, 4);
	assert_int_equal(m->x.blksize, 1024);
	assert_int_equal(m->x.window, 4);
	assert_int_equal(m->x.acks, 4);
	assert_counters(m, 0, 0, 0);
	done(m, file);
}

static void test_granted_smaller_blksize_and_window_are_used(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 1428, 8, true);

	m->k.max_blksize = 1024;
	m->k.grant_window = 2;
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {0, 2, 4, 5}; /* 4 x 1024 + 904 */
	assert_acks(m, acks, 4);
	assert_int_equal(m->x.blksize, 1024);
	assert_int_equal(m->x.window, 2);
	done(m, file);
}

static void test_oack_without_windowsize_or_tsize_runs_lockstep(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 8, true);

	m->k.omit_window = true;
	m->k.omit_tsize = true;
	sim_run(m);
	assert_received_whole_file(m);
	assert_acks_count_up(m, 11);
	assert_int_equal(m->x.window, 1);
	assert_false(m->x.has_tsize);
	done(m, file);
}

static void test_exact_multiple_of_blksize_ends_with_an_empty_block(void **state)
{
	uint8_t *file = make_file(4096);
	struct sim *m = sim_new(file, 2048, 512, 0, true);

	sim_run(m);
	assert_received_whole_file(m);
	assert_acks_count_up(m, 6); /* 4 full blocks, then block 5 with no data */
	assert_int_equal(m->x.next, 6);
	sim_free(m);

	m = sim_new(file, 4096, 512, 4, false);
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {0, 4, 8, 9};
	assert_acks(m, acks, 4);
	done(m, file);
}

static void test_empty_file(void **state)
{
	uint8_t *file = make_file(0);
	struct sim *m = sim_new(file, 0, 512, 4, true);

	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {0, 1};
	assert_acks(m, acks, 2);
	assert_true(m->x.has_tsize);
	assert_int_equal(m->x.tsize, 0);
	assert_int_equal(m->grow_calls, 0); /* nothing to hold, nothing allocated */
	sim_free(m);

	/* No tsize: nothing to store, nothing allocated. */
	m = sim_new(file, 0, 0, 0, false);
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks2[] = {1};
	assert_acks(m, acks2, 1);
	assert_int_equal(m->grow_calls, 0);
	done(m, file);
}

#define ROLLOVER_LEN (65536 * 8 + 3) /* blocks 1..65537 at blksize 8 */

static void test_block_numbers_roll_over_past_65535(void **state)
{
	uint8_t *file = make_file(ROLLOVER_LEN);
	struct sim *m = sim_new(file, ROLLOVER_LEN, 8, 0, true);

	sim_run(m);
	assert_received_whole_file(m);
	/* ACK 0 (OACK), 1 .. 65535, then 0 for block 65536 and 1 for block 65537 */
	assert_acks_count_up(m, 65538);
	assert_int_equal(m->acks[65535], 65535);
	assert_int_equal(m->acks[65536], 0);
	assert_int_equal(m->acks[65537], 1);
	assert_int_equal(m->x.next, 65538);
	assert_int_equal(m->x.blksize, 8);
	assert_counters(m, 0, 0, 0);
	done(m, file);
}

static void test_gap_across_the_rollover_is_recovered(void **state)
{
	uint8_t *file = make_file(ROLLOVER_LEN);
	struct sim *m = sim_new(file, ROLLOVER_LEN, 8, 4, true);

	/* Window 65533..65536 (numbers 65533, 65534, 65535, 0) loses 65535:
	 * block 0 is ahead of 65535, not 65535 blocks behind. */
	m->k.drop_block = 65535;
	sim_run(m);
	assert_received_whole_file(m);
	for (size_t i = 0; i < 16384; i++)
		assert_int_equal(m->acks[i], (uint16_t)(4 * i));
	assert_int_equal(m->acks[16384], 65534); /* the last block in order */
	assert_int_equal(m->acks[m->nacks - 1], 1); /* block 65537, the end */
	assert_int_equal(m->x.out_of_order, 1);
	assert_int_equal(m->x.retransmits, 0);
	done(m, file);
}

/* ---- Loss, duplicates, reordering ---- */

static void test_dropped_block_acks_the_last_in_order_block(void **state)
{
	uint8_t *file = make_file(5000); /* 9 x 512 + 392: 10 blocks */
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	m->k.drop_block = 2;
	sim_run(m);
	assert_received_whole_file(m);
	/* Blocks 1, 3, 4 arrive: the gap is answered once, at once, with ACK 1
	 * (4 is dropped quietly), the server restarts at 2. */
	static const uint16_t acks[] = {0, 1, 5, 9, 10};
	assert_acks(m, acks, 5);
	assert_counters(m, 0, 2, 0);
	assert_int_equal(m->x.window, 4);
	done(m, file);
}

static void test_lost_first_block_of_a_window_is_recovered(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	/* After ACK 4, block 5 is lost: 6 says ACK 4 once (7 and 8 are dropped
	 * quietly); this server only listens once its window is out, so the
	 * timer says ACK 4 again and the server resends from 5. */
	m->k.drop_block = 5;
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {0, 4, 4, 4, 8, 10};
	assert_acks(m, acks, 6);
	assert_counters(m, 0, 3, 1);
	done(m, file);
}

static void test_duplicate_blocks_are_counted_and_ignored(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	/* In a window: the copy changes nothing, no extra ACK. */
	m->k.dup_block = 2;
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {0, 4, 8, 10};
	assert_acks(m, acks, 4);
	assert_counters(m, 1, 0, 0);
	sim_free(m);

	/* Lock-step: a copy of the block just acknowledged that comes at once
	 * is not our lost ACK (the server's timer would take longer): no ACK. */
	m = sim_new(file, 1300, 0, 0, false);
	m->k.dup_block = 2;
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks2[] = {1, 2, 3};
	assert_acks(m, acks2, 3);
	assert_counters(m, 1, 0, 0);
	sim_free(m);

	/* Sorcerer's Apprentice (RFC 1123 s.4.2.3.1): a server that sends on
	 * every ACK, duplicates included, and one copy of block 2. Answering
	 * copies at once would get every later block twice. */
	m = sim_new(file, 5000, 0, 0, false);
	m->k.eager = true;
	m->k.dup_block = 2;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.dups, 1);
	assert_int_equal(m->nacks, 10);
	done(m, file);
}

static void test_lost_ack_makes_the_server_resend_and_the_client_reack(void **state)
{
	uint8_t *file = make_file(4700); /* 9 x 512 + 92 */
	struct sim *m = sim_new(file, 4700, 512, 4, true);

	m->k.resend_ms = 500;
	m->k.drop_ack_on = true;
	m->k.drop_ack = 4;
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {0, 4, 4, 8, 10};
	assert_acks(m, acks, 5);
	assert_int_equal(m->ack_ms[1], S);
	/* With windows the timer, one (measured, floored) retransmission
	 * timeout after the last new block, says ACK 4 again. */
	assert_int_equal(m->ack_ms[2], S + TFTP_MIN_RTO_MS);
	assert_counters(m, 0, 0, 1);
	sim_free(m);

	/* Lock-step, the same. */
	m = sim_new(file, 1300, 512, 0, true);
	m->k.resend_ms = 500;
	m->k.drop_ack_on = true;
	m->k.drop_ack = 2;
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks2[] = {0, 1, 2, 2, 3};
	assert_acks(m, acks2, 5);
	/* Our timer (30 ms) runs out before the server's (500 ms): the resent
	 * ACK 2 gets block 3 without a copy of block 2. */
	assert_counters(m, 0, 0, 1);
	assert_int_equal(m->ack_ms[3], S + TFTP_MIN_RTO_MS);
	sim_free(m);

	/* tftp-hpa, which took utimeout 10 ms: it ignores a repeated ACK of an
	 * older block, so ours can only help. The timer's floor is 3 ms: the
	 * lost ACK 2 is said again before tftp-hpa's 10 ms, not after. */
	m = sim_new(file, 1300, 512, 0, true);
	m->x.want_utimeout_us = 10000;
	m->k.grant_utimeout = true;
	m->k.give_up_sends = 6;
	m->k.resend_ms = 10;
	m->k.drop_ack_on = true;
	m->k.drop_ack = 2;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.utimeout_us, 10000);
	assert_acks(m, acks2, 5);
	assert_int_equal(m->ack_ms[3], S + TFTP_MIN_RTO_HPA_MS);
	assert_counters(m, 0, 0, 1);
	done(m, file);
}

static void test_reordered_blocks_in_a_window_complete(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	m->k.swap_block = 2; /* 1, 3, 2, 4 */
	sim_run(m);
	assert_received_whole_file(m);
	/* 3 is ahead: ACK 1; 2 fills the gap; 4 is ahead of 3: ACK 2; the
	 * server's two restarts overlap and the copies are dropped. */
	static const uint16_t acks[] = {0, 1, 2, 6, 10};
	assert_acks(m, acks, 5);
	assert_counters(m, 4, 2, 0);
	done(m, file);
}

static void test_lost_tail_of_a_window_times_out_and_completes(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	/* Block 4, the last of the first window, is lost: no gap to see, so
	 * the client waits for its timer (30 ms: the floor over a measured
	 * 0 ms) and ACKs 3. One stall is a lost tail, not a server that sends
	 * fewer blocks: the window stays 4. */
	m->k.drop_block = 4;
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {0, 3, 7, 10};
	assert_acks(m, acks, 4);
	assert_int_equal(m->nticks, 1);
	assert_int_equal(m->tick_ms[0], S + TFTP_MIN_RTO_MS);
	assert_int_equal(m->tick_window[0], 4);
	assert_int_equal(m->x.window, 4);
	assert_int_equal(m->x.losses, 1);
	assert_int_equal(m->x.retransmits, 1);
	done(m, file);
}

static void test_stalled_window_shrinks_to_what_the_server_sends(void **state)
{
	uint8_t *file = make_file(2000); /* 3 x 512 + 464 */
	struct sim *m = sim_new(file, 2000, 512, 8, true);

	/* The OACK says windowsize 8, the server sends one block per ACK. The
	 * first stall could be a lost tail; the second after the same count
	 * is the server's real window. */
	m->k.send_window = 1;
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {0, 1, 2, 3, 4};
	assert_acks(m, acks, 5);
	assert_int_equal(m->nticks, 2);
	assert_int_equal(m->tick_ms[0], S + TFTP_MIN_RTO_MS);
	assert_int_equal(m->tick_window[0], 8);
	/* Block 2 was progress: the timer started over at 30 ms. */
	assert_int_equal(m->tick_ms[1], S + 2 * TFTP_MIN_RTO_MS);
	assert_int_equal(m->tick_window[1], 1); /* after the second timeout */
	assert_int_equal(m->ack_ms[1], S + TFTP_MIN_RTO_MS);
	assert_int_equal(m->ack_ms[2], S + 2 * TFTP_MIN_RTO_MS);
	assert_int_equal(m->ack_ms[4], S + 2 * TFTP_MIN_RTO_MS); /* no more waiting */
	assert_int_equal(m->x.window, 1);
	assert_counters(m, 0, 0, 2);
	done(m, file);
}

static void test_stranger_gets_error_5_and_the_transfer_goes_on(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	m->k.stranger_block = 3; /* a DATA 3 from another port, just before ours */
	sim_run(m);
	assert_received_whole_file(m); /* the stranger's bytes are not in it */
	assert_int_equal(m->nerrs, 1);
	assert_sent_error(m, 0, STRANGER_PORT, 5, "unknown transfer id");
	static const uint16_t acks[] = {0, 4, 8, 10};
	assert_acks(m, acks, 4);
	assert_int_equal(m->x.tid, SRV_PORT);
	assert_counters(m, 0, 0, 0);
	done(m, file);
}

/* ---- Errors and bounds ---- */

static void test_error_1_file_not_found(void **state)
{
	uint8_t *file = make_file(100);
	struct sim *m = sim_new(file, 100, 1428, 4, true);

	m->k.not_found = true;
	sim_run(m);
	assert_failed(m, 1, "file not found: File not found");
	assert_int_equal(m->rrqs, 1);
	assert_int_equal(m->nacks, 0);
	assert_int_equal(m->nerrs, 0); /* an ERROR is not answered */
	assert_int_equal(m->x.bytes, 0);
	assert_int_equal(m->grow_calls, 0);
	assert_int_equal(m->end_ms, S);
	done(m, file);
}

static void test_error_8_asks_again_without_options(void **state)
{
	uint8_t *file = make_file(1300);
	struct sim *m = sim_new(file, 1300, 1428, 4, true);

	m->k.refuse_options = true;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->rrqs, 2);
	assert_memory_equal(m->rrq[0], RRQ_OPTS, sizeof(RRQ_OPTS));
	assert_int_equal(m->rrq_len[1], sizeof(RRQ_PLAIN));
	assert_memory_equal(m->rrq[1], RRQ_PLAIN, sizeof(RRQ_PLAIN));
	assert_false(m->x.options_sent);
	assert_int_equal(m->x.blksize, 512);
	assert_int_equal(m->x.window, 1);
	static const uint16_t acks[] = {1, 2, 3};
	assert_acks(m, acks, 3);
	sim_free(m);

	/* ERROR 8 to a request without options is the end. */
	m = sim_new(file, 1300, 0, 0, false);
	m->k.mute = true;
	tftp_start(&m->x, S);
	uint8_t e8[] = "\0\5\0\10no options here";
	struct sim_pkt e = {SRV_PORT, 0, sizeof(e8), e8};
	struct tftp_view v = {e.len, sim_copy, &e};
	tftp_input(&m->x, S + 1, SRV_PORT, &v);
	assert_failed(m, 8, "option negotiation refused: no options here");
	assert_int_equal(m->rrqs, 1);
	done(m, file);
}

/* A server that stops after block 3 of every request: the timer backs off
 * for 15 s, the file is asked for again (restart, TFTP_MAX_RESTARTS), and
 * the new attempt stops at the very same byte: that ends it. */
static void test_server_stops_mid_file_backoff_then_fail(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 0, true);

	m->k.stop_after = 3;
	sim_run(m);
	assert_int_equal(m->x.bytes, 3 * 512);
	assert_memory_equal(m->x.buf, file, 3 * 512);
	/* The instant network measured round trips of 0 ms: the timer is the
	 * floor, 30 ms, doubling up to 2 s while nothing new arrives. ACK 0..3,
	 * then ACK 3 again until 15 s have passed without progress. */
	static const uint64_t gap[] = {30, 60, 120, 240, 480, 960, 1920, 2000, 2000};
	for (unsigned i = 0; i < 9; i++)
		assert_int_equal(backoff_from(TFTP_MIN_RTO_MS, i + 1) -
				 backoff_from(TFTP_MIN_RTO_MS, i), gap[i]);
	unsigned n = 0;
	while (backoff_from(TFTP_MIN_RTO_MS, n) < TFTP_GIVE_UP_MS)
		n++;
	assert_int_equal(n, 13);
	/* Each attempt: ACK 0..3, then ACK 3 n - 1 times. */
	assert_int_equal(m->nacks, 2 * (4 + n - 1));
	for (unsigned i = 0; i < m->nacks; i++) {
		unsigned j = i % (4 + n - 1);
		assert_int_equal(m->acks[i], j < 4 ? j : 3);
	}
	for (unsigned i = 0; i + 1 < n && i < 16; i++)
		assert_int_equal(m->tick_ms[i], S + backoff_from(TFTP_MIN_RTO_MS, i + 1));
	/* The restart: the old transfer told to stop, the same request again. */
	uint64_t again = S + backoff_from(TFTP_MIN_RTO_MS, n);
	assert_int_equal(m->rrqs, 2);
	assert_int_equal(m->rrq_ms[1], again);
	assert_int_equal(m->rrq_len[1], m->rrq_len[0]);
	assert_memory_equal(m->rrq[1], m->rrq[0], m->rrq_len[0]);
	assert_sent_error(m, 0, SRV_PORT, 0, "asking again");
	assert_int_equal(m->x.stop_restarts, 1);
	assert_int_equal(m->x.stopped_at, 3 * 512);
	assert_true(m->x.stop_quiet);
	assert_int_equal(m->end_ms, again + backoff_from(TFTP_MIN_RTO_MS, n));
	assert_int_equal(m->x.retransmits, 2 * (n - 1));
	/* The line says what happened: the server went quiet at the same byte. */
	assert_failed(m, -1,
		      "gave up after 24 retransmissions and 1 restart, 2 KiB of 5 KiB arrived, no "
		      "progress for 15.8 s; the server stopped at the same byte as before");
	done(m, file);
}

static void test_no_answer_retransmits_the_rrq_then_fails(void **state)
{
	uint8_t *file = make_file(100);
	struct sim *m = sim_new(file, 100, 1428, 4, true);

	m->k.mute = true;
	sim_run(m);
	assert_failed(m, -1, "no answer from the server");
	/* Nothing measured yet: 250 ms, doubling to 1 s apart, for 7 s in
	 * all: nine requests, so a lossy network still gets an answer. */
	assert_int_equal(request_retries(), 8);
	assert_int_equal(m->rrqs, 1 + request_retries());
	static const uint64_t at[] = {0, 250, 750, 1750, 2750, 3750, 4750, 5750, 6750};
	for (unsigned i = 0; i <= request_retries(); i++) {
		assert_int_equal(at[i], backoff_at(i));
		assert_int_equal(m->rrq_ms[i], S + at[i]);
	}
	assert_memory_equal(m->rrq[1], RRQ_OPTS, sizeof(RRQ_OPTS)); /* the same request */
	assert_int_equal(m->end_ms, S + TFTP_REQUEST_GIVE_UP_MS);
	assert_int_equal(m->x.retransmits, request_retries());
	assert_int_equal(m->nacks, 0);
	assert_int_equal(m->x.tid, 0);
	sim_free(m);

	/* A round trip measured by an earlier transfer sets the first timer. */
	m = sim_new(file, 100, 1428, 4, true);
	m->k.mute = true;
	m->x.seed_rtt_ms = 20; /* 20 + 4 x 10 ms */
	sim_run(m);
	assert_failed(m, -1, "no answer from the server");
	assert_int_equal(m->rrq_ms[1], S + 60);
	assert_int_equal(m->rrq_ms[2], S + 180);
	assert_true(m->rrqs > 1 + request_retries());
	assert_true(m->end_ms >= S + TFTP_REQUEST_GIVE_UP_MS);
	assert_true(m->end_ms < S + TFTP_REQUEST_GIVE_UP_MS + TFTP_MAX_TIMEOUT_MS);
	sim_free(m);

	/* The caller's limit (tftp_timeout=30), for a server that drops
	 * requests while busy: 1 s apart once the backoff tops out. */
	m = sim_new(file, 100, 1428, 4, true);
	m->k.mute = true;
	m->x.request_give_up_ms = 30000;
	sim_run(m);
	assert_failed(m, -1, "no answer from the server");
	assert_int_equal(m->end_ms, S + 30000);
	assert_int_equal(m->rrqs, 1 + request_retries() + (29750 - 6750) / 1000);
	assert_int_equal(m->rrq_ms[15], S + 29750); /* the last slot keeps the latest */
	done(m, file);
}

static void test_tsize_above_max_size_sends_error_3(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	m->x.max_size = 4999;
	sim_run(m);
	assert_failed(m, -1, "file is larger than the memory available for it");
	assert_int_equal(m->nerrs, 1);
	assert_sent_error(m, 0, SRV_PORT, 3, "file too large for memory");
	assert_int_equal(m->nacks, 0);
	assert_int_equal(m->grow_calls, 0);
	assert_int_equal(m->x.bytes, 0);
	done(m, file);
}

static void test_data_beyond_the_announced_tsize_fails(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	m->k.tsize_lie = -100; /* tsize 4900: block 10 would end at 5000 */
	sim_run(m);
	assert_failed(m, -1, "server sent more data than the tsize it announced");
	assert_int_equal(m->nerrs, 1);
	assert_sent_error(m, 0, SRV_PORT, 3, "more data than tsize announced");
	assert_int_equal(m->x.bytes, 9 * 512);
	assert_memory_equal(m->x.buf, file, 9 * 512);
	static const uint16_t acks[] = {0, 4, 8};
	assert_acks(m, acks, 3);
	done(m, file);
}

static void test_transfer_ending_before_tsize_fails(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	m->k.tsize_lie = 100;
	sim_run(m);
	assert_failed(m, -1, "transfer ended before the size the server announced");
	assert_int_equal(m->x.bytes, 5000);
	assert_memory_equal(m->x.buf, file, 5000);
	static const uint16_t acks[] = {0, 4, 8, 10}; /* the last block is acknowledged */
	assert_acks(m, acks, 4);
	done(m, file);
}

static void test_block_larger_than_blksize_fails(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 1428, 0, true);

	/* 1025 bytes is within what we asked for, not what was granted. */
	m->k.max_blksize = 1024;
	m->k.big_block = 2;
	sim_run(m);
	assert_failed(m, -1, "server sent a block larger than the negotiated size");
	assert_int_equal(m->x.bytes, 1024);
	static const uint16_t acks[] = {0, 1};
	assert_acks(m, acks, 2);
	sim_free(m);

	/* Plain RFC 1350: 513 bytes. */
	m = sim_new(file, 1300, 0, 0, false);
	m->k.big_block = 1;
	sim_run(m);
	assert_failed(m, -1, "server sent a block larger than the negotiated size");
	assert_int_equal(m->x.bytes, 0);
	assert_int_equal(m->nacks, 0);
	done(m, file);
}

static void test_grow_returning_null_fails_out_of_memory(void **state)
{
	uint8_t *file = make_file(1300);
	struct sim *m = sim_new(file, 1300, 0, 0, false);

	m->grow_fail = true;
	sim_run(m);
	assert_failed(m, -1, "out of memory for the file");
	assert_int_equal(m->grow_calls, 1);
	assert_int_equal(m->nerrs, 1);
	assert_sent_error(m, 0, SRV_PORT, 3, "out of memory");
	assert_int_equal(m->x.bytes, 0);
	assert_int_equal(m->nacks, 0);
	sim_free(m);

	/* With tsize the allocation happens on the OACK. */
	m = sim_new(file, 1300, 512, 0, true);
	m->grow_fail = true;
	sim_run(m);
	assert_failed(m, -1, "out of memory for the file");
	assert_int_equal(m->grow_calls, 1);
	assert_int_equal(m->grow_need, 1300); /* exactly tsize */
	assert_int_equal(m->nacks, 0);
	assert_null(m->x.buf);
	done(m, file);
}

static void test_file_larger_than_max_size_without_tsize_fails(void **state)
{
	uint8_t *file = make_file(10000);
	struct sim *m = sim_new(file, 10000, 0, 0, false);

	m->x.max_size = 4000; /* block 8 would end at 4096 */
	sim_run(m);
	assert_failed(m, -1, "file is larger than the memory available for it");
	assert_int_equal(m->x.bytes, 7 * 512);
	assert_memory_equal(m->x.buf, file, 7 * 512);
	assert_int_equal(m->nerrs, 1);
	assert_sent_error(m, 0, SRV_PORT, 3, "out of memory");
	static const uint16_t acks[] = {1, 2, 3, 4, 5, 6, 7};
	assert_acks(m, acks, 7);
	assert_int_equal(m->grow_calls, 1);
	assert_int_equal(m->grow_need, 4000); /* 1 MiB, bounded by max_size */
	assert_true(m->x.cap <= m->x.max_size);
	done(m, file);
}

static void test_oack_with_an_option_we_did_not_ask_for_fails(void **state)
{
	uint8_t *file = make_file(1300);
	struct sim *m = sim_new(file, 1300, 1428, 4, true);

	m->k.oack_extra = "timeout\0005";
	sim_run(m);
	assert_failed(m, -1, "server's option acknowledgement refused: an option we did not ask for");
	assert_int_equal(m->nerrs, 1);
	assert_sent_error(m, 0, SRV_PORT, 8, "bad option acknowledgement");
	assert_int_equal(m->nacks, 0);
	done(m, file);
}

/* ---- Loss: the timer, the window, the fallback (RFC 6298, RFC 7440) ---- */

/* The retransmission timer comes from the round trip: a 25 ms one-way delay
 * (each reply comes 25 ms after what asked for it) settles SRTT at 25 ms
 * and the timer at SRTT + max(1 ms, 4 RTTVAR) as RTTVAR decays. */
static void test_timer_follows_the_measured_round_trip(void **state)
{
	uint8_t *file = make_file(40000); /* 79 blocks of 512 */
	struct sim *m = sim_new(file, 40000, 512, 4, true);

	m->k.delay_ms = 25;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.srtt8, 25 * 8);
	assert_int_equal(m->x.rto_ms, 30); /* 25 + 1, under the 30 ms floor */
	/* One sample per exchange: the OACK and each window's first block. */
	assert_int_equal(m->x.rtt_samples, 1 + 20);
	assert_counters(m, 0, 0, 0);
	assert_int_equal(m->end_ms, S + 21 * 25);
	sim_free(m);

	/* A slow link: 200 ms each way. The first sample gives 200 + 4 x 100. */
	m = sim_new(file, 2000, 512, 0, true);
	m->k.delay_ms = 200;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.srtt8, 200 * 8);
	assert_true(m->x.rto_ms > 200 && m->x.rto_ms < 600);
	assert_counters(m, 0, 0, 0);
	done(m, file);
}

/* Karn's rule: the reply to a retransmitted ACK is no sample (which copy
 * of the ACK it answers is unknown); the backoff starts over on progress. */
static void test_no_round_trip_sample_from_a_retransmission(void **state)
{
	uint8_t *file = make_file(5000); /* 10 blocks */
	struct sim *m = sim_new(file, 5000, 512, 0, true);

	m->k.delay_ms = 25;
	m->k.drop_block = 3;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.retransmits, 1);
	/* OACK + blocks 1..10, less block 3, which answered a resent ACK 2. */
	assert_int_equal(m->x.rtt_samples, 10);
	assert_int_equal(m->x.srtt8, 25 * 8);
	assert_int_equal(m->x.retries, 0);
	assert_int_equal(m->x.timeout_ms, m->x.rto_ms);
	/* ACK 2 went out again one timer (measured: 25 + 4 x 12.5 = 75 ms,
	 * less as RTTVAR decays) after block 2, not 1 s. */
	assert_int_equal(m->acks[2], 2);
	assert_int_equal(m->acks[3], 2);
	assert_true(m->ack_ms[3] - m->ack_ms[2] >= TFTP_MIN_RTO_MS);
	assert_true(m->ack_ms[3] - m->ack_ms[2] <= 75);
	done(m, file);
}

/* A gap is answered when it is seen, not when a timer runs out. */
static void test_gap_is_answered_at_once(void **state)
{
	uint8_t *file = make_file(8 * 512 + 100);
	struct sim *m = sim_new(file, 8 * 512 + 100, 512, 8, true);

	m->k.delay_ms = 10;
	m->k.drop_block = 3;
	sim_run(m);
	assert_received_whole_file(m);
	/* Blocks 1..8 leave together after ACK 0 and arrive 10 ms later: 4 is
	 * the first past the gap, and ACK 2 goes out then. */
	assert_int_equal(m->acks[0], 0);
	assert_int_equal(m->acks[1], 2);
	assert_int_equal(m->ack_ms[1], m->ack_ms[0] + 10);
	assert_int_equal(m->x.retransmits, 0);
	done(m, file);
}

/* The loss window halves on a loss and grows back by one per clean window,
 * never past what the server granted. It sizes the window of a later
 * request (the fallback, the next file), not the ACKs of this transfer:
 * ACKs come once per server window, as RFC 7440 s.4 has it. */
static void test_loss_window_halves_on_loss_and_grows_back(void **state)
{
	uint8_t *file = make_file(400 * 512);
	struct sim *m = sim_new(file, 400 * 512, 512, 16, true);

	m->k.drop_block = 5;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->min_cwnd, 8);
	assert_int_equal(m->max_cwnd_after_min, 16);
	assert_int_equal(m->x.cwnd, 16);
	assert_int_equal(m->x.window, 16);
	assert_int_equal(m->x.losses, 1);
	assert_int_equal(m->x.dups, 0); /* no ACK before the server's window ends */
	sim_free(m);

	/* A second loss before the window is back: 8 -> 4, then back up. */
	m = sim_new(file, 400 * 512, 512, 16, true);
	m->k.drop_block = 5;
	m->k.swap_block = 40;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->min_cwnd, 4);
	assert_int_equal(m->max_cwnd_after_min, 16);
	done(m, file);
}

/* A server that heeds one ACK while a window is out (atftpd): the second
 * gap in a window is ACKed and ignored, the server finishes the window the
 * first gap ACK asked for and waits. Its last block tells the client to
 * say the ACK again at once, not one timer later. */
static void test_ack_said_again_at_the_end_of_an_ignored_window(void **state)
{
	uint8_t *file = make_file(100 * 512);
	struct sim *m = sim_new(file, 100 * 512, 512, 16, true);

	m->k.heed_one_ack = true;
	m->k.drop_block = 5;   /* in the window after ACK 0 */
	m->k.drop_block2 = 17; /* in the window after the gap ACK 4 */
	m->k.delay_ms = 1;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->nticks, 0); /* the timer never ran out */
	assert_int_equal(m->x.fast_acks, 1);
	assert_int_equal(m->x.retransmits, 1);
	/* ACK 0, gap ACK 4 (heeded), gap ACK 16 (ignored), ACK 16 again when
	 * block 20, the end of the window after ACK 4, arrives. */
	static const uint16_t head[] = {0, 4, 16, 16};
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(m->acks[i], head[i]);
	sim_free(m);

	/* The same server, with the timer instead: one timeout. */
	m = sim_new(file, 100 * 512, 512, 1, true);
	m->k.heed_one_ack = true;
	m->k.drop_block = 5;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.fast_acks, 0);
	done(m, file);
}

struct lossy_case {
	uint16_t blksize, window;
	unsigned permille;
};

/* Random loss both ways, 20 seeds each: every transfer completes, byte for
 * byte, and in a simulated time that shows the timer follows the 2 ms
 * round trip (a fixed 1 s timer needs minutes for the same losses). */
static void test_random_loss_every_transfer_completes(void **state)
{
	static const struct lossy_case cases[] = {
		{512, 0, 50},	{512, 0, 200},	{1024, 8, 50},
		{1024, 8, 200}, {1468, 64, 50}, {1468, 64, 200},
	};
	size_t len = 200000;
	uint8_t *file = make_file(len);

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (uint32_t seed = 1; seed <= 20; seed++) {
			struct sim *m = sim_new(file, len, cases[c].blksize, cases[c].window, true);
			m->k.loss_permille = cases[c].permille;
			m->k.seed = seed;
			m->k.delay_ms = 1;
			m->k.frag_mtu = 1500;
			m->x.fit_blksize = 1468;
			sim_run(m);
			if (m->x.state != TFTP_DONE)
				fail_msg("blksize %u window %u loss %u/1000 seed %u: \"%s\"",
					 cases[c].blksize, cases[c].window, cases[c].permille, seed,
					 m->x.why);
			assert_received_whole_file(m);
			assert_true(m->frames_lost > 0);
			assert_int_equal(m->x.restarts, 0); /* every block fits a frame */
			uint64_t blocks = len / cases[c].blksize + 1;
			if (m->end_ms - S > blocks * 40 + 40000)
				fail_msg("blksize %u window %u loss %u/1000 seed %u: %llu ms",
					 cases[c].blksize, cases[c].window, cases[c].permille, seed,
					 (unsigned long long)(m->end_ms - S));
			sim_free(m);
		}
	}
	free(file);
}

/* Blocks that travel as fragments get lost: the client asks again with
 * blocks that fit a frame and the same bytes per window, tells the first
 * transfer to stop, and compares what the first one left instead of
 * storing it twice. */
static void test_fragmenting_blocks_fall_back_to_frame_sized_ones(void **state)
{
	size_t len = 300000;
	uint8_t *file = make_file(len);
	unsigned kept_some = 0;

	for (uint32_t seed = 1; seed <= 20; seed++) {
		struct sim *m = sim_new(file, len, 8192, 4, true);
		m->k.loss_permille = 50;
		m->k.seed = seed;
		m->k.frag_mtu = 1500;
		m->k.new_port_per_rrq = true;
		m->x.fit_blksize = 1468;
		sim_run(m);
		assert_received_whole_file(m);
		assert_int_equal(m->x.restarts, 1);
		assert_int_equal(m->x.blksize, 1468);
		/* The bytes in flight the halved loss window left, in blocks that
		 * fit a frame: 1 to 4 blocks of 8192 are 5 to 22 of 1468. */
		assert_true(m->x.req_window >= 8192 / 1468 && m->x.req_window <= 4 * 8192 / 1468);
		assert_true(m->x.window <= m->x.req_window);
		assert_int_equal(m->x.tid, m->port);
		assert_true(m->x.tid != SRV_PORT);
		static const uint8_t rrq2[] =
		    "\0\1boot.efi\0octet\0blksize\0001468\0tsize\0000\0windowsize";
		char win[8];
		snprintf(win, sizeof(win), "%u", m->x.req_window);
		assert_int_equal(m->rrq_len[1], sizeof(rrq2) + strlen(win) + 1);
		assert_memory_equal(m->rrq[1], rrq2, sizeof(rrq2));
		assert_string_equal((const char *)m->rrq[1] + sizeof(rrq2), win);
		assert_true(m->nerrs >= 1);
		/* The first transfer is told to stop (whichever request it answered). */
		assert_int_equal(m->errs[0].code, 0);
		assert_string_equal(m->errs[0].msg, "switching to a smaller block size");
		assert_true(m->errs[0].port != m->port);
		kept_some += m->x.kept > 0;
		sim_free(m);
	}
	assert_true(kept_some >= 10);

	/* A server that answers the new request from the same port. */
	for (uint32_t seed = 1; seed <= 5; seed++) {
		struct sim *m = sim_new(file, len, 8192, 4, true);
		m->k.loss_permille = 50;
		m->k.seed = seed;
		m->k.frag_mtu = 1500;
		m->x.fit_blksize = 1468;
		sim_run(m);
		assert_received_whole_file(m);
		assert_int_equal(m->x.restarts, 1);
		assert_int_equal(m->x.tid, SRV_PORT);
		sim_free(m);
	}

	/* Lock-step: the new request also asks tftp-hpa to retransmit after
	 * twice the round trip (none here), so 10 ms, tftp-hpa's least
	 * (utimeout, in microseconds), since only the server's timer recovers
	 * a lost block there. */
	struct sim *m = sim_new(file, len, 8192, 0, true);
	m->k.loss_permille = 50;
	m->k.seed = 7;
	m->k.frag_mtu = 1500;
	m->k.new_port_per_rrq = true;
	m->x.fit_blksize = 1468;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.restarts, 1);
	static const uint8_t rrq2[] =
	    "\0\1boot.efi\0octet\0blksize\0001468\0tsize\0000\0utimeout\00010000";
	assert_int_equal(m->rrq_len[1], sizeof(rrq2));
	assert_memory_equal(m->rrq[1], rrq2, sizeof(rrq2));
	assert_int_equal(m->x.utimeout_us, 0); /* this server does not know it */
	done(m, file);
}

/* Was a bug: after the fallback, an OACK for the first request (the server
 * got that request twice and answers the copy late, from a port of its
 * own, with blksize 8192) was taken for the answer to the new one and
 * failed the transfer: "server's option acknowledgement refused: blksize
 * 8192 outside 8..1468" (1 atftpd boot in 20 at 20% loss). It is an
 * earlier transfer of ours: that port is told to stop, and the answer to
 * the new request is waited for. */
static void test_stale_oack_after_a_fallback_is_not_the_answer(void **state)
{
	size_t len = 256 * 1024;
	uint8_t *file = make_file(len);
	struct sim *m = sim_new(file, len, 8192, 4, true);

	m->k.loss_permille = 50;
	m->k.seed = 7;
	m->k.frag_mtu = 1500;
	m->k.new_port_per_rrq = true;
	m->k.stale_oack_rrq = 2;
	m->x.fit_blksize = 1468;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.restarts, 1);
	assert_int_equal(m->x.blksize, 1468);
	bool told = false;
	for (unsigned i = 0; i < m->nerrs; i++)
		told |= m->errs[i].port == STRANGER_PORT && m->errs[i].code == 5;
	assert_true(told);
	done(m, file);
}

/* No fallback without loss, nor for a loss or two in a long transfer, nor
 * when the caller gave no frame size. */
static void test_no_fallback_for_rare_losses(void **state)
{
	size_t len = 8 << 20; /* 129 blocks */
	uint8_t *file = make_file(len);
	struct sim *m = sim_new(file, len, 65464, 4, true);

	m->x.fit_blksize = 1468;
	m->k.drop_block = 60;
	m->k.swap_block = 100;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.restarts, 0);
	assert_int_equal(m->x.blksize, 65464);
	sim_free(m);

	m = sim_new(file, 300000, 8192, 4, true);
	m->k.loss_permille = 50;
	m->k.seed = 3;
	m->k.frag_mtu = 1500;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.restarts, 0);
	done(m, file);
}

/* The file changed between the two requests: the bytes already held do
 * not match the new transfer's, and the transfer fails with a clear line
 * (mixing two versions of a kernel would boot neither). */
static void test_file_changed_between_requests_fails(void **state)
{
	size_t len = 300000;
	uint8_t *file = make_file(len);
	struct sim *m = sim_new(file, len, 8192, 4, true);

	m->k.loss_permille = 50;
	m->k.seed = 1;
	m->k.frag_mtu = 1500;
	m->k.new_port_per_rrq = true;
	m->k.change_on_rrq2 = true;
	m->x.fit_blksize = 1468;
	sim_run(m);
	assert_true(m->x.kept >= 8192);
	assert_failed(m, -1, "the file changed between two requests");
	assert_sent_error(m, m->nerrs - 1, m->port, 0, "file changed");
	assert_int_equal(m->x.bytes, 0);
	done(m, file);
}

/* A DontUseBuffer or size-only read (pxe/pxe_bc_mtftp.c): the buffer is a
 * 1-byte sink whose copies are skipped. A fallback to smaller blocks then
 * has nothing kept to compare against (comparing read past the sink). */
static uint8_t sink[1];
static size_t sink_file_len;

static uint8_t *sink_grow(void *ctx, uint8_t *old, uint64_t used, uint64_t need, uint64_t *cap)
{
	*cap = need;
	return sink;
}

static void sink_copy(const void *src, size_t off, void *dst, size_t n)
{
	uint8_t *d = dst;
	if (d >= sink && d <= sink + sink_file_len)
		return; /* a data block's payload, to where it would land */
	sim_copy(src, off, dst, n);
}

static void test_discarding_read_falls_back_without_comparing(void **state)
{
	size_t len = 300000;
	uint8_t *file = make_file(len);
	struct sim *m = sim_new(file, len, 8192, 4, true);

	sink_file_len = len;
	sim_copy_fn = sink_copy;
	m->k.loss_permille = 50;
	m->k.seed = 1;
	m->k.frag_mtu = 1500;
	m->k.new_port_per_rrq = true;
	m->x.fit_blksize = 1468;
	m->x.grow = sink_grow;
	m->x.discard = true;
	sim_run(m);
	sim_copy_fn = sim_copy;
	assert_int_equal(m->x.restarts, 1);
	assert_true(m->x.kept >= 8192);
	if (m->x.state != TFTP_DONE)
		fail_msg("state %d: \"%s\"", m->x.state, m->x.why);
	assert_int_equal(m->x.bytes, len);
	m->x.buf = NULL; /* the sink is not the fake's to free */
	done(m, file);
}

/* A server that keeps sending while nothing new arrives is not blamed for
 * silence: the line says it kept sending. */
static void test_give_up_line_when_the_server_kept_sending(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 0, true);

	/* After block 2 the server only ever sends block 2 again. */
	m->k.stop_after = 2;
	m->k.resend_ms = 400;
	m->k.babble = 2;
	sim_run(m);
	assert_int_equal(m->x.state, TFTP_FAILED);
	assert_true(m->x.rx_since_progress > 10);
	/* It was asked again once, and stopped at the same byte. */
	assert_int_equal(m->x.stop_restarts, 1);
	assert_false(m->x.stop_quiet);
	assert_int_equal(m->rrqs, 2);
	assert_true(strstr(m->x.why, "1 KiB of 5 KiB arrived, no progress for 15.") != NULL);
	assert_string_equal(m->x.why + strlen(m->x.why) -
				strlen("the server stopped at the same byte as before"),
			    "the server stopped at the same byte as before");

	/* No block at all, so no restart: the line says it kept sending. */
	sim_free(m);
	m = sim_new(file, 5000, 512, 0, true);
	m->k.no_data = true;
	m->k.resend_ms = 400;
	m->k.babble = 3;
	sim_run(m);
	assert_int_equal(m->x.state, TFTP_FAILED);
	assert_int_equal(m->rrqs, 1);
	assert_true(m->x.rx_since_progress > 10);
	assert_string_equal(m->x.why + strlen(m->x.why) - strlen("the server kept sending, "
								 "nothing new arrived"),
			    "the server kept sending, nothing new arrived");
	assert_true(strstr(m->x.why, "0 KiB of 5 KiB arrived, no progress for 15.") != NULL);
	done(m, file);
}

/* A refused OACK says what was wrong, with numbers only (no byte of the
 * server's text). */
static void test_oack_refusal_names_the_reason(void **state)
{
	static const struct {
		const char *opts;
		size_t len;
		const char *why;
	} cases[] = {
	    {OACK("blksize\0000\0"), "blksize 0 outside 8..1428"},
	    {OACK("blksize\000100000\0"), "blksize 100000 outside 8..1428"},
	    {OACK("windowsize\0000\0"), "windowsize 0 outside 1..4"},
	    {OACK("utimeout\0009999\0"), "utimeout 9999 outside 10000..50000"},
	    {OACK("evil\033[31m\0001\0"), "an option we did not ask for"},
	    {OACK("blksize\0000x400\0"), "a value that is not a decimal number under 2^64"},
	    {OACK("blksize\0001024"), "a value without its NUL"},
	    {OACK("blksize"), "an option name without its NUL"},
	    {OACK("blksize\0"), "an option without a value"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t bs = 1428, win = 4;
		uint64_t tsize = 0;
		bool has = false;
		uint32_t ut = 50000;
		char why[64] = "";
		assert_int_equal(tftp_parse_oack_ut((const uint8_t *)cases[i].opts, cases[i].len, &bs,
						    &win, &tsize, &has, &ut, why, sizeof(why)),
				 -1);
		assert_string_equal(why, cases[i].why);
	}
}

static void test_oack_utimeout_only_when_asked(void **state)
{
	uint16_t bs = 1468, win = 1;
	uint64_t tsize = 0;
	bool has = false;
	uint32_t ut = 50000;

	assert_int_equal(tftp_parse_oack_ut((const uint8_t *)OACK("blksize\0001468\0utimeout\00050000\0"),
					    &bs, &win, &tsize, &has, &ut, NULL, 0), 0);
	assert_int_equal(ut, 50000);
	ut = 50000; /* lowered is fine, raised or below tftp-hpa's 10 ms is not */
	assert_int_equal(tftp_parse_oack_ut((const uint8_t *)OACK("utimeout\00020000\0"), &bs, &win,
					    &tsize, &has, &ut, NULL, 0), 0);
	assert_int_equal(ut, 20000);
	ut = 50000;
	assert_int_equal(tftp_parse_oack_ut((const uint8_t *)OACK("utimeout\00050001\0"), &bs, &win,
					    &tsize, &has, &ut, NULL, 0), -1);
	ut = 50000;
	assert_int_equal(tftp_parse_oack_ut((const uint8_t *)OACK("utimeout\0009999\0"), &bs, &win,
					    &tsize, &has, &ut, NULL, 0), -1);
	ut = 0; /* not asked */
	assert_int_equal(tftp_parse_oack_ut((const uint8_t *)OACK("utimeout\00050000\0"), &bs, &win,
					    &tsize, &has, &ut, NULL, 0), -1);
	ut = 50000; /* left out: refused */
	assert_int_equal(tftp_parse_oack_ut((const uint8_t *)OACK("tsize\0005\0"), &bs, &win, &tsize,
					    &has, &ut, NULL, 0), 0);
	assert_int_equal(ut, 0);
	uint8_t buf[128];
	static const uint8_t want[] = "\0\1f\0octet\0blksize\0001468\0utimeout\00050000";
	assert_int_equal(tftp_build_rrq_ut(buf, sizeof(buf), "f", 1468, 1, false, 50000),
			 sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

/* ---- Defects found in pxe/tftp.c, fixed ---- */

/* Was a bug: a file of exactly max_size bytes is refused when the server sends
 * tsize. on_first_reply() checks tsize > max_size (fine) and then calls
 * room_for(x, tsize + 1), whose own check is end > max_size: the "+1" for
 * an exact fit makes tsize == max_size fail.
 * Input: tsize 5000, max_size 5000. Expected: TFTP_DONE, 5000 bytes.
 * Was: TFTP_FAILED "file is larger than the memory available for it",
 * before any ACK and without an ERROR to the server. */
static void test_bug_file_of_exactly_max_size_with_tsize_is_refused(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	m->x.max_size = 5000;
	sim_run(m);
	assert_received_whole_file(m);
	done(m, file);
}

/* Was a bug: the same off-by-one without tsize. on_data() asks room_for() for
 * end + 1 after a full block, and room_for() refuses end > max_size.
 * Input: no tsize, max_size 4096, a 4096-byte file at blksize 512 (eight
 * full blocks and an empty ninth). Expected: TFTP_DONE, 4096 bytes.
 * Was: TFTP_FAILED "file is larger than the memory available for it"
 * on block 8, with 3584 bytes. */
static void test_bug_file_of_exactly_max_size_without_tsize_is_refused(void **state)
{
	uint8_t *file = make_file(4096);
	struct sim *m = sim_new(file, 4096, 0, 0, false);

	m->x.max_size = 4096;
	sim_run(m);
	assert_received_whole_file(m);
	done(m, file);
}

/* Was a bug: max_size is only checked when the buffer must grow (room_for()
 * returns early when end <= cap). grow may return more than asked (the
 * header says "at least need bytes"; pxe/tftp_net.c rounds to pages), so
 * without tsize a file larger than max_size is accepted.
 * Input: no tsize, max_size 3000, grow rounding to 4096, a 4000-byte file.
 * Expected: TFTP_FAILED, bytes <= max_size. Was: TFTP_DONE with 4000
 * bytes. */
static void test_bug_max_size_not_enforced_when_grow_gives_more(void **state)
{
	uint8_t *file = make_file(4000);
	struct sim *m = sim_new(file, 4000, 0, 0, false);

	m->x.max_size = 3000;
	m->grow_round = 4096;
	sim_run(m);
	assert_int_equal(m->x.state, TFTP_FAILED);
	assert_true(m->x.bytes <= m->x.max_size);
	done(m, file);
}

/* Was a bug: room_for() passes grow a pointer to an uninitialised local
 * ("uint64_t cap;"), but pxe/tftp_net.c's tftp_grow() reads *cap as the
 * old buffer's size to free it (memmap_free(..., (*cap + PAGE_SIZE - 1) /
 * PAGE_SIZE)): it frees a garbage number of pages. It happens whenever a
 * file without tsize outgrows the first 1 MiB.
 * Input: no tsize, a 3 MiB file. Expected: on every call with old !=
 * NULL, *cap holds the old capacity (x->cap). Was: an uninitialised
 * value (valgrind: "Conditional jump or move depends on uninitialised
 * value(s)" in sim_grow called from room_for). */
static void test_bug_grow_gets_an_uninitialised_cap(void **state)
{
	size_t len = 3 << 20;
	uint8_t *file = make_file(len);
	struct sim *m = sim_new(file, len, 1428, 8, true);

	m->k.omit_tsize = true;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->grow_calls, 3); /* 1, 2, 4 MiB */
	assert_true(m->grow_cap_ok);
	done(m, file);
}

/* Was a bug: the OACK does not reset the retry budget or the backed-off timeout
 * (tftp_input() only sets last_rx_ms; on_data() resets them, but no DATA
 * has come yet). An OACK that answers a retransmitted RRQ leaves ACK 0
 * with the retries the RRQ spent and the RRQ's longer timeout.
 * Input: the server answers the last RRQ (at +6.75 s) with an OACK, then
 * sends nothing. Expected: ACK 0 resent 1, 2, 2, ... s apart (no round
 * trip measured: Karn's rule takes no sample from a resent request) until
 * 15 s without progress. Was: the RRQ's spent retries and timeout carried
 * over to ACK 0. */
static void test_bug_late_oack_inherits_the_spent_retries(void **state)
{
	uint8_t *file = make_file(1300);
	struct sim *m = sim_new(file, 1300, 512, 0, true);

	m->k.answer_rrq = 1 + request_retries();
	m->k.no_data = true;
	sim_run(m);
	assert_failed(m, -1,
		      "gave up after 17 retransmissions, 0 KiB of 2 KiB arrived, no progress for "
		      "15.7 s; the server stopped sending");
	uint64_t oack_ms = m->rrq_ms[request_retries()];
	assert_int_equal(oack_ms, S + 6750);
	assert_int_equal(m->x.rtt_samples, 0);
	assert_int_equal(m->nacks, 10);
	for (unsigned i = 0; i < m->nacks; i++) {
		assert_int_equal(m->acks[i], 0);
		/* A transfer's timer now: doubling to 2 s. */
		assert_int_equal(m->ack_ms[i], oack_ms + backoff_from(TFTP_FIRST_TIMEOUT_MS, i));
	}
	done(m, file);
}

/* Was a bug (performance): every block after a gap sends its own ACK of the last
 * in-order block (on_data(): out_of_order++, send_ack() each time). A
 * server that restarts its window on each such ACK (RFC 7440 s.4) sends
 * the window once per ACK; the client then re-ACKs the copy's last block
 * ("behind == 1 && since_ack == 0"), which the server answers again: from
 * one lost block on, every window is sent twice to the end of the file
 * (Sorcerer's Apprentice). U-Boot's client ACKs a gap once for this reason.
 * Input: windowsize 4, block 2 of 10 lost, a server answering every ACK.
 * Expected: ACKs 0, 1, 5, 9, 10 and no duplicate blocks. Was: ACKs 0,
 * 1, 1, 5, 5, 9, 9, 10 and dups == 8 (each later window arrives twice). */
static void test_bug_a_gap_is_acknowledged_once(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = sim_new(file, 5000, 512, 4, true);

	m->k.eager = true;
	m->k.drop_block = 2;
	sim_run(m);
	assert_received_whole_file(m);
	static const uint16_t acks[] = {0, 1, 5, 9, 10};
	assert_acks(m, acks, 5);
	assert_int_equal(m->x.dups, 0);
	done(m, file);
}

/* Was a bug (undefined behaviour): an empty first block without tsize reaches
 * on_data() with x->buf == NULL and cap 0; room_for(x, 0) succeeds without
 * allocating and "x->buf + x->bytes" is NULL + 0, then copy() gets a NULL
 * destination. clang -fsanitize=undefined: "applying zero offset to null
 * pointer" at pxe/tftp.c:313 (the fuzz target stops there).
 * Input: plain RRQ, DATA 1 with no data. Expected: no NULL destination.
 * Was: copy(src, 4, NULL, 0). */
static void test_bug_empty_file_without_tsize_copies_to_null(void **state)
{
	uint8_t *file = make_file(0);
	struct sim *m = sim_new(file, 0, 0, 0, false);

	sim_run(m);
	assert_received_whole_file(m);
	assert_false(sim_copied_to_null);
	done(m, file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rrq_without_options_is_name_and_mode),
	    cmocka_unit_test(test_rrq_with_options_blksize_tsize_windowsize),
	    cmocka_unit_test(test_rrq_too_small_buffer_returns_0),
	    cmocka_unit_test(test_start_sends_the_rrq_to_port_69),
	    cmocka_unit_test(test_start_with_a_name_too_long_for_a_request_fails),
	    cmocka_unit_test(test_oack_grants_within_the_request_are_accepted),
	    cmocka_unit_test(test_oack_blksize_above_request_or_below_8_is_refused),
	    cmocka_unit_test(test_oack_windowsize_0_or_above_request_is_refused),
	    cmocka_unit_test(test_oack_option_we_did_not_request_is_refused),
	    cmocka_unit_test(test_oack_missing_nul_terminators_are_refused),
	    cmocka_unit_test(test_oack_non_decimal_values_are_refused),
	    cmocka_unit_test(test_oack_option_names_are_case_insensitive),
	    cmocka_unit_test(test_oack_omitted_options_come_back_as_512_and_1),
	    cmocka_unit_test(test_lockstep_512_when_the_server_ignores_options),
	    cmocka_unit_test(test_blksize_1428_with_tsize),
	    cmocka_unit_test(test_windowsize_4_with_blksize_1024),
	    cmocka_unit_test(test_granted_smaller_blksize_and_window_are_used),
	    cmocka_unit_test(test_oack_without_windowsize_or_tsize_runs_lockstep),
	    cmocka_unit_test(test_exact_multiple_of_blksize_ends_with_an_empty_block),
	    cmocka_unit_test(test_empty_file),
	    cmocka_unit_test(test_block_numbers_roll_over_past_65535),
	    cmocka_unit_test(test_gap_across_the_rollover_is_recovered),
	    cmocka_unit_test(test_dropped_block_acks_the_last_in_order_block),
	    cmocka_unit_test(test_lost_first_block_of_a_window_is_recovered),
	    cmocka_unit_test(test_duplicate_blocks_are_counted_and_ignored),
	    cmocka_unit_test(test_lost_ack_makes_the_server_resend_and_the_client_reack),
	    cmocka_unit_test(test_reordered_blocks_in_a_window_complete),
	    cmocka_unit_test(test_lost_tail_of_a_window_times_out_and_completes),
	    cmocka_unit_test(test_stalled_window_shrinks_to_what_the_server_sends),
	    cmocka_unit_test(test_stranger_gets_error_5_and_the_transfer_goes_on),
	    cmocka_unit_test(test_stale_oack_after_a_fallback_is_not_the_answer),
	    cmocka_unit_test(test_error_1_file_not_found),
	    cmocka_unit_test(test_error_8_asks_again_without_options),
	    cmocka_unit_test(test_server_stops_mid_file_backoff_then_fail),
	    cmocka_unit_test(test_no_answer_retransmits_the_rrq_then_fails),
	    cmocka_unit_test(test_tsize_above_max_size_sends_error_3),
	    cmocka_unit_test(test_data_beyond_the_announced_tsize_fails),
	    cmocka_unit_test(test_transfer_ending_before_tsize_fails),
	    cmocka_unit_test(test_block_larger_than_blksize_fails),
	    cmocka_unit_test(test_grow_returning_null_fails_out_of_memory),
	    cmocka_unit_test(test_file_larger_than_max_size_without_tsize_fails),
	    cmocka_unit_test(test_oack_with_an_option_we_did_not_ask_for_fails),
	    cmocka_unit_test(test_timer_follows_the_measured_round_trip),
	    cmocka_unit_test(test_no_round_trip_sample_from_a_retransmission),
	    cmocka_unit_test(test_gap_is_answered_at_once),
	    cmocka_unit_test(test_loss_window_halves_on_loss_and_grows_back),
	    cmocka_unit_test(test_ack_said_again_at_the_end_of_an_ignored_window),
	    cmocka_unit_test(test_random_loss_every_transfer_completes),
	    cmocka_unit_test(test_fragmenting_blocks_fall_back_to_frame_sized_ones),
	    cmocka_unit_test(test_no_fallback_for_rare_losses),
	    cmocka_unit_test(test_discarding_read_falls_back_without_comparing),
	    cmocka_unit_test(test_file_changed_between_requests_fails),
	    cmocka_unit_test(test_give_up_line_when_the_server_kept_sending),
	    cmocka_unit_test(test_oack_utimeout_only_when_asked),
	    cmocka_unit_test(test_oack_refusal_names_the_reason),
	    cmocka_unit_test(test_bug_file_of_exactly_max_size_with_tsize_is_refused),
	    cmocka_unit_test(test_bug_file_of_exactly_max_size_without_tsize_is_refused),
	    cmocka_unit_test(test_bug_max_size_not_enforced_when_grow_gives_more),
	    cmocka_unit_test(test_bug_grow_gets_an_uninitialised_cap),
	    cmocka_unit_test(test_bug_late_oack_inherits_the_spent_retries),
	    cmocka_unit_test(test_bug_a_gap_is_acknowledged_once),
	    cmocka_unit_test(test_bug_empty_file_without_tsize_copies_to_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
