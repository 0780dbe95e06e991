/* CMOS RTC logic (platform/rtc.c): BCD and binary registers, 12- and
 * 24-hour mode, date validation, weekdays, and the read protocol against a
 * simulated chip (update in progress, an update between two passes, a
 * missing chip). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>
#include <rtc.h>

/* A simulated MC146818: 128 registers, UIP set for the next uip_reads reads
 * of register A, and a tick (seconds += 1) after tick_after data reads. */
struct fake_cmos {
	uint8_t reg[128];
	int uip_reads;
	int tick_after;
	int reads, writes;
	unsigned slept_us;
	bool set_seen; /* register B's SET bit was on while time registers were written */
	bool dead;     /* no chip: everything reads 0xff */
};

static uint8_t fake_read(void *ctx, uint8_t r)
{
	struct fake_cmos *c = ctx;

	if (c->dead)
		return 0xff;
	if (r == RTC_REG_A) {
		if (c->uip_reads > 0) {
			c->uip_reads--;
			return c->reg[r] | RTC_A_UIP;
		}
		return c->reg[r] & ~RTC_A_UIP;
	}
	c->reads++;
	if (c->tick_after && c->reads == c->tick_after) {
		bool bcd = !(c->reg[RTC_REG_B] & RTC_B_BINARY);
		int s = rtc_from_reg(c->reg[RTC_SECONDS], bcd);
		c->reg[RTC_SECONDS] = rtc_to_reg((unsigned)(s + 1) % 60, bcd);
	}
	return c->reg[r];
}

static void fake_write(void *ctx, uint8_t r, uint8_t v)
{
	struct fake_cmos *c = ctx;

	if (r != RTC_REG_B && r != RTC_REG_A && (c->reg[RTC_REG_B] & RTC_B_SET))
		c->set_seen = true;
	c->reg[r] = v;
	c->writes++;
}

static void fake_delay(void *ctx, unsigned us)
{
	((struct fake_cmos *)ctx)->slept_us += us;
}

static struct fake_cmos chip;
static const struct rtc_io io = {fake_read, fake_write, fake_delay, &chip};

static void load(uint8_t b, uint8_t sec, uint8_t min, uint8_t hour, uint8_t day, uint8_t mon,
		 uint8_t year, uint8_t cent)
{
	memset(&chip, 0, sizeof(chip));
	chip.reg[RTC_REG_A] = 0x26;
	chip.reg[RTC_REG_B] = b;
	chip.reg[RTC_SECONDS] = sec;
	chip.reg[RTC_MINUTES] = min;
	chip.reg[RTC_HOURS] = hour;
	chip.reg[RTC_DAY] = day;
	chip.reg[RTC_MONTH] = mon;
	chip.reg[RTC_YEAR] = year;
	chip.reg[RTC_CENTURY] = cent;
}

static void assert_time(const struct rtc_time *t, unsigned y, unsigned mo, unsigned d,
			unsigned h, unsigned mi, unsigned s)
{
	assert_int_equal(t->year, y);
	assert_int_equal(t->month, mo);
	assert_int_equal(t->day, d);
	assert_int_equal(t->hour, h);
	assert_int_equal(t->minute, mi);
	assert_int_equal(t->second, s);
}

static void test_bcd_and_binary_registers(void **state)
{
	assert_int_equal(rtc_to_reg(59, true), 0x59);
	assert_int_equal(rtc_to_reg(59, false), 59);
	assert_int_equal(rtc_to_reg(7, true), 0x07);
	assert_int_equal(rtc_from_reg(0x59, true), 59);
	assert_int_equal(rtc_from_reg(0x99, true), 99);
	assert_int_equal(rtc_from_reg(0x5a, true), -1);
	assert_int_equal(rtc_from_reg(0xa0, true), -1);
	assert_int_equal(rtc_from_reg(99, false), 99);
	assert_int_equal(rtc_from_reg(100, false), -1);
	for (unsigned v = 0; v < 100; v++) {
		assert_int_equal(rtc_from_reg(rtc_to_reg(v, true), true), v);
		assert_int_equal(rtc_from_reg(rtc_to_reg(v, false), false), v);
	}
}

