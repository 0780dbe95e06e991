/* The TFTP client (pxe/tftp.c) when the server stops mid-file: tftp-hpa
 * gives a block up after 6 sends, a server process dies. The transfer asks
 * again (a new request, the bytes held compared, not stored twice) while
 * each attempt gets somewhere, TFTP_MAX_RESTARTS times at most; a granted
 * utimeout tells when tftp-hpa has given up, sooner than TFTP_GIVE_UP_MS.
 * Against the scripted server of tftp_fake.h, in simulated time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <tftp.h>
#include "tftp_fake.h"

#define S SIM_START_MS

/* The first timer of the instant network's series at or past ms: from
 * first (the timer's floor) doubling. */
static uint64_t tick_past_from(uint64_t first, uint64_t ms)
{
	unsigned n = 0;

	while (backoff_from(first, n) < ms)
		n++;
	return backoff_from(first, n);
}

/* ... from 30 ms; from 3 ms once tftp-hpa granted utimeout. */
static uint64_t first_tick_past(uint64_t ms)
{
	return tick_past_from(TFTP_MIN_RTO_MS, ms);
}

static uint64_t hpa_tick_past(uint64_t ms)
{
	return tick_past_from(TFTP_MIN_RTO_HPA_MS, ms);
}

static void assert_received_whole_file(const struct sim *m)
{
	if (m->x.state != TFTP_DONE)
		fail_msg("state %d, not TFTP_DONE: \"%s\"", m->x.state, m->x.why);
	assert_int_equal(m->x.bytes, m->len);
	assert_memory_equal(m->x.buf, m->file, m->len);
}

static void assert_failed(const struct sim *m, const char *why)
{
	assert_int_equal(m->x.state, TFTP_FAILED);
	assert_int_equal(m->x.err_code, -1);
	assert_string_equal(m->x.why, why);
}

/* Copies into the part of the buffer an earlier attempt filled, made after
 * a restart: the held bytes must be compared, never stored again. */
static const struct sim *watched;
static unsigned stored_twice;

static void watch_copy(const void *src, size_t off, void *dst, size_t n)
{
	const struct sim *m = watched;

	if (m && m->x.stop_restarts && m->x.buf && (uint8_t *)dst >= m->x.buf &&
	    (uint8_t *)dst < m->x.buf + m->x.kept)
		stored_twice++;
	sim_copy(src, off, dst, n);
}

static struct sim *watched_sim(const uint8_t *file, size_t len, uint16_t blksize, uint16_t window)
{
	struct sim *m = sim_new(file, len, blksize, window, true);

	watched = m;
	stored_twice = 0;
	sim_copy_fn = watch_copy;
	return m;
}

static void done(struct sim *m, uint8_t *file)
{
	watched = NULL;
	sim_copy_fn = sim_copy;
	sim_free(m);
	free(file);
}

/* The server stops for good after block 5 of the first request and serves
 * the second whole (a server killed and started again, or tftp-hpa that
 * gave a block up): after 15 s without a new block, a new request with the
 * same options; blocks 1-5 compared, the rest stored, the file whole. */
static void test_server_stops_mid_file_restart_completes(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = watched_sim(file, 5000, 512, 0);

	m->k.stop_after = 5;
	m->k.stop_once = true;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->rrqs, 2);
	/* The same request (blksize, tsize): those options worked. */
	assert_int_equal(m->rrq_len[1], m->rrq_len[0]);
	assert_memory_equal(m->rrq[1], m->rrq[0], m->rrq_len[0]);
	/* 15 s without progress (and at least 6 retransmissions) first. */
	assert_int_equal(m->rrq_ms[1], S + first_tick_past(TFTP_GIVE_UP_MS));
	assert_int_equal(m->nerrs, 1);
	assert_int_equal(m->errs[0].port, SRV_PORT);
	assert_string_equal(m->errs[0].msg, "asking again");
	assert_int_equal(m->x.restarts, 1);
	assert_int_equal(m->x.stop_restarts, 1);
	assert_false(m->x.fell_back);
	assert_int_equal(m->x.stopped_at, 5 * 512);
	assert_int_equal(m->x.kept, 5 * 512);
	assert_true(m->x.stop_quiet);
	assert_int_equal(m->x.stop_silence_ms, first_tick_past(TFTP_GIVE_UP_MS));
	assert_int_equal(stored_twice, 0);
	done(m, file);
}

/* The same with windows, and the new request answered from a new port
 * (a new server process): the old port is ignored from then on. */
