/* Character classes for the firmware (C locale only). The names are the C
 * library's, as in string.h: host unit tests get the host's <ctype.h>,
 * which behaves the same for these in the C locale. */
#ifndef WB_CTYPE_H
#define WB_CTYPE_H

/* ' ', \t, \n, \v, \f, \r (C11 s.7.4.1.10). */
static inline int isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline int isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int tolower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

#endif
