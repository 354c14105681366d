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

/* Bytes of the well-formed UTF-8 character at p (1 to 4), or 0 when p
 * starts no such character (a stray continuation byte, an overlong form, a
 * surrogate, a code point past U+10FFFF, a sequence cut short). */
size_t text_utf8_length(const char *p);

/* True when the whole of text is well-formed UTF-8. */
bool text_is_utf8(const char *text);

/* True when text ends with suffix. */
bool text_has_suffix(const char *text, const char *suffix);

/* folder + "/" + name, allocated; NULL when out of memory. */
char *text_join_path(const char *folder, const char *name);

/* True when path names a regular file (following links). */
bool text_is_file(const char *path);

/* Known names and near misses, for "unknown setting" messages. `names` is
 * a list ending in NULL. */

/* The index of `name` in names, or -1. */
int text_find_name(const char *const *names, const char *name);

/* The known name closest to `name` when it is close enough to be a typo:
 * at most 2 edits away (1 for names of 4 letters or fewer); else NULL. */
const char *text_closest_name(const char *const *names, const char *name);

/* "a, b, c": the names, as far as they fit in size bytes. */
void text_list_names(const char *const *names, char *buffer, size_t size);

/* "; did you mean 'x'?" for a close known name, else "; expected one of
 * a, b, c"; written to buffer, which is returned. */
const char *text_name_hint(const char *const *names, const char *name, char *buffer,
                           size_t size);

#endif
