/* CMOS RTC logic over a register interface: formats (BCD or binary, 12- or
 * 24-hour, per register B), update-in-progress handling, date checks. Pure:
 * the chip is reached only through struct rtc_io. */
#include <rtc.h>

/* Attempts at two agreeing passes, and the longest wait for UIP to clear
 * (an update takes under 2 ms; UIP rises 244 us before it). */
#define RTC_PASSES 5
#define RTC_UIP_WAIT_US 10000

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned rtc_days_in_month(unsigned year, unsigned month)
{
	static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month < 1 || month > 12)
		return 0;
	return days[month - 1] + (month == 2 && leap(year));
}

bool rtc_time_valid(const struct rtc_time *t)
{
	return t->year >= 1900 && t->year <= 9999 && t->day >= 1 &&
	       t->day <= rtc_days_in_month(t->year, t->month) && t->hour < 24 && t->minute < 60 &&
	       t->second < 60;
}

/* Sakamoto's method; Gregorian calendar. */
unsigned rtc_weekday(unsigned year, unsigned month, unsigned day)
{
	static const uint8_t off[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};

	if (month < 3)
		year--;
	return (year + year / 4 - year / 100 + year / 400 + off[(month - 1) % 12] + day) % 7 + 1;
}

uint8_t rtc_to_reg(unsigned v, bool bcd)
{
	v %= 100;
	return bcd ? (uint8_t)((v / 10) << 4 | v % 10) : (uint8_t)v;
}

int rtc_from_reg(uint8_t r, bool bcd)
{
	if (!bcd)
		return r <= 99 ? r : -1;
	if ((r >> 4) > 9 || (r & 0xf) > 9)
		return -1;
	return (r >> 4) * 10 + (r & 0xf);
}

uint8_t rtc_hour_to_reg(unsigned hour, bool bcd, bool h24)
{
	if (h24)
		return rtc_to_reg(hour, bcd);
	unsigned h12 = hour % 12 ? hour % 12 : 12;
	return (uint8_t)(rtc_to_reg(h12, bcd) | (hour >= 12 ? RTC_HOUR_PM : 0));
}

int rtc_hour_from_reg(uint8_t r, bool bcd, bool h24)
{
	if (h24) {
		int h = rtc_from_reg(r, bcd);
		return h >= 0 && h < 24 ? h : -1;
	}
	int h = rtc_from_reg(r & (uint8_t)~RTC_HOUR_PM, bcd);
	if (h < 1 || h > 12)
		return -1;
	return h % 12 + (r & RTC_HOUR_PM ? 12 : 0);
}

bool rtc_decode(const uint8_t raw[RTC_RAW_N], uint8_t reg_b, struct rtc_time *t)
{
	bool bcd = !(reg_b & RTC_B_BINARY), h24 = reg_b & RTC_B_24H;
	int sec = rtc_from_reg(raw[RTC_RAW_SEC], bcd), min = rtc_from_reg(raw[RTC_RAW_MIN], bcd);
	int hour = rtc_hour_from_reg(raw[RTC_RAW_HOUR], bcd, h24);
	int day = rtc_from_reg(raw[RTC_RAW_DAY], bcd), mon = rtc_from_reg(raw[RTC_RAW_MONTH], bcd);
	int yy = rtc_from_reg(raw[RTC_RAW_YEAR], bcd), cc = rtc_from_reg(raw[RTC_RAW_CENTURY], bcd);

	if (sec < 0 || min < 0 || hour < 0 || day < 0 || mon < 0 || yy < 0)
		return false;
	if (cc < 19)
		cc = yy < 70 ? 20 : 19; /* no century register: the usual window */
	t->year = (uint16_t)(cc * 100 + yy);
	t->month = (uint8_t)mon;
	t->day = (uint8_t)day;
	t->hour = (uint8_t)hour;
	t->minute = (uint8_t)min;
	t->second = (uint8_t)sec;
	return rtc_time_valid(t);
}

void rtc_encode(const struct rtc_time *t, uint8_t reg_b, uint8_t raw[RTC_RAW_N])
{
	bool bcd = !(reg_b & RTC_B_BINARY), h24 = reg_b & RTC_B_24H;

	raw[RTC_RAW_SEC] = rtc_to_reg(t->second, bcd);
	raw[RTC_RAW_MIN] = rtc_to_reg(t->minute, bcd);
	raw[RTC_RAW_HOUR] = rtc_hour_to_reg(t->hour, bcd, h24);
	raw[RTC_RAW_DAY] = rtc_to_reg(t->day, bcd);
	raw[RTC_RAW_MONTH] = rtc_to_reg(t->month, bcd);
	raw[RTC_RAW_YEAR] = rtc_to_reg(t->year % 100, bcd);
	raw[RTC_RAW_CENTURY] = rtc_to_reg(t->year / 100, bcd);
	raw[RTC_RAW_WEEKDAY] = rtc_to_reg(rtc_weekday(t->year, t->month, t->day), bcd);
}

static const uint8_t raw_regs[RTC_RAW_N] = {RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAY,
					    RTC_MONTH,   RTC_YEAR,    RTC_CENTURY, RTC_WEEKDAY};

/* Wait until no update is in progress; false if it never clears. */
static bool wait_uip(const struct rtc_io *io)
{
	for (unsigned us = 0; us < RTC_UIP_WAIT_US; us += 10) {
		if (!(io->read(io->ctx, RTC_REG_A) & RTC_A_UIP))
			return true;
		io->delay_us(io->ctx, 10);
	}
	return false;
}

static bool read_pass(const struct rtc_io *io, uint8_t raw[RTC_RAW_N])
{
	if (!wait_uip(io))
		return false;
	for (int i = 0; i < RTC_RAW_N; i++)
		raw[i] = io->read(io->ctx, raw_regs[i]);
	return true;
}

int rtc_read(const struct rtc_io *io, struct rtc_time *t)
{
	uint8_t a[RTC_RAW_N], b[RTC_RAW_N];

	/* Two passes that agree cannot straddle an update (the weekday is
	 * ignored: it may hold anything). */
	for (int pass = 0; pass < RTC_PASSES; pass++) {
		if (!read_pass(io, a) || !read_pass(io, b))
			return -1;
		bool same = true;
		for (int i = 0; i < RTC_RAW_WEEKDAY; i++)
			same &= a[i] == b[i];
		if (same)
			return rtc_decode(b, io->read(io->ctx, RTC_REG_B), t) ? 0 : -1;
	}
	return -1;
}

int rtc_write(const struct rtc_io *io, const struct rtc_time *t)
{
	uint8_t raw[RTC_RAW_N];

	if (!rtc_time_valid(t))
		return -1;
	uint8_t b = io->read(io->ctx, RTC_REG_B);
	rtc_encode(t, b, raw);
	io->write(io->ctx, RTC_REG_B, b | RTC_B_SET);
	for (int i = 0; i < RTC_RAW_N; i++)
		io->write(io->ctx, raw_regs[i], raw[i]);
	io->write(io->ctx, RTC_REG_B, b & (uint8_t)~RTC_B_SET);
	return 0;
}
