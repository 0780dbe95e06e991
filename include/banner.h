/* The boot banner (boot/banner.c): what wireboot found, one fact a line. */
#ifndef WB_BANNER_H
#define WB_BANNER_H

#include <bootinfo.h>
#include <chipset.h>
#include <config.h>

void banner_print(const struct bootinfo *bi, enum machine m, const struct config *cfg);

#endif