static void test_restart_with_windows_and_a_new_port(void **state)
{
	uint8_t *file = make_file(40000);
	struct sim *m = watched_sim(file, 40000, 1024, 8);

	m->k.stop_after = 21; /* mid-window */
	m->k.stop_once = true;
	m->k.new_port_per_rrq = true;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->rrqs, 2);
	assert_memory_equal(m->rrq[1], m->rrq[0], m->rrq_len[0]); /* windowsize 8 again */
	assert_int_equal(m->x.tid, SRV_PORT + 2);
	assert_int_equal(m->x.old_tid, SRV_PORT);
	assert_int_equal(m->x.window, 8);
	assert_int_equal(m->x.stop_restarts, 1);
	assert_int_equal(m->x.kept, 21 * 1024);
	assert_int_equal(stored_twice, 0);
	done(m, file);
}

/* A restart that gets nowhere ends the transfer: the server is gone for
 * good (the new request is never answered), or answers and sends nothing,
 * or stops at the very byte it stopped at before. */
static void test_restart_without_progress_fails(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = watched_sim(file, 5000, 512, 0);

	m->k.stop_after = 5;
	m->k.stop_once = true;
	m->k.mute_from_rrq = 2;
	sim_run(m);
	assert_int_equal(m->x.stop_restarts, 1);
	uint64_t again = S + first_tick_past(TFTP_GIVE_UP_MS);
	assert_int_equal(m->rrq_ms[1], again);
	/* The new request has a transfer's patience: 15 s from the restart. */
	assert_true(m->end_ms >= again + TFTP_GIVE_UP_MS);
	assert_true(m->end_ms < again + TFTP_GIVE_UP_MS + TFTP_MAX_TIMEOUT_MS);
	assert_true(m->rrqs > 2 + TFTP_RETRIES - 1);
	assert_int_equal(m->x.kept, 5 * 512);
	assert_failed(m, "gave up after 31 retransmissions and 1 restart, 3 KiB of 5 KiB arrived, "
			 "no progress for 15.8 s; no answer to the new request");
	done(m, file);

	file = make_file(5000);
	m = watched_sim(file, 5000, 512, 0);
	m->k.stop_after = 5;
	m->k.stop_once = true;
	m->k.no_data_from_rrq = 2;
	sim_run(m);
	assert_int_equal(m->rrqs, 2);
	assert_failed(m, "gave up after 24 retransmissions and 1 restart, 3 KiB of 5 KiB arrived, "
			 "no progress for 15.8 s; no block after the new request");
	done(m, file);

	file = make_file(5000);
	m = watched_sim(file, 5000, 512, 0);
	m->k.stop_after = 5; /* every time */
	sim_run(m);
	assert_int_equal(m->rrqs, 2);
	assert_int_equal(m->x.bytes, 5 * 512);
	assert_int_equal(stored_twice, 0);
	assert_failed(m, "gave up after 24 retransmissions and 1 restart, 3 KiB of 5 KiB arrived, "
			 "no progress for 15.8 s; the server stopped at the same byte as before");
	done(m, file);
}

/* Each request gets 2 blocks further than the one before: progress every
 * time, but TFTP_MAX_RESTARTS restarts at most, then the transfer fails. */
static void test_restart_budget_runs_out(void **state)
{
	uint8_t *file = make_file(80 * 512);
	struct sim *m = watched_sim(file, 80 * 512, 512, 0);

	m->k.stop_step = 2;
	assert_true(2 * (1 + TFTP_MAX_RESTARTS) < 80);
	sim_run(m);
	assert_int_equal(m->x.state, TFTP_FAILED);
	assert_int_equal(m->rrqs, 1 + TFTP_MAX_RESTARTS);
	assert_int_equal(m->x.stop_restarts, TFTP_MAX_RESTARTS);
	assert_int_equal(m->nerrs_all, TFTP_MAX_RESTARTS); /* one "asking again" each */
	assert_int_equal(m->x.bytes, 2 * (1 + TFTP_MAX_RESTARTS) * 512);
	assert_memory_equal(m->x.buf, file, m->x.bytes);
	assert_int_equal(stored_twice, 0);
	char why[160];
	snprintf(why, sizeof(why),
		 "gave up after %u retransmissions and %u restarts, %u KiB of 40 KiB arrived, no "
		 "progress for 15.8 s; the server stopped sending, no restart left",
		 12 * (1 + TFTP_MAX_RESTARTS), TFTP_MAX_RESTARTS, 1 + TFTP_MAX_RESTARTS);
	assert_failed(m, why);
	done(m, file);
}

