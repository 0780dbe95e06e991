/* lwIP platform definitions for wireboot: freestanding x86_64, gcc. */
#ifndef WB_LWIP_ARCH_CC_H
#define WB_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>

/* gcc's freestanding headers: stdint yes; inttypes, ctype and limits no. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
/* gcc's limits.h wants the C library's beside it; lwIP needs only INT_MAX. */
#define LWIP_NO_LIMITS_H 1
#define INT_MAX __INT_MAX__
#define X8_F "02hhx"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_ERR_T int

void lwip_port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lwip_port_assert(const char *msg, const char *file, int line) __attribute__((noreturn));
uint32_t lwip_port_rand(void);

#define LWIP_PLATFORM_DIAG(x) do { lwip_port_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert(x, __FILE__, __LINE__)
#define LWIP_RAND() lwip_port_rand()

#endif
