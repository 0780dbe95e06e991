/* The MC146818-compatible CMOS real-time clock (platform/rtc.c, the pure
 * logic over a register interface; platform/rtc_cmos.c, ports 0x70/0x71).
 * Only port I/O and static data: usable by runtime services after
 * ExitBootServices. Register formats follow register B: BCD or binary,
 * 12- or 24-hour; the time handed in and out is always binary, 24-hour. */
#ifndef WB_RTC_H
#define WB_RTC_H

#include <stdbool.h>
#include <stdint.h>

struct rtc_time {
	uint16_t year; /* 1900..9999 */
	uint8_t month; /* 1..12 */
	uint8_t day;   /* 1..31 */
	uint8_t hour;  /* 0..23 */
	uint8_t minute, second;
};

/* Register indexes. */
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_WEEKDAY 0x06
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_CENTURY 0x32 /* the index QEMU's FADT names (CENTURY field) */

#define RTC_A_UIP 0x80   /* update in progress */
#define RTC_B_SET 0x80   /* updates stopped while we write */
#define RTC_B_BINARY 0x04 /* DM: binary, not BCD */
#define RTC_B_24H 0x02
#define RTC_HOUR_PM 0x80 /* 12-hour mode */

/* The registers a time occupies, in this order in raw arrays. */
enum { RTC_RAW_SEC, RTC_RAW_MIN, RTC_RAW_HOUR, RTC_RAW_DAY, RTC_RAW_MONTH, RTC_RAW_YEAR,
       RTC_RAW_CENTURY, RTC_RAW_WEEKDAY, RTC_RAW_N };

/* How the logic reaches the chip; tests give a simulated one. */
struct rtc_io {
	uint8_t (*read)(void *ctx, uint8_t reg);
	void (*write)(void *ctx, uint8_t reg, uint8_t val);
	void (*delay_us)(void *ctx, unsigned us);
	void *ctx;
};

/* Days in month (1..12) of year, leap years per the Gregorian calendar;
 * 0 for a month out of range. */
unsigned rtc_days_in_month(unsigned year, unsigned month);

/* True if t is a real date and time between 1900-01-01 and 9999-12-31. */
bool rtc_time_valid(const struct rtc_time *t);

/* Day of the week as the chip counts it: 1 = Sunday .. 7 = Saturday. */
unsigned rtc_weekday(unsigned year, unsigned month, unsigned day);

/* One register value <-> 0..99; from_reg gives -1 for an invalid BCD
 * digit or a value over 99. */
uint8_t rtc_to_reg(unsigned v, bool bcd);
int rtc_from_reg(uint8_t r, bool bcd);

/* The hour register <-> 0..23, in 12-hour mode with bit 7 for PM (12 AM is
 * midnight). from_reg gives -1 for an invalid value. */
uint8_t rtc_hour_to_reg(unsigned hour, bool bcd, bool h24);
int rtc_hour_from_reg(uint8_t r, bool bcd, bool h24);

/* The raw registers under register B's format <-> a time. Decoding fails
 * (false) on any invalid field or date; an invalid century register means
 * years 1970..2069. */
bool rtc_decode(const uint8_t raw[RTC_RAW_N], uint8_t reg_b, struct rtc_time *t);
void rtc_encode(const struct rtc_time *t, uint8_t reg_b, uint8_t raw[RTC_RAW_N]);

/* Read the clock: waits out an update in progress and reads until two
 * passes agree. 0, or -1 if the chip never settles or holds garbage. */
int rtc_read(const struct rtc_io *io, struct rtc_time *t);

/* Set the clock (updates stopped while writing, the weekday computed).
 * 0, or -1 for an invalid time. */
int rtc_write(const struct rtc_io *io, const struct rtc_time *t);

/* The CMOS chip at ports 0x70/0x71 (platform/rtc_cmos.c). */
int rtc_cmos_read(struct rtc_time *t);
int rtc_cmos_write(const struct rtc_time *t);

#endif
