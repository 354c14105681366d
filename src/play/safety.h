/* safety.h: what `breathe --safety` prints and the web remote shows: when
 * to stop an exercise and when to get medical help.
 *
 * The text is docs/safety.md itself, compiled into the program when it is
 * built, so the two never drift apart and it prints even when no session or
 * audio files are installed. Headings are shown underlined instead of with
 * their Markdown marks; every other line prints as written. */
#ifndef BREATHE_SAFETY_H
#define BREATHE_SAFETY_H

#include <stdio.h>

void safety_print(FILE *out);

/* The same text as a new string (free it), or NULL when out of memory. */
char *safety_text(void);

#endif
