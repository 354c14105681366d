/* text.h: small helpers on strings and paths that several layers need,
 * defined once. */
#ifndef BREATHE_BASE_TEXT_H
#define BREATHE_BASE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Characters (not bytes) of UTF-8 text: the bytes that start a character. */
int text_characters(const char *text);

/* Bytes of the first `characters` characters of UTF-8 text (all of it when
 * it is shorter; none for 0 or less). */
size_t text_prefix_bytes(const char *text, int characters);

/* True when text ends with suffix. */
bool text_has_suffix(const char *text, const char *suffix);

/* folder + "/" + name, allocated; NULL when out of memory. */
char *text_join_path(const char *folder, const char *name);

/* True when path names a regular file (following links). */
bool text_is_file(const char *path);

#endif
