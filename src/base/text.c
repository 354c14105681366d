/* text.c: string and path helpers (see text.h). */
#include "base/text.h"

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
