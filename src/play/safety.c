/* safety.c: prints docs/safety.md for the terminal. See safety.h. */
#include "play/safety.h"

#include <stdlib.h>
#include <string.h>

#include "play/safety_text.h"   /* generated from docs/safety.md */

void safety_print(FILE *out)
{
    size_t count = sizeof safety_lines / sizeof safety_lines[0];
    /* The file's final newline leaves an empty last entry. */
    if (count > 0 && safety_lines[count - 1][0] == '\0')
        count--;
    for (size_t i = 0; i < count; i++) {
        const char *line = safety_lines[i];
        size_t marks = strspn(line, "#");
        if (marks > 0 && line[marks] == ' ' && line[marks + 1] != '\0') {
            /* "# Title" and "## Section" become the text with a line under it. */
            const char *text = line + marks + 1;
            fprintf(out, "%s\n", text);
            for (size_t j = strlen(text); j > 0; j--)
                fputc(marks == 1 ? '=' : '-', out);
            fputc('\n', out);
        } else {
            fprintf(out, "%s\n", line);
        }
    }
}

char *safety_text(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out)
        return NULL;
    safety_print(out);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