static void test_twelve_hour_mode(void **state)
{
	/* 12 AM is midnight, 12 PM is noon. */
	assert_int_equal(rtc_hour_to_reg(0, true, false), 0x12);
	assert_int_equal(rtc_hour_to_reg(1, true, false), 0x01);
	assert_int_equal(rtc_hour_to_reg(11, true, false), 0x11);
	assert_int_equal(rtc_hour_to_reg(12, true, false), 0x92);
	assert_int_equal(rtc_hour_to_reg(13, true, false), 0x81);
	assert_int_equal(rtc_hour_to_reg(23, false, false), 0x80 | 11);
	assert_int_equal(rtc_hour_from_reg(0x12, true, false), 0);
	assert_int_equal(rtc_hour_from_reg(0x92, true, false), 12);
	assert_int_equal(rtc_hour_from_reg(0x81, true, false), 13);
	assert_int_equal(rtc_hour_from_reg(0x00, true, false), -1); /* no hour 0 in 12h mode */
	assert_int_equal(rtc_hour_from_reg(0x13, true, false), -1);
	assert_int_equal(rtc_hour_from_reg(0x23, true, true), 23);
	assert_int_equal(rtc_hour_from_reg(0x24, true, true), -1);
	assert_int_equal(rtc_hour_from_reg(0x80, true, true), -1);
	for (unsigned h = 0; h < 24; h++)
		for (int m = 0; m < 4; m++)
			assert_int_equal(rtc_hour_from_reg(rtc_hour_to_reg(h, m & 1, m & 2), m & 1,
							   m & 2),
					 h);
}

static void test_dates_validated(void **state)
{
	struct rtc_time t = {2024, 2, 29, 23, 59, 59};

	assert_true(rtc_time_valid(&t));
	t.year = 2023;
	assert_false(rtc_time_valid(&t));
	t.year = 1900; /* divisible by 100, not by 400 */
	assert_false(rtc_time_valid(&t));
	t.year = 2000;
	assert_true(rtc_time_valid(&t));
	t = (struct rtc_time){2024, 4, 31, 0, 0, 0};
	assert_false(rtc_time_valid(&t));
	t = (struct rtc_time){2024, 13, 1, 0, 0, 0};
	assert_false(rtc_time_valid(&t));
	t = (struct rtc_time){2024, 0, 1, 0, 0, 0};
	assert_false(rtc_time_valid(&t));
	t = (struct rtc_time){2024, 1, 0, 0, 0, 0};
	assert_false(rtc_time_valid(&t));
	t = (struct rtc_time){2024, 1, 1, 24, 0, 0};
	assert_false(rtc_time_valid(&t));
	t = (struct rtc_time){2024, 1, 1, 0, 60, 0};
	assert_false(rtc_time_valid(&t));
	t = (struct rtc_time){2024, 1, 1, 0, 0, 60};
	assert_false(rtc_time_valid(&t));
	t = (struct rtc_time){1899, 12, 31, 0, 0, 0};
	assert_false(rtc_time_valid(&t));
	t = (struct rtc_time){10000, 1, 1, 0, 0, 0};
	assert_false(rtc_time_valid(&t));
	assert_int_equal(rtc_days_in_month(2100, 2), 28);
	assert_int_equal(rtc_days_in_month(2400, 2), 29);
	assert_int_equal(rtc_days_in_month(2024, 12), 31);
	assert_int_equal(rtc_days_in_month(2024, 0), 0);
}

static void test_weekday(void **state)
{
	assert_int_equal(rtc_weekday(2024, 1, 1), 2);   /* a Monday */
	assert_int_equal(rtc_weekday(2000, 2, 29), 3);  /* a Tuesday */
	assert_int_equal(rtc_weekday(1970, 1, 1), 5);   /* a Thursday */
	assert_int_equal(rtc_weekday(2023, 12, 31), 1); /* a Sunday */
	assert_int_equal(rtc_weekday(2038, 1, 19), 3);  /* a Tuesday */
}

static void test_read_bcd_24h(void **state)
{
	struct rtc_time t;

	load(RTC_B_24H, 0x56, 0x34, 0x12, 0x31, 0x12, 0x24, 0x20);
	assert_int_equal(rtc_read(&io, &t), 0);
	assert_time(&t, 2024, 12, 31, 12, 34, 56);
}

static void test_read_binary_12h_pm(void **state)
{
	struct rtc_time t;

	load(RTC_B_BINARY, 5, 6, 0x80 | 11, 15, 6, 99, 19);
	assert_int_equal(rtc_read(&io, &t), 0);
	assert_time(&t, 1999, 6, 15, 23, 6, 5);
}