/* A file that changed between the requests fails; what was held stays. */
static void test_restart_with_a_changed_file_fails(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = watched_sim(file, 5000, 512, 0);

	m->k.stop_after = 5;
	m->k.stop_once = true;
	m->k.change_on_rrq2 = true; /* the first byte differs on the 2nd request */
	sim_run(m);
	assert_int_equal(m->rrqs, 2);
	assert_failed(m, "the file changed between two requests");
	assert_int_equal(m->errs[m->nerrs - 1].code, 0);
	assert_string_equal(m->errs[m->nerrs - 1].msg, "file changed");
	assert_memory_equal(m->x.buf, file, 5 * 512); /* what was held is unchanged */
	done(m, file);
}

/* tftp-hpa granted utimeout 50 ms: it gives a block up 63 periods after
 * it first sent it, so after 2 x 3.15 s + 1 s without a new block (and
 * 3.15 s + 1 s without any datagram) it is gone: the restart comes at the
 * first timer past 7.3 s, not past 15 s. */
static void test_granted_utimeout_detects_the_stop_sooner(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = watched_sim(file, 5000, 512, 0);
	uint64_t gone = 2 * 63 * 50 + TFTP_GONE_MARGIN_MS;

	m->x.want_utimeout_us = 50000;
	m->k.grant_utimeout = true;
	m->k.stop_after = 5;
	m->k.stop_once = true;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->x.utimeout_us, 50000);
	assert_int_equal(gone, 7300);
	assert_int_equal(m->rrqs, 2);
	assert_int_equal(m->rrq_ms[1], S + hpa_tick_past(gone));
	/* Our timers (3 ms once tftp-hpa took utimeout) 3, 6, ... 1536, 2000 ms
	 * apart: the 12th, at 9.07 s, not 15.07 s. */
	assert_int_equal(m->rrq_ms[1] - S, 9069);
	assert_int_equal(hpa_tick_past(TFTP_GIVE_UP_MS), 15069);
	assert_int_equal(stored_twice, 0);
	done(m, file);

	/* A server that grants utimeout but goes on sending (an old block,
	 * every 400 ms) is not tftp-hpa's timer running out: the 15 s rule. */
	file = make_file(5000);
	m = watched_sim(file, 5000, 512, 0);
	m->x.want_utimeout_us = 50000;
	m->k.grant_utimeout = true;
	m->k.stop_after = 5;
	m->k.stop_once = true;
	m->k.resend_ms = 400;
	m->k.babble = 5;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->rrqs, 2);
	assert_true(m->rrq_ms[1] - S >= TFTP_GIVE_UP_MS);
	assert_false(m->x.stop_quiet);
	done(m, file);

	/* Without utimeout, 15 s: the first test. With a long one (1 s: 2 x 63 s),
	 * 15 s still comes first. */
	file = make_file(5000);
	m = watched_sim(file, 5000, 512, 0);
	m->x.want_utimeout_us = 1000000;
	m->k.grant_utimeout = true;
	m->k.stop_after = 5;
	m->k.stop_once = true;
	sim_run(m);
	assert_received_whole_file(m);
	assert_int_equal(m->rrq_ms[1], S + hpa_tick_past(TFTP_GIVE_UP_MS));
	done(m, file);
}

/* The exit is seen as soon as it is due, not at our next timer: the
 * firmware calls tftp_tick() on every pass of its poll loop. */
static void test_utimeout_exit_is_seen_when_due(void **state)
{
	uint8_t *file = make_file(5000);
	struct sim *m = watched_sim(file, 5000, 512, 0);
	uint64_t gone = 2 * TFTP_HPA_GIVE_UP_PERIODS * 50 + TFTP_GONE_MARGIN_MS;

	m->x.want_utimeout_us = 50000;
	m->k.grant_utimeout = true;
	m->k.stop_after = 5;
	m->k.stop_once = true;
	tftp_start(&m->x, S);
	while (m->qt != m->qh) /* the instant network: blocks 1-5 at S */
		sim_deliver(m);
	assert_int_equal(m->x.bytes, 5 * 512);
	assert_int_equal(m->x.progress_ms, S);
	for (uint64_t t = S + 1; t < S + gone; t += 7) {
		m->now = t;
		tftp_tick(&m->x, t);
	}
	m->now = S + gone - 1;
	tftp_tick(&m->x, m->now);
	assert_int_equal(m->rrqs, 1);
	m->now = S + gone;
	tftp_tick(&m->x, m->now);
	assert_int_equal(m->rrqs, 2);
	assert_int_equal(m->x.stop_silence_ms, gone);
	assert_int_equal(m->x.state, TFTP_REQUESTING);
	done(m, file);
}

