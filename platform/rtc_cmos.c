/* The CMOS RTC at ports 0x70 (index) / 0x71 (data). Port I/O only, so it
 * works for runtime services after ExitBootServices. */
#include <clock.h>
#include <io.h>
#include <rtc.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

static uint8_t cmos_read(void *ctx, uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void cmos_write(void *ctx, uint8_t reg, uint8_t val)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, val);
}

static void cmos_delay(void *ctx, unsigned us)
{
	clock_delay_us(us);
}

static const struct rtc_io cmos = {cmos_read, cmos_write, cmos_delay, 0};

int rtc_cmos_read(struct rtc_time *t)
{
	return rtc_read(&cmos, t);
}

int rtc_cmos_write(const struct rtc_time *t)
{
	return rtc_write(&cmos, t);
}