static void test_read_without_century_register(void **state)
{
	struct rtc_time t;

	load(RTC_B_24H, 0, 0, 0, 1, 1, 0x69, 0x00);
	assert_int_equal(rtc_read(&io, &t), 0);
	assert_int_equal(t.year, 2069);
	load(RTC_B_24H, 0, 0, 0, 1, 1, 0x70, 0xff);
	assert_int_equal(rtc_read(&io, &t), 0);
	assert_int_equal(t.year, 1970);
}

static void test_read_waits_for_update(void **state)
{
	struct rtc_time t;

	load(RTC_B_24H, 0x10, 0, 0, 1, 1, 0x24, 0x20);
	chip.uip_reads = 30;
	assert_int_equal(rtc_read(&io, &t), 0);
	assert_true(chip.slept_us >= 300);
	assert_int_equal(t.second, 10);
}

static void test_read_retries_across_a_tick(void **state)
{
	struct rtc_time t;

	/* 59 s -> the update lands between the first pass and the second:
	 * the passes disagree, a third pass settles it. */
	load(RTC_B_24H, 0x59, 0x59, 0x23, 0x31, 0x12, 0x24, 0x20);
	chip.tick_after = 5; /* during the first pass */
	assert_int_equal(rtc_read(&io, &t), 0);
	assert_int_equal(t.second, 0);
	assert_int_equal(t.minute, 59);
	assert_int_equal(chip.reads, 4 * RTC_RAW_N + 1); /* two pairs of passes, then B */
}

static void test_read_fails_on_garbage(void **state)
{
	struct rtc_time t;

	load(RTC_B_24H, 0x5a, 0, 0, 1, 1, 0x24, 0x20); /* invalid BCD second */
	assert_int_equal(rtc_read(&io, &t), -1);
	load(RTC_B_24H, 0, 0, 0, 0x30, 0x02, 0x24, 0x20); /* 30 February */
	assert_int_equal(rtc_read(&io, &t), -1);
	load(RTC_B_24H, 0, 0, 0, 1, 1, 0x24, 0x20);
	chip.dead = true; /* UIP never clears */
	assert_int_equal(rtc_read(&io, &t), -1);
	assert_true(chip.slept_us >= 10000);
}

static void test_write_in_the_chips_format(void **state)
{
	struct rtc_time t = {2031, 7, 4, 0, 5, 9}, back;

	load(0, 0, 0, 0x12, 1, 1, 0, 0x20); /* BCD, 12-hour */
	assert_int_equal(rtc_write(&io, &t), 0);
	assert_true(chip.set_seen);
	assert_int_equal(chip.reg[RTC_REG_B] & RTC_B_SET, 0);
	assert_int_equal(chip.reg[RTC_HOURS], 0x12); /* midnight, 12 AM */
	assert_int_equal(chip.reg[RTC_YEAR], 0x31);
	assert_int_equal(chip.reg[RTC_CENTURY], 0x20);
	assert_int_equal(chip.reg[RTC_WEEKDAY], 0x06); /* a Friday */
	assert_int_equal(rtc_read(&io, &back), 0);
	assert_memory_equal(&back, &t, sizeof(t));

	load(RTC_B_BINARY | RTC_B_24H, 0, 0, 0, 1, 1, 0, 20);
	t = (struct rtc_time){2100, 3, 1, 17, 45, 30};
	assert_int_equal(rtc_write(&io, &t), 0);
	assert_int_equal(chip.reg[RTC_HOURS], 17);
	assert_int_equal(chip.reg[RTC_CENTURY], 21);
	assert_int_equal(rtc_read(&io, &back), 0);
	assert_memory_equal(&back, &t, sizeof(t));

	t.day = 30, t.month = 2;
	int writes = chip.writes;
	assert_int_equal(rtc_write(&io, &t), -1);
	assert_int_equal(chip.writes, writes); /* nothing touched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcd_and_binary_registers),
		cmocka_unit_test(test_twelve_hour_mode),
		cmocka_unit_test(test_dates_validated),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_read_bcd_24h),
		cmocka_unit_test(test_read_binary_12h_pm),
		cmocka_unit_test(test_read_without_century_register),
		cmocka_unit_test(test_read_waits_for_update),
		cmocka_unit_test(test_read_retries_across_a_tick),
		cmocka_unit_test(test_read_fails_on_garbage),
		cmocka_unit_test(test_write_in_the_chips_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
