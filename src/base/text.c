/* text.c: string and path helpers (see text.h). */
#include "base/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int text_characters(const char *text)
{
    int count = 0;
    for (const char *p = text; *p; p++)
        count += ((unsigned char)*p & 0xC0) != 0x80;
    return count;
}

size_t text_prefix_bytes(const char *text, int characters)
{
    size_t bytes = 0;
    for (; text[bytes]; bytes++)
        if (((unsigned char)text[bytes] & 0xC0) != 0x80 && characters-- <= 0)
            break;
    return bytes;
}

bool text_has_suffix(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

char *text_join_path(const char *folder, const char *name)
{
    size_t n = strlen(folder) + strlen(name) + 2;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/%s", folder, name);
    return path;
}

bool text_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Levenshtein distance; SIZE_MAX for names too long to be settings. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { LONGEST = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > LONGEST || lb > LONGEST)
        return SIZE_MAX;
    size_t row[LONGEST + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

int text_find_name(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *text_closest_name(const char *const *names, const char *name)
{
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    for (int i = 0; names[i]; i++) {
        size_t limit = strlen(names[i]) <= 4 ? 1 : 2;
        size_t distance = edit_distance(name, names[i]);
        if (distance <= limit && distance < best_distance) {
            best = names[i];
            best_distance = distance;
        }
    }
    return best;
}

void text_list_names(const char *const *names, char *buffer, size_t size)
{
    size_t used = 0;
    buffer[0] = '\0';
    for (int i = 0; names[i] && used < size; i++)
        used += (size_t)snprintf(buffer + used, size - used, "%s%s", i ? ", " : "", names[i]);
}

const char *text_name_hint(const char *const *names, const char *name, char *buffer,
                           size_t size)
{
    const char *best = text_closest_name(names, name);
    if (best) {
        snprintf(buffer, size, "; did you mean '%s'?", best);
        return buffer;
    }
    size_t used = (size_t)snprintf(buffer, size, "; expected one of ");
    text_list_names(names, buffer + used, size - used);
    return buffer;
}

size_t text_utf8_length(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char low = c == 0xE0 ? 0xA0 : 0x80, high = c == 0xED ? 0x9F : 0xBF;
        if (p[1] < low || p[1] > high || (p[2] & 0xC0) != 0x80)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char low = c == 0xF0 ? 0x90 : 0x80, high = c == 0xF4 ? 0x8F : 0xBF;
        if (p[1] < low || p[1] > high || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

bool text_is_utf8(const char *text)
{
    const char *p = text;
    while (*p) {
        size_t n = text_utf8_length(p);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}