/* A lossy fragmenting transfer over a round trip of rtt_ms (the sim
 * delays the server's datagrams only) falls back; its new request must be
 * want (want_len bytes with the NUL sizeof adds). */
static void assert_fallback_request(uint32_t rtt_ms, uint32_t seed_rtt_ms, const uint8_t *want,
				    size_t want_len)
{
	size_t len = 64 * 1024;
	uint8_t *file = make_file(len);
	struct sim *m = watched_sim(file, len, 8192, 0);

	m->k.loss_permille = 50;
	m->k.seed = 7;
	m->k.frag_mtu = 1500;
	m->k.new_port_per_rrq = true;
	m->k.delay_ms = rtt_ms;
	m->x.fit_blksize = 1468;
	m->x.seed_rtt_ms = seed_rtt_ms;
	sim_run(m);
	assert_received_whole_file(m);
	assert_true(m->x.fell_back);
	assert_int_equal(m->rrq_len[1], want_len);
	assert_memory_equal(m->rrq[1], want, want_len);
	done(m, file);
}

/* The utimeout a fallback asks is twice the round trip within 10..100 ms:
 * a slow round trip (100 ms) asks 100 ms, whose exit (126 x 100 ms + 1 s)
 * is still seen sooner than the 15 s rule. */
static void test_fallback_utimeout_is_capped(void **state)
{
	static const uint8_t rrq2[] =
	    "\0\1boot.efi\0octet\0blksize\0001468\0tsize\0000\0utimeout\000100000";
	assert_fallback_request(100, 200, rrq2, sizeof(rrq2));
	assert_true(2 * TFTP_HPA_GIVE_UP_PERIODS * TFTP_MAX_UTIMEOUT_MS + TFTP_GONE_MARGIN_MS <
		    TFTP_GIVE_UP_MS);

	/* A 20 ms round trip asks 40 ms: the round trip, not our timer (which
	 * adds 4 x the variance the 8 KiB blocks had). */
	static const uint8_t rrq3[] =
	    "\0\1boot.efi\0octet\0blksize\0001468\0tsize\0000\0utimeout\00040000";
	assert_fallback_request(20, 20, rrq3, sizeof(rrq3));
}

/* A model of tftp-hpa (utimeout as its timer, 6 sends a block, duplicate
 * ACKs ignored) on a link losing 30% of frames each way: in some seeds the
 * server gives a block up (all 6 sends lost); every transfer still ends
 * with the file whole, asking again where the server stopped. */
static void test_tftp_hpa_model_under_loss_completes(void **state)
{
	size_t len = 200 * 1024;
	uint8_t *file = make_file(len);
	unsigned gave_up = 0, restarts = 0, seeds = 40;

	for (uint32_t seed = 1; seed <= seeds; seed++) {
		struct sim *m = watched_sim(file, len, 1468, 0);
		m->x.want_utimeout_us = 50000;
		m->k.grant_utimeout = true;
		m->k.give_up_sends = 6;
		m->k.resend_ms = 1000;
		m->k.loss_permille = 300;
		m->k.seed = seed;
		sim_run(m);
		if (m->x.state != TFTP_DONE)
			fail_msg("seed %u: \"%s\" (server gave up %u times)", seed, m->x.why,
				 m->gave_up);
		assert_int_equal(m->x.bytes, len);
		assert_memory_equal(m->x.buf, file, len);
		assert_int_equal(m->x.stop_restarts, m->gave_up);
		assert_int_equal(stored_twice, 0);
		gave_up += m->gave_up;
		restarts += m->x.stop_restarts;
		watched = NULL;
		sim_free(m);
	}
	/* The servers did give up: the restarts were needed. */
	assert_true(gave_up >= 3);
	assert_int_equal(restarts, gave_up);
	sim_copy_fn = sim_copy;
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_server_stops_mid_file_restart_completes),
	    cmocka_unit_test(test_restart_with_windows_and_a_new_port),
	    cmocka_unit_test(test_restart_without_progress_fails),
	    cmocka_unit_test(test_restart_budget_runs_out),
	    cmocka_unit_test(test_restart_with_a_changed_file_fails),
	    cmocka_unit_test(test_granted_utimeout_detects_the_stop_sooner),
	    cmocka_unit_test(test_utimeout_exit_is_seen_when_due),
	    cmocka_unit_test(test_fallback_utimeout_is_capped),
	    cmocka_unit_test(test_tftp_hpa_model_under_loss_completes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
