/* json.h: JSON text written into a growing buffer.
 *
 * Only writing: the API takes its arguments as form fields or a query
 * string (libmicrohttpd parses both), never as JSON. A buffer that could
 * not grow remembers it (failed) and takes nothing more, so a caller checks
 * once at the end. Strings are escaped as RFC 8259 asks; bytes that are not
 * UTF-8 pass through as they are (session files are read as UTF-8). */
#ifndef BREATHE_WEB_JSON_H
#define BREATHE_WEB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *text;
    size_t length, capacity;
    bool failed;
} json_text;

void json_raw(json_text *j, const char *text);
void json_printf(json_text *j, const char *format, ...) __attribute__((format(printf, 2, 3)));
void json_string(json_text *j, const char *text);       /* "text", escaped; NULL: null */
void json_number(json_text *j, double value);           /* finite, else null */
void json_key(json_text *j, const char *key);           /* "key": */
void json_free(json_text *j);

#endif
