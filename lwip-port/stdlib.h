/* lwIP's mem.c includes <stdlib.h> for malloc when MEM_LIBC_MALLOC is on;
 * lwipopts.h maps those calls to the firmware pool, so nothing is needed. */
#ifndef WB_LWIP_STDLIB_H
#define WB_LWIP_STDLIB_H

#include <stddef.h>

#endif
