/* json.c: JSON text (see json.h). */
#include "web/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(json_text *j, size_t more)
{
    if (j->failed)
        return false;
    if (j->length + more + 1 <= j->capacity)
        return true;
    size_t capacity = j->capacity ? j->capacity : 256;
    while (capacity < j->length + more + 1)
        capacity *= 2;
    char *grown = realloc(j->text, capacity);
    if (!grown) {
        j->failed = true;
        return false;
    }
    j->text = grown;
    j->capacity = capacity;
    return true;
}

static void append(json_text *j, const char *bytes, size_t count)
{
    if (!reserve(j, count))
        return;
    memcpy(j->text + j->length, bytes, count);
    j->length += count;
    j->text[j->length] = '\0';
}

void json_raw(json_text *j, const char *text)
{
    append(j, text, strlen(text));
}

void json_printf(json_text *j, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char small[128];
    int needed = vsnprintf(small, sizeof small, format, args);
    va_end(args);
    if (needed < 0) {
        j->failed = true;
        return;
    }
    if ((size_t)needed < sizeof small) {
        append(j, small, (size_t)needed);
        return;
    }
    if (!reserve(j, (size_t)needed))
        return;
    va_start(args, format);
    vsnprintf(j->text + j->length, (size_t)needed + 1, format, args);
    va_end(args);
    j->length += (size_t)needed;
}

void json_string(json_text *j, const char *text)
{
    if (!text) {
        json_raw(j, "null");
        return;
    }
    append(j, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
        case '"': append(j, "\\\"", 2); break;
        case '\\': append(j, "\\\\", 2); break;
        case '\n': append(j, "\\n", 2); break;
        case '\t': append(j, "\\t", 2); break;
        case '\r': append(j, "\\r", 2); break;
        default:
            if (*p < 0x20 || *p == 0x7F)
                json_printf(j, "\\u%04x", *p);
            else
                append(j, (const char *)p, 1);
        }
    }
    append(j, "\"", 1);
}

void json_number(json_text *j, double value)
{
    if (!isfinite(value))
        json_raw(j, "null");
    else
        json_printf(j, "%.10g", value + 0.0);   /* + 0.0: -0 prints as 0 */
}

void json_key(json_text *j, const char *key)
{
    json_string(j, key);
    append(j, ":", 1);
}

void json_free(json_text *j)
{
    free(j->text);
    *j = (json_text){ 0 };
}
